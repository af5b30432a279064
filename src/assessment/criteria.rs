//! Acceptance criteria: each criterion of the config looked up among the computed metrics and
//! marked `pass`, `fail` or `not_evaluable` (metric missing or null). A criterion on the
//! `delta` arm also says whether its 95% interval excludes 0 (`significant`).

use super::{find, resolve_arm, resolve_stream};
use crate::config::{Criterion, SegmentSelector};
use crate::model::{Arm, CriterionResult, CriterionStatus, Metric, Segment};

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

/// Whether a delta's 95% interval excludes 0; None for other arms or without an interval.
fn significant(metric: &Metric) -> Option<bool> {
    if metric.arm != Some(Arm::Delta) {
        return None;
    }
    let (low, high) = (metric.ci_low?, metric.ci_high?);
    Some(low > 0.0 || high < 0.0)
}

/// Evaluates every criterion, in config order.
pub fn evaluate_criteria(criteria: &[Criterion], metrics: &[Metric]) -> Vec<CriterionResult> {
    criteria
        .iter()
        .map(|c| {
            let segment = segment(&c.segment);
            let stream = resolve_stream(metrics, &c.metric, c.stream.as_deref());
            let arm = stream.and_then(|s| resolve_arm(metrics, s, c.arm));
            let metric = stream.and_then(|s| find(metrics, &c.metric, s, segment.as_ref(), arm));
            let value = metric.and_then(|m| m.value);
            let status = match value {
                None => CriterionStatus::NotEvaluable,
                Some(v) if c.op.holds(v, c.value) => CriterionStatus::Pass,
                Some(_) => CriterionStatus::Fail,
            };
            CriterionResult {
                metric: c.metric.clone(),
                stream: stream.map(str::to_string),
                segment,
                arm,
                op: c.op,
                threshold: c.value,
                value,
                status,
                significant: metric.and_then(significant),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Arm, Comparison};

    fn delta(value: f64, low: f64, high: f64) -> Metric {
        Metric {
            id: "detection.recall".into(),
            stream: "s".into(),
            value: Some(value),
            ci_low: Some(low),
            ci_high: Some(high),
            numerator: None,
            denominator: None,
            unit: "ratio".into(),
            segment: None,
            arm: Some(Arm::Delta),
            threshold: None,
        }
    }

    fn criterion() -> Criterion {
        Criterion {
            metric: "detection.recall".into(),
            stream: None,
            segment: None,
            arm: Some(Arm::Delta),
            op: Comparison::Ge,
            value: 0.0,
        }
    }

    #[test]
    fn a_delta_pass_says_whether_its_interval_excludes_zero() {
        let wide = evaluate_criteria(&[criterion()], &[delta(0.01, -0.02, 0.04)]);
        assert_eq!(wide[0].status, CriterionStatus::Pass);
        assert_eq!(wide[0].significant, Some(false));
        let clear = evaluate_criteria(&[criterion()], &[delta(0.05, 0.02, 0.08)]);
        assert_eq!(clear[0].significant, Some(true));
        let mut ai = delta(0.9, 0.8, 0.95);
        ai.arm = Some(Arm::Ai);
        let mut on_ai = criterion();
        on_ai.arm = Some(Arm::Ai);
        assert_eq!(evaluate_criteria(&[on_ai], &[ai])[0].significant, None);
    }
}
