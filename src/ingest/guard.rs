//! The first read of every input file, before polars sees it: its SHA-256, size and time of
//! change as measured (the manifest signs these, and the build checks them again before the
//! bundle is finished), and for text files the limits that stop a decompression or
//! line-length bomb within seconds: the size a `.gz` inflates to (absolute, and relative to
//! its compressed size) and the length of one line (a CSV row, a JSON Lines record).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::SystemTime;

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use crate::config::{FileFormat, Limits};

/// What the first read of a file measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub bytes: u64,
    pub sha256: String,
    pub modified: Option<SystemTime>,
}

impl Inspected {
    /// Whether `path` still has the size and time of change it had when it was read.
    pub fn unchanged(&self, path: &Path) -> bool {
        std::fs::metadata(path)
            .is_ok_and(|m| m.len() == self.bytes && m.modified().ok() == self.modified)
    }
}

/// Why a file is not read.
#[derive(Debug)]
pub enum Refused {
    Io(io::Error),
    /// The text a compressed file inflates to passed a limit: `inflated` bytes from
    /// `compressed` read so far.
    Inflated {
        inflated: u64,
        compressed: u64,
        limit: String,
    },
    /// Line `line` (1-based) is longer than `limit` bytes.
    Line {
        line: u64,
        limit: u64,
    },
}

impl From<io::Error> for Refused {
    fn from(err: io::Error) -> Self {
        Refused::Io(err)
    }
}

/// Compressed files are held to the inflation ratio only past this much text, so that a small
/// file of very repetitive rows is not refused.
const RATIO_FLOOR: u64 = 64 << 20;

const CHUNK: usize = 1 << 20;

/// Reads `path` once: hashes its bytes, and for text formats checks `limits` on the text
/// (inflated when the file is gzip).
pub fn inspect(path: &Path, format: FileFormat, limits: &Limits) -> Result<Inspected, Refused> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    let modified = meta.modified().ok();
    let mut hashed = Hashing {
        inner: file,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let adapter = super::format::adapter(format);
    if adapter.is_text() {
        let mut magic = [0u8; 2];
        let n = read_full(&mut hashed, &mut magic)?;
        let mut lines = Lines::new(limits);
        if !adapter.limits_lines() {
            lines.limit = u64::MAX;
        }
        if n == 2 && magic == [0x1f, 0x8b] {
            let mut gz = MultiGzDecoder::new(Prefixed {
                prefix: magic,
                at: 0,
                inner: &mut hashed,
            });
            let mut buf = vec![0u8; CHUNK];
            loop {
                let read = gz.read(&mut buf)?;
                if read == 0 {
                    break;
                }
                let compressed = gz.get_ref().inner.bytes;
                lines.feed(&buf[..read])?;
                check_inflated(lines.total, compressed, limits)?;
            }
        } else {
            lines.feed(&magic[..n])?;
            let mut buf = vec![0u8; CHUNK];
            loop {
                let read = hashed.read(&mut buf)?;
                if read == 0 {
                    break;
                }
                lines.feed(&buf[..read])?;
            }
        }
    }
    // Whatever a reader above left (a gzip trailer), so that the hash covers the whole file.
    io::copy(&mut hashed, &mut io::sink())?;
    Ok(Inspected {
        bytes: hashed.bytes,
        sha256: hex::encode(hashed.hasher.finalize()),
        modified,
    })
}

fn check_inflated(inflated: u64, compressed: u64, limits: &Limits) -> Result<(), Refused> {
    let absolute = limits.inflated_mib.saturating_mul(1 << 20);
    let limit = if inflated > absolute {
        format!("limits.inflated_mib: {}", limits.inflated_mib)
    } else if inflated > RATIO_FLOOR
        && inflated > compressed.max(1).saturating_mul(limits.inflation_ratio)
    {
        format!("limits.inflation_ratio: {}", limits.inflation_ratio)
    } else {
        return Ok(());
    };
    Err(Refused::Inflated {
        inflated,
        compressed,
        limit,
    })
}

