//! The KPI sheet a bank reports itself: metrics recomputed from the generated logs with the
//! library's own metric code, then nudged by a stated offset, as a bank's own spreadsheet
//! would differ (rounding, a different cut-off, an error).

use std::collections::BTreeSet;

use polars::prelude::*;

use super::frames::Timeline;
use crate::metrics::{self, StreamData};
use crate::schema::StreamKind;

/// (metric id, optional (segment attribute, value), offset added to the true value).
pub type Reported<'a> = (&'a str, Option<(&'a str, &'a str)>, f64);

/// One reported KPI: metric id, value, segment, unit.
type KpiRow<'a> = (&'a str, f64, Option<(&'a str, &'a str)>, String);

/// A long-format KPI frame (`metric`, `value`, `stream`, period, `unit`, segment) for `wanted`.
pub fn reported(
    frame: &DataFrame,
    stream: &str,
    kind: StreamKind,
    timeline: &Timeline,
    wanted: &[Reported],
) -> PolarsResult<DataFrame> {
    let start = timeline.day_micros(0);
    let end = timeline.day_micros(timeline.days);
    let clean = frame
        .clone()
        .lazy()
        .filter(
            col("timestamp")
                .cast(DataType::Int64)
                .gt_eq(lit(start))
                .and(col("timestamp").cast(DataType::Int64).lt(lit(end))),
        )
        .collect()?;
    let present: BTreeSet<String> = clean
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let segments: Vec<String> = ["age_band", "channel"]
        .iter()
        .filter(|s| present.contains(**s))
        .map(|s| s.to_string())
        .collect();
    let last_day = timeline.start + chrono::Days::new(u64::from(timeline.days) - 1);
    let data = StreamData {
        name: stream,
        kind,
        clean: metrics::Rows::one(clean.lazy()),
        present: &present,
        segments: &segments,
        currency: None,
        timezone: timeline.tz.name(),
        period: (timeline.start, last_day),
        fairness: metrics::FairnessSettings {
            min_group_size: 30,
            disparate_impact_floor: 0.8,
        },
    };
    let computed = metrics::compute(&data)?.metrics;
    let rows: Vec<KpiRow> = wanted
        .iter()
        .filter_map(|(id, segment, offset)| {
            let m = computed
                .iter()
                .find(|m| m.id == *id && same_segment(*segment, m))?;
            let reported = ((m.value? + offset) * 10_000.0).round() / 10_000.0;
            Some((*id, reported, *segment, m.unit.clone()))
        })
        .collect();
    let n = rows.len();
    let metric: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let value: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let attribute: Vec<Option<&str>> = rows.iter().map(|r| r.2.map(|s| s.0)).collect();
    let group: Vec<Option<&str>> = rows.iter().map(|r| r.2.map(|s| s.1)).collect();
    let unit: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
    DataFrame::new(
        n,
        vec![
            Column::new("metric".into(), metric),
            Column::new("value".into(), value),
            Column::new("stream".into(), vec![stream.to_string(); n]),
            Column::new("period_start".into(), vec![timeline.start.to_string(); n]),
            Column::new("period_end".into(), vec![last_day.to_string(); n]),
            Column::new("unit".into(), unit),
            Column::new("segment_attribute".into(), attribute),
            Column::new("segment_value".into(), group),
        ],
    )
}

fn same_segment(wanted: Option<(&str, &str)>, metric: &crate::model::Metric) -> bool {
    match (wanted, &metric.segment) {
        (None, None) => true,
        (Some((a, v)), Some(s)) => s.attribute == a && s.value.as_deref() == Some(v),
        _ => false,
    }
}
