//! The sample cohort: eight more fictional banks (small logs, different families, sizes and
//! formats, one A/B trial, failing criteria), whose bundles join the four main samples in the
//! demo's cohort summary, plus two bundles that must be rejected: one tampered with after it
//! was signed off, one with an unsupported schema version.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;
use serde_json::json;

use super::frames::{self, AssistantSpec, DetectionSpec, RedteamSpec, Timeline};
use super::samples::{text_file, write_monthly};
use super::write::{TimeStyle, style_timestamps};
use crate::bundle::hash::sha256_bytes;

const HK: chrono_tz::Tz = chrono_tz::Asia::Hong_Kong;

/// One sample bank of the cohort.
struct Bank {
    folder: &'static str,
    id: &'static str,
    name: &'static str,
    use_case: &'static str,
    title: &'static str,
    family: &'static str,
    kind: &'static str,
    criteria: &'static str,
}

fn timeline() -> Timeline {
    Timeline {
        start: NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date"),
        days: 92,
        tz: HK,
        lead_in_hours: 0,
    }
}

fn detection(
    rows: usize,
    prefix: &str,
    positive_mean: f64,
    species: &[(&str, f64, f64)],
    arms: bool,
) -> DetectionSpec {
    DetectionSpec {
        rows,
        timeline: timeline(),
        id_prefix: prefix.into(),
        prevalence: 0.03,
        weekend_factor: 1.4,
        positive_mean,
        negative_mean: 0.22,
        spread: 0.15,
        threshold: 0.5,
        recent_unlabelled: 0.1,
        with_amount: species.is_empty(),
        species: species
            .iter()
            .map(|(s, p, d)| (s.to_string(), *p, *d))
            .collect(),
        with_arms: arms,
        with_segments: species.is_empty(),
        with_oversight: species.is_empty(),
        models: ("model-1".into(), "model-2".into()),
    }
}

fn assistant(rows: usize, prefix: &str, escalation: f64, hallucination: f64) -> AssistantSpec {
    AssistantSpec {
        rows,
        timeline: timeline(),
        id_prefix: prefix.into(),
        escalation,
        abandonment: 0.06,
        hallucination,
        latency_median_ms: 1900.0,
        models: ("assist-1".into(), "assist-2".into()),
    }
}

const BANKS: &[Bank] = &[
    Bank {
        folder: "orchid-harbour-bank",
        id: "ORC-005",
        name: "Orchid Harbour Bank (Fictional)",
        use_case: "UC-OH-01",
        title: "Card-not-present fraud scoring",
        family: "anti_fraud",
        kind: "detection",
        criteria: "  - { metric: detection.recall, op: \">=\", value: 0.80 }\n  - { metric: detection.fpr, op: \"<=\", value: 0.03 }\n",
    },
    Bank {
        folder: "silver-ferry-bank",
        id: "SFB-006",
        name: "Silver Ferry Bank (Example)",
        use_case: "UC-SF-02",
        title: "AML alert triage against the rule engine",
        family: "anti_fraud",
        kind: "detection",
        criteria: "  - { metric: detection.precision, arm: ai, op: \">=\", value: 0.40 }\n  - { metric: detection.precision, arm: delta, op: \">=\", value: 0.0 }\n",
    },
    Bank {
        folder: "jade-lantern-savings",
        id: "JLS-007",
        name: "Jade Lantern Savings (Sample)",
        use_case: "UC-JL-01",
        title: "Faster-payment mule detection",
        family: "anti_fraud",
        kind: "detection",
        criteria: "  - { metric: detection.recall, op: \">=\", value: 0.85 }\n  - { metric: detection.fpr, op: \"<=\", value: 0.01 }\n",
    },
    Bank {
        folder: "typhoon-shelter-bank",
        id: "TSB-008",
        name: "Typhoon Shelter Bank (Imaginary)",
        use_case: "UC-TS-04",
        title: "Selfie liveness in mobile onboarding",
        family: "deepfake_defence",
        kind: "detection",
        criteria: "  - { metric: detection.bpcer, op: \"<=\", value: 0.05 }\n  - { metric: detection.apcer_max, op: \"<=\", value: 0.15 }\n",
    },
    Bank {
        folder: "dragon-gate-credit",
        id: "DGC-009",
        name: "Dragon Gate Credit (Fictional)",
        use_case: "UC-DG-02",
        title: "Voice deepfake detection in the call centre",
        family: "deepfake_defence",
        kind: "detection",
        criteria: "  - { metric: detection.bpcer, op: \"<=\", value: 0.03 }\n",
    },
    Bank {
        folder: "lamma-island-bank",
        id: "LIB-010",
        name: "Lamma Island Bank (Example)",
        use_case: "UC-LI-03",
        title: "GenAI assistant for mortgage enquiries",
        family: "customer_experience",
        kind: "assistant",
        criteria: "  - { metric: assistant.hallucination_rate, op: \"<=\", value: 0.03 }\n  - { metric: assistant.resolution_rate, op: \">=\", value: 0.65 }\n",
    },
    Bank {
        folder: "mid-levels-mutual",
        id: "MLM-011",
        name: "Mid-Levels Mutual (Sample)",
        use_case: "UC-ML-01",
        title: "GenAI assistant for account servicing",
        family: "customer_experience",
        kind: "assistant",
        criteria: "  - { metric: assistant.escalation_rate, op: \"<=\", value: 0.25 }\n",
    },
    Bank {
        folder: "cheung-chau-cooperative",
        id: "CCC-012",
        name: "Cheung Chau Co-operative Bank (Imaginary)",
        use_case: "UC-CC-01",
        title: "Red-teaming the customer chatbot",
        family: "risk_management",
        kind: "redteam",
        criteria: "  - { metric: redteam.attack_success_rate, op: \"<=\", value: 0.05 }\n",
    },
];

