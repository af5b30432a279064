//! manifest.json (summary-v1): the hash and size of the config, every input and every output
//! of a bundle, and checking a bundle against its manifest (listed files that differ, and
//! files the manifest does not list).

use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::hash::sha256_file;
use crate::model::Tool;

pub const MANIFEST_SCHEMA: &str = "sandbox-report/manifest";
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub schema_version: u32,
    pub tool: Tool,
    pub created: String,
    /// The submission config (bundles); absent in a cohort's manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Entry>,
    pub inputs: Vec<Entry>,
    /// The other files the bundle was made from (narrative Markdown, template overrides),
    /// relative to the config's folder; absent when there are none (an addition to v1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Entry>,
    pub outputs: Vec<Entry>,
}

/// One hashed file: path relative to the config's folder (inputs) or to the bundle (outputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Checks one listed output without touching anything a hostile manifest might point at: the
/// path must stay inside the bundle and name a regular file (not a link, pipe or device) of
/// the listed size; only then is the file read and hashed. `None` when it matches.
fn check_output(bundle: &Path, entry: &Entry) -> Option<(MismatchKind, String)> {
    use MismatchKind::{Differs, Missing, Refused};
    let relative = Path::new(&entry.path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Some((Refused, "refused: the path leaves the bundle".into()));
    }
    let path = bundle.join(relative);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(err) => return Some((Missing, format!("cannot read: {err}"))),
    };
    if !meta.is_file() {
        let why = "refused: not a regular file (a bundle holds its own files, not links, pipes or devices)";
        return Some((Refused, why.into()));
    }
    if meta.len() != entry.bytes {
        let why = format!("size {} bytes, manifest says {}", meta.len(), entry.bytes);
        return Some((Differs, why));
    }
    match sha256_file(&path) {
        Err(err) => Some((Missing, format!("cannot read: {err}"))),
        Ok((_, sha)) if sha != entry.sha256 => {
            Some((Differs, "SHA-256 differs from the manifest".into()))
        }
        Ok(_) => None,
    }
}

/// Why a listed file does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchKind {
    /// The file is absent or cannot be read.
    Missing,
    /// The entry names something that is no file of the bundle (outside it, a link, a pipe).
    Refused,
    /// The file's size, hash or signature differs.
    Differs,
}

/// A file of a bundle that does not match its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub kind: MismatchKind,
    pub reason: String,
}

impl Manifest {
    /// Checks every output listed against the files in `bundle`.
    pub fn verify_outputs(&self, bundle: &Path) -> Vec<Mismatch> {
        self.outputs
            .iter()
            .filter_map(|entry| {
                check_output(bundle, entry).map(|(kind, reason)| Mismatch {
                    path: entry.path.clone(),
                    kind,
                    reason,
                })
            })
            .collect()
    }

    /// Files under `bundle` (relative, `/`-separated, sorted) that the manifest does not list,
    /// other than the manifest and its signature; an entry that cannot be read counts too.
    pub fn unlisted(&self, bundle: &Path) -> Vec<String> {
        let own: std::collections::BTreeSet<&str> = self
            .outputs
            .iter()
            .map(|e| e.path.as_str())
            .chain([MANIFEST_FILE, super::sign::SIGNATURE_FILE])
            .collect();
        walkdir::WalkDir::new(bundle)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|entry| match entry {
                Ok(e) if e.file_type().is_dir() => None,
                Ok(e) => Some(crate::discover::relative(bundle, e.path())),
                Err(err) => Some(err.path().map_or_else(
                    || "an unreadable entry".into(),
                    |p| crate::discover::relative(bundle, p),
                )),
            })
            .filter(|name| !own.contains(name.as_str()))
            .collect()
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Manifest, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| format!("not a valid manifest: {e}"))?;
        if manifest.schema != MANIFEST_SCHEMA || manifest.schema_version != 1 {
            return Err(format!(
                "unsupported manifest schema {:?} version {}",
                manifest.schema, manifest.schema_version
            ));
        }
        Ok(manifest)
    }
}
