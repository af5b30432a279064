//! `sandbox-report demo`: a batch run over the bundled samples: every sample submission and
//! the sample cohort's bundles, then the regulator's cohort summary over all of them (with the
//! two sample bundles that must be rejected), and where everything is. One failing sample does
//! not stop the others; a second demo into the same folder rebuilds only what changed.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use crate::args::DemoArgs;
use crate::batch::plan::{CohortJob, Job, RUN_REPORT};
use crate::batch::{self, BatchRequest, JobKind, JobStatus, Plan};
use crate::clock::Clock;
use crate::cohort::model::RejectedBundle;
use crate::config::OutputFormat;
use crate::error::{Error, Outcome, Result};

/// The sample-data folder: the one given, else `sample-data` in the current folder or in a
/// folder above the binary (a checkout's `target/release/sandbox-report` finds the checkout's).
fn samples_dir(given: Option<&Path>) -> Result<PathBuf> {
    let mut candidates = match given {
        Some(p) => vec![p.to_path_buf()],
        None => vec![PathBuf::from("sample-data")],
    };
    if given.is_none()
        && let Ok(exe) = std::env::current_exe()
    {
        candidates.extend(exe.ancestors().skip(1).map(|dir| dir.join("sample-data")));
    }
    candidates
        .into_iter()
        .find(|p| p.join("submissions").is_dir())
        .ok_or(Error::SamplesNotFound)
}

/// Every `*/submission.yaml` under `dir`, sorted by folder name.
fn sample_configs(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Input {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut configs: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.path().join("submission.yaml"),
            )
        })
        .filter(|(_, p)| p.is_file())
        .collect();
    configs.sort();
    Ok(configs)
}

/// A job per sample config, building into `out/<name>`.
fn jobs(configs: &[(String, PathBuf)], out: &Path) -> Vec<Job> {
    configs
        .iter()
        .map(|(name, config)| Job {
            name: name.clone(),
            config: config.clone(),
            out: out.join(name),
            sign_key: None,
            formats: Vec::new(),
            language: None,
        })
        .collect()
}

/// Copies the sample bundles that the cohort must reject next to the built ones; returns
/// their folders (holding a manifest.json) relative to the demo's output folder.
fn copy_rejects(from: &Path, to: &Path) -> Result<Vec<String>> {
    let mut rejects = Vec::new();
    for entry in walkdir::WalkDir::new(from)
        .sort_by_file_name()
        .into_iter()
        .filter_map(std::result::Result::ok)
    {
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(rel);
        let io = |source| Error::Output {
            path: target.clone(),
            source,
        };
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(io)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(io)?;
            if entry.file_name() == crate::bundle::MANIFEST_FILE
                && let Some(dir) = rel.parent()
            {
                rejects.push(format!("cohort-bundles/rejected/{}", dir.display()));
            }
        }
    }
    rejects.sort();
    Ok(rejects)
}

pub fn run(args: &DemoArgs) -> Result<Outcome> {
    let clock = Clock::from_env()?;
    let samples = samples_dir(args.samples.as_deref())?;
    let configs = sample_configs(&samples.join("submissions"))?;
    crate::outln!(
        "building {} sample submission(s) from {}",
        configs.len(),
        samples.display()
    );
    let mut plan = Plan {
        jobs: jobs(&configs, &args.out),
        cohort: None,
        run_report: args.out.join(RUN_REPORT),
    };
    let cohort_dir = samples.join("cohort");
    let mut rejects = Vec::new();
    if cohort_dir.join("submissions").is_dir() {
        let bundles = args.out.join("cohort-bundles");
        let configs = sample_configs(&cohort_dir.join("submissions"))?;
        crate::outln!("and {} more bank(s) of the sample cohort", configs.len());
        plan.jobs.extend(jobs(&configs, &bundles));
        rejects = copy_rejects(&cohort_dir.join("rejected"), &bundles.join("rejected"))?;
        plan.cohort = Some(cohort_step(
            &args.out,
            &cohort_dir.join("demo-pseudonym.key"),
        ));
    }
    let stop = AtomicUsize::new(0);
    let request = BatchRequest {
        plan: &plan,
        jobs: batch::default_jobs(),
        fail_fast: false,
        force: false,
        lock_timeout: Duration::from_secs(60),
        clock,
        stop: &stop,
    };
    let mut done = batch::run(&request)?;
    if let Some(err) = done.report_error.take() {
        return Err(err);
    }
    for job in &done.report.jobs {
        if job.status != JobStatus::Built
            && job.status != JobStatus::UpToDate
            && !(job.kind == JobKind::Cohort && job.status == JobStatus::DataErrors)
        {
            eprintln!("  {}: {}: {}", job.name, job.status.as_str(), job.reason);
        }
    }
    crate::out!("{}", done.report.table());
    if !rejects.is_empty() {
        crate::outln!(
            "(the cohort's data_errors are the {} sample bundle(s) it must reject; the demo's own exit code is 0 when it rejects exactly those)",
            rejects.len()
        );
    }
    let expected = rejections_expected(&done.rejected, &rejects, plan.cohort.is_some());
    let failed = done
        .report
        .jobs
        .iter()
        .any(|j| j.kind == JobKind::Submission && j.exit_code != 0);
    crate::outln!("bundles are in {}", args.out.display());
    Ok(if failed || !expected {
        Outcome::InputErrors
    } else {
        Outcome::Success
    })
}

/// The regulator's summary of the demo, in both languages, over everything built and the
/// sample bundles that must be rejected.
fn cohort_step(out: &Path, key: &Path) -> CohortJob {
    CohortJob {
        out: out.join("cohort"),
        key_file: Some(key.to_path_buf()),
        min_banks: 3,
        letters: true,
        reveal: false,
        formats: vec![OutputFormat::Pdf, OutputFormat::Html, OutputFormat::Md],
        language: crate::schema::Language::Bilingual,
        trusted_keys: None,
        bundles: vec![out.to_path_buf()],
    }
}

/// True when exactly the sample rejects (`rejects`, as copied) were rejected, or when the
/// cohort was up to date (nothing rejected anew).
fn rejections_expected(rejected: &[RejectedBundle], rejects: &[String], cohort: bool) -> bool {
    if !cohort || rejected.is_empty() {
        return true;
    }
    for r in rejected {
        crate::outln!("  cohort: rejected (as intended) {}: {}", r.path, r.reason);
    }
    let mut paths: Vec<&str> = rejected.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    let expected = paths == rejects;
    if !expected {
        eprintln!(
            "  cohort: unexpected rejections; expected exactly the sample bundles in cohort-bundles/rejected ({})",
            rejects.join(", ")
        );
    }
    expected
}
