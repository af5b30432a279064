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
    // A family fewer banks report is left out: its name may be a bank's own text.
    banks
        .into_iter()
        .filter_map(|(family, banks)| {
            Some(FamilyCount {
                family: family.to_string(),
                banks: Some(count(banks.len() as u64, policy)?),
            })
        })
        .collect()
}

/// The groups without a segment and the segment groups enough banks share as they are; the
/// other segment groups of an attribute folded into one `other` cell; left out altogether: a
/// group without a segment that fewer than `min_banks_count` banks report (its family, metric
/// id or currency may be one bank's own text), an attribute fewer banks use, and an `other`
/// cell of a (family, metric, arm, currency) that has no published group.
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
            _ if m.banks < policy.min_banks_count => {}
            _ => out.push(published(m, policy)),
        }
    }
    let shown: BTreeSet<(String, String, Option<Arm>, Option<String>)> = out
        .iter()
        .map(|m| (m.family.clone(), m.id.clone(), m.arm, m.currency.clone()))
        .collect();
    folded.retain(|(family, id, _, arm, currency), _| {
        shown.contains(&(family.clone(), id.clone(), *arm, currency.clone()))
    });
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
    out.sort_by_key(sort_key);
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

/// Where a published group sorts: family, catalogue order, segment (`other` after the named
/// groups of its attribute), arm, currency.
type SortKey = (
    String,
    usize,
    Option<(String, bool, Option<String>)>,
    Option<Arm>,
    Option<String>,
);

