//! The regulator's side: many banks' bundles in, one pseudonymised cohort summary out. Reads
//! only each bundle's summary.json and manifest.json (never raw logs), checks them, keeps the
//! latest submission per use case and period, aggregates with polars, and hands cohort.json,
//! the cohort report (PDF, HTML, Markdown) and optional peer letters to the one render stage
//! and the one bundle stage, like a submission's bundle.

mod aggregate;
mod bundles;
mod caveats;
mod coverage;
pub mod disclosure;
mod letters;
mod mapping;
mod method;
pub mod model;
pub mod pseudonym;
mod scope;
mod shared_view;
mod tallies;
mod trust;
mod view;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use serde::Serialize;

use crate::bundle::{Entry, MANIFEST_FILE, Sources, Staging, hash};
use crate::clock::Clock;
use crate::config::OutputFormat;
use crate::error::{Error, Result};
use crate::model::Tool;
use crate::render::view::{Block, ChartRef};
use crate::render::{self, Document, DocumentKind, Output, SUMMARY_FILE, charts};
use crate::schema::Language;
use crate::templates::TemplateSet;
use bundles::LoadedBundle;
use model::{Bundles, Cohort, CriterionEntry, RejectedBundle, SupersededBundle};
pub use pseudonym::KeySource;
use trust::TrustStore;

/// What the `cohort` command asks for.
pub struct CohortRequest<'a> {
    pub dirs: &'a [PathBuf],
    pub out: &'a Path,
    pub min_banks: u64,
    pub key_file: Option<&'a Path>,
    pub reveal: bool,
    pub letters: bool,
    pub formats: Vec<OutputFormat>,
    pub templates: TemplateSet,
    pub language: Language,
}

/// A cohort summary that was written.
pub struct CohortOutcome {
    pub cohort: Cohort,
    pub key: Option<KeySource>,
    pub out: PathBuf,
    pub files: Vec<String>,
    /// The rejected bundles with their real paths, for the operator (outputs show labels
    /// unless --reveal).
    pub rejected_paths: Vec<RejectedBundle>,
}

/// The bundle folders (holding manifest.json and summary.json) under `root`, as the cohort
/// finds them.
pub fn bundle_folders(root: &Path) -> Vec<PathBuf> {
    bundles::bundle_dirs(root)
}

/// Builds the cohort summary into `req.out`; with `trusted_keys` (a folder of
/// `<institution id>.pub` minisign keys) every bundle's signature must verify too.
pub fn run_trusted(
    req: &CohortRequest,
    trusted_keys: Option<&Path>,
    clock: Clock,
) -> Result<CohortOutcome> {
    let trust = trusted_keys.map(TrustStore::load).transpose()?;
    let mut staging = Staging::new(req.out)?;
    let (loaded, mut rejected) = bundles::load_all(req.dirs, trust.as_ref());
    let (mut current, mut superseded) = supersede(loaded);
    if current.is_empty() {
        return Err(Error::NoBundles {
            rejected: rejected
                .iter()
                .map(|r| format!("{}: {}", r.path, r.reason))
                .collect(),
        });
    }
    let ids: Vec<String> = current
        .iter()
        .map(|b| b.summary.submission.institution.id.clone())
        .collect();
    let rejected_paths = rejected.clone();
    let (names, key) = if req.reveal {
        (
            ids.iter().map(|id| (id.clone(), id.clone())).collect(),
            None,
        )
    } else {
        let (p, source) = pseudonym::Pseudonymiser::load(req.key_file, req.out)?;
        // Folder names often name the bank: published outputs show keyed labels instead.
        for b in current
            .iter_mut()
            .chain(superseded.iter_mut().map(|(b, _)| b))
        {
            b.path = p.label(&b.path);
        }
        for (_, by) in superseded.iter_mut() {
            *by = p.label(by);
        }
        for r in rejected.iter_mut() {
            r.path = p.label(&r.path);
        }
        (p.names(&ids), Some(source))
    };
    let mut cohort = assemble(req, &current, rejected, &superseded, &names, &clock)?;
    cohort.authenticity_checked = trust.is_some();
    staging.write_all(&documents(req, &cohort)?)?;
    let sources = Sources {
        config: None,
        others: Vec::new(),
        inputs: inputs(
            &current,
            &superseded.iter().map(|(b, _)| b).collect::<Vec<_>>(),
        )?,
    };
    let written = staging.finish(sources, &clock, None)?;
    Ok(CohortOutcome {
        cohort,
        key,
        out: written.out,
        files: written.files,
        rejected_paths,
    })
}

