//! `sandbox-report-gen`: the seeded synthetic-data generator, a separate binary so that the
//! product (`sandbox-report`) does not carry it. It writes the bundled sample submissions
//! (`sample-data/`), benchmark-sized streams and synthetic bundles for cohort tests.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sandbox_report::Error;
use sandbox_report::generate::{self, stream::Kind};

/// Write synthetic trial logs: the bundled sample data, large streams for benchmarks, or
/// synthetic bundles for cohort tests.
#[derive(Debug, Parser)]
#[command(name = "sandbox-report-gen", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: GenerateCommand,
}

#[derive(Debug, Subcommand)]
enum GenerateCommand {
    /// Write the bundled sample submissions (configs, logs, KPI sheets) into DIR.
    Samples {
        /// Target folder, e.g. sample-data.
        dir: PathBuf,
        /// Random seed; the same seed writes the same files.
        #[arg(long, default_value_t = 20250601)]
        seed: u64,
    },
    /// Write one large synthetic stream for benchmarks.
    Stream(GenerateStreamArgs),
    /// Write synthetic evidence bundles (summary.json and manifest.json only), for cohort
    /// tests and benchmarks.
    Bundles {
        /// Number of bundles (one bank each).
        #[arg(long, default_value_t = 50)]
        count: usize,
        /// Random seed.
        #[arg(long, default_value_t = 11)]
        seed: u64,
        /// Target folder.
        #[arg(short, long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct GenerateStreamArgs {
    /// detection, assistant or redteam.
    #[arg(long, value_enum)]
    kind: GeneratedKind,
    /// Number of rows.
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output file; the extension chooses the format (.csv, .csv.gz, .jsonl, .parquet).
    #[arg(short, long)]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GeneratedKind {
    Detection,
    Assistant,
    Redteam,
}

impl From<GeneratedKind> for Kind {
    fn from(kind: GeneratedKind) -> Kind {
        match kind {
            GeneratedKind::Detection => Kind::Detection,
            GeneratedKind::Assistant => Kind::Assistant,
            GeneratedKind::Redteam => Kind::Redteam,
        }
    }
}

fn run(cmd: &GenerateCommand) -> Result<(), Error> {
    match cmd {
        GenerateCommand::Samples { dir, seed } => {
            for path in generate::samples::write_all(dir, *seed)? {
                sandbox_report::outln!("wrote {}", path.display());
            }
        }
        GenerateCommand::Bundles { count, seed, out } => {
            let written =
                generate::bundles::write(out, *count, *seed).map_err(|source| Error::Output {
                    path: out.clone(),
                    source,
                })?;
            sandbox_report::outln!("wrote {} bundle(s) into {}", written.len(), out.display());
        }
        GenerateCommand::Stream(args) => {
            let rows = generate::stream::write(args.kind.into(), args.rows, args.seed, &args.out)?;
            sandbox_report::outln!("wrote {} ({rows} rows)", args.out.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            if let Some(hint) = err.hint() {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(err.outcome().code())
        }
    }
}
