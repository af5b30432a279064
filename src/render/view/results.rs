//! The result sections: metrics per stream with trends and confusion matrix, adversarial
//! testing, fairness per segment, human oversight, operations, incidents and reconciliation.

use super::blocks::{Block, Cell, ChartRef, ChartSpec, Column, Estimate, Table, TrendLine};
use super::tables::{arms, find, group_table, groups, humanise, metric_table};
use super::{Section, title};
use crate::model::{Segment, StreamInfo, Summary};
use crate::render::format;
use crate::schema::StreamKind;

const DETECTION: &[&str] = &[
    "detection.events",
    "detection.labelled",
    "detection.alert_rate",
    "detection.precision",
    "detection.recall",
    "detection.fpr",
    "detection.fnr",
    "detection.accuracy",
    "detection.f1",
    "detection.fp_to_tp",
    "detection.roc_auc",
    "detection.average_precision",
    "detection.eer",
    "detection.value_detection_rate",
];
const ASSISTANT: &[&str] = &[
    "assistant.interactions",
    "assistant.resolution_rate",
    "assistant.escalation_rate",
    "assistant.abandonment_rate",
    "assistant.containment_rate",
    "assistant.hallucination_rate",
    "assistant.csat_mean",
    "assistant.csat_satisfied_rate",
];
const REDTEAM: &[&str] = &[
    "redteam.attempts",
    "redteam.attack_success_rate",
    "redteam.over_refusal_rate",
];

fn event_streams(summary: &Summary) -> impl Iterator<Item = &StreamInfo> {
    summary.streams.iter().filter(|s| s.kind.is_event_log())
}

/// A chart id unique in the report: `stream-what`.
fn chart_id(stream: &str, what: &str) -> String {
    let clean: String = stream
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}-{what}")
}

pub fn results(summary: &Summary) -> Section {
    let mut section = Section::new("results", "Results")
        .with_narrative(summary.submission.narrative.results.as_ref());
    for s in event_streams(summary) {
        let ids = match s.kind {
            StreamKind::Detection => DETECTION,
            StreamKind::Assistant => ASSISTANT,
            _ => REDTEAM,
        };
        section.blocks.push(Block::Heading {
            text: format!(
                "{} ({}, {} events)",
                s.name,
                s.kind.as_str(),
                format::thousands(s.events)
            ),
        });
        match metric_table(summary, &s.name, ids, None) {
            Some(mut table) => {
                if let Some(t) = eer_threshold(summary, &s.name) {
                    table = table.note(format!("EER at score threshold {t}; ROC AUC, average precision and EER are over events with both a label and a score."));
                }
                section.blocks.push(Block::Table(table));
            }
            None => section.blocks.push(Block::Text {
                text: "The stream has no events to measure.".into(),
            }),
        }
        if let Some(chart) = trend(summary, s, true) {
            section.blocks.push(Block::Chart(chart));
        }
        if let Some(chart) = confusion(summary, &s.name) {
            section.blocks.push(Block::Chart(chart));
        }
    }
    section.or_empty("The submission has no event streams.")
}

fn eer_threshold(summary: &Summary, stream: &str) -> Option<f64> {
    let arm = if arms(summary, stream).len() > 1 {
        Some("ai")
    } else {
        None
    };
    find(summary, stream, "detection.eer", None, arm)?.threshold
}

