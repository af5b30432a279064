//! The disclosure stage: what of the regulator's cohort may leave the regulator. It takes the
//! restricted `Cohort` (pseudonymised per-bank values, exact statistics) and returns the
//! `Shareable` cohort, the only data the shareable outputs are made from. One policy, applied
//! here and nowhere else:
//!
//! - a count (banks in a group, incident totals) is published only with at least
//!   `min_banks_count` contributing banks (3 at least);
//! - a median or quartile is published only with at least `min_banks_quantile` banks (5 at
//!   least), and then as a band (five percentage points for a ratio, two significant figures
//!   otherwise), never as a value: a quantile of few values is one bank's value (the median
//!   of an odd count) or an interpolation from which a neighbour's value follows
//!   (`low = 2·Q1 − median`), so no quantile is published exactly;
//! - minimum, maximum, per-bank values, ranks, stream names and bank labels are never
//!   published;
//! - a total one bank dominates (at least `dominance` of it) is withheld, and so is a second
//!   cell where a single withheld cell could be recovered by subtracting the published cells
//!   from their published total (complementary suppression);
//! - text a bank chose (segment values, segment attributes, incident types) is published only
//!   where at least `min_banks_count` banks share it; the others fold into `other`.
//!
//! docs/cohort.md ("Disclosure control") explains the policy with a worked example.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::{Cohort, CohortMetric};
use crate::metrics::catalogue::{self, Unit};
use crate::model::{Arm, Tool};

pub const SHAREABLE_SCHEMA: &str = "sandbox-report/cohort-shareable";

/// The label of the cell that stands for every bank-chosen value too rare to publish.
pub const OTHER: &str = "other";

/// The disclosure policy of the shareable outputs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Policy {
    /// Least number of banks behind a published count or total.
    pub min_banks_count: u64,
    /// Least number of banks behind a published quantile band.
    pub min_banks_quantile: u64,
    /// Width of the band a ratio's quantile is published in (0.05: five percentage points).
    pub ratio_band: f64,
    /// A total is withheld when one bank contributes at least this share of it.
    pub dominance: f64,
}

impl Policy {
    /// The policy for a cohort run with `--min-banks min_banks`: counts need at least
    /// `max(min_banks, 3)` banks, quantiles at least `max(min_banks, 5)`.
    pub fn new(min_banks: u64) -> Policy {
        Policy {
            min_banks_count: min_banks.max(3),
            min_banks_quantile: min_banks.max(5),
            ratio_band: 0.05,
            dominance: 0.85,
        }
    }
}

/// Why a cell is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Withheld {
    /// Fewer banks than `min_banks_count`.
    FewBanks,
    /// Enough banks for a count, fewer than `min_banks_quantile` for quantiles.
    FewBanksForQuantiles,
    /// One bank contributes at least `dominance` of the total.
    Dominance,
    /// Withheld so that another withheld cell cannot be recovered by subtraction.
    Complementary,
    /// A cell of `other`: bank-chosen values of different banks are not pooled.
    Folded,
}

/// A range a statistic lies in: `low <= value < high`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSegment {
    pub attribute: String,
    /// The group, or `other` for the groups fewer than `min_banks_count` banks share.
    pub value: Option<String>,
}

/// One (family, metric, segment, arm, currency) group as it may be published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedMetric {
    pub family: String,
    pub id: String,
    pub segment: Option<SharedSegment>,
    pub arm: Option<Arm>,
    pub currency: Option<String>,
    /// Banks with a value (null below `min_banks_count`).
    pub banks: Option<u64>,
    pub median: Option<Band>,
    pub q1: Option<Band>,
    pub q3: Option<Band>,
    /// Why the statistics (or the count) are not published.
    pub withheld: Option<Withheld>,
}

/// Incidents across the cohort: all (type and severity null), per type or per severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedIncident {
    /// The incident type, or `other` for the types fewer than `min_banks_count` banks report.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub banks: Option<u64>,
    #[serde(serialize_with = "crate::model::whole_numbers")]
    pub total: Option<f64>,
    pub withheld: Option<Withheld>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FamilyCount {
    pub family: String,
    /// Banks of the family (null below `min_banks_count`).
    pub banks: Option<u64>,
}

