//! What a submission declares about itself beyond its data: whether the use case faces
//! customers, its line of defence, its EU AI Act position, its governance, the datasets it
//! used and its privacy assessment. The same types are read from the config and written to
//! summary.json (`submission.*`, additive to summary-v1); the traceability stage reads them.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A group of frameworks the regulatory mapping can show (`report.frameworks`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum FrameworkGroup {
    #[serde(rename = "hkma")]
    Hkma,
    #[serde(rename = "eu-ai-act")]
    EuAiAct,
}

/// The role a submitter has under the EU AI Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AiActRole {
    Provider,
    Deployer,
    Importer,
    Distributor,
}

/// The risk class of the system under the EU AI Act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    Minimal,
    Limited,
    High,
    GeneralPurpose,
}

impl RiskClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::Minimal => "minimal",
            RiskClass::Limited => "limited",
            RiskClass::High => "high",
            RiskClass::GeneralPurpose => "general_purpose",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EuAiAct {
    pub role: AiActRole,
    pub risk_class: RiskClass,
}

/// Who answers for the system and who checked it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accountable_executive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approving_body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub independent_validation: Option<IndependentValidation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndependentValidation {
    pub by: String,
    pub date: NaiveDate,
}

/// A dataset the system was built or tested with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free text: `2024-01 to 2025-06`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_data: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_masked: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<bool>,
}

/// The privacy position of the trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    pub personal_data_processed: bool,
    /// The privacy impact assessment's reference, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pia_reference: Option<String>,
}

/// Everything declared, as the config gives it (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Declared {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_facing: Option<bool>,
    /// 1, 2 or 3 (the config check refuses other values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_of_defence: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eu_ai_act: Option<EuAiAct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<Governance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<Dataset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<Privacy>,
}
