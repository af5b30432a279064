//! Unattended batch runs: every job of a [`Plan`] built independently (in parallel up to
//! `jobs`), one job's data errors or failure recorded while the others go on, a job whose
//! bundle is up to date skipped ([`fresh`]), each output folder written under its lock, then
//! the optional cohort step over the bundles, and a [`RunReport`] of it all.

pub mod fresh;
pub mod plan;
pub mod report;
mod steps;

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::error::Result;
use crate::model::Tool;
pub use fresh::HashCache;
pub use plan::Plan;
pub use report::{JobKind, JobReport, JobStatus, RunReport};

/// What a batch run is asked to do.
pub struct BatchRequest<'a> {
    pub plan: &'a Plan,
    /// Jobs run at once (at least 1).
    pub jobs: usize,
    pub fail_fast: bool,
    /// Rebuild even what is up to date.
    pub force: bool,
    pub lock_timeout: Duration,
    pub clock: Clock,
    /// The number of the signal that asked the run to stop (0: none), set by a handler.
    pub stop: &'a AtomicUsize,
}

/// The run report and the cohort step's rejected bundles (real paths, for the operator).
pub struct BatchOutcome {
    pub report: RunReport,
    pub rejected: Vec<crate::cohort::model::RejectedBundle>,
    /// Why run-report.json could not be written, if it could not (the run's exit code is
    /// then 2; the caller still prints the table).
    pub report_error: Option<crate::error::Error>,
}

/// The default of `--jobs`: one job per core, but no more than one per 4 GiB of memory (a
/// job at real volume needs a few GiB), and at least one.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let by_memory = total_memory_gib().map_or(cores, |gib| (gib / 4) as usize);
    cores.min(by_memory).max(1)
}

fn total_memory_gib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib / (1024 * 1024))
}

/// Runs the plan: every job, then the cohort step; writes the run report and the hash cache
/// beside it.
pub fn run(req: &BatchRequest) -> Result<BatchOutcome> {
    let started = chrono::Utc::now();
    let cache_path = cache_path(&req.plan.run_report);
    let cache = HashCache::load(&cache_path);
    let mut jobs = run_jobs(req, &cache);
    let mut rejected = Vec::new();
    if let Some(step) = &req.plan.cohort {
        let halted = jobs.iter().any(|j| j.status == JobStatus::Skipped)
            || req.stop.load(Ordering::SeqCst) != 0;
        let (job, r) = if halted {
            (steps::skipped_cohort(step), Vec::new())
        } else {
            steps::cohort(req, step, &cache, &jobs)
        };
        jobs.push(job);
        rejected = r;
    }
    let interrupted = signal_name(req.stop.load(Ordering::SeqCst));
    let report = RunReport {
        schema: report::RUN_REPORT_SCHEMA,
        schema_version: 1,
        tool: Tool::this(),
        started: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        exit_code: RunReport::exit_code(&jobs, interrupted.as_deref()),
        interrupted,
        jobs,
    };
    if let Err(err) = cache.save(&cache_path) {
        tracing::warn!(path = %cache_path.display(), %err, "cannot save the hash cache");
    }
    let report_error = steps::write_report(&req.plan.run_report, &report).err();
    Ok(BatchOutcome {
        report,
        rejected,
        report_error,
    })
}

/// The hash cache beside the run report.
fn cache_path(run_report: &std::path::Path) -> std::path::PathBuf {
    run_report.with_file_name(".sandbox-report-hashes.json")
}

fn signal_name(signal: usize) -> Option<String> {
    match signal {
        0 => None,
        2 => Some("SIGINT".into()),
        15 => Some("SIGTERM".into()),
        n => Some(format!("signal {n}")),
    }
}

/// Runs the submission jobs on `req.jobs` threads, in plan order of start; the reports come
/// back in plan order.
fn run_jobs(req: &BatchRequest, cache: &HashCache) -> Vec<JobReport> {
    let jobs = &req.plan.jobs;
    let next = AtomicUsize::new(0);
    let halt = AtomicBool::new(false);
    let done: Mutex<Vec<Option<JobReport>>> = Mutex::new(vec![None; jobs.len()]);
    let workers = req.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let stopping =
                        halt.load(Ordering::SeqCst) || req.stop.load(Ordering::SeqCst) != 0;
                    let report = if stopping {
                        steps::skipped(job)
                    } else {
                        steps::guarded(req, job, cache)
                    };
                    if req.fail_fast && report.status.is_failure() {
                        halt.store(true, Ordering::SeqCst);
                    }
                    done.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(report);
                }
            });
        }
    });
    done.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .zip(jobs)
        .map(|(r, job)| r.unwrap_or_else(|| steps::skipped(job)))
        .collect()
}

/// How long a job took, in whole milliseconds.
fn millis(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}
