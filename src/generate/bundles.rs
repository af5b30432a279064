//! Synthetic evidence bundles for cohort tests and benchmarks: `count` banks, each with a
//! summary.json in the summary-v1 shape (headline metrics, a segment, incidents, criteria,
//! findings) and a manifest.json that matches it. No logs are involved, so a thousand bundles
//! take a second.

use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::bundle::hash::sha256_bytes;

const FAMILIES: [(&str, &str, &[&str]); 4] = [
    (
        "anti_fraud",
        "detection",
        &[
            "detection.recall",
            "detection.precision",
            "detection.fpr",
            "detection.alert_rate",
        ],
    ),
    (
        "deepfake_defence",
        "detection",
        &["detection.recall", "detection.bpcer", "detection.apcer_max"],
    ),
    (
        "customer_experience",
        "assistant",
        &[
            "assistant.resolution_rate",
            "assistant.escalation_rate",
            "assistant.hallucination_rate",
        ],
    ),
    (
        "risk_management",
        "redteam",
        &["redteam.attack_success_rate", "redteam.over_refusal_rate"],
    ),
];

fn ratio(id: &str, stream: &str, value: f64, n: u64, segment: Value) -> Value {
    json!({"id": id, "stream": stream, "value": value, "ci_low": null, "ci_high": null,
           "numerator": (value * n as f64).round(), "denominator": n, "unit": "ratio",
           "segment": segment, "arm": null})
}

/// The summary of bank number `i`.
fn summary(i: usize, rng: &mut ChaCha8Rng) -> Value {
    let (family, kind, ids) = FAMILIES[i % FAMILIES.len()];
    let events: u64 = rng.random_range(500..50_000);
    let mut metrics = Vec::new();
    for id in ids {
        let value: f64 = rng.random_range(0.01..0.99);
        metrics.push(ratio(
            id,
            "log",
            (value * 10_000.0).round() / 10_000.0,
            events,
            Value::Null,
        ));
        for group in ["18-29", "60+"] {
            let value: f64 = rng.random_range(0.01..0.99);
            metrics.push(ratio(
                id,
                "log",
                (value * 10_000.0).round() / 10_000.0,
                events / 4,
                json!({"attribute": "age_band", "value": group}),
            ));
        }
    }
    let incidents: u64 = rng.random_range(0..20);
    metrics.push(json!({"id": "incidents.total", "stream": "log", "value": incidents, "ci_low": null, "ci_high": null,
                        "numerator": null, "denominator": null, "unit": "count", "segment": null, "arm": null}));
    metrics.push(json!({"id": "incidents.total", "stream": "log", "value": incidents, "ci_low": null, "ci_high": null,
                        "numerator": null, "denominator": null, "unit": "count",
                        "segment": {"attribute": "incident_type", "value": "hallucination"}, "arm": null}));
    let threshold = 0.5;
    let first = metrics[0]["value"].as_f64().unwrap_or(0.0);
    json!({
        "schema": "sandbox-report/summary", "schema_version": 1,
        "tool": {"name": "sandbox-report", "version": "0.1.0"},
        "generated_at": "2025-10-01T00:00:00Z",
        "submission": {"institution": {"id": format!("BANK-{i:04}"), "name": format!("Synthetic Bank {i} (Fictional)")},
                       "programme": "Synthetic programme", "cohort": "1",
                       "use_case": {"id": format!("UC-{i:04}"), "title": "Synthetic use case", "family": family},
                       "period": {"start": "2025-07-01", "end": "2025-09-30"}},
        "streams": [{"name": "log", "kind": kind, "events": events}],
        "metrics": metrics,
        "series": [],
        "criteria": [{"metric": ids[0], "stream": "log", "segment": null, "arm": null, "op": ">=",
                      "threshold": threshold, "value": first, "status": if first >= threshold { "pass" } else { "fail" }}],
        "reconciliation": [],
        "findings": [{"severity": "warning", "code": "label_missing", "message": "label is empty", "stream": "log",
                      "file": "log.csv", "row": 3, "column": "label", "count": rng.random_range(1..100)}],
        "inputs": []
    })
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    text.push('\n');
    text
}

/// Writes `count` bundles into `dir/bank-NNNN/`; returns the folders.
pub fn write(dir: &Path, count: usize, seed: u64) -> std::io::Result<Vec<PathBuf>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut written = Vec::with_capacity(count);
    for i in 0..count {
        let folder = dir.join(format!("bank-{i:04}"));
        std::fs::create_dir_all(&folder)?;
        let summary = pretty(&summary(i, &mut rng));
        let manifest = json!({
            "schema": "sandbox-report/manifest", "schema_version": 1,
            "tool": {"name": "sandbox-report", "version": "0.1.0"}, "created": "2025-10-01T00:00:00Z",
            "inputs": [],
            "outputs": [{"path": "summary.json", "bytes": summary.len(), "sha256": sha256_bytes(summary.as_bytes())}]
        });
        std::fs::write(folder.join("summary.json"), &summary)?;
        std::fs::write(folder.join("manifest.json"), pretty(&manifest))?;
        written.push(folder);
    }
    Ok(written)
}
