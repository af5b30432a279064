//! Polars expressions that parse a text column into its canonical type. A value that cannot
//! be parsed becomes null, which the checks compare with the text to find bad values.

use polars::prelude::*;

use crate::schema::ColumnType;

/// Boolean spellings accepted by input-v1 (compared in lower case).
const TRUE_WORDS: &[&str] = &["true", "1", "yes", "y"];
const FALSE_WORDS: &[&str] = &["false", "0", "no", "n"];

/// The config's timezone as the timestamp readers use it.
#[derive(Debug, Clone, Copy)]
pub struct Zone<'a> {
    /// IANA name.
    pub name: &'a str,
    /// The zone's UTC offset in microseconds when its clocks do not change around the period
    /// (see `zones::steady_offset_micros`): local times then become instants by one
    /// subtraction instead of a timezone-database lookup per value.
    pub steady_offset: Option<i64>,
}

/// The canonical timestamp type: microseconds in UTC.
pub fn timestamp_dtype() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

fn words(list: &[&str]) -> Expr {
    let series = Series::new("words".into(), list);
    lit(series).implode(true)
}

/// The column `trimmed(name)` reads: the text of column `name` with surrounding spaces
/// removed and empty text as null, computed once per batch for the blank test and the parse.
pub fn trim_column(name: &str) -> Expr {
    let stripped = col(name).str().strip_chars(lit(NULL));
    when(stripped.clone().str().len_bytes().eq(lit(0)))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(stripped)
        .alias(trim_name(name))
}

fn trim_name(name: &str) -> String {
    format!("{name}#trim")
}

/// The trimmed text of column `name` (see `trim_column`).
pub fn trimmed(name: &str) -> Expr {
    col(trim_name(name))
}

/// True where the cell is empty (null, or only spaces): the column `blank_column` adds, so
/// that the many checks that ask do not trim the text again each time.
pub fn is_blank(name: &str) -> Expr {
    col(blank_name(name))
}

pub(super) fn blank_name(name: &str) -> String {
    format!("{name}#blank")
}

/// The column `is_blank(name)` reads (after `trim_column`).
pub fn blank_column(name: &str) -> Expr {
    trimmed(name).is_null().alias(blank_name(name))
}

/// Parses the text column `name` (already trimmed and value-mapped by `text`) into `ty`.
pub fn parse(text: Expr, ty: ColumnType, zone: Zone) -> Expr {
    match ty {
        ColumnType::Text => text,
        ColumnType::Enum(set) => {
            let lower = text.str().to_lowercase();
            when(lower.clone().is_in(words(set), false))
                .then(lower)
                .otherwise(lit(NULL).cast(DataType::String))
        }
        ColumnType::Bool => {
            let lower = text.str().to_lowercase();
            when(lower.clone().is_in(words(TRUE_WORDS), false))
                .then(lit(true))
                .when(lower.is_in(words(FALSE_WORDS), false))
                .then(lit(false))
                .otherwise(lit(NULL).cast(DataType::Boolean))
        }
        ColumnType::Float { .. } => text.cast(DataType::Float64),
        ColumnType::Int { .. } => whole_number(text.cast(DataType::Float64)),
        ColumnType::Timestamp => full_timestamp(text, zone).0,
        ColumnType::Date => text.str().to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: false,
            exact: true,
            cache: true,
        }),
    }
}

/// A number as a whole number (null when it has a fraction).
fn whole_number(number: Expr) -> Expr {
    when(number.clone().floor().eq(number.clone()))
        .then(number.cast(DataType::Int64))
        .otherwise(lit(NULL).cast(DataType::Int64))
}

/// A column the reader has already typed (see `ingest::typed`), as canonical type `ty`.
pub fn from_typed(value: Expr, ty: ColumnType) -> Expr {
    match ty {
        ColumnType::Int { .. } => whole_number(value.cast(DataType::Float64)),
        ColumnType::Bool => value.cast(DataType::Boolean),
        _ => value.cast(DataType::Float64),
    }
}

/// A timestamp column and its local time without timezone (see `naive_timestamp`): the pair
/// every way of reading timestamps gives.
pub type Timestamps = (Expr, Expr);

/// Numbers written with a decimal comma (`0,25`) as the parser reads them (`0.25`).
pub fn decimal_comma(text: Expr) -> Expr {
    text.str().replace(lit(","), lit("."), true)
}

/// Text timestamps in the stream's own strftime `formats`, tried in order, then in the
/// built-in forms: a format with `%z` reads an instant, one without a local time in `zone`.
pub fn formatted_timestamp(text: Expr, formats: &[String], zone: Zone) -> Timestamps {
    let mut instants = Vec::new();
    let mut locals = Vec::new();
    for format in formats {
        let read = text.clone().str().to_datetime(
            Some(TimeUnit::Microseconds),
            None,
            strptime(format),
            lit("raise"),
        );
        if format.contains("%z") || format.contains("%:z") || format.contains("%#z") {
            instants.push(
                read.dt()
                    .convert_time_zone(TimeZone::UTC)
                    .cast(timestamp_dtype()),
            );
        } else {
            instants.push(local_to_utc(read.clone(), zone));
            locals.push(read);
        }
    }
    let (built_in, built_in_local) = full_timestamp(text, zone);
    instants.push(built_in);
    locals.push(built_in_local);
    (coalesce(&instants), coalesce(&locals))
}

