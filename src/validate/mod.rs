//! Validation: parse every canonical column, run every rule of input-v1 as a vectorised
//! polars check, and hand on the clean rows (free of errors, inside the reporting period) that
//! the metrics are computed from. Each finding names the file, the first row, the column, what
//! was expected and what was found, with a count of the rows like it.

mod checks;
mod coverage;
mod hints;
mod ids;
mod kpis;
pub mod parse;
mod plan;
mod reading;
mod spill;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::ingest::{self, FILE, Opened, ROW, StreamLayout};
use crate::model::{Code, Finding};
use crate::progress::StreamProgress;
use crate::schema::ColumnSpec;
pub use checks::Check;
use plan::FilePlan;
pub use spill::CleanRows;

/// What validation needs besides the stream itself.
#[derive(Debug, Clone)]
pub struct Context {
    /// IANA name of the config's timezone.
    pub timezone: String,
    /// The timezone's UTC offset in microseconds when its clocks do not change around the
    /// period (see `zones::steady_offset_micros`).
    pub steady_offset: Option<i64>,
    /// Whether the config names its timezone; else UTC is assumed, with a warning when a
    /// timestamp without offset is read.
    pub timezone_given: bool,
    /// The reporting period as `[start, end)` in microseconds since the epoch, UTC.
    pub period_utc: Option<(i64, i64)>,
    /// The period as people read it, for messages.
    pub period_text: String,
    /// Canonical column → (bank value → canonical value), from the config's `values`.
    pub values: BTreeMap<String, Vec<(String, String)>>,
    /// Whether the clean rows hold text columns as categories (a small number per row, not
    /// the text): for event logs, whose text columns are groupings with few values.
    pub categorical_text: bool,
    /// What a score of 1 is written as (the stream's `score_scale`): scores are divided by it.
    pub score_scale: Option<f64>,
    /// Whether numbers are written with a decimal comma (the stream's `csv.decimal`).
    pub decimal_comma: bool,
    /// The stream's `timestamp_format`s, tried in order before the built-in forms.
    pub timestamp_formats: Vec<String>,
}

impl Context {
    /// The timezone as the timestamp readers use it.
    pub fn zone(&self) -> parse::Zone<'_> {
        parse::Zone {
            name: &self.timezone,
            steady_offset: self.steady_offset,
        }
    }
}

/// A validated stream: its findings and the rows the metrics may use.
#[derive(Debug)]
pub struct Validated {
    /// Canonical, typed columns; only rows free of errors and inside the period.
    pub clean: CleanRows,
    /// Canonical columns present in the stream's files.
    pub present: BTreeSet<String>,
    pub findings: Vec<Finding>,
    pub rows_read: u64,
    pub rows_outside_period: u64,
    /// Rows read per file display path (files that could not be read are absent).
    pub rows: BTreeMap<String, u64>,
}

/// The timestamp read as local time without timezone (see `parse::naive_timestamp`).
pub const NAIVE_TIMESTAMP: &str = "timestamp#naive";

/// The name of the parsed version of canonical column `name`.
fn parsed_name(name: &str) -> String {
    format!("{name}#parsed")
}

/// The parsed version of canonical column `name`.
pub fn parsed(name: &str) -> Expr {
    col(parsed_name(name))
}

/// True on rows whose timestamp lies inside the reporting period (always, without one).
pub fn in_period(ctx: &Context) -> Expr {
    match ctx.period_utc {
        Some((start, end)) => {
            let ts = parsed("timestamp");
            let dtype = parse::timestamp_dtype();
            ts.clone()
                .gt_eq(lit(start).cast(dtype.clone()))
                .and(ts.lt(lit(end).cast(dtype)))
                .fill_null(lit(false))
        }
        None => lit(true),
    }
}

/// The trimmed text of a column with the config's `values` mapping applied.
fn mapped_text(name: &str, ctx: &Context) -> Expr {
    let text = parse::trimmed(name);
    match ctx.values.get(name) {
        None => text,
        Some(pairs) => pairs.iter().rev().fold(text.clone(), |rest, (from, to)| {
            when(text.clone().eq(lit(from.as_str())))
                .then(lit(to.as_str()))
                .otherwise(rest)
        }),
    }
}

/// Column of the typed rows: the index of the file a row came from.
const FILE_INDEX: &str = "__file_index";
/// Column of the typed rows: free of errors and inside the period.
const KEEP: &str = "__keep";

