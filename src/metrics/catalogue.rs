//! The metric catalogue: every metric id of summary-v1 with its meaning, formula, inputs,
//! unit and interval rule, read from `catalogue.yaml` (compiled in). `sandbox-report explain`
//! and docs/metrics.md are generated from it, and the computations look their ids up here.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::schema::{Language, StreamKind};

/// The unit a metric's value is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Ratio,
    /// A difference between two ratios (fairness gaps).
    Difference,
    Milliseconds,
    Seconds,
    /// The config's `currency`.
    Currency,
    Tokens,
    /// Customer satisfaction on the 1..5 scale.
    Score,
    PerThousand,
}

impl Unit {
    /// The `unit` string written into summary.json.
    pub fn label(self, currency: Option<&str>) -> String {
        match self {
            Unit::Count => "count".into(),
            Unit::Ratio => "ratio".into(),
            Unit::Difference => "difference".into(),
            Unit::Milliseconds => "ms".into(),
            Unit::Seconds => "seconds".into(),
            Unit::Currency => currency.unwrap_or("currency").to_string(),
            Unit::Tokens => "tokens".into(),
            Unit::Score => "score".into(),
            Unit::PerThousand => "per_1k".into(),
        }
    }
}

/// How a metric's 95% confidence interval is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Wilson score interval of numerator / denominator (z = 1.959963984540054).
    Wilson,
    /// One minus the Wilson interval of the complementary ratio, flipped.
    WilsonComplement,
    /// No interval: `ci_low` and `ci_high` are null.
    None,
}

impl Interval {
    pub fn describe(self) -> &'static str {
        match self {
            Interval::Wilson => {
                "95% Wilson score interval of numerator / denominator (z = 1.959963984540054); for the `delta` arm, Newcombe's hybrid score interval built from the two arms' Wilson intervals"
            }
            Interval::WilsonComplement => {
                "one minus the Wilson interval of escalation_rate, flipped: [1 − high, 1 − low]; for the `delta` arm, Newcombe's hybrid score interval"
            }
            Interval::None => "none (ci_low and ci_high are null)",
        }
    }
}

/// One metric id and everything said about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    pub id: String,
    pub title: String,
    /// The title in Traditional Chinese (Hong Kong).
    pub title_zh: String,
    /// The stream kinds that report this metric.
    pub kinds: Vec<StreamKind>,
    pub unit: Unit,
    pub interval: Interval,
    pub definition: String,
    /// The definition in Traditional Chinese (Hong Kong).
    pub definition_zh: String,
    pub formula: String,
    /// Canonical columns the metric reads; it is listed only when the stream has them.
    pub inputs: Vec<String>,
    /// Reported for the whole stream (segment null, or `{attribute}` for fairness).
    #[serde(default = "yes")]
    pub overall: bool,
    /// Built-in grouping columns it is also (or only) reported by, e.g. `attack_type`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Reported for each group of every attribute listed in the config's `segments`.
    #[serde(default)]
    pub per_segment: bool,
    /// Has a weekly series.
    #[serde(default)]
    pub series: bool,
    /// Whether a larger value is the better outcome, when that is clear.
    #[serde(default)]
    pub higher_is_better: Option<bool>,
    /// How reports print a ratio: as a percentage (default) or as a decimal.
    #[serde(default)]
    pub display: Display,
    /// A ratio that may exceed 1 (false positives per true positive).
    #[serde(default)]
    pub unbounded: bool,
    /// The report tables that list it, in catalogue order.
    #[serde(default)]
    pub shown_in: Vec<ReportTable>,
    /// Its column head in tables with one column per metric (oversight, operations).
    #[serde(default)]
    pub short: Option<String>,
    /// That head in Traditional Chinese.
    #[serde(default)]
    pub short_zh: Option<String>,
    /// Its place among the headline metrics on the report's cover, per kind of cover.
    #[serde(default)]
    pub cover: BTreeMap<Cover, u8>,
    /// Its place among the cohort's headline metrics (per bank positions, charts, letters).
    #[serde(default)]
    pub cohort_headline: Option<u8>,
    /// Its numerator and denominator are sums of money: reports print them with the currency.
    #[serde(default)]
    pub money: bool,
}

/// The kinds of stream whose few headline metrics the report's cover prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    Detection,
    /// A detection stream with attack types (deepfake and liveness trials).
    Liveness,
    Assistant,
    Redteam,
}

/// A table of the submission report that lists metrics chosen in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportTable {
    /// Results: one table per detection or assistant stream.
    Results,
    /// Adversarial testing: a red-team stream's overall metrics.
    RedTeam,
    /// Adversarial testing: a detection stream's presentation-attack summary.
    Species,
    /// Fairness: the rates compared across the groups of a segment attribute.
    FairnessRates,
    /// Human oversight: one row per stream.
    Oversight,
    /// Operations: latency and cost, one row per stream.
    Operations,
}

