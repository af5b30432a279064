//! The presentation view of the report model: the same facts as `Summary`, arranged in the
//! numbered sections, tables and charts a submission report prints, with every number already
//! formatted. Built once and handed to every renderer, so the PDF, HTML and Markdown agree to
//! the character. A section without data carries a one-line `empty` sentence instead of blocks.

mod blocks;
mod cover;
mod criteria;
mod groups;
mod incidents;
mod mapping;
mod operations;
mod results;
mod sections;
mod tables;

use serde::Serialize;

use super::narrative;
use std::collections::BTreeMap;

use crate::messages;
use crate::model::{CriterionStatus, Finding, Summary};
use crate::render::format;
use crate::schema::Language;
pub use blocks::{Block, Cell, ChartRef, ChartSpec, Column, Estimate, StripRow, Table, TrendLine};
pub use criteria::status_cell;
pub use tables::humanise;

/// How many findings a report lists before summarising the rest.
pub const FINDINGS_SHOWN: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// The language of the texts for typst and HTML (`en`, `zh`).
    pub lang: &'static str,
    /// The `lang` of the HTML document (`en`, `zh-HK`).
    pub html_lang: &'static str,
    /// The fixed texts the templates print, in the report's language (`view.text.contents`).
    pub text: BTreeMap<String, String>,
    pub title: String,
    pub institution: String,
    pub subtitle: String,
    pub period: String,
    pub generated: String,
    pub tool: String,
    /// Key facts for the cover page.
    pub cover: Vec<LabelledText>,
    /// Key results for the cover page: the headline metrics of each stream.
    pub headline: Vec<LabelledText>,
    pub verdict: StatusCounts,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusCounts {
    pub pass: usize,
    /// Passes on a delta whose 95% interval includes 0 (counted in `pass` too).
    pub not_significant: usize,
    pub fail: usize,
    pub not_evaluable: usize,
    pub total: usize,
    /// The counts in one sentence: `4 of 5 acceptance criteria passed, ...`.
    pub text: String,
    /// The cover's verdict in the report's language: `3 of 4 passed`, `(1 not significant)`,
    /// `1 failed`, `0 not evaluable`.
    pub passed_text: String,
    pub not_significant_text: String,
    pub failed_text: String,
    pub not_evaluable_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelledText {
    pub label: String,
    pub text: String,
}

impl LabelledText {
    pub fn new(label: impl Into<String>, text: impl Into<String>) -> Self {
        LabelledText {
            label: label.into(),
            text: text.into(),
        }
    }
}

/// One numbered section of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub id: &'static str,
    pub number: usize,
    pub title: String,
    /// The bank's own narrative for the section, from the config.
    pub narrative: Vec<narrative::Block>,
    pub blocks: Vec<Block>,
    /// One sentence shown when the section has no data.
    pub empty: Option<String>,
}

impl Section {
    pub fn new(id: &'static str, title: &str) -> Section {
        Section {
            id,
            number: 0,
            title: title.into(),
            narrative: Vec::new(),
            blocks: Vec::new(),
            empty: None,
        }
    }

    fn with_narrative(mut self, text: Option<&String>) -> Section {
        if let Some(markdown) = text {
            self.narrative = narrative::parse(markdown);
        }
        self
    }

    /// Marks the section empty with `sentence` when it has no blocks.
    pub fn or_empty(mut self, sentence: &str) -> Section {
        if self.blocks.is_empty() {
            self.empty = Some(sentence.into());
        }
        self
    }
}

/// Builds the view of a summary.
pub fn build(summary: &Summary) -> ReportView {
    let sub = &summary.submission;
    let mut sections = sections::all(summary);
    for (i, section) in sections.iter_mut().enumerate() {
        section.number = i + 1;
    }
    mapping::resolve_links(&mut sections);
    let language = summary.settings.language;
    let tool = format!("{} {}", summary.tool.name, summary.tool.version);
    let stamp = [
        ("when", summary.generated_at.as_str()),
        ("tool", tool.as_str()),
    ];
    ReportView {
        lang: format::typst_lang(language),
        html_lang: format::html_lang(language),
        text: messages::template_texts(language, &stamp),
        title: sub.use_case.title.clone(),
        institution: sub.institution.name.clone(),
        subtitle: t_with(
            summary,
            "cover.subtitle",
            &[
                ("programme", &sub.programme),
                ("cohort", &sub.cohort),
                ("use_case", &sub.use_case.id),
            ],
        ),
        period: format!(
            "{} ({})",
            cover::period_text(summary),
            summary.settings.timezone
        ),
        generated: summary.generated_at.clone(),
        tool: format!("{} {}", summary.tool.name, summary.tool.version),
        cover: cover::cover(summary),
        headline: cover::headline(summary),
        verdict: status_counts(summary),
        sections,
    }
}