/// The frame of bank number `i`, in canonical columns.
fn frame(i: usize, seed: u64) -> PolarsResult<DataFrame> {
    let liveness = [
        ("bona_fide", 0.85, 0.0),
        ("printed_photo", 0.05, 0.1),
        ("face_swap", 0.06, -0.15),
        ("deepfake_video", 0.04, -0.2),
    ];
    let voice = [
        ("bona_fide", 0.8, 0.0),
        ("voice_clone", 0.1, -0.12),
        ("tts_synthesis", 0.06, -0.05),
        ("replay", 0.04, 0.05),
    ];
    match i {
        0 => frames::detection(&detection(3000, "OH", 0.66, &[], false), seed),
        1 => frames::detection(&detection(4000, "SF", 0.7, &[], true), seed),
        2 => frames::detection(&detection(2500, "JL", 0.75, &[], false), seed),
        3 => frames::detection(&detection(2500, "TS", 0.78, &liveness, false), seed),
        4 => frames::detection(&detection(2000, "DG", 0.74, &voice, false), seed),
        5 => frames::assistant(&assistant(3000, "LI", 0.2, 0.025), seed),
        6 => frames::assistant(&assistant(2500, "ML", 0.3, 0.04), seed),
        _ => frames::redteam(
            &RedteamSpec {
                rows: 1200,
                timeline: timeline(),
                id_prefix: "CC".into(),
                categories: vec![
                    ("prompt_injection".into(), 0.5, 0.08),
                    ("jailbreak".into(), 0.5, 0.06),
                ],
                benign_share: 0.1,
                over_refusal: 0.04,
                models: ("guard-1".into(), "guard-2".into()),
            },
            seed,
        ),
    }
}

/// The extension each bank exports in, so that every format appears.
fn extension(i: usize) -> (&'static str, TimeStyle) {
    match i % 4 {
        0 => ("csv.gz", TimeStyle::LocalNaive(HK)),
        1 => ("parquet", TimeStyle::Native(HK)),
        2 => ("csv", TimeStyle::LocalNaive(HK)),
        _ => ("jsonl", TimeStyle::Rfc3339(HK)),
    }
}

