//! Assessment of the computed metrics against what the submission declared: the acceptance
//! criteria fixed in advance, and the KPIs the bank reported itself.

mod criteria;
mod reconcile;

pub use criteria::evaluate_criteria;
pub use reconcile::{ReportedKpi, reconcile};

use crate::model::{Arm, Metric};

use crate::model::find_metric as find;

/// The one stream that reports metric `id` (when `named` is absent), or `named` itself.
fn resolve_stream<'a>(metrics: &'a [Metric], id: &str, named: Option<&'a str>) -> Option<&'a str> {
    if named.is_some() {
        return named;
    }
    let mut streams: Vec<&str> = metrics
        .iter()
        .filter(|m| m.id == id)
        .map(|m| m.stream.as_str())
        .collect();
    streams.dedup();
    match streams.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// The arm to read for a stream: the one asked for, or `ai` when the stream has arms.
fn resolve_arm(metrics: &[Metric], stream: &str, asked: Option<Arm>) -> Option<Arm> {
    let has_arms = metrics
        .iter()
        .any(|m| m.stream == stream && m.arm.is_some());
    match asked {
        Some(a) => Some(a),
        None if has_arms => Some(Arm::Ai),
        None => None,
    }
}
