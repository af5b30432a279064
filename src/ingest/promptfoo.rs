//! promptfoo's `--output results.json` (results version 3: `{evalId, results: {version,
//! timestamp, results: [...]}}`) and its `.jsonl` output (one result per line, no eval
//! wrapper). A result's `success` is the *target's* success at resisting: an attack got
//! through when `success` is false with `failureReason` 1; `failureReason` 2 is an error
//! (the provider failed) and is left out and counted.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use polars::prelude::*;

use super::ROW;
use super::garak::{Unreadable as ToolError, plain_time};
use crate::config::PromptfooOptions;
use crate::model::Code;

/// A promptfoo output read: its rows (`__row` the result's line in a `.jsonl` output, its
/// position in a `results.json`) and the notes on it.
pub(crate) struct Outputs {
    pub frame: DataFrame,
    pub notes: Vec<(Code, String)>,
}

/// Whether the file is a promptfoo output: a `results.json` with `evalId` near its start, or
/// a `.jsonl` whose first line is a result (`testCase` and `success`).
pub(crate) fn sniff(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if file.take(64 << 10).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    if is_jsonl(path) {
        let first = head.lines().next().unwrap_or("");
        return first.contains("\"testCase\"") && first.contains("\"success\"");
    }
    head.trim_start().starts_with('{') && head.contains("\"evalId\"")
}

fn is_jsonl(path: &Path) -> bool {
    path.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".jsonl")
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Output {
    eval_id: Option<String>,
    results: Results,
}

#[derive(Deserialize)]
struct Results {
    version: Option<i64>,
    timestamp: Option<String>,
    results: Vec<Outcome>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    id: Option<String>,
    success: Option<bool>,
    failure_reason: Option<i64>,
    provider: Option<Provider>,
    test_case: Option<TestCase>,
}

#[derive(Deserialize)]
struct Provider {
    id: Option<String>,
    label: Option<String>,
}

#[derive(Deserialize)]
struct TestCase {
    metadata: Option<Metadata>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    plugin_id: Option<String>,
    strategy_id: Option<String>,
    severity: Option<String>,
}

/// The eval a file's results belong to.
struct Eval {
    id: Option<String>,
    version: Option<i64>,
    timestamp: Option<String>,
}

/// Reads a whole output.
pub(crate) fn read(path: &Path, options: &PromptfooOptions) -> Result<Outputs, ToolError> {
    let (eval, outcomes) = if is_jsonl(path) {
        read_lines(path)?
    } else {
        read_json(path)?
    };
    let timestamp = options
        .run_started
        .clone()
        .or(eval.timestamp.clone())
        .ok_or_else(|| {
            ToolError::at(None, "promptfoo's .jsonl output records no eval time; set the stream's `promptfoo: { run_started: ... }`, or read its --output results.json")
        })?;
    let kept: Vec<&(u64, Outcome)> = outcomes
        .iter()
        .filter(|(_, o)| o.failure_reason != Some(2))
        .collect();
    let errors = outcomes.len() - kept.len();
    let mut notes = vec![(Code::ToolRunRead, note(&eval, kept.len(), &timestamp))];
    if errors > 0 {
        let message = format!(
            "{errors} of {} results are errors (failureReason 2: the target or grader failed, no verdict); they are left out of the metrics",
            outcomes.len()
        );
        notes.push((Code::ToolResultsErrored, message));
    }
    if eval.version.is_some_and(|v| v != 3) {
        let message = format!(
            "results version {} (this reader knows version 3); check the counts against promptfoo's own",
            eval.version.unwrap_or_default()
        );
        notes.push((Code::ToolVersionUnknown, message));
    }
    let frame = rows(&kept, &timestamp).map_err(|e| ToolError::at(None, e.to_string()))?;
    Ok(Outputs { frame, notes })
}

fn read_json(path: &Path) -> Result<(Eval, Vec<(u64, Outcome)>), ToolError> {
    let file = std::fs::File::open(path).map_err(|e| ToolError::at(None, e.to_string()))?;
    let output: Output = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        let line = Some(e.line() as u64).filter(|&l| l > 0);
        ToolError::at(line, format!("not a promptfoo results file ({e})"))
    })?;
    let eval = Eval {
        id: output.eval_id,
        version: output.results.version,
        timestamp: output.results.timestamp,
    };
    let outcomes = (1u64..).zip(output.results.results).collect();
    Ok((eval, outcomes))
}

fn read_lines(path: &Path) -> Result<(Eval, Vec<(u64, Outcome)>), ToolError> {
    let file = std::fs::File::open(path).map_err(|e| ToolError::at(None, e.to_string()))?;
    let mut outcomes = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let number = index as u64 + 1;
        let line = line.map_err(|e| ToolError::at(Some(number), e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let outcome = serde_json::from_str(&line).map_err(|e| {
            ToolError::at(
                Some(number),
                format!("line {number} is not a promptfoo result ({e})"),
            )
        })?;
        outcomes.push((number, outcome));
    }
    let eval = Eval {
        id: None,
        version: None,
        timestamp: None,
    };
    Ok((eval, outcomes))
}

/// The rows: canonical columns plus `strategy` (absent = `basic`) and `severity`, which a
/// stream may list as segments. `attack_success`: promptfoo's `success` is the target's
/// success at resisting, so an attack got through when it is false with failureReason 1.
fn rows(outcomes: &[&(u64, Outcome)], timestamp: &str) -> PolarsResult<DataFrame> {
    let text = |f: &dyn Fn(&Outcome) -> Option<String>| -> Vec<Option<String>> {
        outcomes.iter().map(|(_, o)| f(o)).collect()
    };
    let metadata = |o: &Outcome| {
        o.test_case
            .as_ref()
            .and_then(|t| t.metadata.as_ref())
            .cloned()
    };
    let lines: Vec<u64> = outcomes.iter().map(|(row, _)| *row).collect();
    let height = outcomes.len();
    let columns = vec![
        Column::new(ROW.into(), lines).cast(&IDX_DTYPE)?,
        Column::new("event_id".into(), text(&|o| o.id.clone())),
        Column::new(
            "timestamp".into(),
            vec![Some(plain_time(timestamp)); height],
        ),
        Column::new(
            "model_version".into(),
            text(&|o| {
                o.provider
                    .as_ref()
                    .and_then(|p| p.label.clone().or_else(|| p.id.clone()))
            }),
        ),
        Column::new(
            "attack_category".into(),
            text(&|o| metadata(o).and_then(|m| m.plugin_id)),
        ),
        Column::new(
            "attack_success".into(),
            text(&|o| {
                o.success
                    .map(|ok| (!ok && o.failure_reason == Some(1)).to_string())
            }),
        ),
        Column::new(
            "strategy".into(),
            text(&|o| {
                Some(
                    metadata(o)
                        .and_then(|m| m.strategy_id)
                        .unwrap_or_else(|| "basic".into()),
                )
            }),
        ),
        Column::new(
            "severity".into(),
            text(&|o| metadata(o).and_then(|m| m.severity)),
        ),
    ];
    DataFrame::new(height, columns)
}

fn note(eval: &Eval, rows: usize, timestamp: &str) -> String {
    format!(
        "promptfoo eval {} (results version {}), run {timestamp}: {rows} results read",
        eval.id.as_deref().unwrap_or("of a .jsonl output"),
        eval.version
            .map_or("not recorded".to_string(), |v| v.to_string()),
    )
}
