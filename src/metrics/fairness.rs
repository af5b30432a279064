//! Fairness measures across the groups of one segment attribute: demographic parity
//! difference, disparate impact ratio and equalized odds difference for detection streams,
//! the escalation-rate gap for assistant streams. Group statistics come from one polars
//! group-by; groups too small to compare are named in a warning.

use polars::prelude::*;

use super::measure::{Value, count_true};
use crate::parts::Rows;
use crate::schema::StreamKind;

/// Settings of the config's `fairness` block.
#[derive(Debug, Clone, Copy)]
pub struct FairnessSettings {
    pub min_group_size: u64,
    pub disparate_impact_floor: f64,
}

/// The fairness values of one attribute, and the groups left out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fairness {
    /// (metric id, value).
    pub values: Vec<(&'static str, Value)>,
    /// Groups left out of the rate comparisons, with their number of events.
    pub excluded: Vec<(String, u64)>,
    /// Groups left out of equalized odds, with their number of labelled events.
    pub excluded_odds: Vec<(String, u64)>,
}

/// Per-group counts the fairness measures need.
fn group_stats(
    rows: &Rows,
    attribute: &str,
    kind: StreamKind,
    has_label: bool,
) -> PolarsResult<DataFrame> {
    let mut aggs = vec![len().cast(DataType::Float64).alias("n")];
    match kind {
        StreamKind::Assistant => {
            aggs.push(
                count_true(col("outcome").eq(lit("escalated")))
                    .cast(DataType::Float64)
                    .alias("hits"),
            );
        }
        _ => {
            aggs.push(
                count_true(col("decision"))
                    .cast(DataType::Float64)
                    .alias("hits"),
            );
            if has_label {
                let (d, l) = (col("decision"), col("label"));
                aggs.extend([
                    count_true(l.clone()).cast(DataType::Float64).alias("pos"),
                    count_true(l.clone().not())
                        .cast(DataType::Float64)
                        .alias("neg"),
                    count_true(d.clone().and(l.clone()))
                        .cast(DataType::Float64)
                        .alias("tp"),
                    count_true(d.and(l.not()))
                        .cast(DataType::Float64)
                        .alias("fp"),
                ]);
            }
        }
    }
    rows.filter(col(attribute).is_not_null())
        .sum_by(&[col(attribute).alias("group")], &aggs)?
        .lazy()
        .with_column(col("group").cast(DataType::String))
        .sort(["group"], SortMultipleOptions::default())
        .collect()
}

/// Computes the fairness measures of `attribute` over `rows`.
pub fn fairness(
    rows: &Rows,
    attribute: &str,
    kind: StreamKind,
    has_label: bool,
    settings: FairnessSettings,
) -> PolarsResult<Fairness> {
    let stats = group_stats(rows, attribute, kind, has_label)?;
    let min = settings.min_group_size as f64;
    let rate = col("hits") / col("n");
    let rates = stats
        .clone()
        .lazy()
        .filter(col("n").gt_eq(lit(min)))
        .select([
            len().alias("groups"),
            (rate.clone().max() - rate.clone().min()).alias("gap"),
            when(rate.clone().max().gt(lit(0.0)))
                .then(rate.clone().min() / rate.max())
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("ratio"),
        ])
        .collect()?;
    let groups = rates
        .column("groups")?
        .cast(&DataType::Float64)?
        .f64()?
        .get(0)
        .unwrap_or(0.0);
    let comparable = |v: Option<f64>| Value {
        value: if groups >= 2.0 { v } else { None },
        ..Value::default()
    };
    let gap = comparable(rates.column("gap")?.f64()?.get(0));
    let mut out = Fairness {
        excluded: excluded(&stats, "n", min)?,
        ..Fairness::default()
    };
    if kind == StreamKind::Assistant {
        out.values.push(("fairness.escalation_rate_gap", gap));
        return Ok(out);
    }
    out.values
        .push(("fairness.demographic_parity_difference", gap));
    out.values.push((
        "fairness.disparate_impact_ratio",
        comparable(rates.column("ratio")?.f64()?.get(0)),
    ));
    if has_label {
        let (value, left_out) = equalized_odds(&stats, min)?;
        out.values
            .push(("fairness.equalized_odds_difference", value));
        out.excluded_odds = left_out;
    }
    Ok(out)
}

