//! The presentation view of a cohort summary, in the sections of the domain's "What a
//! regulator's cohort summary contains": overview, method and dictionary, results per family,
//! compliance matrix, incidents, data quality and rejected bundles. Same blocks as the
//! submission report, so the same templates draw them.

use std::collections::BTreeSet;

use serde::Serialize;

use super::caveats;
use super::model::{Cohort, CohortMetric};
use crate::metrics::catalogue::{self, Unit};
use crate::render::format;
use crate::render::view::tables::humanise;
use crate::render::view::{
    Block, Cell, ChartRef, ChartSpec, Column, LabelledText, Section, StripRow, Table, title,
};

/// Metrics shown per bank and charted, when a family has them.
pub const HEADLINE: &[&str] = &[
    "detection.recall",
    "detection.precision",
    "detection.fpr",
    "detection.bpcer",
    "detection.apcer_max",
    "assistant.resolution_rate",
    "assistant.escalation_rate",
    "assistant.hallucination_rate",
    "assistant.csat_satisfied_rate",
    "redteam.attack_success_rate",
    "redteam.over_refusal_rate",
];

#[derive(Debug, Clone, Serialize)]
pub struct CohortView {
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tool: String,
    pub revealed: bool,
    pub cover: Vec<LabelledText>,
    pub sections: Vec<Section>,
}

