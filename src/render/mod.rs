//! Rendering: one context (the report model and its formatted view) handed to each renderer,
//! each of which turns it into the bytes of one output file.

pub mod format;
mod jinja;
pub mod view;

use serde::Serialize;

use crate::config::OutputFormat;
use crate::error::{Error, Result};
use crate::model::Summary;
use crate::templates::TemplateSet;
pub use view::ReportView;

/// Everything a renderer may read: the model and its view. Nothing else reaches templates.
#[derive(Debug, Serialize)]
pub struct RenderContext<'a> {
    pub summary: &'a Summary,
    pub view: ReportView,
}

impl<'a> RenderContext<'a> {
    pub fn new(summary: &'a Summary) -> Self {
        RenderContext {
            summary,
            view: view::build(summary),
        }
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
        let mut bytes = serde_json::to_vec_pretty(ctx.summary)
            .map_err(|e| Error::Usage(format!("cannot serialise the summary: {e}")))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// The renderer of an output format.
pub fn renderer(format: OutputFormat) -> Option<Box<dyn Renderer>> {
    match format {
        OutputFormat::Json => Some(Box::new(JsonRenderer)),
        OutputFormat::Md => Some(Box::new(jinja::MarkdownRenderer)),
        OutputFormat::Html | OutputFormat::Pdf => None,
    }
}
