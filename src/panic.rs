//! Panic handling for the binary: a panic inside a library (an input polars cannot represent)
//! is caught where files are read and becomes a finding; while such a guarded call runs, the
//! default "thread panicked" message is not printed. Any other panic prints one line asking
//! for a bug report.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

static GUARDED: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// While alive, panics are expected and caught by the caller: they print nothing.
pub struct Quiet;

impl Quiet {
    pub fn new() -> Quiet {
        install();
        GUARDED.fetch_add(1, Ordering::SeqCst);
        Quiet
    }
}

impl Default for Quiet {
    fn default() -> Self {
        Quiet::new()
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        GUARDED.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Installs the hook once: silent inside guarded calls, one line otherwise.
pub fn install() {
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if GUARDED.load(Ordering::SeqCst) == 0 {
                eprintln!("internal error: {info}\n  hint: this is a bug in sandbox-report; please report it with the command and input that caused it");
            }
        }));
    });
}
