//! Rendering: one context (the report model, its formatted view and the charts drawn from
//! it) handed to each renderer, each of which turns it into the bytes of one output file.

pub mod charts;
pub mod format;
pub mod jinja;
pub mod narrative;
pub mod typst;
pub mod view;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::OutputFormat;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::templates::TemplateSet;
pub use view::ReportView;

/// Everything a renderer may read: the model, its view and the chart drawings (id → SVG).
#[derive(Debug, Serialize)]
pub struct RenderContext<'a> {
    pub summary: &'a Summary,
    pub view: ReportView,
    #[serde(skip)]
    pub charts: BTreeMap<String, String>,
}

impl<'a> RenderContext<'a> {
    /// Builds the view and draws every chart once.
    pub fn new(summary: &'a Summary) -> Result<Self> {
        let view = view::build(summary);
        let charts = view::charts(&view)
            .into_iter()
            .map(|c| {
                let svg = charts::svg(&c.spec)
                    .map_err(|e| Error::Usage(format!("cannot draw chart {}: {e}", c.id)))?;
                Ok((c.id.clone(), svg))
            })
            .collect::<Result<_>>()?;
        Ok(RenderContext {
            summary,
            view,
            charts,
        })
    }

    /// The instant the report is dated with (summary.json's `generated_at`).
    pub fn stamp(&self) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&self.summary.generated_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }
}

/// Turns the context into one output file.
pub trait Renderer {
    /// The file name inside the bundle.
    fn file_name(&self) -> &'static str;
    fn render(&self, ctx: &RenderContext, templates: &TemplateSet) -> Result<Vec<u8>>;
}

/// summary.json: the model serialised, pretty-printed, with a final newline.
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }

    fn render(&self, ctx: &RenderContext, _: &TemplateSet) -> Result<Vec<u8>> {
        to_json(ctx.summary)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot serialise the report data: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// report.pdf: the typst template `report.typ` with the data, charts and summary.json.
pub struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn file_name(&self) -> &'static str {
        "report.pdf"
    }

    fn render(&self, ctx: &RenderContext, templates: &TemplateSet) -> Result<Vec<u8>> {
        let mut files = vec![
            ("/data.json".to_string(), to_json(ctx)?),
            (
                "/summary.json".to_string(),
                JsonRenderer.render(ctx, templates)?,
            ),
        ];
        files.extend(
            ctx.charts
                .iter()
                .map(|(id, svg)| (format!("/charts/{id}.svg"), svg.clone().into_bytes())),
        );
        let sub = &ctx.summary.submission;
        let job = typst::TypstJob {
            templates,
            main: "report.typ",
            files,
            stamp: ctx.stamp(),
            ident: format!(
                "sandbox-report/{}/{}/{}",
                sub.institution.id, sub.use_case.id, sub.period.end
            ),
        };
        typst::compile(job).map(|pdf| pdf.bytes)
    }
}

/// The renderer of an output format.
pub fn renderer(format: OutputFormat) -> Box<dyn Renderer> {
    match format {
        OutputFormat::Json => Box::new(JsonRenderer),
        OutputFormat::Md => Box::new(jinja::MarkdownRenderer),
        OutputFormat::Html => Box::new(jinja::HtmlRenderer),
        OutputFormat::Pdf => Box::new(PdfRenderer),
    }
}
