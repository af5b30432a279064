//! Tables built from the metrics of the model: one row per metric with a value, interval and
//! sample size per arm, or one row per segment group with compact value-and-interval cells.

use super::blocks::{Cell, Column, Table};
use super::{t, title, word};
use crate::model::{Arm, Metric, Segment, Summary};
use crate::render::format;

/// The arms of a stream's columns: `[None]`, or ai, baseline and delta.
pub fn arms(summary: &Summary, stream: &str) -> Vec<Option<Arm>> {
    let has_arms = summary
        .streams
        .iter()
        .any(|s| s.name == stream && s.has_arms);
    if has_arms {
        vec![Some(Arm::Ai), Some(Arm::Baseline), Some(Arm::Delta)]
    } else {
        vec![None]
    }
}

fn arm_title(summary: &Summary, arm: Option<Arm>) -> String {
    let key = match arm {
        None => "column.value",
        Some(Arm::Ai) => "column.ai",
        Some(Arm::Baseline) => "column.baseline",
        Some(Arm::Delta) => "column.delta",
    };
    t(summary, key)
}

/// The metric `id` of `stream` for `segment` and `arm`.
pub fn find<'a>(
    summary: &'a Summary,
    id: &str,
    stream: &str,
    segment: Option<&Segment>,
    arm: Option<Arm>,
) -> Option<&'a Metric> {
    crate::model::find_metric(&summary.metrics, id, stream, segment, arm)
}

/// One row per metric of `ids` that the stream has: title, then value, 95% CI and n per arm.
pub fn metric_table(
    summary: &Summary,
    stream: &str,
    ids: &[&str],
    segment: Option<&Segment>,
) -> Option<Table> {
    let currency = summary.settings.currency.as_deref();
    let arms = arms(summary, stream);
    let mut columns = vec![Column::left(&t(summary, "column.metric"))];
    for arm in &arms {
        let value_title = if arms.len() > 1 {
            arm_title(summary, *arm)
        } else {
            t(summary, "column.value")
        };
        columns.push(Column::right(&value_title));
        columns.push(Column::left(&t(summary, "column.ci")));
        if arm.is_none_or(|a| a != Arm::Delta) {
            columns.push(Column::right("n"));
        }
    }
    let mut table = Table::new(columns);
    for id in ids {
        if arms
            .iter()
            .all(|a| find(summary, id, stream, segment, *a).is_none())
        {
            continue;
        }
        let mut row = vec![Cell::plain(title(summary.settings.language, id))];
        for arm in &arms {
            let m = find(summary, id, stream, segment, *arm);
            row.push(Cell::styled(
                m.map(|m| format::metric_value(m, currency))
                    .unwrap_or_default(),
                "strong",
            ));
            row.push(Cell::styled(
                m.map(format::interval).unwrap_or_default(),
                "muted",
            ));
            if arm.is_none_or(|a| a != Arm::Delta) {
                row.push(Cell::styled(
                    m.map(|m| format::sample(m, currency)).unwrap_or_default(),
                    "muted",
                ));
            }
        }
        table.rows.push(row);
    }
    (!table.rows.is_empty()).then(|| table.without_empty_columns())
}

/// The group values of `attribute` in `stream`, sorted as in the model.
pub fn groups(summary: &Summary, stream: &str, attribute: &str) -> Vec<String> {
    let mut values: Vec<String> = summary
        .metrics
        .iter()
        .filter(|m| m.stream == stream)
        .filter_map(|m| m.segment.as_ref())
        .filter(|s| s.attribute == attribute)
        .filter_map(|s| s.value.clone())
        .collect();
    values.dedup();
    values.sort();
    values.dedup();
    values
}

/// One row per group (and arm): group, arm, then a compact "value [interval]" cell per metric
/// and the group's size from the first metric's denominator.
pub fn group_table(
    summary: &Summary,
    stream: &str,
    attribute: &str,
    ids: &[&str],
) -> Option<Table> {
    let currency = summary.settings.currency.as_deref();
    let ids: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| {
            summary.metrics.iter().any(|m| {
                m.stream == stream
                    && m.id == *id
                    && m.segment.as_ref().is_some_and(|s| s.attribute == attribute)
            })
        })
        .collect();
    let groups = groups(summary, stream, attribute);
    if ids.is_empty() || groups.is_empty() {
        return None;
    }
    let arms: Vec<Option<Arm>> = arms(summary, stream)
        .into_iter()
        .filter(|a| *a != Some(Arm::Delta))
        .collect();
    let mut columns = vec![Column::left(&word(summary, attribute))];
    if arms.len() > 1 {
        columns.push(Column::left(&t(summary, "column.arm")));
    }
    columns.extend(
        ids.iter()
            .map(|id| Column::right(&title(summary.settings.language, id))),
    );
    columns.push(Column::right("n"));
    let mut table = Table::new(columns);
    for group in &groups {
        let segment = Segment {
            attribute: attribute.to_string(),
            value: Some(group.clone()),
        };
        for arm in &arms {
            let mut row = vec![Cell::plain(group.clone())];
            if arms.len() > 1 {
                row.push(Cell::plain(arm_title(summary, *arm)));
            }
            for id in &ids {
                let m = find(summary, id, stream, Some(&segment), *arm);
                row.push(Cell::plain(
                    m.map(|m| format::compact(m, currency)).unwrap_or_default(),
                ));
            }
            let n = ids
                .iter()
                .find_map(|id| find(summary, id, stream, Some(&segment), *arm)?.denominator);
            row.push(Cell::styled(
                n.map(|n| format::fixed(n, 0)).unwrap_or_default(),
                "muted",
            ));
            table.rows.push(row);
        }
    }
    Some(table)
}

/// `age_band` → `Age band`.
pub fn humanise(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
