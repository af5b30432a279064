//! `sandbox-report build`: parse the flags, build the bundle through the library
//! ([`crate::submission::build`]), print where it went (or the findings that stopped it).

use std::io::Write;

use crate::args::BuildArgs;
use crate::bundle::sign::Signer;
use crate::clock::Clock;
use crate::config::OutputFormat;
use crate::error::{Error, Outcome, Result};
use crate::submission::{self, BuildRequest};

pub fn run(args: &BuildArgs) -> Result<Outcome> {
    let clock = Clock::from_env()?;
    let formats: Vec<OutputFormat> = args.format.iter().map(|f| (*f).into()).collect();
    let signer = args.sign_key.as_deref().map(Signer::load).transpose()?;
    let request = BuildRequest {
        config: &args.config,
        out: &args.out,
        formats: &formats,
        clock,
        signer: signer.as_ref(),
        language: args.language.map(Into::into),
        previous: args.previous.as_deref(),
    };
    let timeout = std::time::Duration::from_secs(args.lock_timeout);
    let _lock = crate::bundle::lock::OutputLock::acquire(&args.out, timeout)?;
    let built = submission::build(&request).inspect_err(print_findings)?;
    crate::outln!("wrote {} ({})", built.out.display(), built.files.join(", "));
    print_warnings(&built.summary.findings, &args.config);
    Ok(Outcome::Success)
}

/// How many findings of one code a successful build lists before it counts the rest.
const SHOWN_PER_CODE: usize = 3;

/// After a successful build, its warnings on standard error as `validate` prints them (at
/// most three of each code), so that what the report says about the data is not seen first
/// by the regulator.
fn print_warnings(findings: &[crate::model::Finding], config: &std::path::Path) {
    if findings.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    super::validate::print_findings(findings, SHOWN_PER_CODE, &mut err);
    let _ = writeln!(
        err,
        "  hint: the report's data-quality section lists them; `sandbox-report validate {}` prints each with file, row and column",
        config.display()
    );
}

/// Lists the findings that stopped a build on standard error, as `validate` prints them.
pub(super) fn print_findings(err: &Error) {
    if let Error::InputErrors { findings, .. } = err {
        super::validate::print_findings(findings, 20, &mut std::io::stderr().lock());
    }
}
