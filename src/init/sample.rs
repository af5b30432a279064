//! The first rows of one data file, as text, for `init` to guess from: a CSV file (plain or
//! gzip, any of the usual delimiters), a JSON Lines file, a Parquet file. Only `limit` rows are
//! read, so that a folder of huge exports is looked at in bounded time.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::config::FileFormat;

/// The delimiters a CSV export may use, in the order they are preferred on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many distinct values of a column are kept (one more tells "many").
pub const DISTINCT_KEPT: usize = 40;

/// What the first rows of a file show.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// The column names, in the file's order.
    pub header: Vec<String>,
    pub columns: Vec<ColumnSample>,
    /// Rows read.
    pub rows: u64,
    /// Whether the file has more rows than were read.
    pub truncated: bool,
    /// The CSV delimiter, when it is not a comma.
    pub delimiter: Option<u8>,
}

/// What the sampled values of one column look like.
#[derive(Debug, Clone, Default)]
pub struct ColumnSample {
    /// Up to `DISTINCT_KEPT + 1` distinct non-empty values, trimmed.
    pub distinct: BTreeSet<String>,
    pub filled: u64,
    pub numbers: u64,
    pub booleans: u64,
    pub timestamps: u64,
    /// The earliest and latest timestamp, as local date-times (offsets dropped).
    pub first: Option<NaiveDateTime>,
    pub last: Option<NaiveDateTime>,
    /// Whether some timestamp carried a UTC offset or `Z`.
    pub offsets: bool,
    /// Numbers written with a decimal comma (`0,25`).
    pub decimal_commas: u64,
    /// Timestamps the built-in forms do not read, by the export format that reads them:
    /// (count, earliest, latest).
    pub formats: std::collections::BTreeMap<&'static str, (u64, NaiveDateTime, NaiveDateTime)>,
}

/// Timestamp formats spreadsheets and bank systems export, day first before month first (the
/// Hong Kong way of writing dates).
pub const EXPORT_FORMATS: &[&str] = &[
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
];

fn export_time(value: &str, format: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value, format)
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, format)
                .ok()?
                .and_hms_opt(0, 0, 0)
        })
}

impl ColumnSample {
    fn add(&mut self, raw: Option<&str>) {
        let Some(value) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        self.filled += 1;
        if self.distinct.len() <= DISTINCT_KEPT {
            self.distinct.insert(value.to_string());
        }
        if value.parse::<f64>().is_ok_and(f64::is_finite) {
            self.numbers += 1;
        }
        if is_boolean(value) {
            self.booleans += 1;
        }
        if is_decimal_comma(value) {
            self.decimal_commas += 1;
        }
        if let Some((time, offset)) = timestamp(value) {
            self.timestamps += 1;
            self.offsets |= offset;
            self.first = Some(self.first.map_or(time, |f| f.min(time)));
            self.last = Some(self.last.map_or(time, |l| l.max(time)));
        } else if value.len() >= 8
            && value.starts_with(|c: char| c.is_ascii_digit())
            && value.contains(['/', '.', '-'])
        {
            for format in EXPORT_FORMATS {
                if let Some(t) = export_time(value, format) {
                    let entry = self.formats.entry(format).or_insert((0, t, t));
                    entry.0 += 1;
                    entry.1 = entry.1.min(t);
                    entry.2 = entry.2.max(t);
                }
            }
        }
    }

    /// Whether every filled value is of the kind counted by `count`.
    pub fn all(&self, count: u64) -> bool {
        self.filled > 0 && count == self.filled
    }

    /// Whether the column has more distinct values than were kept.
    pub fn many(&self) -> bool {
        self.distinct.len() > DISTINCT_KEPT
    }
}

/// A number written with a decimal comma: `0,25`, `-1200,5`.
pub fn is_decimal_comma(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    digits.split_once(',').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// The export format that reads every filled value of a column the built-in forms do not.
pub fn export_format(seen: &ColumnSample) -> Option<(&'static str, NaiveDateTime, NaiveDateTime)> {
    if seen.filled == 0 || seen.timestamps == seen.filled {
        return None;
    }
    EXPORT_FORMATS.iter().find_map(|format| {
        let (count, first, last) = seen.formats.get(format)?;
        (*count + seen.timestamps == seen.filled).then_some((*format, *first, *last))
    })
}

/// The boolean spellings input-v1 reads (any case).
pub fn is_boolean(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "1" | "0" | "yes" | "no" | "y" | "n"
    )
}

/// A timestamp in one of the forms exports use, as a local date-time, and whether it had an
/// offset.
pub fn timestamp(value: &str) -> Option<(NaiveDateTime, bool)> {
    if value.len() < 10 || !value.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some((t.naive_local(), true));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Some((t, false));
        }
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(value, format) {
            return Some((t.naive_local(), true));
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| (t, false))
}

/// Reads the first `limit` rows of `path`, or says why it cannot.
pub fn read(path: &Path, format: FileFormat, limit: u64) -> Result<Sample, String> {
    match format {
        FileFormat::Csv => csv(path, limit),
        FileFormat::Jsonl => jsonl(path, limit),
        FileFormat::Parquet => parquet(path, limit),
        FileFormat::Xlsx => xlsx(path, limit),
        _ => Ok(Sample::default()),
    }
}

/// The file's text, inflated when it is gzip.
fn open(path: &Path) -> Result<Box<dyn Read>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if crate::ingest::diagnose::is_gzip(path) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

