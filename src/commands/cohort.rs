//! `sandbox-report cohort DIR... -o OUT`: the regulator's cohort summary. Exit code 0 when
//! every bundle found was used, 1 when some were rejected, 2 when none could be used (or the
//! trusted-keys folder cannot be read).

use crate::args::CohortArgs;
use crate::clock::Clock;
use crate::cohort::{self, CohortRequest, KeySource};
use crate::error::{Outcome, Result};
use crate::templates::{BUILTIN_SET, TemplateSet};

pub fn run(args: &CohortArgs) -> Result<Outcome> {
    let clock = Clock::from_env()?;
    let templates = match &args.template {
        Some(dir) => TemplateSet::load(&dir.to_string_lossy(), std::path::Path::new("."))?,
        None => TemplateSet::load(BUILTIN_SET, std::path::Path::new("."))?,
    };
    let request = CohortRequest {
        dirs: &args.dirs,
        out: &args.out,
        min_banks: args.min_banks,
        key_file: args.key_file.as_deref(),
        reveal: args.reveal,
        letters: args.letters,
        formats: args.format.iter().map(|f| (*f).into()).collect(),
        templates,
        language: args.language.into(),
    };
    let timeout = std::time::Duration::from_secs(args.lock_timeout);
    let _lock = crate::bundle::lock::OutputLock::acquire(&args.out, timeout)?;
    let done = cohort::run_trusted(&request, args.trusted_keys.as_deref(), clock)?;
    match &done.key {
        Some(KeySource::Created(path)) => eprintln!(
            "created a pseudonymisation key at {}; keep it secret and reuse it so that banks keep their pseudonyms",
            path.display()
        ),
        Some(KeySource::File(path)) => eprintln!("pseudonyms from the key in {}", path.display()),
        Some(KeySource::Environment) => {
            eprintln!("pseudonyms from the key in ${}", cohort::pseudonym::KEY_ENV)
        }
        None => eprintln!("--reveal: real institution ids are shown; do not publish these outputs"),
    }
    let bundles = &done.cohort.bundles;
    for r in &done.rejected_paths {
        match &r.detail {
            Some(detail) => eprintln!("rejected {}: {} ({detail})", r.path, r.reason),
            None => eprintln!("rejected {}: {}", r.path, r.reason),
        }
    }
    if !done.cohort.authenticity_checked {
        eprintln!(
            "note: bundles were checked for integrity but not for authenticity; pass --trusted-keys DIR to verify their signatures"
        );
    }
    crate::outln!(
        "wrote {} ({} bundle(s) used, {} rejected, {} superseded; files: {})",
        done.out.display(),
        bundles.accepted.len(),
        bundles.rejected.len(),
        bundles.superseded.len(),
        done.files.join(", ")
    );
    Ok(if bundles.rejected.is_empty() {
        Outcome::Success
    } else {
        Outcome::InputErrors
    })
}
