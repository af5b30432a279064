//! Serde types mirroring the YAML submission config of input-v1. Unknown keys are refused;
//! fields whose position matters for later checks are wrapped in `Spanned`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

pub use crate::schema::Family;
use crate::schema::StreamKind;

/// The whole submission config, as written by the bank.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[schemars(with = "u32")]
    pub schema_version: Spanned<u32>,
    #[serde(default = "default_timezone")]
    #[schemars(with = "String")]
    pub timezone: Spanned<String>,
    #[serde(default)]
    pub currency: Option<String>,
    pub submission: Submission,
    pub streams: Vec<StreamConfig>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub segments: Vec<Spanned<String>>,
    #[serde(default)]
    pub fairness: Fairness,
    #[serde(default)]
    #[schemars(with = "Vec<Criterion>")]
    pub criteria: Vec<Spanned<Criterion>>,
    #[serde(default)]
    pub reconciliation: Reconciliation,
    #[serde(default)]
    pub report: ReportConfig,
    #[serde(default)]
    pub limits: Limits,
}

/// How much an input may hold before it is refused as a bomb rather than read: the text a
/// compressed file inflates to, one line, one text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The most text one compressed file may inflate to, in MiB.
    #[serde(default = "default_inflated_mib")]
    pub inflated_mib: u64,
    /// The most times its compressed size a compressed file may inflate to (checked past
    /// 64 MiB of text, so that small repetitive files are read).
    #[serde(default = "default_inflation_ratio")]
    pub inflation_ratio: u64,
    /// The longest line (a CSV row, a JSON Lines record), in KiB.
    #[serde(default = "default_line_kib")]
    pub line_kib: u64,
    /// The longest text value (a category, a segment, a model version), in characters.
    #[serde(default = "default_value_chars")]
    pub value_chars: u64,
}

fn default_inflated_mib() -> u64 {
    16 * 1024
}

fn default_inflation_ratio() -> u64 {
    200
}

fn default_line_kib() -> u64 {
    1024
}

fn default_value_chars() -> u64 {
    200
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            inflated_mib: default_inflated_mib(),
            inflation_ratio: default_inflation_ratio(),
            line_kib: default_line_kib(),
            value_chars: default_value_chars(),
        }
    }
}

impl Config {
    /// Whether the config names its timezone (else UTC is assumed).
    pub fn timezone_given(&self) -> bool {
        self.timezone.referenced != serde_saphyr::Location::UNKNOWN
    }

    /// The segment columns of `stream`: its own `segments`, else the top-level list.
    pub fn segments_for<'a>(&'a self, stream: &'a StreamConfig) -> &'a [Spanned<String>] {
        stream.segments.as_deref().unwrap_or(&self.segments)
    }

    /// Every segment attribute any stream uses.
    pub fn all_segments(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.segments.iter().map(|s| s.value.as_str()).collect();
        for stream in &self.streams {
            for s in stream.segments.iter().flatten() {
                if !all.contains(&s.value.as_str()) {
                    all.push(&s.value);
                }
            }
        }
        all
    }
}

fn default_timezone() -> Spanned<String> {
    Spanned::new(
        "UTC".to_string(),
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}

/// Who submits what, for which period.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub institution: Institution,
    #[serde(default)]
    pub technology_partner: Option<String>,
    pub programme: Text,
    pub cohort: Text,
    pub use_case: UseCase,
    #[schemars(with = "Period")]
    pub period: Spanned<Period>,
    #[serde(default)]
    pub plan_reference: Option<Text>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub system: serde_json::Value,
    #[serde(default)]
    pub narrative: Narrative,
    // What the submission declares about itself (docs/traceability.md). Listed one by one
    // rather than flattened, so that a mistyped key is still refused at its own line.
    #[serde(default)]
    pub customer_facing: Option<bool>,
    #[serde(default)]
    #[schemars(with = "Option<u8>")]
    pub line_of_defence: Option<Spanned<u8>>,
    #[serde(default)]
    pub eu_ai_act: Option<crate::declared::EuAiAct>,
    #[serde(default)]
    pub governance: Option<crate::declared::Governance>,
    #[serde(default)]
    pub datasets: Vec<crate::declared::Dataset>,
    #[serde(default)]
    pub privacy: Option<crate::declared::Privacy>,
}

