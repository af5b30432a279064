//! Peer benchmark letters: one short report per bank, with its own values against the cohort
//! distribution of its family, and whether higher or lower is better. A letter shows every
//! value of its own bank (also in suppressed groups, without their statistics), names no
//! other bank, and for an A/B trial shows the ai arm against the other banks' AI systems and
//! its baseline and difference against other A/B trials.

use serde::Serialize;

use super::caveats::{criterion_label, requirement};
use super::method::better;
use super::method::caveat_text;
use super::model::{BankValue, CaveatCode, Cohort, CohortMetric};
use super::view::{ct, ct_with, cword, group_title, stat_cells, stat_of};
use crate::metrics::catalogue::{self, Unit};
use crate::render::view::{
    Block, Cell, ChartRef, ChartSpec, Column, LabelledText, StripRow, Table, status_cell, title,
};
use crate::schema::Language;

#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
    /// The language of the texts for typst (`en`, `zh`), the page footer and the chart word.
    pub lang: &'static str,
    /// The templates' own texts (`template.*` of the catalogue) in the cohort's language.
    pub text: std::collections::BTreeMap<String, String>,
    pub bank: String,
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tool: String,
    pub facts: Vec<LabelledText>,
    pub blocks: Vec<Block>,
}

/// The letters of every bank of the cohort, in bank order.
pub fn letters(cohort: &Cohort) -> Vec<LetterView> {
    let mut banks: Vec<&super::model::AcceptedBundle> = cohort.bundles.accepted.iter().collect();
    banks.sort_by(|a, b| (&a.bank, &a.use_case).cmp(&(&b.bank, &b.use_case)));
    banks.dedup_by(|a, b| a.bank == b.bank);
    banks.into_iter().map(|b| letter(cohort, &b.bank)).collect()
}

