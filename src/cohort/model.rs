//! The cohort model (cohort-v1): accepted, rejected and superseded bundles, per-metric
//! statistics across banks with each bank's value and percentile rank, the criteria
//! compliance matrix, incidents and data-quality findings. cohort.json is this serialised.

use crate::model::Arm;
use serde::{Deserialize, Serialize};

use crate::model::{CriterionStatus, Segment, Tool};
use crate::schema::{Comparison, Language};

pub const COHORT_SCHEMA: &str = "sandbox-report/cohort";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    pub schema: String,
    pub schema_version: u32,
    /// Always `restricted` (an addition to cohort-v1): the regulator's working file, with
    /// pseudonymised per-bank values and exact statistics; what may leave the regulator is
    /// `shareable/` (see `disclosure`).
    #[serde(default = "restricted")]
    pub audience: String,
    pub tool: Tool,
    pub generated_at: String,
    pub min_banks: u64,
    pub revealed: bool,
    /// Whether each manifest's signature was verified against a trusted key of its
    /// institution (`--trusted-keys`); without it, bundles were checked for integrity only.
    #[serde(default)]
    pub authenticity_checked: bool,
    /// Programmes, cohorts and reporting periods of the accepted bundles.
    #[serde(default)]
    pub scope: Scope,
    /// What limits the comparison: currencies, period lengths, values left out.
    #[serde(default)]
    pub caveats: Vec<Caveat>,
    pub bundles: Bundles,
    pub metrics: Vec<CohortMetric>,
    pub criteria: Vec<CriterionEntry>,
    pub incidents: Vec<IncidentRow>,
    pub findings: Vec<FindingCount>,
    /// The language of the cohort report and letters (`en`, `zh-HK`, `bilingual`).
    #[serde(default)]
    pub language: Language,
    /// Regulatory coverage across the banks (an addition to cohort-v1; absent when no
    /// bundle carries a regulatory mapping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
}

/// Per requirement, how many banks evidence, declare or lack it (suppressed below the
/// minimum number of banks to which it applies), and each bank's status (pseudonymised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub requirements: Vec<RequirementCoverage>,
    /// One row per bank and use case: its status per requirement id.
    pub banks: Vec<BankCoverage>,
    /// Accepted bundles without a regulatory mapping (written by older versions): not
    /// counted above.
    #[serde(default)]
    pub bundles_without_mapping: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementCoverage {
    pub id: String,
    pub framework: String,
    /// Banks to which it applies.
    pub banks: u64,
    pub suppressed: bool,
    /// Counts of banks by status (null when suppressed).
    pub evidenced: Option<u64>,
    pub declared: Option<u64>,
    pub gap: Option<u64>,
    /// Banks to which it does not apply.
    pub not_applicable: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankCoverage {
    pub bank: String,
    pub use_case: String,
    pub statuses: std::collections::BTreeMap<String, crate::model::TraceStatus>,
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
    /// The bundle's currency (summary settings), when it states one.
    #[serde(default)]
    pub currency: Option<String>,
    /// `verified` (against a trusted key), `unchecked` (signed, no trusted keys given) or
    /// `absent` (not signed).
    #[serde(default)]
    pub signature: String,
}

/// Programmes, cohorts and reporting periods the accepted bundles cover.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    pub programmes: Vec<String>,
    pub cohorts: Vec<String>,
    pub periods: Vec<PeriodCover>,
}

/// One reporting period with its length and the number of bundles that report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodCover {
    pub start: String,
    pub end: String,
    /// Days from start to end, both included (null when a date cannot be read).
    pub days: Option<i64>,
    pub bundles: usize,
}

/// A limit of the comparison, said in the report: `code`, the bank it concerns (if one), and
/// a sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caveat {
    pub code: CaveatCode,
    pub bank: Option<String>,
    /// The sentence in English (the record's language); the report says it in its own.
    pub message: String,
    /// The values the sentence names, to say it in another language.
    #[serde(skip)]
    pub args: Vec<(&'static str, String)>,
}

impl Caveat {
    /// The caveat `code` about `bank` (if one) naming `args`.
    pub fn new(
        code: CaveatCode,
        bank: Option<String>,
        args: Vec<(&'static str, String)>,
    ) -> Caveat {
        let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Caveat {
            code,
            bank,
            message: crate::messages::text_with(crate::schema::Language::En, code.key(), &pairs),
            args,
        }
    }
}

/// The limits of a cross-bank comparison the cohort summary can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaveatCode {
    // In the order of their ids: the report lists them sorted.
    CohortsDiffer,
    CurrenciesDiffer,
    CurrencyUnstated,
    PeriodLengthsDiffer,
    ProgrammesDiffer,
}

impl CaveatCode {
    /// The catalogue key of its sentence.
    pub fn key(self) -> &'static str {
        match self {
            CaveatCode::PeriodLengthsDiffer => "caveat.period_lengths_differ",
            CaveatCode::CurrenciesDiffer => "caveat.currencies_differ",
            CaveatCode::CurrencyUnstated => "caveat.currency_unstated",
            CaveatCode::ProgrammesDiffer => "caveat.programmes_differ",
            CaveatCode::CohortsDiffer => "caveat.cohorts_differ",
        }
    }

    /// The catalogue key of the short title the report lists it under.
    pub fn title_key(self) -> &'static str {
        match self {
            CaveatCode::PeriodLengthsDiffer => "caveat.period_lengths_differ_title",
            CaveatCode::CurrenciesDiffer => "caveat.currencies_differ_title",
            CaveatCode::CurrencyUnstated => "caveat.currency_unstated_title",
            CaveatCode::ProgrammesDiffer => "caveat.programmes_differ_title",
            CaveatCode::CohortsDiffer => "caveat.cohorts_differ_title",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedBundle {
    pub path: String,
    pub reason: String,
    /// More for the operator (standard error only): may name the institution.
    #[serde(skip)]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupersededBundle {
    pub bank: String,
    pub use_case: String,
    pub path: String,
    pub superseded_by: String,
}

/// One (family, metric id, segment, arm, currency) group across banks. `arm` null is the AI
/// system: streams without arms and the `ai` arm of A/B streams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortMetric {
    pub family: String,
    pub id: String,
    pub segment: Option<Segment>,
    pub arm: Option<Arm>,
    /// The currency of a money metric (values in different currencies are never pooled).
    #[serde(default)]
    pub currency: Option<String>,
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
    /// Every value, also of a suppressed group: each letter shows the bank its own values.
    /// Never written to cohort.json.
    #[serde(skip)]
    pub own: Vec<BankValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankValue {
    pub bank: String,
    pub stream: String,
    /// The stream's arm: `ai` for an A/B stream's AI arm pooled with streams without arms.
    #[serde(default)]
    pub arm: Option<Arm>,
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
    pub arm: Option<Arm>,
    pub op: Comparison,
    pub threshold: f64,
    pub status: CriterionStatus,
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

fn restricted() -> String {
    RESTRICTED.into()
}

/// The audience of cohort.json and the cohort report at the top of a cohort folder.
pub const RESTRICTED: &str = "restricted";
