//! Regulatory coverage across a cohort: for each requirement, how many banks evidence it,
//! only declare it or have a gap (counted over the banks it applies to, suppressed below the
//! minimum like any group), and the requirements × banks matrix under pseudonyms.

use std::collections::{BTreeMap, BTreeSet};

use super::bundles::LoadedBundle;
use super::model::{BankCoverage, Coverage, RequirementCoverage};
use crate::model::TraceStatus;

/// The coverage of `current` (None when no bundle has a regulatory mapping).
pub(super) fn coverage(
    current: &[LoadedBundle],
    name: impl Fn(&LoadedBundle) -> String,
    min_banks: u64,
) -> Option<Coverage> {
    let mapped: Vec<&LoadedBundle> = current
        .iter()
        .filter(|b| b.summary.traceability.is_some())
        .collect();
    if mapped.is_empty() {
        return None;
    }
    let mut banks: Vec<BankCoverage> = mapped
        .iter()
        .map(|b| BankCoverage {
            bank: name(b),
            use_case: b.summary.submission.use_case.id.clone(),
            statuses: b
                .summary
                .traceability
                .iter()
                .flat_map(|t| &t.requirements)
                .map(|r| (r.id.clone(), r.status))
                .collect(),
        })
        .collect();
    banks.sort_by(|a, b| (&a.bank, &a.use_case).cmp(&(&b.bank, &b.use_case)));
    Some(Coverage {
        requirements: requirements(&mapped, &banks, min_banks),
        banks,
        bundles_without_mapping: current.len() - mapped.len(),
    })
}

/// The requirements in catalogue order (those of no known framework last), with their counts.
fn requirements(
    mapped: &[&LoadedBundle],
    banks: &[BankCoverage],
    min_banks: u64,
) -> Vec<RequirementCoverage> {
    let mut frameworks: BTreeMap<String, String> = BTreeMap::new();
    for r in mapped
        .iter()
        .flat_map(|b| b.summary.traceability.iter().flat_map(|t| &t.requirements))
    {
        frameworks
            .entry(r.id.clone())
            .or_insert_with(|| r.framework.clone());
    }
    let order: Vec<&str> = crate::traceability::catalogue::ids().collect();
    let mut ids: Vec<&String> = frameworks.keys().collect();
    ids.sort_by_key(|id| order.iter().position(|o| o == id).unwrap_or(usize::MAX));
    ids.into_iter()
        .map(|id| {
            // A bank counts once for a requirement (its best status across its use cases).
            let mut best: BTreeMap<&str, TraceStatus> = BTreeMap::new();
            for b in banks {
                if let Some(s) = b.statuses.get(id) {
                    let e = best.entry(b.bank.as_str()).or_insert(*s);
                    *e = (*e).min(*s);
                }
            }
            let count = |s: TraceStatus| best.values().filter(|v| **v == s).count() as u64;
            let applicable: BTreeSet<&str> = best
                .iter()
                .filter(|(_, s)| **s != TraceStatus::NotApplicable)
                .map(|(b, _)| *b)
                .collect();
            let n = applicable.len() as u64;
            let suppressed = n < min_banks;
            let shown = |s| (!suppressed).then(|| count(s));
            RequirementCoverage {
                id: id.clone(),
                framework: frameworks[id].clone(),
                banks: n,
                suppressed,
                evidenced: shown(TraceStatus::Evidenced),
                declared: shown(TraceStatus::Declared),
                gap: shown(TraceStatus::Gap),
                not_applicable: count(TraceStatus::NotApplicable),
            }
        })
        .collect()
}
