//! One step of a batch run: a submission job (lock, up-to-date check, build) or the cohort
//! step, each ending in its [`JobReport`] whatever happens (a panic included), and the run
//! report written atomically.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::fresh::{self, HashCache, Verdict, Wanted};
use super::plan::{CohortJob, Job};
use super::report::{Counts, JobKind, JobReport, JobStatus};
use super::{BatchRequest, millis};
use crate::bundle::lock::OutputLock;
use crate::bundle::sign::Signer;
use crate::bundle::{MANIFEST_FILE, Manifest, hash};
use crate::cohort::{self, CohortRequest};
use crate::error::{Error, Result};
use crate::model::{Finding, Severity};
use crate::render::{COHORT_FILE, SUMMARY_FILE};
use crate::submission::{self, BuildRequest};
use crate::templates::{BUILTIN_SET, TemplateSet};

/// The report of a job that was not started.
pub(super) fn skipped(job: &Job) -> JobReport {
    report(
        job,
        JobStatus::Skipped,
        "not started: the run stopped early".into(),
    )
}

fn report(job: &Job, status: JobStatus, reason: String) -> JobReport {
    let config = Some(job.config.display().to_string());
    JobReport::new(
        &job.name,
        JobKind::Submission,
        config,
        &job.out,
        status,
        reason,
    )
}

/// Runs one job, logging its start and end; a panic becomes a failed job, not a lost run.
pub(super) fn guarded(req: &BatchRequest, job: &Job, cache: &HashCache) -> JobReport {
    tracing::info!(target: "jobs", event = "job_started", job = %job.name, config = %job.config.display(), "job started");
    let start = Instant::now();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        submission_job(req, job, cache)
    }));
    let mut r = ran.unwrap_or_else(|_| report(job, JobStatus::Failed, Error::Internal.to_string()));
    r.duration_ms = millis(start);
    log_end(&r);
    r
}

fn log_end(r: &JobReport) {
    tracing::info!(
        target: "jobs",
        event = "job_finished",
        job = %r.name,
        status = r.status.as_str(),
        exit_code = r.exit_code,
        duration_ms = r.duration_ms,
        errors = r.findings.error,
        warnings = r.findings.warning,
        reason = %r.reason,
        "job finished"
    );
}

/// The error's text with its hint, for a report's `reason`.
fn describe(err: &Error) -> String {
    match err.hint() {
        Some(hint) => format!("{err}\nhint: {hint}"),
        None => err.to_string(),
    }
}

fn counts(findings: &[Finding]) -> Counts {
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Counts {
        error: n(Severity::Error),
        warning: n(Severity::Warning),
    }
}

fn submission_job(req: &BatchRequest, job: &Job, cache: &HashCache) -> JobReport {
    let stop = || req.stop.load(std::sync::atomic::Ordering::SeqCst) != 0;
    let _lock = match OutputLock::acquire_unless(&job.out, req.lock_timeout, stop) {
        Ok(lock) => lock,
        Err(err @ Error::Locked { .. }) => return report(job, JobStatus::Locked, describe(&err)),
        Err(err) => return report(job, JobStatus::Failed, describe(&err)),
    };
    let why = match up_to_date(req, job, cache) {
        Ok(Verdict::UpToDate { summary_sha256 }) => {
            let mut r = report(job, JobStatus::UpToDate, "nothing changed".into());
            r.findings = summary_counts(&job.out.join(SUMMARY_FILE));
            r.summary_sha256 = Some(summary_sha256);
            return r;
        }
        Ok(Verdict::Stale(why)) => why,
        Err(err) => return report(job, JobStatus::Failed, describe(&err)),
    };
    build(req, job, why)
}

/// Whether the job's bundle is up to date (never, with --force).
fn up_to_date(req: &BatchRequest, job: &Job, cache: &HashCache) -> Result<Verdict> {
    if req.force {
        return Ok(Verdict::Stale("--force".into()));
    }
    let loaded = crate::config::load(&job.config)?;
    let templates = TemplateSet::load(&loaded.config.report.template, &loaded.dir)?;
    let signer = job.sign_key.as_deref().map(Signer::load).transpose()?;
    let wanted = Wanted {
        job,
        loaded: &loaded,
        templates: &templates,
        signer: signer.as_ref(),
    };
    Ok(fresh::check(&wanted, cache))
}

