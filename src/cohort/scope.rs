//! What a cohort covers and what limits the comparison: the accepted bundles with their
//! period, currency and signature; the programmes, cohorts and reporting periods; and the
//! caveats (a money metric without a currency, several currencies, periods of different
//! lengths, more than one programme or cohort) that the cover and method section print.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::aggregate::is_money;
use super::bundles::LoadedBundle;
use super::model::{AcceptedBundle, Caveat, CaveatCode, CohortMetric, PeriodCover, Scope};
use crate::schema::Language;

/// The accepted bundles as cohort.json lists them, sorted by bank, use case and path.
pub(super) fn accepted(
    current: &[LoadedBundle],
    name: impl Fn(&LoadedBundle) -> String,
) -> Vec<AcceptedBundle> {
    let mut accepted: Vec<AcceptedBundle> = current
        .iter()
        .map(|b| {
            let s = &b.summary;
            AcceptedBundle {
                bank: name(b),
                use_case: s.submission.use_case.id.clone(),
                family: s.submission.use_case.family.clone(),
                path: b.path.clone(),
                period: format!(
                    "{} to {}",
                    s.submission.period.start, s.submission.period.end
                ),
                streams: s.streams.len(),
                events: s
                    .streams
                    .iter()
                    .filter(|st| st.kind != "kpis")
                    .map(|st| st.events)
                    .sum(),
                currency: s.currency().map(str::to_string),
                signature: b.signature.code().into(),
            }
        })
        .collect();
    accepted.sort_by(|a, b| (&a.bank, &a.use_case, &a.path).cmp(&(&b.bank, &b.use_case, &b.path)));
    accepted
}

/// Days from `start` to `end`, both included; None when either is not a date.
fn days(start: &str, end: &str) -> Option<i64> {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    Some((date(end)? - date(start)?).num_days() + 1)
}

/// Programmes, cohorts and periods of the accepted bundles.
pub(super) fn scope(current: &[LoadedBundle]) -> Scope {
    let distinct = |f: &dyn Fn(&LoadedBundle) -> Option<String>| -> Vec<String> {
        let set: BTreeSet<String> = current.iter().filter_map(f).collect();
        set.into_iter().collect()
    };
    let mut periods: BTreeMap<(String, String), usize> = BTreeMap::new();
    for b in current {
        let p = &b.summary.submission.period;
        *periods.entry((p.start.clone(), p.end.clone())).or_default() += 1;
    }
    Scope {
        programmes: distinct(&|b| b.summary.submission.programme.clone()),
        cohorts: distinct(&|b| b.summary.submission.cohort.clone()),
        periods: periods
            .into_iter()
            .map(|((start, end), bundles)| PeriodCover {
                days: days(&start, &end),
                start,
                end,
                bundles,
            })
            .collect(),
    }
}

/// The caveats of a cohort, in a fixed order: scope first, then money.
pub(super) fn caveats(
    current: &[LoadedBundle],
    name: impl Fn(&LoadedBundle) -> String,
    scope: &Scope,
    metrics: &[CohortMetric],
) -> Vec<Caveat> {
    let mut out = Vec::new();
    let general = |code: CaveatCode, args| Caveat::new(code, None, args);
    for (code, list) in [
        (CaveatCode::ProgrammesDiffer, &scope.programmes),
        (CaveatCode::CohortsDiffer, &scope.cohorts),
    ] {
        if list.len() > 1 {
            out.push(general(code, vec![("list", list.join(", "))]));
        }
    }
    if let Some(args) = period_lengths(&scope.periods) {
        out.push(general(CaveatCode::PeriodLengthsDiffer, args));
    }
    out.extend(unstated_currencies(current, name));
    if let Some(args) = currencies(metrics) {
        out.push(general(CaveatCode::CurrenciesDiffer, args));
    }
    out
}

type Args = Vec<(&'static str, String)>;

fn period_lengths(periods: &[PeriodCover]) -> Option<Args> {
    let lengths: BTreeSet<i64> = periods.iter().filter_map(|p| p.days).collect();
    let (first, last) = (lengths.first()?, lengths.last()?);
    (lengths.len() > 1).then(|| vec![("first", first.to_string()), ("last", last.to_string())])
}

/// One caveat per bundle whose money metrics were left out for want of a currency.
fn unstated_currencies(
    current: &[LoadedBundle],
    name: impl Fn(&LoadedBundle) -> String,
) -> Vec<Caveat> {
    current
        .iter()
        .filter(|b| b.summary.currency().is_none())
        .filter_map(|b| {
            let ids: BTreeSet<&str> = b
                .summary
                .metrics
                .iter()
                .filter(|m| m.value.is_some() && is_money(&m.id))
                .map(|m| m.id.as_str())
                .collect();
            (!ids.is_empty()).then(|| {
                let metrics = ids.into_iter().collect::<Vec<_>>().join(", ");
                let args = vec![("bank", name(b)), ("metrics", metrics)];
                Caveat::new(CaveatCode::CurrencyUnstated, Some(name(b)), args)
            })
        })
        .collect()
}

/// Money metrics in more than one currency: grouped per currency, never pooled.
fn currencies(metrics: &[CohortMetric]) -> Option<Args> {
    let mut banks: BTreeMap<&str, u64> = BTreeMap::new();
    for m in metrics
        .iter()
        .filter(|m| m.segment.is_none() && m.arm.is_none())
    {
        if let Some(c) = &m.currency {
            let n = banks.entry(c).or_default();
            *n = (*n).max(m.banks);
        }
    }
    (banks.len() > 1).then(|| {
        let list: Vec<String> = banks
            .iter()
            .map(|(c, n)| {
                let (c, n) = (c.to_string(), n.to_string());
                let args = [("currency", c.as_str()), ("banks", n.as_str())];
                crate::messages::text_with(Language::En, "caveat.currency_banks", &args)
            })
            .collect();
        vec![("list", list.join(", "))]
    })
}
