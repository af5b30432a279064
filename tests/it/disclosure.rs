//! Issue 28's attacker: a bank that knows its own values reads the shareable outputs of a
//! cohort of 2, 3, 4, 5 and 8 banks and tries the standard derivations (the median of an odd
//! count, quartile interpolation `2·Q1 − median`, `4·Q − 3·own`, min and max, totals minus
//! own or minus the published parts). No peer's exact value may follow, and text only one
//! bank uses (a segment value, a stream name) and every bank label appear in no byte of a
//! shareable output. The same attacker run on the restricted cohort.json must succeed: it is
//! the regulator's working file, and the proof that the attacker would see a leak.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::cohort_support::{cohort, read, write_summary};
use crate::common::*;

/// The bank-unique segment value and stream name of bank 0.
const UNIQUE_SEGMENT: &str = "Tai O Village";
const UNIQUE_STREAM: &str = "tai-o-card-watch";

/// Bank `i`'s recall, overall and in the shared branch group (4 decimals, no two equal, none
/// on a band boundary).
fn recall(i: usize) -> f64 {
    0.8123 + 0.0171 * i as f64 + 0.0003 * (i * i) as f64
}

fn branch_recall(i: usize) -> f64 {
    0.7011 + 0.0233 * i as f64
}

/// Bank `i`'s incidents: hallucination (every bank), data_leak (bank 0 only).
fn incidents(i: usize) -> (f64, f64) {
    (3.0 + 2.0 * i as f64, if i == 0 { 7.0 } else { 0.0 })
}

fn ratio(id: &str, stream: &str, value: f64, segment: Value) -> Value {
    json!({"id": id, "stream": stream, "value": value, "ci_low": null, "ci_high": null,
           "numerator": null, "denominator": null, "unit": "ratio", "segment": segment, "arm": null})
}

fn count(stream: &str, value: f64, segment: Value) -> Value {
    json!({"id": "incidents.total", "stream": stream, "value": value, "ci_low": null, "ci_high": null,
           "numerator": null, "denominator": null, "unit": "count", "segment": segment, "arm": null})
}

/// Bank `i`'s bundle: one anti-fraud stream with recall overall and per branch (`Central`,
/// shared by all; bank 0 also `Tai O Village`), and incidents by type.
fn bank_summary(i: usize) -> Value {
    let stream = if i == 0 { UNIQUE_STREAM } else { "cards" };
    let (hallucination, leak) = incidents(i);
    let mut metrics = vec![
        ratio("detection.recall", stream, recall(i), Value::Null),
        ratio(
            "detection.recall",
            stream,
            branch_recall(i),
            json!({"attribute": "branch", "value": "Central"}),
        ),
        count(stream, hallucination + leak, Value::Null),
        count(
            stream,
            hallucination,
            json!({"attribute": "incident_type", "value": "hallucination"}),
        ),
    ];
    if i == 0 {
        metrics.push(ratio(
            "detection.recall",
            stream,
            0.6547,
            json!({"attribute": "branch", "value": UNIQUE_SEGMENT}),
        ));
        metrics.push(count(
            stream,
            leak,
            json!({"attribute": "incident_type", "value": "data_leak"}),
        ));
    }
    json!({
        "schema": "sandbox-report/summary", "schema_version": 1, "tool": {"name": "x", "version": "1"},
        "generated_at": "2025-10-01T00:00:00Z",
        "submission": {"institution": {"id": format!("BANK-{i}"), "name": format!("Harbour {i} Bank")},
                       "programme": "P", "cohort": "1",
                       "use_case": {"id": "UC-1", "title": "T", "family": "anti_fraud"},
                       "period": {"start": "2025-07-01", "end": "2025-09-30"}},
        "streams": [{"name": stream, "kind": "detection", "events": 1000 + 10 * i}],
        "metrics": metrics,
        "criteria": [],
        "findings": []
    })
}

/// Writes a cohort of `n` banks and runs `cohort` on it; returns the folder and the output.
fn run_cohort(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        write_summary(&dir.path().join(format!("in/b{i}")), &bank_summary(i));
    }
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    let made = cohort(
        &[input.as_path()],
        &out,
        &["--format", "pdf,html,md", "--letters"],
    );
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    (dir, out)
}

