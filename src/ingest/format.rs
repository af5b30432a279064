//! The one input-format abstraction: everything ingestion does differently per format sits
//! behind [`InputFormat`], one adapter per format (CSV, JSON Lines, Parquet), so that ingest
//! asks its file's adapter instead of branching on the format. An adapter owns its file name
//! endings (what `format: auto` resolves, see `discover`), its scan, which columns its reader
//! types, the checks before a file is scanned, and the diagnosis of a failed read. A new
//! format (a red-team tool's result file, an Excel workbook) is one more adapter here.

use std::path::Path;

use polars::prelude::*;

use super::diagnose::{self, Diagnosis};
use super::scan;
use crate::config::{FileFormat, GarakOptions, InspectOptions, Limits, PromptfooOptions};
use crate::model::Code;
use crate::schema::ColumnType;

/// How a stream's files are read, beyond their format: the settings of the tools' formats.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ReadOptions {
    pub garak: GarakOptions,
    pub promptfoo: PromptfooOptions,
    /// `None` on a stream without `inspect:`, which cannot read an Inspect log.
    pub inspect: Option<InspectOptions>,
    /// The config's limits, for archives unpacked while they are read.
    pub limits: Limits,
    /// How the stream's CSV files are written.
    pub csv: CsvOptions,
    /// The sheet of an Excel workbook to read (default: the first).
    pub sheet: Option<String>,
}

/// A CSV dialect: the field delimiter, the quote character, and whether numbers are written
/// with a decimal comma (`0,25`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: u8,
    pub quote: u8,
    pub decimal_comma: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            quote: b'"',
            decimal_comma: false,
        }
    }
}

/// What ingestion needs to know of one input format.
pub(crate) trait InputFormat: Sync {
    /// Whether a file with one of its endings is this format by its content (a garak report
    /// is a `.jsonl` file whose first line is a garak record); by default every such file is.
    fn sniff(&self, _path: &Path) -> bool {
        true
    }

    /// Whether its files belong to redteam streams only (a red-team tool's results).
    fn redteam_only(&self) -> bool {
        false
    }

    /// Facts recorded with the evidence once the file is read (the tool run it came from).
    fn notes(&self, _path: &Path, _options: &ReadOptions) -> Vec<(Code, String)> {
        Vec::new()
    }