/// Weekly lines of the stream's trend metrics: ratios when `ratios`, else latency.
fn trend(summary: &Summary, s: &StreamInfo, ratios: bool) -> Option<ChartRef> {
    let mut metrics: Vec<&str> = Vec::new();
    let series: Vec<TrendLine> = summary
        .series
        .iter()
        .filter(|x| x.stream == s.name && (x.metric == "assistant.latency_p95") != ratios)
        .map(|x| {
            let short = title(&x.metric)
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string();
            let color = metrics
                .iter()
                .position(|m| *m == x.metric)
                .unwrap_or_else(|| {
                    metrics.push(&x.metric);
                    metrics.len() - 1
                });
            TrendLine {
                label: match &x.arm {
                    Some(a) => format!("{short} ({a})"),
                    None => short,
                },
                points: x
                    .points
                    .iter()
                    .map(|p| (p.period.clone(), p.value))
                    .collect(),
                color,
                faded: x.arm.as_deref() == Some("baseline"),
            }
        })
        .collect();
    if series.is_empty()
        || series
            .iter()
            .all(|l| l.points.iter().all(|(_, v)| v.is_none()))
    {
        return None;
    }
    let what = if ratios {
        "weekly rates"
    } else {
        "weekly 95th-percentile latency"
    };
    Some(ChartRef {
        id: chart_id(&s.name, if ratios { "trend" } else { "latency-trend" }),
        title: format!("{}: {what}", s.name),
        caption: "One point per ISO week (Monday start) in the reporting timezone; weeks without events are left blank.".into(),
        spec: ChartSpec::Trend { series, percent: ratios, unit: if ratios { "%".into() } else { "ms".into() } },
    })
}

fn confusion(summary: &Summary, stream: &str) -> Option<ChartRef> {
    let arm = if arms(summary, stream).len() > 1 {
        Some("ai")
    } else {
        None
    };
    let count = |id: &str| find(summary, stream, id, None, arm).and_then(|m| m.value);
    let (tp, fp, tn, fn_) = (
        count("detection.tp")?,
        count("detection.fp")?,
        count("detection.tn")?,
        count("detection.fn")?,
    );
    let scope = if arm.is_some() { " (AI arm)" } else { "" };
    Some(ChartRef {
        id: chart_id(stream, "confusion"),
        title: format!("{stream}: confusion matrix{scope}"),
        caption: "Labelled events by decision and ground truth.".into(),
        spec: ChartSpec::Confusion { tp, fp, tn, fn_ },
    })
}

/// Bars of metric `id` per group of `attribute`, one series per arm (delta left out).
fn group_bars(
    summary: &Summary,
    stream: &str,
    attribute: &str,
    id: &str,
    title_text: String,
    caption: &str,
) -> Option<ChartRef> {
    let categories = groups(summary, stream, attribute);
    let segment = |g: &String| Segment {
        attribute: attribute.into(),
        value: Some(g.clone()),
    };
    let series: Vec<(String, Vec<Option<Estimate>>)> = arms(summary, stream)
        .into_iter()
        .filter(|a| *a != Some("delta"))
        .map(|arm| {
            let values = categories
                .iter()
                .map(|g| {
                    let m = find(summary, stream, id, Some(&segment(g)), arm)?;
                    Some(Estimate {
                        value: m.value?,
                        low: m.ci_low,
                        high: m.ci_high,
                    })
                })
                .collect();
            (arm.unwrap_or("value").to_string(), values)
        })
        .collect();
    if categories.is_empty() || series.iter().all(|(_, v)| v.iter().all(Option::is_none)) {
        return None;
    }
    Some(ChartRef {
        id: chart_id(stream, &format!("{}-{attribute}", id.replace('.', "-"))),
        title: title_text,
        caption: caption.into(),
        spec: ChartSpec::Bars {
            categories,
            series,
            percent: true,
        },
    })
}

