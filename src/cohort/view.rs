//! The presentation view of a cohort summary, in the sections of the domain's "What a
//! regulator's cohort summary contains": overview, method and dictionary, results per family,
//! compliance matrix, incidents, data quality and rejected bundles. Same blocks as the
//! submission report, so the same templates draw them.

use crate::model::Arm;
use std::collections::BTreeSet;

use serde::Serialize;

use super::disclosure::Band;
use super::model::{BankValue, Cohort, CohortMetric};
use super::{caveats, method};
use crate::metrics::catalogue::{self, Unit};
use crate::render::format;
use crate::render::view::humanise;
use crate::render::view::{
    Block, Cell, ChartRef, ChartSpec, Column, LabelledText, Section, StripRow, Table, title,
};
use crate::schema::Language;

/// A value of metric `id` for `arm`, as the submission report prints it: the delta of a ratio
/// is a signed difference (percentage points, or a signed decimal for ratios shown as
/// decimals).
pub(super) use crate::render::format::arm_value as arm_stat;

#[derive(Debug, Clone, Serialize)]
pub struct CohortView {
    /// The language of the texts for typst and HTML (`en`, `zh`).
    pub lang: &'static str,
    /// The `lang` of the HTML document (`en`, `zh-HK`).
    pub html_lang: &'static str,
    /// The templates' own texts (`template.*` of the catalogue) in the cohort's language.
    pub text: std::collections::BTreeMap<String, String>,
    pub title: String,
    pub subtitle: String,
    pub generated: String,
    pub tool: String,
    pub revealed: bool,
    /// The description of the JSON attached to the PDF.
    pub attachment: String,
    pub cover: Vec<LabelledText>,
    pub sections: Vec<Section>,
}

