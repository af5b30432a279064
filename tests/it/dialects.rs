//! Issue 17, item 5: CSV dialects (`csv: { delimiter, decimal, quote }`) and timestamp formats
//! (`timestamp_format`), as Excel and bank systems export them; `init` detects both.

use crate::common::*;

/// Day-first timestamps, `;` between fields, decimal commas. Positives (label 1): E1 (flagged,
/// 1200,50) and E4 (missed, 7).
const SEMICOLONS: &str = "event_id;timestamp;decision;label;score;amount
E1;02/06/2025 10:05;1;1;0,91;1200,50
E2;03/06/2025 11:00;0;0;0,12;80
E3;15/06/2025 23:59;1;0;0,55;15,25
E4;30/06/2025 08:00;0;1;0,4;7
";

const DIALECT: &str =
    "    csv: { delimiter: \";\", decimal: \",\" }\n    timestamp_format: \"%d/%m/%Y %H:%M\"\n";

#[test]
fn semicolons_decimal_commas_and_day_first_timestamps_are_read() {
    let summary = build_files(&[("logs/a.csv", SEMICOLONS)], &detection_config(DIALECT));
    let value = |id: &str| {
        find_metric(&summary, id, None, None).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    // Scores 0,91 and 0,4 (positives) against 0,12 and 0,55: 3 of 4 pairs in order.
    assert_eq!(value("detection.roc_auc"), 0.75);
    // 1200.50 of 1207.50 fraud value flagged.
    let rate = find_metric(&summary, "detection.value_detection_rate", None, None).unwrap();
    assert_eq!(rate["numerator"].as_f64(), Some(1200.5));
    assert_eq!(rate["denominator"].as_f64(), Some(1207.5));
    // 03/06 is the 3rd of June (inside the period), not the 6th of March.
    let codes = texts(&summary["findings"], "code");
    assert!(!codes.contains(&"outside_period"), "{codes:?}");
    assert_eq!(value("detection.recall"), 0.5);
}

#[test]
fn tabs_and_single_quotes_are_read_as_declared() {
    let tsv = "event_id\ttimestamp\tdecision\tlabel\tmodel_version\n\
               E1\t2025-06-02 10:05:00\ttrue\ttrue\t'v1\tbeta'\n\
               E2\t2025-06-03 10:05:00\tfalse\ttrue\t'v1\tbeta'\n";
    let config = detection_config("    csv: { delimiter: \"\\t\", quote: \"'\" }\n");
    let summary = build_files(&[("logs/a.csv", tsv)], &config);
    let recall = find_metric(&summary, "detection.recall", None, None).unwrap();
    assert_eq!(recall["numerator"].as_f64(), Some(1.0));
    assert_eq!(recall["denominator"].as_f64(), Some(2.0));
}

#[test]
fn a_header_split_by_another_delimiter_says_which_to_declare() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", SEMICOLONS),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&out) + &stderr(&out);
    let first: Vec<&str> = text.lines().take(2).collect();
    insta::assert_snapshot!(
        "dialect_other_delimiter",
        diagnostics(out.status.code().unwrap(), &first.join("\n"))
    );
}

#[test]
fn a_dialect_or_format_that_cannot_work_is_a_config_error_at_its_line() {
    let config = detection_config(
        "    csv: { decimal: \",\", quote: \"''\" }\n    timestamp_format: [\"%H:%M\", \"%d/%m/%Y %Q\"]\n",
    );
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", SEMICOLONS)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stderr(&out).replace(&path_str(dir.path()), "DIR");
    insta::assert_snapshot!(
        "dialect_config_errors",
        diagnostics(out.status.code().unwrap(), &text)
    );
}

#[test]
fn init_detects_the_dialect_and_the_timestamp_format() {
    let dir = submission(&[("exports/logs/a.csv", SEMICOLONS)]);
    let config = dir.path().join("submission.yaml");
    let out = run(&[
        "init",
        &path_str(&dir.path().join("exports")),
        "-o",
        &path_str(&config),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("    csv: { delimiter: \";\", decimal: \",\" }"),
        "{text}"
    );
    assert!(
        text.contains("    timestamp_format: \"%d/%m/%Y %H:%M\""),
        "{text}"
    );
    assert!(
        text.contains("period: { start: 2025-06-02, end: 2025-06-30 }"),
        "{text}"
    );
    let filled = text
        .replace("id: TODO", "id: X-1 #")
        .replace("name: TODO", "name: Bank #")
        .replace("cohort: TODO", "cohort: \"2\" #")
        .replace("title: TODO", "title: T #");
    std::fs::write(&config, filled).unwrap();
    let out = run(&["validate", &path_str(&config)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
