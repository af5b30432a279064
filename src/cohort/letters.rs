//! Peer benchmark letters: one short report per bank, with its own values against what the
//! disclosure policy publishes of its family (median and quartile bands, the count of banks)
//! and its position against the quartiles, and whether higher or lower is better. A letter
//! shows every value of its own bank (also where the cohort is too small), names no other
//! bank, shows no minimum, maximum, rank or exact statistic of the cohort, and for an A/B trial
//! shows the ai arm against the other banks' AI systems and its baseline and difference
//! against other A/B trials.

use serde::Serialize;

use super::caveats::{criterion_label, requirement};
use super::disclosure::{Band, Shareable, SharedMetric};
use super::method::better;
use super::method::caveat_text;
use super::model::{BankValue, CaveatCode, Cohort, CohortMetric};
use super::view::{band_text, ct, ct_with, cword, group_title, stat_of};
use crate::render::view::{Block, Cell, Column, LabelledText, Table, status_cell};
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
pub fn letters(cohort: &Cohort, shared: &Shareable) -> Vec<LetterView> {
    let mut banks: Vec<&super::model::AcceptedBundle> = cohort.bundles.accepted.iter().collect();
    banks.sort_by(|a, b| (&a.bank, &a.use_case).cmp(&(&b.bank, &b.use_case)));
    banks.dedup_by(|a, b| a.bank == b.bank);
    banks
        .into_iter()
        .map(|b| letter(cohort, shared, &b.bank))
        .collect()
}

fn letter(cohort: &Cohort, shared: &Shareable, bank: &str) -> LetterView {
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
        blocks.extend(comparison(cohort, shared, bank, &b.family));
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
                    &[
                        ("count", &shared.policy.min_banks_count.to_string()),
                        ("quantile", &shared.policy.min_banks_quantile.to_string()),
                    ],
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
        Column::right(&ct(cohort, "column.your_position")),
        Column::right(&ct(cohort, "column.banks")),
        Column::left(&ct(cohort, "column.better")),
    ])
}

/// Rows of group `m` for `bank`: one per own value (a bank with several streams has several),
/// with what the disclosure policy publishes of the cohort (`shared`): bands, the count of
/// banks and the bank's position against the quartiles, or "cohort too small".
fn rows(
    cohort: &Cohort,
    shared: Option<&SharedMetric>,
    m: &CohortMetric,
    bank: &str,
) -> Vec<Vec<Cell>> {
    let own: Vec<&BankValue> = m.own.iter().filter(|v| v.bank == bank).collect();
    let several = own.len() > 1;
    own.into_iter()
        .map(|v| {
            let mut label = group_title(cohort.language, m);
            if several {
                label.push_str(&format!(" [{}]", v.stream));
            }
            let mut row = vec![
                Cell::plain(label),
                Cell::styled(stat_of(m, Some(v.value)), "strong"),
            ];
            row.extend(band_cells(cohort, shared, m, v.value));
            row.push(Cell::plain(better(cohort, &m.id)));
            row
        })
        .collect()
}

/// Median band, quartile bands, the bank's position and the count of banks; or "cohort too
/// small" where the policy publishes no quantile.
fn band_cells(
    cohort: &Cohort,
    shared: Option<&SharedMetric>,
    m: &CohortMetric,
    own: f64,
) -> [Cell; 4] {
    let band = |b: Band| band_text(&m.id, m.arm, b, m.currency.as_deref());
    let banks = shared
        .and_then(|s| s.banks)
        .map_or(String::new(), |b| b.to_string());
    match shared.and_then(|s| Some((s.median?, s.q1?, s.q3?))) {
        Some((median, q1, q3)) => [
            Cell::plain(band(median)),
            Cell::plain(format!("{} / {}", band(q1), band(q3))),
            Cell::plain(position(cohort.language, m, own)),
            Cell::plain(banks),
        ],
        None => [
            Cell::styled(ct(cohort, "letter.too_small"), "muted"),
            Cell::plain(""),
            Cell::plain(""),
            Cell::plain(banks),
        ],
    }
}

/// Where `own` lies against the group's exact quartiles, in words: an inequality only, from
/// which no peer's value follows.
fn position(language: Language, m: &CohortMetric, own: f64) -> String {
    let (Some(q1), Some(median), Some(q3)) = (m.q1, m.median, m.q3) else {
        return String::new();
    };
    let key = if own < q1 {
        "letter.position_below_q1"
    } else if own < median {
        "letter.position_q1_median"
    } else if own <= q3 {
        "letter.position_median_q3"
    } else {
        "letter.position_above_q3"
    };
    crate::messages::text(language, key)
}

/// Your values against the cohort per overall metric of the AI system, then (for an A/B
/// trial) the baseline arm and the difference.
fn comparison(cohort: &Cohort, shared: &Shareable, bank: &str, family: &str) -> Vec<Block> {
    let (mut table, mut trials) = (comparison_table(cohort), comparison_table(cohort));
    let overall = cohort
        .metrics
        .iter()
        .filter(|m| m.family == family && m.segment.is_none());
    for m in overall {
        let published = shared.metrics.iter().find(|s| {
            s.family == m.family
                && s.id == m.id
                && s.segment.is_none()
                && s.arm == m.arm
                && s.currency == m.currency
        });
        match m.arm {
            None => table.rows.extend(rows(cohort, published, m, bank)),
            _ => trials.rows.extend(rows(cohort, published, m, bank)),
        }
    }
    let ab = cohort
        .metrics
        .iter()
        .any(|m| m.family == family && m.own.iter().any(|v| v.bank == bank && v.arm.is_some()));
    let mut note = ct(cohort, "note.letter_bands");
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
            audience: super::super::model::RESTRICTED.into(),
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
        let shared = super::super::disclosure::shareable(
            &cohort,
            super::super::disclosure::Policy::new(cohort.min_banks),
        );
        let letter = letters(&cohort, &shared).remove(0);
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
