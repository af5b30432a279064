//! Issue 16, item 3: `diff A B` compares two bundles.

use serde_json::Value;

use crate::common::*;

/// 40 events: 10 frauds (the first `caught` flagged), 30 genuine (the first `false_alarms`
/// flagged).
fn log(caught: usize, false_alarms: usize) -> String {
    let mut text = String::from("event_id,timestamp,decision,label\n");
    for i in 0..40 {
        let fraud = i < 10;
        let flagged = if fraud {
            i < caught
        } else {
            i - 10 < false_alarms
        };
        text.push_str(&format!(
            "E{i},2025-06-{:02} 10:00:00,{flagged},{fraud}\n",
            1 + i % 28
        ));
    }
    text
}

fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z: f64 = 1.959963984540054;
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

#[test]
fn diff_of_a_bundle_with_itself_is_empty_and_after_a_changed_row_names_the_input_and_metrics() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", &log(6, 3)),
    ]);
    let config = dir.path().join("submission.yaml");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_ok(&config, &a, "json");
    let same = run(&["diff", &path_str(&a), &path_str(&a)]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(
        stdout(&same),
        "no differences: the same inputs, metrics, criteria and findings\n"
    );
    // One more fraud caught (7 of 10 instead of 6) and one more false alarm (4 of 30).
    std::fs::write(dir.path().join("logs/a.csv"), log(7, 4)).unwrap();
    build_ok(&config, &b, "json");
    let out = run(&["diff", &path_str(&a), &path_str(&b), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let changes: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(changes["equal"], false);
    assert_eq!(changes["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(changes["inputs"][0]["path"], "logs/a.csv");
    assert_eq!(changes["inputs"][0]["change"], "changed");
    let metric = |id: &str| {
        changes["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id && m["segment"].is_null())
            .unwrap_or_else(|| panic!("{id} not in {changes}"))
            .clone()
    };
    let recall = metric("detection.recall");
    assert_eq!(
        (recall["previous"].as_f64(), recall["current"].as_f64()),
        (Some(0.6), Some(0.7))
    );
    // Newcombe's interval of 7/10 − 6/10 from the two Wilson intervals, computed here.
    let (l1, u1) = wilson(7.0, 10.0);
    let (l2, u2) = wilson(6.0, 10.0);
    let d = 0.7 - 0.6;
    let low = d - ((0.7 - l1).powi(2) + (u2 - 0.6).powi(2)).sqrt();
    let high = d + ((u1 - 0.7).powi(2) + (0.6 - l2).powi(2)).sqrt();
    assert!((recall["ci_low"].as_f64().unwrap() - low).abs() < 1e-12);
    assert!((recall["ci_high"].as_f64().unwrap() - high).abs() < 1e-12);
    assert_eq!(recall["significant"], false);
    assert_eq!(metric("detection.fp")["current"].as_f64(), Some(4.0));
    // The text form says the same for people.
    let text = stdout(&run(&["diff", &path_str(&a), &path_str(&b)]));
    assert!(text.contains("  changed alerts logs/a.csv: "), "{text}");
    assert!(
        text.contains("  detection.recall [alerts]: 0.6000 → 0.7000, change +0.1000 (95% CI"),
        "{text}"
    );
    assert!(
        text.contains("  detection.fp [alerts]: 3 → 4, change +1\n"),
        "{text}"
    );
}

#[test]
fn diff_refuses_a_tampered_bundle_naming_the_file() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", &log(6, 3)),
    ]);
    let a = dir.path().join("a");
    build_ok(&dir.path().join("submission.yaml"), &a, "json");
    let summary = a.join("summary.json");
    let text = std::fs::read_to_string(&summary)
        .unwrap()
        .replace("\"value\": 0.6", "\"value\": 0.9");
    std::fs::write(&summary, text).unwrap();
    let out = run(&["diff", &path_str(&a), &path_str(&a)]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out).replace(&path_str(dir.path()), "DIR");
    assert!(
        message.starts_with("error: DIR/a/summary.json: does not match the bundle's manifest"),
        "{message}"
    );
}

#[test]
fn build_with_previous_records_the_previous_summary_and_each_metrics_change() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", &log(6, 3)),
    ]);
    let config = dir.path().join("submission.yaml");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_ok(&config, &a, "json");
    std::fs::write(dir.path().join("logs/a.csv"), log(7, 4)).unwrap();
    let out = run(&[
        "build",
        &path_str(&config),
        "-o",
        &path_str(&b),
        "--format",
        "json",
        "--previous",
        &path_str(&a),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(b.join("summary.json")).unwrap()).unwrap();
    let lineage = &summary["lineage"];
    let previous_bytes = std::fs::read(a.join("summary.json")).unwrap();
    let sha = std::process::Command::new("sha256sum")
        .arg(a.join("summary.json"))
        .output()
        .unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(!previous_bytes.is_empty());
    assert_eq!(lineage["previous"]["sha256"], sha.as_str());
    assert_eq!(lineage["previous"]["period_start"], "2025-06-01");
    // Every metric of both, changed or not; the recall's change as diff gives it.
    let changes = lineage["changes"].as_array().unwrap();
    let metrics = summary["metrics"].as_array().unwrap();
    assert_eq!(changes.len(), metrics.len());
    let recall = changes
        .iter()
        .find(|c| c["id"] == "detection.recall" && c["segment"].is_null())
        .unwrap();
    let diffed: Value = serde_json::from_str(&stdout(&run(&[
        "diff",
        &path_str(&a),
        &path_str(&b),
        "--format",
        "json",
    ])))
    .unwrap();
    let from_diff = diffed["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "detection.recall" && c["segment"].is_null())
        .unwrap();
    assert_eq!(recall, from_diff);
    assert_eq!(recall["previous"].as_f64(), Some(0.6));
    assert_eq!(recall["current"].as_f64(), Some(0.7));
    // The config's report.previous gives the same block.
    let with_key = format!("{}report:\n  previous: a\n", detection_config(""));
    std::fs::write(&config, with_key).unwrap();
    let d = dir.path().join("d");
    build_ok(&config, &d, "json");
    let from_config: Value =
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
    assert_eq!(from_config["lineage"], summary["lineage"]);
    std::fs::write(&config, detection_config("")).unwrap();
    // A previous bundle with a tampered file is refused, naming the file, and nothing is written.
    std::fs::write(
        a.join("summary.json"),
        [previous_bytes.as_slice(), b" "].concat(),
    )
    .unwrap();
    let c = dir.path().join("c");
    let out = run(&[
        "build",
        &path_str(&config),
        "-o",
        &path_str(&c),
        "--previous",
        &path_str(&a),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let message = stderr(&out).replace(&path_str(dir.path()), "DIR");
    assert!(
        message.starts_with("error: DIR/a/summary.json: does not match the bundle's manifest"),
        "{message}"
    );
    assert!(!c.exists());
}
