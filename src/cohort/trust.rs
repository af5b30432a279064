//! The cohort's trust store (`--trusted-keys DIR`): one minisign public key per institution,
//! named `<institution id>.pub`. With it, a bundle is accepted only when its manifest carries
//! a signature that verifies against the key of the institution its summary names; without
//! it, bundles are checked for integrity (hashes) but not for authenticity.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minisign::PublicKey;

use crate::bundle::MANIFEST_FILE;
use crate::bundle::sign::{self, SIGNATURE_FILE};
use crate::error::{Error, Result};

/// The public keys of a trust store, by institution id (the file name without `.pub`).
pub struct TrustStore {
    dir: PathBuf,
    keys: BTreeMap<String, PublicKey>,
}

/// What was found about a bundle's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// Verified against the trusted key of the bundle's institution.
    Verified,
    /// Signed, but no trust store was given: the signature was not checked.
    Unchecked,
    /// Not signed, and no trust store was given.
    Absent,
}

impl Signature {
    pub fn code(self) -> &'static str {
        match self {
            Signature::Verified => "verified",
            Signature::Unchecked => "unchecked",
            Signature::Absent => "absent",
        }
    }

    /// Checks the signature of the bundle in `dir` against `trust`, for `institution`.
    pub fn check(
        trust: Option<&TrustStore>,
        dir: &Path,
        institution: &str,
    ) -> std::result::Result<Signature, Rejection> {
        let signature = std::fs::read(dir.join(SIGNATURE_FILE));
        let Some(trust) = trust else {
            return Ok(if signature.is_ok() {
                Signature::Unchecked
            } else {
                Signature::Absent
            });
        };
        let Ok(signature) = signature else {
            return Err(Rejection::plain(format!(
                "not signed: {SIGNATURE_FILE} is missing (with --trusted-keys only signed bundles are accepted)"
            )));
        };
        let Some(key) = trust.keys.get(institution) else {
            return Err(Rejection {
                reason: "no trusted key for the bundle's institution".into(),
                detail: Some(format!(
                    "expected {}",
                    trust.dir.join(format!("{institution}.pub")).display()
                )),
            });
        };
        let manifest = std::fs::read(dir.join(MANIFEST_FILE))
            .map_err(|e| Rejection::plain(format!("manifest.json: cannot read: {e}")))?;
        let text = String::from_utf8_lossy(&signature);
        sign::verify_with(key, &manifest, &text).map_err(|e| {
            Rejection::plain(format!(
                "signature does not verify against the institution's trusted key ({e}): manifest.json was changed or signed by someone else"
            ))
        })?;
        Ok(Signature::Verified)
    }
}

/// Why a bundle is rejected: a reason for the outputs and, for the operator only, a detail
/// that may name the institution.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub reason: String,
    pub detail: Option<String>,
}

impl Rejection {
    pub fn plain(reason: String) -> Rejection {
        Rejection {
            reason,
            detail: None,
        }
    }
}

impl TrustStore {
    /// Reads every `*.pub` file of `dir`; any that is not a minisign public key stops the run.
    pub fn load(dir: &Path) -> Result<TrustStore> {
        let error = |reason: String| Error::TrustedKeys {
            path: dir.to_path_buf(),
            reason,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| error(format!("cannot read: {e}")))?;
        let mut keys = BTreeMap::new();
        for entry in entries {
            let path = entry
                .map_err(|e| error(format!("cannot read: {e}")))?
                .path();
            if path.extension().is_none_or(|e| e != "pub") || !path.is_file() {
                continue;
            }
            let key = sign::read_public_key(&path).map_err(|e| Error::TrustedKeys {
                path: path.clone(),
                reason: e,
            })?;
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            keys.insert(id, key);
        }
        if keys.is_empty() {
            return Err(error("holds no .pub file".into()));
        }
        Ok(TrustStore {
            dir: dir.to_path_buf(),
            keys,
        })
    }
}
