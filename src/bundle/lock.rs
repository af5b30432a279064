//! The lock of an output folder: an advisory lock on a small file beside it
//! (`.NAME.lock`), held while a run decides whether to write the folder and writes it, so
//! that two runs (two batches, or a batch and a `build`) never write the same bundle at the
//! same time. The operating system releases the lock when the process ends, also on a crash;
//! the lock file itself stays and is harmless.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How often a waiting run tries the lock again.
const RETRY: Duration = Duration::from_millis(50);

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
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
            .write(true)
            .open(&path)
            .map_err(io)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    super::recover_leftovers(out);
                    return Ok(OutputLock { _file: file });
                }
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
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
        drop(first);
        assert!(OutputLock::acquire(&out, Duration::ZERO).is_ok());
        assert!(lock_path(&out).ends_with(".bundle.lock"));
    }
}