fn build(req: &BatchRequest, job: &Job, why: String) -> JobReport {
    let signer = match job.sign_key.as_deref().map(Signer::load).transpose() {
        Ok(signer) => signer,
        Err(err) => return report(job, JobStatus::Failed, describe(&err)),
    };
    let request = BuildRequest {
        config: &job.config,
        out: &job.out,
        formats: &job.formats,
        clock: req.clock,
        signer: signer.as_ref(),
        language: job.language,
        previous: None,
    };
    match submission::build(&request) {
        Ok(built) => {
            let mut r = report(job, JobStatus::Built, why);
            r.findings = counts(&built.summary.findings);
            r.summary_sha256 = sha256(&job.out.join(SUMMARY_FILE));
            r
        }
        Err(Error::InputErrors { errors, findings }) => {
            let reason = format!("the inputs have {errors} error(s); no bundle was written");
            let mut r = report(job, JobStatus::DataErrors, reason);
            r.findings = counts(&findings);
            r.errors = findings;
            r
        }
        Err(err) => report(job, JobStatus::Failed, describe(&err)),
    }
}

fn sha256(path: &Path) -> Option<String> {
    hash::sha256_file(path).ok().map(|(_, sha)| sha)
}

/// The findings of a bundle's summary.json by severity.
fn summary_counts(path: &Path) -> Counts {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<crate::model::Summary>(&b).ok())
        .map_or_else(Counts::default, |s| counts(&s.findings))
}

/// The cohort step's report when the run stopped before it.
pub(super) fn skipped_cohort(step: &CohortJob) -> JobReport {
    cohort_report(
        step,
        JobStatus::Skipped,
        "not started: the run stopped early".into(),
    )
}

fn cohort_report(step: &CohortJob, status: JobStatus, reason: String) -> JobReport {
    JobReport::new("cohort", JobKind::Cohort, None, &step.out, status, reason)
}

/// The cohort step over the plan's bundles: skipped when neither a bundle nor an option
/// changed since it was last written by a batch run.
pub(super) fn cohort(
    req: &BatchRequest,
    step: &CohortJob,
    cache: &HashCache,
    jobs: &[JobReport],
) -> (JobReport, Vec<cohort::model::RejectedBundle>) {
    tracing::info!(target: "jobs", event = "job_started", job = "cohort", "job started");
    let start = Instant::now();
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        cohort_step(req, step, cache)
    }));
    let (mut r, rejected) = ran.unwrap_or_else(|_| {
        let failed = cohort_report(step, JobStatus::Failed, Error::Internal.to_string());
        (failed, Vec::new())
    });
    flag_previous_bundles(&mut r, jobs);
    r.duration_ms = millis(start);
    log_end(&r);
    (r, rejected)
}

fn cohort_step(
    req: &BatchRequest,
    step: &CohortJob,
    cache: &HashCache,
) -> (JobReport, Vec<cohort::model::RejectedBundle>) {
    let fail = |err: &Error| {
        (
            cohort_report(step, JobStatus::Failed, describe(err)),
            Vec::new(),
        )
    };
    let lock = match OutputLock::acquire(&step.out, req.lock_timeout) {
        Ok(lock) => lock,
        Err(err @ Error::Locked { .. }) => {
            return (
                cohort_report(step, JobStatus::Locked, describe(&err)),
                Vec::new(),
            );
        }
        Err(err) => return fail(&err),
    };
    let dirs = cohort_dirs(req, step);
    let fingerprint = cohort_fingerprint(step, &dirs, cache);
    if !req.force
        && let Some((sha, rejected)) = cohort_up_to_date(&step.out, &lock.note(), &fingerprint)
    {
        // Bundles rejected last time are still rejected: the status says so again.
        let (status, reason) = match rejected {
            0 => (JobStatus::UpToDate, "no bundle changed".to_string()),
            n => (
                JobStatus::DataErrors,
                format!("{n} bundle(s) rejected (no bundle changed since the last run)"),
            ),
        };
        let mut r = cohort_report(step, status, reason);
        r.summary_sha256 = Some(sha);
        return (r, Vec::new());
    }
    let templates = match TemplateSet::load(BUILTIN_SET, Path::new(".")) {
        Ok(t) => t,
        Err(err) => return fail(&err),
    };
    let request = CohortRequest {
        dirs: &dirs,
        out: &step.out,
        min_banks: step.min_banks,
        key_file: step.key_file.as_deref(),
        reveal: step.reveal,
        letters: step.letters,
        formats: step.formats.clone(),
        templates,
        language: step.language,
    };
    match cohort::run_trusted(&request, step.trusted_keys.as_deref(), req.clock) {
        Ok(done) => {
            let rejected = done.cohort.bundles.rejected.len();
            let (status, reason) = if rejected == 0 {
                (
                    JobStatus::Built,
                    format!("{} bundle(s) used", done.cohort.bundles.accepted.len()),
                )
            } else {
                (
                    JobStatus::DataErrors,
                    format!("{rejected} bundle(s) rejected"),
                )
            };
            if let Ok((_, manifest)) = hash::sha256_file(&step.out.join(MANIFEST_FILE)) {
                let _ = lock.set_note(&format!("{fingerprint} {manifest} {rejected}\n"));
            }
            let mut r = cohort_report(step, status, reason);
            r.summary_sha256 = sha256(&step.out.join(COHORT_FILE));
            (r, done.rejected_paths)
        }
        Err(err) => fail(&err),
    }
}

