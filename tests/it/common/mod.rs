//! Helpers shared by the integration tests: running the binary and writing small
//! submissions into temporary folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The `sandbox-report` binary with a fixed clock and quiet logs.
pub fn bin() -> Command {
    let mut cmd = Command::cargo_bin("sandbox-report").expect("binary is built");
    cmd.env("SOURCE_DATE_EPOCH", "1756684800")
        .env_remove("SANDBOX_REPORT_LOG");
    cmd
}

/// Runs the generator binary (`sandbox-report-gen`) with `args` and returns its output.
pub fn run_gen(args: &[&str]) -> Output {
    Command::cargo_bin("sandbox-report-gen")
        .expect("generator binary is built")
        .args(args)
        .output()
        .expect("the generator runs")
}

/// Runs the binary with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A minimal config for one detection stream reading `logs/`.
pub fn detection_config(extra: &str) -> String {
    format!(
        r#"schema_version: 1
timezone: UTC
submission:
  institution: {{ id: T-1, name: "Test Bank" }}
  programme: "Test programme"
  cohort: "1"
  use_case: {{ id: UC-T, title: "Test", family: anti_fraud }}
  period: {{ start: 2025-06-01, end: 2025-06-30 }}
streams:
  - name: alerts
    kind: detection
    path: logs
{extra}"#
    )
}

/// Writes `files` (relative path, text) under a new temporary folder.
pub fn submission(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

pub fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Every file under `dir` with its bytes, sorted by relative path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The checkout under test. Read at run time (cargo sets it for every test run) rather than
/// baked in at compile time, because a shared target folder may hold test binaries compiled
/// from another clone of the same sources.
pub fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The sample-data folder of the repository.
pub fn samples() -> PathBuf {
    repo().join("sample-data")
}

/// Runs `build CONFIG -o OUT --format FORMATS`, requires exit code 0 and returns the
/// bundle's summary.json.
pub fn build_ok(config: &Path, out: &Path, formats: &str) -> serde_json::Value {
    let result = run(&[
        "build",
        &path_str(config),
        "-o",
        &path_str(out),
        "--format",
        formats,
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

/// Builds a submission of `files` with `config` (JSON only) and returns its summary.json.
pub fn build_files(files: &[(&str, &str)], config: &str) -> serde_json::Value {
    let mut all = vec![("submission.yaml", config)];
    all.extend_from_slice(files);
    let dir = submission(&all);
    build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    )
}

/// The metric `id` of summary `s` for `arm` (None: no arm) and `segment` (None: overall;
/// `(attribute, None)`: the group whose value is null).
pub fn find_metric<'a>(
    s: &'a serde_json::Value,
    id: &str,
    arm: Option<&str>,
    segment: Option<(&str, Option<&str>)>,
) -> Option<&'a serde_json::Value> {
    s["metrics"].as_array().unwrap().iter().find(|m| {
        m["id"] == id
            && m["arm"].as_str() == arm
            && match segment {
                None => m["segment"].is_null(),
                Some((a, v)) => {
                    m["segment"]["attribute"] == a && m["segment"]["value"].as_str() == v
                }
            }
    })
}

/// The text field `field` of every object of the JSON array `list` (the codes of a summary's
/// findings, the ids of its frameworks).
pub fn texts<'a>(list: &'a serde_json::Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|item| item[field].as_str().expect("a text field"))
        .collect()
}

/// Writes `count` generated sample bundles into `dir` with `sandbox-report-gen bundles` (exit
/// code 0 required).
pub fn generate_bundles(dir: &Path, count: usize) {
    let made = run_gen(&[
        "bundles",
        "--count",
        &count.to_string(),
        "-o",
        &path_str(dir),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
}

/// The exit code and the whole output of a run, as a diagnostics snapshot stores them: the
/// code on the first line, then the text with every temporary folder written as `[TMP]` (its
/// name changes from run to run).
pub fn diagnostics(code: i32, text: &str) -> String {
    format!("exit code: {code}\n{}", redact_temp(text))
}

/// `text` with each path of a temporary folder made by `tempfile` (`<temp dir>/.tmpXXXXXX`)
/// replaced by `[TMP]`.
pub fn redact_temp(text: &str) -> String {
    let base = std::env::temp_dir();
    let prefix = format!("{}/.tmp", base.to_string_lossy().trim_end_matches('/'));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&prefix) {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        let name = after
            .char_indices()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
            .map_or(after.len(), |(i, _)| i);
        out.push_str("[TMP]");
        rest = &after[name..];
    }
    out.push_str(rest);
    out
}

/// Pins the exit code and the whole output of a run as an insta snapshot named after the test
/// (`tests/it/snapshots/`), so that a changed message is reviewed with `cargo insta review`
/// rather than slipping past a substring check.
macro_rules! assert_diagnostics {
    ($code:expr, $text:expr) => {
        insta::assert_snapshot!($crate::common::diagnostics($code, &$text))
    };
}
pub(crate) use assert_diagnostics;
