//! garak's `*.report.jsonl` as a redteam stream's file: one JSON object per line. An attempt
//! is written twice (status 1 when sent, status 2 once its detectors ran) and only status 2
//! is read; it succeeded when any detector scored at least the threshold on any generation
//! (the report does not record the threshold the run used: the config gives it, default 0.5).
//! garak has no per-attempt time, so every attempt carries the run's start time. The run's
//! version, id, start and target come from its `start_run setup` and `init` lines; a probe's
//! OWASP tags from its `plugin_cache` line. Prompts and outputs are never read into the rows.
//! Both layouts of an attempt (garak ≥ 0.13's conversation objects, and the older strings)
//! read alike, since neither prompts nor outputs are read.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::Path;

use polars::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::ROW;
use crate::config::{GarakCategory, GarakOptions};
use crate::model::Code;

/// Where a report stops being readable: the line (when known) and why.
#[derive(Debug)]
pub(crate) struct Unreadable {
    pub line: Option<u64>,
    pub message: String,
}

impl Unreadable {
    pub(super) fn at(line: Option<u64>, message: impl Into<String>) -> Unreadable {
        Unreadable {
            line,
            message: message.into(),
        }
    }
}

/// A garak report read: its rows (as the text columns of a CSV red-team export, `__row` the
/// line) and the note that records the run.
pub(crate) struct Report {
    pub frame: DataFrame,
    pub note: String,
}

/// Whether the file's first line is a garak report record.
pub(crate) fn sniff(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut line = String::new();
    if std::io::BufReader::new(file.take(4 << 20))
        .read_line(&mut line)
        .is_err()
    {
        return false;
    }
    let Ok(head) = serde_json::from_str::<Value>(line.trim()) else {
        return false;
    };
    matches!(
        head.get("entry_type").and_then(Value::as_str),
        Some("start_run setup" | "init" | "attempt")
    )
}

