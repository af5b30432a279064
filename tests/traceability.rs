//! The regulatory mapping: statuses computed from what a submission holds (a gap closed by
//! adding the data, a circular that does not apply to a use case not facing customers), the
//! section in the report with links, `explain` of a requirement and `validate --requirements`.

mod common;

use common::*;
use serde_json::Value;

const HEADER: &str = "event_id,timestamp,decision,label,score";

/// A detection submission (customer-facing, EU AI Act high risk) with `rows` events; with
/// `oversight`, every event also says whether a person reviewed and overrode it.
fn submission_with(oversight: bool, declared: &str) -> tempfile::TempDir {
    let mut csv = String::from(HEADER);
    if oversight {
        csv.push_str(",human_reviewed,human_override");
    }
    csv.push('\n');
    for i in 0..60 {
        csv.push_str(&format!(
            "e{i},2025-06-{:02} 10:00:00,{},{},0.{}",
            1 + i % 28,
            i % 3 == 0,
            i % 4 == 0,
            i % 10
        ));
        if oversight {
            csv.push_str(&format!(",{},{}", i % 2 == 0, i % 10 == 0));
        }
        csv.push('\n');
    }
    let config = detection_config("").replace(
        "  period: { start: 2025-06-01, end: 2025-06-30 }\n",
        &format!("  period: {{ start: 2025-06-01, end: 2025-06-30 }}\n{declared}"),
    );
    submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)])
}

