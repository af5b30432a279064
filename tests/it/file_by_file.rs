//! Issue 10: a stream is read file by file (only its typed columns kept), so these check that
//! nothing is lost on the way: problems in the last rows of the last file, a ragged row, an
//! event id repeated across files, and the same rows in every format giving the same metrics.

use crate::common::*;
use polars::prelude::*;

const HEADER: &str = "event_id,timestamp,decision,label,score\n";

/// `n` rows `{prefix}0..` on 2 June 2025, alternating decision and label, score 0.i.
fn rows(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            let flag = i % 2 == 0;
            format!(
                "{prefix}{i},2025-06-02T10:{:02}:00Z,{flag},{},0.{i}\n",
                i % 60,
                i % 3 == 0
            )
        })
        .collect()
}

/// A detection submission of logs/a.csv and logs/b.csv; returns it and its config path.
fn two_files(a: &str, b: &str) -> (tempfile::TempDir, String) {
    let config = detection_config("");
    let dir = submission(&[
        ("submission.yaml", &config),
        ("logs/a.csv", a),
        ("logs/b.csv", b),
    ]);
    let yaml = path_str(&dir.path().join("submission.yaml"));
    (dir, yaml)
}

fn validate(files: &[(&str, &str)]) -> (i32, String) {
    let config = detection_config("");
    let mut all = vec![("submission.yaml", config.as_str())];
    all.extend_from_slice(files);
    let dir = submission(&all);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    (out.status.code().unwrap(), stdout(&out) + &stderr(&out))
}

#[test]
fn bad_values_in_the_last_rows_of_the_last_file_are_named_as_written() {
    let a = format!("{HEADER}{}", rows("a", 50));
    let b = format!("{HEADER}{}", rows("b", 50));
    let c = format!(
        "{HEADER}{}c98,2025-06-02T11:00:00Z,true,true, n/a \nc99,2025-06-02T11:00:00Z,true,true,1.5\n",
        rows("c", 48)
    );
    let (code, text) = validate(&[("logs/a.csv", &a), ("logs/b.csv", &b), ("logs/c.csv", &c)]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[value_invalid] alerts: logs/c.csv: row 49, column \"score\": expected a number in [0, 1], found \" n/a \""), "{text}");
    assert!(text.contains("error[value_out_of_range] alerts: logs/c.csv: row 50, column \"score\": expected a number in [0, 1], found \"1.5\""), "{text}");
    assert!(text.contains("2 error(s)"), "{text}");
}

#[test]
fn a_ragged_row_in_a_later_file_is_caught() {
    let a = format!("{HEADER}{}", rows("a", 20));
    let b = format!("{HEADER}{}b20,2025-06-02T11:00:00Z,true\n", rows("b", 20));
    let (code, text) = validate(&[("logs/a.csv", &a), ("logs/b.csv", &b)]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[csv_malformed] alerts: logs/b.csv: row 21, column \"label\": expected 5 fields as in the header, found 3"), "{text}");
}

#[test]
fn an_event_id_repeated_in_another_file_is_caught() {
    let a = format!("{HEADER}{}", rows("e", 10));
    let b = format!(
        "{HEADER}x1,2025-06-02T11:00:00Z,true,true,0.5\ne7,2025-06-02T11:00:00Z,true,true,0.5\nx1,2025-06-02T12:00:00Z,true,true,0.5\n"
    );
    let (code, text) = validate(&[("logs/a.csv", &a), ("logs/b.csv", &b)]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[event_id_duplicate] alerts: logs/b.csv: row 2, column \"event_id\": expected a unique event_id, found \"e7\" a second time in the stream (first seen in logs/a.csv, row 8) (and 1 more row(s) like it)"), "{text}");
    assert!(!text.contains("logs/a.csv: row"), "{text}");
}

/// One frame of 60 detection rows with every value kind (nulls included).
fn frame() -> DataFrame {
    let n = 60;
    let ids: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let ts: Vec<String> = (0..n)
        .map(|i| format!("2025-06-{:02}T{:02}:15:00+08:00", 2 + i % 20, i % 24))
        .collect();
    let decision: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
    let label: Vec<Option<bool>> = (0..n).map(|i| (i % 7 != 0).then_some(i % 4 == 0)).collect();
    let score: Vec<f64> = (0..n).map(|i| ((i * 37) % 100) as f64 / 100.0).collect();
    let amount: Vec<f64> = (0..n).map(|i| 10.0 + i as f64 * 1.25).collect();
    df!("event_id" => ids, "timestamp" => ts, "decision" => decision, "label" => label, "score" => score, "amount" => amount).unwrap()
}

#[test]
fn the_same_rows_as_csv_json_lines_and_parquet_give_the_same_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let mut metrics = Vec::new();
    for format in ["csv", "jsonl", "parquet"] {
        let folder = dir.path().join(format);
        std::fs::create_dir_all(folder.join("logs")).unwrap();
        let mut frame = frame();
        let file = std::fs::File::create(folder.join(format!("logs/part.{format}"))).unwrap();
        match format {
            "csv" => CsvWriter::new(file).finish(&mut frame).unwrap(),
            "jsonl" => JsonWriter::new(file)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut frame)
                .unwrap(),
            _ => {
                ParquetWriter::new(file).finish(&mut frame).unwrap();
            }
        }
        let config = detection_config("").replace("timezone: UTC", "timezone: Asia/Hong_Kong");
        std::fs::write(folder.join("submission.yaml"), config).unwrap();
        let summary = build_ok(&folder.join("submission.yaml"), &folder.join("out"), "json");
        assert_eq!(
            find_metric(&summary, "detection.events", None, None).unwrap()["value"],
            60
        );
        metrics.push((summary["metrics"].clone(), summary["series"].clone()));
    }
    let count = metrics[0].0.as_array().unwrap().len();
    assert_eq!(
        count, 19,
        "every detection metric with label, score and amount"
    );
    assert_eq!(metrics[0], metrics[1], "CSV and JSON Lines differ");
    assert_eq!(metrics[0], metrics[2], "CSV and Parquet differ");
}

