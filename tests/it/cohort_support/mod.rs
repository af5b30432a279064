//! Helpers shared by the cohort test files: hand-written bundles (summary.json with a manifest
//! that matches it), running `cohort` with a fixed pseudonymisation key, and reading outputs.

#![allow(dead_code)]

use std::path::Path;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::bin;

pub const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// One metric object of summary-v1 (no interval), for `arm` (None: a stream without arms).
pub fn metric(id: &str, value: f64, arm: Option<&str>) -> Value {
    json!({"id": id, "stream": "s", "value": value, "ci_low": null, "ci_high": null, "numerator": null,
           "denominator": null, "unit": "ratio", "segment": null, "arm": arm})
}

/// A summary of bank `id` in `family` with `metrics` (objects), period Jul–Sep 2025.
pub fn summary(id: &str, family: &str, metrics: Vec<Value>, generated_at: &str) -> Value {
    json!({
        "schema": "sandbox-report/summary", "schema_version": 1, "tool": {"name": "x", "version": "1"},
        "generated_at": generated_at,
        "submission": {"institution": {"id": id, "name": format!("{id} Bank")}, "programme": "P", "cohort": "1",
                       "use_case": {"id": "UC-1", "title": "T", "family": family},
                       "period": {"start": "2025-07-01", "end": "2025-09-30"}},
        "streams": [{"name": "s", "kind": "detection", "events": 100}],
        "metrics": metrics,
        "criteria": [{"metric": "detection.recall", "stream": "s", "segment": null, "arm": null, "op": ">=",
                      "threshold": 0.7, "value": null, "status": "pass"}],
        "findings": [{"severity": "warning", "code": "label_missing", "message": "m", "stream": "s", "file": "f",
                      "row": 1, "column": "label", "count": 4}]
    })
}

/// Writes a bundle (summary.json + manifest.json) for bank `id` with overall ratio `metrics`.
pub fn bundle(dir: &Path, id: &str, family: &str, metrics: &[(&str, f64)], generated_at: &str) {
    let metrics = metrics.iter().map(|(m, v)| metric(m, *v, None)).collect();
    write_summary(dir, &summary(id, family, metrics, generated_at));
}

/// Writes `summary` as summary.json with a manifest that matches it.
pub fn write_summary(dir: &Path, summary: &Value) {
    let generated_at = summary["generated_at"]
        .as_str()
        .unwrap_or("2025-10-01T00:00:00Z");
    write_bundle(
        dir,
        &serde_json::to_string_pretty(summary).unwrap(),
        generated_at,
    );
}

/// Writes `text` as summary.json with a manifest that matches it.
pub fn write_bundle(dir: &Path, text: &str, generated_at: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("summary.json"), text).unwrap();
    let manifest = json!({"schema": "sandbox-report/manifest", "schema_version": 1, "tool": {"name": "x", "version": "1"},
        "created": generated_at, "inputs": [],
        "outputs": [{"path": "summary.json", "bytes": text.len(), "sha256": hex::encode(Sha256::digest(text.as_bytes()))}]});
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string(&manifest).unwrap(),
    )
    .unwrap();
}

/// Bundles `b0`..`b2` under `dir`: banks BANK-0..2, anti-fraud, recall 0.9.
pub fn three_banks(dir: &Path) {
    for i in 0..3 {
        bundle(
            &dir.join(format!("b{i}")),
            &format!("BANK-{i}"),
            "anti_fraud",
            &[("detection.recall", 0.9)],
            "2025-10-01T00:00:00Z",
        );
    }
}

/// Runs `cohort DIRS -o OUT EXTRA` with the test key.
pub fn cohort(dirs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut cmd = bin();
    cmd.env("SANDBOX_REPORT_PSEUDONYM_KEY", KEY)
        .env_remove("SANDBOX_REPORT_TRUSTED_KEYS")
        .arg("cohort");
    for d in dirs {
        cmd.arg(d);
    }
    cmd.arg("-o").arg(out).args(extra).output().unwrap()
}

pub fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The overall groups of metric `id` in `family` for `arm` (one per currency for money).
pub fn group<'a>(c: &'a Value, family: &str, id: &str, arm: Option<&str>) -> Vec<&'a Value> {
    c["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["family"] == family
                && m["id"] == id
                && m["segment"].is_null()
                && m["arm"].as_str() == arm
        })
        .collect()
}