fn status_counts(summary: &Summary) -> StatusCounts {
    let count = |s: CriterionStatus| summary.criteria.iter().filter(|c| c.status == s).count();
    let mut counts = StatusCounts {
        pass: count(CriterionStatus::Pass),
        not_significant: summary
            .criteria
            .iter()
            .filter(|c| criteria::passed_by_chance(c))
            .count(),
        fail: count(CriterionStatus::Fail),
        not_evaluable: count(CriterionStatus::NotEvaluable),
        total: summary.criteria.len(),
        ..StatusCounts::default()
    };
    let n = |v: usize| v.to_string();
    let (pass, total) = (n(counts.pass), n(counts.total));
    counts.passed_text = t_with(
        summary,
        "verdict.passed",
        &[("pass", &pass), ("total", &total)],
    );
    let count = |key: &str, v: usize| t_with(summary, key, &[("count", &n(v))]);
    counts.not_significant_text = count("verdict.not_significant", counts.not_significant);
    counts.failed_text = count("verdict.failed", counts.fail);
    counts.not_evaluable_text = count("verdict.not_evaluable", counts.not_evaluable);
    counts.text = if counts.total == 0 {
        t(summary, "verdict.none")
    } else {
        criteria::verdict_sentence(summary, &counts)
    };
    counts
}

/// A metric's title in `language`.
pub fn title(language: Language, id: &str) -> String {
    crate::metrics::catalogue::find(id).map_or_else(|| id.to_string(), |d| d.title_in(language))
}

/// The text of `key` in the report's language.
pub(crate) fn t(summary: &Summary, key: &str) -> String {
    messages::text(summary.settings.language, key)
}

/// A config or data term as the report prints it: the catalogue's word in the report's
/// language when it has one (`term.anti_fraud`), else the key with spaces (`Anti fraud`).
pub(crate) fn word(summary: &Summary, key: &str) -> String {
    messages::term(summary.settings.language, key).unwrap_or_else(|| tables::humanise(key))
}

/// The text of `key` in the report's language, with its `{name}`s filled in.
pub(crate) fn t_with(summary: &Summary, key: &str, args: &[(&str, &str)]) -> String {
    messages::text_with(summary.settings.language, key, args)
}

/// `file: row 12, column "score"`, leaving out what is unknown.
pub fn location(f: &Finding) -> String {
    location_in(f, Language::En)
}

/// [`location`] in a report's language: `file: 第 12 行，欄「score」` in zh-HK.
pub fn location_in(f: &Finding, language: Language) -> String {
    let mut parts = Vec::new();
    if let Some(row) = f.row {
        let row = row.to_string();
        parts.push(messages::text_with(
            language,
            "location.row",
            &[("row", &row)],
        ));
    } else if f.column.is_some()
        && let Some(file) = &f.file
    {
        // A JSON Lines file has keys, not a header.
        let json = [".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"]
            .iter()
            .any(|ext| file.to_lowercase().ends_with(ext));
        let key = if json {
            "location.keys"
        } else {
            "location.header"
        };
        parts.push(messages::text(language, key));
    }
    if let Some(column) = &f.column {
        let text = messages::text_with(language, "location.column", &[("column", column)]);
        parts.push(text);
    }
    match (&f.file, parts.is_empty()) {
        (Some(file), true) => file.clone(),
        (Some(file), false) => format!("{file}: {}", parts.join(", ")),
        (None, _) => parts.join(", "),
    }
}

/// Every chart the view refers to, in order.
pub fn charts(view: &ReportView) -> Vec<&ChartRef> {
    view.sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Chart(c) => Some(c),
            _ => None,
        })
        .collect()
}
