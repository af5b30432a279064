//! What the report says, read from report.md as a Markdown reader shows it and from the
//! HTML: delta criteria that pass by chance, differences and criteria in the results' units,
//! currency on money, class names in the confusion matrix, no "none" for unset fields, the
//! red-team results once, incident severities in scale order, week labels across a new year.
//! The four samples are built once (JSON, Markdown and HTML) and shared by the tests.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::*;
use crate::md::{row, table_with, tables};
use serde_json::Value;

const SAMPLES: [&str; 4] = [
    "harbour-bank-card-fraud",
    "lantern-bank-liveness",
    "peak-bank-assistant",
    "junk-bay-bank-redteam",
];

/// The folder holding one bundle per sample, built on first use.
fn built() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for name in SAMPLES {
            let config = samples()
                .join("submissions")
                .join(name)
                .join("submission.yaml");
            build_ok(&config, &dir.path().join(name), "json,md,html");
        }
        dir
    })
    .path()
}

fn bundle(name: &str) -> PathBuf {
    built().join(name)
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The HTML with the line breaks plotters writes around SVG text removed.
fn html(dir: &Path) -> String {
    text(&dir.join("report.html"))
        .replace(">\n", ">")
        .replace("\n</text>", "</text>")
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&text(&dir.join("summary.json"))).unwrap()
}

/// Builds `files` with `config` into JSON, Markdown and HTML; returns the bundle folder.
fn build_small(config: &str, files: &[(&str, String)]) -> (tempfile::TempDir, PathBuf) {
    let mut all: Vec<(&str, &str)> = vec![("submission.yaml", config)];
    all.extend(files.iter().map(|(p, t)| (*p, t.as_str())));
    let dir = submission(&all);
    let out = dir.path().join("out");
    build_ok(&dir.path().join("submission.yaml"), &out, "json,md,html");
    (dir, out)
}

/// CSV rows of an A/B trial: per arm, `positives` fraud cases of which `caught` were flagged.
fn ab_rows(arms: &[(&str, usize, usize)]) -> String {
    let mut csv = String::from("event_id,timestamp,decision,label,arm\n");
    for (arm, positives, caught) in arms {
        for i in 0..*positives {
            let day = 2 + i % 20;
            csv.push_str(&format!(
                "{arm}-{i},2025-06-{day:02} 10:00:00,{},true,{arm}\n",
                i < *caught
            ));
        }
    }
    csv
}

#[test]
fn a_delta_criterion_passing_by_chance_says_not_significant() {
    let extra = r#"  - name: big
    kind: detection
    path: big
criteria:
  - { metric: detection.recall, stream: alerts, arm: delta, op: ">=", value: 0.0 }
  - { metric: detection.recall, stream: big, arm: delta, op: ">=", value: 0.05 }
"#;
    let files = [
        ("logs/a.csv", ab_rows(&[("ai", 10, 6), ("baseline", 10, 5)])),
        (
            "big/a.csv",
            ab_rows(&[("ai", 100, 90), ("baseline", 100, 30)]),
        ),
    ];
    let (_dir, out) = build_small(&detection_config(extra), &files);
    let criteria = summary(&out)["criteria"].clone();
    assert_eq!(criteria[0]["status"], "pass");
    assert_eq!(criteria[0]["significant"], false, "{criteria}");
    assert_eq!(criteria[1]["status"], "pass");
    assert_eq!(criteria[1]["significant"], true, "{criteria}");

    let md = text(&out.join("report.md"));
    let table = table_with(&md, "Requirement").expect("criteria table");
    assert_eq!(table[1][0], "PASS (not significant)");
    assert_eq!(
        table[1][3], ">= 0.00 pp",
        "requirement in pp like the delta"
    );
    assert_eq!(table[1][4], "+10.00 pp");
    assert_eq!(table[2][0], "PASS");
    assert_eq!(table[2][3], ">= +5.00 pp");
    assert_eq!(table[2][4], "+60.00 pp");
    assert!(md.contains("2 of 2 acceptance criteria passed (1 of them not significant)"));
    let html = text(&out.join("report.html"));
    assert!(html.contains("PASS (not significant)"));
}

/// A signed difference as printed: no sign when it rounds to zero.
fn signed(text: String) -> String {
    match text.strip_prefix(['+', '-']) {
        Some(rest)
            if rest
                .trim_end_matches(" pp")
                .trim_matches(['0', '.'])
                .is_empty() =>
        {
            rest.to_string()
        }
        _ => text,
    }
}

/// Column `head` of the reconciliation table of a bundle, in row order.
fn reconciliation_column(dir: &Path, head: &str) -> Vec<String> {
    let md = text(&dir.join("report.md"));
    let table = table_with(&md, "Difference").expect("reconciliation table");
    let at = table[0].iter().position(|c| c == head).unwrap();
    table.iter().skip(1).map(|r| r[at].clone()).collect()
}

#[test]
fn reconciliation_differences_print_in_the_metrics_unit() {
    for name in ["harbour-bank-card-fraud", "peak-bank-assistant"] {
        let dir = bundle(name);
        let s = summary(&dir);
        let expected: Vec<String> = s["reconciliation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| match (r["difference"].as_f64(), r["metric"].as_str()) {
                (None, _) => "n/a".to_string(),
                (Some(d), Some("assistant.csat_mean")) => signed(format!("{d:+.2}")),
                (Some(d), _) => signed(format!("{:+.2} pp", d * 100.0)),
            })
            .collect();
        assert!(!expected.is_empty(), "{name} reconciles KPIs");
        assert_eq!(
            reconciliation_column(&dir, "Difference"),
            expected,
            "{name}"
        );
        let tolerances: Vec<String> = s["reconciliation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let t = r["tolerance"].as_f64().unwrap();
                match r["metric"].as_str() {
                    Some("assistant.csat_mean") => format!("±{t}"),
                    _ => format!("±{} pp", t * 100.0),
                }
            })
            .collect();
        assert_eq!(
            reconciliation_column(&dir, "Tolerance"),
            tolerances,
            "{name}"
        );
    }
}