/// How reports print a ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Display {
    #[default]
    Percent,
    Decimal,
}

fn yes() -> bool {
    true
}

impl MetricDef {
    /// The title in a report's language ("English 中文" in bilingual reports).
    pub fn title_in(&self, language: Language) -> String {
        match language {
            Language::En => self.title.clone(),
            Language::ZhHk => self.title_zh.clone(),
            Language::Bilingual => format!("{} {}", self.title, self.title_zh),
        }
    }

    /// Its column head in a report's language: `short`, else the title.
    pub fn short_in(&self, language: Language) -> String {
        let en = self.short.as_deref().unwrap_or(&self.title);
        let zh = self.short_zh.as_deref().unwrap_or(&self.title_zh);
        match language {
            Language::En => en.to_string(),
            Language::ZhHk => zh.to_string(),
            Language::Bilingual => format!("{en} {zh}"),
        }
    }

    /// The definition in a report's language.
    pub fn definition_in(&self, language: Language) -> String {
        match language {
            Language::En => self.definition.clone(),
            Language::ZhHk => self.definition_zh.clone(),
            Language::Bilingual => format!("{} {}", self.definition, self.definition_zh),
        }
    }

    pub fn applies_to(&self, kind: StreamKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether the metric is reported per group of `attribute` without it being a segment.
    pub fn grouped_by(&self, attribute: &str) -> bool {
        self.groups.iter().any(|g| g == attribute)
    }

    /// The metric family: the part of the id before the dot.
    pub fn family(&self) -> &str {
        self.id.split('.').next().unwrap_or(&self.id)
    }

    /// The values the metric can take, when bounded: [0, 1] for ratios and gaps between
    /// ratios, [-1, 1] for a delta (ai minus baseline); none for counts, money, open ratios.
    pub fn bounds(&self, delta: bool) -> Option<(f64, f64)> {
        let bounded = matches!(self.unit, Unit::Ratio | Unit::Difference) && !self.unbounded;
        match (bounded, delta) {
            (false, _) => None,
            (true, false) => Some((0.0, 1.0)),
            (true, true) => Some((-1.0, 1.0)),
        }
    }

    /// Ratio metrics also get a `delta` (ai minus baseline) in A/B trials.
    pub fn has_delta(&self) -> bool {
        self.unit == Unit::Ratio
    }
}

const SOURCE: &str = include_str!("catalogue.yaml");

/// Every metric id of summary-v1, in the order reports list them.
pub fn all() -> &'static [MetricDef] {
    static CATALOGUE: OnceLock<Vec<MetricDef>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        serde_saphyr::from_str(SOURCE)
            .expect("the built-in catalogue.yaml is valid (a unit test checks it)")
    })
}

/// The ids a report table lists for streams of `kind` (any kind when none), in catalogue
/// order.
pub fn shown_in(table: ReportTable, kind: Option<StreamKind>) -> Vec<&'static str> {
    all()
        .iter()
        .filter(|m| m.shown_in.contains(&table) && kind.is_none_or(|k| m.applies_to(k)))
        .map(|m| m.id.as_str())
        .collect()
}

/// The headline metrics of a cover of kind `cover`, in their order.
pub fn cover(cover: Cover) -> Vec<&'static str> {
    ranked(|m| m.cover.get(&cover).copied())
}

/// The cohort's headline metrics, in their order.
pub fn cohort_headline() -> Vec<&'static str> {
    ranked(|m| m.cohort_headline)
}

/// The ids with a place given by `place`, in that order.
fn ranked(place: impl Fn(&MetricDef) -> Option<u8>) -> Vec<&'static str> {
    let mut placed: Vec<(u8, &'static str)> = all()
        .iter()
        .filter_map(|m| Some((place(m)?, m.id.as_str())))
        .collect();
    placed.sort();
    placed.into_iter().map(|(_, id)| id).collect()
}

/// The fairness measures of streams of `kind`, in catalogue order.
pub fn fairness_measures(kind: StreamKind) -> Vec<&'static str> {
    all()
        .iter()
        .filter(|m| m.family() == "fairness" && m.applies_to(kind))
        .map(|m| m.id.as_str())
        .collect()
}

/// The ids a per-stream table lists with their column heads in `language` (`short`, else
/// the title).
pub fn columns_of(table: ReportTable, language: Language) -> Vec<(&'static str, String)> {
    all()
        .iter()
        .filter(|m| m.shown_in.contains(&table))
        .map(|m| (m.id.as_str(), m.short_in(language)))
        .collect()
}

