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

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::ingest::{self, FILE, Mode, OpenFile, Opened, ROW, StreamLayout};
use crate::model::Finding;
use crate::progress::StreamProgress;
use crate::schema::ColumnSpec;
pub use checks::Check;
use plan::FilePlan;

/// What validation needs besides the stream itself.
#[derive(Debug, Clone)]
pub struct Context {
    /// IANA name of the config's timezone.
    pub timezone: String,
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
}

/// A validated stream: its findings and the rows the metrics may use.
#[derive(Debug)]
pub struct Validated {
    /// Canonical, typed columns; only rows free of errors and inside the period.
    pub clean: DataFrame,
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
    let text_plan = FilePlan::new(&specs, &checks, ctx, None);
    let mut findings = std::mem::take(&mut opened.findings);
    let mut grouped = Vec::new();
    let mut typed = Vec::new();
    let mut rows = BTreeMap::new();
    let sizes: Vec<u64> = opened.files.iter().map(ingest::OpenFile::bytes).collect();
    let progress = StreamProgress::start(&layout.name, sizes.iter().sum());
    for (index, file) in opened.files.iter().enumerate() {
        let reading = Reading {
            layout,
            present: &opened.present,
            file,
            index: index as u32,
        };
        match reading.read(&specs, &checks, ctx)? {
            Err(problem) => findings.push(*problem),
            Ok(mut read) => {
                rows.insert(file.display.clone(), read.rows);
                progress.file_done(&file.display, sizes[index], read.rows);
                grouped.append(&mut read.groups);
                typed.append(&mut read.typed);
            }
        }
    }
    if typed.is_empty() {
        let empty = ingest::empty_frame(layout, &opened.present);
        typed.push(text_plan.apply(empty, 0)?.1);
    }
    let names: Vec<&str> = opened.files.iter().map(|f| f.display.as_str()).collect();
    let repeats = match ids::collect(&typed)? {
        Some(ids) => {
            let files = ids::files_of(&ids)?;
            let mut reread = |hashes: Series| reread_ids(layout, &opened, &files, ctx, &hashes);
            Some(ids::repeats(&ids, &mut reread)?)
        }
        None => None,
    };
    if let Some(repeats) = &repeats {
        grouped.extend(duplicates(repeats, &checks, &names)?);
    }
    let mut check_findings = to_findings(&sorted(grouped)?, &checks, &layout.name)?;
    json_lines_rows(&mut check_findings, &opened.files);
    findings.append(&mut check_findings);
    let outside = findings
        .iter()
        .filter(|f| f.code == "outside_period")
        .map(|f| f.count)
        .sum();
    let repeated = match &repeats {
        Some(repeats) => ids::repeat_keys(repeats)?,
        None => None,
    };
    let clean = clean_rows(typed, &specs, repeated)?;
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

/// One file of a stream, to be read and checked.
struct Reading<'a> {
    layout: &'a StreamLayout,
    present: &'a std::collections::BTreeSet<String>,
    file: &'a OpenFile,
    index: u32,
}

/// What one file gave: its grouped failures, typed rows and row count.
struct FileRead {
    groups: Vec<DataFrame>,
    typed: Vec<DataFrame>,
    rows: u64,
}

impl Reading<'_> {
    /// Reads the file typed; reads it again as text when the typed read fails or a finding
    /// has to show a typed value as written (see `ingest::typed`). What was read of a file
    /// before it failed is left out with it.
    fn read(
        &self,
        specs: &[&ColumnSpec],
        checks: &[checks::Check],
        ctx: &Context,
    ) -> PolarsResult<Result<FileRead, Box<Finding>>> {
        if self.file.typed.is_empty() {
            return self.read_as(Mode::Text, &FilePlan::new(specs, checks, ctx, None));
        }
        let plan = FilePlan::new(specs, checks, ctx, Some((self.file, Mode::Typed)));
        match self.read_as(Mode::Typed, &plan)? {
            Ok(read)
                if !read.groups.iter().try_fold(false, |any, g| {
                    Ok::<_, PolarsError>(any || plan.needs_text(g)?)
                })? =>
            {
                Ok(Ok(read))
            }
            _ => self.read_as(Mode::Text, &FilePlan::new(specs, checks, ctx, None)),
        }
    }

    fn read_as(&self, mode: Mode, plan: &FilePlan) -> PolarsResult<Result<FileRead, Box<Finding>>> {
        let mut read = FileRead {
            groups: Vec::new(),
            typed: Vec::new(),
            rows: 0,
        };
        let mut each = |chunk: DataFrame| -> PolarsResult<()> {
            read.rows += chunk.height() as u64;
            let (failures, rows_typed) = plan.apply(chunk, self.index)?;
            read.groups.push(failures);
            read.typed.push(ids::hash_ids(rows_typed)?);
            Ok(())
        };
        let outcome = ingest::read(self.layout, self.file, self.present, mode, &mut each);
        Ok(outcome.map(|()| read))
    }
}

