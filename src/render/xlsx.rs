//! The Excel annex of a bundle: a workbook of the document's record (summary.json of a report,
//! cohort.json of a cohort summary), a sheet per table, for the risk and regulator teams who
//! work in Excel. Each sheet has a bold frozen header row and an autofilter; numbers are
//! written as numbers with a format that shows their precision. The bytes depend only on the
//! record and the document's date (`SOURCE_DATE_EPOCH`), never on the clock.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A table of the workbook: its sheet name and its rows (JSON objects).
struct Table {
    name: String,
    rows: Vec<Map<String, Value>>,
}

/// The sheets of a report's record (summary-v1), in the order a reader wants them.
const REPORT_SHEETS: &[(&str, &str)] = &[
    ("metrics", "Metrics"),
    ("criteria", "Criteria"),
    ("reconciliation", "Reconciliation"),
    ("findings", "Findings"),
    ("series", "Weekly series"),
    ("incidents", "Incidents"),
    ("streams", "Streams"),
    ("inputs", "Inputs"),
];

/// The workbook of `record` (the JSON a document carries), dated `stamp`.
pub fn workbook(record: &[u8], stamp: DateTime<Utc>) -> Result<Vec<u8>> {
    let record: Value = serde_json::from_slice(record).map_err(Error::Serialise)?;
    let tables = tables(&record);
    write(&tables, stamp).map_err(|e| Error::Xlsx {
        reason: e.to_string(),
    })
}

/// The tables of a record: the known ones of summary-v1 in their order, then every other
/// top-level list of objects (a cohort's), and the traceability requirements.
fn tables(record: &Value) -> Vec<Table> {
    let Some(top) = record.as_object() else {
        return Vec::new();
    };
    let mut tables = vec![about(top)];
    let mut taken = Vec::new();
    for (key, title) in REPORT_SHEETS {
        if let Some(rows) = objects(top.get(*key)) {
            let rows = if *key == "series" { points(rows) } else { rows };
            tables.push(Table {
                name: title.to_string(),
                rows,
            });
            taken.push(*key);
        }
    }
    for (key, value) in top {
        if taken.contains(&key.as_str()) {
            continue;
        }
        if let Some(rows) = objects(Some(value)) {
            tables.push(Table {
                name: sheet_name(key),
                rows,
            });
        }
    }
    if let Some(rows) = objects(record.pointer("/traceability/requirements")) {
        tables.push(Table {
            name: "Traceability".into(),
            rows,
        });
    }
    tables.retain(|t| !t.rows.is_empty());
    tables
}

/// The record's identity: every top-level and `submission` value that is not a list, one row
/// per field.
fn about(top: &Map<String, Value>) -> Table {
    let mut flat = Map::new();
    for (key, value) in top {
        if !value.is_array() && key != "traceability" && key != "settings" {
            flatten(key, value, &mut flat);
        }
    }
    let rows = flat
        .into_iter()
        .filter(|(_, v)| !v.is_array() && !v.is_null())
        .map(|(field, value)| {
            let mut row = Map::new();
            row.insert("field".into(), Value::String(field));
            row.insert("value".into(), value);
            row
        })
        .collect();
    Table {
        name: "About".into(),
        rows,
    }
}

/// The objects of a list, each flattened (`segment.attribute`), or `None` when `value` is not
/// a non-empty list of objects.
fn objects(value: Option<&Value>) -> Option<Vec<Map<String, Value>>> {
    let list = value?.as_array()?;
    if list.is_empty() || !list.iter().all(Value::is_object) {
        return None;
    }
    Some(
        list.iter()
            .map(|item| {
                let mut flat = Map::new();
                for (key, value) in item.as_object().into_iter().flatten() {
                    flatten(key, value, &mut flat);
                }
                flat
            })
            .collect(),
    )
}

/// A weekly series' points, one row each, with the series' metric, stream and arm.
fn points(series: Vec<Map<String, Value>>) -> Vec<Map<String, Value>> {
    let mut rows = Vec::new();
    for s in series {
        let Some(Value::Array(points)) = s.get("points") else {
            continue;
        };
        for point in points {
            let mut row = Map::new();
            for key in ["metric", "stream", "arm"] {
                row.insert(key.into(), s.get(key).cloned().unwrap_or(Value::Null));
            }
            for (key, value) in point.as_object().into_iter().flatten() {
                flatten(key, value, &mut row);
            }
            rows.push(row);
        }
    }
    rows
}

