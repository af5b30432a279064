//! Calendar dates in the config (`period.start`, `period.end`), read as `YYYY-MM-DD` with a
//! message a config author understands: what was expected, what was found and, for a day that
//! does not exist, why.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

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