/// Keeps the latest bundle per (institution, use case, period); the others are superseded.
fn supersede(bundles: Vec<LoadedBundle>) -> (Vec<LoadedBundle>, Vec<(LoadedBundle, String)>) {
    let key = |b: &LoadedBundle| {
        let s = &b.summary.submission;
        (
            s.institution.id.clone(),
            s.use_case.id.clone(),
            s.period.start.clone(),
            s.period.end.clone(),
        )
    };
    let stamp = |b: &LoadedBundle| {
        DateTime::parse_from_rfc3339(&b.summary.generated_at)
            .map(|t| t.timestamp())
            .unwrap_or(i64::MIN)
    };
    let mut latest: BTreeMap<_, LoadedBundle> = BTreeMap::new();
    let mut superseded = Vec::new();
    for b in bundles {
        let k = key(&b);
        match latest.remove(&k) {
            Some(kept) if (stamp(&kept), &kept.path) >= (stamp(&b), &b.path) => {
                superseded.push((b, kept.path.clone()));
                latest.insert(k, kept);
            }
            Some(older) => {
                superseded.push((older, b.path.clone()));
                latest.insert(k, b);
            }
            None => {
                latest.insert(k, b);
            }
        }
    }
    let mut current: Vec<LoadedBundle> = latest.into_values().collect();
    current.sort_by(|a, b| a.path.cmp(&b.path));
    (current, superseded)
}

fn assemble(
    req: &CohortRequest,
    current: &[LoadedBundle],
    rejected: Vec<RejectedBundle>,
    superseded: &[(LoadedBundle, String)],
    names: &BTreeMap<String, String>,
    clock: &Clock,
) -> Result<Cohort> {
    let data = |source| Error::Data {
        stream: "cohort".into(),
        source,
    };
    let name = |b: &LoadedBundle| {
        names
            .get(&b.summary.submission.institution.id)
            .cloned()
            .unwrap_or_default()
    };
    let long = aggregate::long_frame(current, names).map_err(data)?;
    let metrics = aggregate::cohort_metrics(&long, req.min_banks).map_err(data)?;
    let scope = scope::scope(current);
    let caveats = scope::caveats(current, name, &scope, &metrics);
    let mut criteria: Vec<CriterionEntry> = current
        .iter()
        .flat_map(|b| {
            b.summary.criteria.iter().map(move |c| CriterionEntry {
                bank: name(b),
                use_case: b.summary.submission.use_case.id.clone(),
                metric: c.metric.clone(),
                stream: c.stream.clone(),
                segment: c.segment.clone(),
                arm: c.arm,
                op: c.op,
                threshold: c.threshold,
                status: c.status,
            })
        })
        .collect();
    criteria.sort_by(|a, b| (&a.bank, &a.use_case).cmp(&(&b.bank, &b.use_case)));
    Ok(Cohort {
        schema: model::COHORT_SCHEMA.into(),
        schema_version: 1,
        audience: model::RESTRICTED.into(),
        tool: Tool::this(),
        generated_at: clock.rfc3339(),
        min_banks: req.min_banks,
        revealed: req.reveal,
        authenticity_checked: false,
        caveats,
        bundles: Bundles {
            accepted: scope::accepted(current, name),
            rejected,
            superseded: superseded
                .iter()
                .map(|(b, by)| SupersededBundle {
                    bank: names
                        .get(&b.summary.submission.institution.id)
                        .cloned()
                        .unwrap_or_else(|| "superseded".into()),
                    use_case: b.summary.submission.use_case.id.clone(),
                    path: b.path.clone(),
                    superseded_by: by.clone(),
                })
                .collect(),
        },
        scope,
        metrics,
        criteria,
        incidents: tallies::incidents(&long, current, names, req.min_banks).map_err(data)?,
        findings: tallies::findings(current, names).map_err(data)?,
        language: req.language,
        coverage: coverage::coverage(current, name, req.min_banks),
    })
}

