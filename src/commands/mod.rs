//! What each command does: the thin layer between the parsed arguments and the library. A
//! command parses its flags, calls the library and prints; it returns the outcome that
//! becomes the exit code.

mod batch;
mod build;
mod cohort;
mod demo;
mod diff;
mod explain;
mod init;
mod shell;
mod templates;
mod validate;
mod verify;

use crate::args::{Cli, Command, LogArgs, LogFormat};
use crate::error::{Outcome, Result};

/// Runs the command of `cli`.
pub fn run(cli: Cli) -> Result<Outcome> {
    init_logging(&cli.log);
    match cli.command {
        Command::Init(args) => init::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Templates(cmd) => templates::run(&cmd),
        Command::Verify(args) => verify::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Cohort(args) => cohort::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Completions(args) => shell::completions(args.shell),
        Command::Man => shell::man(),
        Command::Schema(args) => shell::schema(args.of),
    }
}

fn init_logging(log: &LogArgs) {
    crate::progress::init(log.quiet, log.log_format == LogFormat::Text);
    // In JSON logs a batch's job start and end events are always there, whatever the level.
    let jobs = if log.log_format == LogFormat::Json {
        ",jobs=info"
    } else {
        ""
    };
    let filter = tracing_subscriber::EnvFilter::try_new(format!("{}{jobs}", log.log_level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("warn{jobs}")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match log.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.without_time().try_init(),
    };
}
