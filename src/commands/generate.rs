//! `sandbox-report generate`: the seeded synthetic-data generator, for the bundled samples
//! and for benchmark-sized streams.

use crate::args::GenerateCommand;
use crate::error::{Outcome, Result};
use crate::generate;

pub fn run(cmd: &GenerateCommand) -> Result<Outcome> {
    match cmd {
        GenerateCommand::Samples { dir, seed } => {
            for path in generate::samples::write_all(dir, *seed)? {
                println!("wrote {}", path.display());
            }
        }
        GenerateCommand::Bundles { count, seed, out } => {
            let written = generate::bundles::write(out, *count, *seed).map_err(|source| {
                crate::error::Error::Output {
                    path: out.clone(),
                    source,
                }
            })?;
            println!("wrote {} bundle(s) into {}", written.len(), out.display());
        }
        GenerateCommand::Stream(args) => {
            let rows = generate::stream::write(args.kind, args.rows, args.seed, &args.out)?;
            println!("wrote {} ({rows} rows)", args.out.display());
        }
    }
    Ok(Outcome::Success)
}
