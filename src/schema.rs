//! The canonical log schema of input-v1: which columns each stream kind has, their types,
//! whether they are required, and the values they may take. Ingestion, validation, the
//! metrics and the docs all read this one table.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The use-case family, as the sandbox groups them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    RiskManagement,
    AntiFraud,
    CustomerExperience,
    DeepfakeDefence,
    Other,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::RiskManagement => "risk_management",
            Family::AntiFraud => "anti_fraud",
            Family::CustomerExperience => "customer_experience",
            Family::DeepfakeDefence => "deepfake_defence",
            Family::Other => "other",
        }
    }
}

/// How binding a framework is: a recommended practice is never a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Principle,
    Obligation,
    Recommended,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Principle => "principle",
            Level::Obligation => "obligation",
            Level::Recommended => "recommended",
        }
    }
}

/// What a stream holds; decides its columns and its metrics.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    Detection,
    Assistant,
    Redteam,
    Kpis,
}

impl StreamKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Detection => "detection",
            StreamKind::Assistant => "assistant",
            StreamKind::Redteam => "redteam",
            StreamKind::Kpis => "kpis",
        }
    }

    /// True for kinds made of one row per event (every kind but `kpis`).
    pub fn is_event_log(self) -> bool {
        self != StreamKind::Kpis
    }
}

/// The type a canonical column is parsed into, with its allowed range or set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnType {
    /// Free text; empty means null.
    Text,
    /// `true/false`, `1/0`, `yes/no`, `y/n` in any case.
    Bool,
    /// A finite number within the optional inclusive bounds.
    Float { min: Option<f64>, max: Option<f64> },
    /// A whole number within the optional inclusive bounds.
    Int { min: Option<i64>, max: Option<i64> },
    /// RFC 3339, or `YYYY-MM-DD HH:MM:SS` read in the config's timezone.
    Timestamp,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// One of a fixed set of lower-case words (matched case-insensitively).
    Enum(&'static [&'static str]),
}

/// When a column must be present and filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The column must exist and every row must have a value.
    Required,
    /// Required on rows that are not benign controls (redteam `attack_success`).
    RequiredUnlessBenign,
    /// Required on rows where `incident_type` is set (`incident_severity`).
    RequiredWithIncident,
    /// The column must exist; an empty cell is allowed (segment columns: no group).
    ColumnOnly,
    /// May be absent or empty.
    Optional,
}

/// One canonical column of the input contract.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    pub name: Cow<'static, str>,
    pub ty: ColumnType,
    pub presence: Presence,
    pub meaning: &'static str,
}

const fn col(
    name: &'static str,
    ty: ColumnType,
    presence: Presence,
    meaning: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name: Cow::Borrowed(name),
        ty,
        presence,
        meaning,
    }
}

const NON_NEGATIVE: ColumnType = ColumnType::Float {
    min: Some(0.0),
    max: None,
};

/// The values of the `arm` column (input-v1): `Arm::OBSERVED` spelt out.
pub const ARMS: &[&str] = &["ai", "baseline"];

/// The arm of an A/B or shadow trial a value belongs to: the AI system, the baseline it is
/// compared with, or the difference between the two (AI − baseline). The JSON names are
/// summary-v1's (`"ai"`, `"baseline"`, `"delta"`); the order (none first, then ai, baseline,
/// delta) is the order of every table and list of metrics.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    Ai,
    Baseline,
    Delta,
}

impl Arm {
    /// The arms a row of a stream can belong to (its `arm` column), in input-v1's spelling.
    pub const OBSERVED: [Arm; 2] = [Arm::Ai, Arm::Baseline];

    /// The arm named `name` in summary-v1's spelling.
    pub fn from_name(name: &str) -> Option<Arm> {
        [Arm::Ai, Arm::Baseline, Arm::Delta]
            .into_iter()
            .find(|a| a.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Ai => "ai",
            Arm::Baseline => "baseline",
            Arm::Delta => "delta",
        }
    }
}

impl std::fmt::Display for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const SEVERITIES: &[&str] = &["low", "medium", "high", "critical"];
pub const OUTCOMES: &[&str] = &["resolved", "escalated", "abandoned"];

/// The kinds of hallucination of the HKMA's 2024 GenAI circular.
pub const HALLUCINATION_KINDS: &[&str] = &["incorrect", "incomplete", "omission", "irrelevant"];

/// Who judged an interaction's answer.
pub const EVALUATORS: &[&str] = &["human", "llm_judge", "rule"];
/// The `attack_type` value that marks a genuine (bona fide) presentation.
pub const BONA_FIDE: &str = "bona_fide";

