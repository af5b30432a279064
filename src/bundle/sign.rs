//! Signing a bundle's manifest with minisign (Ed25519): `manifest.json.minisig` next to
//! `manifest.json`, checkable with the `minisign` command or `sandbox-report verify
//! --public-key`. Keys are never prompted for: a password-protected key takes its password
//! from the environment, so unattended runs work. minisign signs with random noise (hedged
//! Ed25519), so the signature file is the one output that differs between two builds.

use std::io::Cursor;
use std::path::Path;

use base64::Engine;
use minisign::{PublicKey, SecretKey, SecretKeyBox, SignatureBox};

use crate::error::{Error, Result};

/// File name of the signature inside a bundle.
pub const SIGNATURE_FILE: &str = "manifest.json.minisig";
/// Environment variable with the password of a password-protected secret key.
pub const PASSWORD_ENV: &str = "SANDBOX_REPORT_SIGN_PASSWORD";

fn sign_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::SigningKey {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// A loaded minisign secret key.
pub struct Signer {
    key: SecretKey,
    /// The public half, against which every signature is checked as it is made.
    public: PublicKey,
}

impl Signer {
    /// Loads a minisign secret key file; its password, if any, comes from the environment.
    pub fn load(path: &Path) -> Result<Signer> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            path: path.to_path_buf(),
            source,
        })?;
        let key = match std::env::var(PASSWORD_ENV) {
            Ok(password) => SecretKeyBox::from_string(&text)
                .and_then(|key_box| SecretKey::from_box(key_box, Some(password)))
                .map_err(|e| e.to_string()),
            Err(_) => load_without_password(&text),
        }
        .map_err(|e| sign_error(path, e))?;
        let public = PublicKey::from_secret_key(&key).map_err(|e| sign_error(path, e))?;
        let signer = Signer { key, public };
        // A test signature now, so that a damaged key stops the build before any work.
        signer.sign(b"key check", "key check").map_err(|_| {
            sign_error(
                path,
                "the key is damaged: its secret and public halves do not match",
            )
        })?;
        Ok(signer)
    }

    /// The minisign signature file of `data`, with a trusted comment that names `label`.
    /// Whether `signature` (a .minisig text) is this key's signature over `data`.
    pub fn signed(&self, data: &[u8], signature: &str) -> bool {
        verify_with(&self.public, data, signature).is_ok()
    }

    pub fn sign(&self, data: &[u8], label: &str) -> Result<Vec<u8>> {
        let trusted = format!("sandbox-report manifest, {label}");
        let signature = minisign::sign(
            Some(&self.public),
            &self.key,
            Cursor::new(data),
            Some(&trusted),
            Some("signature from sandbox-report"),
        )
        .map_err(|e| Error::Signing {
            reason: e.to_string(),
        })?;
        Ok(signature.into_string().into_bytes())
    }
}

/// Length of a decoded minisign secret key: algorithms, KDF parameters, key id, the Ed25519
/// key pair and a 32-byte checksum.
const SECRET_KEY_LEN: usize = 158;

/// Reads a key without a password. The `minisign` command's own `-W` keys carry an all-zero
/// checksum, which the minisign crate takes for corruption; such a key is read as raw bytes
/// instead (every signature is still checked against the key's public half when it is made).
fn load_without_password(text: &str) -> std::result::Result<SecretKey, String> {
    let error = match SecretKeyBox::from_string(text).and_then(SecretKey::from_unencrypted_box) {
        Ok(key) => return Ok(key),
        Err(e) => e.to_string(),
    };
    let bytes = text.lines().nth(1).and_then(|line| {
        base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .ok()
    });
    match bytes {
        Some(bytes)
            if bytes.len() == SECRET_KEY_LEN
                && bytes[2..4] == [0, 0]
                && bytes[SECRET_KEY_LEN - 32..].iter().all(|&b| b == 0) =>
        {
            SecretKey::from_bytes(&bytes).map_err(|e| e.to_string())
        }
        _ => Err(error),
    }
}

/// Reads a minisign public key file (the `.pub` file `minisign -G -p` writes).
pub(crate) fn read_public_key(path: &Path) -> std::result::Result<PublicKey, String> {
    PublicKey::from_file(path).map_err(|e| format!("not a minisign public key: {e}"))
}

/// Checks `signature` (the text of a .minisig file) over `data` with `key`.
pub(crate) fn verify_with(
    key: &PublicKey,
    data: &[u8],
    signature: &str,
) -> std::result::Result<(), String> {
    let signature = SignatureBox::from_string(signature)
        .map_err(|e| format!("not a minisign signature: {e}"))?;
    minisign::verify(key, &signature, Cursor::new(data), true, false, false)
        .map_err(|e| e.to_string().to_lowercase())
}

/// Checks `signature` (the text of a .minisig file) over `data` with the public key file.
#[cfg(test)]
fn verify(public_key: &Path, data: &[u8], signature: &str) -> std::result::Result<(), String> {
    let key =
        read_public_key(public_key).map_err(|e| format!("cannot read the public key: {e}"))?;
    verify_with(&key, data, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_detect_changes() {
        let dir = tempfile::tempdir().unwrap();
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let secret = dir.path().join("key.sec");
        let public = dir.path().join("key.pub");
        std::fs::write(&secret, pair.sk.to_box(None).unwrap().to_string()).unwrap();
        std::fs::write(&public, pair.pk.to_box().unwrap().to_string()).unwrap();
        let signer = Signer::load(&secret).unwrap();
        let signature =
            String::from_utf8(signer.sign(b"manifest", "created 2025-09-01").unwrap()).unwrap();
        assert!(verify(&public, b"manifest", &signature).is_ok());
        assert!(verify(&public, b"manifesT", &signature).is_err());
        // minisign's signatures are hedged (randomised): two signatures differ, both verify.
        let again =
            String::from_utf8(signer.sign(b"manifest", "created 2025-09-01").unwrap()).unwrap();
        assert!(verify(&public, b"manifest", &again).is_ok());
    }
}
