//! What is done to each batch of a file's rows: parse (or take as typed) every column, run
//! every check as a column, group the failing rows, keep the typed rows. One plan per file
//! and way of reading it (typed or text), since the typed columns differ from file to file.

use polars::prelude::*;

use super::checks::Check;
use super::parse::{self, Timestamps};
use super::{
    Context, FILE_INDEX, KEEP, NAIVE_TIMESTAMP, in_period, mapped_text, parsed, parsed_name,
};
use crate::ingest::{FILE, Mode, OpenFile, ROW, Typed};
use crate::model::{Code, Severity};
use crate::schema::{ColumnSpec, ColumnType};

/// The expressions for one file read one way. Every check's mask is computed once, as a
/// column, and read by the grouping and by the filter.
pub(super) struct FilePlan {
    /// The trimmed text of the columns read as text.
    trims: Vec<Expr>,
    blanks: Vec<Expr>,
    parsed: Vec<Expr>,
    /// For a text timestamp: rows the quick reading left unread, and the full reading that
    /// replaces it in a batch that has any.
    slow_timestamp: Option<(Expr, Vec<Expr>)>,
    masks: Vec<Expr>,
    /// The checks with their masks as columns (and the cross-file duplicate check off: it
    /// runs on the whole stream).
    checks: Vec<Check>,
    /// Each check's "found" text.
    founds: Vec<Expr>,
    /// Checks whose "found" only a text read of the file can show.
    unshown: Vec<bool>,
    keep: Vec<Expr>,
}

impl FilePlan {
    /// The plan for `file` read in `mode` (`None`: a stream without readable files).
    pub(super) fn new(
        specs: &[&ColumnSpec],
        checks: &[Check],
        ctx: &Context,
        file: Option<(&OpenFile, Mode)>,
    ) -> FilePlan {
        let typed = file.map_or_else(Typed::new, |(f, mode)| f.typed_in(mode));
        let text_of = |name: &str| match file {
            Some((f, mode)) => f.text_of(name, mode),
            None => Some(col(name)),
        };
        let (parsed, slow_timestamp) = parse_all(specs, &typed, ctx);
        let trims = specs
            .iter()
            .filter(|s| !typed.contains_key(s.name.as_ref()))
            .map(|s| parse::trim_column(&s.name))
            .collect();
        let blanks = specs
            .iter()
            .map(|s| match typed.contains_key(s.name.as_ref()) {
                true => col(s.name.as_ref())
                    .is_null()
                    .alias(parse::blank_name(&s.name)),
                false => parse::blank_column(&s.name),
            })
            .collect();
        let mut masks = Vec::new();
        let mut founds = Vec::new();
        let mut unshown = Vec::new();
        let checks: Vec<Check> = checks
            .iter()
            .cloned()
            .enumerate()
            .map(|(index, mut check)| {
                if check.code == Code::EventIdDuplicate {
                    check.mask = lit(false);
                }
                let name = format!("#check{index}");
                masks.push(check.mask.clone().fill_null(lit(false)).alias(&name));
                check.mask = col(&name);
                let text = check.found.as_deref().map_or(Some(lit("")), text_of);
                unshown.push(text.is_none());
                founds.push(text.unwrap_or(lit(NULL)).cast(DataType::String));
                check
            })
            .collect();
        FilePlan {
            trims,
            blanks,
            parsed,
            slow_timestamp,
            keep: keep_columns(specs, &checks, ctx),
            masks,
            checks,
            founds,
            unshown,
        }
    }

    /// The failures of one batch, grouped per check, and its typed rows.
    pub(super) fn apply(
        &self,
        text: DataFrame,
        index: u32,
    ) -> PolarsResult<(DataFrame, DataFrame)> {
        let mut stage = self.blanks.clone();
        stage.extend(self.parsed.iter().cloned());
        let mut frame = text
            .lazy()
            .with_columns(self.trims.clone())
            .with_columns(stage)
            .collect()?;
        if let Some((unread, full)) = &self.slow_timestamp {
            let any = frame
                .clone()
                .lazy()
                .select([unread.clone().any(true)])
                .collect()?;
            if any.column(unread_name())?.bool()?.get(0) == Some(true) {
                frame = frame.lazy().with_columns(full.clone()).collect()?;
            }
        }
        let frame = frame.lazy().with_columns(self.masks.clone()).collect()?;
        let failures = group_failures(&frame, &self.checks, &self.founds)?;
        let mut keep = vec![lit(index).cast(DataType::UInt32).alias(FILE_INDEX)];
        keep.extend(self.keep.iter().cloned());
        let typed = frame.lazy().select(keep).collect()?;
        Ok((failures, typed))
    }

    /// Whether `failures` (of this plan) hold a check whose "found" needs a text read.
    pub(super) fn needs_text(&self, failures: &DataFrame) -> PolarsResult<bool> {
        if failures.height() == 0 || !self.unshown.contains(&true) {
            return Ok(false);
        }
        let check = failures.column("check")?.u32()?;
        Ok(check.into_no_null_iter().any(|c| self.unshown[c as usize]))
    }
}