/// Counts lines and bytes of text as it streams past, refusing a line over the limit.
struct Lines {
    limit: u64,
    line: u64,
    current: u64,
    total: u64,
}

impl Lines {
    fn new(limits: &Limits) -> Lines {
        Lines {
            limit: limits.line_kib.saturating_mul(1024),
            line: 1,
            current: 0,
            total: 0,
        }
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), Refused> {
        self.total += chunk.len() as u64;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            self.current += (end - start) as u64;
            self.over()?;
            self.line += 1;
            self.current = 0;
            start = end + 1;
        }
        self.current += (chunk.len() - start) as u64;
        self.over()
    }

    fn over(&self) -> Result<(), Refused> {
        if self.current > self.limit {
            return Err(Refused::Line {
                line: self.line,
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// A reader that hashes and counts what passes through it.
struct Hashing {
    inner: File,
    hasher: Sha256,
    bytes: u64,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// The two bytes already read, then the rest.
struct Prefixed<'a> {
    prefix: [u8; 2],
    at: usize,
    inner: &'a mut Hashing,
}

impl Read for Prefixed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at < self.prefix.len() && !buf.is_empty() {
            let n = (self.prefix.len() - self.at).min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[self.at..self.at + n]);
            self.at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn limits() -> Limits {
        Limits {
            line_kib: 1,
            ..Limits::default()
        }
    }

    #[test]
    fn the_hash_is_the_whole_files_for_text_gzip_and_parquet() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.csv");
        std::fs::write(&plain, "a,b\n1,2\n").unwrap();
        let gz = dir.path().join("a.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"a,b\n1,2\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for (path, format) in [
            (&plain, FileFormat::Csv),
            (&gz, FileFormat::Csv),
            (&plain, FileFormat::Parquet),
        ] {
            let seen = inspect(path, format, &limits()).unwrap();
            let (bytes, sha256) = crate::bundle::hash::sha256_file(path).unwrap();
            assert_eq!((seen.bytes, seen.sha256), (bytes, sha256));
        }
    }

    #[test]
    fn a_file_changed_after_its_first_read_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let seen = inspect(&path, FileFormat::Csv, &limits()).unwrap();
        assert!(seen.unchanged(&path));
        std::fs::write(&path, "a,b\n1,2\n3,4\n").unwrap();
        assert!(!seen.unchanged(&path));
        std::fs::remove_file(&path).unwrap();
        assert!(!seen.unchanged(&path));
    }

    #[test]
    fn a_long_line_is_refused_with_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        let long = "x".repeat(1025);
        std::fs::write(&path, format!("a,b\n1,2\n{long}\n")).unwrap();
        match inspect(&path, FileFormat::Csv, &limits()) {
            Err(Refused::Line {
                line: 3,
                limit: 1024,
            }) => {}
            other => panic!("{other:?}"),
        }
        std::fs::write(&path, format!("a,b\n{}\n", "x".repeat(1024))).unwrap();
        assert!(inspect(&path, FileFormat::Csv, &limits()).is_ok());
    }

    #[test]
    fn a_gzip_inflating_past_the_ratio_is_refused_early() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![b'a'; 1 << 20];
        for _ in 0..256 {
            enc.write_all(&block).unwrap();
        }
        std::fs::write(&path, enc.finish().unwrap()).unwrap();
        let limits = Limits {
            line_kib: 1 << 30,
            ..Limits::default()
        };
        match inspect(&path, FileFormat::Csv, &limits) {
            Err(Refused::Inflated {
                inflated, limit, ..
            }) => {
                assert!(inflated <= RATIO_FLOOR + CHUNK as u64, "{inflated}");
                assert_eq!(limit, "limits.inflation_ratio: 200");
            }
            other => panic!("{other:?}"),
        }
    }
}
