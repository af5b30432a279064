//! The `sandbox-report` binary: parse arguments, run the command, print errors as
//! lower-case sentences with hints, exit with the documented code.

use std::process::ExitCode;

use clap::Parser;
use sandbox_report::args::Cli;
use sandbox_report::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(err.outcome().code())
        }
    }
}
