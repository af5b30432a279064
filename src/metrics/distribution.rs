//! Binned distributions for charts: counts of a column's values in about twenty equal-width
//! bins up to the 99th percentile (the last bin also holds larger values), computed with
//! polars. Only counts leave this module, never rows.

use polars::prelude::*;

use crate::model::{Arm, Bin, Distribution};
use crate::parts::{COUNT, Rows, VALUE, quantiles};

/// A step of 1, 2, 2.5 or 5 × 10^k at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// The distribution of `column` over `rows`, or `None` when it has no values.
pub fn histogram(
    rows: &Rows,
    column: &str,
    stream: &str,
    arm: Option<Arm>,
) -> PolarsResult<Option<Distribution>> {
    let values = rows.value_counts(&[], col(column))?;
    let top = quantiles(values.clone(), &[], &[("top".into(), 0.99)])?;
    let Some(top) = top.column("top")?.f64()?.get(0).filter(|t| *t > 0.0) else {
        return Ok(None);
    };
    let step = nice_step(top / 20.0);
    let bins = (top / step).ceil().max(1.0);
    let counts = values
        .lazy()
        .group_by([(col(VALUE) / lit(step))
            .floor()
            .clip(lit(0.0), lit(bins - 1.0))
            .alias("bin")])
        .agg([col(COUNT).sum().alias("count")])
        .collect()?;
    let index = counts.column("bin")?.f64()?;
    let count = counts.column("count")?.f64()?;
    let mut bins: Vec<Bin> = (0..bins as usize)
        .map(|i| Bin {
            low: i as f64 * step,
            high: (i + 1) as f64 * step,
            count: 0.0,
        })
        .collect();
    for (i, n) in index.iter().zip(count.iter()) {
        if let (Some(i), Some(n)) = (i, n) {
            bins[i as usize].count = n;
        }
    }
    Ok(Some(Distribution {
        column: column.into(),
        stream: stream.into(),
        arm,
        bins,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(180.0), 200.0);
        assert_eq!(nice_step(230.0), 250.0);
        assert_eq!(nice_step(3.2), 5.0);
    }

    #[test]
    fn counts_add_up_and_large_values_land_in_the_last_bin() {
        let values: Vec<f64> = (1..=100).map(f64::from).chain([10_000.0]).collect();
        let rows = Rows::one(df!("latency_ms" => values).unwrap().lazy());
        let d = histogram(&rows, "latency_ms", "s", None).unwrap().unwrap();
        let total: f64 = d.bins.iter().map(|b| b.count).sum();
        assert_eq!(total, 101.0);
        assert_eq!(d.bins[0].low, 0.0);
        assert!(d.bins.last().unwrap().count >= 1.0);
    }
}
