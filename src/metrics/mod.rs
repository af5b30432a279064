//! Metrics: every measure of a stream evaluated with polars over the clean rows, for the
//! whole stream and per group (built-in groupings such as `attack_type`, and the config's
//! segments), per arm in A/B trials with a `delta` between arms, then placed in a stable order.

pub mod catalogue;
mod families;
pub mod measure;
pub mod stats;

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::model::{Metric, Segment};
use crate::schema::{ARMS, BONA_FIDE, StreamKind, takes_segments};
use measure::{Measure, Value, a_name, b_name, combine};
use stats::{Estimate, newcombe};

/// One stream's clean rows and what the metrics need to know about it.
pub struct StreamData<'a> {
    pub name: &'a str,
    pub kind: StreamKind,
    pub clean: &'a DataFrame,
    pub present: &'a BTreeSet<String>,
    pub segments: &'a [String],
    pub currency: Option<&'a str>,
}

impl StreamData<'_> {
    pub fn has(&self, column: &str) -> bool {
        self.present.contains(column)
    }

    pub fn has_arms(&self) -> bool {
        self.has("arm")
    }
}

/// The measures this stream can compute: those whose input columns it has.
fn available_measures(data: &StreamData) -> Vec<Measure> {
    let has = |c: &str| data.has(c);
    families::measures(data.kind, &has)
        .into_iter()
        .filter(|m| catalogue::find(m.id).is_some_and(|d| d.inputs.iter().all(|c| data.has(c))))
        .collect()
}

/// Computes every metric of one stream.
pub fn compute(data: &StreamData) -> PolarsResult<Vec<Metric>> {
    let measures = available_measures(data);
    let arms: Vec<Option<&str>> = if data.has_arms() {
        ARMS.iter().map(|a| Some(*a)).collect()
    } else {
        vec![None]
    };
    let mut metrics = Vec::new();
    for arm in arms {
        let rows = match arm {
            Some(a) => data.clean.clone().lazy().filter(col("arm").eq(lit(a))),
            None => data.clean.clone().lazy(),
        };
        metrics.extend(arm_metrics(data, &measures, rows, arm)?);
    }
    if data.has_arms() {
        let deltas = deltas(&metrics);
        metrics.extend(deltas);
    }
    drop_unlisted(&mut metrics);
    sort(&mut metrics, data.segments);
    Ok(metrics)
}

/// Metrics of one arm (or of the whole stream): overall, per built-in group, per segment.
fn arm_metrics(
    data: &StreamData,
    measures: &[Measure],
    rows: LazyFrame,
    arm: Option<&str>,
) -> PolarsResult<Vec<Metric>> {
    let place =
        |id: &str, segment: Option<Segment>, value: Value| to_metric(data, id, arm, segment, value);
    let overall: Vec<&Measure> = measures.iter().filter(|m| def(m.id).overall).collect();
    let mut out: Vec<Metric> = evaluate(rows.clone(), None, &overall)?
        .into_iter()
        .flat_map(|(_, values)| values)
        .map(|(id, v)| place(id, None, v))
        .collect();
    for attribute in grouping_attributes(data) {
        let chosen: Vec<&Measure> = measures
            .iter()
            .filter(|m| {
                let d = def(m.id);
                d.grouped_by(&attribute) || (d.per_segment && data.segments.contains(&attribute))
            })
            .collect();
        for (key, values) in evaluate(rows.clone(), Some(&attribute), &chosen)? {
            for (id, v) in values {
                let segment = Segment {
                    attribute: attribute.clone(),
                    value: Some(key.clone()),
                };
                out.push(place(id, Some(segment), v));
            }
        }
    }
    out.retain(|m| !(m.id == "detection.apcer" && segment_value(m) == Some(BONA_FIDE)));
    out.extend(apcer_max(data, &out, arm));
    Ok(out)
}

/// Attributes the stream is grouped by: built-in groupings, then the config's segments.
fn grouping_attributes(data: &StreamData) -> Vec<String> {
    let builtin = [
        "attack_type",
        "attack_category",
        "incident_type",
        "incident_severity",
    ];
    let segments = data.segments.iter().filter(|_| takes_segments(data.kind));
    builtin
        .iter()
        .map(|s| s.to_string())
        .chain(segments.cloned())
        .filter(|a| data.has(a))
        .collect::<Vec<_>>()
}

