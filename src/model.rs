//! The report model: everything a submission report says, as data. `summary.json` is this
//! model serialised (summary-v1); every renderer reads it and nothing else.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::schema::Arm;
use crate::schema::{Comparison, Language, StreamKind};

pub const SUMMARY_SCHEMA: &str = "sandbox-report/summary";
pub const SUMMARY_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// The whole model: summary-v1's fields, plus the submission's descriptive parts that the
/// report prints (contacts, system, narrative) and the settings that shaped the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub schema: String,
    pub schema_version: u32,
    pub tool: Tool,
    pub generated_at: String,
    pub submission: SubmissionInfo,
    pub settings: Settings,
    pub streams: Vec<StreamInfo>,
    pub metrics: Vec<Metric>,
    pub series: Vec<Series>,
    /// Binned distributions (latency), for charts; counts only, never rows.
    pub distributions: Vec<Distribution>,
    /// Incidents per (type, severity) pair, per stream and arm.
    #[serde(default)]
    pub incidents: Vec<IncidentCount>,
    pub criteria: Vec<CriterionResult>,
    pub reconciliation: Vec<ReconciliationRow>,
    pub findings: Vec<Finding>,
    pub inputs: Vec<InputFile>,
    /// The regulatory mapping (additive; absent in summaries of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceability: Option<Traceability>,
    /// The submission of the period before and the changes since (`build --previous`;
    /// additive, absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
}

/// What a submission is compared with: the previous period's summary, and every metric
/// present in both with its change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Lineage {
    pub previous: PreviousSubmission,
    pub changes: Vec<MetricChange>,
}

/// The previous period's summary.json: its SHA-256, period and date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PreviousSubmission {
    pub sha256: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub generated_at: String,
}

