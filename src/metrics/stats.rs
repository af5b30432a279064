//! Interval formulas of summary-v1: the Wilson score interval of a proportion and Newcombe's
//! hybrid score interval of a difference of two proportions. Scalar arithmetic on counts that
//! polars has already aggregated.

/// The z value of a two-sided 95% interval, as summary-v1 fixes it.
pub const Z95: f64 = 1.959963984540054;

/// A value with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Wilson score interval of `successes / trials`; `None` when there are no trials.
pub fn wilson(successes: f64, trials: f64) -> Option<(f64, f64)> {
    if trials <= 0.0 {
        return None;
    }
    let p = successes / trials;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / trials;
    let centre = (p + z2 / (2.0 * trials)) / denom;
    let half = Z95 * (p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)).sqrt() / denom;
    // At 0 and n successes the bounds are exactly 0 and 1; rounding would leave 1e-18.
    let low = if successes <= 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes >= trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// Newcombe's hybrid score interval for `a.value − b.value`, from each proportion's Wilson
/// interval (method 10 of Newcombe 1998; statsmodels' `method="newcomb"`).
pub fn newcombe(a: Estimate, b: Estimate) -> (f64, f64) {
    let diff = a.value - b.value;
    let low = diff - ((a.value - a.low).powi(2) + (b.high - b.value).powi(2)).sqrt();
    let high = diff + ((a.high - a.value).powi(2) + (b.value - b.low).powi(2)).sqrt();
    (low, high)
}

/// Linear-interpolation quantile (numpy's default, position q·(n−1)) of sorted values.
/// Used only to check polars' quantile in tests.
#[cfg(test)]
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_hand_computation() {
        // 931 of 1000, worked by hand from the formula with z = 1.959963984540054.
        let (low, high) = wilson(931.0, 1000.0).unwrap();
        let z2 = Z95 * Z95;
        let p: f64 = 0.931;
        let centre = (p + z2 / 2000.0) / (1.0 + z2 / 1000.0);
        let half = Z95 * (p * (1.0 - p) / 1000.0 + z2 / 4e6).sqrt() / (1.0 + z2 / 1000.0);
        assert!((low - (centre - half)).abs() < 1e-15);
        assert!((high - (centre + half)).abs() < 1e-15);
        assert!((low - 0.913_585_279_771_362_8).abs() < 1e-12, "{low}");
        assert!((high - 0.945_116_054_414_088_9).abs() < 1e-12, "{high}");
    }

    #[test]
    fn wilson_is_bounded_and_none_without_trials() {
        assert_eq!(wilson(0.0, 0.0), None);
        let (low, high) = wilson(0.0, 10.0).unwrap();
        assert_eq!(low, 0.0);
        assert!(high > 0.0 && high < 0.35);
        let (low, high) = wilson(10.0, 10.0).unwrap();
        assert_eq!(high, 1.0);
        assert!(low > 0.65);
    }

    #[test]
    fn newcombe_contains_the_difference() {
        let est = |x: f64, n: f64| {
            let (low, high) = wilson(x, n).unwrap();
            Estimate {
                value: x / n,
                low,
                high,
            }
        };
        let (low, high) = newcombe(est(56.0, 70.0), est(48.0, 80.0));
        // Newcombe (1998), example (a): 56/70 − 48/80, interval 0.0524 to 0.3339.
        assert!((low - 0.0524).abs() < 5e-5, "{low}");
        assert!((high - 0.3339).abs() < 5e-5, "{high}");
    }

    #[test]
    fn quantile_is_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), Some(2.5));
        assert!((quantile_sorted(&v, 0.95).unwrap() - 3.85).abs() < 1e-12);
    }
}