fn sort_key(m: &SharedMetric) -> SortKey {
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

/// The band `value` is published in: a multiple of the ratio band for ratios and
/// differences of ratios; otherwise its first significant figure (1,234 ms in [1,000, 2,000)),
/// at least 10 wide for whole-number units (counts, milliseconds, tokens, seconds: a band
/// [58, 59) would pin a count of 58) and 0.1 for the others.
pub fn band_of(id: &str, value: f64, policy: Policy) -> Band {
    let unit = catalogue::find(id).map(|d| d.unit);
    let least = match unit {
        Some(Unit::Count | Unit::Milliseconds | Unit::Tokens | Unit::Seconds) | None => 10.0,
        _ => 0.1,
    };
    let step = match unit {
        Some(Unit::Ratio | Unit::Difference) => policy.ratio_band,
        _ if value == 0.0 => least,
        _ => 10f64.powi(value.abs().log10().floor() as i32).max(least),
    };
    // A tiny allowance so that a value written as 0.9 is in [0.90, 0.95), not [0.85, 0.90).
    let k = (value / step + 1e-9).floor();
    let round = |x: f64| (x * 1e6).round() / 1e6;
    Band {
        low: round(k * step),
        high: round((k + 1.0) * step),
    }
}

/// Each bank's part of one incident cell (all incidents, one type or one severity).
type BankTotals = BTreeMap<String, f64>;

/// Incidents across the cohort from the per-bank `incidents.total` values: all, per type and
/// per severity. Types and severities fewer than `min_banks_count` banks report (and a value
/// left empty) fold into `other`; each cell is checked for its count and for dominance; then
/// each breakdown is protected as a whole (`protect`).
fn incidents(all: &[CohortMetric], policy: Policy) -> Vec<SharedIncident> {
    let mut total = BankTotals::new();
    let mut parts: BTreeMap<&str, BTreeMap<String, BankTotals>> = BTreeMap::new();
    for m in all
        .iter()
        .filter(|m| m.id == "incidents.total" && m.arm != Some(Arm::Delta))
    {
        let cell = match &m.segment {
            None => &mut total,
            Some(s) => {
                let attribute = match s.attribute.as_str() {
                    "incident_type" => "incident_type",
                    "incident_severity" => "incident_severity",
                    _ => continue,
                };
                let value = s.value.clone().unwrap_or_else(|| OTHER.into());
                parts
                    .entry(attribute)
                    .or_default()
                    .entry(value)
                    .or_default()
            }
        };
        for v in &m.own {
            *cell.entry(v.bank.clone()).or_default() += v.value;
        }
    }
    if total.is_empty() {
        return Vec::new();
    }
    let all_row = incident_row(None, None, &total, policy);
    let total_published = all_row.total.is_some();
    let mut rows = vec![all_row];
    for attribute in ["incident_type", "incident_severity"] {
        let cells = fold(parts.remove(attribute).unwrap_or_default(), policy);
        let mut breakdown: Vec<(SharedIncident, BankTotals)> = cells
            .into_iter()
            .map(|(value, banks)| {
                (
                    incident_row(Some(attribute), Some(value), &banks, policy),
                    banks,
                )
            })
            .collect();
        if total_published {
            protect(&mut breakdown, &total, policy);
        }
        rows.extend(breakdown.into_iter().map(|(row, _)| row));
    }
    rows
}

/// The cells of one breakdown with the values fewer than `min_banks_count` banks report (and
/// `other` itself) pooled into one `other` cell, last.
fn fold(cells: BTreeMap<String, BankTotals>, policy: Policy) -> Vec<(String, BankTotals)> {
    let mut out = Vec::new();
    let mut other = BankTotals::new();
    for (value, banks) in cells {
        if value == OTHER || (banks.len() as u64) < policy.min_banks_count {
            for (bank, n) in banks {
                *other.entry(bank).or_default() += n;
            }
        } else {
            out.push((value, banks));
        }
    }
    if !other.is_empty() {
        out.push((OTHER.to_string(), other));
    }
    out
}

/// Protects one breakdown of a published total: what it leaves unpublished (the withheld
/// cells, and what the banks report in no cell of the breakdown) adds up to the total minus
/// the published cells, so that sum must itself pass the count and dominance rules. While it
/// does not, the smallest published non-zero cell is withheld too (`complementary`).
fn protect(breakdown: &mut [(SharedIncident, BankTotals)], total: &BankTotals, policy: Policy) {
    loop {
        let mut hidden: BankTotals = total.clone();
        for (row, banks) in breakdown.iter() {
            if row.total.is_some() {
                for (bank, n) in banks {
                    *hidden.entry(bank.clone()).or_default() -= n;
                }
            }
        }
        hidden.retain(|_, n| *n > 1e-9);
        let sum: f64 = hidden.values().sum();
        let largest = hidden.values().copied().fold(0.0, f64::max);
        let safe = sum <= 1e-9
            || ((hidden.len() as u64) >= policy.min_banks_count
                && largest < policy.dominance * sum);
        if safe {
            return;
        }
        let smallest = breakdown
            .iter_mut()
            .filter(|(row, _)| row.total.is_some_and(|t| t > 0.0))
            .min_by(|a, b| {
                a.0.total
                    .unwrap_or(0.0)
                    .total_cmp(&b.0.total.unwrap_or(0.0))
            });
        match smallest {
            Some((row, _)) => {
                row.total = None;
                row.withheld = Some(Withheld::Complementary);
            }
            None => return,
        }
    }
}

fn incident_row(
    attribute: Option<&str>,
    value: Option<String>,
    banks: &BankTotals,
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
        assert_eq!(b("assistant.latency_p95", 1234.0), (1000.0, 2000.0));
        assert_eq!(b("assistant.latency_p95", 87.0), (80.0, 90.0));
        // Five banks' attempts 31, 47, 58, 64, 72: the median 58 may not be pinned.
        assert_eq!(b("redteam.attempts", 58.0), (50.0, 60.0));
        assert_eq!(b("redteam.attempts", 7.0), (0.0, 10.0));
        assert_eq!(b("assistant.csat_mean", 4.37), (4.0, 5.0));
    }

    #[test]
    fn counts_need_three_banks_and_quantiles_five() {
        assert_eq!(Policy::new(3).min_banks_count, 3);
        assert_eq!(Policy::new(3).min_banks_quantile, 5);
        assert_eq!(Policy::new(2).min_banks_count, 3);
        assert_eq!(Policy::new(7).min_banks_quantile, 7);
    }

    fn banks(values: &[(&str, f64)]) -> BankTotals {
        values.iter().map(|(b, n)| (b.to_string(), *n)).collect()
    }

    fn part(kind: &str, values: &[(&str, f64)]) -> (SharedIncident, BankTotals) {
        let cell = banks(values);
        (
            incident_row(
                Some("incident_type"),
                Some(kind.into()),
                &cell,
                Policy::new(3),
            ),
            cell,
        )
    }

    #[test]
    fn what_a_breakdown_leaves_out_must_pass_the_rules_as_a_whole() {
        // Banks A, B, C report hallucinations 10, 12, 14; bank D only a total of 9: without
        // protection, total 45 minus hallucination 36 would be D's 9.
        let total = banks(&[("A", 10.0), ("B", 12.0), ("C", 14.0), ("D", 9.0)]);
        let mut breakdown = vec![part(
            "hallucination",
            &[("A", 10.0), ("B", 12.0), ("C", 14.0)],
        )];
        assert_eq!(breakdown[0].0.total, Some(36.0));
        protect(&mut breakdown, &total, Policy::new(3));
        assert_eq!(breakdown[0].0.total, None);
        assert_eq!(breakdown[0].0.withheld, Some(Withheld::Complementary));
    }

    #[test]
    fn a_zero_cell_is_never_the_complement() {
        // One bank's rare type (7) is withheld; withholding the zero cell would not hide it.
        let total = banks(&[("A", 16.0), ("B", 15.0), ("C", 15.0), ("D", 7.0)]);
        let mut breakdown = vec![
            part("hallucination", &[("A", 16.0), ("B", 15.0), ("C", 15.0)]),
            part("toxicity", &[("A", 0.0), ("B", 0.0), ("C", 0.0)]),
            part("other", &[("D", 7.0)]),
        ];
        protect(&mut breakdown, &total, Policy::new(3));
        assert_eq!(breakdown[0].0.total, None, "hallucination withheld");
        assert_eq!(breakdown[1].0.total, Some(0.0));
    }

    #[test]
    fn rare_and_empty_values_fold_into_other() {
        let mut cells = BTreeMap::new();
        cells.insert(
            "low".to_string(),
            banks(&[("A", 1.0), ("B", 1.0), ("C", 1.0)]),
        );
        cells.insert("Tai O Severity".to_string(), banks(&[("D", 7.0)]));
        cells.insert(OTHER.to_string(), banks(&[("A", 2.0)]));
        let folded = fold(cells, Policy::new(3));
        let names: Vec<&str> = folded.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(names, ["low", "other"]);
        assert_eq!(folded[1].1, banks(&[("A", 2.0), ("D", 7.0)]));
    }
}
