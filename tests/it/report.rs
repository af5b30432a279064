//! The rendered report: a PDF with the expected pages, sections and figures, summary.json
//! attached; hostile text printed literally in PDF, HTML and Markdown; reproducible bytes;
//! template overrides and their errors. Reads PDFs with poppler's pdftotext and pdfdetach
//! (`.ci/run` installs poppler-utils).

use std::path::Path;
use std::process::Command;

use crate::common::*;
use serde_json::Value;

fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is needed for this test (Debian: apt-get install poppler-utils): {e}")
    });
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pdf_text(pdf: &Path) -> String {
    poppler("pdftotext", &["-layout", &path_str(pdf), "-"])
}

fn pages(pdf: &Path) -> usize {
    let info = poppler("pdfinfo", &[&path_str(pdf)]);
    let line = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .expect("pdfinfo prints Pages");
    line.trim_start_matches("Pages:").trim().parse().unwrap()
}

fn build_sample(name: &str, out: &Path) {
    let config = samples()
        .join("submissions")
        .join(name)
        .join("submission.yaml");
    let result = run(&["build", &path_str(&config), "-o", &path_str(out)]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

/// Collapses runs of whitespace, so text split over lines or cells can be searched.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdf_has_pages_sections_and_headline_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    build_sample("harbour-bank-card-fraud", &out);
    let pdf = out.join("report.pdf");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let n = pages(&pdf);
    assert!((4..=30).contains(&n), "{n} pages");
    let text = squash(&pdf_text(&pdf));
    assert!(text.contains("Harbour Bank (Example) Ltd"));
    for section in [
        "Identification",
        "Objectives and acceptance criteria",
        "System description",
        "Data and evidence files",
        "Results",
        "Adversarial testing (AI versus AI)",
        "Fairness and consumer protection",
        "Human oversight",
        "Operations: volumes, latency and cost",
        "Incidents",
        "Reconciliation of reported KPIs",
        "Lessons learnt, limitations and next steps",
        "Evidence manifest and how to verify it",
    ] {
        assert!(
            text.contains(section),
            "section {section:?} missing from the PDF"
        );
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let headline = |id: &str| {
        let m = summary["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id && m["segment"].is_null())
            .unwrap();
        format!("{:.2}%", m["value"].as_f64().unwrap() * 100.0)
    };
    for id in [
        "detection.recall",
        "detection.precision",
        "detection.fpr",
        "detection.alert_rate",
    ] {
        let printed = headline(id);
        assert!(
            text.contains(&printed),
            "{id} printed as {printed} is missing"
        );
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains(&printed), "{id} missing from the HTML");
    }
    assert!(
        text.contains("PASS") && text.contains("FAIL"),
        "criteria are marked"
    );
    assert!(
        text.contains("OUTSIDE TOLERANCE"),
        "reconciliation status is shown"
    );
    assert!(
        text.contains("The submission has no red-team stream"),
        "an empty section says so in one line"
    );
    assert!(!text.contains('`'), "a literal backtick in the PDF text");
    let cover = squash(&poppler(
        "pdftotext",
        &["-f", "1", "-l", "1", &path_str(&pdf), "-"],
    ));
    let criteria = summary["criteria"].as_array().unwrap();
    let passed = criteria.iter().filter(|c| c["status"] == "pass").count();
    let verdict = format!("{passed} of {} passed", criteria.len());
    assert!(cover.contains(&verdict), "cover lacks {verdict:?}: {cover}");
    assert!(cover.contains("Key results"), "{cover}");
    assert!(
        cover.contains(&headline("detection.recall")),
        "the cover shows the recall"
    );
}

#[test]
fn attached_summary_equals_the_bundles_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    build_sample("lantern-bank-liveness", &out);
    let attachments = dir.path().join("attachments");
    std::fs::create_dir(&attachments).unwrap();
    let listed = poppler("pdfdetach", &["-list", &path_str(&out.join("report.pdf"))]);
    assert!(listed.contains("summary.json"), "{listed}");
    poppler(
        "pdfdetach",
        &[
            "-saveall",
            "-o",
            &path_str(&attachments),
            &path_str(&out.join("report.pdf")),
        ],
    );
    let attached = std::fs::read(attachments.join("summary.json")).unwrap();
    assert_eq!(attached, std::fs::read(out.join("summary.json")).unwrap());
}

const HOSTILE: &str = r##"#panic("x") *bold* $x$ <b>"##;

fn hostile_config() -> String {
    let h = HOSTILE.replace('"', "\\\"");
    format!(
        r#"schema_version: 1
submission:
  institution: {{ id: "ID {h}", name: "Bank {h}" }}
  technology_partner: "Partner {h}"
  programme: "Programme {h}"
  cohort: "Cohort {h}"
  use_case: {{ id: "UC {h}", title: "Title {h}", family: other }}
  period: {{ start: 2025-06-01, end: 2025-06-30 }}
  plan_reference: "Plan {h}"
  contacts: [{{ name: "Name {h}", role: "Role {h}", email: "Mail {h}" }}]
  system: {{ guardrails: "Guard {h}" }}
  narrative:
    objectives: "Objective {h}"
    lessons: "Lesson {h}"
streams:
  - name: alerts
    kind: detection
    path: logs
segments: [channel]
"#
    )
}

#[test]
fn hostile_text_prints_literally_everywhere() {
    let csv = format!(
        "event_id,timestamp,decision,label,channel\na,2025-06-02 10:00:00,true,true,\"{}\"\nb,2025-06-03 10:00:00,false,false,web\n",
        HOSTILE.replace('"', "\"\"")
    );
    let dir = submission(&[("submission.yaml", &hostile_config()), ("logs/a.csv", &csv)]);
    let out = dir.path().join("bundle");
    let result = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&out),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let fields = [
        "ID",
        "Bank",
        "Partner",
        "Programme",
        "Cohort",
        "UC",
        "Title",
        "Plan",
        "Name",
        "Role",
        "Guard",
    ];
    // Narrative is Markdown by design: *bold* is emphasis, everything else stays literal.
    let narrative = ["Objective", "Lesson"];

    let text = squash(&pdf_text(&out.join("report.pdf")));
    for field in fields {
        assert!(
            text.contains(&format!("{field} {HOSTILE}")),
            "PDF lacks the literal {field} text"
        );
    }
    for field in narrative {
        let expected = format!("{field} {}", HOSTILE.replace("*bold*", "bold"));
        assert!(
            text.contains(&expected),
            "PDF lacks the narrative {field} text"
        );
    }

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let escaped = "#panic(&quot;x&quot;) *bold* $x$ &lt;b&gt;";
    for field in fields {
        assert!(
            html.contains(&format!("{field} {escaped}")),
            "HTML lacks the escaped {field} text"
        );
    }
    for field in narrative {
        let expected = format!("{field} {}", escaped.replace("*bold*", "<em>bold</em>"));
        assert!(
            html.contains(&expected),
            "HTML lacks the narrative {field} text"
        );
    }
    assert!(
        !html.contains("<b>"),
        "a tag from the data reached the HTML"
    );
    assert!(
        !html.to_lowercase().contains("<script"),
        "the HTML has a script"
    );
    for fetch in ["src=\"http", "href=\"http", "url("] {
        assert!(
            !html.contains(fetch),
            "the HTML would fetch something: {fetch}"
        );
    }

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let rendered = markdown_text(&md);
    for field in ["Bank", "Partner", "Title", "Plan", "Guard"] {
        assert!(
            rendered.contains(&format!("{field} {HOSTILE}")),
            "Markdown does not render {field} literally"
        );
    }
    let in_table = crate::md::tables(&md)
        .into_iter()
        .flatten()
        .flatten()
        .any(|c| c == HOSTILE);
    assert!(
        in_table,
        "a table cell does not read the group value literally"
    );
}

