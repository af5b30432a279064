//! Excel workbooks (`.xlsx`, calamine) read as a table of text like a CSV file: the first
//! sheet or the stream's `sheet`, its first used row as the header. Each row keeps the number
//! Excel shows for it, so that a finding's row is the one the user sees, and a finding names
//! the sheet and the cell (`sheet "Q3", cell C14`). Dates stored as Excel serials (cells with
//! a date format) are written as `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD` when they have no time.
//! Before the workbook is opened its archive is held to the config's `limits` (a zip bomb
//! is refused by its declared sizes, never inflated).

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use polars::prelude::*;

use crate::config::Limits;

/// One sheet read as text.
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// `__row` (the row Excel shows) and a text column per header cell.
    pub frame: DataFrame,
    /// The header names with their column letters.
    pub letters: Vec<(String, String)>,
}

/// The column letters of 0-based column `index`: 0 → `A`, 26 → `AA`.
pub fn letters(index: u32) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A cell as the text a CSV export would hold (empty: `None`).
fn text(cell: &Data) -> Option<String> {
    match cell {
        Data::Empty => None,
        Data::String(s) => Some(s.clone()),
        Data::Bool(b) => Some(b.to_string()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(x) => Some(number(*x)),
        Data::Error(e) => Some(format!("{e}")),
        Data::DateTimeIso(s) => Some(s.replacen('T', " ", 1)),
        Data::DurationIso(s) => Some(s.clone()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let time = if ms == 0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else {
                format!("{h:02}:{mi:02}:{s:02}.{ms:03}")
            };
            let serial = dt.as_f64();
            if serial < 1.0 {
                Some(time)
            } else if serial.fract() == 0.0 {
                Some(format!("{y:04}-{mo:02}-{d:02}"))
            } else {
                Some(format!("{y:04}-{mo:02}-{d:02} {time}"))
            }
        }
    }
}

/// A number as written: whole numbers without a fraction, others to 15 significant digits
/// (what Excel shows), never in exponent form.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let digits = 15 - (x.abs().log10().floor() as i32 + 1);
    let text = format!("{:.*}", digits.clamp(0, 20) as usize, x);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Holds the workbook's archive to `limits` by the sizes its entries declare.
fn check_archive(path: &Path, limits: &Limits) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut archive =
        ::zip::ZipArchive::new(file).map_err(|e| format!("not an .xlsx workbook: {e}"))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| e.to_string())?;
        total = total.saturating_add(entry.size());
    }
    let compressed = std::fs::metadata(path).map(|m| m.len()).unwrap_or(1).max(1);
    let most = limits.inflated_mib.saturating_mul(1024 * 1024);
    let ratio_limited = total > 64 * 1024 * 1024 && total / compressed > limits.inflation_ratio;
    if total > most || ratio_limited {
        return Err(format!(
            "the workbook inflates to {} MiB, past limits.inflated_mib ({}) or limits.inflation_ratio ({})",
            total / (1024 * 1024),
            limits.inflated_mib,
            limits.inflation_ratio
        ));
    }
    Ok(())
}

/// Reads sheet `sheet` (the first when `None`) of the workbook at `path`.
pub fn read(path: &Path, sheet: Option<&str>, limits: &Limits) -> Result<Sheet, String> {
    let mut magic = [0u8; 4];
    let ole = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && magic == [0xD0, 0xCF, 0x11, 0xE0];
    if ole {
        return Err(
            "an Excel 97-2003 workbook (.xls), which is not read: save it as .xlsx (Excel: File > Save As > Excel Workbook) or as CSV UTF-8".into(),
        );
    }
    check_archive(path, limits)?;
    let mut book: Xlsx<_> = open_workbook(path).map_err(|e| format!("{e}"))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(format!(
                "the workbook has no sheet {s:?}; its sheets: {}",
                names.join(", ")
            ));
        }
        None => names.first().cloned().ok_or("the workbook has no sheet")?,
    };
    let range = book.worksheet_range(&name).map_err(|e| format!("{e}"))?;
    let Some((row0, col0)) = range.start() else {
        return Err(format!("sheet {name:?} is empty"));
    };
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(j, c)| {
                    text(c).unwrap_or_else(|| format!("column {}", letters(col0 + j as u32)))
                })
                .map(|h| h.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut numbers: Vec<u64> = Vec::new();
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for (i, row) in rows.enumerate() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        // The header is Excel row row0 + 1; this is row0 + 2 + i.
        numbers.push(u64::from(row0) + 2 + i as u64);
        for (j, column) in columns.iter_mut().enumerate() {
            column.push(row.get(j).and_then(text));
        }
    }
    let height = numbers.len();
    let rows = Column::new(super::ROW.into(), numbers)
        .cast(&IDX_DTYPE)
        .map_err(|e| e.to_string())?;
    let mut series = vec![rows];
    for (name, values) in header.iter().zip(columns) {
        series.push(Column::new(name.as_str().into(), values));
    }
    let frame = DataFrame::new(height, series).map_err(|e| e.to_string())?;
    let letters = header
        .iter()
        .enumerate()
        .map(|(j, h)| (h.clone(), letters(col0 + j as u32)))
        .collect();
    Ok(Sheet {
        name,
        frame,
        letters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_like_excels() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(2), "C");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(701), "ZZ");
        assert_eq!(letters(702), "AAA");
    }

    #[test]
    fn numbers_are_written_as_excel_shows_them() {
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(0.9291), "0.9291");
        assert_eq!(number(1200.5), "1200.5");
        assert_eq!(number(-7.25), "-7.25");
    }
}
