//! The result sections: metrics per stream with trends and confusion matrix, adversarial
//! testing and fairness per segment (oversight, operations, incidents and reconciliation are
//! in `operations`).

use super::blocks::{Block, ChartRef, ChartSpec, Estimate, TrendLine};
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

pub(super) fn event_streams(summary: &Summary) -> impl Iterator<Item = &StreamInfo> {
    summary.streams.iter().filter(|s| s.kind.is_event_log())
}

/// A chart id unique in the report: `stream-what`.
pub(super) fn chart_id(stream: &str, what: &str) -> String {
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
pub(super) fn trend(summary: &Summary, s: &StreamInfo, ratios: bool) -> Option<ChartRef> {
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