fn unread_name() -> &'static str {
    "#timestamp_unread"
}

/// The parsed columns, and for a text timestamp its fallback to the full reading.
fn parse_all(
    specs: &[&ColumnSpec],
    typed: &Typed,
    ctx: &Context,
) -> (Vec<Expr>, Option<(Expr, Vec<Expr>)>) {
    let mut parsed = Vec::new();
    let mut slow = None;
    for spec in specs {
        let name = spec.name.as_ref();
        let timestamps =
            |(ts, naive): Timestamps| [ts.alias(parsed_name(name)), naive.alias(NAIVE_TIMESTAMP)];
        match (typed.get(name), spec.ty) {
            (Some(dtype), ColumnType::Timestamp) => parsed.extend(timestamps(
                parse::stored_timestamp(col(name), dtype, ctx.zone()),
            )),
            (Some(_), ty) => {
                let value = scaled(name, parse::from_typed(col(name), ty), ctx);
                parsed.push(value.alias(parsed_name(name)));
            }
            (None, ColumnType::Timestamp) if !ctx.timestamp_formats.is_empty() => {
                let text = mapped_text(name, ctx);
                let read = parse::formatted_timestamp(text, &ctx.timestamp_formats, ctx.zone());
                parsed.extend(timestamps(read));
            }
            (None, ColumnType::Timestamp) => {
                let text = mapped_text(name, ctx);
                parsed.extend(timestamps(parse::quick_timestamp(text.clone(), ctx.zone())));
                let unread = col(NAIVE_TIMESTAMP)
                    .is_null()
                    .and(parse::is_blank(name).not())
                    .alias(unread_name());
                let full = timestamps(parse::full_timestamp(text, ctx.zone())).to_vec();
                slow = Some((unread, full));
            }
            (None, ty) => {
                let text = match ty {
                    ColumnType::Float { .. } | ColumnType::Int { .. } if ctx.decimal_comma => {
                        parse::decimal_comma(mapped_text(name, ctx))
                    }
                    _ => mapped_text(name, ctx),
                };
                let value = parse::parse(text, ty, ctx.zone());
                parsed.push(scaled(name, value, ctx).alias(parsed_name(name)));
            }
        }
    }
    (parsed, slow)
}

/// A `score` divided by the stream's `score_scale` (scores exported in percent); any other
/// column as it is.
fn scaled(name: &str, value: Expr, ctx: &Context) -> Expr {
    match ctx.score_scale {
        Some(scale) if name == "score" => value / lit(scale),
        _ => value,
    }
}

/// Canonical columns no metric reads: left out of the typed rows' measured columns.
const NOT_KEPT: &str = "model_version";

/// The typed rows kept: `__row`, free of errors and inside the period, the parsed columns.
fn keep_columns(specs: &[&ColumnSpec], checks: &[Check], ctx: &Context) -> Vec<Expr> {
    let ok = checks
        .iter()
        .filter(|c| c.code.severity() == Severity::Error || c.code == Code::ArmMissing)
        .map(|c| c.mask.clone().fill_null(lit(false)).not())
        .fold(lit(true), Expr::and);
    let mut keep = vec![col(ROW), ok.and(in_period(ctx)).alias(KEEP)];
    keep.extend(
        specs
            .iter()
            .filter(|spec| spec.name != NOT_KEPT)
            .map(|spec| kept(spec, ctx).alias(spec.name.as_ref())),
    );
    keep
}

/// A parsed column as the clean rows hold it: text columns other than `event_id` (which only
/// the duplicate check reads) as categories when the context asks for it.
fn kept(spec: &ColumnSpec, ctx: &Context) -> Expr {
    let text = matches!(spec.ty, ColumnType::Text | ColumnType::Enum(_));
    let value = parsed(&spec.name);
    if text && ctx.categorical_text && spec.name != "event_id" {
        value.cast(DataType::from_categories(Categories::global()))
    } else {
        value
    }
}

/// Runs every check in one polars query and groups failing rows per check and file (and per
/// value found, for checks that list each distinct value).
fn group_failures(frame: &DataFrame, checks: &[Check], founds: &[Expr]) -> PolarsResult<DataFrame> {
    if checks.is_empty() || frame.height() == 0 {
        return Ok(DataFrame::empty());
    }
    let failing: Vec<LazyFrame> = checks
        .iter()
        .zip(founds)
        .enumerate()
        .map(|(index, (check, found))| {
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
                    found.clone().alias("found"),
                    key.alias("key"),
                ])
        })
        .collect();
    concat(failing, UnionArgs::default())?
        .group_by([col("check"), col(FILE), col("key")])
        .agg(first_failure("found"))
        .collect()
}

/// Per group of failing rows: the first row, the count, the value found in the first row.
pub(super) fn first_failure(found: &str) -> [Expr; 3] {
    [
        col(ROW).min().alias("row"),
        len().alias("count"),
        // The value at the first row: one pass, no sort (a warning may cover most rows).
        col(found).get(col(ROW).arg_min(), false).alias("found"),
    ]
}
