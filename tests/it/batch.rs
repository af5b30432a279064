//! `batch`: a plan of several submissions where some are bad, rerun without changes, rerun
//! after one input changed, two runs at once, and a run killed in the middle of a job.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::common::*;
use serde_json::Value;

/// The sample submissions the plans build (small, three different institutions).
const GOOD: [&str; 3] = [
    "junk-bay-bank-redteam",
    "peak-bank-assistant",
    "lantern-bank-liveness",
];

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A work folder with the good samples under `subs/`, and a plan building every
/// `subs/*/submission.yaml` into `bundles/{dir}` as Markdown, with a cohort step.
fn workspace(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in GOOD {
        copy_dir(
            &samples().join("submissions").join(name),
            &dir.path().join("subs").join(name),
        );
    }
    for (path, text) in extra {
        write(&dir.path().join(path), text);
    }
    write(
        &dir.path().join("plan.yaml"),
        "jobs:\n  - config: subs/*/submission.yaml\n    out: bundles/{dir}\n    formats: [md]\ncohort:\n  out: bundles/cohort\n  key_file: key.txt\n  formats: [md]\nrun_report: bundles/run-report.json\n",
    );
    write(&dir.path().join("key.txt"), &"ab".repeat(32));
    dir
}

/// A submission whose data has an error (a row without its timestamp).
fn data_error() -> Vec<(&'static str, String)> {
    let config = detection_config("").replace("T-1", "T-BAD");
    vec![
        ("subs/bad-data/submission.yaml", config),
        (
            "subs/bad-data/logs/a.csv",
            "event_id,timestamp,decision,label,score\ne1,2025-06-02 10:00:00,true,true,0.9\ne2,,false,false,0.1\n".into(),
        ),
    ]
}

fn batch(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["batch".to_string(), path_str(&dir.join("plan.yaml"))];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&refs);
    let report = std::fs::read(dir.join("bundles/run-report.json"))
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap_or(Value::Null);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    (out.status.code().unwrap_or(-1), report, text)
}

