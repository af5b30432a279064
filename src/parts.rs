//! The rows a query over a stream's clean rows reads, as parts: the batches of clean rows (see
//! `validate::CleanRows::rows`), read one at a time. A query aggregates each part on its own
//! and folds the partial aggregates in part order, so that memory holds one part and the
//! aggregates, never every row of a 100-million-row stream, and float sums are added in the
//! same order on every run. Only aggregates that fold (counts, sums, minima, maxima) cross
//! parts; the metrics compute quantiles from value counts and rank metrics from counts per
//! distinct score.

use polars::prelude::*;

/// Partial aggregates are added up once they hold this many rows (and at the end), so that a
/// query with many groups (distinct scores) never holds one partial frame per part for long.
const MERGE_ROWS: usize = 1 << 20;

/// The value column of `Rows::value_counts`.
pub const VALUE: &str = "__value";
/// The count column of `Rows::value_counts`.
pub const COUNT: &str = "__count";

/// Rows read part by part (see the module doc).
#[derive(Clone)]
pub struct Rows {
    parts: Vec<LazyFrame>,
}

impl Rows {
    /// Rows in these parts, in order; at least one part, which may be empty.
    pub fn new(parts: Vec<LazyFrame>) -> Rows {
        Rows { parts }
    }

    /// Rows of one frame.
    pub fn one(frame: LazyFrame) -> Rows {
        Rows::new(vec![frame])
    }

    /// The rows where `mask` is true.
    pub fn filter(&self, mask: Expr) -> Rows {
        self.map(|part| part.filter(mask.clone()))
    }

    /// The rows with one more (or a replaced) column.
    pub fn with_column(&self, column: Expr) -> Rows {
        self.map(|part| part.with_column(column.clone()))
    }

    fn map(&self, f: impl Fn(LazyFrame) -> LazyFrame) -> Rows {
        Rows::new(self.parts.iter().cloned().map(f).collect())
    }

    /// The aggregations `sums` (each named, each a count or a sum, so that the parts' values
    /// add up) per value of `keys` (a null key is a group; categorical keys come back as text),
    /// or in one row without keys.
    pub fn sum_by(&self, keys: &[Expr], sums: &[Expr]) -> PolarsResult<DataFrame> {
        let folds: Vec<(Expr, Fold)> = sums.iter().map(|s| (s.clone(), Fold::Sum)).collect();
        self.fold_by(keys, &folds)
    }

    /// The named aggregations `aggs` per value of `keys` (as `sum_by`), each part's value
    /// folded into the total by its `Fold`.
    pub fn fold_by(&self, keys: &[Expr], aggs: &[(Expr, Fold)]) -> PolarsResult<DataFrame> {
        let exprs: Vec<Expr> = aggs.iter().map(|(e, _)| e.clone()).collect();
        let how: Vec<Fold> = aggs.iter().map(|(_, f)| *f).collect();
        let mut names: Option<(Vec<PlSmallStr>, Vec<PlSmallStr>)> = None;
        let mut total: Option<DataFrame> = None;
        let mut pending = Vec::new();
        let mut pending_rows = 0;
        for part in &self.parts {
            let partial = match keys {
                [] => part.clone().select(&exprs),
                _ => part.clone().group_by(keys).agg(&exprs),
            };
            let partial = partial.collect()?;
            // The partial frame's columns: the keys, then the aggregations.
            let (key_names, agg_names) = names.get_or_insert_with(|| {
                let all = partial.get_column_names_owned();
                let (k, s) = all.split_at(keys.len().min(all.len()));
                (k.to_vec(), s.to_vec())
            });
            let partial = keys_as_text(partial, key_names)?;
            pending_rows += partial.height();
            pending.push(partial);
            if pending_rows >= MERGE_ROWS {
                let merged = merge(
                    total.take(),
                    std::mem::take(&mut pending),
                    key_names,
                    agg_names,
                    &how,
                )?;
                pending_rows = merged.height();
                total = Some(merged);
            }
        }
        let (key_names, agg_names) = names.unwrap_or_default();
        merge(total, pending, &key_names, &agg_names, &how)
    }

    /// How often each non-null value of `value` occurs (as Float64 `VALUE`, with `COUNT`), per
    /// value of `keys`.
    pub fn value_counts(&self, keys: &[Expr], value: Expr) -> PolarsResult<DataFrame> {
        let mut by = keys.to_vec();
        by.push(value.clone().cast(DataType::Float64).alias(VALUE));
        self.filter(value.is_not_null())
            .sum_by(&by, &[len().cast(DataType::Float64).alias(COUNT)])
    }
}

/// How a part's aggregate folds into the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    Sum,
    Min,
    Max,
}