impl Submission {
    /// The declared part, as summary.json records it.
    pub fn declared(&self) -> crate::declared::Declared {
        crate::declared::Declared {
            customer_facing: self.customer_facing,
            line_of_defence: self.line_of_defence.as_ref().map(|l| l.value),
            eu_ai_act: self.eu_ai_act.clone(),
            governance: self.governance.clone(),
            datasets: self.datasets.clone(),
            privacy: self.privacy.clone(),
        }
    }
}

/// A string that YAML may have written as a number (`cohort: 2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(TextVisitor)
    }
}

impl JsonSchema for Text {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Text, or a number",
            "type": ["string", "number", "boolean"]
        })
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    pub id: Text,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UseCase {
    pub id: Text,
    pub title: String,
    pub family: Family,
}

/// Whole days, both inclusive, in the config's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(deserialize_with = "super::dates::date")]
    pub start: NaiveDate,
    #[serde(deserialize_with = "super::dates::date")]
    pub end: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Narrative text per report section: Markdown inline or `{ file: path.md }`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    #[serde(default)]
    pub objectives: Option<NarrativeText>,
    #[serde(default)]
    pub system: Option<NarrativeText>,
    #[serde(default)]
    pub data: Option<NarrativeText>,
    #[serde(default)]
    pub results: Option<NarrativeText>,
    #[serde(default)]
    pub redteam: Option<NarrativeText>,
    #[serde(default)]
    pub fairness: Option<NarrativeText>,
    #[serde(default)]
    pub oversight: Option<NarrativeText>,
    #[serde(default)]
    pub operations: Option<NarrativeText>,
    #[serde(default)]
    pub incidents: Option<NarrativeText>,
    #[serde(default)]
    pub reconciliation: Option<NarrativeText>,
    #[serde(default)]
    pub lessons: Option<NarrativeText>,
    #[serde(default)]
    pub limitations: Option<NarrativeText>,
    #[serde(default)]
    pub next_steps: Option<NarrativeText>,
}

/// Narrative Markdown, inline or from a file next to the config, or one of those per
/// language (`{ en: ..., zh-HK: ... }`). After loading, every `File` has been read and
/// replaced by `Inline`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum NarrativeText {
    Inline(String),
    File { file: String },
    Languages(NarrativeLanguages),
}

/// A narrative text per report language; a report prints the one of its language (both in
/// a bilingual report) and falls back to the other with a warning.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NarrativeLanguages {
    #[serde(default)]
    pub en: Option<Box<NarrativeText>>,
    #[serde(default, rename = "zh-HK")]
    pub zh_hk: Option<Box<NarrativeText>>,
}

/// One log stream of the submission.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    pub kind: StreamKind,
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    #[serde(default)]
    pub include: Option<Vec<String>>,
    #[serde(default)]
    pub format: FileFormat,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub columns: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, BTreeMap<Text, Scalar>>")]
    pub values: BTreeMap<String, Spanned<BTreeMap<Text, Scalar>>>,
    /// This stream's segment columns, instead of the top-level `segments`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub segments: Option<Vec<Spanned<String>>>,
    /// How garak reports are read (`format: garak`, or garak reports found by `auto`).
    #[serde(default)]
    pub garak: Option<GarakOptions>,
    /// How promptfoo outputs are read (`format: promptfoo`, or found by `auto`).
    #[serde(default)]
    pub promptfoo: Option<PromptfooOptions>,
    /// Where an Inspect AI log's samples hold their category, success and benign mark.
    #[serde(default)]
    pub inspect: Option<InspectOptions>,
    /// What a `score` of 1 is written as (`100` for scores exported in percent): scores are
    /// divided by it.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub score_scale: Option<Spanned<f64>>,
    /// How the stream's CSV files are written, when not with `,` `.` and `"`.
    #[serde(default)]
    pub csv: Option<CsvDialect>,
    /// The sheet of the stream's Excel workbooks to read (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    /// The strftime formats of the stream's text timestamps, tried in order before the
    /// built-in forms (`%d/%m/%Y %H:%M`).
    #[serde(default)]
    #[schemars(with = "Option<TimestampFormats>")]
    pub timestamp_format: Option<Spanned<TimestampFormats>>,
}

/// `csv:` of a stream: the characters its CSV files separate fields, mark decimals and quote
/// text with.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvDialect {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub delimiter: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub decimal: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub quote: Option<Spanned<String>>,
}

