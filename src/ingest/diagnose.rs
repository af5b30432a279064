//! Finding where a CSV or JSON Lines file goes wrong: the first record whose field count
//! differs from the header, the first bytes that are not UTF-8, the first line that is not a
//! JSON object or holds a list or object. The CSV check runs on every CSV file, because polars
//! silently pads short rows; the JSON Lines check runs only on files polars refused. Also the
//! line numbers of a JSON Lines file's records, for files with blank lines.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

/// Where a file first goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// 1-based data row (CSV, header excluded; 0 for the header itself) or line (JSON Lines).
    pub row: u64,
    /// The column concerned, when one can be named.
    pub column: Option<String>,
    pub message: String,
}

/// Whether the file starts with the gzip magic bytes.
pub fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read(&mut magic))
        .is_ok_and(|n| n == 2)
        && magic == [0x1f, 0x8b]
}

fn open(path: &Path) -> std::io::Result<Box<dyn Read>> {
    let mut file = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic)?;
    let file = File::open(path)?;
    Ok(if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// Whether a text file holds nothing at all (after gzip decompression), not even a header.
pub fn is_empty(path: &Path) -> bool {
    open(path).is_ok_and(|mut reader| matches!(reader.read(&mut [0u8; 1]), Ok(0)))
}

/// For a JSON Lines file that starts with a UTF-8 byte-order mark (Windows tools write one),
/// a temporary copy without it (decompressed), which polars can read; `None` for any other.
pub fn bom_free_copy(path: &Path) -> std::io::Result<Option<tempfile::NamedTempFile>> {
    let mut reader = open(path)?;
    let mut head = [0u8; 3];
    let mut filled = 0;
    while filled < 3 {
        match reader.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    if head[..filled] != [0xEF, 0xBB, 0xBF] {
        return Ok(None);
    }
    let mut copy = tempfile::Builder::new()
        .prefix("sandbox-report-")
        .suffix(".jsonl")
        .tempfile()?;
    std::io::copy(&mut reader, copy.as_file_mut())?;
    Ok(Some(copy))
}

/// What a file read as text is by its first bytes, and how to give the tool its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentType {
    pub found: &'static str,
    pub hint: &'static str,
}

const SAVE_AS_CSV: &str = "save the sheet as CSV UTF-8 (in Excel: File > Save As > CSV UTF-8) and point the stream at that file";

/// The kind of a file that is not text by its first bytes (before and after gzip): a ZIP
/// archive (an .xlsx workbook), an OLE file (an .xls workbook), a PDF, a Parquet file, or
/// UTF-16 or UTF-32 text without a byte-order mark. `None` for anything else.
pub fn content_type(path: &Path) -> Option<ContentType> {
    let mut raw = Vec::with_capacity(8);
    File::open(path).ok()?.take(8).read_to_end(&mut raw).ok()?;
    if let Some(kind) = magic(&raw) {
        return Some(kind);
    }
    let mut inner = Vec::with_capacity(8);
    if raw.starts_with(&[0x1f, 0x8b]) {
        open(path).ok()?.take(8).read_to_end(&mut inner).ok()?;
    }
    magic(&inner)
}

fn magic(head: &[u8]) -> Option<ContentType> {
    let ascii = |b: u8| b.is_ascii_graphic() || b == b' ';
    let (found, hint) = match head {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => (
            "a ZIP archive (an Excel .xlsx workbook is one)",
            SAVE_AS_CSV,
        ),
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] => {
            ("an old-style Excel .xls workbook (OLE file)", SAVE_AS_CSV)
        }
        [b'%', b'P', b'D', b'F', b'-', ..] => (
            "a PDF document",
            "export the data itself from the source system as CSV; a PDF report cannot be read as data",
        ),
        [b'P', b'A', b'R', b'1', ..] => (
            "a Parquet file",
            "name the file .parquet, or set the stream's format: parquet",
        ),
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => (
            "UTF-32 text",
            "save or export the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        [a, 0, 0, 0, ..] if ascii(*a) => (
            "UTF-32 text without a byte-order mark",
            "save or export the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        [0, 0, 0, a, ..] if ascii(*a) => (
            "UTF-32 text without a byte-order mark",
            "save or export the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        [a, 0, b, 0, ..] | [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => (
            "UTF-16 text without a byte-order mark",
            "save or export the file as UTF-8 (in Excel: \"CSV UTF-8\")",
        ),
        _ => return None,
    };
    Some(ContentType { found, hint })
}

/// A CSV file whose first bytes show another encoding (UTF-16): three bytes read, not a pass.
pub fn csv_encoding(path: &Path) -> Option<Diagnosis> {
    foreign_encoding(path, 0, true)
}

/// A file whose first bytes show it is not plain UTF-8: UTF-16 (a common spreadsheet export),
/// or for JSON Lines a byte-order mark, which polars does not read.
fn foreign_encoding(path: &Path, row: u64, bom_allowed: bool) -> Option<Diagnosis> {
    let mut head = Vec::with_capacity(3);
    open(path).ok()?.take(3).read_to_end(&mut head).ok()?;
    let message = match head.as_slice() {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => {
            "expected UTF-8 text, found UTF-16; save or export the file as UTF-8 (in Excel: \"CSV UTF-8\")"
        }
        [0xEF, 0xBB, 0xBF] if !bom_allowed => {
            "the file starts with a byte-order mark, which JSON Lines does not allow; save it as UTF-8 without BOM"
        }
        _ => return None,
    };
    Some(Diagnosis {
        row,
        column: None,
        message: message.into(),
    })
}

