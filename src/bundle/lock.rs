//! The lock of an output folder: an advisory lock on a small file beside it
//! (`.NAME.lock`), held while a run decides whether to write the folder and writes it, so
//! that two runs (two batches, or a batch and a `build`) never write the same bundle at the
//! same time. The operating system releases the lock when the process ends, also on a crash;
//! the lock file itself stays and is harmless. Its text is a note the holder may leave for
//! the next one (the batch's cohort step records there what it last wrote the cohort from).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How often a waiting run tries the lock again.
const RETRY: Duration = Duration::from_millis(50);

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct OutputLock {
    file: File,
}

/// The lock file of output folder `out`.
pub fn lock_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.lock"))
}

impl OutputLock {
    /// Takes the lock of `out`, waiting up to `timeout` for another run to release it.
    pub fn acquire(out: &Path, timeout: Duration) -> Result<OutputLock> {
        Self::acquire_unless(out, timeout, || false)
    }

    /// As [`OutputLock::acquire`], but gives up waiting as soon as `stop()` is true (a
    /// batch asked to stop does not sit out the timeout).
    pub fn acquire_unless(
        out: &Path,
        timeout: Duration,
        stop: impl Fn() -> bool,
    ) -> Result<OutputLock> {
        let path = lock_path(out);
        let io = |source| Error::Output {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(io)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    super::recover_leftovers(out);
                    return Ok(OutputLock { file });
                }
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout && !stop() => {
                    std::thread::sleep(RETRY);
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::Locked {
                        out: out.to_path_buf(),
                        waited: timeout,
                    });
                }
                Err(TryLockError::Error(source)) => return Err(io(source)),
            }
        }
    }
}

impl OutputLock {
    /// The note the last holder left (empty when none).
    pub fn note(&self) -> String {
        use std::io::{Read, Seek};
        let mut text = String::new();
        let mut file = &self.file;
        let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
        text
    }

    /// Leaves `text` for the next holder.
    pub fn set_note(&self, text: &str) -> std::io::Result<()> {
        use std::io::{Seek, Write};
        let mut file = &self.file;
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up_and_gets_it_once_released() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let first = OutputLock::acquire(&out, Duration::ZERO).unwrap();
        let second = OutputLock::acquire(&out, Duration::from_millis(120));
        assert!(matches!(second, Err(Error::Locked { .. })), "{second:?}");
        first.set_note("built from abc").unwrap();
        drop(first);
        let third = OutputLock::acquire(&out, Duration::ZERO).unwrap();
        assert_eq!(third.note(), "built from abc");
        assert!(lock_path(&out).ends_with(".bundle.lock"));
    }
}