const COMMON: &[ColumnSpec] = &[
    col(
        "event_id",
        ColumnType::Text,
        Presence::Required,
        "unique within the stream",
    ),
    col(
        "timestamp",
        ColumnType::Timestamp,
        Presence::Required,
        "when the decision or interaction happened",
    ),
    col(
        "model_version",
        ColumnType::Text,
        Presence::Optional,
        "which model produced it",
    ),
    col(
        "arm",
        ColumnType::Enum(ARMS),
        Presence::Optional,
        "A/B or shadow trial: the AI system or the incumbent process",
    ),
    col(
        "human_reviewed",
        ColumnType::Bool,
        Presence::Optional,
        "a person reviewed this output",
    ),
    col(
        "human_override",
        ColumnType::Bool,
        Presence::Optional,
        "the reviewer changed the AI's outcome",
    ),
    col(
        "review_seconds",
        NON_NEGATIVE,
        Presence::Optional,
        "time the review took",
    ),
    col(
        "incident_type",
        ColumnType::Text,
        Presence::Optional,
        "empty = no incident",
    ),
    col(
        "incident_severity",
        ColumnType::Enum(SEVERITIES),
        Presence::RequiredWithIncident,
        "severity of the incident",
    ),
];

const DETECTION: &[ColumnSpec] = &[
    col(
        "decision",
        ColumnType::Bool,
        Presence::Required,
        "the system flagged the event as positive",
    ),
    col(
        "label",
        ColumnType::Bool,
        Presence::Optional,
        "ground truth, once known",
    ),
    col(
        "score",
        ColumnType::Float {
            min: Some(0.0),
            max: Some(1.0),
        },
        Presence::Optional,
        "the system's score, higher = more likely positive",
    ),
    col(
        "attack_type",
        ColumnType::Text,
        Presence::Optional,
        "presentation-attack species; bona_fide for genuine attempts",
    ),
    col(
        "amount",
        NON_NEGATIVE,
        Presence::Optional,
        "transaction value",
    ),
];

const ASSISTANT: &[ColumnSpec] = &[
    col(
        "outcome",
        ColumnType::Enum(OUTCOMES),
        Presence::Required,
        "how the interaction ended",
    ),
    col(
        "latency_ms",
        NON_NEGATIVE,
        Presence::Optional,
        "response time in milliseconds",
    ),
    col(
        "input_tokens",
        ColumnType::Int {
            min: Some(0),
            max: None,
        },
        Presence::Optional,
        "prompt tokens",
    ),
    col(
        "output_tokens",
        ColumnType::Int {
            min: Some(0),
            max: None,
        },
        Presence::Optional,
        "completion tokens",
    ),
    col(
        "cost",
        NON_NEGATIVE,
        Presence::Optional,
        "cost in the config's currency",
    ),
    col(
        "hallucination",
        ColumnType::Bool,
        Presence::Optional,
        "an evaluator found an unsupported claim",
    ),
    col(
        "csat",
        ColumnType::Int {
            min: Some(1),
            max: Some(5),
        },
        Presence::Optional,
        "customer satisfaction answer",
    ),
    col(
        "hallucination_kind",
        ColumnType::Enum(HALLUCINATION_KINDS),
        Presence::Optional,
        "what kind of hallucination was found: incorrect, incomplete, omission, irrelevant",
    ),
    col(
        "evaluator",
        ColumnType::Enum(EVALUATORS),
        Presence::Optional,
        "who judged the answer: human, llm_judge or rule",
    ),
    col(
        "ai_disclosed",
        ColumnType::Bool,
        Presence::Optional,
        "the customer was told they deal with AI",
    ),
    col(
        "opt_out_offered",
        ColumnType::Bool,
        Presence::Optional,
        "the customer was offered to opt out of the AI",
    ),
    col(
        "human_requested",
        ColumnType::Bool,
        Presence::Optional,
        "the customer asked for a person",
    ),
    col(
        "human_provided",
        ColumnType::Bool,
        Presence::Optional,
        "a person took over",
    ),
];

const REDTEAM: &[ColumnSpec] = &[
    col(
        "attack_category",
        ColumnType::Text,
        Presence::Required,
        "e.g. prompt_injection, jailbreak, voice_clone",
    ),
    col(
        "benign",
        ColumnType::Bool,
        Presence::Optional,
        "a harmless control prompt (default false)",
    ),
    col(
        "attack_success",
        ColumnType::Bool,
        Presence::RequiredUnlessBenign,
        "the attack got through",
    ),
    col(
        "refused",
        ColumnType::Bool,
        Presence::Optional,
        "the system refused",
    ),
];

