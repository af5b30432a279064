//! The presentation view of the report model: the same facts as `Summary`, arranged in the
//! tables and sentences a report prints, with every number already formatted. Built once and
//! handed to every renderer, so the PDF, HTML and Markdown agree to the character.

use serde::Serialize;

use super::format;
use crate::metrics::catalogue;
use crate::model::{Finding, Metric, Severity, Summary};

/// How many findings a report lists before summarising the rest.
pub const FINDINGS_SHOWN: usize = 50;

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub title: String,
    pub period: String,
    pub criteria: Vec<CriterionRow>,
    pub criteria_counts: StatusCounts,
    pub system: Vec<LabelledText>,
    pub streams: Vec<StreamView>,
    pub findings: FindingsView,
    pub inputs: Vec<InputRow>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub not_evaluable: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LabelledText {
    pub label: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionRow {
    pub metric: String,
    pub title: String,
    pub scope: String,
    pub requirement: String,
    pub value: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamView {
    pub name: String,
    pub kind: String,
    pub events: String,
    pub rows_read: String,
    pub rows_outside_period: String,
    /// Column headings of the metric tables: `Value`, or `AI`, `Baseline`, `Delta`.
    pub columns: Vec<String>,
    pub tables: Vec<MetricTable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricTable {
    /// `Overall`, or the attribute the rows are grouped by.
    pub title: String,
    pub attribute: Option<String>,
    pub rows: Vec<MetricRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricRow {
    pub id: String,
    pub title: String,
    pub group: Option<String>,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Cell {
    pub value: String,
    pub interval: String,
    pub sample: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingsView {
    pub errors: usize,
    pub warnings: usize,
    pub shown: Vec<FindingRow>,
    pub not_shown: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub severity: String,
    pub code: String,
    pub stream: String,
    pub location: String,
    pub message: String,
    pub count: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputRow {
    pub stream: String,
    pub path: String,
    pub rows: String,
    pub bytes: String,
    pub sha256: String,
}

/// Builds the view of a summary.
pub fn build(summary: &Summary) -> ReportView {
    let sub = &summary.submission;
    let currency = summary.settings.currency.as_deref();
    ReportView {
        title: format!("{}: {}", sub.use_case.id, sub.use_case.title),
        period: format!(
            "{} to {} ({})",
            sub.period.start, sub.period.end, summary.settings.timezone
        ),
        criteria: summary
            .criteria
            .iter()
            .map(|c| CriterionRow {
                metric: c.metric.clone(),
                title: title(&c.metric),
                scope: scope(c.stream.as_deref(), c.segment.as_ref(), c.arm.as_deref()),
                requirement: format!(
                    "{} {}",
                    c.op,
                    format::value(&c.metric, Some(c.threshold), currency)
                ),
                value: format::value(&c.metric, c.value, currency),
                status: c.status.clone(),
            })
            .collect(),
        criteria_counts: status_counts(summary),
        system: system_rows(&sub.system),
        streams: summary
            .streams
            .iter()
            .map(|s| stream_view(summary, &s.name))
            .collect(),
        findings: findings_view(&summary.findings),
        inputs: summary
            .inputs
            .iter()
            .map(|i| InputRow {
                stream: i.stream.clone(),
                path: i.path.clone(),
                rows: i
                    .rows
                    .map_or_else(|| format::NOT_AVAILABLE.into(), format::thousands),
                bytes: format::thousands(i.bytes),
                sha256: i.sha256.clone(),
            })
            .collect(),
    }
}

/// The catalogue title of a metric id.
pub fn title(id: &str) -> String {
    catalogue::find(id).map_or_else(|| id.to_string(), |d| d.title.to_string())
}

fn scope(
    stream: Option<&str>,
    segment: Option<&crate::model::Segment>,
    arm: Option<&str>,
) -> String {
    let mut parts = Vec::new();
    if let Some(s) = stream {
        parts.push(s.to_string());
    }
    if let Some(seg) = segment {
        parts.push(match &seg.value {
            Some(v) => format!("{} = {v}", seg.attribute),
            None => format!("across {}", seg.attribute),
        });
    }
    if let Some(a) = arm {
        parts.push(format!("arm {a}"));
    }
    parts.join(", ")
}

fn status_counts(summary: &Summary) -> StatusCounts {
    let count = |s: &str| summary.criteria.iter().filter(|c| c.status == s).count();
    StatusCounts {
        pass: count("pass"),
        fail: count("fail"),
        not_evaluable: count("not_evaluable"),
    }
}

fn stream_view(summary: &Summary, name: &str) -> StreamView {
    let info = summary
        .streams
        .iter()
        .find(|s| s.name == name)
        .expect("stream of the summary");
    let currency = summary.settings.currency.as_deref();
    let arms: Vec<Option<&str>> = if info.has_arms {
        vec![Some("ai"), Some("baseline"), Some("delta")]
    } else {
        vec![None]
    };
    let metrics: Vec<&Metric> = summary
        .metrics
        .iter()
        .filter(|m| m.stream == name)
        .collect();
    let mut tables: Vec<MetricTable> = Vec::new();
    for m in &metrics {
        let attribute = m.segment.as_ref().map(|s| s.attribute.clone());
        let group = m.segment.as_ref().and_then(|s| s.value.clone());
        let table = match tables.iter_mut().find(|t| t.attribute == attribute) {
            Some(t) => t,
            None => {
                tables.push(MetricTable {
                    title: attribute
                        .as_deref()
                        .map_or("Overall".into(), |a| format!("By {}", a.replace('_', " "))),
                    attribute: attribute.clone(),
                    rows: Vec::new(),
                });
                tables.last_mut().expect("just pushed")
            }
        };
        if table.rows.iter().any(|r| r.id == m.id && r.group == group) {
            continue;
        }
        let cells = arms
            .iter()
            .map(|arm| {
                metrics
                    .iter()
                    .find(|x| x.id == m.id && x.segment == m.segment && x.arm.as_deref() == *arm)
                    .map_or_else(Cell::default, |x| Cell {
                        value: format::metric_value(x, currency),
                        interval: format::interval(x),
                        sample: format::sample(x),
                    })
            })
            .collect();
        table.rows.push(MetricRow {
            id: m.id.clone(),
            title: title(&m.id),
            group,
            cells,
        });
    }
    StreamView {
        name: info.name.clone(),
        kind: info.kind.as_str().into(),
        events: format::thousands(info.events),
        rows_read: format::thousands(info.rows_read),
        rows_outside_period: format::thousands(info.rows_outside_period),
        columns: arms
            .iter()
            .map(|a| match a {
                None => "Value".into(),
                Some("ai") => "AI".into(),
                Some("baseline") => "Baseline".into(),
                Some(_) => "Delta (AI − baseline)".into(),
            })
            .collect(),
        tables,
    }
}

fn findings_view(findings: &[Finding]) -> FindingsView {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    FindingsView {
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        shown: findings
            .iter()
            .take(FINDINGS_SHOWN)
            .map(finding_row)
            .collect(),
        not_shown: findings.len().saturating_sub(FINDINGS_SHOWN),
    }
}

fn finding_row(f: &Finding) -> FindingRow {
    FindingRow {
        severity: f.severity.as_str().into(),
        code: f.code.clone(),
        stream: f.stream.clone().unwrap_or_default(),
        location: location(f),
        message: f.message.clone(),
        count: format::thousands(f.count),
    }
}

/// `file: row 12, column "score"`, leaving out what is unknown.
pub fn location(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(row) = f.row {
        parts.push(format!("row {row}"));
    } else if f.file.is_some() && f.column.is_some() {
        parts.push("header".to_string());
    }
    if let Some(column) = &f.column {
        parts.push(format!("column \"{column}\""));
    }
    match (&f.file, parts.is_empty()) {
        (Some(file), true) => file.clone(),
        (Some(file), false) => format!("{file}: {}", parts.join(", ")),
        (None, _) => parts.join(", "),
    }
}

/// The free-form `system` description as labelled lines of text.
fn system_rows(system: &serde_json::Value) -> Vec<LabelledText> {
    let serde_json::Value::Object(map) = system else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (key, value) in map {
        match value {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let label = if items.len() > 1 {
                        format!("{} {}", humanise(key), i + 1)
                    } else {
                        humanise(key)
                    };
                    rows.push(LabelledText {
                        label,
                        text: inline_text(item),
                    });
                }
            }
            other => rows.push(LabelledText {
                label: humanise(key),
                text: inline_text(other),
            }),
        }
    }
    rows
}

fn humanise(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn inline_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), inline_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        serde_json::Value::Array(items) => {
            items.iter().map(inline_text).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// Whether the severity of a finding row is an error (used by templates through the view).
pub fn is_error(row: &FindingRow) -> bool {
    row.severity == Severity::Error.as_str()
}