fn requirement<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["traceability"]["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

const FACING: &str = "  customer_facing: true\n  eu_ai_act: { role: deployer, risk_class: high }\n";

#[test]
fn oversight_gaps_close_when_the_oversight_columns_are_added() {
    let without = submission_with(false, FACING);
    let s = build_ok(
        &without.path().join("submission.yaml"),
        &without.path().join("out"),
        "json",
    );
    for id in ["HKMA-GENAI-2024.2", "EU-AIA.14"] {
        let r = requirement(&s, id);
        assert_eq!(r["status"], "gap", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("oversight.review_rate"),
            "{r}"
        );
    }
    let with = submission_with(true, FACING);
    let s = build_ok(
        &with.path().join("submission.yaml"),
        &with.path().join("out"),
        "json",
    );
    for id in ["HKMA-GENAI-2024.2", "EU-AIA.14"] {
        let r = requirement(&s, id);
        assert_eq!(r["status"], "evidenced", "{r}");
        assert_eq!(r["evidence"][0]["id"], "oversight.review_rate", "{r}");
        assert_eq!(r["evidence"][0]["section"], "oversight", "{r}");
    }
    // The frameworks shown: the HKMA's, and the EU AI Act's because a position is declared.
    let frameworks: Vec<&str> = s["traceability"]["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(frameworks.contains(&"eu-ai-act") && frameworks.contains(&"hkma-ai-2019"));
}

#[test]
fn the_genai_circular_does_not_apply_to_a_use_case_not_facing_customers() {
    let dir = submission_with(true, "  customer_facing: false\n");
    let s = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json,md",
    );
    for n in 1..=7 {
        let r = requirement(&s, &format!("HKMA-GENAI-2024.{n}"));
        assert_eq!(r["status"], "not_applicable", "{r}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap()
                .contains("customer_facing: false"),
            "{r}"
        );
    }
    // Without an EU AI Act position its framework is not shown at all.
    assert!(
        s["traceability"]["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["id"].as_str().unwrap().starts_with("EU-"))
    );
    let md = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(md.contains(". Regulatory mapping"), "{md}");
    assert!(
        md.contains("| `HKMA-AI-2019.6` | Auditability | **evidenced** | manifest.json (§"),
        "{md}"
    );
}

#[test]
fn the_report_links_evidence_to_its_section_in_html_and_pdf() {
    let dir = submission_with(true, FACING);
    let out = dir.path().join("out");
    build_ok(&dir.path().join("submission.yaml"), &out, "html,pdf");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let anchor = html
        .split("<section id=\"oversight-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the oversight section");
    assert!(
        html.contains(&format!(
            "<a href=\"#oversight-{anchor}\">oversight.review_rate</a>"
        )),
        "{html}"
    );
    let text = std::process::Command::new("pdftotext")
        .args([out.join("report.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Regulatory mapping") && text.contains("HKMA-GENAI-2024.2"),
        "{text}"
    );
    // The PDF's evidence links are internal links (GoTo actions or named destinations).
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("/Link"), "the PDF has no link annotations");
}

#[test]
fn explain_prints_a_requirement_and_validate_lists_the_gaps() {
    let out = run(&["explain", "HKMA-GENAI-2024.3"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("HKMA-GENAI-2024.3 — Validation against hallucination"),
        "{text}"
    );
    assert!(text.contains("assistant.hallucination_rate"), "{text}");
    let dir = submission_with(false, FACING);
    let out = run(&[
        "validate",
        &path_str(&dir.path().join("submission.yaml")),
        "--requirements",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("gap: HKMA-GENAI-2024.2 Human in the loop in the early stage"),
        "{text}"
    );
    assert!(
        text.contains("gap: HKMA-AI-2019.1 Governance and accountability"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("requirements: "))
        .unwrap();
    assert!(
        line.contains("evidenced") && line.contains("eu-ai-act"),
        "{line}"
    );
}

#[test]
fn a_line_of_defence_outside_1_to_3_is_refused_at_its_line() {
    let dir = submission_with(false, "  line_of_defence: 4\n");
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("submission.yaml:9:") && stderr(&out).contains("1, 2 or 3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_cohort_counts_each_requirement_over_the_banks_and_suppresses_small_groups() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let result = run(&[
        "demo",
        "--samples",
        &path_str(&samples()),
        "-o",
        &path_str(&out),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    // Independently: every accepted bundle's own mapping, counted per requirement.
    let mut expected: std::collections::BTreeMap<String, [u64; 4]> = Default::default();
    for entry in walkdir::WalkDir::new(&out).into_iter().flatten() {
        if entry.file_name() != "summary.json"
            || entry.path().to_string_lossy().contains("rejected")
        {
            continue;
        }
        let s: Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
        for r in s["traceability"]["requirements"].as_array().unwrap() {
            let slot = match r["status"].as_str().unwrap() {
                "evidenced" => 0,
                "declared" => 1,
                "gap" => 2,
                _ => 3,
            };
            expected
                .entry(r["id"].as_str().unwrap().into())
                .or_default()[slot] += 1;
        }
    }
    let cohort: Value =
        serde_json::from_slice(&std::fs::read(out.join("cohort/cohort.json")).unwrap()).unwrap();
    let requirements = cohort["coverage"]["requirements"].as_array().unwrap();
    assert_eq!(requirements.len(), expected.len());
    for r in requirements {
        let e = expected[r["id"].as_str().unwrap()];
        let applicable = e[0] + e[1] + e[2];
        // Fewer than the minimum of 3 banks: the counts are suppressed.
        let shown = |n: u64| {
            if applicable < 3 {
                Value::Null
            } else {
                Value::from(n)
            }
        };
        assert_eq!(
            [
                &r["evidenced"],
                &r["declared"],
                &r["gap"],
                &r["not_applicable"]
            ],
            [&shown(e[0]), &shown(e[1]), &shown(e[2]), &Value::from(e[3])],
            "{r}"
        );
        assert_eq!(r["suppressed"], applicable < 3, "{r}");
        assert_eq!(r["banks"], e[0] + e[1] + e[2]);
    }
    let md = std::fs::read_to_string(out.join("cohort/cohort.md")).unwrap();
    assert!(md.contains("Regulatory coverage"), "{md}");
    // With a minimum above the cohort's size, every count is suppressed.
    let strict = dir.path().join("strict");
    let result = run(&[
        "cohort",
        &path_str(&out),
        "-o",
        &path_str(&strict),
        "--min-banks",
        "15",
        "--key-file",
        &path_str(&samples().join("cohort/demo-pseudonym.key")),
        "--format",
        "md",
    ]);
    assert!(result.status.code().unwrap() <= 1, "{}", stderr(&result));
    let cohort: Value =
        serde_json::from_slice(&std::fs::read(strict.join("cohort.json")).unwrap()).unwrap();
    for r in cohort["coverage"]["requirements"].as_array().unwrap() {
        assert_eq!(r["suppressed"], true, "{r}");
        assert!(r["evidenced"].is_null() && r["gap"].is_null(), "{r}");
    }
}
