//! The requirements catalogue (`requirements.yaml`, compiled in): frameworks, their
//! requirements with applicability conditions and evidence rules, and the vocabulary of
//! attack categories with aliases.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::declared::{FrameworkGroup, RiskClass};
pub use crate::schema::Level;
use crate::schema::StreamKind;

const SOURCE: &str = include_str!("requirements.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub attack_categories: Vec<AttackCategory>,
    pub frameworks: Vec<Framework>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackCategory {
    pub id: String,
    pub name: String,
    /// The kind of stream whose column (redteam: `attack_category`, detection: `attack_type`)
    /// it is looked up for first.
    pub stream: StreamKind,
    pub aliases: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub group: FrameworkGroup,
    pub title: String,
    pub title_zh: String,
    pub date: NaiveDate,
    pub source: String,
    pub level: Level,
    #[serde(default)]
    pub applies_when: Conditions,
    pub requirements: Vec<Requirement>,
}

/// Whether a requirement can be shown by the trial data or only declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Logs,
    Narrative,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    pub title_zh: String,
    pub statement: String,
    pub source: String,
    pub mode: Mode,
    #[serde(default)]
    pub applies_when: Conditions,
    pub rules: Vec<Rule>,
}

/// Conditions on the submission, all of which must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default)]
    pub customer_facing: Option<bool>,
    #[serde(default)]
    pub eu_ai_act: Option<bool>,
    #[serde(default)]
    pub risk_class: Option<Vec<RiskClass>>,
    #[serde(default)]
    pub stream: Option<Vec<StreamKind>>,
    #[serde(default)]
    pub family: Option<Vec<crate::schema::Family>>,
}

/// One way to evidence a requirement.
#[derive(Debug, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Rule {
    Metric {
        metric: String,
        #[serde(default = "default_min_denominator")]
        min_denominator: f64,
    },
    Criterion {
        criterion: String,
    },
    Redteam {
        redteam: Vec<String>,
    },
    Stream {
        stream: String,
    },
    Manifest {
        manifest: bool,
    },
    Field {
        field: String,
    },
    Narrative {
        narrative: String,
    },
}

fn default_min_denominator() -> f64 {
    30.0
}

/// A title in the report's language (both, English first, in a bilingual report).
pub fn title_in(en: &str, zh: &str, language: crate::schema::Language) -> String {
    use crate::schema::Language;
    match language {
        Language::En => en.to_string(),
        Language::ZhHk => zh.to_string(),
        Language::Bilingual => format!("{en} {zh}"),
    }
}

/// The catalogue.
pub fn get() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        serde_saphyr::from_str(SOURCE)
            .expect("the built-in requirements catalogue is valid (a unit test reads it)")
    })
}

/// Every requirement id, in catalogue order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    get()
        .frameworks
        .iter()
        .flat_map(|f| f.requirements.iter().map(|r| r.id.as_str()))
}

/// The requirement with this id (case-insensitive), with its framework.
pub fn find(id: &str) -> Option<(&'static Framework, &'static Requirement)> {
    get().frameworks.iter().find_map(|f| {
        f.requirements
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
            .map(|r| (f, r))
    })
}

/// The vocabulary entry a category of the data (`prompt_injection`, `Jailbreak`) of a stream
/// of kind `stream` maps to: the entries of that kind first, then the others.
pub fn attack_category(raw: &str, stream: StreamKind) -> Option<&'static AttackCategory> {
    let key = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    let matches = |c: &&AttackCategory| c.id.eq_ignore_ascii_case(&key) || c.aliases.contains(&key);
    let all = &get().attack_categories;
    all.iter()
        .filter(|c| c.stream == stream)
        .find(matches)
        .or_else(|| all.iter().find(matches))
}

/// The vocabulary entries looked up first for streams of kind `stream`.
pub fn attack_categories_of(stream: StreamKind) -> impl Iterator<Item = &'static AttackCategory> {
    get()
        .attack_categories
        .iter()
        .filter(move |c| c.stream == stream)
}