/// The delimiter of a CSV file by its first lines: the candidate that splits the header into
/// the most fields and every following line into as many.
pub fn sniff_delimiter(lines: &[String]) -> u8 {
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let fields = |line: &str| split_count(line, delimiter);
        let Some(header) = lines.first() else {
            break;
        };
        let n = fields(header);
        let steady = lines
            .iter()
            .skip(1)
            .all(|l| l.trim().is_empty() || fields(l) == n);
        if n > 1 && steady && n > best.1 {
            best = (delimiter, n);
        }
    }
    best.0
}

/// Fields of a CSV line split at `delimiter` outside double quotes.
fn split_count(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

fn csv(path: &Path, limit: u64) -> Result<Sample, String> {
    let mut reader = BufReader::new(open(path)?);
    let mut head = Vec::new();
    for _ in 0..6 {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => head.push(line.trim_end_matches(['\r', '\n']).to_string()),
            Err(e) => return Err(format!("not readable as text: {e}")),
        }
    }
    let delimiter = sniff_delimiter(&head);
    let text = head.join("\n") + "\n";
    let chained = std::io::Cursor::new(text.into_bytes()).chain(reader);
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(chained);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut sample = Sample {
        columns: vec![ColumnSample::default(); header.len()],
        header,
        delimiter: (delimiter != b',').then_some(delimiter),
        ..Sample::default()
    };
    for record in csv.records() {
        if sample.rows == limit {
            sample.truncated = true;
            break;
        }
        let record = record.map_err(|e| e.to_string())?;
        sample.rows += 1;
        for (i, column) in sample.columns.iter_mut().enumerate() {
            column.add(record.get(i));
        }
    }
    Ok(sample)
}

fn jsonl(path: &Path, limit: u64) -> Result<Sample, String> {
    let reader = BufReader::new(open(path)?);
    let mut sample = Sample::default();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        if sample.rows == limit {
            sample.truncated = true;
            break;
        }
        let record: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1))?;
        sample.rows += 1;
        for (key, value) in &record {
            let at = match sample.header.iter().position(|h| h == key) {
                Some(at) => at,
                None => {
                    sample.header.push(key.clone());
                    sample.columns.push(ColumnSample::default());
                    sample.header.len() - 1
                }
            };
            let text = match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            };
            sample.columns[at].add(text.as_deref());
        }
    }
    Ok(sample)
}

/// The first sheet of a workbook, its cells as text.
fn xlsx(path: &Path, limit: u64) -> Result<Sample, String> {
    let sheet = crate::ingest::excel::read(path, None, &crate::config::Limits::default())?;
    let rows = sheet.frame.height() as u64;
    let mut sample = Sample {
        rows: rows.min(limit),
        truncated: rows > limit,
        ..Sample::default()
    };
    for column in sheet.frame.columns() {
        if column.name().as_str() == crate::ingest::ROW {
            continue;
        }
        sample.header.push(column.name().to_string());
        let mut seen = ColumnSample::default();
        let text = column.str().map_err(|e| e.to_string())?;
        for value in text.iter().take(limit as usize) {
            seen.add(value);
        }
        sample.columns.push(seen);
    }
    Ok(sample)
}

fn parquet(path: &Path, limit: u64) -> Result<Sample, String> {
    use polars::prelude::*;
    let pl_path = PlRefPath::try_from_path(path).map_err(|e| e.to_string())?;
    let frame = LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default())
        .and_then(|lf| lf.slice(0, (limit + 1) as IdxSize).collect())
        .map_err(|e| e.to_string())?;
    let rows = frame.height() as u64;
    let mut sample = Sample {
        rows: rows.min(limit),
        truncated: rows > limit,
        ..Sample::default()
    };
    for column in frame.columns() {
        sample.header.push(column.name().to_string());
        let mut seen = ColumnSample::default();
        let text = column
            .as_materialized_series()
            .cast(&DataType::String)
            .map_err(|e| e.to_string())?;
        let text = text.str().map_err(|e| e.to_string())?;
        for value in text.iter().take(limit as usize) {
            seen.add(value);
        }
        sample.columns.push(seen);
    }
    Ok(sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_one_that_splits_every_line_alike() {
        let lines = |t: &str| t.lines().map(String::from).collect::<Vec<_>>();
        assert_eq!(sniff_delimiter(&lines("a;b;c\n1;2,5;3\n")), b';');
        assert_eq!(sniff_delimiter(&lines("a,b\n\"x;y\",2\n")), b',');
        assert_eq!(sniff_delimiter(&lines("a\tb\tc\n1\t2\t3\n")), b'\t');
        assert_eq!(sniff_delimiter(&lines("single\n1\n")), b',');
    }

    #[test]
    fn timestamps_of_the_usual_forms_are_read() {
        let t = |v| timestamp(v).map(|(t, o)| (t.to_string(), o));
        assert_eq!(
            t("2025-06-01 10:05:07"),
            Some(("2025-06-01 10:05:07".into(), false))
        );
        assert_eq!(
            t("2025-06-01T10:05:07+08:00"),
            Some(("2025-06-01 10:05:07".into(), true))
        );
        assert_eq!(
            t("2025-06-01 10:05"),
            Some(("2025-06-01 10:05:00".into(), false))
        );
        assert_eq!(t("2025-06-01"), Some(("2025-06-01 00:00:00".into(), false)));
        assert_eq!(t("12345678901"), None);
    }
}
