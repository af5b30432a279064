//! The regulator's cohort summary: statistics checked against an independent computation,
//! tampered and invalid bundles rejected with reasons, suppression below three banks, stable
//! pseudonyms that reveal nothing, superseded submissions, letters, and a thousand bundles.

use std::path::Path;

use crate::cohort_support::*;
use crate::common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// numpy's default quantile, written out independently.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

fn recall_group(c: &Value, family: &str) -> Value {
    c["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["family"] == family && m["id"] == "detection.recall" && m["segment"].is_null())
        .unwrap()
        .clone()
}

#[test]
fn statistics_match_an_independent_computation() {
    let dir = tempfile::tempdir().unwrap();
    let values = [0.95, 0.5, 0.8, 0.7, 0.6, 0.8];
    for (i, v) in values.iter().enumerate() {
        bundle(
            &dir.path().join(format!("b{i}")),
            &format!("BANK-{i}"),
            "anti_fraud",
            &[("detection.recall", *v)],
            "2025-10-01T00:00:00Z",
        );
    }
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let g = recall_group(&read(&out.join("cohort.json")), "anti_fraud");
    assert_eq!(g["banks"], 6);
    for (field, q) in [("median", 0.5), ("q1", 0.25), ("q3", 0.75)] {
        let expected = quantile(&values, q);
        assert!(
            (g[field].as_f64().unwrap() - expected).abs() < 1e-12,
            "{field}: {} vs {expected}",
            g[field]
        );
    }
    assert_eq!(g["min"], 0.5);
    assert_eq!(g["max"], 0.95);
    for v in g["values"].as_array().unwrap() {
        let x = v["value"].as_f64().unwrap();
        let below = values.iter().filter(|y| **y < x).count() as f64;
        let equal = values.iter().filter(|y| **y == x).count() as f64;
        let expected = 100.0 * (below + 0.5 * equal) / values.len() as f64;
        assert!((v["percentile_rank"].as_f64().unwrap() - expected).abs() < 1e-9);
    }
}

#[test]
fn a_flipped_byte_is_rejected_and_the_rest_is_used() {
    let dir = tempfile::tempdir().unwrap();
    three_banks(dir.path());
    let target = dir.path().join("b1/summary.json");
    let mut bytes = std::fs::read(&target).unwrap();
    let at = bytes.iter().position(|b| *b == b'9').unwrap();
    bytes[at] = b'8';
    std::fs::write(&target, bytes).unwrap();
    bundle(
        &dir.path().join("b9"),
        "BANK-9",
        "anti_fraud",
        &[("detection.recall", 0.9)],
        "2025-10-01T00:00:00Z",
    );
    let text = std::fs::read_to_string(dir.path().join("b9/summary.json"))
        .unwrap()
        .replace("\"schema_version\": 1", "\"schema_version\": 7");
    write_bundle(&dir.path().join("b9"), &text, "2025-10-01T00:00:00Z");
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md"]);
    assert_eq!(result.status.code(), Some(1), "some bundles were rejected");
    let c = read(&out.join("cohort.json"));
    let rejected = c["bundles"]["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(
        rejected[0]["reason"],
        "manifest hash mismatch: summary.json"
    );
    assert!(
        rejected[1]["reason"]
            .as_str()
            .unwrap()
            .contains("version 7")
    );
    // Published outputs show keyed labels; the operator sees the real folders.
    for r in rejected {
        assert!(r["path"].as_str().unwrap().starts_with("bundle-"), "{r}");
    }
    let err = stderr(&result);
    assert!(
        err.contains("rejected b1: manifest hash mismatch: summary.json"),
        "{err}"
    );
    assert!(
        err.contains("rejected b9: unsupported summary schema"),
        "{err}"
    );
    assert_eq!(c["bundles"]["accepted"].as_array().unwrap().len(), 2);
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(
        md.contains("manifest hash mismatch"),
        "the report lists the rejection"
    );
}

#[test]
fn no_usable_bundle_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let result = cohort(&[&dir.path().join("empty")], &dir.path().join("out"), &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("no bundle could be used"),
        "{}",
        stderr(&result)
    );
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn suppression_applies_at_two_banks_not_at_three() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2 {
        bundle(
            &dir.path().join(format!("two{i}")),
            &format!("TWO-{i}"),
            "deepfake_defence",
            &[("detection.recall", 0.8)],
            "2025-10-01T00:00:00Z",
        );
    }
    for i in 0..3 {
        bundle(
            &dir.path().join(format!("three{i}")),
            &format!("THREE-{i}"),
            "anti_fraud",
            &[("detection.recall", 0.7 + i as f64 / 10.0)],
            "2025-10-01T00:00:00Z",
        );
    }
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md,html"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let two = recall_group(&c, "deepfake_defence");
    assert_eq!(two["suppressed"], true);
    assert!(two["median"].is_null() && two["values"].is_null());
    let three = recall_group(&c, "anti_fraud");
    assert_eq!(three["suppressed"], false);
    assert!((three["median"].as_f64().unwrap() - 0.8).abs() < 1e-12);
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(md.contains("suppressed"));
}