/// The text a Markdown reader shows, and a failure if the Markdown produces HTML tags or
/// emphasis from the data.
fn markdown_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut text = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::Html(h) | Event::InlineHtml(h) => panic!("Markdown produced raw HTML: {h}"),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    squash(&text)
}

#[test]
fn every_format_is_byte_identical_across_builds() {
    let dir = tempfile::tempdir().unwrap();
    build_sample("peak-bank-assistant", &dir.path().join("one"));
    build_sample("peak-bank-assistant", &dir.path().join("two"));
    let one = snapshot(&dir.path().join("one"));
    assert_eq!(
        one.len(),
        5,
        "summary.json, report.pdf, report.html, report.md, manifest.json"
    );
    assert_eq!(one, snapshot(&dir.path().join("two")));
}

#[test]
fn html_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    build_sample("lantern-bank-liveness", &out);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inline");
    for forbidden in ["<script", "<link", "src=\"http", "@import", "url(http"] {
        assert!(!html.contains(forbidden), "{forbidden} in the HTML");
    }
}

#[test]
fn format_flag_selects_outputs_and_the_manifest_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let config = samples().join("submissions/junk-bay-bank-redteam/submission.yaml");
    let result = run(&[
        "build",
        &path_str(&config),
        "-o",
        &path_str(&out),
        "--format",
        "html",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let names = texts(&manifest["outputs"], "path");
    assert_eq!(names, ["report.html", "summary.json"]);
}

/// Builds a small submission whose `report.template` is a folder with `files`; the bundle is
/// `b` in the returned folder.
fn build_in(files: &[(&str, &str)]) -> (tempfile::TempDir, std::process::Output) {
    let config = detection_config("report:\n  template: my-templates\n");
    let mut all = vec![
        ("submission.yaml", config.as_str()),
        (
            "logs/a.csv",
            "event_id,timestamp,decision,label\na,2025-06-02 10:00:00,true,true\n",
        ),
    ];
    all.extend_from_slice(files);
    let dir = submission(&all);
    let out = run(&[
        "build",
        &path_str(&dir.path().join("submission.yaml")),
        "-o",
        &path_str(&dir.path().join("b")),
    ]);
    (dir, out)
}

fn build_with_template(files: &[(&str, &str)]) -> std::process::Output {
    build_in(files).1
}

/// A three-row table placed where only its header and one row would fit at the foot of page
/// one: the table moves to page two whole instead of leaving rows behind.
#[test]
fn a_small_table_is_not_split_over_two_pages() {
    let typ = r#"#import "common.typ": *
#show: styled
#v(23.6cm)
#render-table((caption: none, note: none, columns: ((title: "Head", align: "left"),),
  rows: (((text: "row-one", style: none),), ((text: "row-two", style: none),), ((text: "row-three", style: none),))))
