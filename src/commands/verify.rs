//! `sandbox-report verify BUNDLE`: recompute the hash of every output listed in the bundle's
//! manifest and report any file that differs or is missing; with `--public-key`, also check
//! the minisign signature of the manifest.

use crate::args::VerifyArgs;
use crate::bundle::manifest::{Mismatch, MismatchKind};
use crate::bundle::sign::{self, SIGNATURE_FILE};
use crate::bundle::{MANIFEST_FILE, Manifest};
use crate::error::{Error, Outcome, Result};

pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let manifest = Manifest::read(&args.bundle.join(MANIFEST_FILE)).map_err(|reason| {
        Error::Usage(format!(
            "{}: {reason}",
            args.bundle.join(MANIFEST_FILE).display()
        ))
    })?;
    let mut mismatches = manifest.verify_outputs(&args.bundle);
    for m in &mismatches {
        println!("MISMATCH {}: {}", m.path, m.reason);
    }
    let signature_path = args.bundle.join(SIGNATURE_FILE);
    match (&args.public_key, std::fs::read_to_string(&signature_path)) {
        (Some(key), Ok(signature)) => {
            let data = std::fs::read(args.bundle.join(MANIFEST_FILE)).unwrap_or_default();
            match sign::verify(key, &data, &signature) {
                Ok(()) => println!("signature of manifest.json: valid"),
                Err(reason) => {
                    println!("MISMATCH {SIGNATURE_FILE}: {reason}");
                    mismatches.push(Mismatch {
                        path: SIGNATURE_FILE.into(),
                        kind: MismatchKind::Differs,
                        reason,
                    });
                }
            }
        }
        (Some(_), Err(_)) => {
            println!("MISMATCH {SIGNATURE_FILE}: the bundle is not signed");
            mismatches.push(Mismatch {
                path: SIGNATURE_FILE.into(),
                kind: MismatchKind::Missing,
                reason: "missing".into(),
            });
        }
        (None, Ok(_)) => {
            println!("note: the manifest is signed; pass --public-key to check the signature")
        }
        (None, Err(_)) => {}
    }
    println!(
        "{} of {} output file(s) match the manifest",
        manifest.outputs.len().saturating_sub(
            mismatches
                .iter()
                .filter(|m| m.path != SIGNATURE_FILE)
                .count()
        ),
        manifest.outputs.len()
    );
    Ok(if mismatches.is_empty() {
        Outcome::Success
    } else {
        Outcome::InputErrors
    })
}
