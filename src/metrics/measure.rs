//! A measure is how one metric id is computed: two polars aggregation expressions (`a`, `b`)
//! evaluated per group in one pass, and a rule that combines the two aggregates into a value,
//! numerator, denominator and interval.

use polars::prelude::*;

use super::catalogue::{self, Interval};
use super::stats::wilson;
use crate::parts::{self, Rows};

/// How the two aggregates `a` and `b` become a metric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// value = a (a count); no numerator or denominator.
    Count,
    /// value = a / b, numerator a, denominator b; the catalogue says whether it has an interval.
    Ratio,
    /// value = 1 − a / b, numerator b − a, denominator b; interval 1 − the flipped Wilson of a / b.
    Complement,
    /// value = a (a sum) over b values; null when b = 0; denominator b.
    Statistic,
    /// value = a / b (a mean: a sum over b values); null when b = 0; denominator b.
    Mean,
    /// value = the quantile q = `per_mille` / 1000 of the values `a` (a column), computed from
    /// their counts (see `parts::quantiles`); null when there are none (b = 0); denominator b.
    Quantile {
        column: &'static str,
        per_mille: u16,
    },
    /// value = a / b × 1000, numerator a, denominator b.
    PerThousand,
}

/// One metric id's computation.
#[derive(Clone)]
pub struct Measure {
    pub id: &'static str,
    pub a: Expr,
    pub b: Expr,
    pub combine: Combine,
}

/// Number of rows where `mask` is true (nulls count as false).
pub fn count_true(mask: Expr) -> Expr {
    mask.fill_null(lit(false)).sum()
}

/// Number of non-null values of a column.
pub fn count_present(name: &str) -> Expr {
    col(name).is_not_null().sum()
}

impl Measure {
    pub fn count(id: &'static str, counted: Expr) -> Measure {
        Measure {
            id,
            a: counted,
            b: lit(0.0),
            combine: Combine::Count,
        }
    }

    pub fn ratio(id: &'static str, numerator: Expr, denominator: Expr) -> Measure {
        Measure {
            id,
            a: numerator,
            b: denominator,
            combine: Combine::Ratio,
        }
    }

    pub fn complement(id: &'static str, numerator: Expr, denominator: Expr) -> Measure {
        Measure {
            id,
            a: numerator,
            b: denominator,
            combine: Combine::Complement,
        }
    }

    /// A sum `value` of the non-null values of column `name`.
    pub fn statistic(id: &'static str, value: Expr, name: &str) -> Measure {
        Measure {
            id,
            a: value,
            b: count_present(name),
            combine: Combine::Statistic,
        }
    }

    /// The mean of `values` (its sum over its number of non-null values).
    pub fn mean(id: &'static str, values: Expr) -> Measure {
        Measure {
            id,
            a: values.clone().sum(),
            b: values.is_not_null().sum(),
            combine: Combine::Mean,
        }
    }

    /// The quantile `per_mille` / 1000 (linear interpolation) of the non-null values of column
    /// `name`.
    pub fn quantile(id: &'static str, name: &'static str, per_mille: u16) -> Measure {
        Measure {
            id,
            a: col(name),
            b: count_present(name),
            combine: Combine::Quantile {
                column: name,
                per_mille,
            },
        }
    }

    /// The column a quantile measure is taken of.
    fn quantile_of(&self) -> Option<(&'static str, f64)> {
        match self.combine {
            Combine::Quantile { column, per_mille } => {
                Some((column, f64::from(per_mille) / 1000.0))
            }
            _ => None,
        }
    }

    pub fn per_thousand(id: &'static str, numerator: Expr, denominator: Expr) -> Measure {
        Measure {
            id,
            a: numerator,
            b: denominator,
            combine: Combine::PerThousand,
        }
    }

    /// The aggregation expressions, named after the measure's position in a query.
    pub fn aggregations(&self, index: usize) -> [Expr; 2] {
        [
            self.a.clone().cast(DataType::Float64).alias(a_name(index)),
            self.b.clone().cast(DataType::Float64).alias(b_name(index)),
        ]
    }
}

pub fn a_name(index: usize) -> String {
    format!("m{index}_a")
}

pub fn b_name(index: usize) -> String {
    format!("m{index}_b")
}

/// A computed value before it is placed in a stream, arm and segment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Value {
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// Combines the aggregates of one measure into a value with its interval.
pub fn combine(id: &str, how: Combine, a: Option<f64>, b: Option<f64>) -> Value {
    let mut value = combine_raw(id, how, a, b);
    // A sum that overflows (costs of 1e308) is not a number to report.
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
    value.value = finite(value.value);
    value.numerator = finite(value.numerator);
    value.denominator = finite(value.denominator);
    if value.value.is_none() {
        value.ci_low = None;
        value.ci_high = None;
    }
    value
}

fn combine_raw(id: &str, how: Combine, a: Option<f64>, b: Option<f64>) -> Value {
    let interval = catalogue::find(id).map_or(Interval::None, |d| d.interval);
    let (a, b) = (a.unwrap_or(0.0), b.unwrap_or(0.0));
    let ci = |x: f64, n: f64| match interval {
        Interval::None => None,
        _ => wilson(x, n),
    };
    let nonzero = b != 0.0;
    match how {
        Combine::Count => Value {
            value: Some(a),
            ..Value::default()
        },
        Combine::Ratio => Value {
            value: nonzero.then(|| a / b),
            ci_low: ci(a, b).map(|c| c.0),
            ci_high: ci(a, b).map(|c| c.1),
            numerator: Some(a),
            denominator: Some(b),
        },
        Combine::Complement => Value {
            value: nonzero.then(|| 1.0 - a / b),
            ci_low: ci(a, b).map(|c| 1.0 - c.1),
            ci_high: ci(a, b).map(|c| 1.0 - c.0),
            numerator: Some(b - a),
            denominator: Some(b),
        },
        Combine::Statistic | Combine::Quantile { .. } => Value {
            value: nonzero.then_some(a),
            denominator: Some(b),
            ..Value::default()
        },
        Combine::Mean => Value {
            value: nonzero.then(|| a / b),
            denominator: Some(b),
            ..Value::default()
        },
        Combine::PerThousand => Value {
            value: nonzero.then(|| a / b * 1000.0),
            numerator: Some(a),
            denominator: Some(b),
            ..Value::default()
        },
    }
}

