//! The `sandbox-report` binary: parse arguments, run the command, print errors as
//! lower-case sentences with hints, exit with the documented code.

use std::process::ExitCode;

use clap::Parser;
use sandbox_report::args::Cli;
use sandbox_report::commands;

fn main() -> ExitCode {
    sandbox_report::panic::install();
    let cli = Cli::parse();
    // A panic that escapes every guard is a bug: report it as exit code 2, not Rust's 101.
    let result = std::panic::catch_unwind(|| commands::run(cli))
        .unwrap_or(Err(sandbox_report::Error::Internal));
    match result {
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