pub fn adversarial(summary: &Summary) -> Section {
    let mut section = Section::new("adversarial", "Adversarial testing (AI versus AI)")
        .with_narrative(summary.submission.narrative.redteam.as_ref());
    for s in event_streams(summary) {
        if s.kind == StreamKind::Redteam {
            section.blocks.push(Block::Heading {
                text: format!("{}: red-team attempts", s.name),
            });
            if let Some(t) = metric_table(summary, &s.name, REDTEAM, None) {
                section.blocks.push(Block::Table(t));
            }
            if let Some(t) = group_table(
                summary,
                &s.name,
                "attack_category",
                &["redteam.attack_success_rate"],
            ) {
                section
                    .blocks
                    .push(Block::Table(t.caption("Attack success by category")));
            }
            let caption = "Share of attempts that got through, with 95% Wilson intervals.";
            if let Some(c) = group_bars(
                summary,
                &s.name,
                "attack_category",
                "redteam.attack_success_rate",
                format!("{}: attack success by category", s.name),
                caption,
            ) {
                section.blocks.push(Block::Chart(c));
            }
        }
        if s.kind == StreamKind::Detection && !groups(summary, &s.name, "attack_type").is_empty() {
            section.blocks.push(Block::Heading {
                text: format!("{}: presentation attacks by species", s.name),
            });
            let ids = ["detection.bpcer", "detection.apcer_max"];
            if let Some(t) = metric_table(summary, &s.name, &ids, None) {
                section.blocks.push(Block::Table(t));
            }
            if let Some(t) = group_table(summary, &s.name, "attack_type", &["detection.apcer"]) {
                section
                    .blocks
                    .push(Block::Table(t.caption("APCER per attack species")));
            }
            let caption = "Share of attack presentations accepted as genuine, per species, with 95% Wilson intervals.";
            if let Some(c) = group_bars(
                summary,
                &s.name,
                "attack_type",
                "detection.apcer",
                format!("{}: APCER per attack species", s.name),
                caption,
            ) {
                section.blocks.push(Block::Chart(c));
            }
        }
    }
    section.or_empty(
        "The submission has no red-team stream and no presentation-attack species (attack_type).",
    )
}

pub fn fairness(summary: &Summary) -> Section {
    let mut section = Section::new("fairness", "Fairness and consumer protection")
        .with_narrative(summary.submission.narrative.fairness.as_ref());
    for s in event_streams(summary)
        .filter(|s| matches!(s.kind, StreamKind::Detection | StreamKind::Assistant))
    {
        let (ids, measures): (&[&str], &[&str]) = match s.kind {
            StreamKind::Detection => (
                &["detection.alert_rate", "detection.recall", "detection.fpr"],
                &[
                    "fairness.demographic_parity_difference",
                    "fairness.disparate_impact_ratio",
                    "fairness.equalized_odds_difference",
                ],
            ),
            _ => (
                &[
                    "assistant.escalation_rate",
                    "assistant.hallucination_rate",
                    "assistant.csat_mean",
                ],
                &["fairness.escalation_rate_gap"],
            ),
        };
        for attribute in &summary.settings.segments {
            let Some(table) = group_table(summary, &s.name, attribute, ids) else {
                continue;
            };
            section.blocks.push(Block::Heading {
                text: format!("{} by {}", s.name, humanise(attribute).to_lowercase()),
            });
            section.blocks.push(Block::Table(table));
            let segment = Segment {
                attribute: attribute.clone(),
                value: None,
            };
            if let Some(t) = metric_table(summary, &s.name, measures, Some(&segment)) {
                let mut note = format!(
                    "Groups with fewer than {} events take no part in the comparison.",
                    summary.settings.fairness_min_group_size
                );
                if s.kind == StreamKind::Detection {
                    note.push_str(&format!(
                        " A disparate impact ratio below {} is flagged.",
                        summary.settings.disparate_impact_floor
                    ));
                }
                section.blocks.push(Block::Table(
                    t.caption(format!(
                        "Disparity across {}",
                        humanise(attribute).to_lowercase()
                    ))
                    .note(note),
                ));
            }
            let caption = "Per group, with 95% Wilson intervals.";
            if let Some(c) = group_bars(
                summary,
                &s.name,
                attribute,
                ids[0],
                format!(
                    "{}: {} by {}",
                    s.name,
                    title(ids[0]).to_lowercase(),
                    humanise(attribute).to_lowercase()
                ),
                caption,
            ) {
                section.blocks.push(Block::Chart(c));
            }
        }
    }
    section.or_empty("No customer segments are listed in the config (`segments`), so no per-segment or fairness results are reported.")
}