#[test]
fn json_logs_get_one_progress_event_per_file_and_no_bar() {
    let a = format!("{HEADER}{}", rows("a", 5));
    let b = format!("{HEADER}{}", rows("b", 7));
    let (_dir, yaml) = two_files(&a, &b);
    let out = run(&[
        "--log-format",
        "json",
        "--log-level",
        "info",
        "validate",
        &yaml,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["fields"]["event"] == "progress")
        .collect();
    assert_eq!(events.len(), 2, "{}", stderr(&out));
    assert_eq!(events[0]["fields"]["file"], "logs/a.csv");
    assert_eq!(events[1]["fields"]["rows"], 7);
    // Standard error is a pipe here: no bar is drawn.
    let plain = run(&["validate", &yaml]);
    assert!(!stderr(&plain).contains("eta"), "{}", stderr(&plain));
}

#[test]
fn reading_in_chunks_gives_the_same_findings_and_metrics() {
    let a = format!("{HEADER}{}", rows("a", 23));
    let b = format!(
        "{HEADER}{}b98,2025-06-02T11:00:00Z,maybe,true,0.5\nb99,2025-06-02T11:00:00Z,true,true,2\n\na5,2025-06-02T11:00:00Z,true,true,0.5\n",
        rows("b", 17)
    );
    let (dir, yaml) = two_files(&a, &b);
    let whole = run(&["validate", "--format", "json", &yaml]);
    let chunked = bin()
        .env("SANDBOX_REPORT_CHUNK_ROWS", "4")
        .args(["validate", "--format", "json", &yaml])
        .output()
        .unwrap();
    assert_eq!(whole.status.code(), Some(1));
    assert_eq!(
        stdout(&whole),
        stdout(&chunked),
        "chunks of 4 rows change the findings"
    );
    let report: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    let rows_of = |code: &str| -> Vec<(String, u64, u64)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_string(),
                    f["row"].as_u64().unwrap(),
                    f["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // b.csv: rows 18 and 19 are bad, row 20 is blank (skipped), row 21 repeats a5 of a.csv.
    assert_eq!(
        rows_of("value_invalid"),
        [("logs/b.csv".to_string(), 18, 1)]
    );
    assert_eq!(
        rows_of("value_out_of_range"),
        [("logs/b.csv".to_string(), 19, 1)]
    );
    assert_eq!(
        rows_of("event_id_duplicate"),
        [("logs/b.csv".to_string(), 21, 1)]
    );

    // Without the bad file, the metrics of a build read in chunks equal those read whole.
    std::fs::remove_file(dir.path().join("logs/b.csv")).unwrap();
    let whole = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("whole"),
        "json",
    );
    let out = dir.path().join("chunked");
    let built = bin()
        .env("SANDBOX_REPORT_CHUNK_ROWS", "4")
        .args(["build", &yaml, "-o", &path_str(&out), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let chunked: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        find_metric(&whole, "detection.events", None, None).unwrap()["value"],
        23
    );
    assert_eq!(whole["metrics"], chunked["metrics"]);
    assert_eq!(whole["series"], chunked["series"]);
}

/// An assistant stream of 23 rows on 23 days, latency ((7i mod 23)·12.5 + i mod 3) ms and
/// csat 1 + i mod 5: read in chunks of 4 rows (the clean rows in two parts, one on disk), its quantiles and means are
/// the hand-computed ones and every metric, series point and histogram bin equals the whole
/// read's, to the bit.
#[test]
fn quantiles_and_means_over_many_parts_equal_the_whole() {
    let outcomes = ["resolved", "escalated", "abandoned"];
    let csv: String = std::iter::once("event_id,timestamp,outcome,latency_ms,csat\n".to_string())
        .chain((0..23).map(|i| {
            let latency = f64::from((i * 7) % 23) * 12.5 + f64::from(i % 3);
            format!(
                "q{i},2025-06-{:02}T09:00:00Z,{},{latency},{}\n",
                2 + i,
                outcomes[i as usize % 3],
                1 + i % 5
            )
        }))
        .collect();
    let config = detection_config("").replace("kind: detection", "kind: assistant");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)]);
    let yaml = dir.path().join("submission.yaml");
    let whole = build_ok(&yaml, &dir.path().join("whole"), "json");
    let out = dir.path().join("chunked");
    let built = bin()
        .env("SANDBOX_REPORT_CHUNK_ROWS", "4")
        .args([
            "build",
            &path_str(&yaml),
            "-o",
            &path_str(&out),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let chunked: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    // Sorted latencies s₀..s₂₂; quantile q at position 22·q, interpolated linearly (numpy's
    // default): p50 = s₁₁ = 137.5, p95 at 20.9, p99 at 21.78.
    let value = |id: &str| {
        find_metric(&chunked, id, None, None).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert_eq!(value("assistant.latency_p50"), 137.5);
    assert!(
        close(value("assistant.latency_p95"), 261.35),
        "{}",
        value("assistant.latency_p95")
    );
    assert!(
        close(value("assistant.latency_p99"), 273.03),
        "{}",
        value("assistant.latency_p99")
    );
    assert!(close(value("assistant.latency_mean"), 3184.5 / 23.0));
    assert!(close(value("assistant.csat_mean"), 66.0 / 23.0));
    assert_eq!(whole["metrics"], chunked["metrics"]);
    assert_eq!(whole["series"], chunked["series"]);
    assert_eq!(whole["distributions"], chunked["distributions"]);
}
