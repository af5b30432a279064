//! PDF output through typst, compiled in-process: the template reads the report data from
//! the virtual `/data.json` (so no text from the config is ever parsed as markup), embeds the
//! chart SVGs, attaches summary.json, and is exported as PDF/A-3b with a fixed identifier and
//! date, so the same inputs give the same bytes.

mod world;
pub(crate) use world::{FONT_BOLD, FONT_REGULAR};

pub(crate) use world::embedded_fonts;

use chrono::{DateTime, Datelike, Timelike, Utc};
use typst::WorldExt;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::error::{Error, Result};
use crate::templates::TemplateSet;
use world::ReportWorld;

/// A typst document to compile: the main template and the data files it reads.
pub struct TypstJob<'a> {
    pub templates: &'a TemplateSet,
    /// The main template file, e.g. `report.typ`.
    pub main: &'a str,
    /// Virtual files (absolute path, bytes): `/data.json`, `/summary.json`, `/charts/…`.
    pub files: Vec<(String, Vec<u8>)>,
    /// The instant written as the document date.
    pub stamp: DateTime<Utc>,
    /// The PDF document identifier (stable for the same submission).
    pub ident: String,
}

/// A compiled PDF and its number of pages.
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

fn datetime(t: DateTime<Utc>) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        t.year(),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

/// Compiles the job into a PDF/A-3b file.
pub fn compile(job: TypstJob) -> Result<Pdf> {
    let world = world(&job)?;
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    for warning in &warnings {
        tracing::warn!("typst: {}", warning.message);
    }
    let document =
        output.map_err(|errors| diagnostic_error(&world, job.templates, job.main, &errors))?;
    let standards = PdfStandards::new(&[PdfStandard::A_3b]).map_err(|e| Error::Pdf {
        reason: e.message().to_string(),
    })?;
    let options = PdfOptions {
        ident: Smart::Custom(job.ident.clone()),
        timestamp: datetime(job.stamp).map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options)
        .map_err(|errors| diagnostic_error(&world, job.templates, job.main, &errors))?;
    // typst memoises layout across compilations; a batch compiles hundreds of documents in
    // one process, each its own, so its cache is emptied after each (50 reports in one run:
    // 522 MB peak without this, 180 MB with it; docs/performance.md).
    typst::comemo::evict(0);
    Ok(Pdf {
        bytes,
        pages: document.pages().len(),
    })
}

fn world(job: &TypstJob) -> Result<ReportWorld> {
    let mut sources = Vec::new();
    let mut files = job.files.clone();
    let main = job.templates.get(job.main).ok_or_else(|| Error::Template {
        file: job.templates.display_name(job.main),
        line: None,
        column: None,
        message: "the template set has no such file".into(),
        hints: Vec::new(),
    })?;
    sources.push((format!("/{}", job.main), main.text.clone()));
    for (name, file) in &job.templates.files {
        if name == job.main {
            continue;
        }
        if name.ends_with(".typ") {
            sources.push((format!("/{name}"), file.text.clone()));
        } else {
            files.push((format!("/{name}"), file.text.clone().into_bytes()));
        }
    }
    let today = datetime(job.stamp).unwrap_or(Datetime::from_ymd(1970, 1, 1).expect("valid date"));
    ReportWorld::new(sources, files, today).ok_or_else(|| Error::Template {
        file: job.templates.display_name(job.main),
        line: None,
        column: None,
        message: "a template file name is not a valid path".into(),
        hints: Vec::new(),
    })
}

/// The first error as a template error with file, line and column.
fn diagnostic_error(
    world: &ReportWorld,
    templates: &TemplateSet,
    main: &str,
    errors: &[SourceDiagnostic],
) -> Error {
    let Some(first) = errors.first() else {
        return Error::Pdf {
            reason: "typst failed without a diagnostic".into(),
        };
    };
    let message = first.message.to_string();
    let hints: Vec<String> = first.hints.iter().map(|h| h.v.to_string()).collect();
    let place = first.span.id().and_then(|id| {
        let range = world.range(first.span)?;
        let text = world.text_of(id)?;
        let lines = typst::syntax::Lines::new(text);
        let (line, column) = lines.byte_to_line_column(range.start)?;
        Some((
            id.vpath().get_without_slash().to_string(),
            line + 1,
            column + 1,
        ))
    });
    match place {
        Some((name, line, column)) => Error::Template {
            file: if templates.get(&name).is_some() {
                templates.display_name(&name)
            } else {
                name
            },
            line: Some(line),
            column: Some(column),
            message,
            hints,
        },
        None => Error::Template {
            file: templates.display_name(main),
            line: None,
            column: None,
            message,
            hints,
        },
    }
}

/// The main file of a world, for tests.
#[cfg(test)]
fn main_id(world: &ReportWorld) -> typst::syntax::FileId {
    typst::World::main(world)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::{Origin, TemplateFile};

    fn set(main: &str) -> TemplateSet {
        let mut set = TemplateSet::builtin();
        set.files.insert(
            "t.typ".into(),
            TemplateFile {
                text: main.into(),
                origin: Origin::Builtin,
            },
        );
        set
    }

    fn job<'a>(templates: &'a TemplateSet, data: &str) -> TypstJob<'a> {
        TypstJob {
            templates,
            main: "t.typ",
            files: vec![("/data.json".into(), data.as_bytes().to_vec())],
            stamp: DateTime::from_timestamp(1756684800, 0).unwrap(),
            ident: "test".into(),
        }
    }

    #[test]
    fn data_text_prints_literally_and_builds_are_identical() {
        let templates = set("#let d = json(\"/data.json\")\n#d.name\n");
        let data = r##"{"name": "#panic(\"x\") *bold* $x$ <b>"}"##;
        let a = compile(job(&templates, data)).unwrap();
        let b = compile(job(&templates, data)).unwrap();
        assert!(a.bytes.starts_with(b"%PDF"));
        assert_eq!(a.pages, 1);
        assert_eq!(a.bytes, b.bytes);
        let world = world(&job(&templates, data)).unwrap();
        assert_eq!(main_id(&world).vpath().get_with_slash(), "/t.typ");
    }

    #[test]
    fn template_errors_name_file_line_and_column() {
        let templates = set("= Title\n\n#unknown-function()\n");
        let Err(Error::Template {
            file,
            line,
            column,
            message,
            ..
        }) = compile(job(&templates, "{}"))
        else {
            panic!("expected a template error");
        };
        assert!(file.contains("t.typ"), "{file}");
        assert_eq!((line, column), (Some(3), Some(2)));
        assert!(message.contains("unknown variable"), "{message}");
    }
}