#[test]
fn money_carries_the_currency() {
    let peak = bundle("peak-bank-assistant");
    assert_eq!(summary(&peak)["settings"]["currency"], "HKD");
    let md = text(&peak.join("report.md"));
    let costs = table_with(&md, "Total cost").expect("latency and cost table");
    let at = costs[0].iter().position(|c| c == "Total cost").unwrap();
    assert!(costs[1][at].starts_with("HKD "), "{:?}", costs[1]);
    assert!(costs[1][at + 1].starts_with("HKD "), "{:?}", costs[1]);

    let md = text(&bundle("harbour-bank-card-fraud").join("report.md"));
    let results = table_with(&md, "95% CI").expect("results table");
    let value = row(&results, "Value detection rate").expect("value detection row");
    assert!(
        value[3].starts_with("HKD ") && value[3].contains(" / HKD "),
        "{value:?}"
    );
}

#[test]
fn confusion_matrices_name_the_classes() {
    let lantern = html(&bundle("lantern-bank-liveness"));
    assert!(lantern.contains(">Attack</text>") && lantern.contains(">Genuine</text>"));
    let harbour = html(&bundle("harbour-bank-card-fraud"));
    assert!(harbour.contains(">Fraud</text>"));
    for html in [lantern, harbour] {
        assert!(!html.contains("Truly positive") && !html.contains("Truly negative"));
    }
}

#[test]
fn red_team_results_print_once() {
    let md = text(&bundle("junk-bay-bank-redteam").join("report.md"));
    let with_attempts = tables(&md)
        .iter()
        .filter(|t| row(t, "Attack attempts").is_some())
        .count();
    assert_eq!(with_attempts, 1, "one table of red-team attempts");
    assert!(md.contains("are in the section Adversarial testing"));
}

#[test]
fn incidents_cross_type_and_severity_in_scale_order() {
    let mut seen = 0;
    for name in SAMPLES {
        let dir = bundle(name);
        let md = text(&dir.join("report.md"));
        let Some(table) = tables(&md).into_iter().find(|t| t[0][0] == "Type") else {
            continue;
        };
        seen += 1;
        assert_eq!(
            table[0][1..5],
            ["low", "medium", "high", "critical"],
            "{name}"
        );
        assert_eq!(table[0].last().unwrap(), "All");
        assert_eq!(table.last().unwrap()[0], "All");
        let s = summary(&dir);
        // The crossed counts add up to the per-type and per-severity metrics, which the
        // metrics compute separately.
        let metric = |attribute: &str, value: &str| -> String {
            let m = s["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| {
                    m["id"] == "incidents.total"
                        && m["segment"]["attribute"] == attribute
                        && m["segment"]["value"] == value
                        && (m["arm"].is_null() || m["arm"] == "ai")
                })
                .unwrap_or_else(|| panic!("{name}: incidents.total for {attribute} {value}"));
            format!("{}", m["value"].as_f64().unwrap() as u64)
        };
        let number = |cell: &str| cell.replace(',', "").parse::<u64>().unwrap();
        for row in &table[1..table.len() - 1] {
            assert_eq!(
                row.last().unwrap(),
                &metric("incident_type", &row[0]),
                "{name}"
            );
            let sum: u64 = row[1..row.len() - 1].iter().map(|c| number(c)).sum();
            assert_eq!(sum, number(row.last().unwrap()), "{name}: {row:?}");
        }
        let all = table.last().unwrap();
        for (i, severity) in table[0].iter().enumerate().skip(1).take(4) {
            let expected = if all[i] == "0" {
                "0".to_string()
            } else {
                metric("incident_severity", severity)
            };
            assert_eq!(all[i], expected, "{name}: {severity}");
        }
        let cells: u64 = s["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["arm"].is_null() || c["arm"] == "ai")
            .map(|c| c["count"].as_u64().unwrap())
            .sum();
        assert_eq!(number(all.last().unwrap()), cells, "{name}");
    }
    assert!(seen >= 1, "a sample has incidents with severities");
}

#[test]
fn unset_fields_are_left_out_and_weeks_carry_the_year_across_new_year() {
    let config = detection_config("").replace(
        "start: 2025-06-01, end: 2025-06-30",
        "start: 2025-12-22, end: 2026-01-11",
    );
    let csv = "event_id,timestamp,decision,label\n\
               a,2025-12-23 10:00:00,true,true\nb,2025-12-30 10:00:00,false,true\n\
               c,2026-01-06 10:00:00,true,false\n";
    let (_dir, out) = build_small(&config, &[("logs/a.csv", csv.to_string())]);
    let md = text(&out.join("report.md"));
    for absent in ["Technology partner", "Sandbox-plan reference", ": none"] {
        assert!(
            !md.contains(absent),
            "{absent:?} printed for an unset field"
        );
    }
    let html = html(&out);
    for week in ["2025-W52", "2026-W01", "2026-W02"] {
        assert!(html.contains(&format!(">{week}</text>")), "{week} missing");
    }
    let harbour = text(&bundle("harbour-bank-card-fraud").join("report.md"));
    assert!(
        harbour.contains("Technology partner"),
        "a set field is shown"
    );
}
