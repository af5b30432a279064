//! Lazy polars scans of one input file, by format, each with a 1-based `__row` index: the data
//! row of a CSV file (header excluded), the line of a JSON Lines file, the row of a Parquet file.

use std::path::Path;

use polars::prelude::*;

use super::format::CsvOptions;

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
pub(super) fn scan_jsonl(path: &Path) -> PolarsResult<LazyFrame> {
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
pub fn scan_csv_typed(path: &Path, typed: Schema, dialect: &CsvOptions) -> PolarsResult<LazyFrame> {
    csv_reader(path, dialect)?
        .with_decimal_comma(dialect.decimal_comma)
        .with_dtype_overwrite(Some(Arc::new(typed)))
        .finish()
}

fn csv_reader(path: &Path, dialect: &CsvOptions) -> PolarsResult<LazyCsvReader> {
    Ok(LazyCsvReader::new(pl_path(path)?)
        .with_separator(dialect.delimiter)
        .with_quote_char(Some(dialect.quote))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_row_index(row_index())
        .with_missing_is_null(true)
        .with_truncate_ragged_lines(false))
}

/// Scans a CSV file with every column as text. Gzip is detected by content.
pub(super) fn scan_csv(path: &Path, dialect: &CsvOptions) -> PolarsResult<LazyFrame> {
    csv_reader(path, dialect)?.finish()
}

/// Scans a Parquet file with its columns as stored (see [`super::text`] for their text).
pub(super) fn scan_parquet(path: &Path) -> PolarsResult<LazyFrame> {
    let args = ScanArgsParquet {
        row_index: row_index(),
        ..Default::default()
    };
    LazyFrame::scan_parquet(pl_path(path)?, args)
}