/// The shareable cohort summary: `shareable/cohort.json`, and the only data shareable
/// documents are made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shareable {
    pub schema: &'static str,
    pub schema_version: u32,
    /// Always `shareable`: may leave the regulator (participants, publication).
    pub audience: &'static str,
    pub tool: Tool,
    pub generated_at: String,
    pub policy: Policy,
    /// Banks in the cohort.
    pub banks: u64,
    pub families: Vec<FamilyCount>,
    pub metrics: Vec<SharedMetric>,
    pub incidents: Vec<SharedIncident>,
}

/// Applies `policy` to `cohort`.
pub fn shareable(cohort: &Cohort, policy: Policy) -> Shareable {
    Shareable {
        schema: SHAREABLE_SCHEMA,
        schema_version: 1,
        audience: "shareable",
        tool: cohort.tool.clone(),
        generated_at: cohort.generated_at.clone(),
        policy,
        banks: banks_of(cohort.bundles.accepted.iter().map(|b| b.bank.as_str())),
        families: families(cohort, policy),
        metrics: metrics(&cohort.metrics, policy),
        incidents: incidents(&cohort.metrics, policy),
    }
}

fn banks_of<'a>(banks: impl Iterator<Item = &'a str>) -> u64 {
    banks.collect::<BTreeSet<_>>().len() as u64
}

/// `n` when it reaches the count minimum.
fn count(n: u64, policy: Policy) -> Option<u64> {
    (n >= policy.min_banks_count).then_some(n)
}

fn families(cohort: &Cohort, policy: Policy) -> Vec<FamilyCount> {
    let mut banks: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for b in &cohort.bundles.accepted {
        banks.entry(&b.family).or_default().insert(&b.bank);
    }
    banks
        .into_iter()
        .map(|(family, banks)| FamilyCount {
            family: family.to_string(),
            banks: count(banks.len() as u64, policy),
        })
        .collect()
}

/// The groups without a segment and the segment groups enough banks share as they are; the
/// other segment groups of an attribute folded into one `other` cell; an attribute fewer than
/// `min_banks_count` banks use is left out altogether.
fn metrics(all: &[CohortMetric], policy: Policy) -> Vec<SharedMetric> {
    let attribute_banks = attribute_banks(all);
    let mut out = Vec::new();
    let mut folded: BTreeMap<FoldKey, BTreeSet<String>> = BTreeMap::new();
    for m in all.iter().filter(|m| m.id != "incidents.total") {
        let shared_attribute = m.segment.as_ref().is_none_or(|s| {
            attribute_banks
                .get(&(m.family.as_str(), s.attribute.as_str()))
                .is_some_and(|b| b.len() as u64 >= policy.min_banks_count)
        });
        if !shared_attribute {
            continue;
        }
        match &m.segment {
            Some(s) if m.banks < policy.min_banks_count => {
                let key = (
                    m.family.clone(),
                    m.id.clone(),
                    s.attribute.clone(),
                    m.arm,
                    m.currency.clone(),
                );
                folded
                    .entry(key)
                    .or_default()
                    .extend(m.own.iter().map(|v| v.bank.clone()));
            }
            _ => out.push(published(m, policy)),
        }
    }
    out.extend(folded.into_iter().map(|(key, banks)| {
        let (family, id, attribute, arm, currency) = key;
        SharedMetric {
            family,
            id,
            segment: Some(SharedSegment {
                attribute,
                value: Some(OTHER.into()),
            }),
            arm,
            currency,
            banks: count(banks.len() as u64, policy),
            median: None,
            q1: None,
            q3: None,
            withheld: Some(Withheld::Folded),
        }
    }));
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out
}

type FoldKey = (String, String, String, Option<Arm>, Option<String>);

/// The banks that report any group of each (family, segment attribute).
fn attribute_banks(all: &[CohortMetric]) -> BTreeMap<(&str, &str), BTreeSet<&str>> {
    let mut banks: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for m in all {
        if let Some(s) = &m.segment {
            banks
                .entry((m.family.as_str(), s.attribute.as_str()))
                .or_default()
                .extend(m.own.iter().map(|v| v.bank.as_str()));
        }
    }
    banks
}

