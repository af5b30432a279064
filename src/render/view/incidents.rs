//! The incidents section: per stream, one table crossing incident type with severity (in the
//! order of the scale, low to critical), with totals, and the rate per 1,000 events.

use super::blocks::{Block, Cell, Column, Table};
use super::results::event_streams;
use super::tables::{find, groups};
use super::{Section, t, t_with};
use crate::model::Arm;
use crate::model::{IncidentCount, Summary};
use crate::render::format;

/// Severities in the order of the scale; others follow alphabetically.
const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

fn severity_rank(severity: &str) -> (usize, String) {
    let rank = SEVERITIES
        .iter()
        .position(|s| s.eq_ignore_ascii_case(severity))
        .unwrap_or(SEVERITIES.len());
    (rank, severity.to_string())
}

pub fn incidents(summary: &Summary) -> Section {
    let mut section = Section::new("incidents", &t(summary, "section.incidents"))
        .with_narrative(summary.submission.narrative.incidents.as_ref());
    for s in event_streams(summary) {
        let arm = s.has_arms.then_some(Arm::Ai);
        if find(summary, "incidents.total", &s.name, None, arm).is_none() {
            continue;
        }
        let key = if arm.is_some() {
            "heading.incidents_ai"
        } else {
            "heading.incidents"
        };
        section.blocks.push(Block::Heading {
            text: t_with(summary, key, &[("stream", &s.name)]),
        });
        section
            .blocks
            .push(Block::Table(crosstab(summary, &s.name, arm)));
    }
    section.or_empty(&t(summary, "empty.incidents"))
}

fn count_text(n: u64) -> String {
    format::value("incidents.total", Some(n as f64), None)
}

/// Types down, severities across, totals in the last row and column.
fn crosstab(summary: &Summary, stream: &str, arm: Option<Arm>) -> Table {
    let cells: Vec<&IncidentCount> = summary
        .incidents
        .iter()
        .filter(|c| c.stream == stream && c.arm == arm)
        .collect();
    let mut severities: Vec<String> = SEVERITIES.iter().map(|s| s.to_string()).collect();
    for c in &cells {
        let given = c
            .incident_severity
            .clone()
            .unwrap_or_else(|| "not given".into());
        if !severities.iter().any(|s| s.eq_ignore_ascii_case(&given)) {
            severities.push(given);
        }
    }
    severities.sort_by_key(|s| severity_rank(s));
    let count = |ty: Option<&str>, severity: Option<&str>| -> u64 {
        cells
            .iter()
            .filter(|c| ty.is_none_or(|t| c.incident_type == t))
            .filter(|c| {
                let given = c.incident_severity.as_deref().unwrap_or("not given");
                severity.is_none_or(|s| given.eq_ignore_ascii_case(s))
            })
            .map(|c| c.count)
            .sum()
    };
    let mut columns = vec![Column::left(&t(summary, "column.type"))];
    columns.extend(severities.iter().map(|s| {
        let head = crate::messages::term(summary.settings.language, &s.to_lowercase());
        Column::right(head.as_deref().unwrap_or(s))
    }));
    columns.push(Column::right(&t(summary, "column.all")));
    let mut table = Table::new(columns);
    for ty in groups(summary, stream, "incident_type") {
        let mut row = vec![Cell::plain(ty.clone())];
        row.extend(
            severities
                .iter()
                .map(|s| Cell::plain(count_text(count(Some(&ty), Some(s))))),
        );
        row.push(Cell::styled(count_text(count(Some(&ty), None)), "strong"));
        table.rows.push(row);
    }
    let mut all = vec![Cell::styled(t(summary, "column.all"), "strong")];
    all.extend(
        severities
            .iter()
            .map(|s| Cell::styled(count_text(count(None, Some(s))), "strong")),
    );
    all.push(Cell::styled(count_text(count(None, None)), "strong"));
    table.rows.push(all);
    let per_1k = find(summary, "incidents.per_1k", stream, None, arm)
        .map(|m| format::value("incidents.per_1k", m.value, None))
        .unwrap_or_else(|| format::NOT_AVAILABLE.into());
    table.caption(t(summary, "caption.incidents")).note(t_with(
        summary,
        "note.per_1k",
        &[("value", &per_1k)],
    ))
}
