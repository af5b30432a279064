//! `sandbox-report demo`: build every bundled sample submission and the sample cohort's
//! bundles, then the regulator's cohort summary over all of them (with the two sample bundles
//! that must be rejected), and report where everything is. One failing sample does not stop
//! the others.

use std::path::{Path, PathBuf};

use crate::args::DemoArgs;
use crate::clock::Clock;
use crate::cohort::{self, CohortRequest};
use crate::config::OutputFormat;
use crate::error::{Error, Outcome, Result};
use crate::submission::{self, BuildRequest};
use crate::templates::TemplateSet;

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

/// Builds each config into `out/<name>`; returns how many failed.
fn build_all(configs: &[(String, PathBuf)], out: &Path, clock: Clock) -> usize {
    let mut failed = 0;
    for (name, config) in configs {
        let request = BuildRequest {
            config,
            out: &out.join(name),
            formats: &[],
            clock,
            signer: None,
            language: None,
        };
        match submission::build(&request).inspect_err(super::build::print_findings) {
            Ok(built) => {
                let s = &built.summary;
                let events: u64 = s
                    .streams
                    .iter()
                    .filter(|x| x.kind.is_event_log())
                    .map(|x| x.events)
                    .sum();
                println!(
                    "  {name:<28} {events:>6} events, {:>3} metrics, {} finding(s) -> {}",
                    s.metrics.len(),
                    s.findings.len(),
                    built.out.display()
                );
            }
            Err(err) => {
                failed += 1;
                eprintln!("  {name}: error: {err}");
            }
        }
    }
    failed
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
    println!(
        "building {} sample submission(s) from {}",
        configs.len(),
        samples.display()
    );
    let mut failed = build_all(&configs, &args.out, clock);
    let cohort_dir = samples.join("cohort");
    if cohort_dir.join("submissions").is_dir() {
        let bundles = args.out.join("cohort-bundles");
        let configs = sample_configs(&cohort_dir.join("submissions"))?;
        println!(
            "building {} more bank(s) of the sample cohort",
            configs.len()
        );
        failed += build_all(&configs, &bundles, clock);
        let rejects = copy_rejects(&cohort_dir.join("rejected"), &bundles.join("rejected"))?;
        if !run_cohort(
            &args.out,
            &cohort_dir.join("demo-pseudonym.key"),
            &rejects,
            clock,
        )? {
            failed += 1;
        }
    }
    println!("bundles are in {}", args.out.display());
    Ok(if failed > 0 {
        Outcome::InputErrors
    } else {
        Outcome::Success
    })
}

/// The cohort summary over everything built; true when exactly the sample rejects (`rejects`,
/// as copied) were rejected.
fn run_cohort(out: &Path, key: &Path, rejects: &[String], clock: Clock) -> Result<bool> {
    let request = CohortRequest {
        dirs: &[out.to_path_buf()],
        out: &out.join("cohort"),
        min_banks: 3,
        key_file: Some(key),
        reveal: false,
        letters: true,
        formats: vec![OutputFormat::Pdf, OutputFormat::Html, OutputFormat::Md],
        templates: TemplateSet::builtin(),
        // The regulator's summary of the demo in both languages.
        language: crate::schema::Language::Bilingual,
    };
    let done = cohort::run(&request, clock)?;
    let b = &done.cohort.bundles;
    println!(
        "  cohort summary: {} bundle(s) used, {} rejected -> {}",
        b.accepted.len(),
        b.rejected.len(),
        done.out.display()
    );
    for r in &done.rejected_paths {
        println!("    rejected (as intended) {}: {}", r.path, r.reason);
    }
    let mut rejected: Vec<&str> = done
        .rejected_paths
        .iter()
        .map(|r| r.path.as_str())
        .collect();
    rejected.sort_unstable();
    let expected = rejected == rejects;
    if !expected {
        eprintln!(
            "  cohort: unexpected rejections; expected exactly the sample bundles in cohort-bundles/rejected ({})",
            rejects.join(", ")
        );
    }
    Ok(expected)
}