/// The fields of a report line the reader uses; the rest is ignored.
#[derive(Deserialize)]
struct Line {
    entry_type: Option<String>,
    uuid: Option<String>,
    status: Option<i64>,
    probe_classname: Option<String>,
    #[serde(default)]
    detector_results: BTreeMap<String, Vec<Option<f64>>>,
    intent: Option<String>,
    garak_version: Option<String>,
    start_time: Option<String>,
    run: Option<String>,
    plugin_cache: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

/// The run's facts, from its header lines.
#[derive(Default)]
struct Run {
    version: Option<String>,
    started: Option<String>,
    id: Option<String>,
    target: Option<String>,
    /// Probe class → its OWASP LLM tags (`owasp:llm01` → `LLM01`).
    owasp: BTreeMap<String, String>,
}

/// What the reader keeps of an evaluated attempt (not its prompt or outputs).
struct Attempt {
    line: u64,
    uuid: Option<String>,
    probe: Option<String>,
    intent: Option<String>,
    /// `None` when no detector scored the attempt: it cannot count as blocked, so
    /// `attack_success` is left empty and validation reports it at its line.
    success: Option<bool>,
}

/// Reads a whole report.
pub(crate) fn read(path: &Path, options: &GarakOptions) -> Result<Report, Unreadable> {
    let file = std::fs::File::open(path).map_err(|e| Unreadable::at(None, e.to_string()))?;
    let mut run = Run::default();
    let mut attempts = Vec::new();
    let mut sent = 0u64;
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let number = index as u64 + 1;
        let line = line.map_err(|e| Unreadable::at(Some(number), e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line).map_err(|e| {
            Unreadable::at(
                Some(number),
                format!("line {number} is not a garak record ({e})"),
            )
        })?;
        match parsed.entry_type.as_deref() {
            Some("attempt") if parsed.status == Some(2) => {
                let mut scores = parsed
                    .detector_results
                    .values()
                    .flatten()
                    .flatten()
                    .peekable();
                let success = scores
                    .peek()
                    .is_some()
                    .then(|| scores.any(|score| *score >= options.threshold));
                attempts.push(Attempt {
                    line: number,
                    uuid: parsed.uuid,
                    probe: parsed.probe_classname,
                    intent: parsed.intent,
                    success,
                });
            }
            Some("attempt") => sent += 1,
            Some("start_run setup") => setup(&mut run, &parsed.rest),
            Some("init") => {
                run.version = parsed.garak_version.or(run.version);
                run.started = parsed.start_time.or(run.started);
                run.id = parsed.run.or(run.id);
            }
            Some("plugin_cache") => owasp_tags(&mut run, parsed.plugin_cache.as_ref()),
            Some(_) => {}
            None => {
                return Err(Unreadable::at(
                    Some(number),
                    format!("line {number} has no `entry_type`: not a garak report line"),
                ));
            }
        }
    }
    let started = run.started.clone().ok_or_else(|| {
        Unreadable::at(
            None,
            "the report has no `init` line with the run's `start_time` (a truncated report?)",
        )
    })?;
    let frame = rows(&attempts, &run, &started, options.category)
        .map_err(|e| Unreadable::at(None, e.to_string()))?;
    Ok(Report {
        frame,
        note: note(&run, attempts.len(), sent, options),
    })
}

/// The rows: canonical columns plus the tool's attributes (`probe`, `intent`, `owasp`), which
/// a stream may list as segments.
fn rows(
    attempts: &[Attempt],
    run: &Run,
    started: &str,
    by: GarakCategory,
) -> PolarsResult<DataFrame> {
    let text = |f: &dyn Fn(&Attempt) -> Option<String>| -> Vec<Option<String>> {
        attempts.iter().map(f).collect()
    };
    let family = |a: &Attempt| {
        a.probe
            .as_deref()
            .map(|p| p.split('.').next().unwrap_or(p).to_string())
    };
    let category = text(&|a| match by {
        GarakCategory::Family => family(a),
        GarakCategory::Probe => a.probe.clone(),
    });
    let lines: Vec<u64> = attempts.iter().map(|a| a.line).collect();
    let height = attempts.len();
    let time = plain_time(started);
    let columns = vec![
        Column::new(ROW.into(), lines).cast(&IDX_DTYPE)?,
        Column::new("event_id".into(), text(&|a| a.uuid.clone())),
        Column::new("timestamp".into(), vec![Some(time); height]),
        Column::new("model_version".into(), vec![run.target.clone(); height]),
        Column::new("attack_category".into(), category),
        Column::new(
            "attack_success".into(),
            text(&|a| a.success.map(|s| s.to_string())),
        ),
        Column::new("probe".into(), text(&|a| a.probe.clone())),
        Column::new("intent".into(), text(&|a| a.intent.clone())),
        Column::new(
            "owasp".into(),
            text(&|a| a.probe.as_deref().and_then(|p| run.owasp.get(p)).cloned()),
        ),
    ];
    DataFrame::new(height, columns)
}

/// `2026-12-02T18:13:12.069906` (no zone, as garak writes it) as `2026-12-02 18:13:12`, read
/// in the config's timezone; a time with a zone (RFC 3339) as it is.
pub(super) fn plain_time(text: &str) -> String {
    let has_zone = text.ends_with('Z') || text.get(19..).is_some_and(|t| t.contains(['+', '-']));
    if has_zone || text.len() < 19 {
        return text.to_string();
    }
    text[..19].replacen('T', " ", 1)
}

/// Target and version from the flat dotted keys of the `start_run setup` line (garak ≥ 0.13.1
/// writes `plugins.target_*`, earlier versions `plugins.model_*`).
fn setup(run: &mut Run, keys: &BTreeMap<String, Value>) {
    let text = |key: &str| keys.get(key).and_then(Value::as_str).map(str::to_string);
    let kind = text("plugins.target_type").or_else(|| text("plugins.model_type"));
    let name = text("plugins.target_name").or_else(|| text("plugins.model_name"));
    run.target = match (kind, name) {
        (Some(kind), Some(name)) => Some(format!("{kind} {name}")),
        (kind, name) => kind.or(name),
    };
    run.version = text("_config.version").or(run.version.take());
    run.started = text("transient.starttime_iso").or(run.started.take());
    run.id = text("transient.run_id").or(run.id.take());
}

/// The OWASP tags of every probe in a `plugin_cache` line.
fn owasp_tags(run: &mut Run, cache: Option<&Value>) {
    let Some(probes) = cache
        .and_then(|c| c.get("probes"))
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, probe) in probes {
        let tags: Vec<String> = probe
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|t| t.strip_prefix("owasp:"))
            .map(str::to_uppercase)
            .collect();
        if !tags.is_empty() {
            let class = name.strip_prefix("probes.").unwrap_or(name);
            run.owasp.insert(class.to_string(), tags.join(","));
        }
    }
}

fn note(run: &Run, evaluated: usize, sent: u64, options: &GarakOptions) -> String {
    let unknown = || "unknown".to_string();
    format!(
        "garak {} report, run {}, started {}, target {}: {evaluated} evaluated attempts (status 2) read, {sent} status-1 records left out; an attempt succeeded when a detector scored ≥ {} on a generation (garak does not record its threshold; set garak.threshold)",
        run.version.clone().unwrap_or_else(unknown),
        run.id.clone().unwrap_or_else(unknown),
        run.started.clone().unwrap_or_else(unknown),
        run.target.clone().unwrap_or_else(unknown),
        options.threshold,
    )
}

/// The finding code of a report that cannot be read.
pub(crate) const UNREADABLE: Code = Code::ToolResultInvalid;
