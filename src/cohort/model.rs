//! The cohort model (cohort-v1): accepted, rejected and superseded bundles, per-metric
//! statistics across banks with each bank's value and percentile rank, the criteria
//! compliance matrix, incidents and data-quality findings. cohort.json is this serialised.

use serde::{Deserialize, Serialize};

use crate::model::{Segment, Tool};

pub const COHORT_SCHEMA: &str = "sandbox-report/cohort";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    pub schema: String,
    pub schema_version: u32,
    pub tool: Tool,
    pub generated_at: String,
    pub min_banks: u64,
    pub revealed: bool,
    pub bundles: Bundles,
    pub metrics: Vec<CohortMetric>,
    pub criteria: Vec<CriterionEntry>,
    pub incidents: Vec<IncidentRow>,
    pub findings: Vec<FindingCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bundles {
    pub accepted: Vec<AcceptedBundle>,
    pub rejected: Vec<RejectedBundle>,
    pub superseded: Vec<SupersededBundle>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedBundle {
    pub bank: String,
    pub use_case: String,
    pub family: String,
    pub path: String,
    pub period: String,
    pub streams: usize,
    #[serde(serialize_with = "crate::model::whole")]
    pub events: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedBundle {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupersededBundle {
    pub bank: String,
    pub use_case: String,
    pub path: String,
    pub superseded_by: String,
}

/// One (family, metric id, segment, arm) group across banks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortMetric {
    pub family: String,
    pub id: String,
    pub segment: Option<Segment>,
    pub arm: Option<String>,
    pub banks: u64,
    pub entries: u64,
    pub suppressed: bool,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Each bank's value; null when the group is suppressed.
    pub values: Option<Vec<BankValue>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankValue {
    pub bank: String,
    pub stream: String,
    pub value: f64,
    pub percentile_rank: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionEntry {
    pub bank: String,
    pub use_case: String,
    pub metric: String,
    pub stream: Option<String>,
    pub segment: Option<Segment>,
    pub arm: Option<String>,
    pub op: String,
    pub threshold: f64,
    pub status: String,
}

/// Incidents across the cohort: all, per type (severity null) or per severity (type null).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRow {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub banks: u64,
    pub suppressed: bool,
    #[serde(serialize_with = "crate::model::whole_numbers")]
    pub total: Option<f64>,
    #[serde(serialize_with = "crate::model::whole_numbers")]
    pub events: Option<f64>,
    pub per_1k: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingCount {
    pub bank: String,
    pub severity: String,
    pub code: String,
    #[serde(serialize_with = "crate::model::whole")]
    pub count: f64,
}
