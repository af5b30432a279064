//! The cohort's scope and method in words: the cover's programme, cohort, periods, checks
//! and caveats, and the method section (how bundles were checked, how arms and currencies are
//! pooled, the statistics, disclosure control, the caveats and the metric dictionary).

use std::collections::BTreeSet;

use super::model::{CaveatCode, Cohort, PeriodCover};
use super::view::ct;
use crate::metrics::catalogue;
use crate::render::view::{Block, Cell, Column, LabelledText, Section, Table};

/// Cover rows: programme, cohort, periods covered, checks made and caveats.
pub(super) fn cover(cohort: &Cohort) -> Vec<LabelledText> {
    let scope = &cohort.scope;
    let or_unstated = |list: &[String]| {
        if list.is_empty() {
            "not stated in the bundles".to_string()
        } else {
            list.join(", ")
        }
    };
    let mut rows = vec![
        LabelledText::new(
            ct(cohort, "cover.programme"),
            or_unstated(&scope.programmes),
        ),
        LabelledText::new(ct(cohort, "label.cohort"), or_unstated(&scope.cohorts)),
        LabelledText::new(ct(cohort, "label.periods_covered"), periods(&scope.periods)),
        LabelledText::new(ct(cohort, "label.checks"), checks(cohort)),
    ];
    if !cohort.caveats.is_empty() {
        let codes: BTreeSet<CaveatCode> = cohort.caveats.iter().map(|c| c.code).collect();
        rows.push(LabelledText::new(
            "Caveats",
            format!(
                "{} (see the method section)",
                codes
                    .into_iter()
                    .map(CaveatCode::title)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ));
    }
    rows
}

/// `2025-07-01 to 2025-09-30 (92 days, 8 bundles); …`, with a warning when lengths differ.
fn periods(periods: &[PeriodCover]) -> String {
    let list: Vec<String> = periods
        .iter()
        .map(|p| {
            let days = p.days.map_or_else(String::new, |d| format!("{d} days, "));
            let plural = if p.bundles == 1 { "" } else { "s" };
            format!(
                "{} to {} ({days}{} bundle{plural})",
                p.start, p.end, p.bundles
            )
        })
        .collect();
    let lengths: BTreeSet<Option<i64>> = periods.iter().map(|p| p.days).collect();
    let differ = if lengths.len() > 1 {
        " · LENGTHS DIFFER: counts and totals are not comparable"
    } else {
        ""
    };
    format!("{}{differ}", list.join("; "))
}

fn checks(cohort: &Cohort) -> String {
    if cohort.authenticity_checked {
        "integrity (SHA-256 of every file against its manifest) and authenticity (each manifest's signature against its institution's trusted key)".into()
    } else {
        "integrity only (SHA-256 of every file against its manifest); authenticity NOT checked: no trusted keys were given".into()
    }
}

/// What the bundles were checked for, in a sentence of the method section.
fn checks_text(cohort: &Cohort) -> String {
    let integrity = "Each accepted bundle's summary.json is read after its manifest hashes are checked (integrity: no file changed since the manifest was written).";
    if cohort.authenticity_checked {
        format!(
            "{integrity} Authenticity was checked too: every manifest's minisign signature verified against the trusted public key of the institution the summary names; unsigned bundles and bad signatures were rejected."
        )
    } else {
        format!(
            "{integrity} Bundles were checked for integrity but not for authenticity: no trusted keys were given (--trusted-keys), so a bundle whose files and manifest were both rewritten would not be detected."
        )
    }
}

pub(super) fn method(cohort: &Cohort) -> Section {
    let mut section = Section::new("method", &ct(cohort, "section.method"));
    for text in [
        checks_text(cohort),
        "An entry is one stream of one bundle; a bank is one institution. Metrics are grouped by use-case family, metric, segment, arm and (for money) currency; every entry with a value contributes it.".to_string(),
        "A/B trials: the ai arm of a stream with arms is pooled with the streams without arms, since both are the AI system's results; the tables call this group \"AI system\". The baseline arm and the delta (AI minus baseline) form their own groups and are compared only with other A/B trials.".to_string(),
        "Money metrics (unit currency) are grouped by the currency the bundle's settings state; amounts in different currencies are never pooled, and a bundle that states no currency has its money metrics left out.".to_string(),
        "Median and quartiles use linear interpolation between closest ranks (numpy's default). A bank's percentile rank is 100 × (values below + half the values equal) / values in the group; values are used exactly as the summaries state them.".to_string(),
        format!("A group with fewer than {} banks is suppressed: no statistic or value of it is shown. Banks appear under pseudonyms derived from a keyed hash of their institution id; the key is held by the regulator and never written to any output.", cohort.min_banks),
    ] {
        section.blocks.push(Block::Text { text });
    }
    if !cohort.caveats.is_empty() {
        section.blocks.push(Block::Heading {
            text: ct(cohort, "heading.limits"),
        });
        for c in &cohort.caveats {
            section.blocks.push(Block::Text {
                text: c.message.clone(),
            });
        }
    }
    if let Some(dictionary) = dictionary(cohort) {
        section.blocks.push(Block::Table(dictionary));
    }
    section
}

fn dictionary(cohort: &Cohort) -> Option<Table> {
    let ids: BTreeSet<&str> = cohort.metrics.iter().map(|m| m.id.as_str()).collect();
    let mut table = Table::new(vec![
        Column::left(&ct(cohort, "column.metric")),
        Column::left(&ct(cohort, "column.id")),
        Column::left(&ct(cohort, "column.definition")),
        Column::left(&ct(cohort, "column.better")),
    ]);
    for def in catalogue::all()
        .iter()
        .filter(|d| ids.contains(d.id.as_str()))
    {
        table.rows.push(vec![
            Cell::plain(def.title.clone()),
            Cell::styled(def.id.clone(), "code"),
            Cell::plain(def.definition.clone()),
            Cell::plain(better(&def.id)),
        ]);
    }
    (!table.rows.is_empty()).then(|| table.caption(ct(cohort, "caption.cohort_metrics")))
}

/// `higher`, `lower`, or `–` when the catalogue gives no direction.
pub(super) fn better(id: &str) -> &'static str {
    match catalogue::find(id).and_then(|d| d.higher_is_better) {
        Some(true) => "higher",
        Some(false) => "lower",
        None => "–",
    }
}