/// max(recall gap, FPR gap) over groups with at least `min` labelled events of both classes.
fn equalized_odds(stats: &DataFrame, min: f64) -> PolarsResult<(Value, Vec<(String, u64)>)> {
    let labelled = col("pos") + col("neg");
    let eligible = labelled
        .clone()
        .gt_eq(lit(min))
        .and(col("pos").gt(lit(0.0)))
        .and(col("neg").gt(lit(0.0)));
    let recall = col("tp") / col("pos");
    let fpr = col("fp") / col("neg");
    let gaps = stats
        .clone()
        .lazy()
        .filter(eligible.clone())
        .select([
            len().cast(DataType::Float64).alias("groups"),
            (recall.clone().max() - recall.min()).alias("recall_gap"),
            (fpr.clone().max() - fpr.min()).alias("fpr_gap"),
        ])
        .collect()?;
    let groups = gaps.column("groups")?.f64()?.get(0).unwrap_or(0.0);
    let recall_gap = gaps.column("recall_gap")?.f64()?.get(0);
    let fpr_gap = gaps.column("fpr_gap")?.f64()?.get(0);
    let value = match (recall_gap, fpr_gap) {
        (Some(r), Some(f)) if groups >= 2.0 => Some(r.max(f)),
        _ => None,
    };
    let left_out = stats
        .clone()
        .lazy()
        .filter(eligible.not())
        .select([col("group"), labelled.alias("labelled")])
        .collect()?;
    Ok((
        Value {
            value,
            ..Value::default()
        },
        named_groups(&left_out, "labelled")?,
    ))
}

fn excluded(stats: &DataFrame, size: &str, min: f64) -> PolarsResult<Vec<(String, u64)>> {
    let small = stats
        .clone()
        .lazy()
        .filter(col(size).lt(lit(min)))
        .collect()?;
    named_groups(&small, size)
}

/// (group, size) pairs of a small frame of groups.
fn named_groups(frame: &DataFrame, size: &str) -> PolarsResult<Vec<(String, u64)>> {
    let groups = frame.column("group")?.str()?;
    let sizes = frame.column(size)?.f64()?;
    Ok(groups
        .iter()
        .zip(sizes.iter())
        .map(|(g, n)| (g.unwrap_or("").to_string(), n.unwrap_or(0.0) as u64))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In two parts, so that group a and b add up across them.
    fn rows() -> Rows {
        // Group a: 4 events, 2 flagged (rate 0.5); b: 4 events, 1 flagged (0.25); c: 1 event.
        let frame = df!(
            "seg" => ["a", "a", "a", "a", "b", "b", "b", "b", "c"],
            "decision" => [true, true, false, false, true, false, false, false, true],
            "label" => [true, false, true, false, true, true, false, false, true],
        )
        .unwrap()
        .lazy();
        Rows::new(vec![frame.clone().slice(0, 3), frame.slice(3, 6)])
    }

    #[test]
    fn rate_gaps_leave_out_small_groups() {
        let settings = FairnessSettings {
            min_group_size: 2,
            disparate_impact_floor: 0.8,
        };
        let f = fairness(&rows(), "seg", StreamKind::Detection, true, settings).unwrap();
        let get = |id: &str| f.values.iter().find(|(i, _)| *i == id).unwrap().1.value;
        assert_eq!(get("fairness.demographic_parity_difference"), Some(0.25));
        assert_eq!(get("fairness.disparate_impact_ratio"), Some(0.5));
        // recall a = 1/2, b = 1/2; fpr a = 1/2, b = 0 → 0.5.
        assert_eq!(get("fairness.equalized_odds_difference"), Some(0.5));
        assert_eq!(f.excluded, vec![("c".to_string(), 1)]);
        assert_eq!(f.excluded_odds, vec![("c".to_string(), 1)]);
    }

    #[test]
    fn fewer_than_two_groups_cannot_be_compared() {
        let settings = FairnessSettings {
            min_group_size: 5,
            disparate_impact_floor: 0.8,
        };
        let f = fairness(&rows(), "seg", StreamKind::Detection, true, settings).unwrap();
        assert!(f.values.iter().all(|(_, v)| v.value.is_none()));
        assert_eq!(f.excluded.len(), 3);
    }
}