/// A metric group's key as both files write it: metric id and segment value (overall: "").
fn group_key(m: &Value) -> String {
    let segment = m["segment"]["value"].as_str().unwrap_or("");
    format!("{}|{segment}", m["id"].as_str().unwrap_or_default())
}

/// Every bank's exact value per group (recall overall, recall per branch) and incident cell.
fn truth(n: usize) -> BTreeMap<String, Vec<f64>> {
    let mut t: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for i in 0..n {
        t.entry("detection.recall|".into())
            .or_default()
            .push(recall(i));
        t.entry("detection.recall|Central".into())
            .or_default()
            .push(branch_recall(i));
        let (hallucination, leak) = incidents(i);
        t.entry("incidents|hallucination".into())
            .or_default()
            .push(hallucination);
        t.entry("incidents|".into())
            .or_default()
            .push(hallucination + leak);
    }
    t.insert(format!("detection.recall|{UNIQUE_SEGMENT}"), vec![0.6547]);
    t.insert("incidents|data_leak".into(), vec![7.0]);
    t
}

/// The numbers a file publishes about each group: statistics (not counts of banks), bands'
/// bounds, per-bank values, incident totals.
fn published(file: &Value) -> BTreeMap<String, Vec<f64>> {
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for m in file["metrics"].as_array().into_iter().flatten() {
        let numbers = out.entry(group_key(m)).or_default();
        for field in ["median", "q1", "q3", "min", "max", "mean"] {
            match &m[field] {
                Value::Number(v) => numbers.extend(v.as_f64()),
                Value::Object(band) => {
                    numbers.extend(band.values().filter_map(Value::as_f64));
                }
                _ => {}
            }
        }
        for v in m["values"].as_array().into_iter().flatten() {
            numbers.extend(v["value"].as_f64());
        }
    }
    for r in file["incidents"].as_array().into_iter().flatten() {
        let cell = r["type"].as_str().or(r["severity"].as_str()).unwrap_or("");
        out.entry(format!("incidents|{cell}"))
            .or_default()
            .extend(r["total"].as_f64());
    }
    out
}

/// What bank `me` can work out about each group from `published` and its own values: every
/// published number, `2a − b`, `4a − 3b` and `(4a − b) / 3` over published numbers and its
/// own value, a total minus its own value, and a total minus the other published parts.
fn derived(
    published: &BTreeMap<String, Vec<f64>>,
    own: &BTreeMap<String, f64>,
) -> BTreeMap<String, Vec<f64>> {
    let mut out = BTreeMap::new();
    for (group, numbers) in published {
        let mut known = numbers.clone();
        known.extend(own.get(group));
        let mut candidates = known.clone();
        for a in &known {
            for b in &known {
                candidates.extend([2.0 * a - b, 4.0 * a - 3.0 * b, (4.0 * a - b) / 3.0]);
            }
        }
        out.insert(group.clone(), candidates);
    }
    let total = published.get("incidents|").and_then(|t| t.first().copied());
    if let Some(total) = total {
        let parts: Vec<(&String, f64)> = published
            .iter()
            .filter(|(g, _)| g.starts_with("incidents|") && g.as_str() != "incidents|")
            .filter_map(|(g, v)| Some((g, *v.first()?)))
            .collect();
        for (group, _) in published
            .iter()
            .filter(|(g, _)| g.starts_with("incidents|"))
        {
            let others: f64 = parts
                .iter()
                .filter(|(g, _)| *g != group)
                .map(|(_, v)| v)
                .sum();
            let mine = own.get(group).copied().unwrap_or(0.0);
            let guesses = out.entry(group.clone()).or_default();
            guesses.extend([total - mine, total - others, total - others - mine]);
        }
    }
    out
}

/// Whether only bank 0 has a value in `group` (its unique segment value and incident type).
fn unique(group: &str) -> bool {
    group == "incidents|data_leak" || group.ends_with(UNIQUE_SEGMENT)
}

/// The bank whose value `truth[group][index]` is.
fn owner(group: &str, index: usize) -> usize {
    if unique(group) { 0 } else { index }
}

