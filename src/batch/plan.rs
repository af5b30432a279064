//! The batch plan: a small YAML file listing the jobs of a run (submission configs, globs
//! allowed, and where each bundle goes) and an optional cohort step over the bundles. Read like
//! a submission config: unknown keys and wrong types are errors with line and column. Paths
//! are relative to the plan's folder. `batch DIR` builds the same plan in memory
//! ([`Plan::for_folder`]).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Location;

use crate::config::{ConfigError, ConfigIssue, OutputFormat};
use crate::schema::Language;

/// The plan file as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub jobs: Vec<JobEntry>,
    #[serde(default)]
    pub cohort: Option<CohortStep>,
    /// Where run-report.json goes (default: beside the plan).
    #[serde(default)]
    pub run_report: Option<String>,
}

/// One entry of `jobs`: a config (or a glob of configs) and its bundle folder.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobEntry {
    /// A submission config, or a glob such as `submissions/*/submission.yaml` (with its
    /// place in the plan, for messages).
    #[schemars(with = "String")]
    pub config: serde_saphyr::Spanned<String>,
    /// The bundle folder; `{dir}` is the name of the folder holding the config.
    pub out: String,
    #[serde(default)]
    pub sign_key: Option<String>,
    #[serde(default)]
    pub formats: Option<Vec<OutputFormat>>,
    #[serde(default)]
    pub language: Option<Language>,
}

/// The optional last step: a cohort summary over every bundle of the run.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortStep {
    pub out: String,
    #[serde(default)]
    pub key_file: Option<String>,
    #[serde(default = "default_min_banks")]
    pub min_banks: u64,
    #[serde(default)]
    pub letters: bool,
    #[serde(default)]
    pub reveal: bool,
    #[serde(default)]
    pub formats: Option<Vec<OutputFormat>>,
    #[serde(default)]
    pub language: Option<Language>,
    #[serde(default)]
    pub trusted_keys: Option<String>,
    /// Folders to read bundles from (default: every job's output).
    #[serde(default)]
    pub bundles: Vec<String>,
}

fn default_min_banks() -> u64 {
    3
}

/// One submission to build.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// A short name for tables and logs: the config's folder name.
    pub name: String,
    pub config: PathBuf,
    pub out: PathBuf,
    pub sign_key: Option<PathBuf>,
    /// Empty: the config's own `report.formats`.
    pub formats: Vec<OutputFormat>,
    pub language: Option<Language>,
}

/// The cohort step with its paths resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortJob {
    pub out: PathBuf,
    pub key_file: Option<PathBuf>,
    pub min_banks: u64,
    pub letters: bool,
    pub reveal: bool,
    pub formats: Vec<OutputFormat>,
    pub language: Language,
    pub trusted_keys: Option<PathBuf>,
    /// Empty: every job's output folder.
    pub bundles: Vec<PathBuf>,
}

/// A plan ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub jobs: Vec<Job>,
    pub cohort: Option<CohortJob>,
    pub run_report: PathBuf,
}