"#;
    let (dir, out) = build_in(&[("my-templates/report.typ", typ)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pdf = path_str(&dir.path().join("b/report.pdf"));
    let page = |n: &str| poppler("pdftotext", &["-f", n, "-l", n, &pdf, "-"]);
    let (one, two) = (page("1"), page("2"));
    assert!(!one.contains("row-"), "rows left on page one: {one}");
    for row in ["Head", "row-one", "row-two", "row-three"] {
        assert!(two.contains(row), "{row} missing from page two: {two}");
    }
}

#[test]
fn broken_typst_override_names_file_and_line() {
    let out = build_with_template(&[(
        "my-templates/report.typ",
        "= Report\n\nSome text.\n#let x = (\n",
    )]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("my-templates/report.typ:4:"), "{text}");
}

#[test]
fn broken_jinja_override_names_file_and_line() {
    let out = build_with_template(&[(
        "my-templates/report.html.jinja",
        "<p>ok</p>\n<p>{{ view.no_such_field }}</p>\n",
    )]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("my-templates/report.html.jinja:2"), "{text}");
    assert!(text.contains("undefined"), "{text}");
}

#[test]
fn override_replaces_one_file_and_keeps_the_others() {
    let out = build_with_template(&[(
        "my-templates/report.md.jinja",
        "# Custom {{ view.institution }}\n",
    )]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn templates_export_writes_the_builtin_set() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mine");
    let out = run(&["templates", "export", &path_str(&target)]);
    assert_eq!(out.status.code(), Some(0));
    for name in ["report.typ", "report.html.jinja", "report.md.jinja"] {
        assert!(target.join(name).is_file(), "{name}");
    }
    let again = run(&["templates", "export", &path_str(&target)]);
    assert_eq!(again.status.code(), Some(2), "export never overwrites");
    let list = stdout(&run(&["templates", "list"]));
    assert!(list.contains("report.typ"));
}
