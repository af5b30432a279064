//! Finding and checking bundles for a cohort: every folder under the given folders that holds
//! manifest.json and summary.json. A bundle is accepted only if every output matches its
//! manifest hash and summary.json is a supported summary with the required fields; otherwise
//! it is rejected with the reason, and the run goes on. With a trust store, the manifest's
//! signature must also verify against the key of the bundle's institution.

use crate::model::Arm;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use walkdir::WalkDir;

use super::model::RejectedBundle;
use super::trust::{Rejection, Signature, TrustStore};
use crate::bundle::MANIFEST_FILE;
use crate::bundle::manifest::{Manifest, MismatchKind};
use crate::discover::relative;
use crate::model::{CriterionResult, SUMMARY_SCHEMA, SUMMARY_VERSION, Segment};
use crate::render::SUMMARY_FILE;

/// The parts of summary-v1 a cohort reads; anything else in the file is ignored, so any
/// producer of summary-v1 is accepted. Names and titles are not read: they could identify a
/// bank in a pseudonymised summary.
#[derive(Debug, Clone, Deserialize)]
pub struct SummaryV1 {
    pub generated_at: String,
    pub submission: SubmissionV1,
    /// This tool's settings (not in summary-v1's minimum): the currency of money metrics.
    #[serde(default)]
    pub settings: Option<SettingsV1>,
    pub streams: Vec<StreamV1>,
    pub metrics: Vec<MetricV1>,
    #[serde(default)]
    pub criteria: Vec<CriterionResult>,
    #[serde(default)]
    pub findings: Vec<FindingV1>,
    /// The regulatory mapping (this tool's addition to summary-v1; absent in older ones).
    #[serde(default)]
    pub traceability: Option<TraceabilityV1>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TraceabilityV1 {
    pub requirements: Vec<RequirementV1>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequirementV1 {
    pub id: String,
    pub framework: String,
    pub status: crate::model::TraceStatus,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubmissionV1 {
    pub institution: InstitutionV1,
    #[serde(default)]
    pub programme: Option<String>,
    #[serde(default)]
    pub cohort: Option<String>,
    pub use_case: UseCaseV1,
    pub period: PeriodV1,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsV1 {
    #[serde(default)]
    pub currency: Option<String>,
}

impl SummaryV1 {
    /// The currency the bundle states for its money metrics.
    pub fn currency(&self) -> Option<&str> {
        self.settings.as_ref()?.currency.as_deref()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct InstitutionV1 {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UseCaseV1 {
    pub id: String,
    pub family: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PeriodV1 {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StreamV1 {
    pub name: String,
    pub kind: String,
    pub events: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MetricV1 {
    pub id: String,
    pub stream: String,
    pub value: Option<f64>,
    #[serde(default)]
    pub segment: Option<Segment>,
    #[serde(default)]
    pub arm: Option<Arm>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FindingV1 {
    pub severity: String,
    pub code: String,
    #[serde(default = "one")]
    pub count: f64,
}

fn one() -> f64 {
    1.0
}

/// A bundle that passed every check.
#[derive(Debug, Clone)]
pub struct LoadedBundle {
    pub dir: PathBuf,
    /// The bundle's path relative to the folder given on the command line.
    pub path: String,
    pub summary: SummaryV1,
    pub signature: Signature,
}

/// Every bundle under `roots`, checked (signatures too, with a trust store): (accepted,
/// rejected), each sorted by path.
pub fn load_all(
    roots: &[PathBuf],
    trust: Option<&TrustStore>,
) -> (Vec<LoadedBundle>, Vec<RejectedBundle>) {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for root in roots {
        for dir in bundle_dirs(root) {
            // A folder given as the bundle itself is named by its own name, not ".".
            let path = match relative(root, &dir) {
                p if p == "." => root
                    .file_name()
                    .map_or(p, |n| n.to_string_lossy().into_owned()),
                p => p,
            };
            let checked = load(&dir, &path).map_err(Rejection::plain).and_then(|b| {
                let signature =
                    Signature::check(trust, &dir, &b.summary.submission.institution.id)?;
                Ok(LoadedBundle { signature, ..b })
            });
            match checked {
                Ok(bundle) => accepted.push(bundle),
                Err(r) => rejected.push(RejectedBundle {
                    path,
                    reason: r.reason,
                    detail: r.detail,
                }),
            }
        }
    }
    (accepted, rejected)
}

/// Folders under `root` (itself included) that hold both manifest.json and summary.json.
pub fn bundle_dirs(root: &Path) -> Vec<PathBuf> {
    // Hidden folders are skipped: a bundle being written is staged in `.NAME.partial-…`.
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    let mut dirs: Vec<PathBuf> = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .filter(|d| d.join(MANIFEST_FILE).is_file() && d.join(SUMMARY_FILE).is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Checks one bundle; the error is the reason it is rejected.
fn load(dir: &Path, path: &str) -> Result<LoadedBundle, String> {
    let manifest =
        Manifest::read(&dir.join(MANIFEST_FILE)).map_err(|e| format!("manifest.json: {e}"))?;
    if !manifest.outputs.iter().any(|o| o.path == SUMMARY_FILE) {
        return Err("manifest does not list summary.json".into());
    }
    if let Some(bad) = manifest.verify_outputs(dir).into_iter().next() {
        return Err(match bad.kind {
            MismatchKind::Missing => format!("missing file listed in the manifest: {}", bad.path),
            MismatchKind::Refused => format!("manifest entry {}: {}", bad.path, bad.reason),
            MismatchKind::Differs => format!("manifest hash mismatch: {}", bad.path),
        });
    }
    let text = std::fs::read_to_string(dir.join(SUMMARY_FILE))
        .map_err(|e| format!("summary.json: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("summary.json is not valid JSON: {e}"))?;
    let schema = value.get("schema").and_then(|v| v.as_str()).unwrap_or("");
    let version = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if schema != SUMMARY_SCHEMA || version != u64::from(SUMMARY_VERSION) {
        return Err(format!(
            "unsupported summary schema {schema:?} version {version} (this tool reads {SUMMARY_SCHEMA:?} version {SUMMARY_VERSION})"
        ));
    }
    let summary: SummaryV1 = serde_json::from_value(value)
        .map_err(|e| format!("summary.json lacks a required field: {e}"))?;
    Ok(LoadedBundle {
        dir: dir.to_path_buf(),
        path: path.to_string(),
        summary,
        signature: Signature::Absent,
    })
}