impl Plan {
    /// Reads the plan at `path` and expands its globs.
    pub fn load(path: &Path) -> Result<Plan, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: PlanFile = crate::config::parse_yaml(path, &text, PLAN_HINT)?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let issue = |message: String| {
            ConfigError::Invalid(vec![
                ConfigIssue::at(path, Location::UNKNOWN, message).with_hint(PLAN_HINT),
            ])
        };
        let mut jobs = Vec::new();
        for entry in &file.jobs {
            let at = |message: String| {
                let issue = ConfigIssue::at(path, entry.config.referenced, message);
                ConfigError::Invalid(vec![issue.with_hint(PLAN_HINT)])
            };
            let configs = expand(base, &entry.config.value).map_err(at)?;
            if configs.is_empty() {
                let pattern = &entry.config.value;
                return Err(at(format!("jobs: config {pattern:?} matches no file")));
            }
            jobs.extend(configs.into_iter().map(|config| job(base, entry, config)));
        }
        let cohort = file.cohort.as_ref().map(|c| cohort_job(base, c));
        let run_report = base.join(file.run_report.as_deref().unwrap_or(RUN_REPORT));
        let plan = Plan {
            jobs,
            cohort,
            run_report,
        };
        plan.check_outputs().map_err(issue)?;
        Ok(plan)
    }

    /// Every `submission.yaml` under `dir`, each built into `out/<its folder name>`.
    pub fn for_folder(dir: &Path, out: &Path) -> Result<Plan, ConfigError> {
        let issue = |message: String| {
            ConfigError::Invalid(vec![ConfigIssue::at(dir, Location::UNKNOWN, message)])
        };
        let configs = expand(dir, "**/submission.yaml").map_err(issue)?;
        if configs.is_empty() {
            return Err(issue("no submission.yaml under this folder".into()));
        }
        let entry = JobEntry {
            config: serde_saphyr::Spanned::new(String::new(), Location::UNKNOWN, Location::UNKNOWN),
            out: "{dir}".into(),
            sign_key: None,
            formats: None,
            language: None,
        };
        let jobs = configs
            .into_iter()
            .map(|config| job(out, &entry, config))
            .collect();
        let plan = Plan {
            jobs,
            cohort: None,
            run_report: out.join(RUN_REPORT),
        };
        plan.check_outputs().map_err(issue)?;
        Ok(plan)
    }

    /// Two jobs writing one folder would overwrite each other, and a folder inside another's
    /// would make that one hold files its manifest does not list: both refused, naming the
    /// two (paths compared with `.` and `..` resolved).
    fn check_outputs(&self) -> Result<(), String> {
        if self.jobs.is_empty() && self.cohort.is_none() {
            return Err("the plan lists no jobs".into());
        }
        let cohort = self
            .cohort
            .as_ref()
            .map(|c| (c.out.clone(), "the cohort step".into()));
        let outputs: Vec<(PathBuf, String)> = self
            .jobs
            .iter()
            .map(|j| (j.out.clone(), j.config.display().to_string()))
            .chain(cohort)
            .map(|(p, by)| (normal(&p), by))
            .collect();
        let report = (normal(&self.run_report), "the run report".to_string());
        for (i, (a, by_a)) in outputs.iter().enumerate() {
            for (b, by_b) in outputs.iter().skip(i + 1).chain([&report]) {
                let clash = if a == b {
                    "would both write"
                } else if b.starts_with(a) || a.starts_with(b) {
                    "would write one inside the other:"
                } else {
                    continue;
                };
                return Err(format!(
                    "{by_a} and {by_b} {clash} {} / {}; give each its own folder beside the others (e.g. `out: bundles/{{dir}}`)",
                    a.display(),
                    b.display()
                ));
            }
        }
        Ok(())
    }
}

/// `path` made absolute with `.` and `..` resolved (without touching the disk).
fn normal(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The name of the run report.
pub const RUN_REPORT: &str = "run-report.json";

const PLAN_HINT: &str = "a plan has `jobs: [{ config, out, sign_key?, formats?, language? }]`, an optional `cohort:` step and `run_report:`; docs/scheduling.md shows one";

fn job(base: &Path, entry: &JobEntry, config: PathBuf) -> Job {
    let dir = config
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "submission".into());
    Job {
        name: dir.clone(),
        out: base.join(entry.out.replace("{dir}", &dir)),
        config,
        sign_key: entry.sign_key.as_ref().map(|k| base.join(k)),
        formats: entry.formats.clone().unwrap_or_default(),
        language: entry.language,
    }
}

fn cohort_job(base: &Path, c: &CohortStep) -> CohortJob {
    CohortJob {
        out: base.join(&c.out),
        key_file: c.key_file.as_ref().map(|k| base.join(k)),
        min_banks: c.min_banks,
        letters: c.letters,
        reveal: c.reveal,
        formats: c
            .formats
            .clone()
            .unwrap_or_else(|| vec![OutputFormat::Pdf, OutputFormat::Html, OutputFormat::Md]),
        language: c.language.unwrap_or_default(),
        trusted_keys: c.trusted_keys.as_ref().map(|k| base.join(k)),
        bundles: c.bundles.iter().map(|b| base.join(b)).collect(),
    }
}

