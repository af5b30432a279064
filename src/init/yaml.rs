//! The text of the config `init` proposes: YAML in the style of the bundled samples, each
//! guess commented with its reason, `TODO` where the user must decide.

use std::fmt::Write;

use super::{Identity, Proposal, Stream};
use crate::config::FileFormat;
use crate::schema::{Family, StreamKind};

/// A scalar as YAML reads it back as the same text: plain when safe, else double-quoted.
pub fn scalar(text: &str) -> String {
    let reserved = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "y" | "n" | "on" | "off" | "null" | "~" | "todo"
    );
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' '))
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && !text.ends_with(' ')
        && !reserved;
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

fn family_list() -> String {
    [
        Family::RiskManagement,
        Family::AntiFraud,
        Family::CustomerExperience,
        Family::DeepfakeDefence,
        Family::Other,
    ]
    .iter()
    .map(|f| f.as_str())
    .collect::<Vec<_>>()
    .join(", ")
}

/// Example criteria for the kinds of streams proposed.
fn example_criteria(p: &Proposal) -> Vec<&'static str> {
    let mut examples = Vec::new();
    let kinds: Vec<StreamKind> = p.streams.iter().map(|s| s.kind).collect();
    if p.family == Family::DeepfakeDefence {
        examples.push(r#"{ metric: detection.bpcer, op: "<=", value: 0.05 }"#);
        examples.push(r#"{ metric: detection.apcer_max, op: "<=", value: 0.15 }"#);
    } else if kinds.contains(&StreamKind::Detection) {
        examples.push(r#"{ metric: detection.recall, op: ">=", value: 0.80 }"#);
        examples.push(r#"{ metric: detection.fpr, op: "<=", value: 0.02 }"#);
    }
    if kinds.contains(&StreamKind::Assistant) {
        examples.push(r#"{ metric: assistant.resolution_rate, op: ">=", value: 0.70 }"#);
        examples.push(r#"{ metric: assistant.hallucination_rate, op: "<=", value: 0.03 }"#);
    }
    if kinds.contains(&StreamKind::Redteam) {
        examples.push(r#"{ metric: redteam.attack_success_rate, op: "<=", value: 0.05 }"#);
        examples.push(r#"{ metric: redteam.over_refusal_rate, op: "<=", value: 0.10 }"#);
    }
    examples
}

/// `value` as a scalar, or `TODO` with the comment `todo`.
fn given(value: &Option<String>, todo: &str) -> String {
    match value {
        Some(v) => scalar(v),
        None => format!("TODO{todo}"),
    }
}

/// The config's text.
pub fn write(p: &Proposal, identity: &Identity) -> String {
    let mut y = String::new();
    let from = &p.source;
    // Editors with the YAML language server (VS Code's YAML extension) complete keys and flag
    // typos with the schema `init` writes beside the config.
    let _ = writeln!(
        y,
        "# yaml-language-server: $schema={}",
        crate::config::SchemaOf::Config.file_name()
    );
    let place = if from == "." {
        "this folder".to_string()
    } else {
        format!("{from}/")
    };
    let _ = writeln!(
        y,
        "# Submission config proposed by `sandbox-report init` from the files in {place}."
    );
    y.push_str(
        "# Check every line (each guess says why it was made), replace every TODO, then run\n\
         #   sandbox-report validate THIS_FILE\n\
         # Every key is explained in docs/config.md (or: sandbox-report explain config).\n",
    );
    y.push_str("schema_version: 1\n");
    if p.offsets {
        y.push_str(
            "# The timestamps carry UTC offsets; the timezone sets which day each falls on.\n",
        );
    } else {
        y.push_str(
            "# The timezone the timestamps without an offset were written in (an IANA name).\n",
        );
    }
    y.push_str("timezone: Asia/Hong_Kong\n");
    match &p.currency {
        Some((code, true)) => {
            let _ = writeln!(y, "currency: {code}  # as the money column's name says");
        }
        Some((code, false)) => {
            let _ = writeln!(
                y,
                "currency: {code}  # of the amount and cost columns: a guess, check it"
            );
        }
        None => {}
    }
    y.push_str("submission:\n");
    y.push_str("  institution:\n");
    let _ = writeln!(
        y,
        "    id: {}",
        given(
            &identity.institution_id,
            "  # TODO: your institution's id in the sandbox, e.g. HBK-001"
        )
    );
    let _ = writeln!(
        y,
        "    name: {}",
        given(
            &identity.institution_name,
            "  # TODO: your institution's name"
        )
    );
    y.push_str("  programme: \"HKMA GenA.I. Sandbox\"\n");
    let _ = writeln!(
        y,
        "  cohort: {}",
        given(&identity.cohort, "  # TODO: the sandbox cohort, e.g. 2")
    );
    y.push_str("  use_case:\n");
    let _ = writeln!(
        y,
        "    id: {}",
        given(
            &identity.use_case_id,
            "  # TODO: the use case's id in your sandbox application"
        )
    );
    let _ = writeln!(
        y,
        "    title: {}",
        given(
            &identity.use_case_title,
            "  # TODO: one line saying what the AI system does"
        )
    );
    let _ = writeln!(
        y,
        "    family: {}  # guessed from {}; one of {}",
        p.family.as_str(),
        p.family_reason,
        family_list()
    );
    match p.period {
        Some((start, end)) => {
            let partial = if p.period_partial {
                " (read from the first rows of each file: check the end)"
            } else {
                ""
            };
            let _ = writeln!(
                y,
                "  # The days the report covers (both included): here the timestamps' range{partial}."
            );
            let _ = writeln!(y, "  period: {{ start: {start}, end: {end} }}");
        }
        None => {
            y.push_str("  period: { start: TODO, end: TODO }  # TODO: the first and last day the report covers (YYYY-MM-DD)\n");
        }
    }
    y.push_str("  # narrative:  # the report's text per section, Markdown (docs/config.md)\n");
    y.push_str("  #   objectives: \"What the trial set out to show.\"\n");
    y.push_str("  #   lessons: { file: narrative/lessons.md }\n");
    y.push_str("streams:\n");
    let shared = shared_segments(&p.streams);
    for s in &p.streams {
        write_stream(&mut y, s, shared.is_some());
    }
    if let Some(segments) = &shared {
        let names: Vec<String> = segments.iter().map(|s| scalar(s)).collect();
        let _ = writeln!(
            y,
            "# Columns with a few repeated values: metrics are also given per group of each."
        );
        let _ = writeln!(y, "segments: [{}]", names.join(", "));
    }
    y.push_str(
        "# Acceptance criteria, fixed before the trial: the report says whether each is met.\n",
    );
    y.push_str("# TODO: your own; for example:\n");
    for example in example_criteria(p) {
        let _ = writeln!(y, "#   - {example}");
    }
    y.push_str("criteria: []\n");
    y.push_str("report:\n");
    y.push_str("  formats: [pdf, html, md, json]\n");
    y.push_str("  language: en  # or zh-HK, or bilingual\n");
    if !p.unused.is_empty() {
        y.push_str("# Files not used:\n");
        for u in &p.unused {
            let _ = writeln!(y, "#   {u}");
        }
    }
    y
}

/// The segment names every segmented stream has alike, when they all do.
fn shared_segments(streams: &[Stream]) -> Option<Vec<String>> {
    let lists: Vec<Vec<String>> = streams
        .iter()
        .filter(|s| crate::schema::takes_segments(s.kind))
        .map(|s| s.segments.iter().map(|(name, _)| name.clone()).collect())
        .collect();
    let first = lists.first()?;
    (!first.is_empty() && lists.iter().all(|l| l == first)).then(|| first.clone())
}

fn write_stream(y: &mut String, s: &Stream, shared_segments: bool) {
    let _ = writeln!(y, "  - name: {}", scalar(&s.name));
    let why = match (s.kind, s.tools.is_empty()) {
        (StreamKind::Kpis, _) => "columns metric and value: the KPIs the bank computed",
        (StreamKind::Redteam, false) if s.columns.is_empty() && s.sample.header.is_empty() => {
            "red-team tool results"
        }
        (StreamKind::Detection, _) => "columns decision (and label, score): one row per decision",
        (StreamKind::Assistant, _) => "column outcome: one row per interaction",
        (StreamKind::Redteam, _) => {
            "columns attack_category and attack_success: one row per attempt"
        }
    };
    let _ = writeln!(y, "    kind: {}  # {why}", s.kind.as_str());
    let files = match s.files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    let _ = writeln!(y, "    path: {}  # {files}", scalar(&s.path));
    if let Some(include) = &s.include {
        let names: Vec<String> = include.iter().map(|n| scalar(n)).collect();
        let _ = writeln!(
            y,
            "    include: [{}]  # the folder holds other streams' files too",
            names.join(", ")
        );
    }
    if let Some(d) = s.delimiter {
        let delimiter = match d {
            b'\t' => "\"\\t\"".to_string(),
            _ => serde_json::to_string(&(d as char).to_string()).unwrap_or_default(),
        };
        let decimal = if s.decimal_comma {
            ", decimal: \",\""
        } else {
            ""
        };
        let _ = writeln!(
            y,
            "    csv: {{ delimiter: {delimiter}{decimal} }}  # as the files are written"
        );
    }
    if let Some(format) = s.timestamp_format {
        let why = if format.starts_with("%d") {
            "day first: check it is not month first"
        } else if format.starts_with("%m") {
            "month first, as some values can only be read so"
        } else {
            "as the timestamps are written"
        };
        let _ = writeln!(y, "    timestamp_format: \"{format}\"  # {why}");
    }
    let segment_columns: Vec<&(String, String)> = s
        .segments
        .iter()
        .filter(|(name, bank)| name != bank)
        .collect();
    if !s.columns.is_empty() || !segment_columns.is_empty() {
        y.push_str("    columns:  # canonical name: your column\n");
        for (canonical, (bank, how)) in &s.columns {
            let _ = writeln!(y, "      {canonical}: {}  # {}", scalar(bank), how.reason());
        }
        for (name, bank) in segment_columns {
            let _ = writeln!(y, "      {}: {}  # a segment", scalar(name), scalar(bank));
        }
    }
    if !s.values.is_empty() {
        y.push_str("    values:  # your value: the canonical one\n");
        for (canonical, map) in &s.values {
            let pairs: Vec<String> = map
                .entries
                .iter()
                .map(|(bank, canonical)| {
                    let target = if canonical == "TODO" {
                        "TODO".to_string()
                    } else {
                        scalar_value(canonical)
                    };
                    format!("{}: {target}", scalar(bank))
                })
                .collect();
            let todo = map
                .todo
                .as_ref()
                .map(|t| format!("  # TODO: {t}"))
                .unwrap_or_default();
            let _ = writeln!(y, "      {canonical}: {{ {} }}{todo}", pairs.join(", "));
        }
    }
    if !shared_segments && !s.segments.is_empty() {
        let names: Vec<String> = s.segments.iter().map(|(n, _)| scalar(n)).collect();
        let _ = writeln!(y, "    segments: [{}]", names.join(", "));
    }
    if s.tools.contains(&FileFormat::Inspect) {
        y.push_str(
            "    # TODO: where the Inspect AI log's samples hold their category and success\n",
        );
        y.push_str("    # (docs/input-schemas.md, \"Inspect AI logs\").\n");
        y.push_str("    inspect:\n");
        y.push_str("      category: TODO  # e.g. metadata.attack_category\n");
        y.push_str(
            "      success: { scorer: TODO, value: TODO }  # e.g. { scorer: includes, value: C }\n",
        );
    }
}

/// A canonical value: `true`/`false` as booleans, words plain.
fn scalar_value(value: &str) -> String {
    match value {
        "true" | "false" => value.to_string(),
        _ => scalar(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_yaml_would_change_are_quoted() {
        assert_eq!(scalar("txn_ref"), "txn_ref");
        assert_eq!(scalar("Y"), "\"Y\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("1"), "\"1\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("交易編號"), "交易編號");
        assert_eq!(scalar("#x"), "\"#x\"");
    }
}
