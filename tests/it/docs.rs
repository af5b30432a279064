//! The documentation cannot drift from the code: metrics.md is the catalogue's own output,
//! and the schema and command docs name every column and command.

use crate::common::*;
use sandbox_report::schema::{self, StreamKind};

fn doc(name: &str) -> String {
    let path = repo().join("docs").join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn metrics_md_is_generated_from_the_catalogue() {
    let out = run(&["explain", "--markdown"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out) == doc("metrics.md"),
        "docs/metrics.md is stale: run `sandbox-report explain --markdown > docs/metrics.md`"
    );
}

#[test]
fn every_metric_id_is_documented() {
    let metrics = doc("metrics.md");
    for m in sandbox_report::catalogue::all() {
        assert!(metrics.contains(&format!("`{}`", m.id)), "{}", m.id);
    }
}

#[test]
fn explain_prints_definition_formula_inputs_and_interval() {
    let out = run(&["explain", "detection.eer"]);
    let text = stdout(&out);
    for part in [
        "definition:",
        "formula:",
        "inputs:",
        "interval:",
        "threshold",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let out = run(&["explain", "detection.nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn input_schemas_md_names_every_canonical_column() {
    let text = doc("input-schemas.md");
    let kinds = [
        StreamKind::Detection,
        StreamKind::Assistant,
        StreamKind::Redteam,
        StreamKind::Kpis,
    ];
    for kind in kinds {
        for column in schema::columns(kind) {
            assert!(
                text.contains(&format!("`{}`", column.name)),
                "{}",
                column.name
            );
        }
    }
}

#[test]
fn commands_md_names_every_command() {
    let text = doc("commands.md");
    for command in [
        "init",
        "schema",
        "diff",
        "build",
        "validate",
        "demo",
        "explain",
        "verify",
        "templates",
        "cohort",
        "batch",
    ] {
        assert!(text.contains(&format!("## `{command}")), "{command}");
    }
}

#[test]
fn the_complete_config_example_validates() {
    let text = doc("config.md");
    let start = text.find("```yaml\n").expect("a yaml example") + "```yaml\n".len();
    let example = &text[start..start + text[start..].find("```").unwrap()];
    // The example points at the card-fraud sample's files; link them beside it.
    let dir = submission(&[("submission.yaml", example)]);
    let sample = samples().join("submissions/harbour-bank-card-fraud");
    for name in ["exports", "narrative"] {
        std::os::unix::fs::symlink(sample.join(name), dir.path().join(name)).unwrap();
    }
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("2 stream(s), 5 file(s)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn exit_codes_md_lists_the_finding_code_registry() {
    let out = run(&["explain", "--codes-markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let table = stdout(&out);
    assert!(
        doc("exit-codes.md").contains(&table),
        "the finding-code table of docs/exit-codes.md is stale: paste `sandbox-report explain --codes-markdown` between its markers"
    );
    for code in sandbox_report::codes::Code::ALL {
        assert!(
            table.contains(&format!("| `{}` |", code.as_str())),
            "{code}"
        );
    }
}

#[test]
fn explain_prints_a_finding_code_with_severity_and_fix() {
    let out = run(&["explain", "column_mapped_absent"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("column_mapped_absent — finding code (error)"),
        "{text}"
    );
    assert!(
        text.contains("meaning:  `columns` maps a canonical column"),
        "{text}"
    );
    assert!(
        text.contains("fix:      correct the name in `columns`"),
        "{text}"
    );
}
