//! `sandbox-report batch PLAN|DIR`: run a plan (or every submission under a folder), print
//! the one-screen table, the findings of jobs with data errors and the failures, and exit with
//! the roll-up of the jobs' exit codes (130 after SIGINT, 2 after SIGTERM). SIGINT and
//! SIGTERM stop the starting of jobs; running jobs finish (or roll back) and the run report is
//! written; a second signal ends the process at once.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use crate::args::BatchArgs;
use crate::batch::{self, BatchRequest, JobStatus, Plan};
use crate::clock::Clock;
use crate::error::{Error, Outcome, Result};

pub fn run(args: &BatchArgs) -> Result<Outcome> {
    let clock = Clock::from_env()?;
    let mut plan = if args.target.is_dir() {
        let out = args.out.clone().unwrap_or_else(|| PathBuf::from("bundles"));
        Plan::for_folder(&args.target, &out)?
    } else {
        if args.out.is_some() {
            return Err(Error::BatchOutWithPlan);
        }
        Plan::load(&args.target)?
    };
    if let Some(language) = args.language.map(Into::into) {
        plan.jobs
            .iter_mut()
            .for_each(|j| j.language = Some(language));
        if let Some(c) = plan.cohort.as_mut() {
            c.language = language;
        }
    }
    let stop = stop_on_signals();
    let request = BatchRequest {
        plan: &plan,
        jobs: args.jobs.map_or_else(batch::default_jobs, |n| n as usize),
        fail_fast: args.fail_fast,
        force: args.force,
        lock_timeout: Duration::from_secs(args.lock_timeout),
        clock,
        stop: &stop,
    };
    let done = batch::run(&request)?;
    let report = &done.report;
    for job in &report.jobs {
        match job.status {
            JobStatus::DataErrors if !job.errors.is_empty() => {
                eprintln!("{}: {}", job.name, job.reason);
                super::validate::print_findings(&job.errors, 5, &mut std::io::stderr().lock());
            }
            JobStatus::Failed | JobStatus::Locked | JobStatus::DataErrors => {
                eprintln!("{}: {}", job.name, job.reason.replace('\n', "\n  "));
            }
            _ => {}
        }
    }
    for r in &done.rejected {
        eprintln!("cohort: rejected {}: {}", r.path, r.reason);
    }
    // Written, not printed: a closed pipe (`| head`) must not turn a finished run into a panic.
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{}", report.table());
    if let Some(err) = done.report_error {
        return Err(err);
    }
    let _ = writeln!(out, "run report: {}", plan.run_report.display());
    Ok(match report.exit_code {
        0 => Outcome::Success,
        1 => Outcome::InputErrors,
        130 => Outcome::Interrupted,
        _ => Outcome::Failure,
    })
}

/// The number of the first SIGINT or SIGTERM received (0 until then); a second one ends the
/// process at once.
fn stop_on_signals() -> Arc<AtomicUsize> {
    let stop = Arc::new(AtomicUsize::new(0));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The first registration makes the second signal fatal; the second records the first.
        let fatal = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let code = if signal == signal_hook::consts::SIGINT {
            130
        } else {
            2
        };
        let _ = signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(&fatal));
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal as usize);
        let _ = signal_hook::flag::register(signal, fatal);
    }
    stop
}
