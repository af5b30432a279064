//! The closing sections of a cohort summary: the acceptance-criteria compliance matrix with
//! its heat-map, incidents across the cohort, and data-quality caveats with the rejected and
//! superseded bundles.

use std::collections::BTreeSet;

use super::model::{Cohort, CriterionEntry};
use super::view::{arm_stat, arm_word, ct, ct_with};
use crate::render::format;
use crate::render::view::{
    Block, Cell, ChartRef, ChartSpec, Column, Section, Table, status_cell, title,
};
use crate::schema::Language;

/// Banks beyond which the heat-map is left out (the table still lists everything).
const HEATMAP_BANKS: usize = 60;

/// A criterion's metric with its segment and arm: `APCER [attack_type=face_swap] (ai)`.
pub(super) fn criterion_label(language: Language, c: &CriterionEntry) -> String {
    let mut l = title(language, &c.metric)
        .split(" (")
        .next()
        .unwrap_or_default()
        .to_string();
    if let Some(seg) = &c.segment {
        let value = seg.value.as_ref().map(|v| format!("={v}"));
        l.push_str(&format!(
            " [{}{}]",
            seg.attribute,
            value.unwrap_or_default()
        ));
    }
    if let Some(arm) = c.arm {
        l.push_str(&format!(" ({})", arm_word(language, arm)));
    }
    l
}

/// The requirement of a criterion: `>= 70.00%`, `>= +0.00 pp` for a delta.
pub(super) fn requirement(c: &CriterionEntry) -> String {
    let threshold = arm_stat(&c.metric, c.arm, Some(c.threshold), None);
    format!("{} {threshold}", c.op)
}

pub(super) fn compliance(cohort: &Cohort) -> Section {
    let mut section = Section::new("compliance", &ct(cohort, "section.compliance"));
    let label = |c: &CriterionEntry| criterion_label(cohort.language, c);
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "column.bank")),
        Column::left(&ct(cohort, "column.use_case")),
        Column::left(&ct(cohort, "column.criterion")),
        Column::left(&ct(cohort, "column.requirement")),
        Column::left(&ct(cohort, "column.status")),
    ]);
    for c in &cohort.criteria {
        let status = status_cell(cohort.language, c.status);
        table.rows.push(vec![
            Cell::styled(c.bank.clone(), "strong"),
            Cell::plain(c.use_case.clone()),
            Cell::plain(label(c)),
            Cell::plain(requirement(c)),
            status,
        ]);
    }
    if table.rows.is_empty() {
        return section.or_empty(&ct(cohort, "empty.cohort_criteria"));
    }
    let banks: Vec<String> = cohort
        .criteria
        .iter()
        .map(|c| c.bank.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let columns: Vec<String> = cohort
        .criteria
        .iter()
        .map(&label)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if banks.len() <= HEATMAP_BANKS {
        let cells = banks
            .iter()
            .map(|b| {
                columns
                    .iter()
                    .map(|col| {
                        cohort
                            .criteria
                            .iter()
                            .find(|c| &c.bank == b && &label(c) == col)
                            .map(|c| c.status.as_str().to_string())
                    })
                    .collect()
            })
            .collect();
        let keys: Vec<String> = (1..=columns.len()).map(|i| format!("C{i}")).collect();
        section.blocks.push(Block::Chart(ChartRef {
            id: "compliance-heatmap".into(),
            title: ct(cohort, "chart.heatmap"),
            caption: ct(cohort, "caption.heatmap_chart"),
            spec: ChartSpec::Heatmap {
                rows: banks.clone(),
                columns: keys.clone(),
                cells,
            },
        }));
        section
            .blocks
            .push(Block::Table(key_table(cohort, &keys, &columns, label)));
    }
    section.blocks.push(Block::Table(table));
    section
}

/// The heat-map's key: each column's short key, the criterion, and how many banks set it.
fn key_table(
    cohort: &Cohort,
    keys: &[String],
    columns: &[String],
    label: impl Fn(&CriterionEntry) -> String,
) -> Table {
    let mut key = Table::new(vec![
        Column::left(&ct(cohort, "column.key")),
        Column::left(&ct(cohort, "column.criterion")),
        Column::right(&ct(cohort, "column.banks_setting")),
    ]);
    for (k, column) in keys.iter().zip(columns) {
        let banks: BTreeSet<&str> = cohort
            .criteria
            .iter()
            .filter(|c| &label(c) == column)
            .map(|c| c.bank.as_str())
            .collect();
        key.rows.push(vec![
            Cell::styled(k.clone(), "strong"),
            Cell::plain(column.clone()),
            Cell::plain(banks.len().to_string()),
        ]);
    }
    key.caption(ct(cohort, "caption.heatmap_key"))
}

