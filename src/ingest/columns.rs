//! Which columns a stream's files have, against what the config expects: required columns
//! missing from a file, and columns the config maps by name that no file has (a typo in
//! `columns` would otherwise drop every metric that needs the column without a word). Both
//! name the closest names the files do have.

use std::collections::BTreeSet;

use polars::prelude::Schema;

use super::{FILE, Fail, Headers, ROW, StreamLayout};
use crate::config::FileFormat;
use crate::model::{Code, Finding};
use crate::schema::Presence;
use crate::suggest;

/// Required columns absent from one file, with the closest names it has.
pub(super) fn missing(
    layout: &StreamLayout,
    format: FileFormat,
    schema: &Schema,
    fail: &Fail,
) -> Vec<Finding> {
    let found: Vec<&str> = schema
        .iter_names()
        .map(|n| n.as_str())
        .filter(|n| *n != ROW && *n != FILE)
        .collect();
    let (noun, place) = super::format::adapter(format).names_word();
    layout
        .columns
        .iter()
        .filter(|spec| {
            matches!(
                spec.presence,
                Presence::Required | Presence::RequiredUnlessBenign | Presence::ColumnOnly
            )
        })
        .filter(|spec| !schema.contains(layout.source_name(&spec.name)))
        .map(|spec| {
            let source = layout.source_name(&spec.name);
            let mapped = if source == spec.name {
                String::new()
            } else {
                format!(" (canonical {:?})", spec.name)
            };
            let mut message = format!(
                "expected {noun} named {source:?}{mapped} {place}: {}",
                found.join(", ")
            );
            message.push_str(&closest_text(source, found.iter().copied()));
            fail(Code::ColumnMissing, None, Some(source.to_string()), message)
                .with_hint(missing_hint(layout, &spec.name, source, &found))
        })
        .collect()
}

/// The delimiter a CSV header read as one column holds, when it is not the one read with.
fn other_delimiter(layout: &StreamLayout, found: &[&str]) -> Option<char> {
    let [only] = found else { return None };
    [',', ';', '\t', '|']
        .into_iter()
        .filter(|&c| c as u8 != layout.read.csv.delimiter)
        .find(|&c| only.contains(c))
}

/// `; closest: "model_score", "score_v2"` or nothing.
fn closest_text<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let close = suggest::closest(name, candidates, 3);
    if close.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = close.iter().map(|c| format!("{c:?}")).collect();
        format!("; closest: {}", quoted.join(", "))
    }
}

fn missing_hint(layout: &StreamLayout, canonical: &str, source: &str, found: &[&str]) -> String {
    if let Some(delimiter) = other_delimiter(layout, found) {
        let shown = match delimiter {
            '\t' => "\\t".to_string(),
            c => c.to_string(),
        };
        let read = (layout.read.csv.delimiter as char).to_string();
        return format!(
            "the header is one name holding {shown:?}: the file separates its fields with {shown:?}, not {read:?}; add `csv: {{ delimiter: \"{shown}\" }}` to the stream (docs/config.md)"
        );
    }
    if layout.segments.iter().any(|s| s == canonical) {
        return format!(
            "`segments` lists {canonical:?}, so every stream it applies to needs that column; give this stream its own list (`segments: []` under the stream) if it has no such column"
        );
    }
    match suggest::closest(source, found.iter().copied(), 1).first() {
        Some(close) => format!("map it in the config with `columns: {{ {canonical}: {close} }}`"),
        None => format!(
            "map the file's column in the config with `columns: {{ {canonical}: YOUR_COLUMN }}`"
        ),
    }
}

/// Columns the config's `columns` maps by name that no readable file of the stream has.
/// Required columns are left to `missing`, which names them per file already.
pub(super) fn mapped_but_absent(
    layout: &StreamLayout,
    headers: &Headers,
    earlier: &[Finding],
) -> Vec<Finding> {
    if headers.is_empty() {
        return Vec::new();
    }
    let reported = |source: &str| {
        earlier
            .iter()
            .any(|f| f.code == Code::ColumnMissing && f.column.as_deref() == Some(source))
    };
    let names: BTreeSet<&str> = headers
        .iter()
        .flat_map(|(_, names)| names.iter().map(String::as_str))
        .filter(|n| *n != ROW && *n != FILE)
        .collect();
    let files: Vec<&str> = headers.iter().map(|(file, _)| file.as_str()).collect();
    layout
        .rename
        .iter()
        .filter(|(_, source)| !names.contains(source.as_str()) && !reported(source))
        .map(|(canonical, source)| {
            let message = format!(
                "the config maps {canonical} to {source:?} (under columns), but no file of the stream has a column {source:?} (files: {}){}",
                file_list(&files),
                closest_text(source, names.iter().copied())
            );
            let hint = match suggest::closest(source, names.iter().copied(), 1).first() {
                Some(close) => format!("fix the name: `columns: {{ {canonical}: {close} }}`, or remove the mapping if the stream has no {canonical}"),
                None => format!("fix the name in `columns`, or remove the mapping if the stream has no {canonical}"),
            };
            Finding::new(Code::ColumnMappedAbsent, message)
                .in_stream(layout.name.clone())
                .in_file((files.len() == 1).then(|| files[0].to_string()))
                .in_column(Some(source.clone()))
                .with_hint(hint)
        })
        .collect()
}

/// At most five file names, then how many more.
fn file_list(files: &[&str]) -> String {
    let mut text = files.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if files.len() > 5 {
        text.push_str(&format!(" and {} more", files.len() - 5));
    }
    text
}