/// A cohort made while some job of the run did not build reads that job's previous bundle
/// (if it has one): said in the cohort's reason and counted as data errors, never silent.
fn flag_previous_bundles(r: &mut JobReport, jobs: &[JobReport]) {
    let previous: Vec<&str> = jobs
        .iter()
        .filter(|j| {
            matches!(
                j.status,
                JobStatus::DataErrors | JobStatus::Failed | JobStatus::Locked
            ) && Path::new(&j.output).join(MANIFEST_FILE).is_file()
        })
        .map(|j| j.name.as_str())
        .collect();
    if previous.is_empty()
        || !matches!(
            r.status,
            JobStatus::Built | JobStatus::UpToDate | JobStatus::DataErrors
        )
    {
        return;
    }
    r.reason.push_str(&format!(
        "; uses the previous bundle of {} (their jobs did not build in this run)",
        previous.join(", ")
    ));
    r.set_status(JobStatus::DataErrors);
}

/// The SHA-256 of the cohort.json in `out` when `note` (left by the batch that wrote it)
/// says it was written from `fingerprint`, and it still is what that batch wrote and verifies.
fn cohort_up_to_date(out: &Path, note: &str, fingerprint: &str) -> Option<(String, usize)> {
    let mut parts = note.split_whitespace();
    let (recorded, manifest_sha) = (parts.next()?, parts.next()?);
    let rejected: usize = parts.next()?.parse().ok()?;
    let (_, now) = hash::sha256_file(&out.join(MANIFEST_FILE)).ok()?;
    let manifest = Manifest::read(&out.join(MANIFEST_FILE)).ok()?;
    let intact = manifest.verify_outputs(out).is_empty();
    if recorded != fingerprint || now != manifest_sha || !intact {
        return None;
    }
    let record = manifest.outputs.iter().find(|e| e.path == COHORT_FILE)?;
    Some((record.sha256.clone(), rejected))
}

/// The folders the cohort reads: the step's own list, else every job's bundle that exists.
fn cohort_dirs(req: &BatchRequest, step: &CohortJob) -> Vec<PathBuf> {
    if !step.bundles.is_empty() {
        return step.bundles.clone();
    }
    req.plan
        .jobs
        .iter()
        .map(|j| j.out.clone())
        .filter(|p| p.is_dir())
        .collect()
}

/// What the cohort is made from, as one hash: the tool version, the step's options, each
/// bundle folder found with the SHA-256 of its manifest (which hashes all its files), and
/// the pseudonymisation and trusted keys.
fn cohort_fingerprint(step: &CohortJob, dirs: &[PathBuf], cache: &HashCache) -> String {
    let mut parts = vec![
        crate::model::Tool::this().version,
        format!("{step:?}"),
        std::env::var(cohort::pseudonym::KEY_ENV)
            .map_or_else(|_| String::new(), |k| hash::sha256_bytes(k.as_bytes())),
    ];
    let file = |p: &Path| {
        cache
            .sha256(p)
            .map_or_else(|e| format!("unreadable {e}"), |(_, s)| s)
    };
    for root in dirs {
        for dir in cohort::bundle_folders(root) {
            parts.push(format!(
                "{} {}",
                dir.display(),
                file(&dir.join(MANIFEST_FILE))
            ));
        }
    }
    parts.extend(step.key_file.iter().map(|k| file(k)));
    if let Some(keys) = &step.trusted_keys {
        let mut listed: Vec<PathBuf> = std::fs::read_dir(keys)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        listed.sort();
        parts.extend(
            listed
                .iter()
                .map(|k| format!("{} {}", k.display(), file(k))),
        );
    }
    hash::sha256_bytes(parts.join("\n").as_bytes())
}

/// Writes run-report.json atomically (a temporary file renamed into place).
pub(super) fn write_report(path: &Path, report: &super::RunReport) -> Result<()> {
    let io = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let bytes = crate::render::json_bytes(report)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
