//! The rules of input-v1's "Bad input", each as a polars mask over whole columns: which rows
//! fail it, what to show as the value found, and the sentence that explains it.

use polars::prelude::*;

use super::hints::Hint;
use super::parse::{is_blank, timestamp_dtype};
use super::{Context, parsed};
use crate::ingest::StreamLayout;
use crate::model::Code;
use crate::schema::{self, ColumnSpec, ColumnType, Presence};

/// One rule applied to every row of a stream.
#[derive(Clone)]
pub struct Check {
    pub code: Code,
    /// The column as the bank names it, when the rule is about one column.
    pub column: Option<String>,
    /// True on rows that break the rule.
    pub mask: Expr,
    /// The canonical column whose value is shown as "found", as written (none: an empty cell).
    pub found: Option<String>,
    /// The message, with `{found}` standing for the value found.
    pub template: String,
    /// Advice that depends on the value found (the `values` mapping to add, say), with the
    /// canonical column it is about.
    pub hint: Option<(Hint, String)>,
    /// Findings per distinct value found, not only per file (unknown words of a column).
    pub per_value: bool,
}

impl Check {
    pub fn message(&self, found: &str) -> String {
        self.template.replace("{found}", found)
    }
}

/// Every check for the columns `present` in a stream.
pub fn checks_for(layout: &StreamLayout, present: &[&ColumnSpec], ctx: &Context) -> Vec<Check> {
    let has = |name: &str| present.iter().any(|c| c.name == name);
    let mut checks = Vec::new();
    for spec in present {
        let source = layout.source_name(&spec.name).to_string();
        let name = spec.name.as_ref();
        let expected = schema::expectation(spec.ty);
        if let Some(mask) = missing_mask(spec, &has) {
            checks.push(Check {
                code: Code::ValueMissing,
                column: Some(source.clone()),
                mask,
                found: None,
                template: format!("expected {expected}, found an empty cell"),
                hint: None,
                per_value: false,
            });
        }
        let code = if matches!(spec.ty, ColumnType::Enum(_)) {
            Code::ValueNotAllowed
        } else {
            Code::ValueInvalid
        };
        let unparsed = is_blank(name).not().and(parsed(name).is_null());
        if spec.ty == ColumnType::Timestamp {
            // A well-formed local time in a daylight-saving gap gets its own message.
            let gap = col(super::NAIVE_TIMESTAMP).is_not_null();
            checks.push(Check {
                code: Code::ValueInvalid,
                column: Some(source.clone()),
                mask: unparsed.clone().and(gap.clone()),
                found: Some(name.to_string()),
                template: format!(
                    "expected a local time that exists in {}, found \"{{found}}\", which the clocks skip when daylight saving starts",
                    ctx.timezone
                ),
                hint: None,
                per_value: false,
            });
            checks.push(Check {
                code,
                column: Some(source.clone()),
                mask: unparsed.and(gap.not()),
                found: Some(name.to_string()),
                template: format!("expected {expected}, found \"{{found}}\""),
                hint: None,
                per_value: false,
            });
        } else {
            let hint = match spec.ty {
                ColumnType::Bool => Some((Hint::Boolean, name.to_string())),
                ColumnType::Enum(words) => Some((Hint::Word(words), name.to_string())),
                _ => None,
            };
            let per_value = hint.is_some();
            checks.push(Check {
                code,
                column: Some(source.clone()),
                mask: unparsed,
                found: Some(name.to_string()),
                template: format!("expected {expected}, found \"{{found}}\""),
                hint,
                per_value,
            });
        }
        checks.extend(range_check(spec, &source, &expected));
        if spec.ty == ColumnType::Text {
            let limit = layout.limits.value_chars;
            checks.push(Check {
                code: Code::ValueTooLong,
                column: Some(source.clone()),
                mask: parsed(name)
                    .str()
                    .len_chars()
                    .cast(DataType::UInt64)
                    .gt(lit(limit))
                    .fill_null(lit(false)),
                found: Some(name.to_string()),
                template: format!(
                    "expected a text of at most {limit} characters (limits.value_chars), found \"{{found}}\""
                ),
                hint: None,
                per_value: false,
            });
        }
    }
    checks.extend(stream_checks(layout, &has, ctx));
    checks
}

