//! Whether a stream's events cover its reporting period: a period that runs far past the data
//! (a mistyped end date, a missing month of files) leaves most weekly points empty and every
//! rate computed over less than the report claims, so it is a warning.

use polars::prelude::*;

use super::Context;
use crate::model::{Code, Finding};
use crate::parts::Fold;

const WEEK_MICROS: i64 = 7 * 86_400 * 1_000_000;

/// A `period_sparse` warning when more than a quarter (and at least two) of the period's weeks,
/// counted in 7-day blocks from its first day, hold no event of `clean`.
pub(super) fn finding(
    clean: &super::CleanRows,
    ctx: &Context,
    stream: &str,
) -> PolarsResult<Option<Finding>> {
    let Some((start, end)) = ctx.period_utc else {
        return Ok(None);
    };
    let mut rows = clean.lazy()?;
    if clean.height() == 0 || !rows.collect_schema()?.contains("timestamp") {
        return Ok(None);
    }
    let weeks = (end - start + WEEK_MICROS - 1) / WEEK_MICROS;
    let micros = col("timestamp").cast(DataType::Int64);
    let per_week = clean.rows()?.fold_by(
        &[((micros - lit(start)) / lit(WEEK_MICROS)).alias("week")],
        &[
            (col("timestamp").min().alias("first"), Fold::Min),
            (col("timestamp").max().alias("last"), Fold::Max),
        ],
    )?;
    let day = |c: &str, e: Expr| e.dt().date().cast(DataType::String).alias(c);
    let stats = per_week
        .lazy()
        .select([
            len().cast(DataType::Int64).alias("weeks"),
            day("first", col("first").min()),
            day("last", col("last").max()),
        ])
        .collect()?;
    let with_events = stats.column("weeks")?.i64()?.get(0).unwrap_or(0);
    let empty = weeks - with_events;
    if empty < 2 || empty * 4 <= weeks {
        return Ok(None);
    }
    let text = |name: &str| -> PolarsResult<String> {
        Ok(stats.column(name)?.str()?.get(0).unwrap_or("").to_string())
    };
    let message = format!(
        "{empty} of the {weeks} weeks of the reporting period {} have no event; the stream's events run from {} to {} (UTC dates)",
        ctx.period_text,
        text("first")?,
        text("last")?
    );
    Ok(Some(
        Finding::new(Code::PeriodSparse, message)
            .in_stream(stream)
            .with_hint("check submission.period (a mistyped year or end date) and that every file of the period is in the stream's path"),
    ))
}
