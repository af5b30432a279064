//! Cohort statistics with polars: every metric value of every accepted bundle in one long
//! frame, grouped by (family, metric, segment, arm, currency) into the number of banks,
//! median, quartiles, minimum, maximum and each value's percentile rank; cells with fewer banks
//! than the minimum are suppressed. The `ai` arm of an A/B stream is pooled with streams
//! without arms (both are the AI system's results); `baseline` and `delta` form their own
//! groups. Money metrics carry their bundle's currency in the key, so currencies never mix;
//! a money value of a bundle that states no currency is left out (a caveat says so).

use crate::model::Arm;
use std::collections::BTreeMap;

use polars::prelude::*;

use super::bundles::LoadedBundle;
use super::model::{BankValue, CohortMetric};
use crate::metrics::catalogue::Unit;
use crate::model::Segment;

const KEYS: [&str; 6] = [
    "family",
    "id",
    "seg_attribute",
    "seg_value",
    "arm",
    "currency",
];

fn keys() -> Vec<Expr> {
    KEYS.iter().map(|k| col(*k)).collect()
}

/// One metric value of one bank, before it goes into the long frame.
struct Entry<'a> {
    family: &'a str,
    metric: &'a super::bundles::MetricV1,
    bank: &'a str,
    currency: Option<&'a str>,
    value: f64,
}

/// Whether the catalogue gives metric `id` a currency unit.
pub(super) fn is_money(id: &str) -> bool {
    crate::metrics::catalogue::find(id).is_some_and(|d| d.unit == Unit::Currency)
}

/// One row per (bundle, metric) with a value: family, id, segment, `entry_arm` (the
/// stream's), `arm` (the pooled group's: null for `ai`), currency (money metrics), bank,
/// stream, value. Money values without a stated currency are left out.
pub fn long_frame(
    bundles: &[LoadedBundle],
    names: &BTreeMap<String, String>,
) -> PolarsResult<DataFrame> {
    let entries: Vec<Entry> = bundles
        .iter()
        .flat_map(|b| {
            let bank = names
                .get(&b.summary.submission.institution.id)
                .map_or("", String::as_str);
            let family = b.summary.submission.use_case.family.as_str();
            let stated = b.summary.currency();
            b.summary.metrics.iter().filter_map(move |metric| {
                let currency = if is_money(&metric.id) {
                    Some(stated?)
                } else {
                    None
                };
                Some(Entry {
                    family,
                    metric,
                    bank,
                    currency,
                    value: metric.value?,
                })
            })
        })
        .collect();
    let text = |f: &dyn Fn(&Entry) -> Option<String>| entries.iter().map(f).collect::<Vec<_>>();
    DataFrame::new(
        entries.len(),
        vec![
            Column::new("family".into(), text(&|e| Some(e.family.to_string()))),
            Column::new("id".into(), text(&|e| Some(e.metric.id.clone()))),
            Column::new(
                "seg_attribute".into(),
                text(&|e| e.metric.segment.as_ref().map(|s| s.attribute.clone())),
            ),
            Column::new(
                "seg_value".into(),
                text(&|e| e.metric.segment.as_ref().and_then(|s| s.value.clone())),
            ),
            Column::new(
                "entry_arm".into(),
                text(&|e| e.metric.arm.map(|a| a.as_str().to_string())),
            ),
            Column::new("currency".into(), text(&|e| e.currency.map(str::to_string))),
            Column::new("bank".into(), text(&|e| Some(e.bank.to_string()))),
            Column::new("stream".into(), text(&|e| Some(e.metric.stream.clone()))),
            Column::new(
                "value".into(),
                entries.iter().map(|e| e.value).collect::<Vec<f64>>(),
            ),
        ],
    )?
    .lazy()
    .with_column(
        when(col("entry_arm").eq(lit(Arm::Ai.as_str())))
            .then(lit(NULL).cast(DataType::String))
            .otherwise(col("entry_arm"))
            .alias("arm"),
    )
    .collect()
}

