//! `build` end to end: hand-checked metric values, atomic and reproducible bundles.

use crate::common::*;
use serde_json::Value;

/// Wilson score interval, written out independently of the library.
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let z = 1.959963984540054_f64;
    let p = x / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

/// Ten events in June plus one in July (outside the period), one unlabelled.
/// decision/label:  TP: e1 e2 e3   FP: e4 e5   TN: e6 e7 e8   FN: e9   unlabelled: e10 (flagged)
const EVENTS: &str = "event_id,timestamp,decision,label,score,amount,channel
e1,2025-06-02 10:00:00,true,true,0.91,100,web
e2,2025-06-03 10:00:00,yes,1,0.85,200,web
e3,2025-06-04T10:00:00Z,Y,TRUE,0.80,50,app
e4,2025-06-05 10:00:00,true,false,0.75,10,app
e5,2025-06-06 10:00:00,true,no,0.70,20,web
e6,2025-06-07 10:00:00,false,false,0.30,30,app
e7,2025-06-08 10:00:00,false,false,0.20,40,app
e8,2025-06-09 10:00:00,n,FALSE,0.10,50,web
e9,2025-06-10 10:00:00,false,true,0.40,400,web
e10,2025-06-30 23:59:59,true,,0.95,5,app
e11,2025-07-01 00:00:00,true,true,0.99,1000,web
";

fn build_small() -> (tempfile::TempDir, Value) {
    let dir = submission(&[
        (
            "submission.yaml",
            &detection_config("segments: [channel]\n"),
        ),
        ("logs/june.csv", EVENTS),
    ]);
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("bundle"),
        "md,json",
    );
    (dir, summary)
}

fn metric<'a>(summary: &'a Value, id: &str, segment: Option<(&str, &str)>) -> &'a Value {
    find_metric(summary, id, None, segment.map(|(a, v)| (a, Some(v))))
        .unwrap_or_else(|| panic!("metric {id} {segment:?} missing"))
}

fn assert_ratio(summary: &Value, id: &str, segment: Option<(&str, &str)>, x: f64, n: f64) {
    let m = metric(summary, id, segment);
    assert_eq!(m["numerator"].as_f64(), Some(x), "{id} numerator");
    assert_eq!(m["denominator"].as_f64(), Some(n), "{id} denominator");
    let value = m["value"].as_f64().unwrap();
    assert!((value - x / n).abs() < 1e-12, "{id} value {value}");
    let (low, high) = wilson(x, n);
    assert!(
        (m["ci_low"].as_f64().unwrap() - low).abs() < 1e-12,
        "{id} ci_low"
    );
    assert!(
        (m["ci_high"].as_f64().unwrap() - high).abs() < 1e-12,
        "{id} ci_high"
    );
}

#[test]
fn metrics_equal_hand_computed_values() {
    let (_dir, s) = build_small();
    let count = |id: &str| metric(&s, id, None)["value"].as_f64().unwrap();
    assert_eq!(count("detection.events"), 10.0);
    assert_eq!(count("detection.labelled"), 9.0);
    assert_eq!(count("detection.tp"), 3.0);
    assert_eq!(count("detection.fp"), 2.0);
    assert_eq!(count("detection.tn"), 3.0);
    assert_eq!(count("detection.fn"), 1.0);
    assert_ratio(&s, "detection.alert_rate", None, 6.0, 10.0);
    assert_ratio(&s, "detection.precision", None, 3.0, 5.0);
    assert_ratio(&s, "detection.recall", None, 3.0, 4.0);
    assert_ratio(&s, "detection.fpr", None, 2.0, 5.0);
    assert_ratio(&s, "detection.fnr", None, 1.0, 4.0);
    assert_ratio(&s, "detection.accuracy", None, 6.0, 9.0);
    let f1 = metric(&s, "detection.f1", None);
    assert!((f1["value"].as_f64().unwrap() - 6.0 / 9.0).abs() < 1e-12);
    assert!(f1["ci_low"].is_null());
    assert!(
        (metric(&s, "detection.fp_to_tp", None)["value"]
            .as_f64()
            .unwrap()
            - 2.0 / 3.0)
            .abs()
            < 1e-12
    );
    // Σ amount(label ∧ decision) = 100 + 200 + 50; Σ amount(label) = 350 + 400.
    assert!(
        (metric(&s, "detection.value_detection_rate", None)["value"]
            .as_f64()
            .unwrap()
            - 350.0 / 750.0)
            .abs()
            < 1e-12
    );
    // Per channel: web = e1 e2 e5 e8 e9 (3 flagged of 5), app = e3 e4 e6 e7 e10 (3 of 5).
    assert_ratio(
        &s,
        "detection.alert_rate",
        Some(("channel", "web")),
        3.0,
        5.0,
    );
    assert_ratio(&s, "detection.recall", Some(("channel", "web")), 2.0, 3.0);
    assert_ratio(&s, "detection.fpr", Some(("channel", "app")), 1.0, 3.0);
}

