//! The operational sections of the report: human oversight, volumes, latency and cost,
//! incidents, and the reconciliation of KPIs the bank reported itself.

use super::blocks::{Block, Cell, ChartRef, ChartSpec, Column, Table};
use super::results::{chart_id, event_streams, trend};
use super::tables::find;
use super::{Section, t, t_with, title};
use crate::metrics::catalogue::{self, ReportTable};
use crate::model::Arm;
use crate::model::{KpiStatus, Summary};
use crate::render::format;

/// A table with one row per stream and a compact cell per metric of `ids` (AI arm in A/B trials).
fn stream_rows(summary: &Summary, table: ReportTable) -> Option<Table> {
    let ids = catalogue::columns_of(table, summary.settings.language);
    let currency = summary.settings.currency.as_deref();
    let mut columns = vec![Column::left(&t(summary, "column.stream"))];
    columns.extend(ids.iter().map(|(_, head)| Column::right(head)));
    let mut table = Table::new(columns);
    for s in event_streams(summary) {
        let arm = if s.has_arms { Some(Arm::Ai) } else { None };
        let metrics: Vec<_> = ids
            .iter()
            .map(|(id, _)| find(summary, id, &s.name, None, arm))
            .collect();
        if metrics.iter().all(Option::is_none) {
            continue;
        }
        let name = if s.has_arms {
            format!("{}{}", s.name, t(summary, "label.scope_ai"))
        } else {
            s.name.clone()
        };
        let mut row = vec![Cell::styled(name, "strong")];
        row.extend(metrics.iter().map(|m| {
            Cell::plain(
                m.map(|m| format::compact(m, currency))
                    .unwrap_or_else(|| "–".into()),
            )
        }));
        table.rows.push(row);
    }
    (!table.rows.is_empty()).then_some(table)
}

pub fn oversight(summary: &Summary) -> Section {
    let mut section = Section::new("oversight", &t(summary, "section.oversight"))
        .with_narrative(summary.submission.narrative.oversight.as_ref());
    if let Some(table) = stream_rows(summary, ReportTable::Oversight) {
        section
            .blocks
            .push(Block::Table(table.note(t(summary, "note.oversight"))));
    }
    section.or_empty(&t(summary, "empty.oversight"))
}

pub fn operations(summary: &Summary) -> Section {
    let mut section = Section::new("operations", &t(summary, "section.operations"))
        .with_narrative(summary.submission.narrative.operations.as_ref());
    let mut volumes = Table::new(vec![
        Column::left(&t(summary, "column.stream")),
        Column::left(&t(summary, "column.kind")),
        Column::right(&t(summary, "column.events")),
        Column::right(&t(summary, "column.weeks")),
    ]);
    for s in event_streams(summary) {
        let weeks = summary
            .series
            .iter()
            .find(|x| x.stream == s.name)
            .map_or(0, |x| x.points.len());
        volumes.rows.push(vec![
            Cell::styled(s.name.clone(), "strong"),
            Cell::plain(s.kind.as_str()),
            Cell::plain(format::thousands(s.events)),
            Cell::plain(weeks.to_string()),
        ]);
    }
    if !volumes.rows.is_empty() {
        section
            .blocks
            .push(Block::Table(volumes.caption(t(summary, "caption.volumes"))));
    }
    if let Some(table) = stream_rows(summary, ReportTable::Operations) {
        section.blocks.push(Block::Table(
            table
                .caption(t(summary, "caption.latency_cost"))
                .note(t(summary, "note.latency")),
        ));
    }
    for s in event_streams(summary) {
        if let Some(c) = latency_histogram(summary, &s.name) {
            section.blocks.push(Block::Chart(c));
        }
        if let Some(c) = trend(summary, s, false) {
            section.blocks.push(Block::Chart(c));
        }
    }
    section
}

fn latency_histogram(summary: &Summary, stream: &str) -> Option<ChartRef> {
    let d = summary
        .distributions
        .iter()
        .find(|d| d.stream == stream && d.arm.is_none_or(|a| a == Arm::Ai))?;
    Some(ChartRef {
        id: chart_id(stream, "latency"),
        title: t_with(summary, "chart.latency_histogram", &[("stream", stream)]),
        caption: t(summary, "caption.latency_histogram"),
        spec: ChartSpec::Histogram {
            bins: d.bins.iter().map(|b| (b.low, b.high, b.count)).collect(),
            unit: "ms".into(),
            axis: t(summary, "chart.axis_interactions"),
        },
    })
}

pub fn reconciliation(summary: &Summary) -> Section {
    let mut section = Section::new("reconciliation", &t(summary, "section.reconciliation"))
        .with_narrative(summary.submission.narrative.reconciliation.as_ref());
    let currency = summary.settings.currency.as_deref();
    let mut table = Table::new(vec![
        Column::left(&t(summary, "column.metric")),
        Column::left(&t(summary, "column.stream_segment")),
        Column::right(&t(summary, "column.reported")),
        Column::right(&t(summary, "column.recomputed")),
        Column::right(&t(summary, "column.difference")),
        Column::right(&t(summary, "column.tolerance")),
        Column::left(&t(summary, "column.status")),
    ]);
    let unit = |id: &str, v: f64| format::difference(id, v, currency);
    for r in &summary.reconciliation {
        let tolerance = r
            .tolerance
            .unwrap_or(summary.settings.reconciliation_tolerance);
        let mut scope = r.stream.clone().unwrap_or_default();
        if let Some(seg) = &r.segment {
            scope.push_str(&format!(
                ", {} = {}",
                seg.attribute,
                seg.value.clone().unwrap_or_default()
            ));
        }
        let status = match r.status {
            KpiStatus::WithinTolerance => {
                Cell::styled(t(summary, "status.within_tolerance"), "pass")
            }
            KpiStatus::OutsideTolerance => {
                Cell::styled(t(summary, "status.outside_tolerance"), "fail")
            }
            KpiStatus::NotRecomputable => {
                Cell::styled(t(summary, "status.not_recomputable"), "not_evaluable")
            }
        };
        table.rows.push(vec![
            Cell::plain(title(summary.settings.language, &r.metric)),
            Cell::plain(scope),
            Cell::plain(format::value(&r.metric, Some(r.reported), currency)),
            Cell::plain(format::value(&r.metric, r.computed, currency)),
            Cell::plain(
                r.difference
                    .map_or_else(|| format::NOT_AVAILABLE.into(), |d| unit(&r.metric, d)),
            ),
            Cell::styled(tolerance_text(summary, r, tolerance, currency), "muted"),
            status,
        ]);
    }
    if !table.rows.is_empty() {
        let note = t(summary, "note.reconciliation");
        section.blocks.push(Block::Table(table.note(note)));
    }
    section.or_empty(&t(summary, "empty.reconciliation"))
}

/// `±0.5 pp`, and `; ±5% of recomputed` when the KPI was held to a relative limit too.
fn tolerance_text(
    summary: &Summary,
    row: &crate::model::ReconciliationRow,
    absolute: f64,
    currency: Option<&str>,
) -> String {
    let text = format::tolerance(&row.metric, absolute, currency);
    match row.relative_tolerance {
        Some(share) => {
            let share = format!("±{}%", (share * 1e4).round() / 1e2);
            let relative = t_with(summary, "tolerance.relative", &[("share", &share)]);
            format!("{text}; {relative}")
        }
        None => text,
    }
}
