//! `sandbox-report templates list|export`: show the built-in template set and write it out
//! as the starting point of a custom one.

use crate::args::TemplatesCommand;
use crate::error::{Outcome, Result};
use crate::templates::{self, BUILTIN, BUILTIN_SET, EU_FILES, EU_SET};

pub fn run(cmd: &TemplatesCommand) -> Result<Outcome> {
    match cmd {
        TemplatesCommand::List => {
            crate::outln!("{BUILTIN_SET} (built-in):");
            for (name, text) in BUILTIN {
                crate::outln!("  {name:<28} {} bytes", text.len());
            }
            crate::outln!("{EU_SET} (built-in: the files above, with these instead):");
            for (name, text) in EU_FILES {
                crate::outln!("  {name:<28} {} bytes", text.len());
            }
        }
        TemplatesCommand::Export { dir } => {
            for path in templates::export(dir)? {
                crate::outln!("wrote {}", path.display());
            }
            crate::outln!(
                "point report.template at this folder; files you keep override the built-in ones"
            );
        }
    }
    Ok(Outcome::Success)
}