/// summary.json and manifest.json of every bundle read, paths as found under the folders.
fn inputs(current: &[LoadedBundle], superseded: &[&LoadedBundle]) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for b in current.iter().chain(superseded.iter().copied()) {
        for file in [MANIFEST_FILE, SUMMARY_FILE] {
            let path = b.dir.join(file);
            let (bytes, sha256) =
                hash::sha256_file(&path).map_err(|source| Error::Input { path, source })?;
            entries.push(Entry {
                path: format!("{}/{file}", b.path),
                bytes,
                sha256,
            });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

/// A file-name stem from a bank's label: lower-case letters, digits and dashes only, so that
/// an institution id from a bundle (shown with --reveal) can never make a path.
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "bank".into()
    } else {
        trimmed.to_string()
    }
}

/// What a cohort template reads: the cohort (absent in letters) and the view.
#[derive(Serialize)]
struct CohortData<'a, V: Serialize> {
    cohort: Option<&'a Cohort>,
    view: &'a V,
}

/// The cohort summary and the letters, rendered: cohort.json and the cohort report in the
/// requested formats, then one letter per bank (Markdown and PDF) when asked for.
fn documents(req: &CohortRequest, cohort: &Cohort) -> Result<Vec<Output>> {
    let stamp = render::stamp(&cohort.generated_at);
    let view = view::build(cohort);
    let summary = Document {
        kind: DocumentKind::Cohort,
        templates: &req.templates,
        charts: charts::draw_all(blocks_charts(view.sections.iter().flat_map(|s| &s.blocks)))?,
        data: CohortData {
            cohort: Some(cohort),
            view: &view,
        },
        record: Some(render::json_bytes(cohort)?),
        stamp,
        ident: format!("sandbox-report/cohort/{}", cohort.generated_at),
    };
    let mut formats = vec![OutputFormat::Json];
    formats.extend(req.formats.iter().copied());
    let mut outputs = summary.render_all(&formats)?;
    let shared = disclosure::shareable(cohort, disclosure::Policy::new(cohort.min_banks));
    let shared_view = shared_view::build(cohort, &shared);
    let shareable = Document {
        kind: DocumentKind::SharedCohort,
        templates: &req.templates,
        charts: BTreeMap::new(),
        data: CohortData {
            cohort: None,
            view: &shared_view,
        },
        record: Some(render::json_bytes(&shared)?),
        stamp,
        ident: format!("sandbox-report/cohort-shareable/{}", cohort.generated_at),
    };
    outputs.extend(shareable.render_all(&formats)?);
    if req.letters {
        for letter in letters::letters(cohort, &shared) {
            let document = Document {
                kind: DocumentKind::Letter {
                    slug: slug(&letter.bank),
                },
                templates: &req.templates,
                charts: charts::draw_all(blocks_charts(letter.blocks.iter()))?,
                data: CohortData {
                    cohort: None,
                    view: &letter,
                },
                record: None,
                stamp,
                ident: format!(
                    "sandbox-report/letter/{}/{}",
                    letter.bank, cohort.generated_at
                ),
            };
            outputs.extend(document.render_all(&[OutputFormat::Md, OutputFormat::Pdf])?);
        }
    }
    Ok(outputs)
}

/// The charts among `blocks`.
fn blocks_charts<'a>(
    blocks: impl Iterator<Item = &'a Block>,
) -> impl Iterator<Item = &'a ChartRef> {
    blocks.filter_map(|b| match b {
        Block::Chart(c) => Some(c),
        _ => None,
    })
}
