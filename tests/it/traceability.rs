//! The regulatory mapping: statuses computed from what a submission holds (a gap closed by
//! adding the data, a circular that does not apply to a use case not facing customers), the
//! section in the report with links, `explain` of a requirement and `validate --requirements`.

use crate::common::*;
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
    let frameworks = texts(&s["traceability"]["frameworks"], "id");
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
    // Every accepted bundle of the demo was just built, so each carries a mapping.
    assert_eq!(cohort["coverage"]["bundles_without_mapping"], 0);
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
    // Exit 1: the demo tree holds two bundles the cohort must reject (one tampered, one of
    // an unsupported schema); the cohort itself is written.
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(stderr(&result).contains("rejected cohort-bundles/rejected/tampered-bundle"));
    let cohort: Value =
        serde_json::from_slice(&std::fs::read(strict.join("cohort.json")).unwrap()).unwrap();
    for r in cohort["coverage"]["requirements"].as_array().unwrap() {
        assert_eq!(r["suppressed"], true, "{r}");
        assert!(r["evidenced"].is_null() && r["gap"].is_null(), "{r}");
    }
}

/// The value, numerator and denominator of an overall metric.
fn metric(s: &Value, id: &str) -> (f64, f64, f64) {
    let m = find_metric(s, id, None, None).unwrap_or_else(|| panic!("no {id}"));
    (
        m["value"].as_f64().unwrap(),
        m["numerator"].as_f64().unwrap(),
        m["denominator"].as_f64().unwrap(),
    )
}

#[test]
fn the_assistant_disclosure_handover_and_hallucination_kind_columns_give_their_metrics() {
    // Eight interactions, counted by hand below.
    let csv = "event_id,timestamp,outcome,hallucination,hallucination_kind,evaluator,ai_disclosed,opt_out_offered,human_requested,human_provided
a1,2025-06-02 10:00:00,resolved,false,,human,true,true,false,false
a2,2025-06-03 10:00:00,resolved,true,incorrect,human,true,false,false,false
a3,2025-06-04 10:00:00,escalated,true,omission,llm_judge,true,true,true,true
a4,2025-06-05 10:00:00,escalated,false,,llm_judge,false,true,true,false
a5,2025-06-06 10:00:00,resolved,true,incorrect,llm_judge,true,,false,false
a6,2025-06-07 10:00:00,abandoned,,,,,,true,true
a7,2025-06-08 10:00:00,resolved,false,,rule,true,false,false,false
a8,2025-06-09 10:00:00,resolved,true,Irrelevant,rule,true,true,false,false
";
    let config = detection_config("").replace("kind: detection", "kind: assistant");
    let s = build_files(&[("logs/a.csv", csv)], &config);
    // Evaluated (hallucination not empty): a1–a5, a7, a8 = 7; with a hallucination: a2, a3, a5, a8.
    assert_eq!(
        metric(&s, "assistant.hallucination_rate"),
        (4.0 / 7.0, 4.0, 7.0)
    );
    assert_eq!(
        metric(&s, "assistant.hallucination_incorrect_rate"),
        (2.0 / 7.0, 2.0, 7.0)
    );
    assert_eq!(
        metric(&s, "assistant.hallucination_omission_rate"),
        (1.0 / 7.0, 1.0, 7.0)
    );
    assert_eq!(
        metric(&s, "assistant.hallucination_irrelevant_rate"),
        (1.0 / 7.0, 1.0, 7.0)
    );
    assert_eq!(metric(&s, "assistant.hallucination_incomplete_rate").1, 0.0);
    // By evaluator: human judged a1, a2 (1 found); the LLM judge a3–a5 (2); rules a7, a8 (1).
    assert_eq!(
        metric(&s, "assistant.hallucination_rate_human"),
        (0.5, 1.0, 2.0)
    );
    assert_eq!(
        metric(&s, "assistant.hallucination_rate_llm_judge"),
        (2.0 / 3.0, 2.0, 3.0)
    );
    assert_eq!(
        metric(&s, "assistant.hallucination_rate_rule"),
        (0.5, 1.0, 2.0)
    );
    // Disclosed in 6 of the 7 answered; opt-out offered in 4 of 6; of 3 asking for a person, 2 got one.
    assert_eq!(
        metric(&s, "assistant.disclosure_rate"),
        (6.0 / 7.0, 6.0, 7.0)
    );
    assert_eq!(
        metric(&s, "assistant.opt_out_offer_rate"),
        (4.0 / 6.0, 4.0, 6.0)
    );
    assert_eq!(
        metric(&s, "assistant.handover_honour_rate"),
        (2.0 / 3.0, 2.0, 3.0)
    );
    // The Wilson interval of 2 of 3, by hand: centre (x + z²/2)/(n + z²), half-width
    // z·sqrt(x(n−x)/n + z²/4)/(n + z²), z = 1.959963984540054.
    let h = find_metric(&s, "assistant.handover_honour_rate", None, None).unwrap();
    let (x, n, z) = (2.0_f64, 3.0_f64, 1.959_963_984_540_054_f64);
    let centre = (x + z * z / 2.0) / (n + z * z);
    let half = z * (x * (n - x) / n + z * z / 4.0).sqrt() / (n + z * z);
    assert!(
        (h["ci_low"].as_f64().unwrap() - (centre - half)).abs() < 1e-12,
        "{h}"
    );
    assert!(
        (h["ci_high"].as_f64().unwrap() - (centre + half)).abs() < 1e-12,
        "{h}"
    );
}

