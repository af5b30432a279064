//! Bad input gets a clear error naming file, row (or line) and column, and the documented
//! exit code: 1 for data errors, 2 for config errors.

use crate::common::*;

/// Runs `validate` on a detection submission whose single log file is `csv`.
fn validate_csv(csv: &str) -> (i32, String) {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/day1.csv", csv),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    (out.status.code().unwrap(), stdout(&out) + &stderr(&out))
}

const HEADER: &str = "event_id,timestamp,decision,label,score\n";

#[test]
fn malformed_csv_names_file_row_and_column() {
    let (code, text) = validate_csv(&format!(
        "{HEADER}e1,2025-06-02 10:00:00,true,true,0.9\ne2,2025-06-02 11:00:00,false\n"
    ));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("logs/day1.csv: row 2, column \"label\""),
        "{text}"
    );
    assert!(text.contains("expected 5 fields"), "{text}");
    assert!(text.contains("csv_malformed"), "{text}");
}

#[test]
fn missing_required_column_names_file_and_column() {
    let (code, text) = validate_csv("event_id,timestamp,label\ne1,2025-06-02 10:00:00,true\n");
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("logs/day1.csv: header, column \"decision\""),
        "{text}"
    );
    assert!(text.contains("column_missing"), "{text}");
}

#[test]
fn bad_boolean_names_row_column_and_value() {
    let (code, text) = validate_csv(&format!(
        "{HEADER}e1,2025-06-02 10:00:00,true,true,0.9\ne2,2025-06-02 11:00:00,maybe,false,0.2\n"
    ));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains("logs/day1.csv: row 2, column \"decision\""),
        "{text}"
    );
    assert!(text.contains("found \"maybe\""), "{text}");
}

#[test]
fn duplicate_event_id_names_the_second_occurrence() {
    let (code, text) = validate_csv(&format!(
        "{HEADER}e1,2025-06-02 10:00:00,true,true,0.9\ne2,2025-06-02 11:00:00,false,false,0.2\ne1,2025-06-03 11:00:00,false,false,0.1\n"
    ));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(text.contains("event_id_duplicate"), "{text}");
    assert!(
        text.contains("logs/day1.csv: row 3, column \"event_id\""),
        "{text}"
    );
    assert!(text.contains("found \"e1\""), "{text}");
}

#[test]
fn score_out_of_range_is_an_error_with_the_value() {
    let (code, text) = validate_csv(&format!(
        "{HEADER}e1,2025-06-02 10:00:00,true,true,1.7\ne2,2025-06-02 11:00:00,false,false,n/a\n"
    ));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(
        text.contains(
            "logs/day1.csv: row 1, column \"score\": expected a number in [0, 1], found \"1.7\""
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "logs/day1.csv: row 2, column \"score\": expected a number in [0, 1], found \"n/a\""
        ),
        "{text}"
    );
}

#[test]
fn not_a_number_is_rejected_by_row() {
    let (code, text) = validate_csv(&format!("{HEADER}e1,2025-06-02 10:00:00,true,true,NaN\n"));
    assert_eq!(code, 1, "{text}");
    assert_diagnostics!(code, text);
    assert!(text.contains("row 1, column \"score\""), "{text}");
    assert!(text.contains("value_out_of_range"), "{text}");
}

#[test]
fn unknown_config_key_names_line_and_column() {
    let config = detection_config("").replace("timezone: UTC", "timezone: UTC\ncolour: blue");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", HEADER)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_diagnostics!(out.status.code().unwrap_or(-1), text);
    assert!(text.contains("submission.yaml:3:1"), "{text}");
    assert!(text.contains("colour"), "{text}");
}

#[test]
fn config_type_error_names_line_and_column() {
    let config = detection_config("").replace("cohort: \"1\"", "cohort: [1, 2]");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", HEADER)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_diagnostics!(out.status.code().unwrap_or(-1), text);
    assert!(text.contains("submission.yaml:6:"), "{text}");
    assert!(text.contains("expected text or a number"), "{text}");
}

#[test]
fn semantic_config_errors_are_all_listed() {
    let config = detection_config(
        "  - name: alerts\n    kind: detection\n    path: logs\ncriteria:\n  - { metric: detection.recal, op: \">=\", value: 0.8 }\n",
    )
    .replace("end: 2025-06-30", "end: 2025-05-30");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", HEADER)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_diagnostics!(out.status.code().unwrap_or(-1), text);
    assert!(
        text.contains("the period starts (2025-06-01) after it ends (2025-05-30)"),
        "{text}"
    );
    assert!(
        text.contains("stream name \"alerts\" is used twice"),
        "{text}"
    );
    assert!(
        text.contains("unknown metric \"detection.recal\""),
        "{text}"
    );
}

#[test]
fn missing_config_file_is_exit_2() {
    let out = run(&["validate", "/nonexistent/submission.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_diagnostics!(2, stdout(&out) + &stderr(&out));
    assert!(stderr(&out).contains("cannot read config"));
}

#[test]
fn validate_json_lists_findings_with_locations() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        (
            "logs/day1.csv",
            &format!("{HEADER}e1,2025-06-02 10:00:00,true,true,1.7\n"),
        ),
    ]);
    let out = run(&[
        "validate",
        "--format",
        "json",
        &path_str(&dir.path().join("submission.yaml")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["errors"], 1);
    let finding = &report["findings"][0];
    assert_eq!(finding["file"], "logs/day1.csv");
    assert_eq!(finding["row"], 1);
    assert_eq!(finding["column"], "score");
    assert_eq!(finding["code"], "value_out_of_range");
}

#[test]
fn validate_stops_on_a_template_folder_that_build_would_stop_on() {
    let config = detection_config("report: { template: no-such-folder }\n");
    let dir = submission(&[
        ("submission.yaml", &config),
        (
            "logs/day1.csv",
            &format!("{HEADER}e1,2025-06-02 10:00:00,true,true,0.9\n"),
        ),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_diagnostics!(2, stdout(&out) + &stderr(&out));
    assert!(stderr(&out).contains("no-such-folder"), "{}", stderr(&out));
}

#[test]
fn a_period_of_centuries_is_a_config_error_not_a_giant_report() {
    let config = detection_config("").replace("end: 2025-06-30", "end: 9999-12-31");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", HEADER)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_diagnostics!(out.status.code().unwrap_or(-1), text);
    assert!(text.contains("submission.yaml:"), "{text}");
    assert!(text.contains("more than ten years"), "{text}");
}
