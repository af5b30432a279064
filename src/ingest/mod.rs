//! Ingestion: read every file of a stream with polars, rename the bank's columns to canonical
//! names, turn every canonical column into text, and stack the files into one frame with the
//! file and row each value came from. Parsing into types happens in `validate`, so that every
//! rejected value can be shown as it was written.

mod columns;
pub(crate) mod diagnose;
pub(crate) mod excel;
pub(crate) mod format;
mod garak;
pub mod guard;
mod inspect;
mod promptfoo;
mod ragged;
pub mod scan;
mod text;
mod typed;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;

use crate::config::FileFormat;
use crate::discover::SourceFile;
use crate::model::{Code, Finding};
use crate::schema::ColumnSpec;
pub use scan::{FILE, ROW};
pub use typed::{Mode, Typed};

/// What ingestion needs to know about a stream.
#[derive(Debug, Clone)]
pub struct StreamLayout {
    pub name: String,
    /// The canonical columns the stream may have (segment columns included).
    pub columns: Vec<ColumnSpec>,
    /// Canonical name → the bank's column name, from the config's `columns`.
    pub rename: BTreeMap<String, String>,
    /// Whether the stream's events are expected to span the whole reporting period (decision
    /// and interaction logs are; a red-team campaign may take a week).
    pub covers_period: bool,
    /// The config's `segments` that apply to this stream, for messages about them.
    pub segments: Vec<String>,
    /// Canonical columns with a `values` mapping: always read as text, to be mapped.
    pub value_mapped: BTreeSet<String>,
    /// The config's `limits` on inflated size, line and value length.
    pub limits: crate::config::Limits,
    /// Whether the stream is a redteam stream (the only one red-team tools' results belong to).
    pub redteam: bool,
    /// How the tools' result files of the stream are read.
    pub read: format::ReadOptions,
}

impl StreamLayout {
    /// The column name to look for in the files for canonical column `canonical`.
    pub fn source_name<'a>(&'a self, canonical: &'a str) -> &'a str {
        self.rename.get(canonical).map_or(canonical, String::as_str)
    }
}

/// A stream's files, opened: each file's scan is planned (its header or schema read, the
/// bank's columns mapped, as text) but no row is read yet, so that validation can take the
/// files one at a time and memory follows the largest file, not the whole stream.
pub struct Opened {
    pub files: Vec<OpenFile>,
    /// Canonical names of the columns present in at least one readable file.
    pub present: BTreeSet<String>,
    /// Problems found while opening, per file in file order, then the stream-wide ones.
    pub findings: Vec<Finding>,
}

/// One file ready to be read.
pub struct OpenFile {
    pub display: String,
    pub format: FileFormat,
    path: std::path::PathBuf,
    /// Whether the file is read in chunks of rows (plain CSV and Parquet; a compressed file or
    /// JSON Lines is read whole).
    chunked: bool,
    /// `__file`, `__row` and the canonical columns the file has: the typed ones (see
    /// [`typed`]) in their type, the others as text.
    plan: LazyFrame,
    /// The same with every column as text.
    text_plan: LazyFrame,
    /// The canonical columns `plan` gives typed, with their type.
    pub typed: Typed,
    present: BTreeSet<String>,
    /// A copy of a JSON Lines file without its byte-order mark, read instead of the file.
    bom_copy: Option<tempfile::NamedTempFile>,
}

impl OpenFile {
    /// The file's size on disk (0 when it cannot be told).
    pub fn bytes(&self) -> u64 {
        std::fs::metadata(&self.path).map_or(0, |m| m.len())
    }

    /// The text of canonical column `name` as this file holds it, when read in `mode`; `None`
    /// when only a text read can show it.
    pub fn text_of(&self, name: &str, mode: Mode) -> Option<Expr> {
        match mode {
            Mode::Text => Some(col(name)),
            Mode::Typed => typed::text_of(name, &self.typed, self.format),
        }
    }

    /// The columns this file reads typed in `mode`.
    pub fn typed_in(&self, mode: Mode) -> Typed {
        match mode {
            Mode::Text => Typed::new(),
            Mode::Typed => self.typed.clone(),
        }
    }

    fn read_path(&self) -> &Path {
        self.bom_copy
            .as_ref()
            .map_or(self.path.as_path(), |c| c.path())
    }
}

/// What the first read of each input file measured, by path: each distinct file is read
/// (hashed, and held to the limits) once, however many streams read it.
pub type Inspections = BTreeMap<std::path::PathBuf, guard::Inspected>;

