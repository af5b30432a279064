//! Authenticity (issue 9, items 6 and 18): `cohort --trusted-keys` rejects unsigned, unknown
//! and re-hashed tampered bundles with the reason, signed with the real `minisign` tool;
//! without it the report says authenticity was not checked. `verify` fails on a signature
//! that does not verify, says when it could not check authenticity, and names files the
//! manifest does not list.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cohort_support::*;
use crate::common::*;

/// Runs the `minisign` tool (Debian package minisign) and requires success.
fn minisign(args: &[&str]) {
    let status = Command::new("minisign")
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("the minisign command (apt-get install minisign)");
    assert!(status.success(), "minisign {args:?}");
}

/// A key pair made by `minisign -G`: the public key at `keys/<id>.pub`, the secret beside it.
fn keypair(root: &Path, id: &str) -> PathBuf {
    let keys = root.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let secret = root.join(format!("{id}.key"));
    let public = keys.join(format!("{id}.pub"));
    minisign(&[
        "-G",
        "-W",
        "-p",
        &path_str(&public),
        "-s",
        &path_str(&secret),
    ]);
    secret
}

/// Signs the bundle's manifest.json with `secret` (writes manifest.json.minisig).
fn sign(bundle: &Path, secret: &Path) {
    let manifest = path_str(&bundle.join("manifest.json"));
    minisign(&["-S", "-s", &path_str(secret), "-m", &manifest]);
}

/// Three signed banks BANK-0..2 under `root/in`, keys under `root/keys`.
fn signed_banks(root: &Path) -> PathBuf {
    let input = root.join("in");
    three_banks(&input);
    for i in 0..3 {
        let secret = keypair(root, &format!("BANK-{i}"));
        sign(&input.join(format!("b{i}")), &secret);
    }
    input
}

/// Changes b1's recall and recomputes its hash in the manifest (the signature is kept).
fn tamper_and_rehash(bundle: &Path) {
    let text = std::fs::read_to_string(bundle.join("summary.json"))
        .unwrap()
        .replace("0.9", "0.99");
    write_bundle(bundle, &text, "2025-10-01T00:00:00Z");
}

fn reasons(c: &serde_json::Value) -> Vec<String> {
    c["bundles"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn trusted_keys_reject_a_rehashed_tampered_bundle_that_integrity_alone_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let input = signed_banks(dir.path());
    let keys = path_str(&dir.path().join("keys"));
    let out = dir.path().join("good");
    let result = cohort(
        &[&input],
        &out,
        &["--format", "md", "--trusted-keys", &keys],
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    assert_eq!(c["authenticity_checked"], true);
    assert_eq!(c["bundles"]["accepted"][0]["signature"], "verified");
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(md.contains("Authenticity was checked too"), "{md}");

    tamper_and_rehash(&input.join("b1"));
    let manifest = path_str(&input.join("b1/manifest.json"));
    let tool = Command::new("minisign")
        .args([
            "-V",
            "-q",
            "-p",
            &format!("{keys}/BANK-1.pub"),
            "-m",
            &manifest,
        ])
        .status()
        .unwrap();
    assert!(
        !tool.success(),
        "the minisign tool rejects the tampered manifest too"
    );
    // Integrity alone accepts it, and says authenticity was not checked.
    let blind = dir.path().join("blind");
    let result = cohort(&[&input], &blind, &["--format", "md"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("not for authenticity"),
        "{}",
        stderr(&result)
    );
    let c = read(&blind.join("cohort.json"));
    assert_eq!(c["authenticity_checked"], false);
    assert_eq!(c["bundles"]["accepted"][0]["signature"], "unchecked");
    let md = std::fs::read_to_string(blind.join("cohort.md")).unwrap();
    assert!(
        md.contains("checked for integrity but not for authenticity"),
        "{md}"
    );
    assert!(
        md.contains("authenticity NOT checked"),
        "the cover says so: {md}"
    );
    // With the trust store it is rejected, with the reason.
    let out = dir.path().join("checked");
    let result = cohort(
        &[&input],
        &out,
        &["--format", "md", "--trusted-keys", &keys],
    );
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let reasons = reasons(&c);
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].starts_with("signature does not verify against the institution's trusted key"),
        "{reasons:?}"
    );
    assert!(stderr(&result).contains("rejected b1: signature does not verify"));
    assert_eq!(c["bundles"]["accepted"].as_array().unwrap().len(), 2);
}

#[test]
fn trusted_keys_reject_unsigned_bundles_and_unknown_institutions() {
    let dir = tempfile::tempdir().unwrap();
    let input = signed_banks(dir.path());
    std::fs::remove_file(input.join("b0/manifest.json.minisig")).unwrap();
    std::fs::remove_file(dir.path().join("keys/BANK-2.pub")).unwrap();
    let keys = path_str(&dir.path().join("keys"));
    let out = dir.path().join("out");
    let result = cohort(
        &[&input],
        &out,
        &[
            "--format",
            "md",
            "--min-banks",
            "1",
            "--trusted-keys",
            &keys,
        ],
    );
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let reasons = reasons(&c);
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("not signed: manifest.json.minisig is missing")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"no trusted key for the bundle's institution".to_string()),
        "{reasons:?}"
    );
    assert!(
        !std::fs::read_to_string(out.join("cohort.json"))
            .unwrap()
            .contains("BANK-2"),
        "the reason names no institution"
    );
    let err = stderr(&result);
    assert!(
        err.contains("rejected b2: no trusted key") && err.contains("BANK-2.pub"),
        "the operator is told which key: {err}"
    );
}