#[test]
fn pseudonyms_are_stable_keyed_and_reveal_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        bundle(
            &dir.path().join(format!("b{i}")),
            &format!("BANK-SECRET-{i}"),
            "anti_fraud",
            &[("detection.recall", 0.9)],
            "2025-10-01T00:00:00Z",
        );
    }
    let names = |out: &Path| -> Vec<String> {
        let c = read(&out.join("cohort.json"));
        c["bundles"]["accepted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["bank"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(
        cohort(&[dir.path()], &a, &["--letters"]).status.code(),
        Some(0)
    );
    assert_eq!(
        cohort(&[dir.path()], &b, &["--letters"]).status.code(),
        Some(0)
    );
    assert_eq!(
        names(&a),
        names(&b),
        "the same key gives the same pseudonyms"
    );
    for name in names(&a) {
        assert!(name.starts_with("Bank ") && name.len() == 9, "{name}");
    }
    // Nothing in any output names an institution id or carries the key.
    for (path, bytes) in snapshot(&a) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("BANK-SECRET"),
            "{} reveals an institution id",
            path.display()
        );
        assert!(!text.contains(KEY), "{} contains the key", path.display());
        if path.extension().is_some_and(|e| e == "pdf") {
            let pdf = poppler_text(&a.join(&path));
            assert!(
                !pdf.contains("BANK-SECRET"),
                "{} reveals an institution id",
                path.display()
            );
        }
    }
    // Plain hashes of the known ids do not give the pseudonyms.
    for i in 0..3 {
        let digest = hex::encode_upper(Sha256::digest(format!("BANK-SECRET-{i}").as_bytes()));
        assert!(!names(&a).contains(&format!("Bank {}", &digest[..4])));
    }
    let other = dir.path().join("other");
    let mut cmd = bin();
    cmd.env(
        "SANDBOX_REPORT_PSEUDONYM_KEY",
        "a different key of sufficient length",
    )
    .arg("cohort")
    .arg(dir.path())
    .arg("-o")
    .arg(&other);
    assert_eq!(cmd.output().unwrap().status.code(), Some(0));
    assert_ne!(
        names(&a),
        names(&other),
        "another key gives other pseudonyms"
    );
    // --reveal shows the institution ids.
    let revealed = dir.path().join("revealed");
    assert_eq!(
        cohort(&[dir.path()], &revealed, &["--reveal", "--format", "md"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        names(&revealed),
        ["BANK-SECRET-0", "BANK-SECRET-1", "BANK-SECRET-2"]
    );
}

fn poppler_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn letters_name_only_their_own_bank() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..4 {
        bundle(
            &dir.path().join(format!("b{i}")),
            &format!("BANK-{i}"),
            "anti_fraud",
            &[("detection.recall", 0.6 + i as f64 / 10.0)],
            "2025-10-01T00:00:00Z",
        );
    }
    let out = dir.path().join("out");
    assert_eq!(
        cohort(&[dir.path()], &out, &["--letters", "--format", "md"])
            .status
            .code(),
        Some(0)
    );
    let c = read(&out.join("cohort.json"));
    let banks: Vec<String> = c["bundles"]["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bank"].as_str().unwrap().to_string())
        .collect();
    for bank in &banks {
        let stem = bank.to_lowercase().replace(' ', "-");
        let letter = std::fs::read_to_string(out.join(format!("letters/{stem}.md"))).unwrap();
        assert!(letter.contains(bank.as_str()));
        for other in banks.iter().filter(|b| *b != bank) {
            assert!(
                !letter.contains(other.as_str()),
                "the letter of {bank} names {other}"
            );
        }
        assert!(pdf_pages(&out.join(format!("letters/{stem}.pdf"))) >= 1);
    }
}