/// The peers' exact values bank `me` can derive from `file`: (group, value).
fn leaks(file: &Value, n: usize, me: usize) -> Vec<(String, f64)> {
    let truth = truth(n);
    let own: BTreeMap<String, f64> = truth
        .iter()
        .filter_map(|(g, values)| {
            let index = values
                .iter()
                .enumerate()
                .position(|(i, _)| owner(g, i) == me)?;
            Some((g.clone(), values[index]))
        })
        .collect();
    let mut found = Vec::new();
    for (group, guesses) in derived(&published(file), &own) {
        let Some(values) = truth.get(&group) else {
            continue;
        };
        for (index, value) in values.iter().enumerate() {
            let peer = owner(&group, index) != me;
            if peer && guesses.iter().any(|g| (g - value).abs() < 1e-9) {
                found.push((group.clone(), *value));
            }
        }
    }
    found.sort_by(|a, b| a.partial_cmp(b).unwrap());
    found.dedup();
    found
}

/// Every file of `out/shareable`, a PDF with its streams decompressed by qpdf (`--qdf`), so
/// that a secret in a compressed page or attachment shows as bytes.
fn shareable_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot(&out.join("shareable"))
        .into_iter()
        .map(|(p, bytes)| {
            let name = p.to_string_lossy().into_owned();
            if name.ends_with(".pdf") {
                let path = out.join("shareable").join(&p);
                let plain = out.join("plain.pdf");
                let done = std::process::Command::new("qpdf")
                    .args(["--qdf", "--object-streams=disable"])
                    .arg(&path)
                    .arg(&plain)
                    .status()
                    .expect("qpdf (apt-get install qpdf)");
                assert!(done.success(), "qpdf --qdf {name}");
                let mut bytes = std::fs::read(&plain).unwrap();
                std::fs::remove_file(&plain).unwrap();
                // Page text is glyph ids in the streams: add the text pdftotext reads.
                let text = std::process::Command::new("pdftotext")
                    .arg(&path)
                    .arg("-")
                    .output()
                    .expect("pdftotext (apt-get install poppler-utils)");
                bytes.extend(text.stdout);
                (name, bytes)
            } else {
                (name, bytes)
            }
        })
        .collect()
}

/// The files attached to `pdf` (pdfdetach -saveall), by name.
fn attachments(pdf: &Path) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let done = std::process::Command::new("pdfdetach")
        .arg("-saveall")
        .arg("-o")
        .arg(dir.path())
        .arg(pdf)
        .status()
        .expect("pdfdetach (apt-get install poppler-utils)");
    assert!(done.success());
    snapshot(dir.path())
        .into_iter()
        .map(|(p, b)| (p.to_string_lossy().into_owned(), b))
        .collect()
}

/// The letters of `out`: (bank index by the own recall it shows, text).
fn letters(out: &Path, n: usize) -> Vec<(usize, String)> {
    snapshot(&out.join("letters"))
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "md"))
        .map(|(_, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let me = (0..n)
                .find(|i| text.contains(&percent(recall(*i))))
                .expect("a letter shows its bank's recall");
            (me, text)
        })
        .collect()
}