/// Group statistics and ranked values, as two frames sorted the same way.
fn statistics(long: &DataFrame) -> PolarsResult<(DataFrame, DataFrame)> {
    let q = |p: f64| col("value").quantile(lit(p), QuantileMethod::Linear);
    let groups = long
        .clone()
        .lazy()
        .group_by(keys())
        .agg([
            col("bank").n_unique().cast(DataType::UInt64).alias("banks"),
            len().cast(DataType::UInt64).alias("entries"),
            q(0.5).alias("median"),
            q(0.25).alias("q1"),
            q(0.75).alias("q3"),
            col("value").min().alias("min"),
            col("value").max().alias("max"),
        ])
        .sort(KEYS, SortMultipleOptions::default().with_nulls_last(false))
        .collect()?;
    let rank = col("value").rank(
        RankOptions {
            method: RankMethod::Average,
            descending: false,
        },
        None,
    );
    // (rank − 0.5) / n equals (count below + half the count equal) / n.
    let rank = rank.over(keys())?.cast(DataType::Float64);
    let size = len().over(keys())?.cast(DataType::Float64);
    let ranked = long
        .clone()
        .lazy()
        .with_column(((rank - lit(0.5)) * lit(100.0) / size).alias("percentile_rank"))
        .sort(
            KEYS.iter().chain(&["bank", "stream", "entry_arm"]).copied(),
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .collect()?;
    Ok((groups, ranked))
}

/// The cohort metrics: one per group, suppressed below `min_banks`.
pub fn cohort_metrics(long: &DataFrame, min_banks: u64) -> PolarsResult<Vec<CohortMetric>> {
    if long.height() == 0 {
        return Ok(Vec::new());
    }
    let (groups, ranked) = statistics(long)?;
    let mut values = values_by_group(&ranked)?;
    let float = |name: &str| -> PolarsResult<Vec<Option<f64>>> {
        Ok(groups.column(name)?.f64()?.iter().collect())
    };
    let count = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(groups
            .column(name)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (banks, entries) = (count("banks")?, count("entries")?);
    let stats = [
        float("median")?,
        float("q1")?,
        float("q3")?,
        float("min")?,
        float("max")?,
    ];
    let mut out = Vec::with_capacity(groups.height());
    for (i, key) in group_keys(&groups)?.into_iter().enumerate() {
        let suppressed = banks[i] < min_banks;
        let shown = |v: Option<f64>| if suppressed { None } else { v };
        let own = values.remove(&key).unwrap_or_default();
        let [family, id, attribute, group, arm, currency] = key;
        out.push(CohortMetric {
            family: family.unwrap_or_default(),
            id: id.unwrap_or_default(),
            segment: attribute.map(|attribute| Segment {
                attribute,
                value: group,
            }),
            arm: arm.as_deref().and_then(Arm::from_name),
            currency,
            banks: banks[i],
            entries: entries[i],
            suppressed,
            median: shown(stats[0][i]),
            q1: shown(stats[1][i]),
            q3: shown(stats[2][i]),
            min: shown(stats[3][i]),
            max: shown(stats[4][i]),
            values: (!suppressed).then(|| own.clone()),
            own,
        });
    }
    out.sort_by_cached_key(|m| {
        let segment = m
            .segment
            .as_ref()
            .map(|s| (s.attribute.clone(), s.value.clone()));
        (
            m.family.clone(),
            crate::metrics::catalogue::position(&m.id),
            segment,
            m.arm,
            m.currency.clone(),
        )
    });
    Ok(out)
}

/// family, id, segment attribute, segment value, arm, currency.
type GroupKey = [Option<String>; 6];

/// The text of column `name`, row by row.
pub(super) fn text_column(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(frame
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// The group key of every row of `frame`.
fn group_keys(frame: &DataFrame) -> PolarsResult<Vec<GroupKey>> {
    let columns: Vec<Vec<Option<String>>> = KEYS
        .iter()
        .map(|k| text_column(frame, k))
        .collect::<PolarsResult<_>>()?;
    Ok((0..frame.height())
        .map(|i| std::array::from_fn(|k| columns[k][i].clone()))
        .collect())
}

/// The ranked values of every group, keyed by group.
fn values_by_group(ranked: &DataFrame) -> PolarsResult<BTreeMap<GroupKey, Vec<BankValue>>> {
    let keys = group_keys(ranked)?;
    let (bank, stream) = (text_column(ranked, "bank")?, text_column(ranked, "stream")?);
    let arm = text_column(ranked, "entry_arm")?;
    let value = ranked.column("value")?.f64()?;
    let rank = ranked.column("percentile_rank")?.f64()?;
    let mut out: BTreeMap<GroupKey, Vec<BankValue>> = BTreeMap::new();
    for (i, key) in keys.into_iter().enumerate() {
        out.entry(key).or_default().push(BankValue {
            bank: bank[i].clone().unwrap_or_default(),
            stream: stream[i].clone().unwrap_or_default(),
            arm: arm[i].as_deref().and_then(Arm::from_name),
            value: value.get(i).unwrap_or(f64::NAN),
            percentile_rank: rank.get(i).unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(values: &[(&str, f64)]) -> DataFrame {
        let n = values.len();
        df!(
            "family" => vec!["anti_fraud"; n],
            "id" => vec!["detection.recall"; n],
            "seg_attribute" => vec![None::<&str>; n],
            "seg_value" => vec![None::<&str>; n],
            "arm" => vec![None::<&str>; n],
            "currency" => vec![None::<&str>; n],
            "entry_arm" => vec![None::<&str>; n],
            "bank" => values.iter().map(|v| v.0).collect::<Vec<_>>(),
            "stream" => vec!["s"; n],
            "value" => values.iter().map(|v| v.1).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn quartiles_and_percentile_ranks_follow_cohort_v1() {
        let frame = long(&[
            ("Bank A", 0.9),
            ("Bank B", 0.8),
            ("Bank C", 0.8),
            ("Bank D", 0.6),
        ]);
        let m = &cohort_metrics(&frame, 3).unwrap()[0];
        assert_eq!(m.banks, 4);
        assert!(!m.suppressed);
        // Sorted 0.6, 0.8, 0.8, 0.9: numpy linear quantiles.
        assert!((m.median.unwrap() - 0.8).abs() < 1e-12);
        assert!((m.q1.unwrap() - 0.75).abs() < 1e-12);
        assert!((m.q3.unwrap() - 0.825).abs() < 1e-12);
        let values = m.values.as_ref().unwrap();
        let rank = |bank: &str| {
            values
                .iter()
                .find(|v| v.bank == bank)
                .unwrap()
                .percentile_rank
        };
        assert!((rank("Bank A") - 87.5).abs() < 1e-9); // (3 + 0.5) / 4
        assert!((rank("Bank B") - 50.0).abs() < 1e-9); // (1 + 0.5·2) / 4
        assert!((rank("Bank D") - 12.5).abs() < 1e-9);
    }

    #[test]
    fn fewer_banks_than_the_minimum_are_suppressed() {
        let two = cohort_metrics(&long(&[("Bank A", 0.9), ("Bank B", 0.8)]), 3).unwrap();
        assert!(two[0].suppressed && two[0].median.is_none() && two[0].values.is_none());
        let three = cohort_metrics(
            &long(&[("Bank A", 0.9), ("Bank B", 0.8), ("Bank C", 0.7)]),
            3,
        )
        .unwrap();
        assert!(!three[0].suppressed && three[0].median == Some(0.8));
        // Two streams of one bank are two entries but one bank.
        let same_bank = cohort_metrics(
            &long(&[("Bank A", 0.9), ("Bank A", 0.8), ("Bank C", 0.7)]),
            3,
        )
        .unwrap();
        assert_eq!((same_bank[0].banks, same_bank[0].entries), (2, 3));
        assert!(same_bank[0].suppressed);
    }
}