/// A table with one row per stream and a compact cell per metric of `ids` (AI arm in A/B trials).
fn stream_rows(summary: &Summary, ids: &[(&str, &str)]) -> Option<Table> {
    let currency = summary.settings.currency.as_deref();
    let mut columns = vec![Column::left("Stream")];
    columns.extend(ids.iter().map(|(_, head)| Column::right(head)));
    let mut table = Table::new(columns);
    for s in event_streams(summary) {
        let arm = if s.has_arms { Some("ai") } else { None };
        let metrics: Vec<_> = ids
            .iter()
            .map(|(id, _)| find(summary, &s.name, id, None, arm))
            .collect();
        if metrics.iter().all(Option::is_none) {
            continue;
        }
        let name = if s.has_arms {
            format!("{} (AI arm)", s.name)
        } else {
            s.name.clone()
        };
        let mut row = vec![Cell::styled(name, "strong")];
        row.extend(metrics.iter().map(|m| {
            Cell::plain(
                m.map(|m| format::compact(m, currency))
                    .unwrap_or_else(|| "–".into()),
            )
        }));
        table.rows.push(row);
    }
    (!table.rows.is_empty()).then_some(table)
}

pub fn oversight(summary: &Summary) -> Section {
    let mut section = Section::new("oversight", "Human oversight")
        .with_narrative(summary.submission.narrative.oversight.as_ref());
    let ids = [
        ("oversight.review_rate", "Review rate"),
        ("oversight.override_rate", "Override rate"),
        ("oversight.review_seconds_median", "Median review time"),
    ];
    if let Some(t) = stream_rows(summary, &ids) {
        section.blocks.push(Block::Table(t.note("Review rate: reviewed events over events where review is recorded. Override rate: reviewer changed the AI's outcome, over reviewed events.")));
    }
    section.or_empty(
        "No stream records human review (human_reviewed, human_override, review_seconds).",
    )
}

pub fn operations(summary: &Summary) -> Section {
    let mut section = Section::new("operations", "Operations: volumes, latency and cost")
        .with_narrative(summary.submission.narrative.operations.as_ref());
    let mut volumes = Table::new(vec![
        Column::left("Stream"),
        Column::left("Kind"),
        Column::right("Events"),
        Column::right("Weeks"),
    ]);
    for s in event_streams(summary) {
        let weeks = summary
            .series
            .iter()
            .find(|x| x.stream == s.name)
            .map_or(0, |x| x.points.len());
        volumes.rows.push(vec![
            Cell::styled(s.name.clone(), "strong"),
            Cell::plain(s.kind.as_str()),
            Cell::plain(format::thousands(s.events)),
            Cell::plain(weeks.to_string()),
        ]);
    }
    if !volumes.rows.is_empty() {
        section
            .blocks
            .push(Block::Table(volumes.caption("Volumes")));
    }
    let ids = [
        ("assistant.latency_p50", "Latency p50"),
        ("assistant.latency_p95", "p95"),
        ("assistant.latency_p99", "p99"),
        ("assistant.latency_mean", "mean"),
        ("assistant.tokens_mean", "Tokens"),
        ("assistant.cost_total", "Total cost"),
        ("assistant.cost_per_interaction", "Cost each"),
    ];
    if let Some(t) = stream_rows(summary, &ids) {
        section.blocks.push(Block::Table(t.caption("Latency and cost").note("Latency quantiles use linear interpolation between closest ranks; tokens are input plus output per interaction.")));
    }
    for s in event_streams(summary) {
        if let Some(c) = latency_histogram(summary, &s.name) {
            section.blocks.push(Block::Chart(c));
        }
        if let Some(c) = trend(summary, s, false) {
            section.blocks.push(Block::Chart(c));
        }
    }
    section
}

fn latency_histogram(summary: &Summary, stream: &str) -> Option<ChartRef> {
    let d = summary
        .distributions
        .iter()
        .find(|d| d.stream == stream && d.arm.as_deref().is_none_or(|a| a == "ai"))?;
    Some(ChartRef {
        id: chart_id(stream, "latency"),
        title: format!("{stream}: distribution of response time"),
        caption: "Interactions per latency bin; the last bin holds everything above it.".into(),
        spec: ChartSpec::Histogram {
            bins: d.bins.iter().map(|b| (b.low, b.high, b.count)).collect(),
            unit: "ms".into(),
        },
    })
}

