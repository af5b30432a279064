//! How numbers are printed in reports: one set of rules for every format, so that the PDF,
//! HTML and Markdown show the same text. summary.json keeps full precision; only reports round.

use crate::metrics::catalogue::{self, Display, Unit};
use crate::model::Metric;

/// Text shown where a value cannot be computed (zero denominator, one class only).
pub const NOT_AVAILABLE: &str = "n/a";

/// Groups thousands: `52110` → `52,110`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A float with `decimals` places and grouped thousands.
pub fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = thousands(int.parse().unwrap_or(0));
    let sign = if value < 0.0 && !text.trim_matches(['0', '.']).is_empty() {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A ratio as a percentage with two decimals: `0.93124` → `93.12%`.
pub fn percent(value: f64) -> String {
    format!("{}%", fixed(value * 100.0, 2))
}

/// A value in the unit of metric `id`.
pub fn value(id: &str, value: Option<f64>, currency: Option<&str>) -> String {
    let Some(v) = value else {
        return NOT_AVAILABLE.into();
    };
    let def = catalogue::find(id);
    let unit = def.map_or(Unit::Ratio, |d| d.unit);
    let decimal = def.is_some_and(|d| d.display == Display::Decimal);
    match unit {
        Unit::Count => fixed(v, 0),
        Unit::Ratio if decimal => fixed(v, 4),
        Unit::Ratio => percent(v),
        Unit::Difference => format!("{} pp", fixed(v * 100.0, 2)),
        Unit::Milliseconds => format!("{} ms", fixed(v, 1)),
        Unit::Seconds => format!("{} s", fixed(v, 1)),
        Unit::Currency => format!("{} {}", currency.unwrap_or(""), fixed(v, 2))
            .trim()
            .to_string(),
        Unit::Tokens => fixed(v, 1),
        Unit::Score => fixed(v, 2),
        Unit::PerThousand => fixed(v, 3),
    }
}

/// The interval of a metric as `low – high`, or empty when it has none.
pub fn interval(metric: &Metric) -> String {
    match (metric.ci_low, metric.ci_high) {
        (Some(low), Some(high)) => {
            let unit = catalogue::find(&metric.id).map_or(Unit::Ratio, |d| d.unit);
            if unit == Unit::Ratio && metric.arm.as_deref() == Some("delta") {
                format!("{} to {} pp", fixed(low * 100.0, 2), fixed(high * 100.0, 2))
            } else {
                format!("{} – {}", percent(low), percent(high))
            }
        }
        _ => String::new(),
    }
}

/// Sample size of a metric: `931 / 1,000` for ratios, `n = 1,000` for statistics.
pub fn sample(metric: &Metric) -> String {
    let count = |v: f64| fixed(v, if v.fract() == 0.0 { 0 } else { 2 });
    match (metric.numerator, metric.denominator) {
        (Some(n), Some(d)) => format!("{} / {}", count(n), count(d)),
        (None, Some(d)) => format!("n = {}", count(d)),
        _ => String::new(),
    }
}

/// A value with its interval in one cell: `93.12% [91.20–94.66]`, or the value alone.
pub fn compact(metric: &Metric, currency: Option<&str>) -> String {
    let value = metric_value(metric, currency);
    let is_ratio = catalogue::find(&metric.id).is_some_and(|d| d.unit == Unit::Ratio);
    match (metric.ci_low, metric.ci_high) {
        (Some(low), Some(high)) if is_ratio => {
            format!(
                "{value} [{}–{}]",
                fixed(low * 100.0, 2),
                fixed(high * 100.0, 2)
            )
        }
        _ => value,
    }
}

/// A metric value for display, with delta values shown as signed percentage points.
pub fn metric_value(metric: &Metric, currency: Option<&str>) -> String {
    let def = catalogue::find(&metric.id);
    let is_ratio = def.is_some_and(|d| d.unit == Unit::Ratio);
    let decimal = def.is_some_and(|d| d.display == Display::Decimal);
    match (metric.arm.as_deref(), metric.value) {
        (Some("delta"), Some(v)) if is_ratio && decimal => format!("{v:+.4}"),
        (Some("delta"), Some(v)) if is_ratio => format!("{:+.2} pp", v * 100.0),
        _ => value(&metric.id, metric.value, currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_a_reader_expects() {
        assert_eq!(thousands(52110), "52,110");
        assert_eq!(thousands(999), "999");
        assert_eq!(fixed(1234567.891, 2), "1,234,567.89");
        assert_eq!(fixed(-0.5, 1), "-0.5");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(percent(0.93124), "93.12%");
        assert_eq!(value("detection.events", Some(52110.0), None), "52,110");
        assert_eq!(
            value("assistant.cost_total", Some(12.5), Some("HKD")),
            "HKD 12.50"
        );
        assert_eq!(value("detection.recall", None, None), "n/a");
    }
}
