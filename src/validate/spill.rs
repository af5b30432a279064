//! The clean rows of a stream: held in memory while they are few, written to a temporary
//! Parquet file, all the held rows as one file, each time they pass a limit, so that memory does
//! not grow with the row count. The metrics read them back part by part (each file, then the
//! rows still held; see `parts::Rows`), column by column, as each query needs.
//! The files live in a temporary folder (under `TMPDIR`) removed when the run ends.

use std::path::PathBuf;

use polars::prelude::*;

use crate::parts::Rows;

/// Column of the clean rows of a stream with event ids: the row's file and row in one number
/// (see `ids::row_key`), to leave out the repeats found once every file is read.
pub(super) const ROW_KEY: &str = "__row_key";

/// A stream's clean rows (see the module doc).
#[derive(Debug)]
pub struct CleanRows {
    held: Vec<DataFrame>,
    /// Rows in `held`.
    held_rows: u64,
    /// The files written, each with its number of rows.
    spilled: Vec<(PathBuf, u64)>,
    dir: Option<tempfile::TempDir>,
    schema: Option<SchemaRef>,
    /// Rows pushed so far, and the rows held before writing to disk.
    rows: u64,
    limit: u64,
    /// Keys (`ROW_KEY`) of repeated event ids, left out; and how many clean rows they are.
    repeated: Option<Series>,
    repeated_rows: u64,
}

/// A point to go back to when a file fails halfway (its rows are left out with it).
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    rows: u64,
}

impl CleanRows {
    /// Empty, writing the held rows to one file once more than `limit` rows are held.
    pub(super) fn new(limit: u64) -> CleanRows {
        CleanRows {
            held: Vec::new(),
            held_rows: 0,
            spilled: Vec::new(),
            dir: None,
            schema: None,
            rows: 0,
            limit,
            repeated: None,
            repeated_rows: 0,
        }
    }

    /// Whether nothing, not even an empty batch, was pushed yet.
    pub(super) fn is_unset(&self) -> bool {
        self.schema.is_none()
    }

    pub(super) fn mark(&self) -> Mark {
        Mark { rows: self.rows }
    }

    /// Forgets the rows pushed since `mark`: files written since are removed, a file that
    /// holds rows from both sides of it is written again with the earlier rows only.
    pub(super) fn truncate(&mut self, mark: Mark) -> PolarsResult<()> {
        let keep = mark.rows;
        let mut start = 0;
        let mut kept = Vec::new();
        for (path, rows) in std::mem::take(&mut self.spilled) {
            if start + rows <= keep {
                kept.push((path, rows));
            } else if start < keep {
                let mut earlier = LazyFrame::scan_parquet(
                    PlRefPath::try_from_path(&path)?,
                    ScanArgsParquet::default(),
                )?
                .slice(0, (keep - start) as u32)
                .collect()?;
                write_parquet(&path, &mut earlier)?;
                kept.push((path, keep - start));
            } else {
                let _ = std::fs::remove_file(path);
            }
            start += rows;
        }
        self.spilled = kept;
        // The held rows come after every file.
        let mut room = keep.saturating_sub(start);
        let mut held = Vec::new();
        for frame in std::mem::take(&mut self.held) {
            let take = (frame.height() as u64).min(room);
            room -= take;
            if take > 0 {
                held.push(frame.slice(0, take as usize));
            }
        }
        self.held = held;
        self.held_rows = self.held.iter().map(|f| f.height() as u64).sum();
        self.rows = keep;
        Ok(())
    }

    /// Adds a batch of clean rows.
    pub(super) fn push(&mut self, part: DataFrame) -> PolarsResult<()> {
        if self.schema.is_none() {
            self.schema = Some(part.schema().clone());
        } else if part.height() == 0 {
            return Ok(());
        }
        self.rows += part.height() as u64;
        self.held_rows += part.height() as u64;
        self.held.push(part);
        if self.held_rows > self.limit {
            let held: Vec<LazyFrame> = std::mem::take(&mut self.held)
                .into_iter()
                .map(IntoLazy::lazy)
                .collect();
            let mut part = concat(held, UnionArgs::default())?.collect()?;
            self.write(&mut part)?;
            self.held_rows = 0;
        }
        Ok(())
    }