/// Validates one stream, reading its files one at a time: each file's text is parsed and
/// checked, and only its typed columns are kept, so the text of the whole stream is never in
/// memory at once. Duplicate event ids are then found across all files.
pub fn validate(
    mut opened: Opened,
    layout: &StreamLayout,
    ctx: &Context,
) -> PolarsResult<Validated> {
    let without_period;
    let ctx = if opened.present.contains("timestamp") {
        ctx
    } else {
        without_period = Context {
            period_utc: None,
            ..ctx.clone()
        };
        &without_period
    };
    let specs: Vec<&ColumnSpec> = layout
        .columns
        .iter()
        .filter(|c| opened.present.contains(c.name.as_ref()))
        .collect();
    let mut checks = checks::checks_for(layout, &specs, ctx);
    checks.extend(kpis::checks(layout, &specs));
    let stream = reading::Stream {
        layout,
        present: &opened.present,
        specs: &specs,
        checks: &checks,
        ctx,
    };
    // Clean rows go to disk a million at a time (two batches): the parts the metrics read.
    let mut clean = CleanRows::new(2 * ingest::batch_rows());
    let mut findings = std::mem::take(&mut opened.findings);
    let mut read = read_all(&stream, &opened.files, &mut clean)?;
    findings.append(&mut read.problems);
    if clean.is_unset() {
        let empty = ingest::empty_frame(layout, &opened.present);
        let typed = FilePlan::new(&specs, &checks, ctx, None).apply(empty, 0)?.1;
        clean.push(stream.clean_part(typed)?)?;
    }
    let names: Vec<&str> = opened.files.iter().map(|f| f.display.as_str()).collect();
    let mut grouped = std::mem::take(&mut read.groups);
    if stream.has_ids() && !read.ids.is_empty() {
        let id_parts = std::mem::take(&mut read.ids);
        let repeats = ids::repeats(&id_parts, &mut |h| stream.reread_ids(&read.files, &h))?;
        drop(id_parts);
        if let Some(keys) = ids::repeat_keys(&repeats)? {
            clean.leave_out(keys)?;
        }
        grouped.extend(duplicates(&repeats, &checks, &names)?);
    }
    let rows = read.rows;
    let mut check_findings = to_findings(&sorted(grouped)?, &checks, &layout.name)?;
    json_lines_rows(&mut check_findings, &opened.files);
    named_rows(&mut check_findings, &opened.files, layout);
    findings.append(&mut check_findings);
    let outside = findings
        .iter()
        .filter(|f| f.code == Code::OutsidePeriod)
        .map(|f| f.count)
        .sum();
    if layout.covers_period {
        findings.extend(coverage::finding(&clean, ctx, &layout.name)?);
    }
    Ok(Validated {
        clean,
        present: opened.present,
        findings,
        rows_read: rows.values().sum(),
        rows_outside_period: outside,
        rows,
    })
}

/// What reading every file of a stream gave: grouped failures, id hashes, the files read
/// (with their index) and their row counts, and the files that could not be read.
struct FilesRead<'a> {
    groups: Vec<DataFrame>,
    ids: Vec<DataFrame>,
    files: Vec<(u32, &'a ingest::OpenFile)>,
    rows: BTreeMap<String, u64>,
    problems: Vec<Finding>,
}

/// Reads the files one at a time, each once, into `clean`, with progress per file.
fn read_all<'a>(
    stream: &reading::Stream,
    files: &'a [ingest::OpenFile],
    clean: &mut CleanRows,
) -> PolarsResult<FilesRead<'a>> {
    let mut out = FilesRead {
        groups: Vec::new(),
        ids: Vec::new(),
        files: Vec::new(),
        rows: BTreeMap::new(),
        problems: Vec::new(),
    };
    let sizes: Vec<u64> = files.iter().map(ingest::OpenFile::bytes).collect();
    let progress = StreamProgress::start(&stream.layout.name, sizes.iter().sum());
    for (index, file) in files.iter().enumerate() {
        match stream.read(file, index as u32, clean)? {
            Err(problem) => out.problems.push(*problem),
            Ok(mut read) => {
                out.rows.insert(file.display.clone(), read.rows);
                progress.file_done(&file.display, sizes[index], read.rows);
                out.groups.append(&mut read.groups);
                out.ids.append(&mut read.ids);
                out.files.push((index as u32, file));
            }
        }
    }
    Ok(out)
}

/// Turns the record numbers of JSON Lines findings into line numbers (files with blank lines).
fn json_lines_rows(findings: &mut [Finding], files: &[ingest::OpenFile]) {
    for file in files {
        let mine =
            |f: &Finding| f.file.as_deref() == Some(file.display.as_str()) && f.row.is_some();
        if !findings.iter().any(mine) {
            continue;
        }
        let Some(lines) = ingest::record_lines(file) else {
            continue;
        };
        for f in findings.iter_mut().filter(|f| mine(f)) {
            f.row = f
                .row
                .and_then(|r| lines.get(r as usize - 1).copied())
                .or(f.row);
        }
    }
}

