//! Lazy polars scans of one input file, by format, each with a 1-based `__row` index: the data
//! row of a CSV file (header excluded), the line of a JSON Lines file, the row of a Parquet file.

use std::path::Path;

use polars::prelude::*;

use crate::config::FileFormat;

/// Name of the row-index column every scan adds.
pub const ROW: &str = "__row";
/// Name of the column holding the file's display path.
pub const FILE: &str = "__file";

fn row_index() -> Option<RowIndex> {
    Some(RowIndex {
        name: ROW.into(),
        offset: 1,
    })
}

fn pl_path(path: &Path) -> PolarsResult<PlRefPath> {
    PlRefPath::try_from_path(path)
}

/// JSON Lines values may change type from line to line (`true` here, `1` there); reading
/// every key as text keeps them all, as written, for validation to parse.
fn scan_jsonl(path: &Path) -> PolarsResult<LazyFrame> {
    let mut inferred = LazyJsonLineReader::new(pl_path(path)?)
        .with_infer_schema_length(None)
        .finish()?;
    let as_text: Schema = inferred
        .collect_schema()?
        .iter_names()
        .map(|name| Field::new(name.clone(), DataType::String))
        .collect();
    LazyJsonLineReader::new(pl_path(path)?)
        .with_schema(Some(Arc::new(as_text)))
        .with_row_index(row_index())
        .finish()
}

/// Scans a CSV file with the columns of `typed` parsed by the reader into their types, the
/// others as text.
pub fn scan_csv_typed(path: &Path, typed: Schema) -> PolarsResult<LazyFrame> {
    csv_reader(path)?
        .with_dtype_overwrite(Some(Arc::new(typed)))
        .finish()
}

fn csv_reader(path: &Path) -> PolarsResult<LazyCsvReader> {
    Ok(LazyCsvReader::new(pl_path(path)?)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_row_index(row_index())
        .with_missing_is_null(true)
        .with_truncate_ragged_lines(false))
}

/// Scans one file. CSV and JSON Lines columns are read as text; Parquet keeps its types,
/// which [`super::text`] turns into text afterwards. Gzip is detected by content.
pub fn scan(path: &Path, format: FileFormat) -> PolarsResult<LazyFrame> {
    match format {
        FileFormat::Csv | FileFormat::Auto => csv_reader(path)?.finish(),
        FileFormat::Jsonl => scan_jsonl(path),
        FileFormat::Parquet => {
            let args = ScanArgsParquet {
                row_index: row_index(),
                ..Default::default()
            };
            LazyFrame::scan_parquet(pl_path(path)?, args)
        }
    }
}
