//! `demo` on the bundled sample data: one bundle per sample, each manifest true to its files,
//! and the committed sample data exactly what the seeded generator writes.

use crate::common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[test]
fn demo_builds_every_sample_with_matching_manifests() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "demo",
        "--samples",
        &path_str(&samples()),
        "-o",
        &path_str(out_dir.path()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let bundles: Vec<_> = std::fs::read_dir(samples().join("submissions"))
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert!(bundles.len() >= 4);
    for sample in bundles {
        let bundle = out_dir.path().join(sample.file_name());
        for file in ["summary.json", "report.md", "manifest.json"] {
            assert!(
                bundle.join(file).is_file(),
                "{} lacks {file}",
                bundle.display()
            );
        }
        let manifest: Value =
            serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
        for entry in manifest["outputs"].as_array().unwrap() {
            let bytes = std::fs::read(bundle.join(entry["path"].as_str().unwrap())).unwrap();
            assert_eq!(
                entry["sha256"].as_str().unwrap(),
                hex::encode(Sha256::digest(&bytes))
            );
        }
        assert!(stdout(&out).contains(&*sample.file_name().to_string_lossy()));
    }
    let cohort: Value =
        serde_json::from_slice(&std::fs::read(out_dir.path().join("cohort/cohort.json")).unwrap())
            .unwrap();
    assert_eq!(
        cohort["bundles"]["accepted"].as_array().unwrap().len(),
        14,
        "6 samples and 8 cohort banks"
    );
    let reasons = texts(&cohort["bundles"]["rejected"], "reason");
    assert_eq!(reasons.len(), 2);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("manifest hash mismatch: summary.json")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("version 99")),
        "{reasons:?}"
    );
    for file in ["cohort.pdf", "cohort.html", "cohort.md", "manifest.json"] {
        assert!(out_dir.path().join("cohort").join(file).is_file(), "{file}");
    }
}

#[test]
fn sample_data_is_what_the_generator_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_gen(&["samples", &path_str(dir.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let without_readme = |s: Vec<(std::path::PathBuf, Vec<u8>)>| {
        s.into_iter()
            .filter(|(p, _)| p != std::path::Path::new("README.md"))
            .collect::<Vec<_>>()
    };
    let generated = without_readme(snapshot(dir.path()));
    let committed = without_readme(snapshot(&samples()));
    let names =
        |s: &[(std::path::PathBuf, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&generated), names(&committed));
    for ((path, a), (_, b)) in generated.iter().zip(&committed) {
        assert!(
            a == b,
            "{} differs from the generator's output",
            path.display()
        );
    }
}
