//! Acceptance criteria: each criterion of the config looked up among the computed metrics and
//! marked `pass`, `fail` or `not_evaluable` (metric missing or null).

use super::{find, resolve_arm, resolve_stream};
use crate::config::{Criterion, SegmentSelector};
use crate::model::{CriterionResult, Metric, Segment};

/// The segment a criterion reads.
fn segment(selector: &Option<SegmentSelector>) -> Option<Segment> {
    match selector {
        None => None,
        Some(SegmentSelector::Attribute(attribute)) => Some(Segment {
            attribute: attribute.clone(),
            value: None,
        }),
        Some(SegmentSelector::Group(group)) => {
            group.iter().next().map(|(attribute, value)| Segment {
                attribute: attribute.clone(),
                value: Some(value.0.clone()),
            })
        }
    }
}

/// Evaluates every criterion, in config order.
pub fn evaluate_criteria(criteria: &[Criterion], metrics: &[Metric]) -> Vec<CriterionResult> {
    criteria
        .iter()
        .map(|c| {
            let segment = segment(&c.segment);
            let stream = resolve_stream(metrics, &c.metric, c.stream.as_deref());
            let arm = stream.and_then(|s| resolve_arm(metrics, s, c.arm.map(|a| a.as_str())));
            let value = stream
                .and_then(|s| find(metrics, &c.metric, s, segment.as_ref(), arm.as_deref()))
                .and_then(|m| m.value);
            let status = match value {
                None => "not_evaluable",
                Some(v) if c.op.holds(v, c.value) => "pass",
                Some(_) => "fail",
            };
            CriterionResult {
                metric: c.metric.clone(),
                stream: stream.map(str::to_string),
                segment,
                arm,
                op: c.op.as_str().into(),
                threshold: c.value,
                value,
                status: status.into(),
            }
        })
        .collect()
}
