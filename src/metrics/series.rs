//! Weekly series of the trend metrics: the same measures evaluated per ISO week (Monday start,
//! in the config's timezone). Every week that overlaps the period gets a point, so charts
//! have an unbroken time axis; a week without events has a null value and denominator 0.

use chrono::{Datelike, Days, NaiveDate};
use polars::prelude::*;

use super::measure::{Combine, Measure, evaluate};
use crate::model::{Series, SeriesPoint};

/// The column holding each event's week (the Monday, `YYYY-MM-DD`).
const WEEK: &str = "__week";

/// The week key of every row, from `timestamp` in `timezone`.
pub fn week_column(timezone: &str) -> Expr {
    let zone = TimeZone::opt_try_new(Some(timezone))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC);
    col("timestamp")
        .dt()
        .convert_time_zone(zone)
        .dt()
        .truncate(lit("1w"))
        .dt()
        .to_string("%Y-%m-%d")
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
    rows: LazyFrame,
    measures: &[&Measure],
    timezone: &str,
    weeks: &[NaiveDate],
    stream: &str,
    arm: Option<&str>,
) -> PolarsResult<Vec<Series>> {
    let per_week = evaluate(
        rows.with_column(week_column(timezone)),
        Some(WEEK),
        measures,
    )?;
    let out = measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let points = weeks
                .iter()
                .map(|monday| {
                    let key = monday.to_string();
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
                        start: key,
                        value: found.and_then(|v| v.value),
                        denominator,
                    }
                })
                .collect();
            Series {
                metric: m.id.to_string(),
                stream: stream.to_string(),
                arm: arm.map(str::to_string),
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
}