pub fn build(cohort: &Cohort) -> CohortView {
    let mut sections = vec![overview(cohort), method::method(cohort)];
    for family in families(cohort) {
        sections.push(family_results(cohort, &family));
    }
    sections.extend([
        caveats::compliance(cohort),
        super::mapping::coverage(cohort),
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
        lang: crate::render::format::typst_lang(cohort.language),
        html_lang: crate::render::format::html_lang(cohort.language),
        text: template_texts(cohort),
        title: ct(cohort, "cohort.title"),
        subtitle: ct_with(
            cohort,
            if cohort.revealed {
                "cohort.subtitle_revealed"
            } else {
                "cohort.subtitle"
            },
            &[
                ("banks", &banks.len().to_string()),
                ("bundles", &cohort.bundles.accepted.len().to_string()),
                ("min", &cohort.min_banks.to_string()),
            ],
        ),
        generated: cohort.generated_at.clone(),
        tool: format!("{} {}", cohort.tool.name, cohort.tool.version),
        revealed: cohort.revealed,
        attachment: ct(cohort, "cohort.attachment"),
        cover: cover(cohort, banks.len()),
        sections,
    }
}

fn cover(cohort: &Cohort, banks: usize) -> Vec<LabelledText> {
    let mut rows = method::cover(cohort);
    rows.extend([
        LabelledText::new(ct(cohort, "column.banks"), banks.to_string()),
        LabelledText::new(
            ct(cohort, "label.bundles"),
            ct_with(
                cohort,
                "cohort.bundles_text",
                &[
                    ("accepted", &cohort.bundles.accepted.len().to_string()),
                    ("rejected", &cohort.bundles.rejected.len().to_string()),
                    ("superseded", &cohort.bundles.superseded.len().to_string()),
                ],
            ),
        ),
        LabelledText::new(
            ct(cohort, "label.families"),
            families(cohort)
                .iter()
                .map(|f| cword(cohort, f))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        LabelledText::new(
            ct(cohort, "label.disclosure"),
            ct_with(
                cohort,
                "cohort.disclosure_text",
                &[("min", &cohort.min_banks.to_string())],
            ),
        ),
    ]);
    rows
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
    let mut section = Section::new("overview", &ct(cohort, "section.overview"));
    let mut participants = Table::new(vec![
        Column::left(&ct(cohort, "column.bank")),
        Column::left(&ct(cohort, "column.use_case")),
        Column::left(&ct(cohort, "cover.family")),
        Column::left(&ct(cohort, "column.period")),
        Column::right(&ct(cohort, "caption.streams")),
        Column::right(&ct(cohort, "column.events")),
    ]);
    for b in &cohort.bundles.accepted {
        participants.rows.push(vec![
            Cell::styled(b.bank.clone(), "strong"),
            Cell::plain(b.use_case.clone()),
            Cell::plain(cword(cohort, &b.family)),
            Cell::plain(method::period_range(cohort, &b.period)),
            Cell::plain(b.streams.to_string()),
            Cell::plain(format::fixed(b.events, 0)),
        ]);
    }
    let mut per_family = Table::new(vec![
        Column::left(&ct(cohort, "cover.family")),
        Column::right(&ct(cohort, "column.banks")),
        Column::right(&ct(cohort, "column.use_cases")),
    ]);
    for family in families(cohort) {
        let of = cohort
            .bundles
            .accepted
            .iter()
            .filter(|b| b.family == family);
        let banks: BTreeSet<&str> = of.clone().map(|b| b.bank.as_str()).collect();
        per_family.rows.push(vec![
            Cell::plain(cword(cohort, &family)),
            Cell::plain(banks.len().to_string()),
            Cell::plain(of.count().to_string()),
        ]);
    }
    section.blocks.push(Block::Facts {
        rows: build_cover(cohort),
    });
    section.blocks.push(Block::Table(
        per_family.caption(ct(cohort, "caption.use_cases_per_family")),
    ));
    section.blocks.push(Block::Table(
        participants.caption(ct(cohort, "caption.participants")),
    ));
    section
}

fn build_cover(cohort: &Cohort) -> Vec<LabelledText> {
    vec![
        LabelledText::new(ct(cohort, "label.generated"), cohort.generated_at.clone()),
        LabelledText::new(
            ct(cohort, "label.identities"),
            ct(
                cohort,
                if cohort.revealed {
                    "label.identities_revealed"
                } else {
                    "label.identities_pseudonyms"
                },
            ),
        ),
    ]
}

/// The overall (no segment) groups of `id` in `family` for the AI system (arm null: streams
/// without arms and the `ai` arm of A/B streams), one per currency for money metrics.
fn overall_groups<'a>(
    cohort: &'a Cohort,
    family: &'a str,
    id: &'a str,
) -> impl Iterator<Item = &'a CohortMetric> {
    groups(cohort, family, id, None)
}

/// The templates' texts in the cohort's language, with its time and tool filled in.
pub(super) fn template_texts(cohort: &Cohort) -> std::collections::BTreeMap<String, String> {
    let tool = format!("{} {}", cohort.tool.name, cohort.tool.version);
    let stamp = [
        ("when", cohort.generated_at.as_str()),
        ("tool", tool.as_str()),
    ];
    crate::messages::template_texts(cohort.language, &stamp)
}

/// The text of `key` in the cohort report's language.
pub(super) fn ct(cohort: &Cohort, key: &str) -> String {
    crate::messages::text(cohort.language, key)
}

/// The text of `key` in the cohort report's language, with its `{name}`s filled in.
pub(super) fn ct_with(cohort: &Cohort, key: &str, args: &[(&str, &str)]) -> String {
    crate::messages::text_with(cohort.language, key, args)
}

/// A family or other term in the cohort report's language (its key with spaces when the
/// catalogue has no word for it).
pub(super) fn cword(cohort: &Cohort, key: &str) -> String {
    crate::messages::term(cohort.language, key).unwrap_or_else(|| humanise(key))
}

/// The overall groups of `id` in `family` for `arm`.
pub(super) fn groups<'a>(
    cohort: &'a Cohort,
    family: &'a str,
    id: &'a str,
    arm: Option<Arm>,
) -> impl Iterator<Item = &'a CohortMetric> {
    cohort
        .metrics
        .iter()
        .filter(move |m| m.family == family && m.id == id && m.segment.is_none() && m.arm == arm)
}

