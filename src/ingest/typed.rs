//! Typed reading: the columns a reader can hand over in their canonical type straight away,
//! so that most values are never turned into text and parsed back. A CSV reader parses the
//! numbers and `true`/`false` itself; a Parquet file's numbers, booleans and timestamps are
//! used as stored. A column with a `values` mapping stays text (it has to be mapped first).
//!
//! A CSV value the typed reader refuses (`yes`, `1,5`, a stray word) stops the typed read; the
//! file is then read again as text, where every value is parsed and reported as written. The
//! same second read happens when a finding has to show a typed CSV value as written: only
//! files that have shown a problem are read twice.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::text;
use crate::config::FileFormat;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The typed columns in their canonical type, the others as text.
    Typed,
    /// Every column as text (the fallback that shows every value as written).
    Text,
}

/// The canonical columns a file reads typed, with the type the reader gives them.
pub type Typed = BTreeMap<String, DataType>;

/// The text of canonical column `name` as the file holds it, for a finding's "found": the
/// column itself when it is read as text, a Parquet value written out, `None` for a typed
/// CSV value (its text is gone: the file has to be read again as text).
pub(crate) fn text_of(name: &str, typed: &Typed, format: FileFormat) -> Option<Expr> {
    match typed.get(name) {
        None => Some(col(name)),
        Some(_) if !super::format::adapter(format).keeps_typed_text() => None,
        Some(dtype) => text::as_text(col(name), dtype),
    }
}
