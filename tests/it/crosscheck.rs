//! Runs the independent Python cross-check (tests/crosscheck/crosscheck.py): numpy,
//! scikit-learn, statsmodels and fairlearn recompute every metric of 24 generated datasets
//! and one bundled sample from the same input files, and every value of summary.json must
//! agree within 1e-9. The Python environment lives in ~/.cache/sandbox-report/venv (or
//! $SANDBOX_REPORT_VENV); `.ci/run` prepares it, and this test creates it when missing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn venv() -> PathBuf {
    std::env::var_os("SANDBOX_REPORT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir);
            home.join(".cache/sandbox-report/venv")
        })
}

/// The checkout under test, read at run time: a shared target folder may hold a test binary
/// compiled from another clone of the same sources.
fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Creates the venv and installs the pinned requirements unless they are already there.
fn prepare(venv: &Path) {
    let requirements = repo().join("tests/crosscheck/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).unwrap();
    let marker = venv.join("requirements.installed");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return;
    }
    let status = |cmd: &mut Command| {
        let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
        assert!(
            ok,
            "could not run {cmd:?}; the cross-check needs python3 with venv and pip"
        );
    };
    status(Command::new("python3").args(["-m", "venv"]).arg(venv));
    status(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
    );
    std::fs::write(marker, wanted).unwrap();
}

#[test]
fn summary_json_agrees_with_independent_implementations() {
    let venv = venv();
    prepare(&venv);
    let out = Command::new(venv.join("bin/python"))
        .arg(repo().join("tests/crosscheck/crosscheck.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_sandbox-report")])
        .arg("--samples")
        .arg(repo().join("sample-data"))
        .output()
        .expect("the cross-check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Shown by `cargo test -- --nocapture`, and on failure.
    println!("{stdout}");
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("crosscheck: compared"))
        .unwrap_or("");
    // The test harness captures output; .ci/run prints this file after the tests.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    let _ = std::fs::create_dir_all(&target);
    let _ = std::fs::write(
        target.join("crosscheck-summary.txt"),
        format!("{summary}\n"),
    );
    assert!(
        out.status.success(),
        "cross-check failed:\n{stdout}\n{stderr}"
    );
    assert!(summary.ends_with(", 0 mismatches"), "{summary}");
    let compared: usize = summary
        .split_whitespace()
        .nth(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(compared > 5_000, "too few values compared: {summary}");
}
