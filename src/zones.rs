//! Days and clocks in a timezone: where a day begins, and whether a zone's clocks stay put
//! around a period (then a local time becomes an instant by one subtraction). A leaf module
//! used by the pipeline, validation and the weekly series.

use chrono::{Days, NaiveDate, Offset, TimeZone};

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

#[cfg(test)]
mod tests {
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
