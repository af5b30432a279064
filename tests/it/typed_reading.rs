//! Issue 10: numbers and true/false are typed by the reader (CSV) or used as stored (Parquet),
//! and text timestamps take a quick path. These check that nothing changes for the user: a
//! value the typed reader refuses is still read as input-v1 reads it, a value a finding shows
//! is still shown as written, and Parquet's own types give the same metrics as text.

use crate::common::*;
use polars::prelude::*;

const HEADER: &str = "event_id,timestamp,decision,label,score\n";

/// The metrics of a one-file detection submission.
fn metrics_of(csv: &str) -> serde_json::Value {
    let config = detection_config("");
    build_files(&[("logs/a.csv", csv)], &config)["metrics"].clone()
}

#[test]
fn words_and_spaces_the_typed_reader_refuses_read_as_input_v1_reads_them() {
    let plain = format!(
        "{HEADER}a,2025-06-02 10:00:00,true,false,0.25\nb,2025-06-02T11:00:00Z,false,true,0.75\nc,2025-06-03 09:30:00,true,true,0.5\n"
    );
    // `Y`, `no`, `1`, a trailing space and an RFC 3339 time: all valid input-v1.
    let worded = format!(
        "{HEADER}a,2025-06-02 10:00:00,Y,no,0.25 \nb,2025-06-02T11:00:00Z,0,1,0.75\nc,2025-06-03 09:30:00,yes,TRUE,.5\n"
    );
    let (plain, worded) = (metrics_of(&plain), metrics_of(&worded));
    assert_eq!(plain, worded);
    let events = plain
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "detection.events")
        .unwrap();
    assert_eq!(events["value"], 3);
}

#[test]
fn a_typed_csv_value_in_a_finding_is_shown_as_written() {
    let csv = format!(
        "{HEADER}a,2025-06-02 10:00:00,true,false,0.25\nb,2025-06-02 10:00:01,true,false,1.50\nc,2025-06-02 10:00:02,TRUE,false,+2\n"
    );
    let config = detection_config("");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&out) + &stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[value_out_of_range] alerts: logs/a.csv: row 2, column \"score\": expected a number in [0, 1], found \"1.50\" (and 1 more row(s) like it)"), "{text}");
}

/// 40 detection rows with Parquet's own types: an instant, a local time, f32 scores, bools.
fn typed_frame(score_last: f32) -> DataFrame {
    let n = 40;
    let ids: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
    // 2025-06-02 00:00 UTC plus i hours, in microseconds.
    let start = 1_748_822_400_000_000i64;
    let micros: Vec<i64> = (0..n).map(|i| start + i * 3_600_000_000).collect();
    let instant = Series::new("timestamp".into(), micros)
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
        .unwrap();
    let decision: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
    let label: Vec<Option<bool>> = (0..n).map(|i| (i % 5 != 0).then_some(i % 2 == 0)).collect();
    let mut score: Vec<f32> = (0..n).map(|i| (i % 8) as f32 / 8.0).collect();
    score[n as usize - 1] = score_last;
    DataFrame::new(
        n as usize,
        vec![
            Series::new("event_id".into(), ids).into(),
            instant.into(),
            Series::new("decision".into(), decision).into(),
            Series::new("label".into(), label).into(),
            Series::new("score".into(), score).into(),
        ],
    )
    .unwrap()
}

/// The same rows as `typed_frame(0.875)`, as CSV text.
fn typed_frame_as_csv() -> String {
    let mut text = String::from(HEADER);
    for i in 0..40 {
        let label = if i % 5 == 0 {
            String::new()
        } else {
            (i % 2 == 0).to_string()
        };
        let stamp = format!("2025-06-{:02}T{:02}:00:00Z", 2 + i / 24, i % 24);
        let score = if i == 39 { 0.875 } else { (i % 8) as f64 / 8.0 };
        text += &format!("p{i},{stamp},{},{label},{score}\n", i % 3 == 0);
    }
    text
}

fn parquet_submission(frame: &mut DataFrame) -> tempfile::TempDir {
    let dir = submission(&[("submission.yaml", &detection_config(""))]);
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    let file = std::fs::File::create(dir.path().join("logs/part.parquet")).unwrap();
    ParquetWriter::new(file).finish(frame).unwrap();
    dir
}

#[test]
fn parquet_types_used_as_stored_give_the_metrics_of_the_same_rows_as_text() {
    let dir = parquet_submission(&mut typed_frame(0.875));
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    assert_eq!(summary["metrics"], metrics_of(&typed_frame_as_csv()));
    let events = find_metric(&summary, "detection.events", None, None).unwrap();
    assert_eq!(events["value"], 40);
}

#[test]
fn a_stored_parquet_value_in_a_finding_is_shown_as_its_text() {
    let dir = parquet_submission(&mut typed_frame(1.5));
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&out) + &stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[value_out_of_range] alerts: logs/part.parquet: row 40, column \"score\": expected a number in [0, 1], found \"1.5\""), "{text}");
}