/// The files `pattern` names under `base`, sorted: the path itself when it has no glob
/// characters, else every file whose path below `base` matches.
fn expand(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    if !pattern.contains(['*', '?', '[', '{']) {
        return Ok(vec![base.join(pattern)]);
    }
    let glob = globset::Glob::new(pattern)
        .map_err(|e| format!("jobs: config {pattern:?} is not a valid glob: {e}"))?
        .compile_matcher();
    let literal: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| {
            !c.as_os_str()
                .to_string_lossy()
                .contains(['*', '?', '[', '{'])
        })
        .collect();
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(base.join(&literal))
        .sort_by_file_name()
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let rel = crate::discover::relative(base, e.path());
            glob.is_match(rel)
        })
        .map(walkdir::DirEntry::into_path)
        .collect();
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn globs_expand_to_one_job_per_config_with_its_folder_name() {
        let dir = tempfile::tempdir().unwrap();
        for bank in ["b-bank", "a-bank"] {
            write(
                &dir.path().join(format!("subs/{bank}/submission.yaml")),
                "x",
            );
        }
        let plan_path = dir.path().join("plan.yaml");
        write(
            &plan_path,
            "jobs:\n  - config: subs/*/submission.yaml\n    out: bundles/{dir}\n    formats: [md]\ncohort:\n  out: bundles/cohort\n",
        );
        let plan = Plan::load(&plan_path).unwrap();
        let names: Vec<&str> = plan.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["a-bank", "b-bank"]);
        assert_eq!(plan.jobs[0].out, dir.path().join("bundles/a-bank"));
        assert_eq!(plan.jobs[0].formats, [OutputFormat::Md]);
        assert_eq!(plan.cohort.unwrap().min_banks, 3);
        assert_eq!(plan.run_report, dir.path().join("run-report.json"));
    }

    #[test]
    fn an_unknown_key_is_an_error_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("plan.yaml");
        write(
            &plan_path,
            "jobs:\n  - config: a.yaml\n    out: b\n    sing_key: k\n",
        );
        let err = Plan::load(&plan_path).unwrap_err().to_string();
        assert!(err.contains("plan.yaml:4:"), "{err}");
        assert!(err.contains("sing_key"), "{err}");
    }

    #[test]
    fn the_same_folder_spelt_two_ways_or_nested_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("plan.yaml");
        for (a, b, what) in [
            ("same", "sub/../same", "would both write"),
            ("b/peak", "b/peak/inner", "one inside the other"),
        ] {
            write(
                &plan_path,
                &format!(
                    "jobs:\n  - {{ config: a/submission.yaml, out: {a} }}\n  - {{ config: b/submission.yaml, out: {b} }}\n"
                ),
            );
            let err = Plan::load(&plan_path).unwrap_err().to_string();
            assert!(err.contains(what), "{a} {b}: {err}");
        }
        write(&plan_path, "jobs: []\n");
        assert!(
            Plan::load(&plan_path)
                .unwrap_err()
                .to_string()
                .contains("no jobs")
        );
    }

    #[test]
    fn a_glob_matching_nothing_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("plan.yaml");
        write(
            &plan_path,
            "jobs:\n  - out: b\n    config: subs/*/submission.yaml\n",
        );
        let err = Plan::load(&plan_path).unwrap_err().to_string();
        assert!(
            err.contains("plan.yaml:3:") && err.contains("matches no file"),
            "{err}"
        );
    }

    #[test]
    fn two_jobs_writing_one_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let plan_path = dir.path().join("plan.yaml");
        write(
            &plan_path,
            "jobs:\n  - { config: a/submission.yaml, out: same }\n  - { config: b/submission.yaml, out: same }\n",
        );
        let err = Plan::load(&plan_path).unwrap_err().to_string();
        assert!(err.contains("would both write"), "{err}");
    }
}
