//! Odd but real inputs: blank lines, repeated headers, database decimals, daylight-saving
//! gaps, half-given KPI segments, overflowing sums; and signed manifests.

use crate::common::*;
use polars::prelude::*;
use serde_json::Value;

const HEAD: &str = "event_id,timestamp,decision,label\n";

fn validate(files: &[(&str, &str)], config: &str) -> (i32, String) {
    let mut all = vec![("submission.yaml", config)];
    all.extend_from_slice(files);
    let dir = submission(&all);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    (out.status.code().unwrap(), stdout(&out) + &stderr(&out))
}

#[test]
fn a_blank_last_line_is_not_a_row() {
    let csv = format!("{HEAD}a,2025-06-02 10:00:00,true,true\r\n\r\n");
    let (code, text) = validate(&[("logs/a.csv", &csv)], &detection_config(""));
    assert_eq!(code, 0, "{text}");
    assert_diagnostics!(code, text);
    assert!(text.contains("1 row(s) read"), "{text}");
}

#[test]
fn a_json_lines_finding_names_the_line_an_editor_shows() {
    let good = r#"{"event_id":"a","timestamp":"2025-06-02 10:00:00","decision":true,"label":true}"#;
    let bad =
        r#"{"event_id":"b","timestamp":"2025-06-02 10:00:00","decision":"maybe","label":true}"#;
    let jsonl = format!("{good}\n\n   \n{bad}\n\n");
    let (code, text) = validate(&[("logs/a.jsonl", &jsonl)], &detection_config(""));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("logs/a.jsonl: row 4, column \"decision\""),
        "line 4, not record 2: {text}"
    );
    assert!(text.contains("2 row(s) read"), "{text}");
}

#[test]
fn a_repeated_header_name_is_an_error() {
    let csv = "event_id,timestamp,decision,decision\na,2025-06-02 10:00:00,true,false\n";
    let (code, text) = validate(&[("logs/a.csv", csv)], &detection_config(""));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("column_duplicate")
            && text.contains("logs/a.csv: header, column \"decision\""),
        "{text}"
    );
    assert!(
        !text.contains("stream_empty"),
        "no extra warning for a file that failed: {text}"
    );
}

#[test]
fn a_local_time_in_the_spring_gap_says_so() {
    let config = detection_config("")
        .replace("timezone: UTC", "timezone: Europe/London")
        .replace(
            "period: { start: 2025-06-01, end: 2025-06-30 }",
            "period: { start: 2025-03-30, end: 2025-03-31 }",
        );
    let csv = format!("{HEAD}a,2025-03-30 01:30:00,true,true\nb,2025-03-30 02:30:00,true,true\n");
    let (code, text) = validate(&[("logs/a.csv", &csv)], &config);
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains(
            "row 1, column \"timestamp\": expected a local time that exists in Europe/London"
        ),
        "{text}"
    );
    assert!(!text.contains("row 2"), "02:30 exists: {text}");
}

#[test]
fn a_parquet_decimal_column_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut frame = df!(
        "event_id" => ["a", "b"],
        "timestamp" => ["2025-06-02 10:00:00", "2025-06-03 10:00:00"],
        "decision" => [true, false],
        "label" => [true, false],
        "amount" => [120.25, 80.5],
    )
    .unwrap()
    .lazy()
    .with_column(col("amount").cast(DataType::Decimal(18, 2)))
    .collect()
    .unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    let file = std::fs::File::create(dir.path().join("logs/a.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    std::fs::write(dir.path().join("submission.yaml"), detection_config("")).unwrap();
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    let vdr = find_metric(&summary, "detection.value_detection_rate", None, None).unwrap();
    assert_eq!(vdr["value"], 1.0);
    assert_eq!(vdr["denominator"].as_f64(), Some(120.25));
}

#[test]
fn a_kpi_segment_needs_both_attribute_and_value() {
    let config = detection_config("  - { name: kpis, kind: kpis, path: kpis.csv }\n");
    let kpis = "metric,value,segment_attribute,segment_value\ndetection.recall,0.9,,web\n";
    let csv = format!("{HEAD}a,2025-06-02 10:00:00,true,true\n");
    let (code, text) = validate(&[("logs/a.csv", &csv), ("kpis.csv", kpis)], &config);
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("kpis.csv: row 1, column \"segment_attribute\""),
        "{text}"
    );
}

