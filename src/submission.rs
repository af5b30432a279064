//! Building one submission's bundle, the library call behind `build` and `demo`: config →
//! checked streams and metrics ([`pipeline::assess`]) → the report document and its files
//! ([`render`]) → the bundle stage ([`bundle`]), written atomically. A submission with errors
//! in its data ends in [`Error::InputErrors`] carrying the findings, and nothing is written.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::bundle::sign::Signer;
use crate::bundle::{Entry, Sources, Staging, hash};
use crate::clock::Clock;
use crate::config::{self, LoadedConfig, OutputFormat};
use crate::error::{Error, Result};
use crate::model::{Code, Finding, InputFile, Summary};
use crate::pipeline::{self, Checked};
use crate::render;
use crate::schema::Language;
use crate::templates::{Origin, TemplateSet};

/// What to build: the config, the bundle folder, the formats (empty: the config's
/// `report.formats`), the clock and an optional signing key.
pub struct BuildRequest<'a> {
    pub config: &'a Path,
    pub out: &'a Path,
    pub formats: &'a [OutputFormat],
    pub clock: Clock,
    pub signer: Option<&'a Signer>,
    /// The report language, instead of the config's `report.language`.
    pub language: Option<Language>,
    /// The bundle of the period before, for the `lineage` block.
    pub previous: Option<&'a Path>,
}

/// A bundle that was written.
pub struct Built {
    pub out: PathBuf,
    pub summary: Summary,
    pub files: Vec<String>,
}

/// Builds the bundle of `req.config` into `req.out`.
pub fn build(req: &BuildRequest) -> Result<Built> {
    let mut loaded = config::load(req.config)?;
    if let Some(language) = req.language {
        loaded.config.report.language = language;
    }
    let templates = TemplateSet::load(&loaded.config.report.template, &loaded.dir)?;
    let mut staging = Staging::new(req.out)?;
    let formats = chosen_formats(req.formats, &loaded.config.report.formats);
    let timer = Instant::now();
    let pdf = formats.contains(&OutputFormat::Pdf);
    let assessed = pipeline::assess(&loaded, pdf, req.clock.rfc3339())?;
    tracing::info!(
        elapsed_ms = timer.elapsed().as_millis() as u64,
        "read, validated and computed the metrics"
    );
    if assessed.error_count() > 0 {
        return Err(Error::InputErrors {
            errors: assessed.error_count(),
            findings: assessed.summary.findings,
        });
    }
    let mut summary = assessed.summary;
    summary.inputs = hash_inputs(&assessed.checked)?;
    let configured = loaded
        .config
        .report
        .previous
        .as_ref()
        .map(|p| loaded.dir.join(p));
    if let Some(previous) = req.previous.or(configured.as_deref()) {
        summary.lineage = Some(crate::lineage::lineage(previous, &summary)?);
    }
    let document = render::report(&summary, &templates)?;
    staging.write_all(&document.render_all(&formats)?)?;
    unchanged_inputs(&assessed.checked)?;
    let sources = sources(&loaded, &templates, &summary)?;
    let written = staging.finish(sources, &req.clock, req.signer)?;
    Ok(Built {
        out: written.out,
        files: written.files,
        summary,
    })
}

/// The formats to write: summary.json always, then the chosen ones in a fixed order.
fn chosen_formats(cli: &[OutputFormat], config: &[OutputFormat]) -> Vec<OutputFormat> {
    let mut chosen: Vec<OutputFormat> = if cli.is_empty() {
        config.to_vec()
    } else {
        cli.to_vec()
    };
    chosen.push(OutputFormat::Json);
    chosen.sort();
    chosen.dedup();
    chosen
}

fn hash_inputs(checked: &Checked) -> Result<Vec<InputFile>> {
    let mut inputs = Vec::new();
    for stream in &checked.streams {
        for file in &stream.files {
            // Hashed as measured, at the first read; a file no stream could open is hashed
            // now (the build stops on its finding before this in practice).
            let (bytes, sha256) = match checked.inspected.get(&file.path) {
                Some(seen) => (seen.bytes, seen.sha256.clone()),
                None => hash::sha256_file(&file.path).map_err(|source| Error::Input {
                    path: file.path.clone(),
                    source,
                })?,
            };
            inputs.push(InputFile {
                stream: stream.config.name.value.clone(),
                path: file.display.clone(),
                bytes,
                rows: stream.rows.get(&file.display).copied(),
                sha256,
            });
        }
    }
    Ok(inputs)
}

/// Fails the build when an input file no longer has the size and time of change it had when
/// it was read: the manifest would sign bytes that were never measured.
fn unchanged_inputs(checked: &Checked) -> Result<()> {
    let changed: Vec<Finding> = checked
        .streams
        .iter()
        .flat_map(|s| s.files.iter().map(move |f| (s, f)))
        .filter(|(_, f)| {
            checked
                .inspected
                .get(&f.path)
                .is_some_and(|seen| !seen.unchanged(&f.path))
        })
        .map(|(s, f)| {
            Finding::new(
                Code::InputChanged,
                "the file changed while the build read it (its size or time of change differs from when it was measured); nothing was written",
            )
            .in_stream(s.config.name.value.clone())
            .in_file(Some(f.display.clone()))
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(Error::InputErrors {
        errors: changed.len(),
        findings: changed,
    })
}

/// The config and the input files, hashed, for the manifest (a file read by two streams is
/// listed once).
fn sources(loaded: &LoadedConfig, templates: &TemplateSet, summary: &Summary) -> Result<Sources> {
    let (bytes, sha256) = hash::sha256_file(&loaded.path).map_err(|source| Error::Input {
        path: loaded.path.clone(),
        source,
    })?;
    let config_name = loaded
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut inputs: Vec<Entry> = summary
        .inputs
        .iter()
        .map(|i| Entry {
            path: i.path.clone(),
            bytes: i.bytes,
            sha256: i.sha256.clone(),
        })
        .collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs.dedup_by(|a, b| a.path == b.path);
    Ok(Sources {
        config: Some(Entry {
            path: config_name,
            bytes,
            sha256,
        }),
        inputs,
        others: other_sources(loaded, templates)?,
    })
}

/// The narrative files and template overrides a build of `loaded` reads, hashed, sorted by
/// path (relative to the config's folder).
pub fn other_sources(loaded: &LoadedConfig, templates: &TemplateSet) -> Result<Vec<Entry>> {
    let overrides = templates.files.values().filter_map(|f| match &f.origin {
        Origin::Override(path) => Some(path.clone()),
        Origin::Builtin => None,
    });
    let narrative = loaded.narrative_files.iter().map(|f| loaded.dir.join(f));
    let mut entries = Vec::new();
    for path in narrative.chain(overrides) {
        let (bytes, sha256) = hash::sha256_file(&path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        entries.push(Entry {
            path: crate::discover::relative(&loaded.dir, &path),
            bytes,
            sha256,
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries.dedup_by(|a, b| a.path == b.path);
    Ok(entries)
}

/// The input files a build of `loaded` would read now (as the manifest names them, and where
/// they are), sorted and listed once, found by the same discovery as the build.
pub fn discovered_inputs(loaded: &LoadedConfig) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = loaded
        .config
        .streams
        .iter()
        .flat_map(|s| {
            crate::discover::discover(
                &loaded.dir,
                &s.name.value,
                &s.path.value,
                s.include.as_deref(),
                s.format,
            )
            .files
        })
        .map(|f| (f.display, f.path))
        .collect();
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}