impl CsvDialect {
    /// The dialect as the reader uses it (the config checks have made every character one byte).
    pub fn options(&self) -> crate::ingest::format::CsvOptions {
        let byte = |c: &Option<Spanned<String>>, default: u8| {
            c.as_ref()
                .and_then(|c| c.value.as_bytes().first().copied())
                .unwrap_or(default)
        };
        crate::ingest::format::CsvOptions {
            delimiter: byte(&self.delimiter, b','),
            quote: byte(&self.quote, b'"'),
            decimal_comma: byte(&self.decimal, b'.') == b',',
        }
    }
}

/// `timestamp_format:` one strftime format or a list of them.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TimestampFormats {
    One(String),
    Many(Vec<String>),
}

impl TimestampFormats {
    pub fn list(&self) -> Vec<&String> {
        match self {
            TimestampFormats::One(f) => vec![f],
            TimestampFormats::Many(list) => list.iter().collect(),
        }
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

/// A canonical value in a `values` mapping: a boolean, a number or a word.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    /// The text the parser of the target column reads.
    pub fn as_text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Str(s) => s.clone(),
        }
    }
}

/// How a stream's files are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// By extension: `.csv`, `.jsonl`/`.ndjson` (each optionally `.gz`), `.parquet`.
    #[default]
    Auto,
    Csv,
    Jsonl,
    Parquet,
    /// garak's `*.report.jsonl` (redteam streams).
    Garak,
    /// promptfoo's `results.json` (results version 3) or `.jsonl` output (redteam streams).
    Promptfoo,
    /// Inspect AI's `.eval` or `.json` log (redteam streams; needs `inspect:`).
    Inspect,
    /// An Excel workbook (`.xlsx`): the first sheet, or the stream's `sheet`.
    Xlsx,
}

/// `inspect:` of a stream: where a sample's category, success and benign mark are (what a
/// score means depends on the task).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectOptions {
    /// Dotted path in the sample, e.g. `metadata.attack_category`.
    pub category: String,
    /// The scorer and its value that mark an attack that got through.
    pub success: InspectSuccess,
    /// Dotted path of a boolean marking benign controls, e.g. `metadata.benign`.
    #[serde(default)]
    pub benign: Option<String>,
    /// On benign controls, the scorer value that means the system refused (over-refusal).
    #[serde(default)]
    pub refused: Option<InspectSuccess>,
}

/// A scorer and the value of it that marks a sample.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectSuccess {
    pub scorer: String,
    pub value: String,
}

/// `promptfoo:` of a stream.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptfooOptions {
    /// The eval's time for `.jsonl` outputs, which do not record it (RFC 3339).
    #[serde(default)]
    pub run_started: Option<String>,
}

/// `garak:` of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GarakOptions {
    /// An attempt succeeded when any detector scored at least this on any generation
    /// (garak's default 0.5; the report does not record the threshold the run used).
    #[serde(default = "default_garak_threshold")]
    pub threshold: f64,
    /// What an attempt's `attack_category` is: the probe family or the whole probe class.
    #[serde(default)]
    pub category: GarakCategory,
}

impl Default for GarakOptions {
    fn default() -> Self {
        GarakOptions {
            threshold: default_garak_threshold(),
            category: GarakCategory::Family,
        }
    }
}

fn default_garak_threshold() -> f64 {
    0.5
}

/// A garak attempt's `attack_category`: the probe family (`dan` of `dan.Dan_11_0`) or the
/// whole probe class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GarakCategory {
    #[default]
    Family,
    Probe,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fairness {
    #[serde(default = "default_min_group_size")]
    pub min_group_size: u64,
    #[serde(default = "default_disparate_impact_floor")]
    pub disparate_impact_floor: f64,
}

fn default_min_group_size() -> u64 {
    30
}

fn default_disparate_impact_floor() -> f64 {
    0.8
}

impl Default for Fairness {
    fn default() -> Self {
        Fairness {
            min_group_size: default_min_group_size(),
            disparate_impact_floor: default_disparate_impact_floor(),
        }
    }
}

/// An acceptance criterion fixed in advance.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub metric: String,
    #[serde(default)]
    pub stream: Option<String>,
    #[serde(default)]
    pub segment: Option<SegmentSelector>,
    #[serde(default)]
    pub arm: Option<Arm>,
    pub op: Comparison,
    pub value: f64,
}

/// The segment a criterion reads: one group `{attack_type: face_swap}`, or a whole
/// attribute `age_band` for fairness measures across its groups.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SegmentSelector {
    Attribute(String),
    Group(BTreeMap<String, Text>),
}

pub use crate::schema::Arm;

