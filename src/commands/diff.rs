//! `sandbox-report diff A B`: what changed from bundle A to bundle B (two periods, a bundle and
//! its amendment, any two): the inputs by hash, the metric values with the 95% interval of
//! each change of a proportion (Newcombe, as for `delta`), the criteria's statuses and the
//! findings' counts. Each bundle is verified against its manifest first. Exit code as `diff`:
//! 0 equal, 1 different, 2 on error.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::args::{DiffArgs, ReportFormat};
use crate::error::{Error, Outcome, Result};
use crate::lineage::{self, MetricChange};
use crate::model::Summary;

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
    let (a, _) = lineage::read_bundle(&args.a)?;
    let (b, _) = lineage::read_bundle(&args.b)?;
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
    changes.metrics = lineage::metric_changes(a, b, true);
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
        let mut line = format!("  {name}: {} → {}", number(m.previous), number(m.current));
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