    /// File name endings read with `format: auto`, lower-case (`.csv.gz` before `.csv` does
    /// not matter: each ending is matched whole).
    fn suffixes(&self) -> &'static [&'static str];

    /// Whether the file is text held to the limits of its first read (`guard`).
    fn is_text(&self) -> bool {
        true
    }

    /// Whether its lines are rows, held to the line limit (a JSON document may be one line).
    fn limits_lines(&self) -> bool {
        true
    }

    /// The row a finding names for line `line` (1-based) of the file.
    fn row_of_line(&self, line: u64) -> u64 {
        line
    }

    /// What the file's text is called when its bytes show another type (`expected CSV text`).
    fn text_name(&self) -> Option<&'static str> {
        None
    }

    /// Whether a UTF-16 file is refused before it is scanned (polars reads it as garbage).
    fn refuses_utf16(&self) -> bool {
        false
    }

    /// Whether a byte-order mark must be taken off (into a copy) before polars reads it.
    fn strips_bom(&self) -> bool {
        false
    }

    /// The file's scan with `__row`: every column as text, or as stored (Parquet).
    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame>;

    /// The scan reading the `typed` columns (the bank's names, with their types) typed; `text`
    /// is the file's scan from [`InputFormat::scan`]. By default the same scan: a format that
    /// keeps its types (Parquet) or reads every value as text (JSON Lines) needs no other.
    fn typed_scan(
        &self,
        _path: &Path,
        text: &LazyFrame,
        _typed: Schema,
        _options: &ReadOptions,
    ) -> PolarsResult<LazyFrame> {
        Ok(text.clone())
    }

    /// The type the reader gives a column of input type `ty` stored as `stored`, or `None`
    /// when it is read as text (by default every column).
    fn read_type(&self, _ty: ColumnType, _stored: &DataType) -> Option<DataType> {
        None
    }

    /// Whether a typed value's text is in the typed frame (Parquet: written out from the
    /// value), or gone (a typed CSV value: the file is read again as text).
    fn keeps_typed_text(&self) -> bool {
        false
    }

    /// Whether the file is read in batches on polars' streaming engine (else whole).
    fn chunked(&self, path: &Path) -> bool;

    /// Whether polars pads a row with too few fields with nulls, so that a null in the last
    /// column calls for the structure check after the read (CSV).
    fn pads_short_rows(&self) -> bool {
        false
    }

    /// How a file's column names are called in messages: (one of them, where they are).
    fn names_word(&self) -> (&'static str, &'static str) {
        ("a column", "in the header, found columns")
    }

    /// Where a failed read went wrong, and the finding code for it, when the format can say.
    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)>;

    /// [`InputFormat::diagnose`] for a format whose reading depends on the stream's options.
    fn diagnose_with(&self, path: &Path, _options: &ReadOptions) -> Option<(Code, Diagnosis)> {
        self.diagnose(path)
    }

    /// The line of each record (1-based) when it differs from the record's number, for the
    /// findings of a file with blank lines.
    fn record_lines(&self, _path: &Path) -> Option<Vec<u64>> {
        None
    }

    /// What a finding at each row calls the row besides its number, when the file has its
    /// own names for rows (an Inspect log's sample and epoch): (row, name).
    fn row_names(&self, _path: &Path, _options: &ReadOptions) -> Option<Vec<(u64, String)>> {
        None
    }

    /// The sheet and column letters a workbook's findings name (Excel).
    fn cell_names(&self, _path: &Path, _options: &ReadOptions) -> Option<CellNames> {
        None
    }
}

struct Csv;
struct JsonLines;
struct Parquet;
struct Garak;
struct Promptfoo;
struct Inspect;
struct Excel;

impl InputFormat for Excel {
    fn suffixes(&self) -> &'static [&'static str] {
        // `.xls` is claimed to be refused by name (below), never skipped in a folder.
        &[".xlsx", ".xls"]
    }

    fn is_text(&self) -> bool {
        false
    }

    fn limits_lines(&self) -> bool {
        false
    }

    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame> {
        match super::excel::read(path, options.sheet.as_deref(), &options.limits) {
            Ok(sheet) => Ok(sheet.frame.lazy()),
            Err(e) => polars_bail!(ComputeError: "{e}"),
        }
    }

    fn chunked(&self, _path: &Path) -> bool {
        false
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a column", "in the sheet's first row, found columns")
    }

    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)> {
        self.diagnose_with(path, &ReadOptions::default())
    }

    fn diagnose_with(&self, path: &Path, options: &ReadOptions) -> Option<(Code, Diagnosis)> {
        let error = super::excel::read(path, options.sheet.as_deref(), &options.limits).err()?;
        let code = if error.contains("limits.inflated_mib") {
            Code::FileTooLarge
        } else {
            Code::FileUnreadable
        };
        let diagnosis = Diagnosis {
            row: 0,
            column: None,
            message: format!("cannot read the Excel workbook: {error}"),
        };
        Some((code, diagnosis))
    }

    fn cell_names(&self, path: &Path, options: &ReadOptions) -> Option<CellNames> {
        let sheet = super::excel::read(path, options.sheet.as_deref(), &options.limits).ok()?;
        Some(CellNames {
            sheet: sheet.name,
            letters: sheet.letters,
        })
    }
}

/// How a workbook names a finding's place: its sheet, and each header's column letters.
pub(crate) struct CellNames {
    pub sheet: String,
    pub letters: Vec<(String, String)>,
}

impl CellNames {
    /// `sheet "Q3", cell C14` (or `sheet "Q3"` without a column).
    pub fn place(&self, row: u64, column: Option<&str>) -> String {
        let letter = column.and_then(|c| self.letters.iter().find(|(h, _)| h == c));
        match letter {
            Some((_, l)) => format!("sheet {:?}, cell {l}{row}", self.sheet),
            None => format!("sheet {:?}", self.sheet),
        }
    }
}