/// `value` under `key`, nested objects as `key.inner` (in their order).
fn flatten(key: &str, value: &Value, into: &mut Map<String, Value>) {
    match value {
        Value::Object(inner) => {
            for (k, v) in inner {
                flatten(&format!("{key}.{k}"), v, into);
            }
        }
        // A null (no segment, no arm) is an empty cell, not a column of its own.
        Value::Null => {}
        other => {
            into.insert(key.to_string(), other.clone());
        }
    }
}

/// A key as a sheet name: `metric_table` → `Metric table` (at most 31 characters).
fn sheet_name(key: &str) -> String {
    let mut name: String = key.replace('_', " ");
    if let Some(first) = name.get(0..1) {
        name = first.to_uppercase() + &name[1..];
    }
    name.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// Columns shown first, in this order, where a table has them: what a row is, where it is,
/// then its value and interval (the rest follow in name order).
const FIRST_COLUMNS: &[&str] = &[
    "field",
    "id",
    "metric",
    "framework",
    "severity",
    "code",
    "stream",
    "kind",
    "file",
    "path",
    "row",
    "column",
    "segment.attribute",
    "segment.value",
    "arm",
    "period",
    "start",
    "value",
    "ci_low",
    "ci_high",
    "numerator",
    "denominator",
    "unit",
    "reported",
    "computed",
    "difference",
    "tolerance",
    "relative_tolerance",
    "status",
    "message",
];

/// The columns of a table: every key of its rows, [`FIRST_COLUMNS`] first.
fn columns(table: &Table) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for row in &table.rows {
        for key in row.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let rank = |c: &String| {
        FIRST_COLUMNS
            .iter()
            .position(|f| f == c)
            .unwrap_or(FIRST_COLUMNS.len())
    };
    columns.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    columns
}

fn write(tables: &[Table], stamp: DateTime<Utc>) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_timestamp(stamp.timestamp())?;
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title("sandbox-report annex"),
    );
    let header = Format::new().set_bold();
    let formats = Formats {
        whole: Format::new().set_num_format("#,##0"),
        decimal: Format::new().set_num_format("#,##0.0000"),
    };
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&table.name)?;
        let columns = columns(table);
        for (c, name) in columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, name, &header)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            for (c, name) in columns.iter().enumerate() {
                if let Some(value) = row.get(name) {
                    cell(sheet, r as u32 + 1, c as u16, value, &formats)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        let last = columns.len().saturating_sub(1) as u16;
        sheet.autofilter(0, 0, table.rows.len() as u32, last)?;
        for (c, name) in columns.iter().enumerate() {
            let widest = table
                .rows
                .iter()
                .filter_map(|row| row.get(name))
                .map(|v| shown(v).chars().count())
                .chain([name.chars().count() + 3])
                .max()
                .unwrap_or(8);
            sheet.set_column_width(c as u16, widest.clamp(6, 60) as f64 + 1.0)?;
        }
    }
    book.save_to_buffer()
}

struct Formats {
    whole: Format,
    decimal: Format,
}

/// One value: numbers as numbers (whole or with four decimals), the rest as text.
fn cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Value,
    formats: &Formats,
) -> std::result::Result<(), XlsxError> {
    match value {
        Value::Null => {}
        Value::Bool(b) => {
            sheet.write_boolean(row, col, *b)?;
        }
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            let format = if n.is_f64() && x.fract() != 0.0 {
                &formats.decimal
            } else {
                &formats.whole
            };
            sheet.write_number_with_format(row, col, x, format)?;
        }
        Value::String(s) => {
            let text: String = s.chars().take(32_000).collect();
            sheet.write_string(row, col, &text)?;
        }
        other => {
            sheet.write_string(row, col, shown(other))?;
        }
    }
    Ok(())
}

/// A value as text, for a list in a cell and for column widths.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        Value::Number(n) if n.is_f64() => format!("{:.4}", n.as_f64().unwrap_or(0.0)),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name("metric_table"), "Metric table");
        assert_eq!(sheet_name("a/b:c"), "Abc");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn the_same_record_and_date_give_the_same_bytes() {
        let record = br#"{"schema":"x","metrics":[{"id":"a","value":0.25,"segment":{"attribute":"age","value":"18-29"}}]}"#;
        let stamp = DateTime::from_timestamp(1_756_684_800, 0).unwrap();
        let one = workbook(record, stamp).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(one, workbook(record, stamp).unwrap());
    }
}