fn sort_key(
    m: &SharedMetric,
) -> (
    String,
    usize,
    Option<(String, bool, Option<String>)>,
    Option<Arm>,
    Option<String>,
) {
    (
        m.family.clone(),
        catalogue::position(&m.id),
        m.segment.as_ref().map(|s| {
            let other = s.value.as_deref() == Some(OTHER);
            (s.attribute.clone(), other, s.value.clone())
        }),
        m.arm,
        m.currency.clone(),
    )
}

/// A group enough banks share: its count, and its quantile bands when enough banks for them.
fn published(m: &CohortMetric, policy: Policy) -> SharedMetric {
    let banks = count(m.banks, policy);
    let quantiles = m.banks >= policy.min_banks_quantile;
    let band = |v: Option<f64>| v.filter(|_| quantiles).map(|v| band_of(&m.id, v, policy));
    let withheld = if banks.is_none() {
        Some(Withheld::FewBanks)
    } else if !quantiles {
        Some(Withheld::FewBanksForQuantiles)
    } else {
        None
    };
    // The restricted group's exact statistics: present whenever quantiles are published,
    // since `min_banks_quantile` is at least the restricted file's `--min-banks`.
    let (median, q1, q3) = (m.median, m.q1, m.q3);
    SharedMetric {
        family: m.family.clone(),
        id: m.id.clone(),
        segment: m.segment.as_ref().map(|s| SharedSegment {
            attribute: s.attribute.clone(),
            value: s.value.clone(),
        }),
        arm: m.arm,
        currency: m.currency.clone(),
        banks,
        median: band(median),
        q1: band(q1),
        q3: band(q3),
        withheld,
    }
}

/// The band `value` is published in: a multiple of the ratio band for ratios, two
/// significant figures otherwise (1,234 ms in [1,200, 1,300)).
pub fn band_of(id: &str, value: f64, policy: Policy) -> Band {
    let ratio = catalogue::find(id).is_some_and(|d| d.unit == Unit::Ratio);
    let step = if ratio {
        policy.ratio_band
    } else if value.abs() < 1.0 {
        1.0
    } else {
        10f64.powi(value.abs().log10().floor() as i32 - 1)
    };
    // A tiny allowance so that a value written as 0.9 is in [0.90, 0.95), not [0.85, 0.90).
    let k = (value / step + 1e-9).floor();
    let round = |x: f64| (x * 1e6).round() / 1e6;
    Band {
        low: round(k * step),
        high: round((k + 1.0) * step),
    }
}

/// Incidents across the cohort from the per-bank `incidents.total` values: all, per type and
/// per severity; counts and dominance checked, rare types folded, then complementary
/// suppression within the types and within the severities.
fn incidents(all: &[CohortMetric], policy: Policy) -> Vec<SharedIncident> {
    // Per (attribute, value): each bank's total, over families and streams (delta left out).
    let mut cells: BTreeMap<(Option<String>, Option<String>), BTreeMap<String, f64>> =
        BTreeMap::new();
    for m in all
        .iter()
        .filter(|m| m.id == "incidents.total" && m.arm != Some(Arm::Delta))
    {
        let key = match &m.segment {
            None => (None, None),
            Some(s) if s.attribute == "incident_type" => {
                (Some(s.attribute.clone()), s.value.clone())
            }
            Some(s) if s.attribute == "incident_severity" => {
                (Some(s.attribute.clone()), s.value.clone())
            }
            Some(_) => continue,
        };
        let banks = cells.entry(key).or_default();
        for v in &m.own {
            *banks.entry(v.bank.clone()).or_default() += v.value;
        }
    }
    let mut rows = Vec::new();
    let mut other_types: BTreeMap<String, f64> = BTreeMap::new();
    for ((attribute, value), banks) in cells {
        let free_text = attribute.as_deref() == Some("incident_type");
        if free_text && (banks.len() as u64) < policy.min_banks_count {
            for (bank, total) in banks {
                *other_types.entry(bank).or_default() += total;
            }
            continue;
        }
        rows.push(incident_row(attribute.as_deref(), value, &banks, policy));
    }
    if !other_types.is_empty() {
        rows.push(incident_row(
            Some("incident_type"),
            Some(OTHER.into()),
            &other_types,
            policy,
        ));
    }
    complementary(&mut rows, |r| r.kind.is_some());
    complementary(&mut rows, |r| r.severity.is_some());
    rows
}