/// An Inspect log read with the stream's `inspect:` block (an error without one).
fn inspect_samples(
    path: &Path,
    options: &ReadOptions,
) -> Result<super::inspect::Samples, super::garak::Unreadable> {
    match &options.inspect {
        Some(inspect) => super::inspect::read(path, inspect, &options.limits),
        None => Err(super::garak::Unreadable::at(
            None,
            "an Inspect AI log needs the stream's `inspect:` block (where a sample's category and success are)",
        )),
    }
}

impl InputFormat for Inspect {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".eval", ".json"]
    }

    fn sniff(&self, path: &Path) -> bool {
        super::inspect::sniff(path)
    }

    fn redteam_only(&self) -> bool {
        true
    }

    fn limits_lines(&self) -> bool {
        false
    }

    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame> {
        match inspect_samples(path, options) {
            Ok(samples) => Ok(samples.frame.lazy()),
            Err(e) => polars_bail!(ComputeError: "{}", e.message),
        }
    }

    fn notes(&self, path: &Path, options: &ReadOptions) -> Vec<(Code, String)> {
        inspect_samples(path, options)
            .map(|samples| samples.notes)
            .unwrap_or_default()
    }

    fn chunked(&self, _path: &Path) -> bool {
        false
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a field", "in the log's samples, found fields")
    }

    fn diagnose(&self, _path: &Path) -> Option<(Code, Diagnosis)> {
        None
    }

    fn row_names(&self, path: &Path, options: &ReadOptions) -> Option<Vec<(u64, String)>> {
        let samples = inspect_samples(path, options).ok()?;
        let rows = samples
            .frame
            .column(super::ROW)
            .ok()?
            .cast(&DataType::UInt64)
            .ok()?;
        let names = samples.frame.column("sample").ok()?.str().ok()?.clone();
        let rows = rows.u64().ok()?.clone();
        Some(
            rows.iter()
                .zip(names.iter())
                .filter_map(|(row, name)| Some((row?, format!("Inspect sample {}", name?))))
                .collect(),
        )
    }

    fn diagnose_with(&self, path: &Path, options: &ReadOptions) -> Option<(Code, Diagnosis)> {
        let error = inspect_samples(path, options).err()?;
        let code = if error.message.contains("limits.inflated_mib") {
            Code::FileTooLarge
        } else {
            Code::ToolResultInvalid
        };
        let diagnosis = Diagnosis {
            row: error.line.unwrap_or(0),
            column: None,
            message: format!("cannot read the Inspect AI log: {}", error.message),
        };
        Some((code, diagnosis))
    }
}

impl InputFormat for Promptfoo {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".json", ".jsonl"]
    }

    fn sniff(&self, path: &Path) -> bool {
        super::promptfoo::sniff(path)
    }

    fn redteam_only(&self) -> bool {
        true
    }

    fn limits_lines(&self) -> bool {
        false
    }

    fn text_name(&self) -> Option<&'static str> {
        Some("promptfoo output")
    }

    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame> {
        match super::promptfoo::read(path, &options.promptfoo) {
            Ok(outputs) => Ok(outputs.frame.lazy()),
            Err(e) => polars_bail!(ComputeError: "{}", e.message),
        }
    }

    fn notes(&self, path: &Path, options: &ReadOptions) -> Vec<(Code, String)> {
        super::promptfoo::read(path, &options.promptfoo)
            .map(|outputs| outputs.notes)
            .unwrap_or_default()
    }

    fn chunked(&self, _path: &Path) -> bool {
        false
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a field", "in the output's results, found fields")
    }

    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)> {
        // The eval time a .jsonl output lacks is the config's to give, not the file's fault;
        // any other failure is located in the file.
        let options = PromptfooOptions {
            run_started: Some("1970-01-01T00:00:00Z".into()),
        };
        let error = super::promptfoo::read(path, &options)
            .err()
            .or_else(|| super::promptfoo::read(path, &PromptfooOptions::default()).err())?;
        let diagnosis = Diagnosis {
            row: error.line.unwrap_or(0),
            column: None,
            message: format!("cannot read the promptfoo output: {}", error.message),
        };
        Some((Code::ToolResultInvalid, diagnosis))
    }
}

