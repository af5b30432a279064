//! Submissions over time: reading an earlier bundle (checked against its manifest) and the
//! changes of its metrics, for `diff` and for a build's `lineage` block (`build --previous`).
//! The change of a proportion comes with Newcombe's 95% interval, as for `delta` criteria.

use std::collections::BTreeMap;
use std::path::Path;

use crate::bundle::{MANIFEST_FILE, Manifest, hash};
use crate::error::{Error, Result};
use crate::metrics::stats::{Estimate, newcombe};
pub use crate::model::MetricChange;
use crate::model::{Lineage, Metric, PreviousSubmission, Summary};

/// A bundle's summary and the SHA-256 of its summary.json, once every file of the bundle
/// matches its manifest (a file that does not is an error naming it).
pub fn read_bundle(bundle: &Path) -> Result<(Summary, String)> {
    let manifest_path = bundle.join(MANIFEST_FILE);
    let manifest = Manifest::read(&manifest_path).map_err(|reason| Error::Manifest {
        path: manifest_path.clone(),
        reason,
    })?;
    if let Some(m) = manifest.verify_outputs(bundle).first() {
        return Err(Error::Manifest {
            path: bundle.join(&m.path),
            reason: format!("does not match the bundle's manifest: {}", m.reason),
        });
    }
    let path = bundle.join(crate::render::SUMMARY_FILE);
    let bytes = std::fs::read(&path).map_err(|source| Error::Input {
        path: path.clone(),
        source,
    })?;
    let summary = serde_json::from_slice(&bytes).map_err(|e| Error::Manifest {
        path,
        reason: format!("not a summary.json this version reads: {e}"),
    })?;
    Ok((summary, hash::sha256_bytes(&bytes)))
}

fn metric_key(m: &Metric) -> (String, String, Option<String>, Option<String>) {
    let segment = m.segment.as_ref().map(|s| match &s.value {
        Some(v) => format!("{}={v}", s.attribute),
        None => s.attribute.clone(),
    });
    (
        m.id.clone(),
        m.stream.clone(),
        segment,
        m.arm.map(|a| a.as_str().to_string()),
    )
}

fn interval(m: &Metric) -> Option<(f64, f64)> {
    m.ci_low.zip(m.ci_high)
}

/// A proportion with its Wilson interval, when `m` is one.
fn proportion(m: Option<&Metric>) -> Option<Estimate> {
    let m = m?;
    if m.unit != "ratio" || m.numerator.is_none() || m.denominator.is_none() {
        return None;
    }
    Some(Estimate {
        value: m.value?,
        low: m.ci_low?,
        high: m.ci_high?,
    })
}

/// Metric changes keyed by id, stream, segment and arm: with `only_differences`, every metric
/// that differs or is in one summary only (`diff`); without, every metric in both, changed or
/// not (a build's `lineage`).
pub fn metric_changes(
    previous: &Summary,
    current: &Summary,
    only_differences: bool,
) -> Vec<MetricChange> {
    let metrics = |s: &Summary| -> BTreeMap<_, Metric> {
        s.metrics
            .iter()
            .map(|m| (metric_key(m), m.clone()))
            .collect()
    };
    let (ma, mb) = (metrics(previous), metrics(current));
    let mut changes = Vec::new();
    for key in ma.keys().chain(mb.keys().filter(|k| !ma.contains_key(*k))) {
        let (x, y) = (ma.get(key), mb.get(key));
        let both = x.is_some() && y.is_some();
        let same = match (x, y) {
            (Some(x), Some(y)) => x.value == y.value && interval(x) == interval(y),
            _ => false,
        };
        if (only_differences && same) || (!only_differences && !both) {
            continue;
        }
        let va = x.and_then(|m| m.value);
        let vb = y.and_then(|m| m.value);
        let ci = proportion(y)
            .zip(proportion(x))
            .map(|(eb, ea)| newcombe(eb, ea));
        changes.push(MetricChange {
            id: key.0.clone(),
            stream: key.1.clone(),
            segment: key.2.clone(),
            arm: key.3.clone(),
            previous: va,
            current: vb,
            previous_interval: x.and_then(interval),
            current_interval: y.and_then(interval),
            change: va.zip(vb).map(|(p, q)| q - p),
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            significant: ci.map(|(low, high)| low > 0.0 || high < 0.0),
        });
    }
    changes
}

/// The `lineage` block of `current`, built on the bundle at `previous`.
pub fn lineage(previous: &Path, current: &Summary) -> Result<Lineage> {
    let (before, sha256) = read_bundle(previous)?;
    Ok(Lineage {
        previous: PreviousSubmission {
            sha256,
            period_start: before.submission.period.start,
            period_end: before.submission.period.end,
            generated_at: before.generated_at.clone(),
        },
        changes: metric_changes(&before, current, false),
    })
}
