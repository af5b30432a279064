//! Rank-based detection metrics from scores: ROC AUC, average precision and the equal error
//! rate. One polars query sorts the distinct scores, counts positives and negatives at each,
//! and accumulates them into the ROC points; only the handful of resulting sums come back.

use polars::prelude::*;

use super::measure::Value;
use crate::parts::Rows;

/// ROC AUC, average precision and EER (with its threshold) of one population.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RankMetrics {
    pub roc_auc: Value,
    pub average_precision: Value,
    pub eer: Value,
    pub eer_threshold: Option<f64>,
}

/// Computes the rank metrics over rows with both `label` and `score`. Every value is null
/// unless both classes are present; the denominator is the number of scored, labelled events.
pub fn rank_metrics(rows: &Rows) -> PolarsResult<RankMetrics> {
    let points = roc_points(score_counts(rows)?.lazy());
    let sums = points
        .clone()
        .select([
            col("pos").sum().cast(DataType::Float64).alias("n_pos"),
            col("neg").sum().cast(DataType::Float64).alias("n_neg"),
            trapezoid().alias("auc"),
            ((col("tpr") - col("tpr_prev")) * col("precision"))
                .sum()
                .alias("ap"),
        ])
        .collect()?;
    let get = |name: &str| -> PolarsResult<Option<f64>> { Ok(sums.column(name)?.f64()?.get(0)) };
    let (n_pos, n_neg) = (get("n_pos")?.unwrap_or(0.0), get("n_neg")?.unwrap_or(0.0));
    let n = Some(n_pos + n_neg);
    if n_pos == 0.0 || n_neg == 0.0 {
        let empty = Value {
            denominator: n,
            ..Value::default()
        };
        return Ok(RankMetrics {
            roc_auc: empty,
            average_precision: empty,
            eer: empty,
            eer_threshold: None,
        });
    }
    let (eer, threshold) = equal_error_rate(points)?;
    let value = |v: Option<f64>| Value {
        value: v,
        denominator: n,
        ..Value::default()
    };
    Ok(RankMetrics {
        roc_auc: value(get("auc")?),
        average_precision: value(get("ap")?),
        eer: value(eer),
        eer_threshold: threshold,
    })
}

/// Per distinct score of the labelled, scored rows: its positives `pos` and negatives `neg`.
fn score_counts(rows: &Rows) -> PolarsResult<DataFrame> {
    let label = col("label");
    rows.filter(label.clone().is_not_null().and(col("score").is_not_null()))
        .sum_by(
            &[col("score")],
            &[
                label.clone().cast(DataType::Float64).sum().alias("pos"),
                label.not().cast(DataType::Float64).sum().alias("neg"),
            ],
        )
}

