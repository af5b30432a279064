//! `sandbox-report build`: parse the flags, build the bundle through the library
//! ([`crate::submission::build`]), print where it went (or the findings that stopped it).

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
    };
    let timeout = std::time::Duration::from_secs(args.lock_timeout);
    let _lock = crate::bundle::lock::OutputLock::acquire(&args.out, timeout)?;
    let built = submission::build(&request).inspect_err(print_findings)?;
    crate::outln!("wrote {} ({})", built.out.display(), built.files.join(", "));
    Ok(Outcome::Success)
}

/// Lists the findings that stopped a build on standard error, as `validate` prints them.
pub(super) fn print_findings(err: &Error) {
    if let Error::InputErrors { findings, .. } = err {
        super::validate::print_findings(findings, 20, &mut std::io::stderr().lock());
    }
}
