//! Markdown tables are real tables: a CommonMark parser with the GFM table extension
//! (pulldown-cmark) finds in report.md as many tables as report.html has, in cohort.md as many
//! as cohort.html, and in every letter one per block of table rows.

use std::path::Path;

use crate::common::*;
use crate::md::tables;

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// Blocks of consecutive lines starting with `|`: the tables the template meant to write.
fn written_tables(md: &str) -> usize {
    let mut count = 0;
    let mut inside = false;
    for line in md.lines() {
        let row = line.starts_with('|');
        if row && !inside {
            count += 1;
        }
        inside = row;
    }
    count
}

/// Requires that `md` parses into as many tables as `expected`, each with a header and at
/// least one body row as wide as the header.
fn assert_tables(md: &str, expected: usize, what: &str) {
    let found = tables(md);
    assert_eq!(found.len(), expected, "{what}: tables parsed");
    for t in &found {
        assert!(t.len() >= 2, "{what}: a table without body rows: {t:?}");
        assert!(
            t.iter().all(|r| r.len() == t[0].len()),
            "{what}: ragged table {t:?}"
        );
        let separator = t.iter().flatten().find(|c| c.contains("---"));
        assert!(separator.is_none(), "{what}: separator read as a cell");
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_table_of_every_sample_report_parses() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "harbour-bank-card-fraud",
        "lantern-bank-liveness",
        "peak-bank-assistant",
        "junk-bay-bank-redteam",
    ] {
        let config = samples()
            .join("submissions")
            .join(name)
            .join("submission.yaml");
        let out = dir.path().join(name);
        build_ok(&config, &out, "json,md,html");
        let md = read(&out.join("report.md"));
        let html_tables = read(&out.join("report.html")).matches("<table>").count();
        assert!(html_tables >= 5, "{name}: {html_tables} tables in the HTML");
        assert_eq!(written_tables(&md), html_tables, "{name}: tables written");
        assert_tables(&md, html_tables, name);
    }
}

#[test]
fn cohort_and_letter_tables_parse() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    generate_bundles(&bundles, 5);
    let out = dir.path().join("cohort");
    let result = bin()
        .env("SANDBOX_REPORT_PSEUDONYM_KEY", KEY)
        .args(["cohort", &path_str(&bundles), "-o", &path_str(&out)])
        .args(["--letters", "--format", "md,html"])
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let md = read(&out.join("cohort.md"));
    let html_tables = read(&out.join("cohort.html")).matches("<table>").count();
    assert!(html_tables >= 2, "{html_tables} tables in cohort.html");
    assert_tables(&md, html_tables, "cohort.md");
    let letters: Vec<_> = std::fs::read_dir(out.join("letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    assert_eq!(letters.len(), 5, "one letter per bank");
    for letter in letters {
        let md = read(&letter);
        let expected = written_tables(&md);
        assert!(expected >= 1, "{}: no table", letter.display());
        assert_tables(&md, expected, &letter.display().to_string());
    }
}
