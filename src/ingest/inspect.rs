//! Inspect AI eval logs: `.json` (one object with `eval` and `samples`) and `.eval` (a ZIP
//! with `header.json` and one `samples/<id>_epoch_<n>.json` per sample and epoch, entries
//! often zstd-compressed). What a score means depends on the task, so the stream's `inspect:`
//! block says where the category, the success and the benign mark are.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use polars::prelude::*;

use super::ROW;
use super::garak::{Unreadable as ToolError, plain_time};
use crate::config::{InspectOptions, InspectSuccess, Limits};
use crate::model::Code;

/// An Inspect log read: one row per sample × epoch (`__row` its position in the log) and the
/// notes on it.
pub(crate) struct Samples {
    pub frame: DataFrame,
    pub notes: Vec<(Code, String)>,
}

/// Whether the file is an Inspect log: a `.eval` ZIP, or a `.json` object with `eval` and an
/// `eval_id` or `task_id` near its start.
pub(crate) fn sniff(path: &Path) -> bool {
    if is_zip(path) {
        return path
            .to_string_lossy()
            .to_ascii_lowercase()
            .ends_with(".eval");
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if file.take(8 << 10).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    head.trim_start().starts_with('{')
        && head.contains("\"eval\"")
        && (head.contains("\"eval_id\"") || head.contains("\"task_id\""))
}

#[derive(Deserialize)]
struct Log {
    eval: Eval,
    #[serde(default)]
    samples: Vec<Value>,
}

#[derive(Deserialize)]
struct Header {
    eval: Eval,
}

#[derive(Deserialize)]
struct Eval {
    model: Option<String>,
    created: Option<String>,
    task: Option<String>,
    run_id: Option<String>,
}

/// Reads a whole log.
pub(crate) fn read(
    path: &Path,
    options: &InspectOptions,
    limits: &Limits,
) -> Result<Samples, ToolError> {
    let (eval, samples) = if is_zip(path) {
        read_eval(path, limits)?
    } else {
        read_json(path)?
    };
    let kept: Vec<(u64, &Value)> = (1u64..)
        .zip(&samples)
        .filter(|(_, s)| s.get("error").is_none_or(Value::is_null))
        .collect();
    let errors = samples.len() - kept.len();
    let mut notes = vec![(Code::ToolRunRead, note(&eval, kept.len()))];
    if errors > 0 {
        let message = format!(
            "{errors} of {} samples ended in an error (no score); they are left out of the metrics",
            samples.len()
        );
        notes.push((Code::ToolResultsErrored, message));
    }
    let frame = rows(&kept, &eval, options).map_err(|e| ToolError::at(None, e.to_string()))?;
    Ok(Samples { frame, notes })
}

fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|_| magic == *b"PK\x03\x04")
}

fn read_json(path: &Path) -> Result<(Eval, Vec<Value>), ToolError> {
    let file = std::fs::File::open(path).map_err(|e| ToolError::at(None, e.to_string()))?;
    let log: Log = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        let line = Some(e.line() as u64).filter(|&l| l > 0);
        ToolError::at(line, format!("not an Inspect eval log ({e})"))
    })?;
    Ok((log.eval, log.samples))
}

/// The header and the samples of a `.eval` ZIP, samples in the order of the archive; the
/// archive's entries are held to the config's limits as they are unpacked (a zip bomb stops
/// at the limit, not at the end of memory).
fn read_eval(path: &Path, limits: &Limits) -> Result<(Eval, Vec<Value>), ToolError> {
    let file = std::fs::File::open(path).map_err(|e| ToolError::at(None, e.to_string()))?;
    let compressed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut archive = ::zip::ZipArchive::new(file)
        .map_err(|e| ToolError::at(None, format!("not a readable .eval archive ({e})")))?;
    let mut budget = Budget::new(limits, compressed);
    let header: Header = serde_json::from_slice(&entry(&mut archive, "header.json", &mut budget)?)
        .map_err(|e| ToolError::at(None, format!("header.json is not an Inspect header ({e})")))?;
    let names: Vec<String> = archive
        .file_names()
        .filter(|n| n.starts_with("samples/") && n.ends_with(".json"))
        .map(str::to_string)
        .collect();
    let mut samples = Vec::with_capacity(names.len());
    for name in names {
        let sample = serde_json::from_slice(&entry(&mut archive, &name, &mut budget)?)
            .map_err(|e| ToolError::at(None, format!("{name} is not a sample ({e})")))?;
        samples.push(sample);
    }
    Ok((header.eval, samples))
}