/// Rows where a required value is empty, for each kind of requirement.
fn missing_mask(spec: &ColumnSpec, has: &dyn Fn(&str) -> bool) -> Option<Expr> {
    let blank = is_blank(&spec.name);
    match spec.presence {
        Presence::Required => Some(blank),
        Presence::RequiredUnlessBenign => {
            let benign = if has("benign") {
                parsed("benign").fill_null(lit(false))
            } else {
                lit(false)
            };
            Some(blank.and(benign.not()))
        }
        Presence::RequiredWithIncident if has("incident_type") => {
            Some(blank.and(is_blank("incident_type").not()))
        }
        _ => None,
    }
}

/// Values that parse but fall outside the allowed range (or are NaN or infinite).
fn range_check(spec: &ColumnSpec, source: &str, expected: &str) -> Option<Check> {
    let value = parsed(&spec.name);
    let (below, above, finite) = match spec.ty {
        ColumnType::Float { min, max } => (
            min.map(|m| value.clone().lt(lit(m))),
            max.map(|m| value.clone().gt(lit(m))),
            Some(value.clone().is_finite().not()),
        ),
        ColumnType::Int { min, max } => (
            min.map(|m| value.clone().lt(lit(m))),
            max.map(|m| value.clone().gt(lit(m))),
            None,
        ),
        _ => return None,
    };
    let mask = [below, above, finite]
        .into_iter()
        .flatten()
        .reduce(|a, b| a.or(b))?;
    Some(Check {
        code: Code::ValueOutOfRange,
        column: Some(source.to_string()),
        mask: value.is_not_null().and(mask),
        found: Some(spec.name.to_string()),
        template: format!("expected {expected}, found \"{{found}}\""),
        hint: None,
        per_value: false,
    })
}