pub fn build(cohort: &Cohort) -> CohortView {
    let mut sections = vec![overview(cohort), method(cohort)];
    for family in families(cohort) {
        sections.push(family_results(cohort, &family));
    }
    sections.extend([
        caveats::compliance(cohort),
        caveats::incidents(cohort),
        caveats::quality(cohort),
    ]);
    for (i, s) in sections.iter_mut().enumerate() {
        s.number = i + 1;
    }
    let banks: BTreeSet<&str> = cohort
        .bundles
        .accepted
        .iter()
        .map(|b| b.bank.as_str())
        .collect();
    CohortView {
        title: "Cohort summary".into(),
        subtitle: format!(
            "{} bank(s), {} bundle(s) · cells with fewer than {} banks suppressed{}",
            banks.len(),
            cohort.bundles.accepted.len(),
            cohort.min_banks,
            if cohort.revealed {
                " · REVEALED: real institution ids, regulator-internal"
            } else {
                " · banks pseudonymised"
            }
        ),
        generated: cohort.generated_at.clone(),
        tool: format!("{} {}", cohort.tool.name, cohort.tool.version),
        revealed: cohort.revealed,
        cover: vec![
            LabelledText::new("Banks", banks.len().to_string()),
            LabelledText::new(
                "Bundles",
                format!(
                    "{} accepted, {} rejected, {} superseded",
                    cohort.bundles.accepted.len(),
                    cohort.bundles.rejected.len(),
                    cohort.bundles.superseded.len()
                ),
            ),
            LabelledText::new(
                "Use-case families",
                families(cohort)
                    .iter()
                    .map(|f| humanise(f))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            LabelledText::new(
                "Disclosure control",
                format!(
                    "groups of fewer than {} banks are suppressed",
                    cohort.min_banks
                ),
            ),
        ],
        sections,
    }
}

pub fn families(cohort: &Cohort) -> Vec<String> {
    let set: BTreeSet<&str> = cohort
        .bundles
        .accepted
        .iter()
        .map(|b| b.family.as_str())
        .collect();
    set.into_iter().map(str::to_string).collect()
}

fn overview(cohort: &Cohort) -> Section {
    let mut section = Section::new("overview", "Cohort overview");
    let mut participants = Table::new(vec![
        Column::left("Bank"),
        Column::left("Use case"),
        Column::left("Family"),
        Column::left("Period"),
        Column::right("Streams"),
        Column::right("Events"),
    ]);
    for b in &cohort.bundles.accepted {
        participants.rows.push(vec![
            Cell::styled(b.bank.clone(), "strong"),
            Cell::plain(b.use_case.clone()),
            Cell::plain(humanise(&b.family)),
            Cell::plain(b.period.clone()),
            Cell::plain(b.streams.to_string()),
            Cell::plain(format::fixed(b.events, 0)),
        ]);
    }
    let mut per_family = Table::new(vec![
        Column::left("Family"),
        Column::right("Banks"),
        Column::right("Use cases"),
    ]);
    for family in families(cohort) {
        let of = cohort
            .bundles
            .accepted
            .iter()
            .filter(|b| b.family == family);
        let banks: BTreeSet<&str> = of.clone().map(|b| b.bank.as_str()).collect();
        per_family.rows.push(vec![
            Cell::plain(humanise(&family)),
            Cell::plain(banks.len().to_string()),
            Cell::plain(of.count().to_string()),
        ]);
    }
    section.blocks.push(Block::Facts {
        rows: build_cover(cohort),
    });
    section
        .blocks
        .push(Block::Table(per_family.caption("Use cases per family")));
    section
        .blocks
        .push(Block::Table(participants.caption("Participants")));
    section
}

fn build_cover(cohort: &Cohort) -> Vec<LabelledText> {
    vec![
        LabelledText::new("Generated", cohort.generated_at.clone()),
        LabelledText::new(
            "Identities",
            if cohort.revealed {
                "real institution ids (regulator-internal)"
            } else {
                "pseudonyms from a keyed hash of the institution id"
            },
        ),
    ]
}

fn method(cohort: &Cohort) -> Section {
    let mut section = Section::new("method", "Method and metric dictionary");
    for text in [
        "Each accepted bundle's summary.json is read; its manifest hashes are checked first. An entry is one stream of one bundle; a bank is one institution. Metrics are grouped by use-case family, metric, segment and arm; every entry with a value contributes it.".to_string(),
        "Median and quartiles use linear interpolation between closest ranks (numpy's default). A bank's percentile rank is 100 × (values below + half the values equal) / values in the group.".to_string(),
        format!("A group with fewer than {} banks is suppressed: no statistic or value of it is shown. Banks appear under pseudonyms derived from a keyed hash of their institution id; the key is held by the regulator and never written to any output.", cohort.min_banks),
    ] {
        section.blocks.push(Block::Text { text });
    }
    let ids: BTreeSet<&str> = cohort.metrics.iter().map(|m| m.id.as_str()).collect();
    let mut dictionary = Table::new(vec![
        Column::left("Metric"),
        Column::left("Id"),
        Column::left("Definition"),
    ]);
    for def in catalogue::all()
        .iter()
        .filter(|d| ids.contains(d.id.as_str()))
    {
        dictionary.rows.push(vec![
            Cell::plain(def.title.clone()),
            Cell::styled(def.id.clone(), "code"),
            Cell::plain(def.definition.clone()),
        ]);
    }
    if !dictionary.rows.is_empty() {
        section.blocks.push(Block::Table(
            dictionary.caption("Metrics in this cohort (full definitions: docs/metrics.md)"),
        ));
    }
    section
}

/// The overall (no segment) cohort metric of `family` for the AI system: arm null or `ai`.
fn overall<'a>(cohort: &'a Cohort, family: &str, id: &str) -> Option<&'a CohortMetric> {
    cohort.metrics.iter().find(|m| {
        m.family == family
            && m.id == id
            && m.segment.is_none()
            && matches!(m.arm.as_deref(), None | Some("ai"))
    })
}

pub(super) fn stat(id: &str, v: Option<f64>) -> String {
    format::value(id, v, None)
}

