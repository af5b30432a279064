//! `sandbox-report diff A B`: what changed from bundle A to bundle B (two periods, a bundle and
//! its amendment, any two): the inputs by hash, the metric values with the 95% interval of
//! each change of a proportion (Newcombe, as for `delta`), the criteria's statuses and the
//! findings' counts. Each bundle is verified against its manifest first. Exit code as `diff`:
//! 0 equal, 1 different, 2 on error.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::args::{DiffArgs, ReportFormat};
use crate::bundle::{MANIFEST_FILE, Manifest};
use crate::error::{Error, Outcome, Result};
use crate::metrics::stats::{Estimate, newcombe};
use crate::model::{Metric, Summary};

/// What changed between two bundles.
#[derive(Debug, Default, Serialize)]
struct Changes {
    equal: bool,
    inputs: Vec<InputChange>,
    metrics: Vec<MetricChange>,
    criteria: Vec<CriterionChange>,
    findings: Vec<FindingChange>,
}

#[derive(Debug, Serialize)]
struct InputChange {
    stream: String,
    path: String,
    /// `added`, `removed` or `changed`.
    change: &'static str,
    a: Option<String>,
    b: Option<String>,
}

#[derive(Debug, Serialize)]
struct MetricChange {
    id: String,
    stream: String,
    segment: Option<String>,
    arm: Option<String>,
    a: Option<f64>,
    b: Option<f64>,
    a_interval: Option<(f64, f64)>,
    b_interval: Option<(f64, f64)>,
    /// b − a.
    change: Option<f64>,
    /// The 95% interval of the change of a proportion (Newcombe).
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    /// Whether that interval excludes 0.
    significant: Option<bool>,
}

#[derive(Debug, Serialize)]
struct CriterionChange {
    criterion: String,
    a: Option<String>,
    b: Option<String>,
}

#[derive(Debug, Serialize)]
struct FindingChange {
    code: String,
    a: u64,
    b: u64,
}

pub fn run(args: &DiffArgs) -> Result<Outcome> {
    let a = read_bundle(&args.a)?;
    let b = read_bundle(&args.b)?;
    let changes = compare(&a, &b);
    match args.format {
        ReportFormat::Json => {
            let text = serde_json::to_string_pretty(&changes).map_err(Error::Serialise)?;
            crate::outln!("{text}");
        }
        ReportFormat::Text => print(&changes),
    }
    Ok(if changes.equal {
        Outcome::Success
    } else {
        Outcome::InputErrors
    })
}

