//! Metrics: every measure of a stream evaluated with polars over the clean rows, for the
//! whole stream and per group (built-in groupings such as `attack_type`, and the config's
//! segments), rank metrics from scores, fairness across segment groups and weekly series; per
//! arm in A/B trials with a `delta` between arms; then placed in a stable order.

pub mod catalogue;
mod distribution;
mod fairness;
mod families;
mod incidents;
pub mod measure;
mod place;
mod rank;
mod series;
pub mod stats;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::model::{Code, Distribution, Finding, IncidentCount, Metric, Segment, Series};
pub use crate::parts::Rows;
use crate::schema::{Arm, StreamKind, takes_segments};
pub use fairness::FairnessSettings;
use measure::{Measure, Value, evaluate};

/// One stream's clean rows and what the metrics need to know about it.
pub struct StreamData<'a> {
    pub name: &'a str,
    pub kind: StreamKind,
    /// The clean rows, read part by part (see `validate::CleanRows::parts`).
    pub clean: Rows,
    pub present: &'a BTreeSet<String>,
    pub segments: &'a [String],
    pub currency: Option<&'a str>,
    pub timezone: &'a str,
    /// First and last day of the reporting period.
    pub period: (NaiveDate, NaiveDate),
    pub fairness: FairnessSettings,
}

impl StreamData<'_> {
    pub fn has(&self, column: &str) -> bool {
        self.present.contains(column)
    }

    pub fn has_arms(&self) -> bool {
        self.has("arm")
    }
}

/// Everything computed for one stream.
#[derive(Debug, Default)]
pub struct StreamResult {
    pub metrics: Vec<Metric>,
    pub series: Vec<Series>,
    pub distributions: Vec<Distribution>,
    pub incidents: Vec<IncidentCount>,
    /// Warnings about fairness groups and disparate impact.
    pub findings: Vec<Finding>,
}

/// Built-in grouping columns, in report order.
const BUILTIN_GROUPS: [&str; 4] = [
    "attack_type",
    "attack_category",
    "incident_type",
    "incident_severity",
];

/// The measures this stream can compute: those whose input columns it has.
fn available_measures(data: &StreamData) -> Vec<Measure> {
    let has = |c: &str| data.has(c);
    families::measures(data.kind, &has)
        .into_iter()
        .filter(|m| catalogue::find(m.id).is_some_and(|d| d.inputs.iter().all(|c| data.has(c))))
        .collect()
}

/// Computes every metric and series of one stream.
pub fn compute(data: &StreamData) -> PolarsResult<StreamResult> {
    let measures = available_measures(data);
    let arms: Vec<Option<Arm>> = if data.has_arms() {
        Arm::OBSERVED.into_iter().map(Some).collect()
    } else {
        vec![None]
    };
    let mut result = StreamResult::default();
    for arm in arms {
        let rows = match arm {
            Some(a) => data.clean.filter(col("arm").eq(lit(a.as_str()))),
            None => data.clean.clone(),
        };
        arm_metrics(data, &measures, rows, arm, &mut result)?;
    }
    if data.has_arms() {
        let deltas = place::deltas(&result.metrics);
        result.metrics.extend(deltas);
    }
    place::drop_species_without_attacks(&mut result.metrics);
    place::drop_unlisted(&mut result.metrics);
    place::sort(&mut result.metrics, &BUILTIN_GROUPS, data.segments);
    Ok(result)
}

/// Metrics of one arm (or of the whole stream): overall, rank, per group, fairness, series.
fn arm_metrics(
    data: &StreamData,
    measures: &[Measure],
    rows: Rows,
    arm: Option<Arm>,
    out: &mut StreamResult,
) -> PolarsResult<()> {
    let overall: Vec<&Measure> = measures.iter().filter(|m| def(m.id).overall).collect();
    for (_, values) in evaluate(&rows, None, &overall)? {
        out.metrics.extend(
            values
                .into_iter()
                .map(|(id, v)| place::metric(data, id, arm, None, v)),
        );
    }
    if data.kind == StreamKind::Detection && data.has("label") && data.has("score") {
        out.metrics.extend(rank_metrics(data, &rows, arm)?);
    }
    let start = out.metrics.len();
    for attribute in grouping_attributes(data) {
        let grouped = group_metrics(data, measures, &rows, arm, &attribute)?;
        out.metrics.extend(grouped);
    }
    place::drop_bona_fide_apcer(&mut out.metrics);
    out.findings
        .extend(place::bpcer_finding(data, &out.metrics, arm));
    let apcer_max = place::apcer_max(data, &out.metrics[start.min(out.metrics.len())..], arm);
    out.metrics.extend(apcer_max);
    fairness_metrics(data, &rows, arm, out)?;
    if data.has("incident_type") && data.has("incident_severity") {
        let crossed = incidents::crosstab(&rows, data.name, arm)?;
        out.incidents.extend(crossed);
    }
    if data.has("latency_ms") {
        let histogram = distribution::histogram(&rows, "latency_ms", data.name, arm)?;
        out.distributions.extend(histogram);
    }
    if data.has("timestamp") {
        let trended: Vec<&Measure> = measures.iter().filter(|m| def(m.id).series).collect();
        let weeks = series::mondays(data.period.0, data.period.1);
        let lines = series::series(&rows, &trended, data.timezone, &weeks, data.name, arm)?;
        out.series.extend(lines);
    }
    Ok(())
}