fn family_results(cohort: &Cohort, family: &str) -> Section {
    let mut section = Section::new(
        "results",
        &format!("Results: {}", humanise(family).to_lowercase()),
    );
    let mut table = Table::new(vec![
        Column::left("Metric"),
        Column::right("Banks"),
        Column::right("Median"),
        Column::right("Q1 – Q3"),
        Column::right("Min – max"),
    ]);
    let ids: Vec<&str> = catalogue::all()
        .iter()
        .map(|d| d.id.as_str())
        .filter(|id| overall(cohort, family, id).is_some())
        .collect();
    for id in &ids {
        let m = overall(cohort, family, id).expect("filtered");
        let row = if m.suppressed {
            vec![
                Cell::plain(title(id)),
                Cell::plain(m.banks.to_string()),
                Cell::styled("suppressed", "muted"),
                Cell::plain(""),
                Cell::plain(""),
            ]
        } else {
            vec![
                Cell::plain(title(id)),
                Cell::plain(m.banks.to_string()),
                Cell::styled(stat(id, m.median), "strong"),
                Cell::plain(format!("{} – {}", stat(id, m.q1), stat(id, m.q3))),
                Cell::styled(
                    format!("{} – {}", stat(id, m.min), stat(id, m.max)),
                    "muted",
                ),
            ]
        };
        table.rows.push(row);
    }
    if table.rows.is_empty() {
        return section.or_empty("No metric of this family was reported.");
    }
    section.blocks.push(Block::Table(table.caption(
        "Across banks (streams without arms; A/B trials are grouped by arm in cohort.json)",
    )));
    let headline: Vec<&str> = HEADLINE
        .iter()
        .copied()
        .filter(|id| overall(cohort, family, id).is_some_and(|m| !m.suppressed))
        .collect();
    if let Some(positions) = positions(cohort, family, &headline) {
        section.blocks.push(Block::Heading {
            text: "Each bank's position".into(),
        });
        section.blocks.push(Block::Table(positions));
    }
    if let Some(chart) = strip_chart(cohort, family, &headline) {
        section.blocks.push(Block::Chart(chart));
    }
    let hidden = cohort
        .metrics
        .iter()
        .filter(|m| m.family == family && m.segment.is_some() && m.suppressed)
        .count();
    let shown = cohort
        .metrics
        .iter()
        .filter(|m| m.family == family && m.segment.is_some() && !m.suppressed)
        .count();
    section.blocks.push(Block::Text {
        text: format!("Segment-level values: {shown} group(s) reported in cohort.json, {hidden} suppressed (fewer than {} banks).", cohort.min_banks),
    });
    section
}

/// Bank × headline metric: value and percentile rank.
fn positions(cohort: &Cohort, family: &str, ids: &[&str]) -> Option<Table> {
    if ids.is_empty() {
        return None;
    }
    let mut columns = vec![Column::left("Bank")];
    columns.extend(ids.iter().map(|id| Column::right(&title(id))));
    let mut table = Table::new(columns);
    let banks: BTreeSet<&str> = cohort
        .bundles
        .accepted
        .iter()
        .filter(|b| b.family == family)
        .map(|b| b.bank.as_str())
        .collect();
    for bank in banks {
        let mut row = vec![Cell::styled(bank, "strong")];
        for id in ids {
            let value = overall(cohort, family, id)
                .and_then(|m| m.values.as_ref())
                .and_then(|v| v.iter().find(|v| v.bank == bank));
            row.push(Cell::plain(value.map_or_else(
                || "–".into(),
                |v| format!("{} (P{:.0})", stat(id, Some(v.value)), v.percentile_rank),
            )));
        }
        table.rows.push(row);
    }
    Some(table.note("P = percentile rank among the banks of the family."))
}

fn strip_chart(cohort: &Cohort, family: &str, ids: &[&str]) -> Option<ChartRef> {
    let rows: Vec<StripRow> = ids
        .iter()
        .filter(|id| catalogue::find(id).is_some_and(|d| d.unit == Unit::Ratio))
        .filter_map(|id| {
            let m = overall(cohort, family, id)?;
            Some(StripRow {
                label: title(id).split(" (").next().unwrap_or_default().to_string(),
                min: m.min?,
                q1: m.q1?,
                median: m.median?,
                q3: m.q3?,
                max: m.max?,
                points: m.values.as_ref()?.iter().map(|v| v.value).collect(),
                highlight: None,
            })
        })
        .collect();
    (!rows.is_empty()).then(|| ChartRef {
        id: format!("{}-spread", family.replace('_', "-")),
        title: format!("{}: spread across banks", humanise(family)),
        caption: "Line: minimum to maximum; box: first to third quartile; thick tick: median; dots: one per bank.".into(),
        spec: ChartSpec::Strip { rows, percent: true },
    })
}
