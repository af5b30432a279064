//! `sandbox-report completions SHELL` and `sandbox-report man`: the shell completion scripts
//! and the manual page, generated from the command-line definitions (clap_complete,
//! clap_mangen), so they never drift from `--help`.

use clap::CommandFactory;

use crate::args::Cli;
use crate::error::{Outcome, Result};

/// The program name the scripts complete and the page documents.
const NAME: &str = "sandbox-report";

pub fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    crate::out!("{}", String::from_utf8_lossy(&script));
    Ok(Outcome::Success)
}

pub fn schema(of: crate::args::SchemaArg) -> Result<Outcome> {
    let of = match of {
        crate::args::SchemaArg::Config => crate::config::SchemaOf::Config,
        crate::args::SchemaArg::Plan => crate::config::SchemaOf::Plan,
        crate::args::SchemaArg::Summary => crate::config::SchemaOf::Summary,
    };
    crate::out!("{}", crate::config::json_schema(of));
    Ok(Outcome::Success)
}

pub fn man() -> Result<Outcome> {
    let mut page = Vec::new();
    // Writing into memory cannot fail.
    let _ = clap_mangen::Man::new(Cli::command().name(NAME)).render(&mut page);
    crate::out!("{}", String::from_utf8_lossy(&page));
    Ok(Outcome::Success)
}