/// Job name → status in a run report.
fn statuses(report: &Value) -> Vec<(String, String)> {
    report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap().to_string(),
                j["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of(report: &Value, name: &str) -> String {
    statuses(report)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no job {name} in {report}"))
}

/// Every file under `dir` with its bytes and modification time.
fn files_and_times(dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    snapshot(dir)
        .into_iter()
        .map(|(rel, bytes)| {
            let mtime = std::fs::metadata(dir.join(&rel))
                .unwrap()
                .modified()
                .unwrap();
            (rel, bytes, mtime)
        })
        .collect()
}

fn verifies(bundle: &Path) -> bool {
    run(&["verify", &path_str(bundle)]).status.code() == Some(0)
}

#[test]
fn bad_jobs_do_not_stop_the_others_and_an_unchanged_rerun_rewrites_nothing() {
    let mut extra = data_error();
    extra.push((
        "subs/broken-config/submission.yaml",
        "schema_version: 1\ncolour: blue\n".into(),
    ));
    let extra: Vec<(&str, &str)> = extra.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = workspace(&extra);
    let (code, report, text) = batch(dir.path(), &["--jobs", "2"]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(report["exit_code"], 2);
    for name in GOOD {
        assert_eq!(status_of(&report, name), "built", "{text}");
        assert!(verifies(&dir.path().join("bundles").join(name)));
    }
    assert_eq!(status_of(&report, "bad-data"), "data_errors");
    assert_eq!(status_of(&report, "broken-config"), "failed");
    assert_eq!(status_of(&report, "cohort"), "built", "{text}");
    let jobs = report["jobs"].as_array().unwrap();
    let bad = jobs.iter().find(|j| j["name"] == "bad-data").unwrap();
    assert_eq!(bad["exit_code"], 1);
    assert!(bad["findings"]["error"].as_u64().unwrap() >= 1, "{bad}");
    let broken = jobs.iter().find(|j| j["name"] == "broken-config").unwrap();
    assert!(
        broken["reason"].as_str().unwrap().contains("colour"),
        "{broken}"
    );
    // The data error is printed with its file and row; the failure with its line.
    assert!(
        text.contains("a.csv: row 2, column \"timestamp\""),
        "{text}"
    );
    assert!(text.contains("submission.yaml:2:"), "{text}");
    assert!(!dir.path().join("bundles/bad-data").exists());
    let peak = jobs
        .iter()
        .find(|j| j["name"] == "peak-bank-assistant")
        .unwrap();
    let summary =
        std::fs::read(dir.path().join("bundles/peak-bank-assistant/summary.json")).unwrap();
    assert_eq!(peak["summary_sha256"], hex_sha256(&summary));

    let before = files_and_times(&dir.path().join("bundles/peak-bank-assistant"));
    let cohort_before = files_and_times(&dir.path().join("bundles/cohort"));
    let (code, report, text) = batch(dir.path(), &[]);
    assert_eq!(code, 2, "the bad jobs are still bad: {text}");
    for name in GOOD {
        assert_eq!(status_of(&report, name), "up_to_date", "{text}");
    }
    assert_eq!(status_of(&report, "cohort"), "up_to_date", "{text}");
    assert_eq!(status_of(&report, "bad-data"), "data_errors");
    assert_eq!(
        before,
        files_and_times(&dir.path().join("bundles/peak-bank-assistant"))
    );
    assert_eq!(
        cohort_before,
        files_and_times(&dir.path().join("bundles/cohort"))
    );
}

#[test]
fn fail_fast_skips_the_jobs_after_the_first_bad_one() {
    let extra = data_error();
    let extra: Vec<(&str, &str)> = extra.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = workspace(&extra);
    let (code, report, text) = batch(dir.path(), &["--fail-fast", "--jobs", "1"]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(status_of(&report, "bad-data"), "data_errors");
    for name in GOOD.iter().chain(&["cohort"]) {
        assert_eq!(status_of(&report, name), "skipped", "{text}");
        assert!(!dir.path().join("bundles").join(name).exists());
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn a_changed_input_rebuilds_exactly_its_job_and_the_cohort() {
    let dir = workspace(&[]);
    let (code, _, text) = batch(dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    // Append a copy of the last KPI line: the same file name, new content.
    let kpis = dir
        .path()
        .join("subs/peak-bank-assistant/warehouse/kpis/monthly-kpis.jsonl");
    let text_now = std::fs::read_to_string(&kpis).unwrap();
    let last = text_now.lines().last().unwrap().to_string();
    std::fs::write(&kpis, format!("{text_now}{last}\n")).unwrap();
    let (code, report, text) = batch(dir.path(), &[]);
    assert!(code == 0 || code == 1, "{text}");
    assert_eq!(status_of(&report, "peak-bank-assistant"), "built", "{text}");
    let peak = report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "peak-bank-assistant")
        .unwrap();
    assert!(
        peak["reason"]
            .as_str()
            .unwrap()
            .contains("monthly-kpis.jsonl"),
        "{peak}"
    );
    assert_eq!(status_of(&report, "junk-bay-bank-redteam"), "up_to_date");
    assert_eq!(status_of(&report, "lantern-bank-liveness"), "up_to_date");
    assert_eq!(status_of(&report, "cohort"), "built", "{text}");
    // --force rebuilds everything.
    let (_, report, _) = batch(dir.path(), &["--force"]);
    assert!(
        statuses(&report).iter().all(|(_, s)| s == "built"),
        "{report}"
    );
}

#[test]
fn two_runs_at_once_build_every_job_exactly_once() {
    let dir = workspace(&[]);
    let spawn = || {
        crate::common::bin()
            .args([
                "batch",
                &path_str(&dir.path().join("plan.yaml")),
                "--jobs",
                "1",
            ])
            .env("SANDBOX_REPORT_LOG_FORMAT", "text")
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    // Each run printed its table; count "built" per job across both.
    for name in GOOD.iter().chain(&["cohort"]) {
        let built = [&a, &b]
            .iter()
            .filter(|o| {
                stdout(o)
                    .lines()
                    .any(|l| l.starts_with(&format!("{name} ")) && l.contains(" built "))
            })
            .count();
        assert_eq!(built, 1, "{name}: {}\n{}", stdout(&a), stdout(&b));
        assert!(verifies(&dir.path().join("bundles").join(name)));
    }
}

/// Adds a job `big` (first in plan order) large enough to be caught mid-way.
fn add_big_job(dir: &Path) {
    let big = dir.join("subs/big");
    let generated = run_gen(&[
        "stream",
        "--kind",
        "detection",
        "--rows",
        "400000",
        "-o",
        &path_str(&big.join("logs/events.csv")),
    ]);
    assert!(generated.status.success());
    write(
        &big.join("submission.yaml"),
        &detection_config("")
            .replace("T-1", "T-BIG")
            .replace("2025-06-30", "2025-08-31"),
    );
}

/// Starts a batch over `dir`'s plan and waits until the big job's bundle is being staged.
fn start_and_catch_big_job(dir: &Path) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_sandbox-report"))
        .args(["batch", &path_str(&dir.join("plan.yaml")), "--jobs", "1"])
        .env("SOURCE_DATE_EPOCH", "1756684800")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let bundles = dir.join("bundles");
    let staging = || {
        std::fs::read_dir(&bundles).ok().is_some_and(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with(".big.partial-"))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !staging() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(staging(), "the big job never started");
    child
}

#[test]
fn a_run_killed_in_the_middle_of_a_job_is_completed_by_the_next() {
    let dir = workspace(&[]);
    add_big_job(dir.path());
    let mut child = start_and_catch_big_job(dir.path());
    let bundles = dir.path().join("bundles");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !bundles.join("big").exists(),
        "killed before its bundle was in place"
    );
    let (code, report, text) = batch(dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(status_of(&report, "big"), "built");
    for name in GOOD.iter().chain(&["big", "cohort"]) {
        assert!(verifies(&bundles.join(name)), "{name}");
    }
    let leftovers: Vec<String> = std::fs::read_dir(&bundles)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn sigint_lets_the_running_job_finish_skips_the_rest_and_exits_130() {
    let dir = workspace(&[]);
    add_big_job(dir.path());
    let child = start_and_catch_big_job(dir.path());
    // SAFETY: kill(2) on the pid of a child this test started and has not yet waited for.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stdout(&out));
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("bundles/run-report.json")).unwrap())
            .unwrap();
    assert_eq!(report["interrupted"], "SIGINT");
    assert_eq!(report["exit_code"], 130);
    assert_eq!(
        status_of(&report, "big"),
        "built",
        "the running job finishes"
    );
    assert!(verifies(&dir.path().join("bundles/big")));
    for name in GOOD.iter().chain(&["cohort"]) {
        assert_eq!(status_of(&report, name), "skipped", "{report}");
    }
}

#[test]
fn a_folder_is_built_submission_by_submission_and_an_invalid_plan_is_exit_2() {
    let dir = workspace(&[]);
    let out = dir.path().join("out");
    let result = run(&[
        "batch",
        &path_str(&dir.path().join("subs")),
        "-o",
        &path_str(&out),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    for name in GOOD {
        assert!(verifies(&out.join(name)), "{name}");
    }
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("run-report.json")).unwrap()).unwrap();
    assert_eq!(report["jobs"].as_array().unwrap().len(), 3);
    write(
        &dir.path().join("plan.yaml"),
        "jobs:\n  - config: x.yaml\n    out: o\n    colour: red\n",
    );
    let (code, _, text) = batch(dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("plan.yaml:4:") && text.contains("colour"),
        "{text}"
    );
}

#[test]
fn a_cohort_never_looks_fine_while_a_bundle_is_rejected_or_a_job_did_not_build() {
    let dir = workspace(&[]);
    write(
        &dir.path().join("plan.yaml"),
        "jobs:\n  - config: subs/*/submission.yaml\n    out: bundles/{dir}\n    formats: [md]\ncohort:\n  out: cohort\n  key_file: key.txt\n  formats: [md]\n  bundles: [bundles, extra]\nrun_report: bundles/run-report.json\n",
    );
    let (code, _, text) = batch(dir.path(), &[]);
    assert_eq!(code, 0, "{text}");
    // A copy of a bundle, altered after its manifest was written, among the cohort's inputs.
    let copy = dir.path().join("extra/copy");
    copy_dir(&dir.path().join("bundles/peak-bank-assistant"), &copy);
    std::fs::write(copy.join("report.md"), "altered").unwrap();
    for run in ["first", "unchanged rerun"] {
        let (code, report, text) = batch(dir.path(), &[]);
        assert_eq!(code, 1, "{run}: {text}");
        assert_eq!(status_of(&report, "cohort"), "data_errors", "{run}: {text}");
        assert!(text.contains("1 bundle(s) rejected"), "{run}: {text}");
    }
    std::fs::remove_dir_all(dir.path().join("extra")).unwrap();
    // Now one job stops on a data error: the cohort still reads its previous bundle, and says so.
    let kpis = dir
        .path()
        .join("subs/peak-bank-assistant/warehouse/kpis/monthly-kpis.jsonl");
    let mut text_now = std::fs::read_to_string(&kpis).unwrap();
    text_now.push_str("not json\n");
    std::fs::write(&kpis, text_now).unwrap();
    let (code, report, text) = batch(dir.path(), &[]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(status_of(&report, "peak-bank-assistant"), "data_errors");
    assert_eq!(status_of(&report, "cohort"), "data_errors", "{text}");
    let cohort = report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "cohort")
        .unwrap();
    assert!(
        cohort["reason"]
            .as_str()
            .unwrap()
            .contains("previous bundle of peak-bank-assistant"),
        "{cohort}"
    );
}