/// One metric before and after: its values and intervals, the change (current − previous)
/// and, for a proportion, Newcombe's 95% interval of the change and whether it excludes 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricChange {
    pub id: String,
    pub stream: String,
    /// `attribute=value`, or the attribute of a measure across its groups.
    pub segment: Option<String>,
    pub arm: Option<String>,
    pub previous: Option<f64>,
    pub current: Option<f64>,
    pub previous_interval: Option<(f64, f64)>,
    pub current_interval: Option<(f64, f64)>,
    pub change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub significant: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Institution {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UseCaseInfo {
    pub id: String,
    pub title: String,
    pub family: crate::schema::Family,
}

/// The reporting period: its first and last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A contact person of the submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// The narrative Markdown of each report section, as the submission wrote it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Narrative {
    #[serde(default)]
    pub objectives: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub results: Option<String>,
    #[serde(default)]
    pub redteam: Option<String>,
    #[serde(default)]
    pub fairness: Option<String>,
    #[serde(default)]
    pub oversight: Option<String>,
    #[serde(default)]
    pub operations: Option<String>,
    #[serde(default)]
    pub incidents: Option<String>,
    #[serde(default)]
    pub reconciliation: Option<String>,
    #[serde(default)]
    pub lessons: Option<String>,
    #[serde(default)]
    pub limitations: Option<String>,
    #[serde(default)]
    pub next_steps: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SubmissionInfo {
    pub institution: Institution,
    pub programme: String,
    pub cohort: String,
    pub use_case: UseCaseInfo,
    pub period: Period,
    #[serde(default)]
    pub technology_partner: Option<String>,
    #[serde(default)]
    pub plan_reference: Option<String>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub system: serde_json::Value,
    #[serde(default)]
    pub narrative: Narrative,
    /// What the config declares about governance, data and regulatory position (additive).
    #[serde(flatten)]
    pub declared: crate::declared::Declared,
}

impl PartialEq for SubmissionInfo {
    fn eq(&self, other: &Self) -> bool {
        serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }
}

/// The settings of the config that the numbers depend on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Settings {
    pub timezone: String,
    pub currency: Option<String>,
    pub segments: Vec<String>,
    pub fairness_min_group_size: u64,
    pub disparate_impact_floor: f64,
    /// The absolute part of `reconciliation.tolerance`.
    pub reconciliation_tolerance: f64,
    /// Its relative part (a share of the recomputed value), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_relative_tolerance: Option<f64>,
    /// Tolerances set for single metrics (`reconciliation.per_metric`): the absolute part.
    #[serde(default)]
    pub reconciliation_per_metric: std::collections::BTreeMap<String, f64>,
    /// The relative parts of those that have one.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub reconciliation_per_metric_relative: std::collections::BTreeMap<String, f64>,
    pub confidence_level: f64,
    /// The language of the reports (summary.json itself is data, the same in every language).
    #[serde(default)]
    pub language: Language,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StreamInfo {
    pub name: String,
    pub kind: StreamKind,
    /// Events inside the reporting period and free of errors: the metrics' population.
    pub events: u64,
    /// Rows read from the stream's files, before any filtering.
    pub rows_read: u64,
    /// Rows left out because their timestamp is outside the reporting period.
    pub rows_outside_period: u64,
    /// Whether the stream has an `arm` column (A/B or shadow trial).
    pub has_arms: bool,
    /// The segment attributes this stream is broken down by (its own `segments`, else the
    /// config's top-level list).
    #[serde(default)]
    pub segments: Vec<String>,
}

/// A segment: one group `{attribute, value}`, or an attribute across groups `{attribute}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Segment {
    pub attribute: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One value of one metric for one stream (and arm and segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Metric {
    pub id: String,
    pub stream: String,
    #[serde(serialize_with = "whole_numbers")]
    pub value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    #[serde(serialize_with = "whole_numbers")]
    pub numerator: Option<f64>,
    #[serde(serialize_with = "whole_numbers")]
    pub denominator: Option<f64>,
    pub unit: String,
    pub segment: Option<Segment>,
    pub arm: Option<Arm>,
    /// Only `detection.eer` carries it: the score threshold of the crossing point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Series {
    pub metric: String,
    pub stream: String,
    pub arm: Option<Arm>,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesPoint {
    /// ISO week, e.g. `2025-W23`.
    pub period: String,
    /// The Monday the week starts on.
    pub start: String,
    pub value: Option<f64>,
    #[serde(serialize_with = "whole_numbers")]
    pub denominator: Option<f64>,
}

/// Counts of a column's values in equal-width bins; the last bin also holds larger values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Distribution {
    /// The canonical column, e.g. `latency_ms`.
    pub column: String,
    pub stream: String,
    pub arm: Option<Arm>,
    pub bins: Vec<Bin>,
}

/// How many incidents of one type had one severity (null: no severity given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IncidentCount {
    pub stream: String,
    pub arm: Option<Arm>,
    pub incident_type: String,
    pub incident_severity: Option<String>,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    #[serde(serialize_with = "whole")]
    pub count: f64,
}

/// Writes a whole f64 without a fraction (see `whole_numbers`).
pub fn whole<S: serde::Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    whole_numbers(&Some(*value), s)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CriterionResult {
    pub metric: String,
    pub stream: Option<String>,
    pub segment: Option<Segment>,
    pub arm: Option<Arm>,
    pub op: Comparison,
    pub threshold: f64,
    pub value: Option<f64>,
    pub status: CriterionStatus,
    /// Delta criteria only: whether the 95% interval of the difference excludes 0 (absent
    /// for other criteria and when the delta has no interval). A `pass` with `false` is a
    /// pass that may be chance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReconciliationRow {
    pub metric: String,
    pub stream: Option<String>,
    pub segment: Option<Segment>,
    pub reported: f64,
    pub computed: Option<f64>,
    pub difference: Option<f64>,
    /// The absolute tolerance the difference was held to (`reconciliation.per_metric` or
    /// `reconciliation.tolerance`).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// The relative tolerance it was held to as well, as a share of the recomputed value
    /// (absent: none, a tolerance given as one number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_tolerance: Option<f64>,
    pub status: KpiStatus,
}

/// The metric `id` of `stream` for `segment` and `arm`, if it was computed.
pub fn find_metric<'a>(
    metrics: &'a [Metric],
    id: &str,
    stream: &str,
    segment: Option<&Segment>,
    arm: Option<Arm>,
) -> Option<&'a Metric> {
    metrics
        .iter()
        .find(|m| m.id == id && m.stream == stream && m.segment.as_ref() == segment && m.arm == arm)
}