/// The first overall group (ratio metrics have exactly one).
fn overall<'a>(cohort: &'a Cohort, family: &'a str, id: &'a str) -> Option<&'a CohortMetric> {
    overall_groups(cohort, family, id).next()
}

pub(super) fn stat(id: &str, v: Option<f64>) -> String {
    format::value(id, v, None)
}

/// A statistic of group `m`, with its currency for money.
pub(super) fn stat_of(m: &CohortMetric, v: Option<f64>) -> String {
    arm_stat(&m.id, m.arm, v, m.currency.as_deref())
}

/// A band of metric `id` for `arm` as the shareable outputs print it: `85.00% – 90.00%`.
pub(super) fn band_text(id: &str, arm: Option<Arm>, band: Band, currency: Option<&str>) -> String {
    let end = |v: f64| arm_stat(id, arm, Some(v), currency);
    format!("{} – {}", end(band.low), end(band.high))
}

/// The metric's title with the arm and currency of its group.
pub(super) fn group_title(language: Language, m: &CohortMetric) -> String {
    group_title_parts(language, &m.id, m.arm, m.currency.as_deref())
}

/// The title of metric `id` with `arm` and `currency`.
pub(super) fn group_title_parts(
    language: Language,
    id: &str,
    arm: Option<Arm>,
    currency: Option<&str>,
) -> String {
    let mut t = title(language, id);
    if let Some(arm) = arm {
        t.push_str(" · ");
        t.push_str(&arm_word(language, arm));
    }
    if let Some(c) = currency {
        t.push_str(&format!(" ({c})"));
    }
    t
}

/// An arm in the report's language: `baseline`, `AI − baseline` for the delta, else as named.
pub(super) fn arm_word(language: Language, arm: Arm) -> String {
    match arm {
        Arm::Baseline => crate::messages::text(language, "cohort.arm_baseline"),
        Arm::Delta => crate::messages::text(language, "cohort.arm_delta"),
        Arm::Ai => arm.to_string(),
    }
}

/// Group `m`'s median (in `median`'s style), Q1 – Q3 and `last` (made only when shown), or
/// "suppressed" and two blanks.
pub(super) fn stat_cells(
    language: Language,
    m: &CohortMetric,
    median: fn(String) -> Cell,
    last: impl FnOnce() -> Cell,
) -> [Cell; 3] {
    if m.suppressed {
        return [
            Cell::styled(
                crate::messages::text(language, "cohort.suppressed"),
                "muted",
            ),
            Cell::plain(""),
            Cell::plain(""),
        ];
    }
    [
        median(stat_of(m, m.median)),
        Cell::plain(format!("{} – {}", stat_of(m, m.q1), stat_of(m, m.q3))),
        last(),
    ]
}

/// One row of the results table: banks, median, quartiles, range (or "suppressed").
fn stats_row(cohort: &Cohort, m: &CohortMetric) -> Vec<Cell> {
    let mut row = vec![
        Cell::plain(group_title(cohort.language, m)),
        Cell::plain(m.banks.to_string()),
    ];
    row.extend(stat_cells(
        cohort.language,
        m,
        |t| Cell::styled(t, "strong"),
        || {
            let range = format!("{} – {}", stat_of(m, m.min), stat_of(m, m.max));
            Cell::styled(range, "muted")
        },
    ));
    row.push(Cell::plain(method::better(cohort, &m.id)));
    row
}

fn stats_table(cohort: &Cohort) -> Table {
    Table::new(vec![
        Column::left(&ct(cohort, "column.metric")),
        Column::right(&ct(cohort, "column.banks")),
        Column::right(&ct(cohort, "column.median")),
        Column::right(&ct(cohort, "column.quartiles")),
        Column::right(&ct(cohort, "column.min_max")),
        Column::left(&ct(cohort, "column.better")),
    ])
}