/// A bundle's summary, once its files match its manifest.
fn read_bundle(bundle: &Path) -> Result<Summary> {
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
    let text = std::fs::read(&path).map_err(|source| Error::Input {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|e| Error::Manifest {
        path,
        reason: format!("not a summary.json this version reads: {e}"),
    })
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

fn compare(a: &Summary, b: &Summary) -> Changes {
    let mut changes = Changes::default();
    let inputs = |s: &Summary| -> BTreeMap<(String, String), String> {
        s.inputs
            .iter()
            .map(|i| ((i.stream.clone(), i.path.clone()), i.sha256.clone()))
            .collect()
    };
    let (ia, ib) = (inputs(a), inputs(b));
    for key in ia.keys().chain(ib.keys().filter(|k| !ia.contains_key(*k))) {
        let (ha, hb) = (ia.get(key), ib.get(key));
        let change = match (ha, hb) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(_), Some(_)) => "changed",
            (Some(_), None) => "removed",
            _ => "added",
        };
        changes.inputs.push(InputChange {
            stream: key.0.clone(),
            path: key.1.clone(),
            change,
            a: ha.cloned(),
            b: hb.cloned(),
        });
    }
    let metrics = |s: &Summary| -> BTreeMap<_, Metric> {
        s.metrics
            .iter()
            .map(|m| (metric_key(m), m.clone()))
            .collect()
    };
    let (ma, mb) = (metrics(a), metrics(b));
    for key in ma.keys().chain(mb.keys().filter(|k| !ma.contains_key(*k))) {
        let (x, y) = (ma.get(key), mb.get(key));
        let same = match (x, y) {
            (Some(x), Some(y)) => x.value == y.value && interval(x) == interval(y),
            _ => false,
        };
        if same {
            continue;
        }
        let va = x.and_then(|m| m.value);
        let vb = y.and_then(|m| m.value);
        let proportion = |m: Option<&Metric>| {
            let m = m?;
            (m.unit == "ratio" && m.numerator.is_some() && m.denominator.is_some())
                .then(|| {
                    Some(Estimate {
                        value: m.value?,
                        low: m.ci_low?,
                        high: m.ci_high?,
                    })
                })
                .flatten()
        };
        let ci = proportion(y)
            .zip(proportion(x))
            .map(|(eb, ea)| newcombe(eb, ea));
        changes.metrics.push(MetricChange {
            id: key.0.clone(),
            stream: key.1.clone(),
            segment: key.2.clone(),
            arm: key.3.clone(),
            a: va,
            b: vb,
            a_interval: x.and_then(interval),
            b_interval: y.and_then(interval),
            change: va.zip(vb).map(|(p, q)| q - p),
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            significant: ci.map(|(low, high)| low > 0.0 || high < 0.0),
        });
    }
    let criteria = |s: &Summary| -> BTreeMap<String, String> {
        s.criteria
            .iter()
            .map(|c| {
                let mut name = format!("{} {} {}", c.metric, c.op.as_str(), c.threshold);
                if let Some(stream) = &c.stream {
                    name.push_str(&format!(" [{stream}]"));
                }
                if let Some(segment) = &c.segment {
                    name.push_str(&format!(" {}", segment.attribute));
                    if let Some(v) = &segment.value {
                        name.push_str(&format!("={v}"));
                    }
                }
                if let Some(arm) = c.arm {
                    name.push_str(&format!(" arm {}", arm.as_str()));
                }
                (name, c.status.as_str().to_string())
            })
            .collect()
    };
    let (ca, cb) = (criteria(a), criteria(b));
    for key in ca.keys().chain(cb.keys().filter(|k| !ca.contains_key(*k))) {
        let (x, y) = (ca.get(key), cb.get(key));
        if x != y {
            changes.criteria.push(CriterionChange {
                criterion: key.clone(),
                a: x.cloned(),
                b: y.cloned(),
            });
        }
    }
    let findings = |s: &Summary| -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for f in &s.findings {
            *counts.entry(f.code.as_str().to_string()).or_insert(0) += f.count;
        }
        counts
    };
    let (fa, fb) = (findings(a), findings(b));
    for key in fa.keys().chain(fb.keys().filter(|k| !fa.contains_key(*k))) {
        let (x, y) = (
            fa.get(key).copied().unwrap_or(0),
            fb.get(key).copied().unwrap_or(0),
        );
        if x != y {
            changes.findings.push(FindingChange {
                code: key.clone(),
                a: x,
                b: y,
            });
        }
    }
    changes.equal = changes.inputs.is_empty()
        && changes.metrics.is_empty()
        && changes.criteria.is_empty()
        && changes.findings.is_empty();
    changes
}

fn number(x: Option<f64>) -> String {
    match x {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
        Some(v) => format!("{v:.4}"),
        None => "—".into(),
    }
}

fn print(c: &Changes) {
    if c.equal {
        crate::outln!("no differences: the same inputs, metrics, criteria and findings");
        return;
    }
    crate::outln!("inputs: {} changed", c.inputs.len());
    for i in &c.inputs {
        let short = |h: &Option<String>| {
            h.as_deref()
                .map_or("—".to_string(), |h| h.chars().take(12).collect())
        };
        crate::outln!(
            "  {} {} {}: {} → {}",
            i.change,
            i.stream,
            i.path,
            short(&i.a),
            short(&i.b)
        );
    }
    crate::outln!("metrics: {} changed", c.metrics.len());
    for m in &c.metrics {
        let mut name = format!("{} [{}]", m.id, m.stream);
        if let Some(s) = &m.segment {
            name.push_str(&format!(" {s}"));
        }
        if let Some(a) = &m.arm {
            name.push_str(&format!(" arm {a}"));
        }
        let mut line = format!("  {name}: {} → {}", number(m.a), number(m.b));
        match m.change {
            Some(change) if change.fract() == 0.0 && change.abs() < 1e15 => {
                line.push_str(&format!(", change {:+}", change as i64));
            }
            Some(change) => line.push_str(&format!(", change {change:+.4}")),
            None => {}
        }
        if let (Some(low), Some(high), Some(sig)) = (m.ci_low, m.ci_high, m.significant) {
            let word = if sig {
                "significant"
            } else {
                "not significant"
            };
            line.push_str(&format!(" (95% CI {low:+.4} to {high:+.4}, {word})"));
        }
        crate::outln!("{line}");
    }
    crate::outln!("criteria: {} changed", c.criteria.len());
    for k in &c.criteria {
        let s = |x: &Option<String>| x.clone().unwrap_or_else(|| "—".into());
        crate::outln!("  {}: {} → {}", k.criterion, s(&k.a), s(&k.b));
    }
    crate::outln!("findings: {} codes changed", c.findings.len());
    for f in &c.findings {
        crate::outln!("  {}: {} → {}", f.code, f.a, f.b);
    }
}
