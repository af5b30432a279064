//! Placing computed values into `Metric`s: stream, arm, segment and unit; the worst-species
//! APCER; deltas between arms with Newcombe's interval; fairness warnings; the stable order
//! of summary.json.

use std::collections::BTreeSet;

use super::fairness::Fairness;
use super::measure::Value;
use super::stats::{Estimate, newcombe};
use super::{StreamData, catalogue, def, warning};
use crate::model::Code;
use crate::model::{Arm, Finding, Metric, Segment};
use crate::schema::{BONA_FIDE, StreamKind};

/// A metric of `data`'s stream.
pub fn metric(
    data: &StreamData,
    id: &str,
    arm: Option<Arm>,
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
        arm,
        threshold: None,
    }
}

fn segment_value(metric: &Metric) -> Option<&str> {
    metric.segment.as_ref().and_then(|s| s.value.as_deref())
}

/// APCER is defined for attack species only.
pub fn drop_bona_fide_apcer(metrics: &mut Vec<Metric>) {
    metrics.retain(|m| !(m.id == "detection.apcer" && segment_value(m) == Some(BONA_FIDE)));
}

/// Nor is it for a "species" none of whose rows, in any arm, is an attack presentation (all
/// labelled genuine: an export's `none` for genuine attempts).
pub fn drop_species_without_attacks(metrics: &mut Vec<Metric>) {
    let attacked: BTreeSet<String> = metrics
        .iter()
        .filter(|m| m.id == "detection.apcer" && m.arm != Some(Arm::Delta))
        .filter(|m| m.denominator.unwrap_or(0.0) > 0.0)
        .filter_map(|m| segment_value(m).map(str::to_string))
        .collect();
    metrics.retain(|m| {
        m.id != "detection.apcer" || segment_value(m).is_none_or(|s| attacked.contains(s))
    });
}

/// Why BPCER is empty in a stream with attack types: no row is bona fide. Says how many rows
/// are labelled genuine (false positives and true negatives) and the mapping that reads them.
pub fn bpcer_finding(data: &StreamData, metrics: &[Metric], arm: Option<Arm>) -> Option<Finding> {
    if !(data.kind == StreamKind::Detection && data.has("attack_type")) {
        return None;
    }
    let overall = |id: &str| {
        metrics
            .iter()
            .find(|m| m.id == id && m.segment.is_none() && m.arm == arm)
    };
    let bona_fide = overall("detection.bpcer")?.denominator.unwrap_or(0.0);
    if bona_fide > 0.0 {
        return None;
    }
    let count = |id: &str| overall(id).and_then(|m| m.value).unwrap_or(0.0);
    let genuine = count("detection.fp") + count("detection.tn");
    let in_arm = arm.map(|a| format!(" (arm {a})")).unwrap_or_default();
    let rows = if data.has("label") {
        format!(
            "; {genuine:.0} row(s) are labelled genuine (label false): if they are the genuine attempts, give them attack_type bona_fide (map the export's word under values, e.g. values: {{ attack_type: {{ none: bona_fide }} }}; an empty attack_type belongs to no species)"
        )
    } else {
        String::new()
    };
    Some(warning(
        data,
        Code::BpcerNoBonaFide,
        Some("attack_type"),
        format!("no row{in_arm} has attack_type bona_fide, so BPCER cannot be computed{rows}"),
    ))
}

/// The worst species' APCER, carried with that species' numerator and denominator; the first
/// species in name order wins a tie. Null when no species has attempts.
pub fn apcer_max(data: &StreamData, metrics: &[Metric], arm: Option<Arm>) -> Option<Metric> {
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
    Some(metric(data, "detection.apcer_max", arm, None, value))
}

/// `delta` (ai minus baseline) of every ratio metric, with Newcombe's interval when both arms
/// have Wilson intervals.
pub fn deltas(metrics: &[Metric]) -> Vec<Metric> {
    fn by_arm(metrics: &[Metric], arm: Arm) -> impl Iterator<Item = &Metric> {
        metrics.iter().filter(move |m| m.arm == Some(arm))
    }
    let estimate = |m: &Metric| {
        Some(Estimate {
            value: m.value?,
            low: m.ci_low?,
            high: m.ci_high?,
        })
    };
    by_arm(metrics, Arm::Ai)
        .filter(|ai| def(&ai.id).has_delta())
        .filter_map(|ai| {
            let base = by_arm(metrics, Arm::Baseline)
                .find(|b| b.id == ai.id && b.segment == ai.segment)?;
            let ci = estimate(ai)
                .zip(estimate(base))
                .map(|(a, b)| newcombe(a, b));
            Some(Metric {
                value: ai.value.zip(base.value).map(|(a, b)| a - b),
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                numerator: None,
                denominator: None,
                arm: Some(Arm::Delta),
                threshold: None,
                ..ai.clone()
            })
        })
        .collect()
}

/// Removes metrics that summary-v1 lists only when their population exists: the
/// over-refusal rate needs benign events.
pub fn drop_unlisted(metrics: &mut Vec<Metric>) {
    let has_benign = metrics
        .iter()
        .any(|m| m.id == "redteam.over_refusal_rate" && m.denominator.unwrap_or(0.0) > 0.0);
    if !has_benign {
        metrics.retain(|m| m.id != "redteam.over_refusal_rate");
    }
}

/// Catalogue order; within an id: overall first, then groups by attribute (built-in, then
/// segments in config order) and value; then arm (none, ai, baseline, delta).
pub fn sort(metrics: &mut [Metric], builtin: &[&str], segments: &[String]) {
    let attribute_rank = |a: &str| {
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
    metrics.sort_by_cached_key(|m| {
        let segment = m
            .segment
            .as_ref()
            .map(|s| (attribute_rank(&s.attribute), s.value.clone()));
        (catalogue::position(&m.id), segment, m.arm)
    });
}

/// Warnings about groups left out of fairness measures and a disparate impact below the floor.
pub fn fairness_findings(
    data: &StreamData,
    attribute: &str,
    arm: Option<Arm>,
    f: &Fairness,
) -> Vec<Finding> {
    let in_arm = arm.map(|a| format!(" (arm {a})")).unwrap_or_default();
    let mut out = Vec::new();
    let list = |groups: &[(String, u64)], what: &str| {
        groups
            .iter()
            .map(|(g, n)| format!("{g} ({n} {what})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let min = data.fairness.min_group_size;
    if !f.excluded.is_empty() {
        out.push(warning(
            data,
            Code::FairnessGroupExcluded,
            Some(attribute),
            format!(
                "groups of {attribute}{in_arm} with fewer than {min} events are left out of the fairness measures: {}",
                list(&f.excluded, "events")
            ),
        ));
    }
    if !f.excluded_odds.is_empty() {
        out.push(warning(
            data,
            Code::FairnessGroupExcluded,
            Some(attribute),
            format!(
                "groups of {attribute}{in_arm} without {min} labelled events of both classes are left out of equalized odds: {}",
                list(&f.excluded_odds, "labelled")
            ),
        ));
    }
    let ratio = f
        .values
        .iter()
        .find(|(id, _)| *id == "fairness.disparate_impact_ratio");
    if let Some(ratio) = ratio.and_then(|(_, v)| v.value)
        && ratio < data.fairness.disparate_impact_floor
    {
        out.push(warning(
            data,
            Code::DisparateImpactBelowFloor,
            Some(attribute),
            format!(
                "the disparate impact ratio across {attribute}{in_arm} is {ratio:.4}, below the floor {}",
                data.fairness.disparate_impact_floor
            ),
        ));
    }
    out
}
