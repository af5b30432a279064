//! `sandbox-report demo`: build every bundled sample submission, report each bundle's place
//! and headline figures. One failing sample does not stop the others.

use std::path::{Path, PathBuf};

use crate::args::DemoArgs;
use crate::clock::Clock;
use crate::error::{Error, Outcome, Result};

/// The sample-data folder: the one given, ./sample-data, or the one beside the sources.
fn samples_dir(given: Option<&Path>) -> Result<PathBuf> {
    let candidates = match given {
        Some(p) => vec![p.to_path_buf()],
        None => vec![
            PathBuf::from("sample-data"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"),
        ],
    };
    candidates
        .into_iter()
        .find(|p| p.join("submissions").is_dir())
        .ok_or_else(|| {
            Error::Usage(
                "cannot find the sample data (a folder with submissions/ inside)\n  hint: run from the project folder or pass --samples DIR".into(),
            )
        })
}

/// Every `submissions/*/submission.yaml`, sorted by folder name.
fn sample_configs(samples: &Path) -> Result<Vec<(String, PathBuf)>> {
    let dir = samples.join("submissions");
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::Input {
        path: dir.clone(),
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

pub fn run(args: &DemoArgs) -> Result<Outcome> {
    let clock = Clock::from_env().map_err(Error::Usage)?;
    let samples = samples_dir(args.samples.as_deref())?;
    let configs = sample_configs(&samples)?;
    let mut failed = 0;
    println!(
        "building {} sample submission(s) from {}",
        configs.len(),
        samples.display()
    );
    for (name, config) in &configs {
        let out = args.out.join(name);
        match super::build_bundle(config, &out, &[], clock) {
            Ok(built) => {
                let s = &built.summary;
                let events: u64 = s.streams.iter().map(|x| x.events).sum();
                println!(
                    "  {:<28} {} events, {} metrics, {} finding(s) -> {}",
                    name,
                    events,
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
    println!("bundles are in {}", args.out.display());
    Ok(if failed > 0 {
        Outcome::InputErrors
    } else {
        Outcome::Success
    })
}
