//! The one place that reads the clock. With `SOURCE_DATE_EPOCH` set (seconds since 1970),
//! every timestamp the tool writes is that instant, so repeated builds are byte-identical.

use chrono::{DateTime, SecondsFormat, Utc};

/// The instant outputs are stamped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    now: DateTime<Utc>,
}

impl Clock {
    /// `SOURCE_DATE_EPOCH` when set and valid, the system clock otherwise.
    pub fn from_env() -> crate::error::Result<Clock> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(text) => {
                Self::from_epoch_text(&text).map_err(|reason| crate::error::Error::Clock { reason })
            }
            Err(_) => Ok(Clock { now: Utc::now() }),
        }
    }

    pub fn from_epoch_text(text: &str) -> Result<Clock, String> {
        let seconds: i64 = text.trim().parse().map_err(|_| {
            format!("SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, found {text:?}")
        })?;
        DateTime::from_timestamp(seconds, 0)
            .map(|now| Clock { now })
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH {seconds} is out of range"))
    }

    /// RFC 3339 in UTC to the second, e.g. `2025-09-01T00:00:00Z`.
    pub fn rfc3339(&self) -> String {
        self.now.to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_text_fixes_the_time() {
        let clock = Clock::from_epoch_text("1756684800").unwrap();
        assert_eq!(clock.rfc3339(), "2025-09-01T00:00:00Z");
        assert!(Clock::from_epoch_text("yesterday").is_err());
    }
}
