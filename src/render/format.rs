//! How numbers are printed in reports: one set of rules for every format, so that the PDF,
//! HTML and Markdown show the same text. summary.json keeps full precision; only reports round.

use crate::model::Arm;
use chrono::{Datelike, NaiveDate};

use crate::metrics::catalogue::{self, Display, Unit};
use crate::model::Metric;
use crate::schema::Language;

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
            if unit == Unit::Ratio && metric.arm == Some(Arm::Delta) {
                format!("{} to {} pp", fixed(low * 100.0, 2), fixed(high * 100.0, 2))
            } else {
                format!("{} – {}", percent(low), percent(high))
            }
        }
        _ => String::new(),
    }
}

/// Sample size of a metric: `931 / 1,000` for ratios, `n = 1,000` for statistics; sums of
/// money (value detection) carry the currency.
pub fn sample(metric: &Metric, currency: Option<&str>) -> String {
    let money = catalogue::find(&metric.id).is_some_and(|d| d.money);
    let count = |v: f64| {
        let text = fixed(v, if v.fract() == 0.0 && !money { 0 } else { 2 });
        match currency {
            Some(c) if money => format!("{c} {text}"),
            _ => text,
        }
    };
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
    arm_value(&metric.id, metric.arm, metric.value, currency)
}

/// A value of metric `id` for `arm`: the delta of a ratio is a signed difference in
/// percentage points (signed decimal for ratios shown as decimals); anything else as `value`.
pub fn arm_value(id: &str, arm: Option<Arm>, value: Option<f64>, currency: Option<&str>) -> String {
    let is_ratio = catalogue::find(id).is_some_and(|d| d.unit == Unit::Ratio);
    match (arm, value) {
        (Some(Arm::Delta), Some(v)) if is_ratio => difference(id, v, currency),
        _ => self::value(id, value, currency),
    }
}

/// A signed difference `d` between two values of metric `id`, in the metric's unit:
/// percentage points for ratios shown as percentages, the unit's own numbers otherwise.
pub fn difference(id: &str, d: f64, currency: Option<&str>) -> String {
    let def = catalogue::find(id);
    let unit = def.map_or(Unit::Ratio, |d| d.unit);
    let decimal = def.is_some_and(|d| d.display == Display::Decimal);
    let signed = |v: f64, decimals: usize| {
        let text = fixed(v, decimals);
        if text.starts_with('-') || text.trim_matches(['0', '.', ',']).is_empty() {
            text
        } else {
            format!("+{text}")
        }
    };
    match unit {
        Unit::Ratio if decimal => signed(d, 4),
        Unit::Ratio | Unit::Difference => format!("{} pp", signed(d * 100.0, 2)),
        Unit::Count => signed(d, if d.fract() == 0.0 { 0 } else { 2 }),
        Unit::Milliseconds => format!("{} ms", signed(d, 1)),
        Unit::Seconds => format!("{} s", signed(d, 1)),
        Unit::Currency => format!("{} {}", currency.unwrap_or(""), signed(d, 2))
            .trim()
            .to_string(),
        Unit::Tokens => signed(d, 1),
        Unit::Score => signed(d, 2),
        Unit::PerThousand => signed(d, 3),
    }
}

/// A reconciliation tolerance `±t` in the unit of metric `id`: percentage points for ratios
/// shown as percentages, otherwise the number as configured (never rounded away).
pub fn tolerance(id: &str, t: f64, currency: Option<&str>) -> String {
    let def = catalogue::find(id);
    let unit = def.map_or(Unit::Ratio, |d| d.unit);
    let decimal = def.is_some_and(|d| d.display == Display::Decimal);
    let pp = format!("{}", (t * 1e6).round() / 1e4);
    match unit {
        Unit::Ratio if !decimal => format!("±{pp} pp"),
        Unit::Difference => format!("±{pp} pp"),
        Unit::Milliseconds => format!("±{t} ms"),
        Unit::Seconds => format!("±{t} s"),
        Unit::Currency => format!("±{} {t}", currency.unwrap_or("")).replace("± ", "±"),
        _ => format!("±{t}"),
    }
}

/// A date as the report's language writes it: `2025-06-01`, or `2025年6月1日` in zh-HK.
pub fn date(language: Language, day: NaiveDate) -> String {
    match language {
        Language::ZhHk => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
        Language::En | Language::Bilingual => day.format("%Y-%m-%d").to_string(),
    }
}

/// The `lang` attribute of an HTML document: `zh-HK`, else `en` (bilingual text is English
/// first).
pub fn html_lang(language: Language) -> &'static str {
    match language {
        Language::ZhHk => "zh-HK",
        Language::En | Language::Bilingual => "en",
    }
}

/// The `lang` of a document for typst: `zh` for zh-HK, else `en` (bilingual text
/// is English first; its Chinese breaks by CJK rules in either).
pub fn typst_lang(language: Language) -> &'static str {
    match language {
        Language::ZhHk => "zh",
        Language::En | Language::Bilingual => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        assert_eq!(date(Language::ZhHk, day), "2025年6月1日");
        assert_eq!(date(Language::En, day), "2025-06-01");
    }

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

    #[test]
    fn differences_are_in_the_metrics_unit() {
        assert_eq!(difference("detection.recall", 0.0088, None), "+0.88 pp");
        assert_eq!(difference("detection.recall", -0.0088, None), "-0.88 pp");
        assert_eq!(difference("detection.recall", 0.0, None), "0.00 pp");
        assert_eq!(difference("detection.events", 12.0, None), "+12");
        assert_eq!(difference("assistant.csat_mean", -0.05, None), "-0.05");
        assert_eq!(
            difference("assistant.cost_total", 1.2, Some("HKD")),
            "HKD +1.20"
        );
        assert_eq!(difference("assistant.latency_p95", 3.0, None), "+3.0 ms");
        assert_eq!(tolerance("detection.recall", 0.005, None), "±0.5 pp");
        assert_eq!(tolerance("assistant.csat_mean", 0.005, None), "±0.005");
        assert_eq!(
            tolerance("assistant.cost_total", 2.0, Some("HKD")),
            "±HKD 2"
        );
        assert_eq!(
            arm_value("detection.recall", Some(Arm::Delta), Some(0.05), None),
            "+5.00 pp"
        );
        assert_eq!(
            arm_value("detection.recall", Some(Arm::Ai), Some(0.05), None),
            "5.00%"
        );
    }
}
