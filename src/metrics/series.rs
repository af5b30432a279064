//! Weekly series of the trend metrics: the same measures evaluated per ISO week (Monday start,
//! in the config's timezone). Every week that overlaps the period gets a point, so charts
//! have an unbroken time axis; a week without events has a null value and denominator 0.

use chrono::{Datelike, Days, NaiveDate};
use polars::prelude::*;

use super::measure::{Combine, Measure, evaluate};
use crate::model::{Arm, Series, SeriesPoint};
use crate::parts::Rows;

/// The column holding each event's week (the Monday, `YYYY-MM-DD`).
const WEEK: &str = "__week";

/// The week of every row (its index in `weeks`, null outside them), from
/// `timestamp` in `timezone`. The weeks' bounds are found once, as instants, so that rows are
/// only compared with them: no row is converted to local time or written out as text.
fn week_column(timezone: &str, weeks: &[NaiveDate]) -> Expr {
    let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let bounds: Vec<i64> = weeks
        .iter()
        .chain(weeks.last().map(|d| *d + Days::new(7)).as_slice())
        .map(|day| crate::zones::day_start_micros(zone, *day))
        .collect();
    let micros = col("timestamp").cast(DataType::Int64);
    let index = bounds
        .iter()
        .map(|b| micros.clone().gt_eq(lit(*b)).cast(DataType::Int32))
        .reduce(|a, b| a + b)
        .unwrap_or(lit(0))
        - lit(1);
    let inside = index
        .clone()
        .gt_eq(lit(0))
        .and(index.clone().lt(lit(weeks.len() as i32)));
    when(inside)
        .then(index)
        .otherwise(lit(NULL))
        .cast(DataType::Int32)
        .alias(WEEK)
}

/// The Mondays of every week that overlaps `start..=end`.
pub fn mondays(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let first = start - Days::new(u64::from(start.weekday().num_days_from_monday()));
    std::iter::successors(Some(first), |d| d.checked_add_days(Days::new(7)))
        .take_while(|d| *d <= end)
        .collect()
}

/// `2025-W23` for the week starting on `monday`.
fn iso_label(monday: NaiveDate) -> String {
    let week = monday.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// One series per measure over `rows` (which must hold `timestamp`).
pub fn series(
    rows: &Rows,
    measures: &[&Measure],
    timezone: &str,
    weeks: &[NaiveDate],
    stream: &str,
    arm: Option<Arm>,
) -> PolarsResult<Vec<Series>> {
    let per_week = evaluate(
        &rows.with_column(week_column(timezone, weeks)),
        Some(WEEK),
        measures,
    )?;
    let out = measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let points = weeks
                .iter()
                .enumerate()
                .map(|(index, monday)| {
                    let key = index.to_string();
                    let found = per_week
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| v[i].1);
                    let denominator = found.and_then(|v| v.denominator).or(match m.combine {
                        Combine::Count => None,
                        _ => Some(0.0),
                    });
                    SeriesPoint {
                        period: iso_label(*monday),
                        start: monday.to_string(),
                        value: found.and_then(|v| v.value),
                        denominator,
                    }
                })
                .collect();
            Series {
                metric: m.id.to_string(),
                stream: stream.to_string(),
                arm,
                points,
            }
        })
        .collect();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_cover_the_period_from_its_monday() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let weeks = mondays(d(6, 1), d(6, 30));
        assert_eq!(weeks.first(), Some(&d(5, 26)));
        assert_eq!(weeks.last(), Some(&d(6, 30)));
        assert_eq!(weeks.len(), 6);
        assert_eq!(iso_label(d(6, 2)), "2025-W23");
        assert_eq!(iso_label(d(12, 29)), "2026-W01");
    }

    #[test]
    fn rows_fall_in_the_week_of_their_local_time() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let weeks = [d(3, 3), d(3, 10)];
        // New York: Monday 10 March 00:00 EDT is 04:00 UTC (the clocks went forward on 9 March).
        let micros = |text: &str| {
            chrono::DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp_micros()
        };
        let stamps = [
            "2025-03-10T03:59:59Z",
            "2025-03-10T04:00:00Z",
            "2025-03-03T04:59:59Z",
            "2025-03-17T03:59:59Z",
            "2025-03-17T04:00:00Z",
        ]
        .map(micros);
        let ts = polars::prelude::Series::new("timestamp".into(), stamps.to_vec())
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap();
        let frame = DataFrame::new(5, vec![ts.into()]).unwrap();
        let keys = frame
            .lazy()
            .select([week_column("America/New_York", &weeks)])
            .collect()
            .unwrap();
        let keys: Vec<Option<i32>> = keys.column(WEEK).unwrap().i32().unwrap().iter().collect();
        assert_eq!(keys, [Some(0), Some(1), None, Some(1), None]);
    }
}