/// ROC AUC, average precision and the EER (with its score threshold) of a scored detection
/// stream.
fn rank_metrics(data: &StreamData, rows: &Rows, arm: Option<Arm>) -> PolarsResult<Vec<Metric>> {
    let r = rank::rank_metrics(rows)?;
    let place = |id: &str, value: Value| place::metric(data, id, arm, None, value);
    let mut eer = place("detection.eer", r.eer);
    eer.threshold = r.eer_threshold;
    Ok(vec![
        place("detection.roc_auc", r.roc_auc),
        place("detection.average_precision", r.average_precision),
        eer,
    ])
}

/// The metrics reported per group of `attribute` (a built-in grouping or a segment), one
/// entry per group of the stream; a group another arm has but this one lacks is listed with
/// zero counts.
fn group_metrics(
    data: &StreamData,
    measures: &[Measure],
    rows: &Rows,
    arm: Option<Arm>,
    attribute: &str,
) -> PolarsResult<Vec<Metric>> {
    let chosen: Vec<&Measure> = measures
        .iter()
        .filter(|m| {
            let d = def(m.id);
            d.grouped_by(attribute)
                || (d.per_segment && data.segments.iter().any(|s| s == attribute))
        })
        .collect();
    let evaluated = evaluate(rows, Some(attribute), &chosen)?;
    let mut metrics = Vec::new();
    for key in group_values(data, attribute)? {
        let values = match evaluated.iter().find(|(k, _)| *k == key) {
            Some((_, values)) => values.clone(),
            None => chosen
                .iter()
                .map(|m| {
                    (
                        m.id,
                        measure::combine(m.id, m.combine, Some(0.0), Some(0.0)),
                    )
                })
                .collect(),
        };
        for (id, v) in values {
            let segment = Segment {
                attribute: attribute.to_string(),
                value: Some(key.clone()),
            };
            metrics.push(place::metric(data, id, arm, Some(segment), v));
        }
    }
    Ok(metrics)
}

/// Fairness measures per segment attribute, with warnings about left-out groups.
fn fairness_metrics(
    data: &StreamData,
    rows: &Rows,
    arm: Option<Arm>,
    out: &mut StreamResult,
) -> PolarsResult<()> {
    if !takes_segments(data.kind) {
        return Ok(());
    }
    for attribute in data.segments.iter().filter(|a| data.has(a)) {
        let f = fairness::fairness(rows, attribute, data.kind, data.has("label"), data.fairness)?;
        for (id, value) in &f.values {
            let segment = Segment {
                attribute: attribute.clone(),
                value: None,
            };
            out.metrics
                .push(place::metric(data, id, arm, Some(segment), *value));
        }
        out.findings
            .extend(place::fairness_findings(data, attribute, arm, &f));
    }
    Ok(())
}

/// The groups of `attribute` in the whole stream (all arms), sorted; empty values form none.
fn group_values(data: &StreamData, attribute: &str) -> PolarsResult<Vec<String>> {
    let groups = data
        .clean
        .filter(col(attribute).is_not_null())
        .sum_by(&[col(attribute)], &[len().alias("__rows")])?
        .lazy()
        .select([col(attribute)
            .cast(DataType::String)
            .sort(SortOptions::default())])
        .collect()?;
    Ok(groups
        .column(attribute)?
        .str()?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect())
}

/// Attributes the stream is grouped by: built-in groupings, then the config's segments.
fn grouping_attributes(data: &StreamData) -> Vec<String> {
    // A redteam stream's segments are only its own (see `pipeline::stream_segments`).
    let grouped = takes_segments(data.kind) || data.kind == StreamKind::Redteam;
    let segments = data.segments.iter().filter(|_| grouped);
    BUILTIN_GROUPS
        .iter()
        .map(|s| s.to_string())
        .chain(segments.cloned())
        .filter(|a| data.has(a))
        .collect()
}

fn def(id: &str) -> &'static catalogue::MetricDef {
    catalogue::find(id).expect("every measure has a catalogue entry")
}

/// A warning finding about a stream as a whole.
fn warning(data: &StreamData, code: Code, column: Option<&str>, message: String) -> Finding {
    Finding::new(code, message)
        .in_stream(data.name.to_string())
        .in_column(column.map(str::to_string))
}