#[test]
fn a_broken_trust_store_stops_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    three_banks(&dir.path().join("in"));
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let out = dir.path().join("out");
    let empty = cohort(
        &[&dir.path().join("in")],
        &out,
        &["--trusted-keys", &path_str(&keys)],
    );
    assert_eq!(empty.status.code(), Some(2));
    assert!(
        stderr(&empty).contains("holds no .pub file"),
        "{}",
        stderr(&empty)
    );
    std::fs::write(keys.join("BANK-0.pub"), "not a key\n").unwrap();
    let broken = cohort(
        &[&dir.path().join("in")],
        &out,
        &["--trusted-keys", &path_str(&keys)],
    );
    assert_eq!(broken.status.code(), Some(2));
    let err = stderr(&broken);
    assert!(
        err.contains("BANK-0.pub") && err.contains("not a minisign public key"),
        "{err}"
    );
    assert!(err.contains("hint: --trusted-keys takes a folder"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

fn verify(bundle: &Path, key: Option<&Path>) -> std::process::Output {
    let mut args = vec!["verify".to_string(), path_str(bundle)];
    if let Some(k) = key {
        args.extend(["--public-key".into(), path_str(k)]);
    }
    bin()
        .env_remove("SANDBOX_REPORT_PUBLIC_KEY")
        .args(&args)
        .output()
        .unwrap()
}

#[test]
fn verify_fails_on_a_wrong_key_and_says_when_authenticity_was_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let input = signed_banks(dir.path());
    let b0 = input.join("b0");
    let right = dir.path().join("keys/BANK-0.pub");
    let ok = verify(&b0, Some(&right));
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("signature of manifest.json: valid (authenticity checked)"));
    let wrong = verify(&b0, Some(&dir.path().join("keys/BANK-1.pub")));
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout(&wrong));
    assert!(
        stdout(&wrong)
            .contains("MISMATCH manifest.json.minisig: does not verify against the given key"),
        "{}",
        stdout(&wrong)
    );
    let unkeyed = verify(&b0, None);
    assert_eq!(unkeyed.status.code(), Some(0));
    assert!(stdout(&unkeyed).contains(
        "authenticity NOT checked: the manifest is signed, but no --public-key was given"
    ));
    std::fs::remove_file(b0.join("manifest.json.minisig")).unwrap();
    let unsigned = verify(&b0, None);
    assert!(stdout(&unsigned).contains("authenticity NOT checked: the bundle is not signed"));
    let keyed = verify(&b0, Some(&right));
    assert_eq!(keyed.status.code(), Some(1));
    assert!(stdout(&keyed).contains("MISMATCH manifest.json.minisig: the bundle is not signed"));
    std::fs::write(dir.path().join("junk.pub"), "junk").unwrap();
    let bad_key = verify(&b0, Some(&dir.path().join("junk.pub")));
    assert_eq!(
        bad_key.status.code(),
        Some(2),
        "a key that is no key is a usage error"
    );
    assert!(
        stderr(&bad_key).contains("cannot use the public key"),
        "{}",
        stderr(&bad_key)
    );
}

#[test]
fn verify_names_files_the_manifest_does_not_list() {
    let dir = tempfile::tempdir().unwrap();
    three_banks(dir.path());
    let b0 = dir.path().join("b0");
    let clean = verify(&b0, None);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    std::fs::write(b0.join("notes.txt"), "added later").unwrap();
    std::fs::create_dir_all(b0.join("extra")).unwrap();
    std::fs::write(b0.join("extra/report.pdf"), "%PDF").unwrap();
    let result = verify(&b0, None);
    assert_eq!(result.status.code(), Some(1), "{}", stdout(&result));
    let out = stdout(&result);
    assert!(
        out.contains("UNLISTED extra/report.pdf: in the bundle but not in its manifest"),
        "{out}"
    );
    assert!(out.contains("UNLISTED notes.txt"), "{out}");
    assert!(
        out.contains("1 of 1 output file(s) match the manifest; 2 file(s) not listed"),
        "{out}"
    );
}