const KPIS: &[ColumnSpec] = &[
    col(
        "metric",
        ColumnType::Text,
        Presence::Required,
        "a metric id of summary-v1",
    ),
    col(
        "value",
        ColumnType::Float {
            min: None,
            max: None,
        },
        Presence::Required,
        "the value the bank computed",
    ),
    col(
        "stream",
        ColumnType::Text,
        Presence::Optional,
        "the log stream the KPI describes",
    ),
    col(
        "period_start",
        ColumnType::Date,
        Presence::Optional,
        "first day the KPI covers",
    ),
    col(
        "period_end",
        ColumnType::Date,
        Presence::Optional,
        "last day the KPI covers",
    ),
    col(
        "unit",
        ColumnType::Text,
        Presence::Optional,
        "unit as reported",
    ),
    col(
        "segment_attribute",
        ColumnType::Text,
        Presence::Optional,
        "segment attribute, with segment_value",
    ),
    col(
        "segment_value",
        ColumnType::Text,
        Presence::Optional,
        "segment value, with segment_attribute",
    ),
];

/// The canonical columns of a stream kind, common columns first.
pub fn columns(kind: StreamKind) -> Vec<ColumnSpec> {
    let own = match kind {
        StreamKind::Detection => DETECTION,
        StreamKind::Assistant => ASSISTANT,
        StreamKind::Redteam => REDTEAM,
        StreamKind::Kpis => return KPIS.to_vec(),
    };
    COMMON.iter().chain(own).cloned().collect()
}

/// The spec of a segment column named in the config's `segments`.
pub fn segment_column(name: &str) -> ColumnSpec {
    ColumnSpec {
        name: Cow::Owned(name.to_string()),
        ty: ColumnType::Text,
        presence: Presence::ColumnOnly,
        meaning: "customer or channel segment",
    }
}

/// Whether the config's `segments` apply to streams of this kind.
pub fn takes_segments(kind: StreamKind) -> bool {
    matches!(kind, StreamKind::Detection | StreamKind::Assistant)
}

/// Text describing what a value of this type looks like, for error messages.
pub fn expectation(ty: ColumnType) -> String {
    match ty {
        ColumnType::Text => "text".into(),
        ColumnType::Bool => "a boolean (true/false, 1/0, yes/no, y/n)".into(),
        ColumnType::Float { min, max } => match (min, max) {
            (Some(lo), Some(hi)) => format!("a number in [{lo}, {hi}]"),
            (Some(lo), None) => format!("a finite number ≥ {lo}"),
            (None, Some(hi)) => format!("a number ≤ {hi}"),
            (None, None) => "a finite number".into(),
        },
        ColumnType::Int { min, max } => match (min, max) {
            (Some(lo), Some(hi)) => format!("a whole number in {lo}..{hi}"),
            (Some(lo), None) => format!("a whole number ≥ {lo}"),
            (None, Some(hi)) => format!("a whole number ≤ {hi}"),
            (None, None) => "a whole number".into(),
        },
        ColumnType::Timestamp => {
            "a timestamp (RFC 3339, or YYYY-MM-DD HH:MM:SS in the config's timezone)".into()
        }
        ColumnType::Date => "a date YYYY-MM-DD".into(),
        ColumnType::Enum(set) => format!("one of {}", set.join(", ")),
    }
}

/// The comparison of an acceptance criterion, as the config and summary.json write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Comparison {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

impl Comparison {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Lt => value < threshold,
            Comparison::Le => value <= threshold,
            Comparison::Gt => value > threshold,
            Comparison::Ge => value >= threshold,
            Comparison::Eq => value == threshold,
        }
    }

    /// The operator as written: `<`, `<=`, `>`, `>=`, `==`.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Eq => "==",
        }
    }
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language of the reports: English, Traditional Chinese (Hong Kong), or both together.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
)]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-HK")]
    ZhHk,
    #[serde(rename = "bilingual")]
    Bilingual,
}

impl Language {
    /// The id as the config and summary.json write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhHk => "zh-HK",
            Language::Bilingual => "bilingual",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_unique_column_names() {
        for kind in [
            StreamKind::Detection,
            StreamKind::Assistant,
            StreamKind::Redteam,
            StreamKind::Kpis,
        ] {
            let mut names: Vec<_> = columns(kind).into_iter().map(|c| c.name).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(n, names.len(), "{kind:?}");
        }
    }

    #[test]
    fn expectation_names_the_range() {
        let score = columns(StreamKind::Detection)
            .into_iter()
            .find(|c| c.name == "score")
            .unwrap();
        assert_eq!(expectation(score.ty), "a number in [0, 1]");
    }
}
