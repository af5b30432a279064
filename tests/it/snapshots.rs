//! Snapshot tests (insta) of the outputs other programs and people rely on, so that an
//! accidental change shows up as a diff in review: the `validate` findings as text and as
//! JSON, one sample's whole `summary.json`, and the `view` data custom templates see.
//!
//! The snapshots live in `tests/it/snapshots/`. To change them on purpose run
//! `INSTA_UPDATE=always cargo test --test it snapshots::` and review the diff of the `.snap` files.
//! Temporary folders are replaced by `[TMP]` before comparing; everything else (the tool's
//! version, the fixed `SOURCE_DATE_EPOCH` clock) is compared as written.

use std::path::Path;

use crate::common::*;

/// The sample submission built by the summary and view snapshots: the smallest one.
const SAMPLE: &str = "junk-bay-bank-redteam";

/// `text` with every spelling of the temporary folder `dir` replaced by `[TMP]`.
fn normalise(text: &str, dir: &Path) -> String {
    let mut text = text.to_string();
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    // The longer spelling first, in case one is a prefix of the other.
    let mut spellings = [path_str(&canonical), path_str(dir)];
    spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for spelling in spellings {
        text = text.replace(&spelling, "[TMP]");
    }
    text
}

/// A detection submission with findings of several codes, errors and warnings, in two files.
fn broken_submission() -> tempfile::TempDir {
    const HEADER: &str = "event_id,timestamp,decision,label,score\n";
    let day1 = format!(
        "{HEADER}\
         e1,2025-06-02 10:00:00,true,true,0.9\n\
         e2,2025-06-02 11:00:00,maybe,false,0.2\n\
         e3,2025-06-02 12:00:00,false,,0.1\n\
         e4,2025-06-03 09:00:00,true,,1.7\n\
         e1,2025-06-04 10:00:00,false,false,0.3\n\
         e6,2025-07-02 10:00:00,false,false,0.2\n\
         e7,2025-06-04 11:00:00,true,true,NaN\n"
    );
    let day2 = format!(
        "{HEADER}\
         e8,2025-06-05 10:00:00,true,true,0.8\n\
         e9,2025-06-05 11:00:00,false\n"
    );
    submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/day1.csv", &day1),
        ("logs/day2.csv", &day2),
    ])
}

#[test]
fn validate_text_output() {
    let dir = broken_submission();
    let config = dir.path().join("submission.yaml");
    let out = run(&["validate", &path_str(&config)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = format!(
        "exit code: 1\n--- stdout ---\n{}--- stderr ---\n{}",
        stdout(&out),
        stderr(&out)
    );
    insta::assert_snapshot!("validate_text", normalise(&text, dir.path()));
}

#[test]
fn validate_json_output() {
    let dir = broken_submission();
    let config = dir.path().join("submission.yaml");
    let out = run(&["validate", "--format", "json", &path_str(&config)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The output must stay valid JSON; the snapshot pins its exact text.
    serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("validate prints JSON");
    insta::assert_snapshot!("validate_json", normalise(&stdout(&out), dir.path()));
}

#[test]
fn sample_summary_json() {
    let config = samples()
        .join("submissions")
        .join(SAMPLE)
        .join("submission.yaml");
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("bundle");
    // JSON only: summary.json is always written, and no report is drawn.
    build_ok(&config, &bundle, "json");
    let text = std::fs::read_to_string(bundle.join("summary.json")).unwrap();
    insta::assert_snapshot!("sample_summary_json", normalise(&text, out.path()));
}

#[test]
fn template_view_data() {
    let dir = tempfile::tempdir().unwrap();
    // A copy of the sample, whose config names a custom template folder.
    let source = samples().join("submissions").join(SAMPLE);
    for entry in walkdir::WalkDir::new(&source) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&source).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    let config = dir.path().join("submission.yaml");
    let mut yaml = std::fs::read_to_string(&config).unwrap();
    assert!(
        !yaml.contains("\nreport:"),
        "the sample sets no report block"
    );
    yaml.push_str("report:\n  template: templates\n");
    std::fs::write(&config, yaml).unwrap();

    let templates = dir.path().join("templates");
    let export = run(&["templates", "export", &path_str(&templates)]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    std::fs::write(
        templates.join("report.md.jinja"),
        "{{ view | tojson(indent=2) }}\n",
    )
    .unwrap();

    let bundle = dir.path().join("bundle");
    build_ok(&config, &bundle, "md");
    let text = std::fs::read_to_string(bundle.join("report.md")).unwrap();
    insta::assert_snapshot!("template_view_data", normalise(&text, dir.path()));
}
