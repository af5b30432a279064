//! Peer benchmark letters: one short report per bank, with its own values against the cohort
//! distribution of its family. A letter names no other bank; suppressed groups show no
//! statistics.

use serde::Serialize;

use super::model::Cohort;
use super::view::HEADLINE;
use crate::metrics::catalogue::{self, Unit};
use crate::render::format;
use crate::render::view::tables::humanise;
use crate::render::view::{
    Block, Cell, ChartRef, ChartSpec, Column, LabelledText, StripRow, Table, title,
};

#[derive(Debug, Clone, Serialize)]
pub struct LetterView {
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
            text: format!("{} ({})", b.use_case, humanise(&b.family)),
        });
        let (table, chart) = comparison(cohort, bank, &b.family);
        blocks.push(Block::Table(table));
        blocks.extend(chart.map(Block::Chart));
    }
    let mut criteria = Table::new(vec![
        Column::left("Criterion"),
        Column::left("Requirement"),
        Column::left("Status"),
    ]);
    for c in cohort.criteria.iter().filter(|c| c.bank == bank) {
        let status = match c.status.as_str() {
            "pass" => Cell::styled("PASS", "pass"),
            "fail" => Cell::styled("FAIL", "fail"),
            _ => Cell::styled("NOT EVALUABLE", "not_evaluable"),
        };
        criteria.rows.push(vec![
            Cell::plain(title(&c.metric)),
            Cell::plain(format!(
                "{} {}",
                c.op,
                format::value(&c.metric, Some(c.threshold), None)
            )),
            status,
        ]);
    }
    if !criteria.rows.is_empty() {
        blocks.push(Block::Heading {
            text: "Your acceptance criteria".into(),
        });
        blocks.push(Block::Table(criteria));
    }
    LetterView {
        bank: bank.to_string(),
        title: format!("Peer benchmark letter for {bank}"),
        subtitle: "Your results against the other banks of the cohort. No other bank is named."
            .into(),
        generated: cohort.generated_at.clone(),
        tool: format!("{} {}", cohort.tool.name, cohort.tool.version),
        facts: vec![
            LabelledText::new("Bank", bank),
            LabelledText::new(
                "Use cases",
                own.iter()
                    .map(|b| b.use_case.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            LabelledText::new(
                "Disclosure control",
                format!(
                    "statistics of fewer than {} banks are suppressed",
                    cohort.min_banks
                ),
            ),
        ],
        blocks,
    }
}

/// Your value, the cohort median and quartiles, and your percentile rank, per overall metric.
fn comparison(cohort: &Cohort, bank: &str, family: &str) -> (Table, Option<ChartRef>) {
    let mut table = Table::new(vec![
        Column::left("Metric"),
        Column::right("Your value"),
        Column::right("Cohort median"),
        Column::right("Q1 – Q3"),
        Column::right("Your percentile"),
        Column::right("Banks"),
    ]);
    let mut strip = Vec::new();
    let of_family = cohort.metrics.iter().filter(|m| {
        m.family == family && m.segment.is_none() && matches!(m.arm.as_deref(), None | Some("ai"))
    });
    for m in of_family {
        let Some(values) = &m.values else {
            table.rows.push(vec![
                Cell::plain(title(&m.id)),
                Cell::plain(""),
                Cell::styled("suppressed", "muted"),
                Cell::plain(""),
                Cell::plain(""),
                Cell::plain(m.banks.to_string()),
            ]);
            continue;
        };
        let Some(own) = values.iter().find(|v| v.bank == bank) else {
            continue;
        };
        let v = |x: Option<f64>| format::value(&m.id, x, None);
        table.rows.push(vec![
            Cell::plain(title(&m.id)),
            Cell::styled(v(Some(own.value)), "strong"),
            Cell::plain(v(m.median)),
            Cell::plain(format!("{} – {}", v(m.q1), v(m.q3))),
            Cell::plain(format!("P{:.0}", own.percentile_rank)),
            Cell::plain(m.banks.to_string()),
        ]);
        let ratio = catalogue::find(&m.id).is_some_and(|d| d.unit == Unit::Ratio);
        if ratio
            && HEADLINE.contains(&m.id.as_str())
            && let (Some(min), Some(q1), Some(median), Some(q3), Some(max)) =
                (m.min, m.q1, m.median, m.q3, m.max)
        {
            strip.push(StripRow {
                label: title(&m.id)
                    .split(" (")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                min,
                q1,
                median,
                q3,
                max,
                points: Vec::new(),
                highlight: Some(own.value),
            });
        }
    }
    let chart = (!strip.is_empty()).then(|| ChartRef {
        id: format!("{}-you", family.replace('_', "-")),
        title: format!("{}: your position", humanise(family)),
        caption: "Line: cohort minimum to maximum; box: first to third quartile; thick tick: median; triangle: your value.".into(),
        spec: ChartSpec::Strip { rows: strip, percent: true },
    });
    (
        table.note(
            "Percentile: the share of the cohort's values below yours, counting ties as half.",
        ),
        chart,
    )
}