fn incident_row(
    attribute: Option<&str>,
    value: Option<String>,
    banks: &BTreeMap<String, f64>,
    policy: Policy,
) -> SharedIncident {
    let total: f64 = banks.values().sum();
    let largest = banks.values().copied().fold(0.0, f64::max);
    let n = banks.len() as u64;
    let withheld = if n < policy.min_banks_count {
        Some(Withheld::FewBanks)
    } else if total > 0.0 && largest >= policy.dominance * total {
        Some(Withheld::Dominance)
    } else {
        None
    };
    let (kind, severity) = match attribute {
        Some("incident_type") => (value, None),
        Some(_) => (None, value),
        None => (None, None),
    };
    SharedIncident {
        kind,
        severity,
        banks: count(n, policy),
        total: Some(total).filter(|_| withheld.is_none()),
        withheld,
    }
}

/// Within the rows `part` selects (the parts of the overall total): when exactly one is
/// withheld and the overall total is published, the smallest published part is withheld too,
/// so that no withheld part equals the total minus the published ones.
fn complementary(rows: &mut [SharedIncident], part: impl Fn(&SharedIncident) -> bool) {
    let total_published = rows
        .iter()
        .any(|r| r.kind.is_none() && r.severity.is_none() && r.total.is_some());
    let withheld = rows.iter().filter(|r| part(r) && r.total.is_none()).count();
    if !total_published || withheld != 1 {
        return;
    }
    let smallest = rows
        .iter_mut()
        .filter(|r| part(r) && r.total.is_some())
        .min_by(|a, b| a.total.unwrap_or(0.0).total_cmp(&b.total.unwrap_or(0.0)));
    if let Some(r) = smallest {
        r.total = None;
        r.withheld = Some(Withheld::Complementary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_falls_in_its_five_point_band_and_other_units_in_two_figures() {
        let p = Policy::new(3);
        let b = |id, v| {
            let b = band_of(id, v, p);
            (b.low, b.high)
        };
        assert_eq!(b("detection.recall", 0.9), (0.9, 0.95));
        assert_eq!(b("detection.recall", 0.9312), (0.9, 0.95));
        assert_eq!(b("detection.recall", 0.0), (0.0, 0.05));
        assert_eq!(b("assistant.latency_p95_ms", 1234.0), (1200.0, 1300.0));
        assert_eq!(b("assistant.latency_p95_ms", 87.0), (87.0, 88.0));
    }

    #[test]
    fn counts_need_three_banks_and_quantiles_five() {
        assert_eq!(Policy::new(3).min_banks_count, 3);
        assert_eq!(Policy::new(3).min_banks_quantile, 5);
        assert_eq!(Policy::new(2).min_banks_count, 3);
        assert_eq!(Policy::new(7).min_banks_quantile, 7);
    }

    fn row(kind: &str, total: f64) -> SharedIncident {
        SharedIncident {
            kind: Some(kind.into()),
            severity: None,
            banks: Some(3),
            total: Some(total),
            withheld: None,
        }
    }

    #[test]
    fn one_withheld_part_of_a_published_total_takes_the_smallest_other_part_with_it() {
        let mut rows = vec![
            SharedIncident {
                kind: None,
                severity: None,
                banks: Some(5),
                total: Some(100.0),
                withheld: None,
            },
            row("a", 60.0),
            row("b", 30.0),
            SharedIncident {
                total: None,
                withheld: Some(Withheld::Dominance),
                ..row("c", 0.0)
            },
        ];
        complementary(&mut rows, |r| r.kind.is_some());
        assert_eq!(rows[1].total, Some(60.0));
        assert_eq!(rows[2].total, None);
        assert_eq!(rows[2].withheld, Some(Withheld::Complementary));
    }
}