fn pdf_pages(pdf: &Path) -> usize {
    std::fs::read(pdf)
        .map(|b| usize::from(b.starts_with(b"%PDF")))
        .unwrap_or(0)
}

#[test]
fn a_later_submission_supersedes_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    bundle(
        &dir.path().join("old"),
        "BANK-1",
        "anti_fraud",
        &[("detection.recall", 0.5)],
        "2025-10-01T00:00:00Z",
    );
    bundle(
        &dir.path().join("new"),
        "BANK-1",
        "anti_fraud",
        &[("detection.recall", 0.9)],
        "2025-10-05T00:00:00Z",
    );
    let out = dir.path().join("out");
    let args = ["--format", "md", "--min-banks", "1", "--reveal"];
    assert_eq!(cohort(&[dir.path()], &out, &args).status.code(), Some(0));
    let c = read(&out.join("cohort.json"));
    assert_eq!(c["bundles"]["accepted"][0]["path"], "new");
    assert_eq!(c["bundles"]["superseded"][0]["path"], "old");
    assert_eq!(c["bundles"]["superseded"][0]["superseded_by"], "new");
    assert_eq!(recall_group(&c, "anti_fraud")["median"], 0.9);
    // Without --reveal the same relation holds between the keyed labels.
    let labelled = dir.path().join("labelled");
    let args = ["--format", "md", "--min-banks", "1"];
    assert_eq!(
        cohort(&[dir.path()], &labelled, &args).status.code(),
        Some(0)
    );
    let c = read(&labelled.join("cohort.json"));
    assert_eq!(
        c["bundles"]["superseded"][0]["superseded_by"],
        c["bundles"]["accepted"][0]["path"]
    );
    assert_ne!(c["bundles"]["accepted"][0]["path"], "new");
}

#[test]
fn a_key_file_is_created_outside_the_output_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    three_banks(dir.path());
    let config = dir.path().join("config");
    let out = dir.path().join("out");
    let result = bin()
        .env_remove("SANDBOX_REPORT_PSEUDONYM_KEY")
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "cohort",
            &path_str(dir.path()),
            "-o",
            &path_str(&out),
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let key = config.join("sandbox-report/pseudonym.key");
    assert!(key.is_file());
    assert!(
        stderr(&result).contains(&path_str(&key)),
        "it says where: {}",
        stderr(&result)
    );
    let key_text = std::fs::read_to_string(&key).unwrap();
    for (_, bytes) in snapshot(&out) {
        assert!(!String::from_utf8_lossy(&bytes).contains(key_text.trim()));
    }
}

#[test]
fn a_thousand_generated_bundles_complete() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    let generated = run_gen(&["bundles", "--count", "1000", "-o", &path_str(&bundles)]);
    assert_eq!(generated.status.code(), Some(0));
    let out = dir.path().join("out");
    let result = cohort(&[&bundles], &out, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    assert_eq!(c["bundles"]["accepted"].as_array().unwrap().len(), 1000);
    assert_eq!(recall_group(&c, "anti_fraud")["banks"], 250);
    assert!(
        std::fs::read(out.join("cohort.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
}
