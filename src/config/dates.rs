//! Calendar dates in the config (`period.start`, `period.end`), read as `YYYY-MM-DD` with a
//! message a config author understands: what was expected, what was found and, for a day that
//! does not exist, why. Also where a day begins in the config's timezone, and whether its clocks
//! stay put around the period.

use chrono::{Datelike, Days, NaiveDate, Offset, TimeZone};
use serde::{Deserialize, Deserializer};

/// The first instant of `day` in `zone`, in microseconds since the epoch: the earlier one when
/// midnight occurs twice, the first hour that exists when the clocks skip midnight (Santiago,
/// Beirut and others change their clocks at midnight).
pub fn day_start_micros(zone: chrono_tz::Tz, day: NaiveDate) -> i64 {
    (0..24)
        .find_map(|hour| {
            zone.from_local_datetime(&day.and_hms_opt(hour, 0, 0)?)
                .earliest()
        })
        .map_or(i64::MIN, |t| t.timestamp_micros())
}

/// The UTC offset of `zone` in microseconds (local = UTC + offset) when it is the same at every
/// hour from a year before `start` to a year after `end`: the clocks do not change around the
/// period, so a local time becomes an instant by one subtraction. `None` when they change
/// (daylight saving, or a zone that moved its offset).
pub fn steady_offset_micros(zone: chrono_tz::Tz, start: NaiveDate, end: NaiveDate) -> Option<i64> {
    let first = start
        .checked_sub_days(Days::new(366))?
        .and_hms_opt(0, 0, 0)?;
    let last = end.checked_add_days(Days::new(367))?.and_hms_opt(0, 0, 0)?;
    let offset_at = |utc: &chrono::NaiveDateTime| {
        i64::from(zone.offset_from_utc_datetime(utc).fix().local_minus_utc())
    };
    let offset = offset_at(&first);
    let mut hour = first;
    while hour <= last {
        if offset_at(&hour) != offset {
            return None;
        }
        hour += chrono::TimeDelta::hours(1);
    }
    Some(offset * 1_000_000)
}

/// Deserializes a `YYYY-MM-DD` date (serde `deserialize_with`).
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = super::Text::deserialize(d)?.0;
    parse(&text).map_err(serde::de::Error::custom)
}

/// Parses `text` as a date, or says in plain words why it is not one.
pub(crate) fn parse(text: &str) -> Result<NaiveDate, String> {
    let expected = format!("expected a date as YYYY-MM-DD, found {text:?}");
    let Some((y, m, d)) = split(text) else {
        return Err(format!("{expected}{}", shape_hint(text)));
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| match month_length(y, m) {
        Some(days) => format!(
            "{expected}, which is not a day of the calendar ({} {y} has {days} days)",
            month_name(m)
        ),
        None => format!("{expected}, which has no month {m} (months run 01 to 12)"),
    })
}

/// `YYYY-MM-DD` exactly: four, two and two digits.
fn split(text: &str) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
        }
        _ => None,
    }
}

/// Advice for the common wrong shapes: a time of day, a day-first or month-first date.
fn shape_hint(text: &str) -> &'static str {
    let date_part = text.split(['T', ' ']).next().unwrap_or(text);
    if date_part != text && split(date_part).is_some() {
        "; a period is whole days, so leave out the time of day"
    } else if text.contains('/') || text.contains('.') {
        "; write the year first with dashes, e.g. 2025-07-01 for 1 July 2025"
    } else {
        ""
    }
}

fn month_length(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((next - first).num_days() as u32).filter(|_| first.month() == month)
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[(month as usize).saturating_sub(1).min(11)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_messages_for_wrong_dates() {
        assert_eq!(
            parse("2025-07-01"),
            NaiveDate::from_ymd_opt(2025, 7, 1).ok_or(String::new())
        );
        let slash = parse("01/07/2025").unwrap_err();
        assert!(
            slash.starts_with(
                "expected a date as YYYY-MM-DD, found \"01/07/2025\"; write the year first"
            ),
            "{slash}"
        );
        let day = parse("2025-09-31").unwrap_err();
        assert!(
            day.ends_with("which is not a day of the calendar (September 2025 has 30 days)"),
            "{day}"
        );
        let leap = parse("2025-02-29").unwrap_err();
        assert!(leap.contains("February 2025 has 28 days"), "{leap}");
        assert!(parse("2024-02-29").is_ok());
        let time = parse("2025-07-01T00:00:00").unwrap_err();
        assert!(time.contains("leave out the time of day"), "{time}");
        assert!(parse("2025-13-01").unwrap_err().contains("no month 13"));
        assert!(parse("2025-6-1").is_err());
    }
}

#[cfg(test)]
mod day_start_tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_first_existing_instant() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let hk: chrono_tz::Tz = "Asia/Hong_Kong".parse().unwrap();
        // 2025-06-01 00:00 +08:00 is 2025-05-31 16:00 UTC.
        assert_eq!(day_start_micros(hk, d(2025, 6, 1)), 1_748_707_200_000_000);
        // Santiago skipped from 00:00 to 01:00 on 7 September 2025: the day starts at 01:00 -03:00.
        let santiago: chrono_tz::Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            day_start_micros(santiago, d(2025, 9, 7)),
            1_757_217_600_000_000
        );
    }

    #[test]
    fn a_steady_offset_only_where_the_clocks_never_change_near_the_period() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let zone = |name: &str| -> chrono_tz::Tz { name.parse().unwrap() };
        let june = (d(2025, 6, 1), d(2025, 6, 30));
        let steady = |name: &str| steady_offset_micros(zone(name), june.0, june.1);
        assert_eq!(steady("Asia/Hong_Kong"), Some(8 * 3_600_000_000));
        assert_eq!(steady("UTC"), Some(0));
        assert_eq!(steady("Asia/Kolkata"), Some(19_800_000_000));
        // New York keeps summer time all June, but changes its clocks within a year of it.
        assert_eq!(steady("America/New_York"), None);
        // Kazakhstan's Almaty moved from +06:00 to +05:00 on 1 March 2024.
        assert_eq!(
            steady_offset_micros(zone("Asia/Almaty"), d(2024, 6, 1), d(2024, 6, 30)),
            None
        );
    }
}