/// A ratio as the reports print it: `86.63%`.
fn percent(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

#[test]
fn no_bank_reads_a_peers_value_or_label_in_its_letter() {
    for n in [2, 3, 4, 5, 8] {
        let (_dir, out) = run_cohort(n);
        let restricted = read(&out.join("cohort.json"));
        let labels = texts(&restricted["bundles"]["accepted"], "bank");
        let letters = letters(&out, n);
        assert_eq!(letters.len(), n);
        for (me, text) in &letters {
            for peer in (0..n).filter(|p| p != me) {
                for value in [recall(peer), branch_recall(peer)] {
                    assert!(
                        !text.contains(&percent(value)),
                        "{n} banks: bank {me} reads {value}: {text}"
                    );
                }
            }
            let own_label = labels.iter().filter(|l| text.contains(*l)).count();
            assert_eq!(
                own_label, 1,
                "{n} banks: bank {me}'s letter names one bank: {text}"
            );
            for secret in [
                UNIQUE_SEGMENT,
                "cards",
                "BANK-",
                "Harbour",
                "P50",
                "P33",
                "P66",
            ] {
                assert!(
                    !text.contains(secret),
                    "{n} banks: bank {me}'s letter holds {secret:?}"
                );
            }
        }
    }
}

#[test]
fn no_bank_derives_a_peers_value_from_the_shareable_cohort() {
    for n in [2, 3, 4, 5, 8] {
        let (_dir, out) = run_cohort(n);
        let shared = read(&out.join("shareable/cohort.json"));
        assert_eq!(shared["audience"], "shareable");
        // The shareable PDF carries the shareable JSON, byte for byte, and nothing else.
        let attached = attachments(&out.join("shareable/cohort.pdf"));
        assert_eq!(
            attached.keys().collect::<Vec<_>>(),
            ["cohort.json"],
            "{n} banks"
        );
        assert_eq!(
            attached["cohort.json"],
            std::fs::read(out.join("shareable/cohort.json")).unwrap()
        );
        for me in 0..n {
            assert_eq!(
                leaks(&shared, n, me),
                [],
                "{n} banks, bank {me}: {shared:#}"
            );
        }
        for (name, bytes) in shareable_files(&out) {
            let text = String::from_utf8_lossy(&bytes);
            for secret in [
                UNIQUE_SEGMENT,
                UNIQUE_STREAM,
                "cards",
                "BANK-",
                "Harbour",
                "Bank ",
            ] {
                assert!(!text.contains(secret), "{n} banks: {name} holds {secret:?}");
            }
        }
    }
}

#[test]
fn the_attacker_finds_peers_values_in_the_restricted_cohort_json() {
    // Three banks: the median is the middle bank's recall, and each bank reads every
    // peer's value in `values`; cohort.json is the regulator's restricted file.
    let (_dir, out) = run_cohort(3);
    let restricted = read(&out.join("cohort.json"));
    assert_eq!(restricted["audience"], "restricted");
    let found = leaks(&restricted, 3, 0);
    assert!(
        found.contains(&("detection.recall|".into(), recall(1))),
        "{found:?}"
    );
    assert!(
        found.contains(&("detection.recall|".into(), recall(2))),
        "{found:?}"
    );
}

#[test]
fn the_shareable_cohort_of_eight_publishes_bands_counts_and_shared_text_only() {
    let (_dir, out) = run_cohort(8);
    let shared = read(&out.join("shareable/cohort.json"));
    assert_eq!(shared["schema"], "sandbox-report/cohort-shareable");
    assert_eq!(shared["banks"], 8);
    assert_eq!(shared["policy"]["min_banks_count"], 3);
    assert_eq!(shared["policy"]["min_banks_quantile"], 5);
    let overall = shared["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "detection.recall" && m["segment"].is_null())
        .unwrap();
    // Recall of banks 0..7: 0.8123 + 0.0171 i + 0.0003 i²; median of the 8 values is the mean
    // of banks 3 and 4 (0.8663 and 0.8855): 0.8759, in [0.85, 0.90).
    assert_eq!(overall["banks"], 8);
    assert_eq!(overall["median"], json!({"low": 0.85, "high": 0.9}));
    assert!(overall.get("min").is_none() && overall.get("max").is_none());
    let branches: Vec<&Value> = shared["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["segment"]["attribute"] == "branch")
        .collect();
    let values: Vec<&str> = branches
        .iter()
        .map(|m| m["segment"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Central", "other"]);
    assert_eq!(branches[1]["banks"], Value::Null, "one bank behind `other`");
    let types: Vec<(Option<&str>, &Value)> = shared["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["type"].as_str(), &r["total"]))
        .collect();
    // All: 3+5+...+17 = 80 plus bank 0's 7 = 87; hallucination 80; data_leak (one bank) folds
    // into `other`, withheld, and hallucination is withheld with it (87 − 80 = 7 otherwise).
    assert_eq!(
        types,
        [
            (None, &json!(87)),
            (Some("hallucination"), &Value::Null),
            (Some("other"), &Value::Null)
        ]
    );
}
