//! Standard output for the commands. A reader that goes away (`explain --list | head -1`)
//! ends the output quietly, as `ripgrep` does: the command still finishes its work and exits
//! with its own code, it only stops printing. Any other write error (a full disk behind a
//! redirection) is said once on standard error.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output cannot be written: nothing more is tried.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `args` to standard output; see the module's note for what happens on an error.
pub fn write(args: std::fmt::Arguments) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(err) = out.write_fmt(args).and_then(|()| out.flush()) {
        CLOSED.store(true, Ordering::Relaxed);
        if err.kind() != ErrorKind::BrokenPipe {
            eprintln!("warning: cannot write to standard output: {err}");
        }
    }
}

/// Like `print!`, through [`write`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdout::write(format_args!($($arg)*)) };
}

/// Like `println!`, through [`write`].
#[macro_export]
macro_rules! outln {
    () => { $crate::stdout::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::stdout::write(format_args!("{}\n", format_args!($($arg)*))) };
}