/// One row per distinct score (from `score_counts`), highest first, with cumulative rates at
/// that threshold ("predict positive when score ≥ t") and the previous point's rates (start:
/// nothing positive).
fn roc_points(counts: LazyFrame) -> LazyFrame {
    counts
        .sort(
            ["score"],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .with_columns([
            col("pos").cum_sum(false).alias("tp"),
            col("neg").cum_sum(false).alias("fp"),
            col("pos").sum().alias("n_pos"),
            col("neg").sum().alias("n_neg"),
        ])
        .with_columns([
            (col("tp") / col("pos").sum()).alias("tpr"),
            (col("fp") / col("neg").sum()).alias("fpr"),
            (col("tp") / (col("tp") + col("fp"))).alias("precision"),
        ])
        .with_columns([
            col("tpr")
                .shift(lit(1))
                .fill_null(lit(0.0))
                .alias("tpr_prev"),
            col("fpr")
                .shift(lit(1))
                .fill_null(lit(0.0))
                .alias("fpr_prev"),
        ])
}

/// Σ (FPRₖ − FPRₖ₋₁)·(TPRₖ + TPRₖ₋₁)/2 from the point (0, 0); tied scores are one point.
fn trapezoid() -> Expr {
    ((col("fpr") - col("fpr_prev")) * (col("tpr") + col("tpr_prev")) / lit(2.0)).sum()
}

/// The first point where FNR ≤ FPR, interpolated with the point before (summary-v1).
fn equal_error_rate(points: LazyFrame) -> PolarsResult<(Option<f64>, Option<f64>)> {
    let fnr = lit(1.0) - col("tpr");
    let fnr_prev = lit(1.0) - col("tpr_prev");
    let d0 = col("fpr_prev") - fnr_prev;
    let d1 = col("fpr") - fnr;
    let s = d0.clone() / (d0 - d1);
    // FNR ≤ FPR compared on counts, (P − tp)·N ≤ fp·P, so that an exact tie is a tie.
    let reached = ((col("n_pos") - col("tp")) * col("n_neg")).lt_eq(col("fp") * col("n_pos"));
    let crossing = points
        .filter(reached)
        .select([
            (col("fpr_prev") + s * (col("fpr") - col("fpr_prev"))).alias("eer"),
            col("score").cast(DataType::Float64).alias("threshold"),
        ])
        .first()
        .collect()?;
    let get =
        |name: &str| -> PolarsResult<Option<f64>> { Ok(crossing.column(name)?.f64()?.get(0)) };
    Ok((get("eer")?, get("threshold")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(labels: &[Option<bool>], scores: &[Option<f64>]) -> Rows {
        Rows::one(df!("label" => labels, "score" => scores).unwrap().lazy())
    }

    #[test]
    fn perfect_separation() {
        let r = rank_metrics(&frame(
            &[Some(true), Some(true), Some(false), Some(false)],
            &[Some(0.9), Some(0.8), Some(0.2), Some(0.1)],
        ))
        .unwrap();
        assert_eq!(r.roc_auc.value, Some(1.0));
        assert_eq!(r.average_precision.value, Some(1.0));
        assert_eq!(r.eer.value, Some(0.0));
        assert_eq!(r.eer_threshold, Some(0.8));
    }

    #[test]
    fn hand_computed_with_a_tie() {
        // Scores: 0.9 P, 0.7 N, 0.7 P, 0.4 N, 0.2 P (3 positives, 2 negatives).
        // Points (FPR, TPR): t=0.9 (0, 1/3); t=0.7 (1/2, 2/3); t=0.4 (1, 2/3); t=0.2 (1, 1).
        // AUC = 1/2·(1/3+2/3)/2 + 1/2·(2/3+2/3)/2 = 0.25 + 1/3.
        // AP = 1/3·1 + 1/3·(2/3) + 0 + 1/3·(3/5).
        // EER: FNR = 2/3, 1/3, 1/3, 0; first FNR ≤ FPR at t=0.7 (1/3 ≤ 1/2);
        // d0 = 0 − 2/3, d1 = 1/2 − 1/3, s = (2/3)/(2/3 + 1/6) = 0.8, EER = 0.8·1/2 = 0.4.
        let r = rank_metrics(&frame(
            &[
                Some(true),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
            ],
            &[
                Some(0.9),
                Some(0.7),
                Some(0.7),
                Some(0.4),
                Some(0.2),
                Some(0.5),
            ],
        ))
        .unwrap();
        assert!((r.roc_auc.value.unwrap() - (0.25 + 1.0 / 3.0)).abs() < 1e-12);
        let ap = 1.0 / 3.0 + (1.0 / 3.0) * (2.0 / 3.0) + (1.0 / 3.0) * 0.6;
        assert!((r.average_precision.value.unwrap() - ap).abs() < 1e-12);
        assert!((r.eer.value.unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(r.eer_threshold, Some(0.7));
        assert_eq!(r.roc_auc.denominator, Some(5.0));
    }

    #[test]
    fn an_exact_tie_of_fnr_and_fpr_is_the_crossing() {
        // Positives 0.9 0.7 0.5, negatives 0.8 0.6 0.4: at t = 0.7, FNR = FPR = 1/3.
        let r = rank_metrics(&frame(
            &[
                Some(true),
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                Some(false),
            ],
            &[
                Some(0.9),
                Some(0.8),
                Some(0.7),
                Some(0.6),
                Some(0.5),
                Some(0.4),
            ],
        ))
        .unwrap();
        assert_eq!(r.eer_threshold, Some(0.7));
        assert!((r.eer.value.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn all_scores_tied() {
        let r = rank_metrics(&frame(
            &[Some(true), Some(false), Some(false), Some(false)],
            &[Some(0.5); 4],
        ))
        .unwrap();
        assert_eq!(r.roc_auc.value, Some(0.5));
        assert_eq!(r.average_precision.value, Some(0.25));
        assert_eq!(r.eer.value, Some(0.5));
    }

    #[test]
    fn one_class_or_no_scores_gives_null() {
        let one = rank_metrics(&frame(&[Some(true), Some(true)], &[Some(0.5), Some(0.7)])).unwrap();
        assert_eq!(one.roc_auc.value, None);
        assert_eq!(one.roc_auc.denominator, Some(2.0));
        let none = rank_metrics(&frame(&[Some(true), Some(false)], &[None, None])).unwrap();
        assert_eq!(none.eer.value, None);
        assert_eq!(none.eer.denominator, Some(0.0));
    }
}
