//! `sandbox-report verify BUNDLE`: recompute the hash of every output listed in the bundle's
//! manifest and report any file that differs or is missing.

use crate::args::VerifyArgs;
use crate::bundle::{MANIFEST_FILE, Manifest};
use crate::error::{Error, Outcome, Result};

pub fn run(args: &VerifyArgs) -> Result<Outcome> {
    let manifest = Manifest::read(&args.bundle.join(MANIFEST_FILE)).map_err(|reason| {
        Error::Usage(format!(
            "{}: {reason}",
            args.bundle.join(MANIFEST_FILE).display()
        ))
    })?;
    let mismatches = manifest.verify_outputs(&args.bundle);
    for m in &mismatches {
        println!("MISMATCH {}: {}", m.path, m.reason);
    }
    println!(
        "{} of {} output file(s) match the manifest",
        manifest.outputs.len() - mismatches.len(),
        manifest.outputs.len()
    );
    Ok(if mismatches.is_empty() {
        Outcome::Success
    } else {
        Outcome::InputErrors
    })
}
