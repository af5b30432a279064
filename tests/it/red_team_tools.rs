//! Issue 15, red-team tools' results read natively: the real tools' outputs in
//! tests/fixtures (made offline; the exact commands are in each folder's COMMANDS.md) read as
//! a redteam stream, their rows and attack successes compared with counts taken independently
//! from the same files (in the test, from the JSON itself), and a malformed or truncated file
//! ending in a located error.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::*;

/// Per attack category: (name, attempts, successes).
type Counts = Vec<(String, u64, u64)>;

fn fixture(path: &str) -> PathBuf {
    repo().join("tests/fixtures").join(path)
}

/// A redteam submission reading `logs/` with the stream lines `extra`, holding `files`
/// (name in logs/, bytes).
fn redteam(extra: &str, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let config = format!(
        r#"schema_version: 1
timezone: UTC
submission:
  institution: {{ id: T-1, name: "Test Bank" }}
  programme: "Test programme"
  cohort: "1"
  use_case: {{ id: UC-T, title: "Test", family: customer_experience }}
  period: {{ start: 2026-12-01, end: 2026-12-31 }}
streams:
  - name: scans
    kind: redteam
    path: logs
{extra}"#
    );
    let dir = submission(&[("submission.yaml", &config)]);
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join("logs").join(name), bytes).unwrap();
    }
    dir
}

/// Per attack category, (attempts, successes) of the summary's attack success rate.
fn rates(summary: &Value) -> Counts {
    rates_by(summary, "attack_category")
}

/// Per group of `attribute`, (attempts, successes) of the attack success rate.
fn rates_by(summary: &Value, attribute: &str) -> Counts {
    summary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["id"] == "redteam.attack_success_rate" && m["segment"]["attribute"] == attribute
        })
        .map(|m| {
            (
                m["segment"]["value"].as_str().unwrap().to_string(),
                m["denominator"].as_f64().unwrap() as u64,
                m["numerator"].as_f64().unwrap() as u64,
            )
        })
        .collect()
}

/// The same counts straight from a garak report: status-2 attempts per probe family (or whole
/// probe), a success when any detector score of any generation is at least `threshold`.
fn garak_counts(report: &str, threshold: f64, whole_probe: bool) -> Vec<(String, u64, u64)> {
    let mut counts = std::collections::BTreeMap::<String, (u64, u64)>::new();
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["entry_type"] != "attempt" || v["status"] != 2 {
            continue;
        }
        let probe = v["probe_classname"].as_str().unwrap();
        let key = if whole_probe {
            probe
        } else {
            probe.split('.').next().unwrap()
        };
        let hit = v["detector_results"]
            .as_object()
            .unwrap()
            .values()
            .any(|scores| {
                scores
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s.as_f64().is_some_and(|s| s >= threshold))
            });
        let entry = counts.entry(key.to_string()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(hit);
    }
    counts.into_iter().map(|(k, (n, x))| (k, n, x)).collect()
}

#[test]
fn a_garak_report_is_read_as_its_evaluated_attempts() {
    let report = std::fs::read_to_string(fixture("garak/garak.report.jsonl")).unwrap();
    let dir = redteam("", &[("garak.report.jsonl", report.clone().into_bytes())]);
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "md",
    );
    // COMMANDS.md counted these by hand too: Dan_11_0 1 of 1, InjectBase64 0 of 4,
    // HijackHateHumans 4 of 4.
    let expected = garak_counts(&report, 0.5, false);
    assert_eq!(
        expected,
        [
            ("dan".into(), 1, 1),
            ("encoding".into(), 4, 0),
            ("promptinject".into(), 4, 4)
        ]
    );
    assert_eq!(rates(&summary), expected);
    let run = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "tool_run_read")
        .expect("the run is recorded");
    assert_eq!(run["severity"], "info");
    let message = run["message"].as_str().unwrap();
    assert!(
        message.starts_with("garak 0.17.1 report, run 1cbbf36f-01e5-4188-8232-e2c0fbceb830"),
        "{message}"
    );
    assert!(
        message.contains("9 evaluated attempts (status 2) read, 9 status-1 records left out"),
        "{message}"
    );
    // The probe families reach the attack-category coverage: garak tags all three
    // owasp:llm01, and the vocabulary reads them as prompt injection.
    let tested = &summary["traceability"]["attack_coverage"]["tested"];
    let llm01 = tested
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "LLM01")
        .expect("LLM01 tested");
    assert_eq!(
        llm01["categories"],
        serde_json::json!(["dan", "encoding", "promptinject"])
    );
    assert_eq!(llm01["attempts"], 9.0);
}

