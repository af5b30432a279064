//! Pseudonyms for banks: `Bank 3F9A`, the first hex digits of an HMAC-SHA256 of the
//! institution id under a secret key. The same key gives the same pseudonym in every run and
//! cohort; without the key, hashing the few hundred known bank ids reveals nothing. The key is
//! read from a file or an environment variable, or created once in the user's configuration
//! folder, and never written to any output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::error::{Error, Result};

/// Environment variable holding the key itself (hex, or any text of at least 16 bytes).
pub const KEY_ENV: &str = "SANDBOX_REPORT_PSEUDONYM_KEY";

/// Where the key came from, to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(PathBuf),
    Created(PathBuf),
}

/// Turns institution ids into pseudonyms.
pub struct Pseudonymiser {
    key: Vec<u8>,
}

fn key_error(reason: String) -> Error {
    Error::PseudonymKey { reason }
}

/// The key text: 64 hex digits, or raw text of at least 16 bytes.
fn parse_key(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    hex::decode(text)
        .ok()
        .filter(|k| k.len() >= 16)
        .or_else(|| (text.len() >= 16).then(|| text.as_bytes().to_vec()))
}

/// The default key file: `$XDG_CONFIG_HOME/sandbox-report/pseudonym.key` or
/// `~/.config/sandbox-report/pseudonym.key`. As the XDG convention says, an empty or relative
/// `XDG_CONFIG_HOME` is ignored (a key must never land in whatever folder the job runs in).
pub fn default_key_file() -> Option<PathBuf> {
    let absolute = |p: PathBuf| p.is_absolute().then_some(p);
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".config"))
                .and_then(absolute)
        })?;
    Some(base.join("sandbox-report").join("pseudonym.key"))
}

impl Pseudonymiser {
    /// Loads the key: from `key_file` when given, else from the environment, else from (or
    /// created at) the default key file. `out` is the output folder the key must stay out of.
    pub fn load(key_file: Option<&Path>, out: &Path) -> Result<(Pseudonymiser, KeySource)> {
        if let Some(path) = key_file {
            return Self::from_file(path).map(|p| (p, KeySource::File(path.to_path_buf())));
        }
        if let Ok(text) = std::env::var(KEY_ENV) {
            let key = parse_key(&text).ok_or_else(|| {
                key_error(format!(
                    "{KEY_ENV} must hold 64 hex digits or at least 16 characters"
                ))
            })?;
            return Ok((Pseudonymiser { key }, KeySource::Environment));
        }
        let path = default_key_file()
            .ok_or_else(|| key_error("no key given and no home folder for a key file".into()))?;
        if path.is_file() {
            return Self::from_file(&path).map(|p| (p, KeySource::File(path)));
        }
        if inside(&path, out) {
            return Err(key_error(format!(
                "the key file {} would be inside the output folder",
                path.display()
            )));
        }
        Self::create(&path).map(|p| (p, KeySource::Created(path)))
    }

    fn from_file(path: &Path) -> Result<Pseudonymiser> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })?;
        let key = parse_key(&text).ok_or_else(|| {
            key_error(format!(
                "key file {} must hold 64 hex digits or at least 16 characters",
                path.display()
            ))
        })?;
        Ok(Pseudonymiser { key })
    }

    /// Creates a new random key file, readable by its owner only.
    fn create(path: &Path) -> Result<Pseudonymiser> {
        let mut key = vec![0u8; 32];
        rand::rng().fill_bytes(&mut key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Output {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(path, format!("{}\n", hex::encode(&key))).map_err(|source| {
            Error::Output {
                path: path.to_path_buf(),
                source,
            }
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Pseudonymiser { key })
    }

    #[cfg(test)]
    pub fn with_key(key: &[u8]) -> Pseudonymiser {
        Pseudonymiser { key: key.to_vec() }
    }

    /// The upper-case hex digest of `id` under the key.
    fn digest(&self, id: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        hex::encode_upper(mac.finalize().into_bytes())
    }

    /// A keyed label for a bundle's folder path, `bundle-1A2B3C4D`: stable with the key,
    /// revealing nothing of a folder name that may name the bank.
    pub fn label(&self, path: &str) -> String {
        format!("bundle-{}", &self.digest(&format!("path:{path}"))[..8])
    }

    /// A unique pseudonym per id: `Bank` and 4 hex digits; ids whose 4 digits collide within
    /// this set get 8 digits instead.
    pub fn names(&self, ids: &[String]) -> BTreeMap<String, String> {
        let digests: BTreeMap<&String, String> =
            ids.iter().map(|id| (id, self.digest(id))).collect();
        let short = |d: &str| d[..4].to_string();
        digests
            .iter()
            .map(|(id, d)| {
                let clash = digests
                    .iter()
                    .any(|(other, e)| other != id && short(e) == short(d));
                let digits = if clash { &d[..8] } else { &d[..4] };
                ((*id).clone(), format!("Bank {digits}"))
            })
            .collect()
    }
}

fn inside(path: &Path, folder: &Path) -> bool {
    let canonical = |p: &Path| {
        p.canonicalize().ok().or_else(|| {
            let parent = p.parent()?.canonicalize().ok()?;
            Some(parent.join(p.file_name()?))
        })
    };
    match (canonical(path), canonical(folder)) {
        (Some(p), Some(f)) => p.starts_with(f),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_unique() {
        let ids: Vec<String> = (0..300).map(|i| format!("BANK-{i:03}")).collect();
        let a = Pseudonymiser::with_key(b"0123456789abcdef0123456789abcdef").names(&ids);
        let b = Pseudonymiser::with_key(b"0123456789abcdef0123456789abcdef").names(&ids);
        let other = Pseudonymiser::with_key(b"another key of at least 16 bytes").names(&ids);
        assert_eq!(a, b);
        assert_ne!(a, other);
        let mut names: Vec<&String> = a.values().collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ids.len(), "pseudonyms are unique");
        assert!(a["BANK-001"].starts_with("Bank ") && !a["BANK-001"].contains("001"));
    }

    #[test]
    fn keys_parse_from_hex_or_text() {
        assert_eq!(parse_key(&"ab".repeat(32)).unwrap().len(), 32);
        assert_eq!(
            parse_key("a long enough passphrase").unwrap(),
            b"a long enough passphrase"
        );
        assert!(parse_key("short").is_none());
    }
}
