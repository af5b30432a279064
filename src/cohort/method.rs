//! The cohort's scope and method in words: the cover's programme, cohort, periods, checks
//! and caveats, and the method section (how bundles were checked, how arms and currencies are
//! pooled, the statistics, disclosure control, the caveats and the metric dictionary).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::model::{CaveatCode, Cohort, PeriodCover};
use super::view::{ct, ct_with};
use crate::metrics::catalogue;
use crate::render::format;
use crate::render::view::{Block, Cell, Column, LabelledText, Section, Table};
use crate::schema::Language;

/// Cover rows: programme, cohort, periods covered, checks made and caveats.
pub(super) fn cover(cohort: &Cohort) -> Vec<LabelledText> {
    let scope = &cohort.scope;
    let or_unstated = |list: &[String]| {
        if list.is_empty() {
            ct(cohort, "cohort.not_stated")
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
        LabelledText::new(
            ct(cohort, "label.periods_covered"),
            periods(cohort, &scope.periods),
        ),
        LabelledText::new(ct(cohort, "label.checks"), checks(cohort)),
    ];
    if !cohort.caveats.is_empty() {
        let codes: BTreeSet<CaveatCode> = cohort.caveats.iter().map(|c| c.code).collect();
        rows.push(LabelledText::new(
            ct(cohort, "label.caveats"),
            codes
                .into_iter()
                .map(|c| ct(cohort, c.title_key()))
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    rows
}

/// `2025-07-01 to 2025-09-30 (92 days, 8 bundle(s)); …`, with a warning when lengths differ.
fn periods(cohort: &Cohort, periods: &[PeriodCover]) -> String {
    let list: Vec<String> = periods
        .iter()
        .map(|p| {
            let (start, end) = (day(cohort.language, &p.start), day(cohort.language, &p.end));
            let bundles = p.bundles.to_string();
            let mut args = vec![("start", start.as_str()), ("end", end.as_str())];
            args.push(("bundles", &bundles));
            match p.days.map(|d| d.to_string()) {
                Some(days) => {
                    args.push(("days", &days));
                    ct_with(cohort, "cohort.period_days_text", &args)
                }
                None => ct_with(cohort, "cohort.period_text", &args),
            }
        })
        .collect();
    let lengths: BTreeSet<Option<i64>> = periods.iter().map(|p| p.days).collect();
    let mut text = list.join("; ");
    if lengths.len() > 1 {
        text.push_str(" · ");
        text.push_str(&ct(cohort, "cohort.lengths_differ"));
    }
    text
}

/// A bundle's period (`2025-07-01 to 2025-09-30` in cohort.json) as the language writes it.
pub(super) fn period_range(cohort: &Cohort, period: &str) -> String {
    match period.split_once(" to ") {
        Some((start, end)) => {
            let (start, end) = (day(cohort.language, start), day(cohort.language, end));
            ct_with(
                cohort,
                "cover.period_text",
                &[("start", &start), ("end", &end)],
            )
        }
        None => period.to_string(),
    }
}

/// A summary's `YYYY-MM-DD` date as the language writes it (as given when it is not one).
fn day(language: Language, text: &str) -> String {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_or_else(|_| text.to_string(), |d| format::date(language, d))
}

fn checks(cohort: &Cohort) -> String {
    ct(
        cohort,
        if cohort.authenticity_checked {
            "cohort.checks_authenticity"
        } else {
            "cohort.checks_integrity"
        },
    )
}

/// What the bundles were checked for, in a sentence of the method section.
fn checks_text(cohort: &Cohort) -> String {
    let authenticity = if cohort.authenticity_checked {
        "method.authenticity"
    } else {
        "method.no_authenticity"
    };
    let space = sentence_space(cohort.language);
    format!(
        "{}{space}{}",
        ct(cohort, "method.integrity"),
        ct(cohort, authenticity)
    )
}

pub(super) fn method(cohort: &Cohort) -> Section {
    let mut section = Section::new("method", &ct(cohort, "section.method"));
    let min = cohort.min_banks.to_string();
    for text in [
        checks_text(cohort),
        ct(cohort, "method.entries"),
        ct(cohort, "method.arms"),
        ct(cohort, "method.money"),
        ct(cohort, "method.statistics"),
        ct_with(cohort, "method.suppression", &[("min", &min)]),
    ] {
        section.blocks.push(Block::Text { text });
    }
    if !cohort.caveats.is_empty() {
        section.blocks.push(Block::Heading {
            text: ct(cohort, "heading.limits"),
        });
        for c in &cohort.caveats {
            section.blocks.push(Block::Text {
                text: caveat_text(cohort, c),
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
            Cell::plain(def.title_in(cohort.language)),
            Cell::styled(def.id.clone(), "code"),
            Cell::plain(def.definition_in(cohort.language)),
            Cell::plain(better(cohort, &def.id)),
        ]);
    }
    (!table.rows.is_empty()).then(|| table.caption(ct(cohort, "caption.cohort_metrics")))
}

/// What goes between two sentences: a space, or nothing after a Chinese full stop.
pub(super) fn sentence_space(language: Language) -> &'static str {
    match language {
        Language::ZhHk => "",
        Language::En | Language::Bilingual => " ",
    }
}

/// A caveat's sentence in the cohort's language.
pub(super) fn caveat_text(cohort: &Cohort, c: &super::model::Caveat) -> String {
    let args: Vec<(&str, &str)> = c.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ct_with(cohort, c.code.key(), &args)
}

/// `higher`, `lower`, or `–` when the catalogue gives no direction.
pub(super) fn better(cohort: &Cohort, id: &str) -> String {
    match catalogue::find(id).and_then(|d| d.higher_is_better) {
        Some(true) => ct(cohort, "cohort.higher"),
        Some(false) => ct(cohort, "cohort.lower"),
        None => "–".into(),
    }
}