/// How much more the archive may unpack: `limits.inflated_mib` in all, and past 64 MiB no
/// more than `limits.inflation_ratio` times the archive's size.
struct Budget {
    left: u64,
    ratio_cap: u64,
    used: u64,
}

impl Budget {
    fn new(limits: &Limits, compressed: u64) -> Budget {
        Budget {
            left: limits.inflated_mib.saturating_mul(1 << 20),
            ratio_cap: (64u64 << 20).max(compressed.saturating_mul(limits.inflation_ratio)),
            used: 0,
        }
    }
}

fn entry(
    archive: &mut ::zip::ZipArchive<std::fs::File>,
    name: &str,
    budget: &mut Budget,
) -> Result<Vec<u8>, ToolError> {
    let cap = budget
        .left
        .min(budget.ratio_cap.saturating_sub(budget.used));
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .map_err(|e| ToolError::at(None, format!("the archive has no readable {name} ({e})")))?
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ToolError::at(None, format!("{name} cannot be unpacked ({e})")))?;
    let size = bytes.len() as u64;
    if size > cap {
        return Err(ToolError::at(
            None,
            format!(
                "the archive unpacks past its limit at {name} (more than {} bytes; limits.inflated_mib or limits.inflation_ratio): a zip bomb, or a log larger than the limits",
                budget.used + cap
            ),
        ));
    }
    budget.used += size;
    budget.left -= size;
    Ok(bytes)
}

/// The rows: canonical columns plus `sample` (`id epoch n`, what findings name) and `task`.
/// A benign control carries no `attack_success`; its `refused` comes from `inspect.refused`.
fn rows(
    samples: &[(u64, &Value)],
    eval: &Eval,
    options: &InspectOptions,
) -> PolarsResult<DataFrame> {
    let text_of = |f: &dyn Fn(&Value) -> Option<String>| -> Vec<Option<String>> {
        samples.iter().map(|(_, s)| f(s)).collect()
    };
    let at = |sample: &Value, path: &str| text(lookup(sample, path));
    let benign = |s: &Value| options.benign.as_deref().and_then(|p| at(s, p));
    let is_benign = |s: &Value| benign(s).as_deref() == Some("true");
    let lines: Vec<u64> = samples.iter().map(|(row, _)| *row).collect();
    let height = samples.len();
    let columns = vec![
        Column::new(ROW.into(), lines).cast(&IDX_DTYPE)?,
        Column::new("event_id".into(), text_of(&|s| at(s, "uuid"))),
        Column::new(
            "timestamp".into(),
            text_of(&|s| {
                at(s, "started_at")
                    .or_else(|| eval.created.clone())
                    .as_deref()
                    .map(plain_time)
            }),
        ),
        Column::new("model_version".into(), vec![eval.model.clone(); height]),
        Column::new(
            "attack_category".into(),
            text_of(&|s| at(s, &options.category)),
        ),
        Column::new(
            "attack_success".into(),
            text_of(&|s| {
                if is_benign(s) {
                    None
                } else {
                    scored(s, &options.success).map(|b| b.to_string())
                }
            }),
        ),
        Column::new("benign".into(), text_of(&|s| benign(s))),
        Column::new(
            "refused".into(),
            text_of(&|s| {
                if is_benign(s) {
                    options
                        .refused
                        .as_ref()
                        .and_then(|r| scored(s, r))
                        .map(|b| b.to_string())
                } else {
                    None
                }
            }),
        ),
        Column::new(
            "sample".into(),
            text_of(&|s| {
                at(s, "id").map(|id| format!("{id} epoch {}", at(s, "epoch").unwrap_or_default()))
            }),
        ),
        Column::new("task".into(), vec![eval.task.clone(); height]),
    ];
    DataFrame::new(height, columns)
}

/// Whether the sample's score of `mark.scorer` equals `mark.value`; `None` when unscored.
fn scored(sample: &Value, mark: &InspectSuccess) -> Option<bool> {
    let score = sample.get("scores")?.get(&mark.scorer)?.get("value")?;
    Some(text(Some(score)).as_deref() == Some(mark.value.as_str()))
}

/// The value at a dotted path (`metadata.attack_category`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

/// A JSON scalar as text; `None` for null, arrays and objects.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn note(eval: &Eval, rows: usize) -> String {
    format!(
        "Inspect AI log of task {}, run {}, model {}: {rows} sample × epoch rows read",
        eval.task.as_deref().unwrap_or("unknown"),
        eval.run_id.as_deref().unwrap_or("unknown"),
        eval.model.as_deref().unwrap_or("unknown"),
    )
}