/// The quick reading of text timestamps, for the common `YYYY-MM-DD HH:MM:SS` (polars' fast
/// fixed-format parser, about eight times faster than the full reading). Where it reads a
/// value it agrees with [`full_timestamp`]; a batch with a value it leaves unread is read
/// again with the full reading.
pub fn quick_timestamp(text: Expr, zone: Zone) -> Timestamps {
    let options = StrptimeOptions {
        cache: false,
        ..strptime("%Y-%m-%d %H:%M:%S")
    };
    let naive = text
        .str()
        .to_datetime(Some(TimeUnit::Microseconds), None, options, lit("raise"));
    (local_to_utc(naive.clone(), zone), naive)
}

/// Every timestamp form of input-v1 (see `parse_timestamp`), with the local time.
pub fn full_timestamp(text: Expr, zone: Zone) -> Timestamps {
    (parse_timestamp(text.clone(), zone), naive_timestamp(text))
}

/// A timestamp column as a Parquet file stores it: with a timezone it is an instant; without,
/// a local time in `zone`, as if written `YYYY-MM-DD HH:MM:SS`.
pub fn stored_timestamp(value: Expr, dtype: &DataType, zone: Zone) -> Timestamps {
    let local = DataType::Datetime(TimeUnit::Microseconds, None);
    match dtype {
        DataType::Datetime(_, Some(_)) => (
            value
                .dt()
                .convert_time_zone(TimeZone::UTC)
                .cast(timestamp_dtype()),
            lit(NULL).cast(local),
        ),
        _ => {
            let naive = value.cast(local);
            (local_to_utc(naive.clone(), zone), naive)
        }
    }
}

/// A local time in `zone` as an instant in UTC: ambiguous local times (a DST fall-back) take
/// the earlier instant, local times that do not exist (a DST gap) are null. With a steady
/// offset there are neither, and the offset is subtracted.
fn local_to_utc(naive: Expr, zone: Zone) -> Expr {
    if let Some(offset) = zone.steady_offset {
        return (naive.cast(DataType::Int64) - lit(offset)).cast(timestamp_dtype());
    }
    let tz = TimeZone::opt_try_new(Some(zone.name))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC);
    naive
        .dt()
        .replace_time_zone(Some(tz), lit("earliest"), NonExistent::Null)
        .dt()
        .convert_time_zone(TimeZone::UTC)
        .cast(timestamp_dtype())
}

/// RFC 3339 (offset or `Z`, `T` or space) goes to UTC directly; `YYYY-MM-DD HH:MM:SS` without
/// an offset is read in `zone`. Ambiguous local times (a DST fall-back) take the earlier
/// instant; local times that do not exist (a DST gap) are rejected.
fn parse_timestamp(text: Expr, zone: Zone) -> Expr {
    let unified = unify(text);
    let with_offset = unified.clone().str().to_datetime(
        Some(TimeUnit::Microseconds),
        None,
        strptime("%Y-%m-%d %H:%M:%S%.f%z"),
        lit("raise"),
    );
    coalesce(&[
        with_offset.cast(timestamp_dtype()),
        local_to_utc(naive(unified), zone),
    ])
}

/// `T` or space between date and time, `Z` as `+00:00`, and a time without seconds
/// (`2025-06-02 10:05`, as spreadsheets export it) at second 0.
fn unify(text: Expr) -> Expr {
    text.str()
        .replace(lit(r"^(\d{4}-\d{2}-\d{2})[Tt]"), lit("${1} "), false)
        .str()
        .replace(
            lit(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2})([Zz]|[+-]\d{2}:?\d{2})?$"),
            lit("${1}:00${2}"),
            false,
        )
        .str()
        .replace(lit(r"[Zz]$"), lit("+00:00"), false)
}

fn strptime(format: &str) -> StrptimeOptions {
    StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    }
}

fn naive(unified: Expr) -> Expr {
    unified.str().to_datetime(
        Some(TimeUnit::Microseconds),
        None,
        strptime("%Y-%m-%d %H:%M:%S%.f"),
        lit("raise"),
    )
}

/// The timestamp read as a local time without timezone: not null where the text has the
/// `YYYY-MM-DD HH:MM:SS` form. Where it is set but the parsed timestamp is null, the local
/// time does not exist (a daylight-saving gap).
fn naive_timestamp(text: Expr) -> Expr {
    naive(unify(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hong Kong's clocks stay at +08:00: the subtraction gives the instants the timezone
    /// database gives, for local times in and far outside the period.
    #[test]
    fn a_steady_offset_gives_the_instants_of_the_timezone_database() {
        let texts = [
            "2025-06-01 00:00:00",
            "2025-06-30 23:59:59",
            "2025-03-09 02:30:00",
            "1999-12-31 23:00:00",
            "not a time",
        ];
        let frame = df!("t" => texts).unwrap().lazy();
        let read = |steady_offset| {
            let zone = Zone {
                name: "Asia/Hong_Kong",
                steady_offset,
            };
            let (ts, _) = quick_timestamp(col("t"), zone);
            let out = frame
                .clone()
                .select([ts.cast(DataType::Int64).alias("us")])
                .collect()
                .unwrap();
            out.column("us")
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .collect::<Vec<_>>()
        };
        let database = read(None);
        assert_eq!(database[0], Some(1_748_707_200_000_000));
        assert_eq!(database[4], None);
        assert_eq!(read(Some(8 * 3_600_000_000)), database);
    }
}
