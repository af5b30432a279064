//! A document and the one path that renders it: the kind names its files, its templates and
//! its record, the data is what its templates read (and typst's `/data.json`), the charts are
//! drawn once from its view, and the record (summary.json, cohort.json) is both an output and
//! the file the PDF attaches. Markdown and HTML go through minijinja, PDF through typst, JSON is the record.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{jinja, json_bytes, typst};
use crate::config::OutputFormat;
use crate::error::Result;
use crate::templates::TemplateSet;

/// The submission's record in its bundle (summary-v1).
pub const SUMMARY_FILE: &str = "summary.json";
/// The cohort summary's record (cohort-v1).
pub const COHORT_FILE: &str = "cohort.json";

/// The record of the shareable cohort summary.
pub const SHAREABLE_COHORT_FILE: &str = "shareable/cohort.json";

/// The kinds of document the tool writes; each knows its file names and templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    /// The submission report of one bank's bundle.
    Report,
    /// The regulator's cohort summary.
    Cohort,
    /// One bank's peer benchmark letter, `letters/<slug>`.
    Letter { slug: String },
    /// The shareable cohort summary (`shareable/cohort`), made under the disclosure policy.
    SharedCohort,
}

impl DocumentKind {
    /// The file name without extension, inside the bundle.
    pub fn stem(&self) -> String {
        match self {
            DocumentKind::Report => "report".into(),
            DocumentKind::Cohort => "cohort".into(),
            DocumentKind::Letter { slug } => format!("letters/{slug}"),
            DocumentKind::SharedCohort => "shareable/cohort".into(),
        }
    }

    /// The template that renders `format` for this kind, when the kind has that format.
    pub fn template(&self, format: OutputFormat) -> Option<&'static str> {
        use DocumentKind::{Cohort, Letter, Report, SharedCohort};
        use OutputFormat::{Html, Json, Md, Pdf, Xlsx};
        Some(match (self, format) {
            (_, Json | Xlsx) | (Letter { .. }, Html) => return None,
            (Report, Md) => "report.md.jinja",
            (Report, Html) => "report.html.jinja",
            (Report, Pdf) => "report.typ",
            (Cohort | SharedCohort, Md) => "cohort.md.jinja",
            (Cohort | SharedCohort, Html) => "cohort.html.jinja",
            (Cohort | SharedCohort, Pdf) => "cohort.typ",
            (Letter { .. }, Md) => "letter.md.jinja",
            (Letter { .. }, Pdf) => "letter.typ",
        })
    }

    /// The machine-readable record the kind carries, written as its JSON output and attached
    /// to its PDF: summary.json of a report, cohort.json of a cohort summary; letters have none.
    pub fn record_name(&self) -> Option<&'static str> {
        match self {
            DocumentKind::Report => Some(SUMMARY_FILE),
            DocumentKind::Cohort => Some(COHORT_FILE),
            DocumentKind::SharedCohort => Some(SHAREABLE_COHORT_FILE),
            DocumentKind::Letter { .. } => None,
        }
    }

    /// The name the record has inside the PDF (`/name` for typst, attached as `name`): the
    /// shareable summary's record is attached as cohort.json like the restricted one, so that
    /// one cohort template serves both.
    pub fn attachment_name(&self) -> Option<&'static str> {
        match self {
            DocumentKind::SharedCohort => Some(COHORT_FILE),
            _ => self.record_name(),
        }
    }

    /// The file a document format is written to (JSON is the record, named by itself).
    pub fn file_name(&self, format: OutputFormat) -> String {
        let ext = match format {
            OutputFormat::Md => "md",
            OutputFormat::Html => "html",
            OutputFormat::Pdf => "pdf",
            OutputFormat::Json => "json",
            OutputFormat::Xlsx => "xlsx",
        };
        format!("{}.{ext}", self.stem())
    }
}

/// One rendered file: its path inside the bundle and its bytes.
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Everything a document's renderers read.
pub struct Document<'a, D: Serialize> {
    pub kind: DocumentKind,
    pub templates: &'a TemplateSet,
    /// What the templates see (typst reads it as `/data.json`).
    pub data: D,
    /// The drawn charts, id → SVG text (`charts` in jinja, `/charts/<id>.svg` in typst).
    pub charts: BTreeMap<String, String>,
    /// The bytes of the kind's record (its `record_name`), when it has one.
    pub record: Option<Vec<u8>>,
    /// The instant written as the document date.
    pub stamp: DateTime<Utc>,
    /// The PDF document identifier (stable for the same document).
    pub ident: String,
}