/// Rules that look across rows or at several columns.
fn stream_checks(layout: &StreamLayout, has: &dyn Fn(&str) -> bool, ctx: &Context) -> Vec<Check> {
    let source = |name: &str| Some(layout.source_name(name).to_string());
    let mut checks = Vec::new();
    if has("event_id") {
        let id = parsed("event_id");
        checks.push(Check {
            code: Code::EventIdDuplicate,
            column: source("event_id"),
            mask: id.clone().is_not_null().and(id.is_first_distinct().not()),
            found: Some("event_id".to_string()),
            template: "expected a unique event_id, found {found}".into(),
            hint: None,
            per_value: false,
        });
    }
    if has("timestamp")
        && let Some((start, end)) = ctx.period_utc
    {
        let ts = parsed("timestamp");
        let start = lit(start).cast(timestamp_dtype());
        let end = lit(end).cast(timestamp_dtype());
        checks.push(Check {
            code: Code::OutsidePeriod,
            column: source("timestamp"),
            mask: ts.clone().is_not_null().and(ts.clone().lt(start).or(ts.gt_eq(end))),
            found: Some("timestamp".to_string()),
            template: format!(
                "expected a timestamp within the reporting period {}, found \"{{found}}\"; the event is left out of the metrics",
                ctx.period_text
            ),
            hint: None,
            per_value: false,
        });
    }
    if has("timestamp") && !ctx.timezone_given {
        checks.push(Check {
            code: Code::TimezoneAssumed,
            column: source("timestamp"),
            mask: col(super::NAIVE_TIMESTAMP)
                .is_not_null()
                .and(parsed("timestamp").is_not_null()),
            found: Some("timestamp".to_string()),
            template: "the timestamp \"{found}\" has no UTC offset and the config sets no timezone, so it is read as UTC; a local time read as UTC shifts every event (and the period bounds) by hours".into(),
            hint: Some((Hint::Timezone, "timestamp".into())),
            per_value: false,
        });
    }
    let optional_blank = |name: &'static str, code: Code, template: &str| Check {
        code,
        column: source(name),
        mask: is_blank(name).and(super::in_period(ctx)),
        found: None,
        template: template.into(),
        hint: None,
        per_value: false,
    };
    if has("attack_type") && has("label") {
        let species = parsed("attack_type");
        checks.push(Check {
            code: Code::AttackTypeGenuine,
            column: source("attack_type"),
            mask: species
                .clone()
                .is_not_null()
                .and(species.neq(lit(schema::BONA_FIDE)))
                .and(parsed("label").eq(lit(false)))
                .and(super::in_period(ctx))
                .fill_null(lit(false)),
            found: Some("attack_type".to_string()),
            template: "the row is labelled genuine (label false) but its attack_type is \"{found}\", not bona_fide; it is left out of that species' APCER and out of BPCER".into(),
            hint: Some((Hint::BonaFide, "attack_type".into())),
            per_value: true,
        });
    }
    for (column, metrics) in blank_sensitive(&layout.columns, has) {
        let template = format!(
            "{column} is empty; the row is left out of the metrics that read {column}: {}",
            metrics.join(", ")
        );
        // A review time is only expected of the events a person reviewed.
        let expected = match ONLY_WHEN.iter().find(|(c, _)| *c == column) {
            Some((_, flag)) if has(flag) => parsed(flag).fill_null(lit(false)),
            _ => lit(true),
        };
        checks.push(Check {
            code: Code::ValueBlank,
            column: source(column),
            mask: is_blank(column).and(expected).and(super::in_period(ctx)),
            found: None,
            template,
            hint: None,
            per_value: false,
        });
    }
    if has("label") {
        checks.push(optional_blank(
            "label",
            Code::LabelMissing,
            "label is empty (ground truth not yet known); the event counts in alert rates but not in accuracy metrics",
        ));
    }
    if has("arm") {
        checks.push(optional_blank(
            "arm",
            Code::ArmMissing,
            "arm is empty in a stream with arms; the event is left out of the metrics",
        ));
    }
    checks
}

/// Optional columns whose empty cells mean "not known" rather than "none" and have no code of
/// their own: an empty `label` is `label_missing`, an empty `arm` `arm_missing`, and an empty
/// incident or hallucination kind means there was none, an empty `benign` false, so they
/// are left out.
const OWN_BLANK_MEANING: &[&str] = &[
    "label",
    "arm",
    "incident_type",
    "incident_severity",
    "hallucination_kind",
    "evaluator",
    "model_version",
    "benign",
];

/// Columns whose value is expected only on rows where a boolean column is true.
const ONLY_WHEN: &[(&str, &str)] = &[("review_seconds", "human_reviewed"), ("refused", "benign")];

/// The optional columns present that a metric of the stream reads (all of its inputs are
/// present), each with the ids of those metrics: an empty cell in one shrinks their n.
fn blank_sensitive<'a>(
    columns: &'a [ColumnSpec],
    has: &dyn Fn(&str) -> bool,
) -> Vec<(&'a str, Vec<&'static str>)> {
    let mut out = Vec::new();
    for spec in columns {
        let name = spec.name.as_ref();
        if spec.presence != Presence::Optional || OWN_BLANK_MEANING.contains(&name) || !has(name) {
            continue;
        }
        let metrics: Vec<&'static str> = crate::metrics::catalogue::all()
            .iter()
            .filter(|m| m.inputs.iter().any(|i| i == name) && m.inputs.iter().all(|i| has(i)))
            .map(|m| m.id.as_str())
            .collect();
        if !metrics.is_empty() {
            out.push((name, metrics));
        }
    }
    out
}