#[test]
fn a_hallucination_kind_outside_the_hkma_list_names_its_row_and_column() {
    let csv = "event_id,timestamp,outcome,hallucination,hallucination_kind\na1,2025-06-02 10:00:00,resolved,true,made_up\n";
    let config = detection_config("").replace("kind: detection", "kind: assistant");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", csv)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("logs/a.csv: row 1, column \"hallucination_kind\""),
        "{text}"
    );
    assert!(text.contains("made_up"), "{text}");
}

#[test]
fn the_eu_exit_report_set_lays_the_same_sections_out_in_chapters() {
    let dir = submission_with(true, FACING);
    let config = std::fs::read_to_string(dir.path().join("submission.yaml")).unwrap()
        + "report:\n  template: eu-ai-act-sandbox\n";
    std::fs::write(dir.path().join("submission.yaml"), config).unwrap();
    let out = dir.path().join("out");
    build_ok(&dir.path().join("submission.yaml"), &out, "md,html,pdf");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let chapters: Vec<&str> = md.lines().filter(|l| l.starts_with("# ")).collect();
    assert_eq!(chapters.len(), 8, "{chapters:?}");
    assert!(chapters[0].starts_with("# AI regulatory sandbox exit report: "));
    assert_eq!(chapters[5], "# E. Learning outcomes");
    assert_eq!(
        chapters[6],
        "# F. Compliance with the sandbox plan and the regulation"
    );
    // Every section of the standard report is there, once, under its chapter.
    let standard = dir.path().join("standard");
    let cfg = std::fs::read_to_string(dir.path().join("submission.yaml"))
        .unwrap()
        .replace("report:\n  template: eu-ai-act-sandbox\n", "");
    std::fs::write(dir.path().join("standard.yaml"), cfg).unwrap();
    build_ok(&dir.path().join("standard.yaml"), &standard, "md");
    let sections = |text: &str| -> Vec<String> {
        let mut s: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("## "))
            .map(String::from)
            .collect();
        s.sort();
        s
    };
    let hkma = std::fs::read_to_string(standard.join("report.md")).unwrap();
    assert_eq!(sections(&md), sections(&hkma));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<h1 class=\"chapter\">").count(), 7);
    let text = std::process::Command::new("pdftotext")
        .args([out.join("report.pdf").to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for chapter in [
        "A. Participation and sandbox plan",
        "D. Risks and mitigations",
        "G. Annex",
    ] {
        assert!(text.contains(chapter), "{chapter} missing from the PDF");
    }
}