#[test]
fn summary_counts_streams_findings_and_inputs() {
    let (dir, s) = build_small();
    assert_eq!(s["schema"], "sandbox-report/summary");
    assert_eq!(s["generated_at"], "2025-09-01T00:00:00Z");
    assert_eq!(s["streams"][0]["events"], 10);
    let codes = texts(&s["findings"], "code");
    assert_eq!(
        codes,
        [
            "outside_period",
            "label_missing",
            // Ten events on a few days of a 30-day period.
            "period_sparse",
            // An amount column, and the config sets no currency.
            "currency_missing",
            "fairness_group_excluded",
            "fairness_group_excluded"
        ]
    );
    let excluded = s["findings"][4]["message"].as_str().unwrap();
    assert!(
        excluded.contains("app (5 events), web (5 events)"),
        "{excluded}"
    );
    assert_eq!(s["findings"][0]["row"], 11);
    let input = &s["inputs"][0];
    assert_eq!(input["path"], "logs/june.csv");
    assert_eq!(input["rows"], 11);
    let bytes = std::fs::read(dir.path().join("logs/june.csv")).unwrap();
    assert_eq!(input["bytes"].as_u64(), Some(bytes.len() as u64));
}

#[test]
fn failing_build_leaves_existing_bundle_intact() {
    let (dir, _) = build_small();
    let bundle = dir.path().join("bundle");
    let before = snapshot(&bundle);
    std::fs::write(
        dir.path().join("logs/june.csv"),
        format!("{EVENTS}e12,2025-06-11 10:00:00,true,true,1.7,1,web\n"),
    )
    .unwrap();
    let out = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&bundle),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no bundle was written"));
    assert_eq!(snapshot(&bundle), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "staging folder left behind");
}

#[test]
fn build_refuses_to_replace_a_folder_that_is_not_a_bundle() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/june.csv", EVENTS),
        ("precious/notes.txt", "keep me"),
    ]);
    let out = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&dir.path().join("precious")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious/notes.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn build_refuses_to_replace_a_bundle_holding_files_it_did_not_write() {
    let (dir, _) = build_small();
    let bundle = dir.path().join("bundle");
    // A manifest copied into a folder of other work does not make that work a bundle.
    std::fs::create_dir_all(bundle.join("notes")).unwrap();
    std::fs::write(bundle.join("notes/thesis.docx"), "keep me").unwrap();
    let before = snapshot(&bundle);
    let out = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&bundle),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("\"notes/thesis.docx\""),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&bundle), before);
    std::fs::remove_dir_all(bundle.join("notes")).unwrap();
    let again = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&bundle),
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn two_builds_with_the_same_epoch_are_byte_identical() {
    let (dir, _) = build_small();
    let again = dir.path().join("again");
    let out = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&again),
        "--format",
        "md,json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(snapshot(&dir.path().join("bundle")), snapshot(&again));
}

#[test]
fn manifest_hashes_match_the_files() {
    let (dir, _) = build_small();
    let bundle = dir.path().join("bundle");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let outputs = manifest["outputs"].as_array().unwrap();
    let names: Vec<&str> = outputs
        .iter()
        .map(|o| o["path"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["report.md", "summary.json"]);
    for entry in outputs.iter().chain(manifest["inputs"].as_array().unwrap()) {
        let base = if entry["path"] == "logs/june.csv" {
            dir.path().to_path_buf()
        } else {
            bundle.clone()
        };
        let bytes = std::fs::read(base.join(entry["path"].as_str().unwrap())).unwrap();
        assert_eq!(entry["sha256"].as_str().unwrap(), sha256_hex(&bytes));
        assert_eq!(entry["bytes"].as_u64(), Some(bytes.len() as u64));
    }
    let out = run(&["verify", &path_str(&bundle)]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(bundle.join("report.md"), "tampered").unwrap();
    let out = run(&["verify", &path_str(&bundle)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("MISMATCH report.md"));
}

/// SHA-256 by the `sha256sum` tool when present, so the check does not trust our own code.
fn sha256_hex(bytes: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