/// Looks a metric id up.
pub fn find(id: &str) -> Option<&'static MetricDef> {
    all().iter().find(|m| m.id == id)
}

/// Every metric id, in catalogue order.
pub fn ids() -> impl Iterator<Item = &'static str> {
    all().iter().map(|m| m.id.as_str())
}

/// Position of an id in the catalogue, for a stable order of metrics in outputs.
pub fn position(id: &str) -> usize {
    all().iter().position(|m| m.id == id).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_headline_metrics_come_in_their_places() {
        assert_eq!(
            cover(Cover::Detection),
            ["detection.recall", "detection.precision", "detection.fpr"]
        );
        assert_eq!(
            cover(Cover::Liveness),
            ["detection.bpcer", "detection.apcer_max", "detection.recall"]
        );
        assert_eq!(
            cover(Cover::Assistant),
            [
                "assistant.resolution_rate",
                "assistant.hallucination_rate",
                "assistant.csat_mean"
            ]
        );
        assert_eq!(
            cover(Cover::Redteam),
            ["redteam.attack_success_rate", "redteam.over_refusal_rate"]
        );
        let cohort = cohort_headline();
        assert_eq!(cohort.len(), 11);
        assert_eq!(cohort[..2], ["detection.recall", "detection.precision"]);
        let mut places: Vec<u8> = all().iter().filter_map(|m| m.cohort_headline).collect();
        places.sort();
        places.dedup();
        assert_eq!(
            places.len(),
            cohort.len(),
            "each cohort place is given once"
        );
    }

    use super::*;

    #[test]
    fn catalogue_parses_with_unique_ids_prefixed_by_family() {
        let catalogue = all();
        assert_eq!(catalogue.len(), 59);
        let mut ids: Vec<_> = catalogue.iter().map(|m| m.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), catalogue.len());
        for m in catalogue {
            assert!(
                [
                    "detection",
                    "assistant",
                    "redteam",
                    "oversight",
                    "incidents",
                    "fairness"
                ]
                .contains(&m.family()),
                "{}",
                m.id
            );
            assert!(!m.kinds.is_empty() && !m.definition.is_empty(), "{}", m.id);
            assert!(
                !m.title_zh.is_empty() && !m.definition_zh.is_empty(),
                "{}",
                m.id
            );
        }
    }

    /// Every quoted metric id in the sources outside unit tests (`"detection.recall"`) is a
    /// catalogue id, so a misspelt id fails here instead of dropping a metric at run time.
    #[test]
    fn every_metric_id_literal_in_the_sources_is_in_the_catalogue() {
        let families = [
            "detection",
            "assistant",
            "redteam",
            "oversight",
            "incidents",
            "fairness",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
            if entry.path().extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            // Unit tests spell wrong ids on purpose.
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            // At every quote, not by counting quotes (an escaped quote or '"' would shift them).
            let literals = code
                .match_indices('"')
                .filter_map(|(i, _)| code[i + 1..].split('"').next());
            for literal in literals {
                let Some((family, name)) = literal.split_once('.') else {
                    continue;
                };
                let plain = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if families.contains(&family) && plain {
                    assert!(
                        find(literal).is_some(),
                        "{}: {literal:?} is not a metric id of catalogue.yaml",
                        entry.path().display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "found only {checked} metric-id literals");
    }

    #[test]
    fn report_tables_list_catalogue_ids_in_order() {
        let results = shown_in(ReportTable::Results, Some(StreamKind::Detection));
        assert_eq!(
            results[..3],
            [
                "detection.events",
                "detection.labelled",
                "detection.alert_rate"
            ]
        );
        assert!(results.contains(&"detection.specificity"));
        assert!(!results.contains(&"detection.tp"));
        assert_eq!(
            columns_of(ReportTable::Oversight, Language::En)[2],
            (
                "oversight.review_seconds_median",
                "Median review time".into()
            )
        );
        assert_eq!(
            columns_of(ReportTable::Operations, Language::ZhHk)[0].1,
            "延遲 p50"
        );
        assert_eq!(
            fairness_measures(StreamKind::Assistant),
            ["fairness.escalation_rate_gap"]
        );
    }

    #[test]
    fn find_and_position_agree() {
        let recall = find("detection.recall").unwrap();
        assert_eq!(recall.unit, Unit::Ratio);
        assert!(recall.per_segment && recall.series);
        assert_eq!(all()[position("detection.recall")].id, recall.id);
        assert!(find("detection.nonsense").is_none());
        assert_eq!(find("detection.apcer").unwrap().groups, ["attack_type"]);
        assert!(!find("detection.apcer").unwrap().overall);
    }
}
