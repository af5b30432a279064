//! `sandbox-report verify BUNDLE`: recompute the hash of every output listed in the bundle's
//! manifest and report any file that differs or is missing, and any file in the bundle the
//! manifest does not list; with `--public-key`, also check the minisign signature of the
//! manifest. Without a key (or without a signature) it says that authenticity was not checked.

use crate::args::VerifyArgs;
use crate::bundle::manifest::{Mismatch, MismatchKind};
use crate::bundle::sign::{self, SIGNATURE_FILE};
use crate::bundle::{MANIFEST_FILE, Manifest};
use crate::error::{Error, Outcome, Result};

pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let manifest_path = args.bundle.join(MANIFEST_FILE);
    let manifest = Manifest::read(&manifest_path).map_err(|reason| Error::Manifest {
        path: manifest_path.clone(),
        reason: reason.to_string(),
    })?;
    let key = args
        .public_key
        .as_deref()
        .map(|path| {
            sign::read_public_key(path).map_err(|e| Error::PublicKey {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        })
        .transpose()?;
    let mismatches = manifest.verify_outputs(&args.bundle);
    for m in &mismatches {
        crate::outln!("MISMATCH {}: {}", m.path, m.reason);
    }
    let unlisted = manifest.unlisted(&args.bundle);
    for path in &unlisted {
        crate::outln!("UNLISTED {path}: in the bundle but not in its manifest");
    }
    let signature = check_signature(args, key.as_ref(), &manifest_path);
    if let Some(m) = &signature {
        crate::outln!("MISMATCH {}: {}", m.path, m.reason);
    }
    let listed = manifest.outputs.len();
    crate::outln!(
        "{} of {listed} output file(s) match the manifest; {} file(s) not listed",
        listed.saturating_sub(mismatches.len()),
        unlisted.len()
    );
    Ok(
        if mismatches.is_empty() && unlisted.is_empty() && signature.is_none() {
            Outcome::Success
        } else {
            Outcome::InputErrors
        },
    )
}

/// Checks the manifest's signature with `key`; prints what was (not) checked and returns the
/// mismatch when a key was given and the signature is absent or does not verify.
fn check_signature(
    args: &VerifyArgs,
    key: Option<&minisign::PublicKey>,
    manifest_path: &std::path::Path,
) -> Option<Mismatch> {
    let signature = std::fs::read(args.bundle.join(SIGNATURE_FILE));
    let mismatch = |kind, reason: String| Mismatch {
        path: SIGNATURE_FILE.into(),
        kind,
        reason,
    };
    match (key, signature) {
        (Some(key), Ok(signature)) => {
            let data = std::fs::read(manifest_path).unwrap_or_default();
            match sign::verify_with(key, &data, &String::from_utf8_lossy(&signature)) {
                Ok(()) => {
                    crate::outln!("signature of manifest.json: valid (authenticity checked)");
                    None
                }
                Err(reason) => Some(mismatch(
                    MismatchKind::Differs,
                    format!("does not verify against the given key: {reason}"),
                )),
            }
        }
        (Some(_), Err(_)) => Some(mismatch(
            MismatchKind::Missing,
            "the bundle is not signed, so its authenticity cannot be checked".into(),
        )),
        (None, Ok(_)) => {
            crate::outln!(
                "authenticity NOT checked: the manifest is signed, but no --public-key was given (without it, a bundle whose files and manifest were both rewritten passes)"
            );
            None
        }
        (None, Err(_)) => {
            crate::outln!(
                "authenticity NOT checked: the bundle is not signed ({SIGNATURE_FILE} is absent): a bundle whose files and manifest were both rewritten would pass"
            );
            None
        }
    }
}