/// The outcome of an acceptance criterion.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CriterionStatus {
    Pass,
    Fail,
    /// The metric could not be computed (no events, no label...).
    NotEvaluable,
}

impl CriterionStatus {
    /// The status as summary.json writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionStatus::Pass => "pass",
            CriterionStatus::Fail => "fail",
            CriterionStatus::NotEvaluable => "not_evaluable",
        }
    }
}

/// The outcome of reconciling a KPI the bank reported with the recomputed metric.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    WithinTolerance,
    OutsideTolerance,
    /// No computed value to compare with (another period, a metric the stream lacks).
    NotRecomputable,
}

pub use crate::codes::{Code, Severity};

/// A data-quality finding: one problem, at its first occurrence, with how often it repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub stream: Option<String>,
    pub file: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub count: u64,
    /// How to fix it, when the tool can tell (e.g. the `values` mapping to add).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding of `code` (its severity from the registry) about the whole submission,
    /// counted once; the builders below place it.
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            severity: code.severity(),
            code,
            message: message.into(),
            stream: None,
            file: None,
            row: None,
            column: None,
            count: 1,
            hint: None,
        }
    }

    pub fn in_stream(mut self, stream: impl Into<String>) -> Finding {
        self.stream = Some(stream.into());
        self
    }

    pub fn in_file(mut self, file: Option<String>) -> Finding {
        self.file = file;
        self
    }

    pub fn at_row(mut self, row: Option<u64>) -> Finding {
        self.row = row;
        self
    }

    pub fn in_column(mut self, column: Option<String>) -> Finding {
        self.column = column;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InputFile {
    pub stream: String,
    pub path: String,
    pub bytes: u64,
    pub rows: Option<u64>,
    pub sha256: String,
}

/// Writes whole numbers (counts, sums of whole amounts) without a fraction: `931`, not `931.0`.
/// Other floats are written at full (shortest round-trip) precision.
pub fn whole_numbers<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below is exact
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < EXACT => s.serialize_i64(*v as i64),
        Some(v) => s.serialize_f64(*v),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_written_without_fraction() {
        let point = SeriesPoint {
            period: "2025-W23".into(),
            start: "2025-06-02".into(),
            value: Some(0.5),
            denominator: Some(80.0),
        };
        let json = serde_json::to_string(&point).unwrap();
        assert_eq!(
            json,
            r#"{"period":"2025-W23","start":"2025-06-02","value":0.5,"denominator":80}"#
        );
    }
}

/// The regulatory mapping of a submission (additive to summary-v1): the frameworks shown and
/// each requirement's status with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Traceability {
    pub frameworks: Vec<FrameworkInfo>,
    pub requirements: Vec<RequirementStatus>,
    /// Attack categories tested and the required ones never tested, when there is red-team
    /// or deepfake data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack_coverage: Option<AttackCoverage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkInfo {
    pub id: String,
    pub title: String,
    pub date: NaiveDate,
    /// `principle`, `obligation` or `recommended`.
    pub level: crate::schema::Level,
}

/// Where a requirement stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TraceStatus {
    /// The trial data shows it.
    Evidenced,
    /// Only the config or the narrative says it.
    Declared,
    /// It applies and nothing in the submission shows it.
    Gap,
    /// It does not apply (see the reason).
    NotApplicable,
}

impl TraceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TraceStatus::Evidenced => "evidenced",
            TraceStatus::Declared => "declared",
            TraceStatus::Gap => "gap",
            TraceStatus::NotApplicable => "not_applicable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementStatus {
    pub id: String,
    pub framework: String,
    pub status: TraceStatus,
    pub evidence: Vec<Evidence>,
    /// Why it does not apply, or what is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One piece of evidence: what it is (`metric`, `criterion`, `attack_category`, `stream`,
/// `manifest`, `field`, `narrative`), its id, and the report section that shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub kind: String,
    pub id: String,
    pub section: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttackCoverage {
    /// Vocabulary ids tested, each with the categories of the data that map to it.
    pub tested: Vec<AttackTested>,
    /// Categories of the data that map to no vocabulary id.
    pub unmapped: Vec<String>,
    /// Vocabulary ids a requirement asks for that were never tested.
    pub required_untested: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttackTested {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    pub attempts: f64,
}