/// The first structural problem of a CSV file, if the csv crate can see one.
pub fn csv(path: &Path, dialect: &super::format::CsvOptions) -> Option<Diagnosis> {
    if let Some(d) = foreign_encoding(path, 0, true) {
        return Some(d);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .quote(dialect.quote)
        .has_headers(true)
        .flexible(true)
        .from_reader(open(path).ok()?);
    let headers = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(err) => {
            return Some(Diagnosis {
                row: 0,
                column: None,
                message: format!("the header row cannot be read: {err}"),
            });
        }
    };
    let mut record = csv::ByteRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => row += 1,
            Err(err) => {
                return Some(Diagnosis {
                    row: row + 1,
                    column: None,
                    message: format!("the row cannot be parsed: {err}"),
                });
            }
        }
        if record.len() != headers.len() {
            return Some(ragged(row, &headers, &record));
        }
        if let Some(index) = record.iter().position(|f| std::str::from_utf8(f).is_err()) {
            return Some(Diagnosis {
                row,
                column: headers
                    .get(index)
                    .map(|h| String::from_utf8_lossy(h).into_owned()),
                message: "expected UTF-8 text, found bytes that are not UTF-8".into(),
            });
        }
    }
}

fn ragged(row: u64, headers: &csv::ByteRecord, record: &csv::ByteRecord) -> Diagnosis {
    let (expected, found) = (headers.len(), record.len());
    let column = if found > expected {
        format!("(extra field {})", expected + 1)
    } else {
        headers
            .get(found)
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .unwrap_or_default()
    };
    let line = record.position().map(|p| p.line()).unwrap_or(row + 1);
    Diagnosis {
        row,
        column: Some(column),
        message: format!(
            "expected {expected} fields as in the header, found {found} (line {line} of the file)"
        ),
    }
}

/// The first line of a JSON Lines file that is not a JSON object.
pub fn jsonl(path: &Path) -> Option<Diagnosis> {
    if let Some(d) = foreign_encoding(path, 1, false) {
        return Some(d);
    }
    let reader = BufReader::new(open(path).ok()?);
    for (index, line) in reader.split(b'\n').enumerate() {
        let row = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(err) => {
                return Some(Diagnosis {
                    row,
                    column: None,
                    message: format!("cannot read the line: {err}"),
                });
            }
        };
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(map)) => {
                let nested = map.iter().find(|(_, v)| v.is_array() || v.is_object());
                if let Some((key, value)) = nested {
                    let what = if value.is_array() {
                        "a list"
                    } else {
                        "an object"
                    };
                    return Some(Diagnosis {
                        row,
                        column: Some(key.clone()),
                        message: format!("expected a single value, found {what}"),
                    });
                }
            }
            Ok(_) => {
                return Some(Diagnosis {
                    row,
                    column: None,
                    message: "expected a JSON object on the line, found another JSON value".into(),
                });
            }
            Err(err) => {
                return Some(Diagnosis {
                    row,
                    column: None,
                    message: format!("expected a JSON object, found invalid JSON: {err}"),
                });
            }
        }
    }
    None
}

/// The 1-based line number of each record (non-blank line) of a JSON Lines file, or `None`
/// when the numbers are the record numbers already (no blank line before the last record).
pub fn jsonl_record_lines(path: &Path) -> Option<Vec<u64>> {
    let reader = BufReader::new(open(path).ok()?);
    let mut lines = Vec::new();
    for (index, line) in reader.split(b'\n').enumerate() {
        if !line.ok()?.trim_ascii().is_empty() {
            lines.push(index as u64 + 1);
        }
    }
    let shifted = lines.last().is_some_and(|&last| last != lines.len() as u64);
    shifted.then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_ragged_row_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "a,b,c\n1,2,3\n4,5\n6,7,8\n").unwrap();
        let d = csv(&path, &Default::default()).unwrap();
        assert_eq!(d.row, 2);
        assert_eq!(d.column.as_deref(), Some("c"));
        assert!(d.message.contains("expected 3 fields"), "{}", d.message);
    }

    #[test]
    fn jsonl_nested_value_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"a\":[1,2]}\n").unwrap();
        let d = jsonl(&path).unwrap();
        assert_eq!((d.row, d.column.as_deref()), (2, Some("a")));
    }

    #[test]
    fn jsonl_bad_line_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, "{\"a\":1}\n{\"a\":2\n").unwrap();
        assert_eq!(jsonl(&path).unwrap().row, 2);
    }

    #[test]
    fn jsonl_record_lines_skip_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, "{\"a\":1}\n\n  \r\n{\"a\":2}\n{\"a\":3}\n\n").unwrap();
        assert_eq!(jsonl_record_lines(&path), Some(vec![1, 4, 5]));
        std::fs::write(&path, "{\"a\":1}\n{\"a\":2}\n\n").unwrap();
        assert_eq!(jsonl_record_lines(&path), None, "only trailing blank lines");
    }
}
