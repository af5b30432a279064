//! Rendering: the one stage every document goes through. A document (the submission report,
//! the cohort summary, a peer letter) is its kind, the data its templates read, the charts
//! drawn once from its view and the record it carries; [`Document::render_all`] turns it into
//! the files of the chosen formats (typst PDF, minijinja HTML and Markdown, the JSON record).

pub mod charts;
mod document;
pub mod format;
pub(crate) mod jinja;
pub mod narrative;
pub(crate) mod typst;
pub mod view;
mod web_fonts;
mod xlsx;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Summary;
use crate::templates::TemplateSet;
pub use document::{COHORT_FILE, Document, DocumentKind, Output, SUMMARY_FILE, stamp};
pub use view::ReportView;

/// What the submission report's templates read: the model and its formatted view.
#[derive(Debug, Serialize)]
pub struct ReportData<'a> {
    pub summary: &'a Summary,
    pub view: ReportView,
}

/// JSON as every file of the tool is written: pretty-printed, with a final newline.
pub fn json_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(Error::Serialise)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The submission report of `summary`: its view, its charts and summary.json as the record.
pub fn report<'a>(
    summary: &'a Summary,
    templates: &'a TemplateSet,
) -> Result<Document<'a, ReportData<'a>>> {
    let view = view::build(summary);
    let charts = charts::draw_all(view::charts(&view))?;
    let sub = &summary.submission;
    Ok(Document {
        kind: DocumentKind::Report,
        templates,
        charts,
        record: Some(json_bytes(summary)?),
        stamp: stamp(&summary.generated_at),
        ident: format!(
            "sandbox-report/{}/{}/{}",
            sub.institution.id, sub.use_case.id, sub.period.end
        ),
        data: ReportData { summary, view },
    })
}
