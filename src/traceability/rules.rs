//! One evidence rule against a summary: the evidence it finds (and whether it is data or a
//! declaration), and, for a gap, what the submission would need.

use super::catalogue::{Requirement, Rule};
use super::evaluate::metric_section;
use crate::messages::{text, text_with};
use crate::model::Arm;
use crate::model::{AttackTested, CriterionStatus, Evidence, Summary};
use crate::schema::Language;

fn evidence_item(kind: &str, id: &str, section: &str) -> Evidence {
    Evidence {
        kind: kind.into(),
        id: id.into(),
        section: section.into(),
    }
}

/// The evidence `rule` finds in `summary`: `(true, …)` for data, `(false, …)` for a
/// declaration; None when it finds nothing.
pub(super) fn evidence(
    summary: &Summary,
    submission: &serde_json::Value,
    tested: &[AttackTested],
    rule: &Rule,
) -> Option<(bool, Evidence)> {
    match rule {
        Rule::Metric {
            metric,
            min_denominator,
        } => {
            let shown = summary.metrics.iter().any(|m| {
                // Overall, or per attribute (a fairness measure of `age_band`), not per group.
                &m.id == metric
                    && m.segment.as_ref().is_none_or(|s| s.value.is_none())
                    && m.arm.is_none_or(|a| a == Arm::Ai)
                    && m.value.is_some()
                    && m.denominator.is_none_or(|d| d >= *min_denominator)
            });
            shown.then(|| {
                (
                    true,
                    evidence_item("metric", metric, metric_section(metric)),
                )
            })
        }
        Rule::Criterion { criterion } => {
            let hit = summary.criteria.iter().find(|c| {
                (criterion == "any" || &c.metric == criterion)
                    && c.status != CriterionStatus::NotEvaluable
            })?;
            Some((true, evidence_item("criterion", &hit.metric, "objectives")))
        }
        Rule::Redteam { redteam } => {
            let hit = tested.iter().find(|t| redteam.contains(&t.id))?;
            Some((
                true,
                evidence_item("attack_category", &hit.id, "adversarial"),
            ))
        }
        Rule::Stream { stream } => {
            let hit = summary
                .streams
                .iter()
                .find(|s| (stream == "any" || s.kind.as_str() == stream) && s.events > 0)?;
            Some((true, evidence_item("stream", &hit.name, "data")))
        }
        Rule::Manifest { manifest } => {
            let hashed = *manifest && summary.streams.iter().any(|s| s.rows_read > 0);
            hashed.then(|| (true, evidence_item("manifest", "manifest.json", "manifest")))
        }
        Rule::Field { field } => {
            let value = lookup(submission, field)?;
            let section = if field.starts_with("system.") {
                "system"
            } else {
                "identification"
            };
            present(value).then(|| (false, evidence_item("field", field, section)))
        }
        Rule::Narrative { narrative } => {
            let text = lookup(submission, &format!("narrative.{narrative}"))?;
            present(text).then(|| {
                (
                    false,
                    evidence_item("narrative", narrative, narrative_section(narrative)),
                )
            })
        }
    }
}

/// The value at a dotted path of the submission's JSON.
fn lookup<'a>(value: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// Set to something: not null, not an empty text, list or map.
fn present(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => false,
        serde_json::Value::String(s) => !s.trim().is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The report section a narrative field is printed in.
pub(super) fn narrative_section(field: &str) -> &'static str {
    match field {
        "objectives" => "objectives",
        "system" => "system",
        "data" => "data",
        "results" => "results",
        "redteam" => "adversarial",
        "fairness" => "fairness",
        "oversight" => "oversight",
        "operations" => "operations",
        "incidents" => "incidents",
        "reconciliation" => "reconciliation",
        _ => "lessons",
    }
}

/// What would evidence a requirement that has a gap, in one sentence in `lang` (en, zh-HK).
pub(crate) fn what_would_evidence(r: &Requirement, lang: Language) -> String {
    let ways: Vec<String> = r.rules.iter().map(|rule| way(rule, lang)).collect();
    let ways = ways.join(&text(lang, "reason.any_separator"));
    text_with(lang, "reason.nothing", &[("ways", &ways)])
}

/// For a requirement only declared: the data that would show it.
pub(super) fn what_data_would_show(r: &Requirement, lang: Language) -> String {
    let ways: Vec<String> = r
        .rules
        .iter()
        .filter(|rule| !matches!(rule, Rule::Field { .. } | Rule::Narrative { .. }))
        .map(|rule| way(rule, lang))
        .collect();
    let ways = ways.join(&text(lang, "reason.or"));
    text_with(lang, "reason.declared_only", &[("ways", &ways)])
}

fn way(rule: &Rule, lang: Language) -> String {
    match rule {
        Rule::Metric {
            metric,
            min_denominator,
        } => text_with(
            lang,
            "way.metric",
            &[("metric", metric), ("min", &min_denominator.to_string())],
        ),
        Rule::Criterion { criterion } if criterion == "any" => text(lang, "way.criterion_any"),
        Rule::Criterion { criterion } => text_with(lang, "way.criterion", &[("metric", criterion)]),
        Rule::Redteam { redteam } => {
            text_with(lang, "way.redteam", &[("categories", &redteam.join(", "))])
        }
        Rule::Stream { stream } if stream == "any" => text(lang, "way.stream_any"),
        Rule::Stream { stream } => {
            let kind = super::evaluate::term(lang, stream);
            text_with(lang, "way.stream", &[("kind", &kind)])
        }
        Rule::Manifest { .. } => text(lang, "way.manifest"),
        Rule::Field { field } => text_with(lang, "way.field", &[("field", field)]),
        Rule::Narrative { narrative } => {
            text_with(lang, "way.narrative", &[("narrative", narrative)])
        }
    }
}