    fn write(&mut self, part: &mut DataFrame) -> PolarsResult<()> {
        if self.dir.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("sandbox-report-")
                .tempdir()?;
            self.dir = Some(dir);
        }
        let dir = self
            .dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default();
        let path = dir.join(format!("part-{:06}.parquet", self.spilled.len()));
        write_parquet(&path, part)?;
        self.spilled.push((path, part.height() as u64));
        Ok(())
    }

    /// Leaves out the rows with these keys (repeated event ids).
    pub(super) fn leave_out(&mut self, keys: Series) -> PolarsResult<()> {
        let counted = Rows::new(self.raw_parts()?)
            .filter(col(ROW_KEY).is_in(lit(keys.clone()).implode(false), false))
            .sum_by(&[], &[len()])?;
        self.repeated_rows = counted
            .column("len")?
            .cast(&DataType::UInt64)?
            .u64()?
            .get(0)
            .unwrap_or(0);
        self.repeated = Some(keys);
        Ok(())
    }

    /// The number of clean rows.
    pub fn height(&self) -> usize {
        (self.rows - self.repeated_rows) as usize
    }

    /// Every pushed row, with `ROW_KEY` when the stream has one.
    fn all(&self) -> PolarsResult<LazyFrame> {
        concat(self.raw_parts()?, UnionArgs::default())
    }

    /// The clean rows, to be read lazily.
    pub fn lazy(&self) -> PolarsResult<LazyFrame> {
        Ok(self.without_repeats(self.all()?))
    }

    /// The clean rows in parts to be read one at a time (see `parts::Rows`).
    pub fn rows(&self) -> PolarsResult<Rows> {
        Ok(Rows::new(
            self.raw_parts()?
                .into_iter()
                .map(|part| self.without_repeats(part))
                .collect(),
        ))
    }

    /// The pushed rows in the order they were read: each file written to disk, then the rows
    /// still held, as one part. At least one part (empty, with the columns, when no rows are).
    fn raw_parts(&self) -> PolarsResult<Vec<LazyFrame>> {
        let mut parts = Vec::with_capacity(self.spilled.len() + 1);
        for (path, _) in &self.spilled {
            parts.push(LazyFrame::scan_parquet(
                PlRefPath::try_from_path(path)?,
                ScanArgsParquet::default(),
            )?);
        }
        let held: Vec<LazyFrame> = self.held.iter().map(|d| d.clone().lazy()).collect();
        if !held.is_empty() {
            parts.push(concat(held, UnionArgs::default())?);
        } else if parts.is_empty() {
            let schema = self.schema.clone().unwrap_or_default();
            parts.push(DataFrame::empty_with_schema(&schema).lazy());
        }
        Ok(parts)
    }

    /// `rows` without the repeated event ids and without `ROW_KEY`.
    fn without_repeats(&self, mut rows: LazyFrame) -> LazyFrame {
        let schema = self.schema.clone().unwrap_or_default();
        if !schema.contains(ROW_KEY) {
            return rows;
        }
        if let Some(keys) = &self.repeated {
            rows = rows.filter(
                col(ROW_KEY)
                    .is_in(lit(keys.clone()).implode(false), false)
                    .not(),
            );
        }
        rows.drop(by_name([ROW_KEY], true, false))
    }

    /// The clean rows in memory (for small streams: key performance indicators).
    pub fn collect(&self) -> PolarsResult<DataFrame> {
        self.lazy()?.collect()
    }
}

fn write_parquet(path: &std::path::Path, part: &mut DataFrame) -> PolarsResult<()> {
    let file = std::fs::File::create(path)?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions::empty())
        .finish(part)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(keys: [u64; 2], scores: [f64; 2]) -> DataFrame {
        df!("score" => scores, ROW_KEY => keys).unwrap()
    }

    fn scores(rows: &CleanRows) -> Vec<f64> {
        let frame = rows.collect().unwrap();
        assert!(frame.column(ROW_KEY).is_err(), "the key is dropped");
        frame
            .column("score")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    #[test]
    fn rows_beyond_the_limit_go_to_disk_and_come_back_in_order() {
        let mut rows = CleanRows::new(3);
        rows.push(part([1, 2], [0.1, 0.2])).unwrap();
        assert!(rows.spilled.is_empty());
        let mark = rows.mark();
        rows.push(part([3, 4], [0.3, 0.4])).unwrap();
        let sizes = |rows: &CleanRows| rows.spilled.iter().map(|(_, n)| *n).collect::<Vec<_>>();
        assert_eq!(
            sizes(&rows),
            [4],
            "the held rows written as one file past the limit"
        );
        rows.push(part([5, 6], [0.5, 0.6])).unwrap();
        // A file that fails halfway: its rows are forgotten, held and on disk, also from the
        // temporary file that holds rows of the file before.
        rows.truncate(mark).unwrap();
        assert_eq!(sizes(&rows), [2]);
        assert_eq!(rows.height(), 2);
        rows.push(part([7, 8], [0.7, 0.8])).unwrap();
        let mark = rows.mark();
        rows.push(part([9, 10], [0.9, 1.0])).unwrap();
        assert_eq!(sizes(&rows), [2, 4]);
        rows.truncate(mark).unwrap();
        assert_eq!(sizes(&rows), [2, 2]);
        assert_eq!(scores(&rows), [0.1, 0.2, 0.7, 0.8]);
        rows.leave_out(Series::new("k".into(), [2u64, 7, 99]))
            .unwrap();
        assert_eq!(rows.height(), 2);
        assert_eq!(scores(&rows), [0.1, 0.8]);
    }

    #[test]
    fn an_empty_stream_keeps_its_columns() {
        let mut rows = CleanRows::new(3);
        rows.push(df!("score" => Vec::<f64>::new()).unwrap())
            .unwrap();
        let frame = rows.collect().unwrap();
        assert_eq!(frame.height(), 0);
        assert!(frame.column("score").is_ok());
    }
}
