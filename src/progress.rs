//! Progress of long runs: on a terminal, one bar per stream (bytes read, rate, time left);
//! nothing on the terminal when standard error is not one, with `--quiet`, or with JSON logs,
//! which get one `progress` event per file instead (at log level info).

use std::io::IsTerminal;
use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static BARS: OnceLock<bool> = OnceLock::new();

/// Decides once per process whether bars are drawn.
pub fn init(quiet: bool, text_logs: bool) {
    let _ = BARS.set(!quiet && text_logs && std::io::stderr().is_terminal());
}

fn bars() -> bool {
    *BARS.get().unwrap_or(&false)
}

/// The progress of reading one stream's files.
pub struct StreamProgress {
    stream: String,
    bar: Option<ProgressBar>,
}

impl StreamProgress {
    /// Starts the progress of `stream`, whose files hold `bytes` in all.
    pub fn start(stream: &str, bytes: u64) -> StreamProgress {
        let bar = bars().then(|| {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:>16} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(stream.to_string());
            bar
        });
        StreamProgress {
            stream: stream.to_string(),
            bar,
        }
    }

    /// One file of `bytes` with `rows` rows has been read and checked.
    pub fn file_done(&self, file: &str, bytes: u64, rows: u64) {
        tracing::info!(event = "progress", stream = %self.stream, file, bytes, rows, "file read");
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(format!("{rows} rows in {file}"));
        }
    }
}

impl Drop for StreamProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