/// Per group key (empty when there is no key): each measure's id and value.
pub type GroupValues = Vec<(String, Vec<(&'static str, Value)>)>;

/// Evaluates `measures` over `rows`, as one group or per value of `key` (nulls form no group;
/// groups sorted by key as text): the counts and sums in one query over the parts, the
/// quantiles from one count of values per column.
pub fn evaluate(
    rows: &Rows,
    key: Option<&str>,
    measures: &[&Measure],
) -> PolarsResult<GroupValues> {
    if measures.is_empty() {
        return Ok(Vec::new());
    }
    let rows = match key {
        Some(k) => rows.filter(col(k).is_not_null()),
        None => rows.clone(),
    };
    let keys: Vec<Expr> = key.map(col).into_iter().collect();
    let sums: Vec<Expr> = measures
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            let [a, b] = m.aggregations(i);
            match m.combine {
                Combine::Quantile { .. } => vec![b],
                _ => vec![a, b],
            }
        })
        .collect();
    let mut frame = rows.sum_by(&keys, &sums)?;
    for quantiles in quantile_frames(&rows, key, measures)? {
        frame = match key {
            None => frame.hstack(quantiles.columns())?,
            Some(k) => frame
                .lazy()
                .join(
                    quantiles.lazy(),
                    [col(k)],
                    [col(k)],
                    JoinArgs::new(JoinType::Left),
                )
                .collect()?,
        };
    }
    let frame = match key {
        None => frame,
        Some(k) => frame
            .lazy()
            .with_column(col(k).cast(DataType::String))
            .sort([k], SortMultipleOptions::default())
            .collect()?,
    };
    read_values(&frame, key, measures)
}

/// One frame per column that quantiles are taken of: per key, each quantile measure's `a`.
fn quantile_frames(
    rows: &Rows,
    key: Option<&str>,
    measures: &[&Measure],
) -> PolarsResult<Vec<DataFrame>> {
    let wanted: Vec<(usize, &str, f64)> = measures
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.quantile_of().map(|(name, q)| (i, name, q)))
        .collect();
    let mut columns: Vec<&str> = Vec::new();
    for (_, name, _) in &wanted {
        if !columns.contains(name) {
            columns.push(name);
        }
    }
    let keys: Vec<Expr> = key.map(col).into_iter().collect();
    let key_names: Vec<&str> = key.into_iter().collect();
    let mut out = Vec::new();
    for column in columns {
        let counts = rows.value_counts(&keys, col(column))?;
        let of_column: Vec<(String, f64)> = wanted
            .iter()
            .filter(|(_, name, _)| *name == column)
            .map(|(i, _, q)| (a_name(*i), *q))
            .collect();
        out.push(parts::quantiles(counts, &key_names, &of_column)?);
    }
    Ok(out)
}

/// The measures' values from the aggregates `frame` (one row per group).
fn read_values(
    frame: &DataFrame,
    key: Option<&str>,
    measures: &[&Measure],
) -> PolarsResult<GroupValues> {
    let keys: Vec<String> = match key {
        Some(k) => frame
            .column(k)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect(),
        None => vec![String::new()],
    };
    let mut out = Vec::with_capacity(keys.len());
    for (row, key_value) in keys.into_iter().enumerate() {
        let mut values = Vec::with_capacity(measures.len());
        for (i, m) in measures.iter().enumerate() {
            let a = frame.column(&a_name(i))?.f64()?.get(row);
            let b = frame.column(&b_name(i))?.f64()?.get(row);
            values.push((m.id, combine(m.id, m.combine, a, b)));
        }
        out.push((key_value, values));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_with_zero_denominator_is_listed_as_null() {
        let v = combine("detection.precision", Combine::Ratio, Some(0.0), Some(0.0));
        assert_eq!(v.value, None);
        assert_eq!(v.denominator, Some(0.0));
        assert_eq!(v.ci_low, None);
    }

    #[test]
    fn complement_flips_the_interval() {
        let esc = combine(
            "assistant.escalation_rate",
            Combine::Ratio,
            Some(20.0),
            Some(100.0),
        );
        let con = combine(
            "assistant.containment_rate",
            Combine::Complement,
            Some(20.0),
            Some(100.0),
        );
        assert_eq!(con.value, Some(0.8));
        assert_eq!(con.ci_low, Some(1.0 - esc.ci_high.unwrap()));
        assert_eq!(con.ci_high, Some(1.0 - esc.ci_low.unwrap()));
        assert_eq!(con.numerator, Some(80.0));
    }

    #[test]
    fn an_overflowing_sum_is_null() {
        let v = combine(
            "assistant.cost_total",
            Combine::Statistic,
            Some(f64::INFINITY),
            Some(3.0),
        );
        assert_eq!(v.value, None);
        assert_eq!(v.denominator, Some(3.0));
    }

    #[test]
    fn f1_has_no_interval() {
        let v = combine("detection.f1", Combine::Ratio, Some(10.0), Some(14.0));
        assert_eq!(v.ci_low, None);
        assert_eq!(v.value, Some(10.0 / 14.0));
    }
}
