//! The cohort's "Regulatory coverage" section: per requirement, the banks that evidence it,
//! only declare it or have a gap (suppressed below the minimum), and, for cohorts small
//! enough to print, the requirements × banks matrix under pseudonyms.

use super::model::{Cohort, Coverage};
use super::view::ct;
use crate::model::TraceStatus;
use crate::render::view::{Block, Cell, Column, Section, Table};

/// Banks beyond which the matrix is left out (cohort.json still has every status).
const MATRIX_BANKS: usize = 12;

pub(super) fn coverage(cohort: &Cohort) -> Section {
    let mut section = Section::new("coverage", &ct(cohort, "section.coverage"));
    let Some(cov) = &cohort.coverage else {
        return section.or_empty(&ct(cohort, "empty.coverage"));
    };
    section.blocks.push(Block::Text {
        text: ct(cohort, "sentence.coverage"),
    });
    if cov.bundles_without_mapping > 0 {
        let n = cov.bundles_without_mapping.to_string();
        section.blocks.push(Block::Text {
            text: super::view::ct_with(cohort, "sentence.coverage_unmapped", &[("count", &n)]),
        });
    }
    section.blocks.push(Block::Table(counts(cohort, cov)));
    if let Some(matrix) = matrix(cohort, cov) {
        section.blocks.push(Block::Table(matrix));
    }
    section
}

fn counts(cohort: &Cohort, cov: &Coverage) -> Table {
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "column.requirement_id")),
        Column::left(&ct(cohort, "column.requirement")),
        Column::right(&ct(cohort, "column.applies_to")),
        Column::right(&ct(cohort, "status.evidenced")),
        Column::right(&ct(cohort, "status.declared")),
        Column::right(&ct(cohort, "status.gap")),
        Column::right(&ct(cohort, "status.not_applicable")),
    ]);
    for r in &cov.requirements {
        let title = crate::traceability::catalogue::find(&r.id).map_or(String::new(), |(_, q)| {
            crate::traceability::catalogue::title_in(&q.title, &q.title_zh, cohort.language)
        });
        let n = |v: Option<u64>| v.map_or_else(String::new, |v| v.to_string());
        let mut row = vec![
            Cell::styled(r.id.clone(), "code"),
            Cell::plain(title),
            Cell::plain(r.banks.to_string()),
        ];
        if r.suppressed {
            row.push(Cell::styled(ct(cohort, "cohort.suppressed"), "muted"));
            row.extend([Cell::plain(""), Cell::plain("")]);
        } else {
            row.push(Cell::styled(n(r.evidenced), "pass"));
            row.push(Cell::plain(n(r.declared)));
            row.push(Cell::styled(n(r.gap), "fail"));
        }
        row.push(Cell::styled(r.not_applicable.to_string(), "muted"));
        table.rows.push(row);
    }
    table.caption(ct(cohort, "caption.coverage_counts"))
}

/// Requirements down, banks across: E, D, G or – per cell.
fn matrix(cohort: &Cohort, cov: &Coverage) -> Option<Table> {
    if cov.banks.is_empty() || cov.banks.len() > MATRIX_BANKS {
        return None;
    }
    let mut columns = vec![Column::left(&ct(cohort, "column.requirement_id"))];
    for b in &cov.banks {
        columns.push(Column::left(&format!("{} {}", b.bank, b.use_case)));
    }
    let mut table = Table::new(columns);
    for r in &cov.requirements {
        let mut row = vec![Cell::styled(r.id.clone(), "code")];
        for b in &cov.banks {
            row.push(match b.statuses.get(&r.id) {
                Some(TraceStatus::Evidenced) => Cell::styled("E", "pass"),
                Some(TraceStatus::Declared) => Cell::styled("D", "strong"),
                Some(TraceStatus::Gap) => Cell::styled("G", "fail"),
                Some(TraceStatus::NotApplicable) | None => Cell::styled("–", "muted"),
            });
        }
        table.rows.push(row);
    }
    Some(
        table
            .caption(ct(cohort, "caption.coverage_matrix"))
            .note(ct(cohort, "note.coverage_matrix")),
    )
}