pub use crate::schema::Comparison;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reconciliation {
    #[serde(default)]
    pub tolerance: ToleranceSpec,
    /// Tolerances for single metrics, overriding `tolerance` (e.g. a CSAT mean on 1..5).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, ToleranceSpec>")]
    pub per_metric: BTreeMap<String, Spanned<ToleranceSpec>>,
}

impl Reconciliation {
    /// The tolerance that applies to `metric`.
    pub fn tolerance_for(&self, metric: &str) -> Tolerance {
        self.per_metric
            .get(metric)
            .map_or(self.tolerance, |t| t.value)
            .resolve()
    }
}

/// A reconciliation tolerance as written: a number is the largest absolute difference
/// (input-v1); `{ absolute: …, relative: … }` holds the difference to both, an omitted key
/// keeping its default.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ToleranceSpec {
    Absolute(f64),
    Limits(ToleranceLimits),
}

/// Both limits of a tolerance: the difference may be at most `absolute` (in the metric's
/// unit) and at most `relative` times the recomputed value.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToleranceLimits {
    #[serde(default = "default_absolute")]
    pub absolute: f64,
    #[serde(default = "default_relative")]
    pub relative: f64,
}

/// The default absolute tolerance: half a percentage point for a rate.
fn default_absolute() -> f64 {
    0.005
}

/// The default relative tolerance: 5% of the recomputed value, the most a value rounded to
/// two significant figures can be off. A rate of 0.17% reported as 0.20% (17% off) is outside.
fn default_relative() -> f64 {
    0.05
}

impl Default for ToleranceSpec {
    fn default() -> Self {
        ToleranceSpec::Limits(ToleranceLimits {
            absolute: default_absolute(),
            relative: default_relative(),
        })
    }
}

impl ToleranceSpec {
    pub fn resolve(self) -> Tolerance {
        match self {
            ToleranceSpec::Absolute(absolute) => Tolerance {
                absolute,
                relative: None,
            },
            ToleranceSpec::Limits(l) => Tolerance {
                absolute: l.absolute,
                relative: Some(l.relative),
            },
        }
    }
}

/// The limits a difference between a reported and a recomputed KPI is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    pub absolute: f64,
    pub relative: Option<f64>,
}

impl Tolerance {
    /// Whether `difference` (reported − recomputed) is within both limits for `computed`.
    pub fn admits(&self, difference: f64, computed: f64) -> bool {
        let slack = 1e-12;
        difference.abs() <= self.absolute + slack
            && self
                .relative
                .is_none_or(|r| difference.abs() <= r * computed.abs() + slack)
    }

    /// Its numbers, for the config checks.
    pub fn numbers(&self) -> impl Iterator<Item = f64> {
        std::iter::once(self.absolute).chain(self.relative)
    }
}

/// Report settings: which template set, which formats, which language.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    #[serde(default = "default_template")]
    pub template: String,
    #[serde(default = "OutputFormat::all")]
    pub formats: Vec<OutputFormat>,
    #[serde(default)]
    pub language: Language,
    /// Which frameworks the regulatory mapping shows (default: hkma, and eu-ai-act when
    /// `submission.eu_ai_act` is declared).
    #[serde(default)]
    pub frameworks: Option<Vec<crate::declared::FrameworkGroup>>,
    /// The bundle of the period before (relative to the config's folder), as `build
    /// --previous` gives it; the command line wins.
    #[serde(default)]
    pub previous: Option<String>,
}

fn default_template() -> String {
    BUILTIN_SET.to_string()
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            template: default_template(),
            formats: OutputFormat::all(),
            language: Language::En,
            frameworks: None,
            previous: None,
        }
    }
}

/// An output file of the bundle.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    Pdf,
    Html,
    Md,
    Json,
    /// The Excel annex: the record's tables as a workbook (not made unless asked for).
    Xlsx,
}

impl OutputFormat {
    pub fn all() -> Vec<OutputFormat> {
        vec![
            OutputFormat::Pdf,
            OutputFormat::Html,
            OutputFormat::Md,
            OutputFormat::Json,
        ]
    }

    /// Its name in the config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Pdf => "pdf",
            OutputFormat::Html => "html",
            OutputFormat::Md => "md",
            OutputFormat::Json => "json",
            OutputFormat::Xlsx => "xlsx",
        }
    }
}

pub use crate::schema::Language;

/// The name of the built-in template set (`report.template`'s default).
pub const BUILTIN_SET: &str = "hkma-genai-sandbox";