pub(super) fn incidents(cohort: &Cohort) -> Section {
    let mut section = Section::new("incidents", &ct(cohort, "section.cohort_incidents"));
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "column.incidents")),
        Column::right(&ct(cohort, "column.banks")),
        Column::right(&ct(cohort, "column.total")),
        Column::right(&ct(cohort, "column.events")),
        Column::right(&ct(cohort, "column.per_1k")),
    ]);
    for r in &cohort.incidents {
        let what = match (&r.kind, &r.severity) {
            (Some(k), _) => ct_with(cohort, "cohort.incident_type", &[("kind", k)]),
            (_, Some(s)) => ct_with(cohort, "cohort.incident_severity", &[("severity", s)]),
            _ => ct(cohort, "cohort.incident_all"),
        };
        let cells = if r.suppressed {
            vec![
                Cell::plain(what),
                Cell::plain(r.banks.to_string()),
                Cell::styled(ct(cohort, "cohort.suppressed"), "muted"),
                Cell::plain(""),
                Cell::plain(""),
            ]
        } else {
            vec![
                Cell::plain(what),
                Cell::plain(r.banks.to_string()),
                Cell::styled(
                    r.total.map_or_else(String::new, |t| format::fixed(t, 0)),
                    "strong",
                ),
                Cell::plain(r.events.map_or_else(String::new, |e| format::fixed(e, 0))),
                Cell::plain(r.per_1k.map_or_else(String::new, |p| format::fixed(p, 3))),
            ]
        };
        table.rows.push(cells);
    }
    if !table.rows.is_empty() {
        section.blocks.push(Block::Table(
            table.note(ct(cohort, "note.cohort_incident_events")),
        ));
    }
    section.or_empty(&ct(cohort, "empty.cohort_incidents"))
}

pub(super) fn quality(cohort: &Cohort) -> Section {
    let mut section = Section::new("quality", &ct(cohort, "section.quality"));
    let mut rejected = Table::new(vec![
        Column::left(&ct(cohort, "column.bundle")),
        Column::left(&ct(cohort, "column.reason")),
    ]);
    for r in &cohort.bundles.rejected {
        rejected.rows.push(vec![
            Cell::plain(r.path.clone()),
            Cell::styled(r.reason.clone(), "fail"),
        ]);
    }
    section.blocks.push(Block::Heading {
        text: ct(cohort, "caption.rejected"),
    });
    if rejected.rows.is_empty() {
        section.blocks.push(Block::Text {
            text: ct(cohort, "sentence.none_rejected"),
        });
    } else {
        section
            .blocks
            .push(Block::Table(rejected.note(ct(cohort, "note.rejected"))));
    }
    if !cohort.bundles.superseded.is_empty() {
        let mut superseded = Table::new(vec![
            Column::left(&ct(cohort, "column.bank")),
            Column::left(&ct(cohort, "column.use_case")),
            Column::left(&ct(cohort, "column.bundle")),
            Column::left(&ct(cohort, "column.replaced_by")),
        ]);
        for s in &cohort.bundles.superseded {
            superseded.rows.push(vec![
                Cell::plain(s.bank.clone()),
                Cell::plain(s.use_case.clone()),
                Cell::plain(s.path.clone()),
                Cell::plain(s.superseded_by.clone()),
            ]);
        }
        section.blocks.push(Block::Table(
            superseded.caption(ct(cohort, "caption.superseded")),
        ));
    }
    let mut findings = Table::new(vec![
        Column::left(&ct(cohort, "column.bank")),
        Column::left(&ct(cohort, "column.severity")),
        Column::left(&ct(cohort, "column.code")),
        Column::right(&ct(cohort, "column.rows")),
    ]);
    for f in &cohort.findings {
        findings.rows.push(vec![
            Cell::plain(f.bank.clone()),
            Cell::plain(f.severity.clone()),
            Cell::styled(f.code.clone(), "code"),
            Cell::plain(format::fixed(f.count, 0)),
        ]);
    }
    section.blocks.push(Block::Heading {
        text: ct(cohort, "caption.findings_per_bank"),
    });
    if findings.rows.is_empty() {
        section.blocks.push(Block::Text {
            text: ct(cohort, "sentence.no_cohort_findings"),
        });
    } else {
        section.blocks.push(Block::Table(findings));
    }
    section
}