/// The data with the charts, as the Markdown and HTML templates see it.
#[derive(Serialize)]
struct WithCharts<'a, D: Serialize> {
    #[serde(flatten)]
    data: &'a D,
    charts: &'a BTreeMap<String, String>,
}

impl<D: Serialize> Document<'_, D> {
    /// The files of every format in `formats` that this kind has, in that order.
    pub fn render_all(&self, formats: &[OutputFormat]) -> Result<Vec<Output>> {
        let mut outputs = Vec::new();
        for format in formats {
            let timer = Instant::now();
            if let Some((name, bytes)) = self.render(*format)? {
                tracing::info!(
                    file = name.as_str(),
                    bytes = bytes.len(),
                    elapsed_ms = timer.elapsed().as_millis() as u64,
                    "rendered"
                );
                outputs.push(Output { name, bytes });
            }
        }
        Ok(outputs)
    }

    /// The file name and bytes of one format, or none when this kind has no such file.
    fn render(&self, format: OutputFormat) -> Result<Option<(String, Vec<u8>)>> {
        if format == OutputFormat::Json {
            return Ok(self
                .record()
                .map(|(name, bytes)| (name.to_string(), bytes.to_vec())));
        }
        if format == OutputFormat::Xlsx {
            let Some((_, record)) = self.record() else {
                return Ok(None);
            };
            let bytes = super::xlsx::workbook(record, self.stamp)?;
            return Ok(Some((self.kind.file_name(format), bytes)));
        }
        let Some(template) = self.kind.template(format) else {
            return Ok(None);
        };
        let bytes = match format {
            OutputFormat::Pdf => self.pdf(template)?,
            OutputFormat::Html => super::web_fonts::embed(self.text(template)?).into_bytes(),
            _ => self.text(template)?.into_bytes(),
        };
        Ok(Some((self.kind.file_name(format), bytes)))
    }

    /// The record with its file name.
    fn record(&self) -> Option<(&'static str, &[u8])> {
        Some((self.kind.record_name()?, self.record.as_deref()?))
    }

    fn text(&self, template: &str) -> Result<String> {
        let data = WithCharts {
            data: &self.data,
            charts: &self.charts,
        };
        jinja::render_data(self.templates, template, &data)
    }

    fn pdf(&self, main: &str) -> Result<Vec<u8>> {
        let mut files = vec![("/data.json".to_string(), json_bytes(&self.data)?)];
        files.extend(
            self.kind
                .attachment_name()
                .zip(self.record.as_deref())
                .map(|(name, bytes)| (format!("/{name}"), bytes.to_vec())),
        );
        files.extend(
            self.charts
                .iter()
                .map(|(id, svg)| (format!("/charts/{id}.svg"), svg.clone().into_bytes())),
        );
        let job = typst::TypstJob {
            templates: self.templates,
            main,
            files,
            stamp: self.stamp,
            ident: self.ident.clone(),
        };
        let pdf = typst::compile(job)?;
        tracing::debug!(pages = pdf.pages, main, "compiled the PDF");
        Ok(pdf.bytes)
    }
}

/// The instant an RFC 3339 stamp (`generated_at`) names; the epoch when it cannot be read.
pub fn stamp(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_templates_come_from_the_kind() {
        let letter = DocumentKind::Letter {
            slug: "bank-3f9a".into(),
        };
        assert_eq!(letter.file_name(OutputFormat::Pdf), "letters/bank-3f9a.pdf");
        assert_eq!(letter.template(OutputFormat::Md), Some("letter.md.jinja"));
        assert_eq!(letter.template(OutputFormat::Html), None);
        assert_eq!(
            DocumentKind::Cohort.template(OutputFormat::Pdf),
            Some("cohort.typ")
        );
        assert_eq!(
            DocumentKind::Report.file_name(OutputFormat::Html),
            "report.html"
        );
        assert_eq!(DocumentKind::Report.template(OutputFormat::Json), None);
    }
}
