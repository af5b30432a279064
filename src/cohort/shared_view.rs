//! The view of the shareable cohort summary (`shareable/cohort.md`, `.html`, `.pdf`): made
//! from the `Shareable` cohort the disclosure stage returns and nothing else of the restricted
//! cohort but its language, clock and tool. Printed by the same cohort templates as the
//! restricted report.

use super::disclosure::{Band, Shareable, SharedIncident, SharedMetric, Withheld};
use super::model::Cohort;
use super::view::{CohortView, band_text, ct, ct_with, cword, family_heading, group_title_parts};
use crate::render::view::{Block, Cell, Column, LabelledText, Section, Table};

/// The view of `shared`, in the language of `cohort`.
pub fn build(cohort: &Cohort, shared: &Shareable) -> CohortView {
    let policy = policy_args(shared);
    let mut sections = vec![about(cohort, shared)];
    for family in &shared.families {
        sections.push(family_section(cohort, shared, &family.family));
    }
    sections.push(incidents(cohort, shared));
    for (i, s) in sections.iter_mut().enumerate() {
        s.number = i + 1;
    }
    CohortView {
        lang: crate::render::format::typst_lang(cohort.language),
        html_lang: crate::render::format::html_lang(cohort.language),
        text: super::view::template_texts(cohort),
        title: ct(cohort, "shared.title"),
        subtitle: ct_with(
            cohort,
            "shared.subtitle",
            &[
                ("banks", &shared.banks.to_string()),
                ("count", &policy[0].1),
                ("quantile", &policy[1].1),
            ],
        ),
        generated: shared.generated_at.clone(),
        tool: format!("{} {}", shared.tool.name, shared.tool.version),
        revealed: false,
        attachment: ct(cohort, "shared.attachment"),
        cover: vec![
            LabelledText::new(ct(cohort, "column.banks"), shared.banks.to_string()),
            LabelledText::new(
                ct(cohort, "label.families"),
                shared
                    .families
                    .iter()
                    .map(|f| cword(cohort, &f.family))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            LabelledText::new(
                ct(cohort, "label.disclosure"),
                ct_with(cohort, "shared.policy_text", &policy_refs(&policy)),
            ),
        ],
        sections,
    }
}

fn policy_args(shared: &Shareable) -> [(&'static str, String); 4] {
    let p = shared.policy;
    [
        ("count", p.min_banks_count.to_string()),
        ("quantile", p.min_banks_quantile.to_string()),
        ("band", format!("{:.0}", p.ratio_band * 100.0)),
        ("dominance", format!("{:.0}", p.dominance * 100.0)),
    ]
}

fn policy_refs<'a>(args: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    args.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// What this summary is and what it leaves out, and the banks per family.
fn about(cohort: &Cohort, shared: &Shareable) -> Section {
    let mut section = Section::new("overview", &ct(cohort, "shared.section_about"));
    let args = policy_args(shared);
    section.blocks.push(Block::Text {
        text: ct_with(cohort, "shared.about_text", &policy_refs(&args)),
    });
    let mut families = Table::new(vec![
        Column::left(&ct(cohort, "cover.family")),
        Column::right(&ct(cohort, "column.banks")),
    ]);
    for f in &shared.families {
        families.rows.push(vec![
            Cell::plain(cword(cohort, &f.family)),
            count_cell(cohort, f.banks),
        ]);
    }
    section.blocks.push(Block::Table(families));
    section
}

/// The family's metrics: group, banks, median and quartile bands, or why they are withheld.
fn family_section(cohort: &Cohort, shared: &Shareable, family: &str) -> Section {
    let mut section = family_heading(cohort, family);
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "column.metric")),
        Column::right(&ct(cohort, "column.banks")),
        Column::right(&ct(cohort, "shared.column_median")),
        Column::right(&ct(cohort, "shared.column_q1")),
        Column::right(&ct(cohort, "shared.column_q3")),
    ]);
    for m in shared.metrics.iter().filter(|m| m.family == family) {
        table.rows.push(metric_row(cohort, shared, m));
    }
    if !table.rows.is_empty() {
        section
            .blocks
            .push(Block::Table(table.note(ct(cohort, "shared.note_bands"))));
    }
    section.or_empty(&ct(cohort, "empty.family"))
}

fn metric_row(cohort: &Cohort, shared: &Shareable, m: &SharedMetric) -> Vec<Cell> {
    let mut label = group_title_parts(cohort.language, &m.id, m.arm, m.currency.as_deref());
    if let Some(s) = &m.segment {
        let value = s.value.as_deref().unwrap_or("–");
        label.push_str(&format!(" [{} = {value}]", cword(cohort, &s.attribute)));
    }
    let band = |b: Option<Band>| {
        Cell::plain(b.map_or(String::new(), |b| {
            band_text(&m.id, m.arm, b, m.currency.as_deref())
        }))
    };
    let mut row = vec![Cell::plain(label), count_cell(cohort, m.banks)];
    match m.withheld {
        None => row.extend([band(m.median), band(m.q1), band(m.q3)]),
        Some(reason) => row.extend([
            Cell::styled(withheld(cohort, shared, reason), "muted"),
            Cell::plain(""),
            Cell::plain(""),
        ]),
    }
    row
}

/// Incidents across the cohort: totals with enough banks and no dominant bank.
fn incidents(cohort: &Cohort, shared: &Shareable) -> Section {
    let mut section = Section::new("incidents", &ct(cohort, "section.cohort_incidents"));
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "shared.column_incidents")),
        Column::right(&ct(cohort, "column.banks")),
        Column::right(&ct(cohort, "shared.column_total")),
    ]);
    for r in &shared.incidents {
        table.rows.push(incident_row(cohort, shared, r));
    }
    if !table.rows.is_empty() {
        section.blocks.push(Block::Table(table));
    }
    section.or_empty(&ct(cohort, "empty.cohort_incidents"))
}

fn incident_row(cohort: &Cohort, shared: &Shareable, r: &SharedIncident) -> Vec<Cell> {
    let label = match (&r.kind, &r.severity) {
        (Some(kind), _) => cword(cohort, kind),
        (None, Some(severity)) => cword(cohort, severity),
        (None, None) => ct(cohort, "shared.all_incidents"),
    };
    let total = match (r.total, r.withheld) {
        (Some(t), _) => Cell::plain(crate::render::format::fixed(t, 0)),
        (None, Some(reason)) => Cell::styled(withheld(cohort, shared, reason), "muted"),
        (None, None) => Cell::plain(""),
    };
    vec![Cell::plain(label), count_cell(cohort, r.banks), total]
}

/// A count of banks, or "fewer than N" where the policy withholds it.
fn count_cell(cohort: &Cohort, banks: Option<u64>) -> Cell {
    match banks {
        Some(n) => Cell::plain(n.to_string()),
        None => Cell::styled(ct(cohort, "shared.few"), "muted"),
    }
}

/// Why a cell is withheld, in words.
fn withheld(cohort: &Cohort, shared: &Shareable, reason: Withheld) -> String {
    let args = policy_args(shared);
    let key = match reason {
        Withheld::FewBanks => "shared.withheld_few_banks",
        Withheld::FewBanksForQuantiles => "shared.withheld_few_for_quantiles",
        Withheld::Dominance => "shared.withheld_dominance",
        Withheld::Complementary => "shared.withheld_complementary",
        Withheld::Folded => "shared.withheld_folded",
    };
    ct_with(cohort, key, &policy_refs(&args))
}
