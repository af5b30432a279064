//! run-report.json, the record of one batch run for the scheduler: when it started and
//! finished, its exit code, and per job what happened (`built`, `up_to_date`, `data_errors`,
//! `failed`, `locked`, `skipped`), why, how long it took, its findings by severity and the
//! SHA-256 of the bundle's summary.json. Also the one-screen table the run prints. The run
//! report is a log, not evidence: it holds wall-clock times and durations.

use serde::Serialize;

use crate::model::Tool;

pub const RUN_REPORT_SCHEMA: &str = "sandbox-report/run-report";

/// What became of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// A new bundle was written.
    Built,
    /// Nothing it is made from changed since its bundle was written; not rebuilt.
    UpToDate,
    /// Its inputs have errors (or, for the cohort, some bundles were rejected); no bundle
    /// written (the cohort is written without the rejected bundles).
    DataErrors,
    /// It could not run: invalid config, unreadable file, output not writable.
    Failed,
    /// Another run held its output folder's lock for longer than --lock-timeout.
    Locked,
    /// Not started: --fail-fast after a failure, or the run was interrupted.
    Skipped,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Built => "built",
            JobStatus::UpToDate => "up_to_date",
            JobStatus::DataErrors => "data_errors",
            JobStatus::Failed => "failed",
            JobStatus::Locked => "locked",
            JobStatus::Skipped => "skipped",
        }
    }

    /// The job's exit code, as `build` (or `cohort`) would have returned it.
    pub fn exit_code(self) -> u8 {
        match self {
            JobStatus::Built | JobStatus::UpToDate => 0,
            JobStatus::DataErrors => 1,
            JobStatus::Failed | JobStatus::Locked | JobStatus::Skipped => 2,
        }
    }

    /// Whether --fail-fast stops the run after it.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            JobStatus::DataErrors | JobStatus::Failed | JobStatus::Locked
        )
    }
}

/// Findings of a job by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
}

/// One job of the run.
/// What a job builds: one submission's bundle, or the cohort of the bundles built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Submission,
    Cohort,
}

#[derive(Debug, Clone, Serialize)]
pub struct JobReport {
    pub name: String,
    pub kind: JobKind,
    /// The submission config (null for the cohort step).
    pub config: Option<String>,
    pub output: String,
    pub status: JobStatus,
    pub exit_code: u8,
    pub duration_ms: u64,
    pub findings: Counts,
    /// SHA-256 of the bundle's summary.json (cohort.json for the cohort step), when there is
    /// a bundle.
    pub summary_sha256: Option<String>,
    /// Why it was built or not: `no bundle yet`, `input logs/a.csv changed`, the error.
    pub reason: String,
    /// The findings that stopped a build with data errors, for the command to print.
    #[serde(skip)]
    pub errors: Vec<crate::model::Finding>,
}

impl JobReport {
    /// A job's report before its findings, hash and duration are known.
    pub fn new(
        name: &str,
        kind: JobKind,
        config: Option<String>,
        output: &std::path::Path,
        status: JobStatus,
        reason: String,
    ) -> JobReport {
        JobReport {
            name: name.into(),
            kind,
            config,
            output: output.display().to_string(),
            status,
            exit_code: status.exit_code(),
            duration_ms: 0,
            findings: Counts::default(),
            summary_sha256: None,
            reason,
            errors: Vec::new(),
        }
    }

    /// Changes the status, and the exit code with it.
    pub fn set_status(&mut self, status: JobStatus) {
        self.status = status;
        self.exit_code = status.exit_code();
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub schema: &'static str,
    pub schema_version: u32,
    pub tool: Tool,
    pub started: String,
    pub finished: String,
    pub exit_code: u8,
    /// The signal that stopped the run early (`SIGINT`, `SIGTERM`), if one did.
    pub interrupted: Option<String>,
    pub jobs: Vec<JobReport>,
}

impl RunReport {
    /// 0 when every job is built or up to date, 1 when some have data errors and none
    /// failed, 2 when one failed, was locked or skipped; 130 after SIGINT, 2 after SIGTERM.
    pub fn exit_code(jobs: &[JobReport], interrupted: Option<&str>) -> u8 {
        match interrupted {
            Some("SIGINT") => 130,
            Some(_) => 2,
            None => jobs.iter().map(|j| j.exit_code).max().unwrap_or(0),
        }
    }

    /// The one-screen table: a line per job, then the totals.
    pub fn table(&self) -> String {
        let width = self
            .jobs
            .iter()
            .map(|j| j.name.len())
            .max()
            .unwrap_or(3)
            .clamp(3, 40);
        let mut s = format!(
            "{:<width$}  {:<11}  {:>4}  {:>8}  {:>6}  {:>8}  reason\n",
            "job", "status", "exit", "time", "errors", "warnings"
        );
        for j in &self.jobs {
            s.push_str(&format!(
                "{:<width$}  {:<11}  {:>4}  {:>6.1} s  {:>6}  {:>8}  {}\n",
                truncate(&j.name, width),
                j.status.as_str(),
                j.exit_code,
                j.duration_ms as f64 / 1000.0,
                j.findings.error,
                j.findings.warning,
                truncate(j.reason.lines().next().unwrap_or(""), 60),
            ));
        }
        let count = |st: JobStatus| self.jobs.iter().filter(|j| j.status == st).count();
        s.push_str(&format!(
            "{} job(s): {} built, {} up to date, {} with data errors, {} failed, {} locked, {} skipped; exit code {}\n",
            self.jobs.len(),
            count(JobStatus::Built),
            count(JobStatus::UpToDate),
            count(JobStatus::DataErrors),
            count(JobStatus::Failed),
            count(JobStatus::Locked),
            count(JobStatus::Skipped),
            self.exit_code
        ));
        s
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_kinds_keep_their_run_report_names() {
        let kinds = serde_json::to_string(&[JobKind::Submission, JobKind::Cohort]).unwrap();
        assert_eq!(kinds, r#"["submission","cohort"]"#);
    }

    fn job(status: JobStatus) -> JobReport {
        JobReport::new(
            "a",
            JobKind::Submission,
            None,
            "o".as_ref(),
            status,
            String::new(),
        )
    }

    #[test]
    fn the_exit_code_rolls_up_the_jobs() {
        use JobStatus::*;
        let code = |s: &[JobStatus]| {
            RunReport::exit_code(&s.iter().map(|s| job(*s)).collect::<Vec<_>>(), None)
        };
        assert_eq!(code(&[Built, UpToDate]), 0);
        assert_eq!(code(&[Built, DataErrors]), 1);
        assert_eq!(code(&[DataErrors, Failed, Built]), 2);
        assert_eq!(code(&[Locked]), 2);
        assert_eq!(code(&[]), 0);
        assert_eq!(RunReport::exit_code(&[job(Built)], Some("SIGINT")), 130);
        assert_eq!(RunReport::exit_code(&[job(Built)], Some("SIGTERM")), 2);
    }
}