impl InputFormat for Garak {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".jsonl"]
    }

    fn sniff(&self, path: &Path) -> bool {
        super::garak::sniff(path)
    }

    fn redteam_only(&self) -> bool {
        true
    }

    fn text_name(&self) -> Option<&'static str> {
        Some("garak report")
    }

    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame> {
        match super::garak::read(path, &options.garak) {
            Ok(report) => Ok(report.frame.lazy()),
            Err(e) => polars_bail!(ComputeError: "{}", e.message),
        }
    }

    fn notes(&self, path: &Path, options: &ReadOptions) -> Vec<(Code, String)> {
        super::garak::read(path, &options.garak)
            .map(|report| vec![(Code::ToolRunRead, report.note)])
            .unwrap_or_default()
    }

    fn chunked(&self, _path: &Path) -> bool {
        false
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a field", "in the report's attempts, found fields")
    }

    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)> {
        let error = super::garak::read(path, &GarakOptions::default()).err()?;
        let diagnosis = Diagnosis {
            row: error.line.unwrap_or(0),
            column: None,
            message: format!("cannot read the garak report: {}", error.message),
        };
        Some((super::garak::UNREADABLE, diagnosis))
    }
}

impl InputFormat for Csv {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".csv", ".csv.gz"]
    }

    fn row_of_line(&self, line: u64) -> u64 {
        // Line 1 is the header, row 0.
        line.saturating_sub(1)
    }

    fn text_name(&self) -> Option<&'static str> {
        Some("CSV")
    }

    fn refuses_utf16(&self) -> bool {
        true
    }

    fn scan(&self, path: &Path, options: &ReadOptions) -> PolarsResult<LazyFrame> {
        scan::scan_csv(path, &options.csv)
    }

    fn typed_scan(
        &self,
        path: &Path,
        _text: &LazyFrame,
        typed: Schema,
        options: &ReadOptions,
    ) -> PolarsResult<LazyFrame> {
        scan::scan_csv_typed(path, typed, &options.csv)
    }

    fn read_type(&self, ty: ColumnType, _stored: &DataType) -> Option<DataType> {
        match ty {
            ColumnType::Float { .. } | ColumnType::Int { .. } => Some(DataType::Float64),
            ColumnType::Bool => Some(DataType::Boolean),
            _ => None,
        }
    }

    fn chunked(&self, path: &Path) -> bool {
        // polars reads a gzip file whole.
        !diagnose::is_gzip(path)
    }

    fn pads_short_rows(&self) -> bool {
        true
    }

    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)> {
        self.diagnose_with(path, &ReadOptions::default())
    }

    fn diagnose_with(&self, path: &Path, options: &ReadOptions) -> Option<(Code, Diagnosis)> {
        diagnose::csv(path, &options.csv).map(|d| (Code::CsvMalformed, d))
    }
}

impl InputFormat for JsonLines {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"]
    }

    fn text_name(&self) -> Option<&'static str> {
        Some("JSON Lines")
    }

    fn strips_bom(&self) -> bool {
        true
    }

    fn scan(&self, path: &Path, _options: &ReadOptions) -> PolarsResult<LazyFrame> {
        scan::scan_jsonl(path)
    }

    fn chunked(&self, _path: &Path) -> bool {
        false
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a key", "in the file's records, found keys")
    }

    fn diagnose(&self, path: &Path) -> Option<(Code, Diagnosis)> {
        diagnose::jsonl(path).map(|d| {
            let code = if d.column.is_some() {
                Code::ColumnTypeUnsupported
            } else {
                Code::JsonlMalformed
            };
            (code, d)
        })
    }

    fn record_lines(&self, path: &Path) -> Option<Vec<u64>> {
        diagnose::jsonl_record_lines(path)
    }
}

