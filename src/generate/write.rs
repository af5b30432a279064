//! Writing generated frames as a bank would export them: CSV (optionally gzip), JSON Lines
//! (optionally gzip) or Parquet, chosen by the file name, with timestamps in the export's style.

use std::io::Write;
use std::path::Path;

use chrono_tz::Tz;
use flate2::Compression;
use flate2::write::GzEncoder;
use polars::prelude::*;

/// How an export writes its timestamps.
#[derive(Debug, Clone, Copy)]
pub enum TimeStyle {
    /// `2025-06-03 09:14:00`, local time without offset.
    LocalNaive(Tz),
    /// `2025-06-03T09:14:00+08:00`.
    Rfc3339(Tz),
    /// A native timestamp column with the timezone (Parquet).
    Native(Tz),
}

fn tz(zone: Tz) -> TimeZone {
    TimeZone::opt_try_new(Some(zone.name()))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC)
}

/// Puts the `timestamp` column (UTC) in the export's style.
pub fn style_timestamps(
    frame: DataFrame,
    column: &str,
    style: TimeStyle,
) -> PolarsResult<DataFrame> {
    let ts = col(column);
    let styled = match style {
        TimeStyle::LocalNaive(zone) => ts
            .dt()
            .convert_time_zone(tz(zone))
            .dt()
            .to_string("%Y-%m-%d %H:%M:%S"),
        TimeStyle::Rfc3339(zone) => ts
            .dt()
            .convert_time_zone(tz(zone))
            .dt()
            .to_string("%Y-%m-%dT%H:%M:%S%:z"),
        TimeStyle::Native(zone) => ts.dt().convert_time_zone(tz(zone)),
    };
    frame.lazy().with_column(styled.alias(column)).collect()
}

/// Writes `frame` to `path`; the extension picks the format.
pub fn write_frame(frame: &mut DataFrame, path: &Path) -> PolarsResult<()> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let base = name.trim_end_matches(".gz");
    let mut bytes = Vec::new();
    if base.ends_with(".csv") {
        CsvWriter::new(&mut bytes)
            .include_header(true)
            .finish(frame)?;
    } else if base.ends_with(".jsonl") || base.ends_with(".ndjson") {
        JsonWriter::new(&mut bytes)
            .with_json_format(JsonFormat::JsonLines)
            .finish(frame)?;
    } else if base.ends_with(".parquet") {
        ParquetWriter::new(&mut bytes).finish(frame)?;
    } else {
        return Err(polars_err!(InvalidOperation: "unknown output format for {}", path.display()));
    }
    if name.ends_with(".gz") {
        // flate2 writes a zero mtime and no file name: the same bytes on every run.
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&bytes)?;
        bytes = gz.finish()?;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}
