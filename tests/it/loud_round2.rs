//! Issue 29, correct or loud round 2: what a bank's own exports still got wrong without a
//! word (genuine rows as an attack species, blank metric inputs, a build that printed no
//! findings), bombs, a closed pipe, the wrong file type, the species vocabulary, the
//! reconciliation tolerance, both rows of a duplicate and inputs hashed as they are measured.

use std::process::Stdio;

use crate::common::*;

/// Runs the binary with `args` and its standard output's reader gone before it writes.
fn run_into_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sandbox-report"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1756684800")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let config = path_str(&samples().join("submissions/harbour-bank-card-fraud/submission.yaml"));
    for (args, code) in [
        (vec!["explain", "--list"], 0),
        (vec!["explain", "--markdown"], 0),
        (vec!["explain", "detection.alert_rate"], 0),
        (vec!["validate", &config], 0),
    ] {
        let out = run_into_closed_pipe(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Six rows on 2 June 2025, alternating decisions and labels; the config's narrative has
/// objectives in English only.
fn english_only_narrative() -> tempfile::TempDir {
    let mut csv = String::from("event_id,timestamp,decision,label,score\n");
    for i in 0..6 {
        let flag = if i % 2 == 0 { "true" } else { "false" };
        csv.push_str(&format!("e{i},2025-06-02 10:0{i}:00,{flag},{flag},0.{i}\n"));
    }
    let config = detection_config("").replace(
        "  period:",
        "  narrative:\n    objectives: { en: \"Fewer card frauds.\" }\n  period:",
    );
    submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)])
}

#[test]
fn validate_checks_in_the_language_asked_for() {
    let dir = english_only_narrative();
    let config = path_str(&dir.path().join("submission.yaml"));
    let en = run(&["validate", &config]);
    assert_eq!(en.status.code(), Some(0));
    assert!(
        !stdout(&en).contains("narrative_language_missing"),
        "{}",
        stdout(&en)
    );
    let zh = run(&["validate", "--language", "zh-HK", &config]);
    assert_diagnostics!(zh.status.code().unwrap(), stdout(&zh) + &stderr(&zh));
}

#[test]
fn build_says_what_it_found() {
    let dir = english_only_narrative();
    let config = path_str(&dir.path().join("submission.yaml"));
    let out = dir.path().join("out");
    let built = run(&[
        "build",
        &config,
        "--out",
        &path_str(&out),
        "--format",
        "md",
        "--language",
        "zh-HK",
    ]);
    assert_diagnostics!(
        built.status.code().unwrap(),
        stdout(&built) + &stderr(&built)
    );
}