/// Plans the reading of every file of a stream. Files that cannot be read become findings.
pub fn open(layout: &StreamLayout, files: &[SourceFile], inspected: &mut Inspections) -> Opened {
    let mut findings = Vec::new();
    let mut opened = Vec::new();
    let mut headers = Headers::new();
    for file in files {
        if let Err(refused) = inspect(layout, file, inspected) {
            findings.push(*refused);
            continue;
        }
        match open_file(layout, file, &mut headers) {
            Ok((open, mut notes)) => {
                opened.push(open);
                findings.append(&mut notes);
            }
            Err(mut problems) => findings.append(&mut problems),
        }
    }
    let present: BTreeSet<String> = opened.iter().flat_map(|f| f.present.clone()).collect();
    let unmatched = columns::mapped_but_absent(layout, &headers, &findings);
    findings.extend(unmatched);
    Opened {
        files: opened,
        present,
        findings,
    }
}

/// Rows read at a time from one file, so that a file's text is never in memory whole: the
/// built-in default, or `SANDBOX_REPORT_CHUNK_ROWS` (for tests and tuning).
pub(crate) fn batch_rows() -> u64 {
    chunk_rows() as u64
}

fn chunk_rows() -> i64 {
    static ROWS: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *ROWS.get_or_init(|| {
        std::env::var("SANDBOX_REPORT_CHUNK_ROWS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n: &i64| *n > 0)
            .unwrap_or(500_000)
    })
}

/// Reads one opened file chunk by chunk, handing each to `each`: `__file`, `__row` and, in the
/// stream's column order, every column in `present` (as null text where this file lacks it).
/// A file that fails while it is read (a malformed line deep inside, a row with too few
/// fields) becomes a finding naming the row where possible; `each` may then have seen part
/// of it, which the caller drops.
pub fn read(
    layout: &StreamLayout,
    file: &OpenFile,
    present: &BTreeSet<String>,
    mode: Mode,
    each: &mut dyn FnMut(DataFrame) -> PolarsResult<()>,
) -> Result<(), Box<Finding>> {
    let fail = |err: PolarsError| Box::new(describe_failure(layout, file, &err));
    let mut suspect = false;
    let adapter = format::adapter(file.format);
    let mut take = |mut chunk: DataFrame| -> PolarsResult<()> {
        if adapter.pads_short_rows() {
            let last = chunk.column(LAST_NULL)?.bool()?.any();
            suspect |= last;
            chunk = chunk.drop(LAST_NULL)?;
        }
        each(chunk)
    };
    let plan = match mode {
        Mode::Typed => &file.plan,
        Mode::Text => &file.text_plan,
    };
    let plan = plan
        .clone()
        .filter(col(ANY_CELL))
        .select(aligned_columns(layout, file, present));
    if file.chunked {
        stream_batches(plan, &mut take).map_err(fail)?;
    } else {
        let whole = guarded(|| plan.collect()).map_err(fail)?;
        take(whole).map_err(fail)?;
    }
    let even = || {
        !diagnose::is_gzip(file.read_path())
            && ragged::looks_even(file.read_path(), &layout.read.csv)
    };
    if suspect
        && !even()
        && let Some((code, d)) = adapter.diagnose_with(file.read_path(), &layout.read)
    {
        let fail = error_in(layout, &file.display);
        let row = Some(d.row).filter(|&row| row > 0);
        return Err(Box::new(fail(code, row, d.column, d.message)));
    }
    Ok(())
}

/// The columns of a chunk: the stream's present columns in order, null text where the file
/// lacks one, and the helper columns of the plan.
fn aligned_columns(
    layout: &StreamLayout,
    file: &OpenFile,
    present: &BTreeSet<String>,
) -> Vec<Expr> {
    let mut exprs = vec![col(FILE), col(ROW)];
    exprs.extend(
        layout
            .columns
            .iter()
            .map(|c| c.name.as_ref())
            .filter(|name| present.contains(*name))
            .map(|name| {
                if file.present.contains(name) {
                    col(name)
                } else {
                    lit(NULL).cast(DataType::String).alias(name)
                }
            }),
    );
    if format::adapter(file.format).pads_short_rows() {
        exprs.push(col(LAST_NULL));
    }
    exprs
}

/// Runs `plan` once on polars' streaming engine and hands its rows to `take` in order, in
/// batches of about `chunk_rows()`: one pass over the file, its text never whole in memory.
fn stream_batches(
    plan: LazyFrame,
    take: &mut dyn FnMut(DataFrame) -> PolarsResult<()>,
) -> PolarsResult<()> {
    let (send, batches) = std::sync::mpsc::sync_channel::<DataFrame>(1);
    let send = std::sync::Mutex::new(send);
    let callback = PlanCallback::new(move |batch: DataFrame| {
        // `true` stops the query: the reader below has gone.
        let gone = send.lock().map_or(true, |s| s.send(batch).is_err());
        Ok(gone)
    });
    let size = std::num::NonZeroUsize::new(chunk_rows() as usize);
    let sink = plan.sink_batches(callback, true, size)?;
    std::thread::scope(|scope| {
        let runner = scope
            .spawn(move || guarded(|| sink.collect_with_engine(Engine::Streaming).map(|_| ())));
        let mut taken = Ok(());
        for batch in batches.iter() {
            taken = take(batch);
            if taken.is_err() {
                break;
            }
        }
        drop(batches);
        let ran = runner
            .join()
            .unwrap_or_else(|_| Err(polars_err!(ComputeError: "the reader stopped")));
        taken.and(ran)
    })
}

/// Column of a file's plan: the row has at least one non-empty cell (a blank line has none).
const ANY_CELL: &str = "__any_cell";

/// Column of a CSV file's plan: its last column is empty, maybe a row with too few fields.
const LAST_NULL: &str = "__last_null";

/// A frame of text columns with no rows, for a stream without readable files.
pub fn empty_frame(layout: &StreamLayout, present: &BTreeSet<String>) -> DataFrame {
    let mut columns = vec![
        Column::new_empty(FILE.into(), &DataType::String),
        Column::new_empty(ROW.into(), &DataType::UInt64),
    ];
    columns.extend(
        layout
            .columns
            .iter()
            .filter(|c| present.contains(c.name.as_ref()))
            .map(|c| Column::new_empty(c.name.as_ref().into(), &DataType::String)),
    );
    DataFrame::new(0, columns).expect("empty columns of equal length")
}

/// Plans the reading of one file into `__file`, `__row` and the canonical columns it has, as
/// text. Also returns warnings about the file that do not stop it being read.
fn open_file(
    layout: &StreamLayout,
    file: &SourceFile,
    headers: &mut Headers,
) -> Result<(OpenFile, Vec<Finding>), Vec<Finding>> {
    let fail = error_in(layout, &file.display);
    let adapter = format::adapter(file.format);
    if adapter.redteam_only() && !layout.redteam {
        let message = format!(
            "this is a {}, which belongs to a redteam stream, not to this one",
            adapter.text_name().unwrap_or("red-team tool's result")
        );
        let hint =
            "move the file to a redteam stream's folder, or leave it out of this stream's `path`";
        return Err(vec![
            fail(Code::ToolResultInvalid, None, None, message).with_hint(hint),
        ]);
    }
    precheck(file, &fail)?;
    let (bom_copy, mut notes) = strip_bom(file, &fail)?;
    let path = bom_copy
        .as_ref()
        .map_or(file.path.as_path(), |copy| copy.path());
    let unreadable = |err: PolarsError| {
        vec![describe_file_failure(
            file.format,
            path,
            &err,
            &fail,
            &layout.read,
        )]
    };
    let (lf, schema) = guarded(|| {
        let mut lf = adapter.scan(path, &layout.read)?;
        let schema = lf.collect_schema()?;
        Ok((lf, schema))
    })
    .map_err(unreadable)?;
    let (lf, schema, mut trimmed) = trim_header_names(lf, schema, &fail);
    headers.push((
        file.display.clone(),
        schema.iter_names().map(|n| n.to_string()).collect(),
    ));
    let typed = if trimmed.is_empty() {
        typed_columns(layout, file.format, &schema)
    } else {
        Typed::new()
    };
    notes.append(&mut trimmed);
    notes.extend(
        adapter
            .notes(path, &layout.read)
            .into_iter()
            .map(|(code, message)| fail(code, None, None, message)),
    );
    let exprs = match selections(layout, file, &schema, &typed, &fail) {
        Ok(exprs) => exprs,
        Err(mut problems) => {
            problems.append(&mut notes);
            return Err(problems);
        }
    };
    let present = layout
        .columns
        .iter()
        .filter(|c| schema.contains(layout.source_name(&c.name)))
        .map(|c| c.name.to_string())
        .collect();
    let plan = if typed.is_empty() {
        None
    } else {
        let sources = typed_sources(layout, &typed);
        Some(guarded(|| adapter.typed_scan(path, &lf, sources, &layout.read)).map_err(unreadable)?)
    };
    let Selections {
        text,
        typed: typed_exprs,
        any_cell,
    } = exprs;
    let plan = plan.map(|typed_lf| typed_lf.select(typed_exprs).with_column(any_cell.clone()));
    let text_plan = lf.select(text).with_column(any_cell);
    let plan = plan.unwrap_or_else(|| text_plan.clone());
    let chunked = adapter.chunked(&file.path);
    let open = OpenFile {
        display: file.display.clone(),
        format: file.format,
        path: file.path.clone(),
        chunked,
        plan,
        text_plan,
        typed,
        present,
        bom_copy,
    };
    Ok((open, notes))
}

/// The first read of `file` (see [`guard`]), once per path; a file refused by the limits or
/// unreadable is one finding.
fn inspect(
    layout: &StreamLayout,
    file: &SourceFile,
    seen: &mut Inspections,
) -> Result<(), Box<Finding>> {
    if seen.contains_key(&file.path) {
        return Ok(());
    }
    let fail = error_in(layout, &file.display);
    let limits = &layout.limits;
    match guard::inspect(&file.path, file.format, limits) {
        Ok(inspected) => {
            seen.insert(file.path.clone(), inspected);
            Ok(())
        }
        Err(guard::Refused::Io(err)) => Err(Box::new(fail(
            Code::PathUnreadable,
            None,
            None,
            format!("the file cannot be read: {err}"),
        ))),
        Err(guard::Refused::Inflated {
            inflated,
            compressed,
            limit,
        }) => {
            let mut finding = fail(
                Code::FileTooLarge,
                None,
                None,
                format!(
                    "the compressed file inflates to more than {} of text from {} read ({limit}); it is not read: a decompression bomb, or a genuine file larger than the limits",
                    crate::render::format::thousands(inflated) + " bytes",
                    crate::render::format::thousands(compressed) + " bytes",
                ),
            );
            finding.hint = Some(
                "if the file is genuine, raise limits.inflated_mib or limits.inflation_ratio in the config".into(),
            );
            Err(Box::new(finding))
        }
        Err(guard::Refused::Line { line, limit }) => {
            let row = format::adapter(file.format).row_of_line(line);
            let mut finding = fail(
                Code::LineTooLong,
                Some(row).filter(|&r| r > 0),
                None,
                format!(
                    "line {line} is longer than {} KiB, the limit for one row or record (limits.line_kib); the file is not read: a file without line breaks, or a field of megabytes",
                    limit / 1024
                ),
            );
            finding.hint = Some(
                "export the file again with one row per line; if rows this long are genuine, raise limits.line_kib in the config".into(),
            );
            Err(Box::new(finding))
        }
    }
}

/// What stops a file before it is scanned: it is empty, or a CSV file is not UTF-8.
fn precheck(file: &SourceFile, fail: &Fail) -> Result<(), Vec<Finding>> {
    let adapter = format::adapter(file.format);
    if adapter.is_text() && diagnose::is_empty(&file.path) {
        // Like a file with only a header: nothing to read, worth a warning, not a stop.
        let empty = fail(
            Code::FileEmpty,
            None,
            None,
            "the file is empty (no header, no rows); it is skipped".into(),
        );
        return Err(vec![empty]);
    }
    if let Some(expected) = adapter.text_name()
        && let Some(what) = diagnose::content_type(&file.path)
    {
        let mut finding = fail(
            Code::FileTypeWrong,
            None,
            None,
            format!("expected {expected} text, found {}", what.found),
        );
        finding.hint = Some(what.hint.into());
        return Err(vec![finding]);
    }
    if adapter.refuses_utf16()
        && let Some(d) = diagnose::csv_encoding(&file.path)
    {
        return Err(vec![fail(
            Code::CsvMalformed,
            Some(d.row).filter(|&row| row > 0),
            d.column,
            d.message,
        )]);
    }
    Ok(())
}

/// The expressions that select a file's columns: as text, as typed (the typed reader's
/// columns as they are), and the mark of a row with any cell.
struct Selections {
    text: Vec<Expr>,
    typed: Vec<Expr>,
    any_cell: Expr,
}

/// The selections of one file, or the problems of its columns (missing, repeated, nested).
fn selections(
    layout: &StreamLayout,
    file: &SourceFile,
    schema: &Schema,
    typed: &Typed,
    fail: &Fail,
) -> Result<Selections, Vec<Finding>> {
    let mut problems = columns::missing(layout, file.format, schema, fail);
    problems.extend(duplicate_columns(schema, fail));
    let mut text_exprs = vec![
        lit(file.display.as_str()).alias(FILE),
        col(ROW).cast(DataType::UInt64),
    ];
    let mut typed_exprs = text_exprs.clone();
    for spec in &layout.columns {
        let source = layout.source_name(&spec.name);
        let Some(dtype) = schema.get(source) else {
            continue;
        };
        match text::as_text(col(source), dtype) {
            Some(expr) => {
                text_exprs.push(expr.clone().alias(spec.name.as_ref()));
                let expr = if typed.contains_key(spec.name.as_ref()) {
                    col(source)
                } else {
                    expr
                };
                typed_exprs.push(expr.alias(spec.name.as_ref()));
            }
            None => problems.push(fail(
                Code::ColumnTypeUnsupported,
                None,
                Some(source.to_string()),
                format!(
                    "expected single values ({}), found nested values of type {dtype}",
                    spec.name
                ),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if format::adapter(file.format).pads_short_rows()
        && let Some(last) = schema.iter_names().filter(|n| n.as_str() != ROW).last()
    {
        // polars pads a row with too few fields with nulls: a null in the last column is the
        // sign to look at the file's structure (see `read`).
        let last = col(last.as_str()).is_null().alias(LAST_NULL);
        text_exprs.push(last.clone());
        typed_exprs.push(last);
    }
    Ok(Selections {
        text: text_exprs,
        typed: typed_exprs,
        any_cell: any_cell(layout, schema),
    })
}

/// True on a row with at least one cell: a blank line (a spreadsheet export's last line)
/// reads as a row with every cell empty.
fn any_cell(layout: &StreamLayout, schema: &Schema) -> Expr {
    layout
        .columns
        .iter()
        .filter(|c| schema.contains(layout.source_name(&c.name)))
        .map(|c| col(c.name.as_ref()).is_not_null())
        .reduce(Expr::or)
        .unwrap_or(lit(true))
        .alias(ANY_CELL)
}

/// The canonical columns of a file the reader can type (see [`typed`]).
fn typed_columns(layout: &StreamLayout, format: FileFormat, schema: &Schema) -> Typed {
    layout
        .columns
        .iter()
        .filter(|spec| !layout.value_mapped.contains(spec.name.as_ref()))
        .filter_map(|spec| {
            let stored = schema.get(layout.source_name(&spec.name))?;
            let dtype = format::adapter(format).read_type(spec.ty, stored)?;
            Some((spec.name.to_string(), dtype))
        })
        .collect()
}

/// The bank's names of the typed columns, with their types: what a typed CSV scan is told.
fn typed_sources(layout: &StreamLayout, typed: &Typed) -> Schema {
    typed
        .iter()
        .map(|(name, dtype)| Field::new(layout.source_name(name).into(), dtype.clone()))
        .collect()
}

/// A file whose format allows no byte-order mark (JSON Lines) is read from a copy without
/// it, with a warning.
fn strip_bom(
    file: &SourceFile,
    fail: &Fail,
) -> Result<(Option<tempfile::NamedTempFile>, Vec<Finding>), Vec<Finding>> {
    if !format::adapter(file.format).strips_bom() {
        return Ok((None, Vec::new()));
    }
    match diagnose::bom_free_copy(&file.path) {
        Ok(None) => Ok((None, Vec::new())),
        Ok(Some(copy)) => {
            let note = fail(
                Code::JsonlBom,
                None,
                None,
                "the file starts with a byte-order mark (written by some Windows tools), which JSON Lines does not allow; it was read without it".into(),
            )
            .with_hint("save the file as UTF-8 without BOM to silence this warning");
            Ok((Some(copy), vec![note]))
        }
        Err(err) => Err(vec![fail(
            Code::FileUnreadable,
            None,
            None,
            format!("cannot read the file: {err}"),
        )]),
    }
}

/// Header names with spaces around them (`score `, a common spreadsheet slip) are read under
/// the trimmed name, with a warning, unless that name is taken; otherwise a column would go
/// missing without a word.
fn trim_header_names(
    lf: LazyFrame,
    schema: SchemaRef,
    fail: &Fail,
) -> (LazyFrame, SchemaRef, Vec<Finding>) {
    let renames: Vec<(String, String)> = schema
        .iter_names()
        .filter(|n| n.as_str().trim() != n.as_str() && !schema.contains(n.as_str().trim()))
        .map(|n| (n.to_string(), n.as_str().trim().to_string()))
        .collect();
    if renames.is_empty() {
        return (lf, schema, Vec::new());
    }
    let notes = renames
        .iter()
        .map(|(old, new)| {
            fail(
                Code::ColumnNameSpaces,
                None,
                Some(old.clone()),
                format!("the header name has spaces around it; read as {new:?}"),
            )
        })
        .collect();
    let renamed = |name: &str| {
        renames
            .iter()
            .find(|(old, _)| old == name)
            .map_or(name.to_string(), |(_, new)| new.clone())
    };
    let trimmed: Schema = schema
        .iter()
        .map(|(name, dtype)| Field::new(renamed(name).into(), dtype.clone()))
        .collect();
    let (old, new): (Vec<String>, Vec<String>) = renames.into_iter().unzip();
    (lf.rename(old, new, true), Arc::new(trimmed), notes)
}

/// Findings name the line of a JSON Lines file an editor shows. polars numbers the records
/// and skips blank lines, so for a file with blank lines this maps record `n` (1-based) to
/// its line, `lines[n - 1]`; `None` when the numbers agree. It reads the file again, so it is
/// asked only for files that have findings.
pub fn record_lines(file: &OpenFile) -> Option<Vec<u64>> {
    format::adapter(file.format).record_lines(file.read_path())
}

/// The names the file gives its rows (an Inspect log's samples), for findings; read again,
/// so asked only for files that have findings.
pub fn row_names(file: &OpenFile, layout: &StreamLayout) -> Option<Vec<(u64, String)>> {
    format::adapter(file.format).row_names(file.read_path(), &layout.read)
}

/// The sheet and column letters of a workbook's findings (Excel files only).
pub(crate) fn cell_names(file: &OpenFile, layout: &StreamLayout) -> Option<format::CellNames> {
    format::adapter(file.format).cell_names(file.read_path(), &layout.read)
}

/// Runs a polars call, turning a panic inside polars (an input it cannot represent) into an
/// error, so that one odd file becomes a finding instead of stopping the run.
fn guarded<T>(call: impl FnOnce() -> PolarsResult<T>) -> PolarsResult<T> {
    let _quiet = crate::panic::Quiet::new();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the reader stopped on a value it cannot represent".into());
        Err(polars_err!(ComputeError: "{message}"))
    })
}

/// Header names that occur more than once (polars renames the repeats `NAME_duplicated_N`).
fn duplicate_columns(schema: &Schema, fail: &Fail) -> Vec<Finding> {
    let mut repeated: Vec<&str> = schema
        .iter_names()
        .filter_map(|n| n.as_str().split_once("_duplicated_").map(|(name, _)| name))
        .collect();
    repeated.sort();
    repeated.dedup();
    repeated
        .into_iter()
        .map(|name| {
            let message = format!(
                "expected each column name once in the header, found {name:?} more than once"
            );
            fail(Code::ColumnDuplicate, None, Some(name.to_string()), message)
        })
        .collect()
}

/// The column names of each file whose schema could be read: (display path, names).
pub(crate) type Headers = Vec<(String, Vec<String>)>;

type Fail<'a> = dyn Fn(Code, Option<u64>, Option<String>, String) -> Finding + 'a;

/// Makes error findings about the file `display` of the stream: `(code, row, column, message)`.
fn error_in<'a>(
    layout: &'a StreamLayout,
    display: &'a str,
) -> impl Fn(Code, Option<u64>, Option<String>, String) -> Finding + 'a {
    move |code, row, column, message| {
        Finding::new(code, message)
            .in_stream(layout.name.clone())
            .in_file(Some(display.to_string()))
            .at_row(row)
            .in_column(column)
    }
}

/// A failure while an opened file was read, as a finding.
fn describe_failure(layout: &StreamLayout, file: &OpenFile, err: &PolarsError) -> Finding {
    let fail = error_in(layout, &file.display);
    describe_file_failure(file.format, file.read_path(), err, &fail, &layout.read)
}

/// Turns a polars failure on a file into a finding that names the row where possible.
fn describe_file_failure(
    format: FileFormat,
    path: &Path,
    err: &PolarsError,
    fail: &Fail,
    options: &format::ReadOptions,
) -> Finding {
    match format::adapter(format).diagnose_with(path, options) {
        Some((code, d)) => fail(
            code,
            Some(d.row).filter(|&row| row > 0),
            d.column,
            d.message,
        ),
        None => fail(
            Code::FileUnreadable,
            None,
            None,
            format!("cannot read the file: {}", first_line(&err.to_string())),
        ),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