pub fn incidents(summary: &Summary) -> Section {
    let mut section = Section::new("incidents", "Incidents")
        .with_narrative(summary.submission.narrative.incidents.as_ref());
    let mut table = Table::new(vec![
        Column::left("Stream"),
        Column::left("Incidents"),
        Column::right("Count"),
        Column::right("Per 1,000 events"),
    ]);
    for s in event_streams(summary) {
        let arm = if s.has_arms { Some("ai") } else { None };
        let Some(total) = find(summary, &s.name, "incidents.total", None, arm) else {
            continue;
        };
        let per_1k = find(summary, &s.name, "incidents.per_1k", None, arm);
        table.rows.push(vec![
            Cell::styled(s.name.clone(), "strong"),
            Cell::styled("all", "strong"),
            Cell::styled(
                format::value("incidents.total", total.value, None),
                "strong",
            ),
            Cell::plain(
                per_1k
                    .map(|m| format::value("incidents.per_1k", m.value, None))
                    .unwrap_or_default(),
            ),
        ]);
        for attribute in ["incident_type", "incident_severity"] {
            for group in groups(summary, &s.name, attribute) {
                let segment = Segment {
                    attribute: attribute.into(),
                    value: Some(group.clone()),
                };
                let m = find(summary, &s.name, "incidents.total", Some(&segment), arm);
                let label = if attribute == "incident_type" {
                    format!("type {group}")
                } else {
                    format!("severity {group}")
                };
                table.rows.push(vec![
                    Cell::plain(""),
                    Cell::plain(label),
                    Cell::plain(
                        m.map(|m| format::value("incidents.total", m.value, None))
                            .unwrap_or_default(),
                    ),
                    Cell::plain(""),
                ]);
            }
        }
    }
    if !table.rows.is_empty() {
        section.blocks.push(Block::Table(table));
    }
    section.or_empty("No stream records incidents (incident_type column).")
}

pub fn reconciliation(summary: &Summary) -> Section {
    let mut section = Section::new("reconciliation", "Reconciliation of reported KPIs")
        .with_narrative(summary.submission.narrative.reconciliation.as_ref());
    let currency = summary.settings.currency.as_deref();
    let mut table = Table::new(vec![
        Column::left("Metric"),
        Column::left("Stream / segment"),
        Column::right("Reported"),
        Column::right("Recomputed"),
        Column::right("Difference"),
        Column::left("Status"),
    ]);
    for r in &summary.reconciliation {
        let mut scope = r.stream.clone().unwrap_or_default();
        if let Some(seg) = &r.segment {
            scope.push_str(&format!(
                ", {} = {}",
                seg.attribute,
                seg.value.clone().unwrap_or_default()
            ));
        }
        let status = match r.status.as_str() {
            "within_tolerance" => Cell::styled("within tolerance", "pass"),
            "outside_tolerance" => Cell::styled("OUTSIDE TOLERANCE", "fail"),
            _ => Cell::styled("not recomputable", "not_evaluable"),
        };
        table.rows.push(vec![
            Cell::plain(title(&r.metric)),
            Cell::plain(scope),
            Cell::plain(format::value(&r.metric, Some(r.reported), currency)),
            Cell::plain(format::value(&r.metric, r.computed, currency)),
            Cell::plain(
                r.difference
                    .map_or_else(|| "n/a".into(), |d| format!("{d:+.4}")),
            ),
            status,
        ]);
    }
    if !table.rows.is_empty() {
        let note = format!(
            "Tolerance: absolute difference of at most {} in the metric's own unit.",
            summary.settings.reconciliation_tolerance
        );
        section.blocks.push(Block::Table(table.note(note)));
    }
    section.or_empty(
        "The submission has no KPI sheet (kpis stream), so there is nothing to reconcile.",
    )
}