fn config(bank: &Bank, segments: bool) -> String {
    format!(
        "# Sample cohort submission (fictional bank), written by `sandbox-report-gen samples`.
schema_version: 1
timezone: Asia/Hong_Kong
currency: HKD
submission:
  institution: {{ id: {id}, name: \"{name}\" }}
  programme: \"HKMA GenA.I. Sandbox\"
  cohort: \"2\"
  use_case: {{ id: {uc}, title: \"{title}\", family: {family} }}
  period: {{ start: 2025-07-01, end: 2025-09-30 }}
streams:
  - {{ name: trial-log, kind: {kind}, path: logs }}
{segments}criteria:
{criteria}",
        id = bank.id,
        name = bank.name,
        uc = bank.use_case,
        title = bank.title,
        family = bank.family,
        kind = bank.kind,
        segments = if segments {
            "segments: [age_band, channel]\n"
        } else {
            ""
        },
        criteria = bank.criteria,
    )
}

/// Writes the eight cohort submissions and the two bundles to reject under `dir`.
pub fn write(dir: &Path, seed: u64) -> PolarsResult<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (i, bank) in BANKS.iter().enumerate() {
        let folder = dir.join("submissions").join(bank.folder);
        let data = frame(i, seed + i as u64)?;
        let segments = data
            .get_column_names()
            .iter()
            .any(|c| c.as_str() == "age_band");
        let (ext, style) = extension(i);
        let name = move |month: &str| format!("logs/{month}/events.{ext}");
        let prepare = move |part: DataFrame| style_timestamps(part, "timestamp", style);
        written.extend(write_monthly(&data, &folder, HK, &name, &prepare)?);
        written.push(text_file(
            folder.join("submission.yaml"),
            &config(bank, segments),
        )?);
    }
    written.extend(rejected(&dir.join("rejected"))?);
    written.push(text_file(dir.join("demo-pseudonym.key"), DEMO_KEY)?);
    Ok(written)
}

/// A published demo key: it makes the demo's pseudonyms reproducible. Never use it for a real
/// cohort, where the key must stay secret.
const DEMO_KEY: &str = "# DEMO ONLY: a public key that makes the demo reproducible. Never use it for a real cohort.\n5a4e6f1c2b3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddee\n";

/// A small summary of a fictional bank, in the summary-v1 shape.
fn small_summary(id: &str, schema_version: u32) -> serde_json::Value {
    json!({
        "schema": "sandbox-report/summary", "schema_version": schema_version,
        "tool": {"name": "sandbox-report", "version": "0.1.0"},
        "generated_at": "2025-10-02T09:00:00Z",
        "submission": {"institution": {"id": id, "name": "Rejected Sample Bank (Fictional)"},
                       "programme": "HKMA GenA.I. Sandbox", "cohort": "2",
                       "use_case": {"id": "UC-RX-01", "title": "Fraud alerting", "family": "anti_fraud"},
                       "period": {"start": "2025-07-01", "end": "2025-09-30"}},
        "streams": [{"name": "alerts", "kind": "detection", "events": 1000}],
        "metrics": [{"id": "detection.recall", "stream": "alerts", "value": 0.91, "ci_low": 0.85, "ci_high": 0.95,
                     "numerator": 91, "denominator": 100, "unit": "ratio", "segment": null, "arm": null}],
        "series": [], "criteria": [], "reconciliation": [], "findings": [], "inputs": []
    })
}

/// A bundle folder with summary.json and its manifest; `tamper` changes the summary after the
/// manifest was written.
fn fixture(dir: &Path, summary: &serde_json::Value, tamper: bool) -> PolarsResult<Vec<PathBuf>> {
    let mut text =
        serde_json::to_string_pretty(summary).map_err(|e| polars_err!(ComputeError: "{e}"))?;
    text.push('\n');
    let manifest = json!({
        "schema": "sandbox-report/manifest", "schema_version": 1,
        "tool": {"name": "sandbox-report", "version": "0.1.0"}, "created": "2025-10-02T09:00:00Z",
        "inputs": [],
        "outputs": [{"path": "summary.json", "bytes": text.len(), "sha256": sha256_bytes(text.as_bytes())}]
    });
    if tamper {
        // One digit changed after the manifest was made: recall 0.91 becomes 0.97.
        text = text.replacen("0.91", "0.97", 1);
    }
    let mut manifest_text =
        serde_json::to_string_pretty(&manifest).map_err(|e| polars_err!(ComputeError: "{e}"))?;
    manifest_text.push('\n');
    Ok(vec![
        text_file(dir.join("summary.json"), &text)?,
        text_file(dir.join("manifest.json"), &manifest_text)?,
    ])
}

fn rejected(dir: &Path) -> PolarsResult<Vec<PathBuf>> {
    let mut written = fixture(
        &dir.join("tampered-bundle"),
        &small_summary("RXT-098", 1),
        true,
    )?;
    written.extend(fixture(
        &dir.join("schema-invalid-bundle"),
        &small_summary("RXS-099", 99),
        false,
    )?);
    Ok(written)
}
