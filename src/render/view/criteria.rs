//! The objectives section: the acceptance criteria fixed in advance, each with its status,
//! requirement and value in the unit of the results (percentage points for a delta), and a
//! pass whose delta interval includes 0 marked as not significant.

use super::blocks::{Block, Cell, Column, Table};
use super::{Section, StatusCounts, t, t_with, title};
use crate::messages;
use crate::model::Arm;
use crate::model::{CriterionResult, CriterionStatus, Summary};
use crate::render::format;
use crate::schema::Language;

pub(crate) fn objectives(summary: &Summary) -> Section {
    let mut section = Section::new("objectives", &t(summary, "section.objectives"))
        .with_narrative(summary.submission.narrative.objectives.as_ref());
    let currency = summary.settings.currency.as_deref();
    let mut table = Table::new(vec![
        Column::left(&t(summary, "column.status")),
        Column::left(&t(summary, "column.metric")),
        Column::left(&t(summary, "column.scope")),
        Column::left(&t(summary, "column.requirement")),
        Column::right(&t(summary, "column.value")),
    ]);
    for c in &summary.criteria {
        let shown = |v: Option<f64>| format::arm_value(&c.metric, c.arm, v, currency);
        table.rows.push(vec![
            status(summary.settings.language, c),
            Cell::plain(title(summary.settings.language, &c.metric)),
            Cell::plain(scope(summary, c)),
            Cell::plain(format!("{} {}", c.op, shown(Some(c.threshold)))),
            Cell::styled(shown(c.value), "strong"),
        ]);
    }
    if !table.rows.is_empty() {
        let counts = super::status_counts(summary);
        section.blocks.push(Block::Text {
            text: verdict_sentence(summary, &counts),
        });
        let mut table = table.caption(t(summary, "caption.criteria"));
        if counts.not_significant > 0 {
            table = table.note(t(summary, "note.not_significant"));
        }
        section.blocks.push(Block::Table(table));
    }
    section.or_empty(&t(summary, "empty.criteria"))
}

/// `4 of 5 acceptance criteria passed (1 of them not significant), ...`.
pub(crate) fn verdict_sentence(summary: &Summary, counts: &StatusCounts) -> String {
    let n = |v: usize| v.to_string();
    let caveat = if counts.not_significant > 0 {
        let count = n(counts.not_significant);
        t_with(summary, "verdict.sentence_caveat", &[("count", &count)])
    } else {
        String::new()
    };
    let (pass, total, fail, na) = (
        n(counts.pass),
        n(counts.total),
        n(counts.fail),
        n(counts.not_evaluable),
    );
    let args = [
        ("pass", pass.as_str()),
        ("total", &total),
        ("caveat", &caveat),
        ("fail", &fail),
        ("not_evaluable", &na),
    ];
    t_with(summary, "verdict.sentence", &args)
}

/// Whether a criterion passed on a delta whose interval includes 0.
pub(crate) fn passed_by_chance(c: &CriterionResult) -> bool {
    c.status == CriterionStatus::Pass && c.significant == Some(false)
}

fn status(language: Language, c: &CriterionResult) -> Cell {
    if passed_by_chance(c) {
        let pass = messages::text(language, "status.pass");
        let caveat = messages::text(language, "status.not_significant");
        return Cell::styled(format!("{pass} {caveat}"), "pass");
    }
    status_cell(language, c.status)
}

/// A criterion's status as a table cell in `language`, in every report that lists criteria.
pub fn status_cell(language: Language, status: CriterionStatus) -> Cell {
    let (key, style) = match status {
        CriterionStatus::Pass => ("status.pass", "pass"),
        CriterionStatus::Fail => ("status.fail", "fail"),
        CriterionStatus::NotEvaluable => ("status.not_evaluable", "not_evaluable"),
    };
    Cell::styled(messages::text(language, key), style)
}

/// Stream, segment and arm of a criterion, as far as it has them.
fn scope(summary: &Summary, c: &CriterionResult) -> String {
    let mut scope = Vec::new();
    if let Some(s) = &c.stream {
        scope.push(s.clone());
    }
    if let Some(seg) = &c.segment {
        scope.push(match &seg.value {
            Some(v) => format!("{} = {v}", seg.attribute),
            None => t_with(summary, "label.across", &[("attribute", &seg.attribute)]),
        });
    }
    if let Some(arm) = c.arm {
        let key = match arm {
            Arm::Ai => "label.arm_ai",
            Arm::Baseline => "label.arm_baseline",
            Arm::Delta => "label.arm_delta",
        };
        scope.push(t(summary, key));
    }
    scope.join(", ")
}