/// Canonical columns no metric reads: left out of the clean rows to save memory.
const NOT_MEASURED: [&str; 2] = ["event_id", "model_version"];

/// The rows of the stream's readable `files` whose event id hashes to one of `hashes`:
/// `FILE_INDEX`, `ROW` and `event_id` as parsed, in file order (see `ids`).
fn reread_ids(
    layout: &StreamLayout,
    opened: &Opened,
    files: &std::collections::BTreeSet<u32>,
    ctx: &Context,
    hashes: &Series,
) -> PolarsResult<DataFrame> {
    let present = std::collections::BTreeSet::from(["event_id".to_string()]);
    let mut parts = Vec::new();
    for &index in files {
        let file = &opened.files[index as usize];
        let mut each = |batch: DataFrame| -> PolarsResult<()> {
            let batch = batch
                .lazy()
                .with_column(parse::trim_column("event_id"))
                .select([
                    lit(index).cast(DataType::UInt32).alias(FILE_INDEX),
                    col(ROW),
                    mapped_text("event_id", ctx).alias("event_id"),
                ])
                .collect()?;
            parts.push(ids::with_hashes(batch, hashes)?);
            Ok(())
        };
        ingest::read(layout, file, &present, Mode::Text, &mut each)
            .map_err(|f| polars_err!(ComputeError: "{}: {}", file.display, f.message))?;
    }
    concat_frames(parts)
}

/// The rows the metrics use: free of errors, inside the period, first of their event id;
/// built part by part so that the typed rows and the clean rows are not both held whole.
fn clean_rows(
    typed: Vec<DataFrame>,
    specs: &[&ColumnSpec],
    repeated: Option<Series>,
) -> PolarsResult<DataFrame> {
    let keep: Vec<&str> = specs
        .iter()
        .map(|spec| spec.name.as_ref())
        .filter(|name| !NOT_MEASURED.contains(name))
        .collect();
    let mut mask = col(KEEP);
    if let Some(repeated) = repeated {
        let repeat = ids::row_key().is_in(lit(repeated).implode(false), false);
        mask = mask.and(repeat.not());
    }
    let keep: Vec<Expr> = keep.iter().map(|name| col(*name)).collect();
    let mut parts = Vec::with_capacity(typed.len());
    for part in typed {
        parts.push(
            part.lazy()
                .filter(mask.clone())
                .select(keep.clone())
                .collect()?,
        );
    }
    concat_frames(parts)
}

/// The repeats of event ids across all files of the stream (see `ids`), grouped like the
/// other checks.
fn duplicates(
    repeats: &DataFrame,
    checks: &[Check],
    files: &[&str],
) -> PolarsResult<Option<DataFrame>> {
    let Some(index) = checks.iter().position(|c| c.code == "event_id_duplicate") else {
        return Ok(None);
    };
    if repeats.height() == 0 {
        return Ok(None);
    }
    let per_file = repeats
        .clone()
        .lazy()
        .group_by([col(FILE_INDEX)])
        .agg(plan::first_failure("event_id"))
        .collect()?;
    let names = Series::new("names".into(), files);
    let grouped = per_file
        .lazy()
        .select([
            lit(index as u32).cast(DataType::UInt32).alias("check"),
            lit(names).gather(col(FILE_INDEX), false).alias(FILE),
            lit(NULL).cast(DataType::String).alias("key"),
            col("row").cast(DataType::UInt64),
            col("count").cast(IDX_DTYPE),
            col("found").cast(DataType::String),
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
            let found = found.get(i).unwrap_or("");
            let hint = rule
                .hint
                .as_ref()
                .and_then(|(hint, canonical)| hint.advise(canonical, found));
            Finding {
                severity: rule.severity,
                code: rule.code.to_string(),
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