fn letter(cohort: &Cohort, bank: &str) -> LetterView {
    let own: Vec<&super::model::AcceptedBundle> = cohort
        .bundles
        .accepted
        .iter()
        .filter(|b| b.bank == bank)
        .collect();
    let mut blocks = Vec::new();
    for b in &own {
        blocks.push(Block::Heading {
            text: format!("{} ({})", b.use_case, cword(cohort, &b.family)),
        });
        blocks.extend(comparison(cohort, bank, &b.family));
    }
    let limits: Vec<String> = cohort
        .caveats
        .iter()
        .filter(|c| c.bank.as_deref() == Some(bank) || c.code == CaveatCode::PeriodLengthsDiffer)
        .map(|c| caveat_text(cohort, c))
        .collect();
    if !limits.is_empty() {
        blocks.push(Block::Heading {
            text: ct(cohort, "heading.limits"),
        });
        blocks.extend(limits.into_iter().map(|text| Block::Text { text }));
    }
    let mut criteria = Table::new(vec![
        Column::left(&ct(cohort, "column.criterion")),
        Column::left(&ct(cohort, "column.requirement")),
        Column::left(&ct(cohort, "column.status")),
    ]);
    for c in cohort.criteria.iter().filter(|c| c.bank == bank) {
        let status = status_cell(cohort.language, c.status);
        criteria.rows.push(vec![
            Cell::plain(criterion_label(cohort.language, c)),
            Cell::plain(requirement(c)),
            status,
        ]);
    }
    if !criteria.rows.is_empty() {
        blocks.push(Block::Heading {
            text: ct(cohort, "heading.your_criteria"),
        });
        blocks.push(Block::Table(criteria));
    }
    LetterView {
        lang: crate::render::format::typst_lang(cohort.language),
        text: super::view::template_texts(cohort),
        bank: bank.to_string(),
        title: ct_with(cohort, "letter.title", &[("bank", bank)]),
        subtitle: ct(cohort, "letter.subtitle"),
        generated: cohort.generated_at.clone(),
        tool: format!("{} {}", cohort.tool.name, cohort.tool.version),
        facts: vec![
            LabelledText::new(ct(cohort, "column.bank"), bank),
            LabelledText::new(
                ct(cohort, "label.use_cases"),
                own.iter()
                    .map(|b| b.use_case.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            LabelledText::new(
                ct(cohort, "label.disclosure"),
                ct_with(
                    cohort,
                    "letter.disclosure_text",
                    &[("min", &cohort.min_banks.to_string())],
                ),
            ),
        ],
        blocks,
    }
}

fn comparison_table(cohort: &Cohort) -> Table {
    Table::new(vec![
        Column::left(&ct(cohort, "column.metric")),
        Column::right(&ct(cohort, "column.your_value")),
        Column::right(&ct(cohort, "column.cohort_median")),
        Column::right(&ct(cohort, "column.quartiles")),
        Column::right(&ct(cohort, "column.your_percentile")),
        Column::right(&ct(cohort, "column.banks")),
        Column::left(&ct(cohort, "column.better")),
    ])
}

/// Rows of group `m` for `bank`: one per own value (a bank with several streams has several),
/// with the cohort statistics unless the group is suppressed.
fn rows(cohort: &Cohort, m: &CohortMetric, bank: &str) -> Vec<Vec<Cell>> {
    let language = cohort.language;
    let own: Vec<&BankValue> = m.own.iter().filter(|v| v.bank == bank).collect();
    let several = own.len() > 1;
    own.into_iter()
        .map(|v| {
            let mut label = group_title(language, m);
            if several {
                label.push_str(&format!(" [{}]", v.stream));
            }
            let mut row = vec![
                Cell::plain(label),
                Cell::styled(stat_of(m, Some(v.value)), "strong"),
            ];
            row.extend(stat_cells(language, m, Cell::plain, || {
                Cell::plain(format!("P{:.0}", v.percentile_rank))
            }));
            row.push(Cell::plain(m.banks.to_string()));
            row.push(Cell::plain(better(cohort, &m.id)));
            row
        })
        .collect()
}

/// A strip row (cohort spread, own value marked) for a headline ratio group.
fn strip_row(language: Language, m: &CohortMetric, bank: &str) -> Option<StripRow> {
    let ratio = catalogue::find(&m.id).is_some_and(|d| d.unit == Unit::Ratio);
    if !ratio || !catalogue::cohort_headline().contains(&m.id.as_str()) {
        return None;
    }
    let own = m.values.as_ref()?.iter().find(|v| v.bank == bank)?;
    Some(StripRow {
        label: title(language, &m.id)
            .split(" (")
            .next()
            .unwrap_or_default()
            .to_string(),
        min: m.min?,
        q1: m.q1?,
        median: m.median?,
        q3: m.q3?,
        max: m.max?,
        points: Vec::new(),
        highlight: Some(own.value),
    })
}

/// Your values against the cohort per overall metric of the AI system, then (for an A/B
/// trial) the baseline arm and the difference; and the chart of your position.
fn comparison(cohort: &Cohort, bank: &str, family: &str) -> Vec<Block> {
    let (mut table, mut trials) = (comparison_table(cohort), comparison_table(cohort));
    let mut strip = Vec::new();
    let overall = cohort
        .metrics
        .iter()
        .filter(|m| m.family == family && m.segment.is_none());
    for m in overall {
        match m.arm {
            None => {
                table.rows.extend(rows(cohort, m, bank));
                strip.extend(strip_row(cohort.language, m, bank));
            }
            _ => trials.rows.extend(rows(cohort, m, bank)),
        }
    }
    let ab = cohort
        .metrics
        .iter()
        .any(|m| m.family == family && m.own.iter().any(|v| v.bank == bank && v.arm.is_some()));
    let mut note = ct(cohort, "note.letter_percentile");
    if ab {
        note.push_str(super::method::sentence_space(cohort.language));
        note.push_str(&ct(cohort, "note.letter_ab"));
    }
    let mut blocks = vec![Block::Table(table.note(note))];
    if !trials.rows.is_empty() {
        blocks.push(Block::Table(
            trials.caption(ct(cohort, "caption.letter_trials")),
        ));
    }
    if !strip.is_empty() {
        blocks.push(Block::Chart(ChartRef {
            id: format!("{}-you", family.replace('_', "-")),
            title: ct_with(
                cohort,
                "chart.your_position",
                &[("family", &cword(cohort, family))],
            ),
            caption: ct(cohort, "caption.position_chart"),
            spec: ChartSpec::Strip {
                rows: strip,
                percent: true,
            },
        }));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::model::{AcceptedBundle, Bundles, CriterionEntry, Scope};
    use crate::model::{Arm, CriterionStatus};

    fn criterion(arm: Option<Arm>, threshold: f64) -> CriterionEntry {
        CriterionEntry {
            bank: "Bank A".into(),
            use_case: "uc".into(),
            metric: "detection.recall".into(),
            stream: None,
            segment: None,
            arm,
            op: crate::schema::Comparison::Ge,
            threshold,
            status: CriterionStatus::Pass,
        }
    }

    #[test]
    fn delta_criteria_print_as_signed_percentage_points() {
        let cohort = Cohort {
            schema: super::super::model::COHORT_SCHEMA.into(),
            schema_version: 1,
            tool: crate::model::Tool::this(),
            generated_at: "2025-07-01T00:00:00Z".into(),
            min_banks: 3,
            revealed: false,
            authenticity_checked: false,
            scope: Scope::default(),
            caveats: Vec::new(),
            bundles: Bundles {
                accepted: vec![AcceptedBundle {
                    bank: "Bank A".into(),
                    use_case: "uc".into(),
                    family: "fraud_detection".into(),
                    path: "a".into(),
                    period: "2025-06".into(),
                    streams: 1,
                    events: 10.0,
                    currency: None,
                    signature: "absent".into(),
                }],
                ..Bundles::default()
            },
            metrics: Vec::new(),
            criteria: vec![
                criterion(Some(Arm::Delta), 0.02),
                criterion(Some(Arm::Delta), -0.001),
                criterion(Some(Arm::Delta), 0.0),
                criterion(None, 0.8),
            ],
            incidents: Vec::new(),
            findings: Vec::new(),
            language: Language::En,
            coverage: None,
        };
        let letter = letters(&cohort).remove(0);
        let requirements: Vec<String> = letter
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) if t.columns.iter().any(|c| c.title == "Requirement") => Some(t),
                _ => None,
            })
            .flat_map(|t| t.rows.iter().map(|r| r[1].text.clone()))
            .collect();
        assert_eq!(
            requirements,
            [">= +2.00 pp", ">= -0.10 pp", ">= 0.00 pp", ">= 80.00%"]
        );
    }
}
