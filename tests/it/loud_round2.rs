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