/// Folds the partial aggregates per key over `total` then `pending`, in that order.
fn merge(
    total: Option<DataFrame>,
    pending: Vec<DataFrame>,
    keys: &[PlSmallStr],
    aggs: &[PlSmallStr],
    how: &[Fold],
) -> PolarsResult<DataFrame> {
    let mut frames: Vec<DataFrame> = total.into_iter().chain(pending).collect();
    if frames.len() == 1 {
        return Ok(frames.remove(0));
    }
    let all = concat(
        frames.into_iter().map(IntoLazy::lazy).collect::<Vec<_>>(),
        UnionArgs::default(),
    )?;
    let summed: Vec<Expr> = aggs
        .iter()
        .zip(how)
        .map(|(n, fold)| match fold {
            Fold::Sum => col(n.clone()).sum(),
            Fold::Min => col(n.clone()).min(),
            Fold::Max => col(n.clone()).max(),
        })
        .collect();
    match keys {
        [] => all.select(summed),
        _ => all
            .group_by_stable(keys.iter().map(|k| col(k.clone())).collect::<Vec<_>>())
            .agg(summed),
    }
    .collect()
}

/// Categorical keys as text: parts read from different files need not share categories.
fn keys_as_text(mut frame: DataFrame, keys: &[PlSmallStr]) -> PolarsResult<DataFrame> {
    for key in keys {
        if frame.column(key)?.dtype().is_categorical() {
            let text = frame.column(key)?.cast(&DataType::String)?;
            frame.with_column(text)?;
        }
    }
    Ok(frame)
}

/// Per value of `keys` (or in one row), the quantiles `wanted` (output name, q) of the values
/// counted in `counts` (see `Rows::value_counts`), interpolated linearly exactly as polars
/// does over the values themselves: at position (n − 1)·q of the sorted values, the value at
/// its floor plus the fraction of the way to the value at its ceiling.
pub fn quantiles(
    counts: DataFrame,
    keys: &[&str],
    wanted: &[(String, f64)],
) -> PolarsResult<DataFrame> {
    let mut order: Vec<&str> = keys.to_vec();
    order.push(VALUE);
    let cumulative = || col(COUNT).cum_sum(false);
    let at_rank = |rank: Expr| col(VALUE).filter(cumulative().gt(rank)).first();
    let aggs: Vec<Expr> = wanted
        .iter()
        .map(|(name, q)| {
            let position = (col(COUNT).sum() - lit(1.0)) * lit(*q);
            let base = position.clone().floor();
            let lower = at_rank(base.clone());
            let upper = at_rank(position.clone().ceil());
            when(lower.clone().eq(upper.clone()))
                .then(lower.clone())
                .otherwise((position - base) * (upper - lower.clone()) + lower)
                .alias(name.as_str())
        })
        .collect();
    let sorted = counts.lazy().sort(order, SortMultipleOptions::default());
    match keys {
        [] => sorted.select(aggs),
        _ => sorted
            .group_by_stable(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
            .agg(aggs),
    }
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> Rows {
        let a = df!("g" => ["x", "y", "x"], "v" => [1.0, 2.0, 3.0]).unwrap();
        let b = df!("g" => ["y", "x"], "v" => [4.0, 5.0]).unwrap();
        let empty = df!("g" => Vec::<&str>::new(), "v" => Vec::<f64>::new()).unwrap();
        Rows::new(vec![a.lazy(), empty.lazy(), b.lazy()])
    }

    #[test]
    fn sums_add_up_across_parts_per_key() {
        let sums = parts()
            .sum_by(&[col("g")], &[col("v").sum().alias("s"), len().alias("n")])
            .unwrap()
            .sort(["g"], SortMultipleOptions::default())
            .unwrap();
        let s: Vec<f64> = sums
            .column("s")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(s, [9.0, 6.0]);
        let total = parts().sum_by(&[], &[len().alias("n")]).unwrap();
        let n = total.column("n").unwrap().cast(&DataType::Float64).unwrap();
        assert_eq!(n.f64().unwrap().get(0), Some(5.0));
    }

    /// Quantiles from counts equal polars' own over the values, to the bit.
    #[test]
    fn quantiles_from_counts_equal_polars_over_the_values() {
        let values = [3.5, 1.25, 7.0, 1.25, 9.75, 2.0, 7.0, 7.0, 0.1, 12.3, 5.5];
        let frame = df!("v" => values).unwrap().lazy();
        let split = Rows::new(vec![
            frame.clone().slice(0, 4),
            frame.clone().slice(4, 3),
            frame.clone().slice(7, 10),
        ]);
        let counts = split.value_counts(&[], col("v")).unwrap();
        for q in [0.0, 0.1, 0.5, 0.95, 0.99, 1.0] {
            let ours = quantiles(counts.clone(), &[], &[("q".into(), q)]).unwrap();
            let theirs = frame
                .clone()
                .select([col("v").quantile(lit(q), QuantileMethod::Linear).alias("q")])
                .collect()
                .unwrap();
            let get = |d: &DataFrame| d.column("q").unwrap().f64().unwrap().get(0).unwrap();
            assert_eq!(get(&ours).to_bits(), get(&theirs).to_bits(), "q = {q}");
        }
    }

    #[test]
    fn quantiles_per_key() {
        let counts = parts().value_counts(&[col("g")], col("v")).unwrap();
        let q = quantiles(counts, &["g"], &[("median".into(), 0.5)])
            .unwrap()
            .sort(["g"], SortMultipleOptions::default())
            .unwrap();
        let m: Vec<f64> = q
            .column("median")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        // x: 1, 3, 5 → 3; y: 2, 4 → 3.
        assert_eq!(m, [3.0, 3.0]);
    }
}
