//! Validation: parse every canonical column, run every rule of input-v1 as a vectorised
//! polars check, and hand on the clean rows (free of errors, inside the reporting period) that
//! the metrics are computed from. Each finding names the file, the first row, the column, what
//! was expected and what was found, with a count of the rows like it.

mod checks;
mod coverage;
mod hints;
mod kpis;
pub mod parse;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::ingest::{FILE, ROW, RawStream, StreamLayout};
use crate::model::{Finding, Severity};
use crate::schema::ColumnSpec;
pub use checks::Check;

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

/// Validates one ingested stream.
pub fn validate(raw: RawStream, layout: &StreamLayout, ctx: &Context) -> PolarsResult<Validated> {
    let without_period;
    let ctx = if raw.present.contains("timestamp") {
        ctx
    } else {
        without_period = Context {
            period_utc: None,
            ..ctx.clone()
        };
        &without_period
    };
    let present: Vec<&ColumnSpec> = layout
        .columns
        .iter()
        .filter(|c| raw.present.contains(c.name.as_ref()))
        .collect();
    let mut parsed_cols: Vec<Expr> = present
        .iter()
        .map(|spec| {
            parse::parse(mapped_text(&spec.name, ctx), spec.ty, &ctx.timezone)
                .alias(parsed_name(&spec.name))
        })
        .collect();
    if raw.present.contains("timestamp") {
        parsed_cols
            .push(parse::naive_timestamp(mapped_text("timestamp", ctx)).alias(NAIVE_TIMESTAMP));
    }
    let frame = raw.frame.lazy().with_columns(parsed_cols).collect()?;
    let mut checks = checks::checks_for(layout, &present, ctx);
    checks.extend(kpis::checks(layout, &present));
    let mut findings = raw.findings;
    findings.extend(run_checks(&frame, &checks, &layout.name)?);
    let ok = checks
        .iter()
        .filter(|c| c.severity == Severity::Error || c.code == "arm_missing")
        .map(|c| c.mask.clone().fill_null(lit(false)).not())
        .fold(lit(true), Expr::and);
    let outside = findings
        .iter()
        .filter(|f| f.code == "outside_period")
        .map(|f| f.count)
        .sum();
    let rows_read = frame.height() as u64;
    let keep: Vec<Expr> = present
        .iter()
        .map(|spec| parsed(&spec.name).alias(spec.name.as_ref()))
        .collect();
    let clean = frame
        .lazy()
        .filter(ok.and(in_period(ctx)))
        .select(keep)
        .collect()?;
    if layout.covers_period {
        findings.extend(coverage::finding(&clean, ctx, &layout.name)?);
    }
    Ok(Validated {
        clean,
        present: raw.present,
        findings,
        rows_read,
        rows_outside_period: outside,
    })
}

/// Runs every check in one polars query and groups failing rows per check and file.
fn run_checks(frame: &DataFrame, checks: &[Check], stream: &str) -> PolarsResult<Vec<Finding>> {
    if checks.is_empty() || frame.height() == 0 {
        return Ok(Vec::new());
    }
    let failing: Vec<LazyFrame> = checks
        .iter()
        .enumerate()
        .map(|(index, check)| {
            let found = check.found.clone().cast(DataType::String);
            let key = if check.per_value {
                found.clone()
            } else {
                lit(NULL).cast(DataType::String)
            };
            frame
                .clone()
                .lazy()
                .filter(check.mask.clone().fill_null(lit(false)))
                .select([
                    lit(index as u32).cast(DataType::UInt32).alias("check"),
                    col(FILE),
                    col(ROW),
                    found.alias("found"),
                    key.alias("key"),
                ])
        })
        .collect();
    let grouped = concat(failing, UnionArgs::default())?
        .group_by([col("check"), col(FILE), col("key")])
        .agg([
            col(ROW).min().alias("row"),
            len().alias("count"),
            col("found")
                .sort_by([col(ROW)], SortMultipleOptions::default())
                .first()
                .alias("found"),
        ])
        .sort(["check", FILE, "row"], SortMultipleOptions::default())
        .collect()?;
    to_findings(&grouped, checks, stream)
}

/// Turns the grouped failures (a handful of rows) into findings.
fn to_findings(grouped: &DataFrame, checks: &[Check], stream: &str) -> PolarsResult<Vec<Finding>> {
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