/// Adds the file's own name of a finding's row (an Inspect log's sample and epoch) to its
/// message: a row number alone does not find a sample in a log.
fn named_rows(findings: &mut [Finding], files: &[ingest::OpenFile], layout: &StreamLayout) {
    for file in files {
        let mine =
            |f: &Finding| f.file.as_deref() == Some(file.display.as_str()) && f.row.is_some();
        if !findings.iter().any(mine) {
            continue;
        }
        if let Some(cells) = ingest::cell_names(file, layout) {
            for f in findings.iter_mut().filter(|f| mine(f)) {
                let place = cells.place(f.row.unwrap_or(0), f.column.as_deref());
                f.message = format!("{} ({place})", f.message);
            }
            continue;
        }
        let Some(names) = ingest::row_names(file, layout) else {
            continue;
        };
        for f in findings.iter_mut().filter(|f| mine(f)) {
            if let Some((_, name)) = names.iter().find(|(row, _)| Some(*row) == f.row) {
                f.message = format!("{} ({name})", f.message);
            }
        }
    }
}

/// The repeats of event ids across all files of the stream (see `ids`), grouped like the
/// other checks.
fn duplicates(
    repeats: &DataFrame,
    checks: &[Check],
    files: &[&str],
) -> PolarsResult<Option<DataFrame>> {
    let Some(index) = checks.iter().position(|c| c.code == Code::EventIdDuplicate) else {
        return Ok(None);
    };
    if repeats.height() == 0 {
        return Ok(None);
    }
    let [row, count, found] = plan::first_failure("event_id");
    let first = col(ids::FIRST_KEY)
        .get(col(ROW).arg_min(), false)
        .alias("first");
    let per_file = repeats
        .clone()
        .lazy()
        .group_by([col(FILE_INDEX)])
        .agg([row, count, found, first])
        .collect()?;
    let names = Series::new("names".into(), files);
    // The value found names the id and where it was first seen: the message is
    // `found "e1" a second time in the stream (first seen in logs/a.csv, row 3)`.
    let found = concat_str(
        [
            lit("\""),
            col("found"),
            lit("\" a second time in the stream (first seen in "),
            lit(names.clone()).gather(ids::key_file(col("first")), false),
            lit(", row "),
            ids::key_row(col("first")).cast(DataType::String),
            lit(")"),
        ],
        "",
        false,
    );
    let grouped = per_file
        .lazy()
        .select([
            lit(index as u32).cast(DataType::UInt32).alias("check"),
            lit(names).gather(col(FILE_INDEX), false).alias(FILE),
            lit(NULL).cast(DataType::String).alias("key"),
            col("row").cast(DataType::UInt64),
            col("count").cast(IDX_DTYPE),
            found.alias("found"),
        ])
        .collect()?;
    Ok(Some(grouped))
}

fn concat_frames(frames: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let lazy: Vec<LazyFrame> = frames.into_iter().map(DataFrame::lazy).collect();
    concat(lazy, UnionArgs::default())?.collect()
}

/// The grouped failures of every chunk of every file, merged per check, file (and value),
/// in check order, then file order.
fn sorted(grouped: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let parts: Vec<DataFrame> = grouped.into_iter().filter(|g| g.height() > 0).collect();
    if parts.is_empty() {
        return Ok(DataFrame::empty());
    }
    concat_frames(parts)?
        .lazy()
        .group_by([col("check"), col(FILE), col("key")])
        .agg([
            col("row").min(),
            col("count").sum(),
            col("found")
                .sort_by([col("row")], SortMultipleOptions::default())
                .first(),
        ])
        .sort(["check", FILE, "row"], SortMultipleOptions::default())
        .collect()
}

/// Turns the grouped failures (a handful of rows) into findings.
/// The most characters of a value a message quotes.
const QUOTED_CHARS: usize = 80;

/// A value as a message quotes it: whole up to [`QUOTED_CHARS`], else its start and its length
/// (a 10 MB cell is named, not copied into the findings).
fn abbreviated(found: &str) -> std::borrow::Cow<'_, str> {
    let length = found.chars().count();
    if length <= QUOTED_CHARS {
        return found.into();
    }
    let start: String = found.chars().take(QUOTED_CHARS).collect();
    format!("{start}… ({length} characters)").into()
}

fn to_findings(grouped: &DataFrame, checks: &[Check], stream: &str) -> PolarsResult<Vec<Finding>> {
    if grouped.height() == 0 {
        return Ok(Vec::new());
    }
    let check = grouped.column("check")?.u32()?;
    let file = grouped.column(FILE)?.str()?;
    let row = grouped.column("row")?.u64()?;
    let count = grouped.column("count")?.cast(&DataType::UInt64)?;
    let count = count.u64()?;
    let found = grouped.column("found")?.str()?;
    let findings = (0..grouped.height())
        .map(|i| {
            let rule = &checks[check.get(i).unwrap_or_default() as usize];
            let found = abbreviated(found.get(i).unwrap_or(""));
            let found = found.as_ref();
            let hint = rule
                .hint
                .as_ref()
                .and_then(|(hint, canonical)| hint.advise(canonical, found));
            Finding {
                severity: rule.code.severity(),
                code: rule.code,
                message: rule.message(found),
                stream: Some(stream.to_string()),
                file: file.get(i).map(str::to_string),
                row: row.get(i),
                column: rule.column.clone(),
                count: count.get(i).unwrap_or(1),
                hint,
            }
        })
        .collect();
    Ok(findings)
}