impl InputFormat for Parquet {
    fn suffixes(&self) -> &'static [&'static str] {
        &[".parquet", ".pq"]
    }

    fn is_text(&self) -> bool {
        false
    }

    fn scan(&self, path: &Path, _options: &ReadOptions) -> PolarsResult<LazyFrame> {
        scan::scan_parquet(path)
    }

    fn read_type(&self, ty: ColumnType, stored: &DataType) -> Option<DataType> {
        let numeric = matches!(ty, ColumnType::Float { .. } | ColumnType::Int { .. });
        let keep = (numeric && stored.is_primitive_numeric())
            || (ty == ColumnType::Bool && stored.is_bool())
            || (ty == ColumnType::Timestamp && matches!(stored, DataType::Datetime(..)));
        keep.then(|| stored.clone())
    }

    fn keeps_typed_text(&self) -> bool {
        true
    }

    fn chunked(&self, _path: &Path) -> bool {
        true
    }

    fn names_word(&self) -> (&'static str, &'static str) {
        ("a column", "in the file, found columns")
    }

    fn diagnose(&self, _path: &Path) -> Option<(Code, Diagnosis)> {
        None
    }
}

/// Every concrete format with its adapter, in the order `auto` tries their endings: an
/// adapter that tells its files by content (garak) before the plain format of the ending.
const ADAPTERS: [(FileFormat, &dyn InputFormat); 7] = [
    (FileFormat::Garak, &Garak),
    (FileFormat::Promptfoo, &Promptfoo),
    (FileFormat::Inspect, &Inspect),
    (FileFormat::Csv, &Csv),
    (FileFormat::Jsonl, &JsonLines),
    (FileFormat::Parquet, &Parquet),
    (FileFormat::Xlsx, &Excel),
];

/// The adapter of `format` (`auto` is resolved by `discover` before a file is read; it falls
/// back to CSV here).
pub(crate) fn adapter(format: FileFormat) -> &'static dyn InputFormat {
    ADAPTERS
        .iter()
        .find(|(f, _)| *f == format)
        .map_or(&Csv, |(_, a)| *a)
}

/// The plain format of a file named `name`, by its ending (no content read).
#[cfg(test)]
pub(crate) fn by_name(name: &str) -> Option<FileFormat> {
    let lower = name.to_ascii_lowercase();
    ADAPTERS
        .iter()
        .filter(|(f, _)| {
            !matches!(
                f,
                FileFormat::Garak | FileFormat::Promptfoo | FileFormat::Inspect
            )
        })
        .find(|(_, a)| a.suffixes().iter().any(|s| lower.ends_with(s)))
        .map(|(f, _)| *f)
}

/// The format `format: auto` reads the file at `path` as: the first adapter that claims its
/// ending and, by content, the file (a garak report before plain JSON Lines).
pub(crate) fn by_path(path: &Path) -> Option<FileFormat> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    ADAPTERS
        .iter()
        .filter(|(_, a)| a.suffixes().iter().any(|s| name.ends_with(s)))
        .find(|(_, a)| a.sniff(path))
        .map(|(f, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ending_belongs_to_one_adapter_and_resolves_to_it() {
        let mut seen = std::collections::BTreeSet::new();
        for (format, adapter) in ADAPTERS.into_iter().filter(|(f, _)| {
            !matches!(
                f,
                FileFormat::Garak | FileFormat::Promptfoo | FileFormat::Inspect
            )
        }) {
            assert_eq!(super::adapter(format).suffixes(), adapter.suffixes());
            for suffix in adapter.suffixes() {
                assert!(seen.insert(*suffix), "{suffix} claimed twice");
                assert_eq!(
                    by_name(&format!("a{}", suffix.to_uppercase())),
                    Some(format)
                );
            }
        }
        assert_eq!(by_name("notes.txt"), None);
        // A CSV file's line 1 is its header (row 0); a JSON Lines line is its row.
        assert_eq!(adapter(FileFormat::Csv).row_of_line(3), 2);
        assert_eq!(adapter(FileFormat::Jsonl).row_of_line(3), 3);
    }
}
