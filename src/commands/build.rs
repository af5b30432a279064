//! `sandbox-report build`: config → checked streams → metrics → report model → rendered
//! files → manifest, written atomically into the bundle folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::args::BuildArgs;
use crate::bundle::sign::Signer;
use crate::bundle::{Entry, Manifest, Staging, hash, manifest::MANIFEST_SCHEMA};
use crate::clock::Clock;
use crate::config::{self, OutputFormat};
use crate::error::{Error, Outcome, Result};
use crate::model::{InputFile, Summary, Tool};
use crate::pipeline::{self, Checked};
use crate::render::{self, RenderContext};
use crate::templates::TemplateSet;

/// A bundle that was written.
pub struct BuildOutcome {
    pub out: PathBuf,
    pub summary: Summary,
    pub files: Vec<String>,
}

pub fn run(args: &BuildArgs) -> Result<Outcome> {
    let clock = Clock::from_env().map_err(Error::Usage)?;
    let formats: Vec<OutputFormat> = args.format.iter().map(|f| (*f).into()).collect();
    let signer = args.sign_key.as_deref().map(Signer::load).transpose()?;
    let built = build_bundle(&args.config, &args.out, &formats, clock, signer.as_ref())?;
    println!("wrote {} ({})", built.out.display(), built.files.join(", "));
    Ok(Outcome::Success)
}

/// Builds the bundle of the config at `config_path` into `out`. `formats` overrides the
/// config's `report.formats` when not empty.
pub fn build_bundle(
    config_path: &Path,
    out: &Path,
    formats: &[OutputFormat],
    clock: Clock,
    signer: Option<&Signer>,
) -> Result<BuildOutcome> {
    let loaded = config::load(config_path)?;
    let templates = TemplateSet::load(&loaded.config.report.template, &loaded.dir)?;
    let mut staging = Staging::new(out)?;
    let chosen = chosen_formats(formats, &loaded.config.report.formats);
    let timer = Instant::now();
    let pdf = chosen.contains(&OutputFormat::Pdf);
    let assessed = pipeline::assess(&loaded, pdf, clock.rfc3339())?;
    tracing::info!(
        elapsed_ms = timer.elapsed().as_millis() as u64,
        "read, validated and computed the metrics"
    );
    if assessed.error_count() > 0 {
        let findings = &assessed.summary.findings;
        super::validate::print_findings(findings, 20, &mut std::io::stderr().lock());
        return Err(Error::InputErrors {
            errors: assessed.error_count(),
        });
    }
    let mut summary = assessed.summary;
    summary.inputs = hash_inputs(&assessed.checked)?;
    let ctx = RenderContext::new(&summary)?;
    for format in chosen {
        let renderer = render::renderer(format);
        let timer = Instant::now();
        let bytes = renderer.render(&ctx, &templates)?;
        tracing::info!(
            file = renderer.file_name(),
            bytes = bytes.len(),
            elapsed_ms = timer.elapsed().as_millis() as u64,
            "rendered"
        );
        staging.write(renderer.file_name(), &bytes)?;
    }
    let manifest = manifest(&loaded, &summary, staging.outputs(), &clock)?;
    let mut files: Vec<String> = staging.outputs().into_iter().map(|e| e.path).collect();
    files.push(crate::bundle::manifest::MANIFEST_FILE.into());
    if signer.is_some() {
        files.push(crate::bundle::sign::SIGNATURE_FILE.into());
    }
    let out = staging.commit(&manifest, signer)?;
    Ok(BuildOutcome {
        out,
        summary,
        files,
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
            let (bytes, sha256) = hash::sha256_file(&file.path).map_err(|source| Error::Input {
                path: file.path.clone(),
                source,
            })?;
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

fn manifest(
    loaded: &config::LoadedConfig,
    summary: &Summary,
    outputs: Vec<Entry>,
    clock: &Clock,
) -> Result<Manifest> {
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
    Ok(Manifest {
        schema: MANIFEST_SCHEMA.into(),
        schema_version: 1,
        tool: Tool::this(),
        created: clock.rfc3339(),
        config: Some(Entry {
            path: config_name,
            bytes,
            sha256,
        }),
        inputs,
        outputs,
    })
}