/// The empty results section of `family`, headed "Results: <family>".
pub(super) fn family_heading(cohort: &Cohort, family: &str) -> Section {
    Section::new(
        "results",
        &ct_with(
            cohort,
            "heading.family_results",
            &[("family", &cword(cohort, family).to_lowercase())],
        ),
    )
}

fn family_results(cohort: &Cohort, family: &str) -> Section {
    let mut section = family_heading(cohort, family);
    let mut table = stats_table(cohort);
    let mut trials: Vec<&CohortMetric> = Vec::new();
    for def in catalogue::all() {
        table
            .rows
            .extend(overall_groups(cohort, family, &def.id).map(|m| stats_row(cohort, m)));
        for arm in [Arm::Baseline, Arm::Delta] {
            trials.extend(groups(cohort, family, &def.id, Some(arm)));
        }
    }
    if table.rows.is_empty() {
        return section.or_empty(&ct(cohort, "empty.family"));
    }
    section
        .blocks
        .push(Block::Table(table.caption(ct(cohort, "caption.ai_system"))));
    section.blocks.extend(trials_block(cohort, &trials));
    let headline: Vec<&str> = catalogue::cohort_headline()
        .into_iter()
        .filter(|id| overall(cohort, family, id).is_some_and(|m| !m.suppressed))
        .collect();
    if let Some(positions) = positions(cohort, family, &headline) {
        section.blocks.push(Block::Heading {
            text: ct(cohort, "caption.positions"),
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
    let counts = [
        ("shown", shown.to_string()),
        ("hidden", hidden.to_string()),
        ("min", cohort.min_banks.to_string()),
    ];
    let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    section.blocks.push(Block::Text {
        text: ct_with(cohort, "cohort.segments", &args),
    });
    section
}

/// The baseline and delta groups of A/B trials: a table, or one sentence when every one of
/// them is suppressed.
fn trials_block(cohort: &Cohort, trials: &[&CohortMetric]) -> Option<Block> {
    let banks = trials.iter().map(|m| m.banks).max()?;
    if trials.iter().all(|m| m.suppressed) {
        let (banks, min) = (banks.to_string(), cohort.min_banks.to_string());
        return Some(Block::Text {
            text: ct_with(
                cohort,
                "cohort.trials_suppressed",
                &[("banks", &banks), ("min", &min)],
            ),
        });
    }
    let mut table = stats_table(cohort);
    table
        .rows
        .extend(trials.iter().map(|m| stats_row(cohort, m)));
    Some(Block::Table(table.caption(ct(cohort, "caption.trials"))))
}

/// Bank × headline metric: value and percentile rank.
fn positions(cohort: &Cohort, family: &str, ids: &[&str]) -> Option<Table> {
    if ids.is_empty() {
        return None;
    }
    let mut columns = vec![Column::left(&ct(cohort, "column.bank"))];
    columns.extend(
        ids.iter()
            .map(|id| Column::right(&title(cohort.language, id))),
    );
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
            row.push(Cell::plain(
                value.map_or_else(|| "–".into(), |v| position(id, v)),
            ));
        }
        table.rows.push(row);
    }
    Some(table.note(ct(cohort, "note.positions")))
}

fn position(id: &str, v: &BankValue) -> String {
    let arm = if v.arm.is_some() { ", ai" } else { "" };
    format!(
        "{} (P{:.0}{arm})",
        stat(id, Some(v.value)),
        v.percentile_rank
    )
}

fn strip_chart(cohort: &Cohort, family: &str, ids: &[&str]) -> Option<ChartRef> {
    let rows: Vec<StripRow> = ids
        .iter()
        .filter(|id| catalogue::find(id).is_some_and(|d| d.unit == Unit::Ratio))
        .filter_map(|id| {
            let m = overall(cohort, family, id)?;
            Some(StripRow {
                label: title(cohort.language, id)
                    .split(" (")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
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
        title: ct_with(
            cohort,
            "chart.spread",
            &[("family", &cword(cohort, family))],
        ),
        caption: ct(cohort, "caption.spread_chart"),
        spec: ChartSpec::Strip {
            rows,
            percent: true,
        },
    })
}
