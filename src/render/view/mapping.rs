//! The "Regulatory mapping" section: per framework, each requirement with its status and the
//! evidence that shows it (links to the sections holding it), then the attack categories
//! tested against the vocabulary and the required ones never tested.

use super::blocks::{Block, Cell, CellLink, Column, Table};
use super::{Section, t, t_with};
use crate::model::{AttackCoverage, RequirementStatus, Summary, TraceStatus, Traceability};
use crate::render::format;
use crate::schema::Level;
use crate::traceability::catalogue;

pub fn mapping(summary: &Summary) -> Section {
    let mut section = Section::new("mapping", &t(summary, "section.mapping"));
    let Some(trace) = &summary.traceability else {
        return section.or_empty(&t(summary, "empty.mapping"));
    };
    section.blocks.push(Block::Text {
        text: t(summary, "sentence.mapping_statuses"),
    });
    let reasons = crate::traceability::reasons(summary, summary.settings.language);
    for f in &trace.frameworks {
        let recommended = f.level == Level::Recommended;
        let mut table = Table::new(vec![
            Column::left(&t(summary, "column.requirement_id")),
            Column::left(&t(summary, "column.requirement")),
            Column::left(&t(summary, "column.status")),
            Column::left(&t(summary, "column.evidence")),
        ]);
        for r in trace.requirements.iter().filter(|r| r.framework == f.id) {
            table.rows.push(row(summary, r, recommended, &reasons));
        }
        let language = summary.settings.language;
        let date = format::date(language, f.date);
        let title = catalogue::get()
            .frameworks
            .iter()
            .find(|k| k.id == f.id)
            .map_or(f.title.clone(), |k| {
                catalogue::title_in(&k.title, &k.title_zh, language)
            });
        let heading = format!("{title} ({date})");
        section.blocks.push(Block::Heading { text: heading });
        if recommended {
            table = table.note(t(summary, "note.recommended_practice"));
        }
        section.blocks.push(Block::Table(table));
    }
    section.blocks.extend(coverage(summary, trace));
    section
}

fn row(
    summary: &Summary,
    r: &RequirementStatus,
    recommended: bool,
    reasons: &std::collections::BTreeMap<String, String>,
) -> Vec<Cell> {
    let language = summary.settings.language;
    let title = catalogue::find(&r.id).map_or(String::new(), |(_, q)| {
        catalogue::title_in(&q.title, &q.title_zh, language)
    });
    let (key, style) = match r.status {
        TraceStatus::Evidenced => ("status.evidenced", "pass"),
        TraceStatus::Declared => ("status.declared", "strong"),
        TraceStatus::Gap if recommended => ("status.not_shown", "muted"),
        TraceStatus::Gap => ("status.gap", "fail"),
        TraceStatus::NotApplicable => ("status.not_applicable", "muted"),
    };
    let mut evidence = Cell::plain(reasons.get(&r.id).cloned().unwrap_or_default());
    if !r.evidence.is_empty() {
        evidence.links = r
            .evidence
            .iter()
            .map(|e| CellLink {
                text: e.id.clone(),
                target: e.section.clone(),
                number: None,
            })
            .collect();
    }
    vec![
        Cell::styled(r.id.clone(), "code"),
        Cell::plain(title),
        Cell::styled(t(summary, key), style),
        evidence,
    ]
}

/// The attack categories of the data against the vocabulary, and what was never tested.
fn coverage(summary: &Summary, trace: &Traceability) -> Vec<Block> {
    let Some(cov) = &trace.attack_coverage else {
        return Vec::new();
    };
    let mut table = Table::new(vec![
        Column::left(&t(summary, "column.attack_category")),
        Column::left(&t(summary, "column.categories_in_data")),
        Column::right(&t(summary, "column.attempts")),
    ]);
    for a in &cov.tested {
        table.rows.push(vec![
            Cell::styled(format!("{} {}", a.id, a.name), "code"),
            Cell::plain(a.categories.join(", ")),
            Cell::plain(format::fixed(a.attempts, 0)),
        ]);
    }
    let mut blocks = vec![Block::Heading {
        text: t(summary, "heading.attack_coverage"),
    }];
    if !table.rows.is_empty() {
        blocks.push(Block::Table(table));
    }
    blocks.extend(untested(summary, cov));
    blocks
}

fn untested(summary: &Summary, cov: &AttackCoverage) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !cov.required_untested.is_empty() {
        let names: Vec<String> = cov
            .required_untested
            .iter()
            .map(|id| {
                let name = catalogue::get()
                    .attack_categories
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or("", |c| c.name.as_str());
                format!("{id} {name}")
            })
            .collect();
        let text = t_with(summary, "sentence.untested", &[("list", &names.join(", "))]);
        blocks.push(Block::Text { text });
    }
    if !cov.unmapped.is_empty() {
        let text = t_with(
            summary,
            "sentence.unmapped",
            &[("list", &cov.unmapped.join(", "))],
        );
        blocks.push(Block::Text { text });
    }
    blocks
}

/// Points every cell link at the numbered anchor of its section (`results` →
/// `results-5`); a link to a section the report does not have becomes plain text.
pub fn resolve_links(sections: &mut [Section]) {
    let anchors: Vec<(&'static str, usize)> = sections.iter().map(|s| (s.id, s.number)).collect();
    for s in sections.iter_mut() {
        for b in &mut s.blocks {
            let Block::Table(table) = b else { continue };
            for cell in table.rows.iter_mut().flatten() {
                for link in &mut cell.links {
                    let number = anchors
                        .iter()
                        .find(|(id, _)| *id == link.target)
                        .map(|a| a.1);
                    link.target =
                        number.map_or_else(String::new, |n| format!("{}-{n}", link.target));
                    link.number = number;
                }
            }
        }
    }
}
