//! manifest.json (summary-v1): the hash and size of the config, every input and every output
//! of a bundle, and checking a bundle against its manifest.

use std::path::Path;

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
    pub outputs: Vec<Entry>,
}

/// One hashed file: path relative to the config's folder (inputs) or to the bundle (outputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A file of a bundle that does not match its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub reason: String,
}

impl Manifest {
    /// Checks every output listed against the files in `bundle`.
    pub fn verify_outputs(&self, bundle: &Path) -> Vec<Mismatch> {
        self.outputs
            .iter()
            .filter_map(|entry| {
                let reason = match sha256_file(&bundle.join(&entry.path)) {
                    Err(err) => format!("cannot read: {err}"),
                    Ok((bytes, _)) if bytes != entry.bytes => {
                        format!("size {bytes} bytes, manifest says {}", entry.bytes)
                    }
                    Ok((_, sha)) if sha != entry.sha256 => {
                        "SHA-256 differs from the manifest".into()
                    }
                    Ok(_) => return None,
                };
                Some(Mismatch {
                    path: entry.path.clone(),
                    reason,
                })
            })
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