type GroupValues = Vec<(String, Vec<(&'static str, Value)>)>;

/// Evaluates `measures` over `rows`, as one group or per value of `key` (nulls form no group).
fn evaluate(
    rows: LazyFrame,
    key: Option<&str>,
    measures: &[&Measure],
) -> PolarsResult<GroupValues> {
    if measures.is_empty() {
        return Ok(Vec::new());
    }
    let aggs: Vec<Expr> = measures
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.aggregations(i))
        .collect();
    let frame = match key {
        None => rows.select(aggs).collect()?,
        Some(k) => rows
            .filter(col(k).is_not_null())
            .group_by([col(k)])
            .agg(aggs)
            .sort([k], SortMultipleOptions::default())
            .collect()?,
    };
    let keys = match key {
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

fn def(id: &str) -> &'static catalogue::MetricDef {
    catalogue::find(id).expect("every measure has a catalogue entry")
}

fn segment_value(metric: &Metric) -> Option<&str> {
    metric.segment.as_ref().and_then(|s| s.value.as_deref())
}

fn to_metric(
    data: &StreamData,
    id: &str,
    arm: Option<&str>,
    segment: Option<Segment>,
    v: Value,
) -> Metric {
    Metric {
        id: id.to_string(),
        stream: data.name.to_string(),
        value: v.value,
        ci_low: v.ci_low,
        ci_high: v.ci_high,
        numerator: v.numerator,
        denominator: v.denominator,
        unit: def(id).unit.label(data.currency),
        segment,
        arm: arm.map(str::to_string),
        threshold: None,
    }
}

/// The worst species' APCER, carried with that species' numerator and denominator.
fn apcer_max(data: &StreamData, metrics: &[Metric], arm: Option<&str>) -> Option<Metric> {
    if !(data.kind == StreamKind::Detection && data.has("attack_type")) {
        return None;
    }
    let worst = metrics
        .iter()
        .filter(|m| m.id == "detection.apcer" && m.value.is_some())
        .fold(None::<&Metric>, |best, m| match best {
            Some(b) if b.value >= m.value => Some(b),
            _ => Some(m),
        });
    let value = worst.map_or_else(Value::default, |w| Value {
        value: w.value,
        ci_low: w.ci_low,
        ci_high: w.ci_high,
        numerator: w.numerator,
        denominator: w.denominator,
    });
    Some(to_metric(data, "detection.apcer_max", arm, None, value))
}

/// `delta` (ai minus baseline) of every ratio metric, with Newcombe's interval.
fn deltas(metrics: &[Metric]) -> Vec<Metric> {
    fn by_arm<'a>(metrics: &'a [Metric], arm: &'a str) -> impl Iterator<Item = &'a Metric> {
        metrics
            .iter()
            .filter(move |m| m.arm.as_deref() == Some(arm))
    }
    by_arm(metrics, "ai")
        .filter(|ai| def(&ai.id).has_delta())
        .filter_map(|ai| {
            let base =
                by_arm(metrics, "baseline").find(|b| b.id == ai.id && b.segment == ai.segment)?;
            let estimate = |m: &Metric| {
                Some(Estimate {
                    value: m.value?,
                    low: m.ci_low?,
                    high: m.ci_high?,
                })
            };
            let ci = estimate(ai)
                .zip(estimate(base))
                .map(|(a, b)| newcombe(a, b));
            Some(Metric {
                value: ai.value.zip(base.value).map(|(a, b)| a - b),
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                numerator: None,
                denominator: None,
                arm: Some("delta".into()),
                ..ai.clone()
            })
        })
        .collect()
}

/// Removes metrics that summary-v1 lists only when their population exists.
fn drop_unlisted(metrics: &mut Vec<Metric>) {
    let has_benign = metrics
        .iter()
        .any(|m| m.id == "redteam.over_refusal_rate" && m.denominator.unwrap_or(0.0) > 0.0);
    if !has_benign {
        metrics.retain(|m| m.id != "redteam.over_refusal_rate");
    }
}

/// Catalogue order; within an id: overall first, then groups by attribute and value; then arm.
fn sort(metrics: &mut [Metric], segments: &[String]) {
    let attribute_rank = |a: &str| {
        let builtin = [
            "attack_type",
            "attack_category",
            "incident_type",
            "incident_severity",
        ];
        builtin
            .iter()
            .position(|b| *b == a)
            .or_else(|| {
                segments
                    .iter()
                    .position(|s| s == a)
                    .map(|p| p + builtin.len())
            })
            .unwrap_or(usize::MAX)
    };
    let arm_rank = |arm: &Option<String>| match arm.as_deref() {
        None => 0,
        Some("ai") => 1,
        Some("baseline") => 2,
        _ => 3,
    };
    metrics.sort_by(|x, y| {
        let key = |m: &Metric| {
            let seg = m
                .segment
                .as_ref()
                .map(|s| (attribute_rank(&s.attribute), s.value.clone()));
            (catalogue::position(&m.id), seg, arm_rank(&m.arm))
        };
        key(x).cmp(&key(y))
    });
}