#[test]
fn an_overflowing_cost_is_null_and_its_kpi_not_recomputable() {
    let config = detection_config("  - { name: kpis, kind: kpis, path: kpis.csv }\n")
        .replace("kind: detection", "kind: assistant");
    let csv = "event_id,timestamp,outcome,cost\na,2025-06-02 10:00:00,resolved,1e308\nb,2025-06-02 11:00:00,resolved,1e308\n";
    let kpis = "metric,value\nassistant.cost_total,5\n";
    let summary = build_files(&[("logs/a.csv", csv), ("kpis.csv", kpis)], &config);
    let total = find_metric(&summary, "assistant.cost_total", None, None).unwrap();
    assert!(total["value"].is_null());
    assert_eq!(summary["reconciliation"][0]["status"], "not_recomputable");
}

#[test]
fn a_signed_manifest_verifies_and_a_changed_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let (secret, public) = (dir.path().join("key.sec"), dir.path().join("key.pub"));
    std::fs::write(&secret, pair.sk.to_box(None).unwrap().to_string()).unwrap();
    std::fs::write(&public, pair.pk.to_box().unwrap().to_string()).unwrap();
    let config = samples().join("submissions/junk-bay-bank-redteam/submission.yaml");
    let out = dir.path().join("bundle");
    let built = run(&[
        "build",
        &path_str(&config),
        "-o",
        &path_str(&out),
        "--format",
        "md",
        "--sign-key",
        &path_str(&secret),
    ]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(out.join("manifest.json.minisig").is_file());
    let checked = run(&[
        "verify",
        &path_str(&out),
        "--public-key",
        &path_str(&public),
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("signature of manifest.json: valid"));
    // The independent minisign tool agrees (Debian package minisign; .ci/run installs it).
    let tool = std::process::Command::new("minisign")
        .args([
            "-V",
            "-q",
            "-p",
            &path_str(&public),
            "-m",
            &path_str(&out.join("manifest.json")),
        ])
        .status()
        .expect("the minisign command (apt-get install minisign)");
    assert!(tool.success());
    let manifest = std::fs::read_to_string(out.join("manifest.json"))
        .unwrap()
        .replace("0.1.0", "9.9.9");
    std::fs::write(out.join("manifest.json"), manifest).unwrap();
    let tampered = run(&[
        "verify",
        &path_str(&out),
        "--public-key",
        &path_str(&public),
    ]);
    assert_eq!(tampered.status.code(), Some(1));
    assert!(
        stdout(&tampered).contains("MISMATCH manifest.json.minisig"),
        "{}",
        stdout(&tampered)
    );
}

/// Runs `minisign` with `args`, failing the test with a hint when the tool is missing.
fn minisign_tool(args: &[&str]) -> bool {
    std::process::Command::new("minisign")
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("the minisign command (apt-get install minisign)")
        .success()
}

#[test]
fn a_key_made_by_the_minisign_command_without_password_signs() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public) = (dir.path().join("k.key"), dir.path().join("k.pub"));
    let (secret_s, public_s) = (path_str(&secret), path_str(&public));
    assert!(minisign_tool(&[
        "-G", "-W", "-p", &public_s, "-s", &secret_s
    ]));
    let config = samples().join("submissions/junk-bay-bank-redteam/submission.yaml");
    let build = |key: &str, out: &str| {
        run(&[
            "build",
            &path_str(&config),
            "-o",
            &path_str(&dir.path().join(out)),
            "--format",
            "json",
            "--sign-key",
            key,
        ])
    };
    let built = build(&secret_s, "good");
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let manifest = path_str(&dir.path().join("good/manifest.json"));
    assert!(minisign_tool(&[
        "-V", "-q", "-p", &public_s, "-m", &manifest
    ]));
    // One changed bit in the secret half: refused, and nothing is written.
    let text = std::fs::read_to_string(&secret).unwrap();
    let (comment, encoded) = text.split_once('\n').unwrap();
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut bytes = engine.decode(encoded.trim()).unwrap();
    bytes[70] ^= 1;
    let damaged = dir.path().join("damaged.key");
    std::fs::write(&damaged, format!("{comment}\n{}\n", engine.encode(&bytes))).unwrap();
    let refused = build(&path_str(&damaged), "bad");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("damaged.key"),
        "{}",
        stderr(&refused)
    );
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn a_manifest_cannot_point_outside_its_bundle_or_at_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let made = run_gen(&[
        "bundles",
        "--count",
        "1",
        "-o",
        &path_str(&dir.path().join("b")),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
    let bundle = std::fs::read_dir(dir.path().join("b"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // A file outside the bundle whose size and hash the manifest states correctly, and a pipe
    // that would block any reader.
    std::fs::write(dir.path().join("outside.txt"), b"secret").unwrap();
    let fifo = bundle.join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let manifest_path = bundle.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let outputs = manifest["outputs"].as_array_mut().unwrap();
    outputs.push(serde_json::json!({"path": "../../outside.txt", "bytes": 6,
        "sha256": "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"}));
    outputs.push(serde_json::json!({"path": "pipe", "bytes": 0,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}));
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();

    let checked = run(&["verify", &path_str(&bundle)]);
    let text = stdout(&checked);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert_diagnostics!(checked.status.code().unwrap_or(-1), text);
    assert!(
        text.contains("MISMATCH ../../outside.txt: refused: the path leaves the bundle"),
        "{text}"
    );
    assert!(
        text.contains("MISMATCH pipe: refused: not a regular file"),
        "{text}"
    );

    let out = dir.path().join("cohort");
    let merged = bin()
        .args([
            "cohort",
            &path_str(&dir.path().join("b")),
            "-o",
            &path_str(&out),
        ])
        .env("SANDBOX_REPORT_PSEUDONYM_KEY", "0123456789abcdef0123")
        .output()
        .unwrap();
    assert_eq!(
        merged.status.code(),
        Some(2),
        "no usable bundle: {}",
        stderr(&merged)
    );
    assert!(
        stderr(&merged).contains("manifest entry ../../outside.txt: refused"),
        "{}",
        stderr(&merged)
    );
}

#[test]
fn an_empty_file_is_a_warning_like_a_header_without_rows() {
    let good = format!("{HEAD}a,2025-06-02 10:00:00,true,true\n");
    let (code, text) = validate(
        &[
            ("logs/a.csv", &good),
            ("logs/b.csv", ""),
            ("logs/c.jsonl", ""),
        ],
        &detection_config(""),
    );
    assert_eq!(code, 0, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("warning[file_empty] alerts: logs/b.csv: the file is empty"),
        "{text}"
    );
    assert!(text.contains("logs/c.jsonl: the file is empty"), "{text}");
    assert!(text.contains("1 row(s) read"), "{text}");
}

#[test]
fn utf16_csv_is_named_as_such_and_a_json_lines_bom_is_read_with_a_warning() {
    let text = format!("{HEAD}a,2025-06-02 10:00:00,true,true\n");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let line = r#"{"event_id":"b","timestamp":"2025-06-02 10:00:00","decision":true,"label":true}"#;
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/b.jsonl", &format!("\u{feff}{line}\n")),
    ]);
    std::fs::write(dir.path().join("logs/a.csv"), utf16).unwrap();
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_diagnostics!(out.status.code().unwrap_or(-1), text);
    assert!(
        text.contains("logs/a.csv: expected UTF-8 text, found UTF-16"),
        "{text}"
    );
    assert!(
        text.contains(
            "warning[jsonl_bom] alerts: logs/b.jsonl: the file starts with a byte-order mark"
        ),
        "{text}"
    );
    assert!(!text.contains("jsonl_malformed"), "{text}");
}

#[test]
fn a_header_name_with_spaces_is_read_trimmed_with_a_warning() {
    let csv = "event_id ,timestamp,decision,label, score \na,2025-06-02 10:00:00,true,true,0.9\nb,2025-06-02 11:00:00,false,false,0.2\n";
    let summary = build_files(&[("logs/a.csv", csv)], &detection_config(""));
    let codes: Vec<&str> = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "column_name_spaces")
        .map(|f| f["column"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["event_id ", " score "]);
    // The score column is used: a perfect ranking of two events.
    let auc = find_metric(&summary, "detection.roc_auc", None, None)
        .expect("roc_auc from the trimmed score column");
    assert_eq!(auc["value"], 1.0);
}