#[test]
fn the_garak_threshold_and_category_are_set_in_the_config() {
    let report = std::fs::read_to_string(fixture("garak/garak.report.jsonl")).unwrap();
    let extra = "    format: garak\n    garak: { threshold: 1.0, category: probe }\n";
    let dir = redteam(
        extra,
        &[("fixture.report.jsonl", report.clone().into_bytes())],
    );
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    assert_eq!(rates(&summary), garak_counts(&report, 1.0, true));
}

#[test]
fn a_garak_report_beside_a_csv_export_reads_both() {
    let report = std::fs::read(fixture("garak/garak.report.jsonl")).unwrap();
    let csv = b"event_id,timestamp,attack_category,attack_success\nm1,2026-12-03 10:00:00,jailbreak,true\nm2,2026-12-03 11:00:00,jailbreak,false\n".to_vec();
    let dir = redteam("", &[("garak.report.jsonl", report), ("manual.csv", csv)]);
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    let categories: Vec<(String, u64, u64)> = rates(&summary);
    assert!(
        categories.contains(&("jailbreak".into(), 2, 1)),
        "{categories:?}"
    );
    assert!(
        categories.contains(&("promptinject".into(), 4, 4)),
        "{categories:?}"
    );
}

#[test]
fn a_truncated_or_misplaced_garak_report_is_a_located_error() {
    let report = std::fs::read_to_string(fixture("garak/garak.report.jsonl")).unwrap();
    // Cut in the middle of its tenth line, and a report that lost its header lines (no start).
    let lines: Vec<&str> = report.lines().collect();
    let cut = format!("{}\n{}", lines[..9].join("\n"), &lines[9][..40]);
    let no_init: String = lines
        .iter()
        .filter(|l| {
            !l.contains("\"entry_type\": \"init\"")
                && !l.contains("\"entry_type\": \"start_run setup\"")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = redteam(
        "    format: garak\n",
        &[
            ("a.report.jsonl", cut.into_bytes()),
            ("b.report.jsonl", no_init.into_bytes()),
        ],
    );
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    // A garak report in a detection stream's folder is refused, not read as its columns.
    let config = detection_config("");
    let wrong = submission(&[
        ("submission.yaml", &config),
        ("logs/g.report.jsonl", &report),
    ]);
    let out = run(&["validate", &path_str(&wrong.path().join("submission.yaml"))]);
    let text = stdout(&out);
    assert!(text.contains("error[tool_result_invalid] alerts: logs/g.report.jsonl: this is a garak report, which belongs to a redteam stream"), "{text}");
}

/// Per plugin and strategy (absent: basic), (results, attack successes) straight from a
/// promptfoo output's results: errors (failureReason 2) left out, a success where `success`
/// is false with failureReason 1.
fn promptfoo_counts(results: &[Value], by_strategy: bool) -> Vec<(String, u64, u64)> {
    let mut counts = std::collections::BTreeMap::<String, (u64, u64)>::new();
    for r in results.iter().filter(|r| r["failureReason"] != 2) {
        let metadata = &r["testCase"]["metadata"];
        let key = if by_strategy {
            metadata["strategyId"].as_str().unwrap_or("basic")
        } else {
            metadata["pluginId"].as_str().unwrap()
        };
        let entry = counts.entry(key.to_string()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(r["success"] == false && r["failureReason"] == 1);
    }
    counts.into_iter().map(|(k, (n, x))| (k, n, x)).collect()
}

#[test]
fn a_promptfoo_results_file_is_read_with_its_inverted_success() {
    let json = std::fs::read_to_string(fixture("promptfoo/results.json")).unwrap();
    let parsed: Value = serde_json::from_str(&json).unwrap();
    let results = parsed["results"]["results"].as_array().unwrap();
    let dir = redteam(
        "    segments: [strategy]\n",
        &[("results.json", json.clone().into_bytes())],
    );
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    // COMMANDS.md's count.py: 12 results, 9 attacks through (failureReason 1), 1 error.
    assert_eq!(promptfoo_counts(results, false), [("intent".into(), 11, 9)]);
    assert_eq!(rates(&summary), promptfoo_counts(results, false));
    // Per strategy (absent = basic), the stream's own segment: basic 1 of 3 (one error left
    // out), base64 4 of 4, rot13 4 of 4.
    let by_strategy = promptfoo_counts(results, true);
    let expected: Counts = vec![
        ("base64".into(), 4, 4),
        ("basic".into(), 3, 1),
        ("rot13".into(), 4, 4),
    ];
    assert_eq!(by_strategy, expected);
    assert_eq!(rates_by(&summary, "strategy"), by_strategy);
    let codes = texts(&summary["findings"], "code");
    assert!(
        codes.contains(&"tool_run_read") && codes.contains(&"tool_results_errored"),
        "{codes:?}"
    );
}

#[test]
fn a_promptfoo_jsonl_output_needs_the_eval_time_from_the_config() {
    let lines = std::fs::read_to_string(fixture("promptfoo/results.jsonl")).unwrap();
    let results: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dir = redteam(
        "    format: promptfoo\n",
        &[("results.jsonl", lines.clone().into_bytes())],
    );
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    let extra = "    format: promptfoo\n    promptfoo: { run_started: \"2026-12-02T18:14:13Z\" }\n";
    let dir = redteam(extra, &[("results.jsonl", lines.into_bytes())]);
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    assert_eq!(rates(&summary), promptfoo_counts(&results, false));
}

const INSPECT: &str = "    inspect: { category: metadata.attack_category, success: { scorer: refusal_scorer, value: I }, benign: metadata.benign, refused: { scorer: refusal_scorer, value: I } }\n";

/// Per category, (attacks, successes) straight from an Inspect JSON log's samples: benign
/// controls apart, a success where refusal_scorer is `I`; and (controls, refused).
fn inspect_counts(log: &Value) -> (Counts, (u64, u64)) {
    let mut counts = std::collections::BTreeMap::<String, (u64, u64)>::new();
    let mut controls = (0, 0);
    for s in log["samples"].as_array().unwrap() {
        let hit = s["scores"]["refusal_scorer"]["value"] == "I";
        if s["metadata"]["benign"] == true {
            controls.0 += 1;
            controls.1 += u64::from(hit);
            continue;
        }
        let entry = counts
            .entry(
                s["metadata"]["attack_category"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
            .or_default();
        entry.0 += 1;
        entry.1 += u64::from(hit);
    }
    (
        counts.into_iter().map(|(k, (n, x))| (k, n, x)).collect(),
        controls,
    )
}

#[test]
fn inspect_logs_are_read_as_samples_by_epoch_from_json_and_from_the_zstd_archive() {
    let json = std::fs::read_to_string(fixture("inspect/redteam.json")).unwrap();
    let (expected, controls) = inspect_counts(&serde_json::from_str(&json).unwrap());
    // COMMANDS.md: 20 rows, prompt_injection 2 of 4, jailbreak 2 of 6, data_exfiltration
    // 2 of 4, 6 benign rows.
    assert_eq!(
        expected,
        [
            ("data_exfiltration".into(), 4, 2),
            ("jailbreak".into(), 6, 2),
            ("prompt_injection".into(), 4, 2)
        ]
    );
    assert_eq!(controls.0, 6);
    for file in ["redteam.json", "redteam.eval"] {
        let dir = redteam(
            INSPECT,
            &[(
                file,
                std::fs::read(fixture(&format!("inspect/{file}"))).unwrap(),
            )],
        );
        let summary = build_ok(
            &dir.path().join("submission.yaml"),
            &dir.path().join("out"),
            "json",
        );
        let attacks: Vec<_> = rates(&summary)
            .into_iter()
            .filter(|(_, n, _)| *n > 0)
            .collect();
        assert_eq!(attacks, expected, "{file}");
        let over =
            find_metric(&summary, "redteam.over_refusal_rate", None, None).expect("over-refusal");
        assert_eq!(
            (over["numerator"].as_f64(), over["denominator"].as_f64()),
            (Some(controls.1 as f64), Some(6.0)),
            "{file}"
        );
        let codes = texts(&summary["findings"], "code");
        assert_eq!(codes, ["tool_run_read"], "{file}");
    }
}

#[test]
fn an_inspect_log_needs_its_block_and_a_zip_bomb_stops_at_the_limit() {
    let eval = std::fs::read(fixture("inspect/redteam.eval")).unwrap();
    // Without `inspect:` the config says what is missing.
    let dir = redteam("    format: inspect\n", &[("redteam.eval", eval.clone())]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("reads Inspect AI logs but has no `inspect:` block"),
        "{}",
        stderr(&out)
    );
    // A truncated archive, and an archive whose one sample unpacks to 80 MiB from a few
    // hundred KB (the header is the real one): stopped at the ratio limit, not read whole.
    let cut = eval[..eval.len() / 2].to_vec();
    let bomb = {
        use std::io::Write;
        let header = {
            let mut archive = ::zip::ZipArchive::new(std::io::Cursor::new(&eval)).unwrap();
            let mut bytes = Vec::new();
            std::io::copy(&mut archive.by_name("header.json").unwrap(), &mut bytes).unwrap();
            bytes
        };
        let mut out = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = ::zip::write::SimpleFileOptions::default()
            .compression_method(::zip::CompressionMethod::Deflated);
        out.start_file("header.json", options).unwrap();
        out.write_all(&header).unwrap();
        out.start_file("samples/pi-01_epoch_1.json", options)
            .unwrap();
        let block = vec![b' '; 1 << 20];
        out.write_all(b"{\"id\": \"pi-01\",").unwrap();
        for _ in 0..80 {
            out.write_all(&block).unwrap();
        }
        out.write_all(b"}").unwrap();
        out.finish().unwrap().into_inner()
    };
    let dir = redteam(INSPECT, &[("bomb.eval", bomb), ("cut.eval", cut)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
}

#[test]
fn a_finding_in_an_inspect_log_names_its_sample() {
    // The category path points nowhere: every attack row's attack_category is empty.
    let extra = INSPECT.replace("metadata.attack_category", "metadata.category");
    let json = std::fs::read(fixture("inspect/redteam.json")).unwrap();
    let dir = redteam(&extra, &[("redteam.json", json)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
}

/// An evaluated attempt no detector scored cannot count as blocked: its `attack_success` is
/// empty and validation says so at the report's line, instead of a silent "not successful".
#[test]
fn a_garak_attempt_without_detector_scores_is_an_error_at_its_line() {
    let report = std::fs::read_to_string(fixture("garak/garak.report.jsonl")).unwrap();
    let mut lines: Vec<String> = report.lines().map(String::from).collect();
    let at = lines
        .iter()
        .position(|l| l.contains("\"entry_type\": \"attempt\"") && l.contains("\"status\": 2"))
        .expect("an evaluated attempt");
    let mut attempt: serde_json::Value = serde_json::from_str(&lines[at]).unwrap();
    attempt["detector_results"] = serde_json::json!({});
    lines[at] = attempt.to_string();
    let dir = redteam(
        "",
        &[("garak.report.jsonl", (lines.join("\n") + "\n").into_bytes())],
    );
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let expected = format!(
        "garak.report.jsonl: row {}, column \"attack_success\"",
        at + 1
    );
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&expected), "{errors:?}");
}
