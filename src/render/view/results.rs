//! The results section: metrics per stream with weekly trends and the confusion matrix
//! (adversarial testing and fairness are in `groups`; oversight, operations, incidents and
//! reconciliation in `operations`).

use super::blocks::{Block, ChartRef, ChartSpec, TrendLine};
use super::tables::{arms, find, groups, metric_table};
use super::{Section, t, t_with, title, word};
use crate::metrics::catalogue::{self, ReportTable};
use crate::model::Arm;
use crate::model::{StreamInfo, Summary};
use crate::render::format;
use crate::schema::{Family, StreamKind};

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
    let mut section = Section::new("results", &t(summary, "section.results"))
        .with_narrative(summary.submission.narrative.results.as_ref());
    for s in event_streams(summary) {
        section.blocks.push(Block::Heading {
            text: t_with(
                summary,
                "heading.stream",
                &[
                    ("stream", &s.name),
                    ("kind", &word(summary, s.kind.as_str()).to_lowercase()),
                    ("events", &format::thousands(s.events)),
                ],
            ),
        });
        let ids = match s.kind {
            StreamKind::Detection | StreamKind::Assistant => {
                catalogue::shown_in(ReportTable::Results, Some(s.kind))
            }
            _ => {
                // Printed once, in the adversarial section.
                section.blocks.push(Block::Text {
                    text: t(summary, "sentence.redteam_elsewhere"),
                });
                continue;
            }
        };
        match metric_table(summary, &s.name, &ids, None) {
            Some(mut table) => {
                if let Some(threshold) = eer_threshold(summary, &s.name) {
                    let threshold = threshold.to_string();
                    let note = t_with(summary, "note.eer", &[("threshold", &threshold)]);
                    table = table.note(note);
                }
                section.blocks.push(Block::Table(table));
            }
            None => section.blocks.push(Block::Text {
                text: t(summary, "sentence.no_events"),
            }),
        }
        if let Some(chart) = trend(summary, s, true) {
            section.blocks.push(Block::Chart(chart));
        }
        if let Some(chart) = confusion(summary, &s.name) {
            section.blocks.push(Block::Chart(chart));
        }
    }
    section.or_empty(&t(summary, "empty.results"))
}

fn eer_threshold(summary: &Summary, stream: &str) -> Option<f64> {
    let arm = if arms(summary, stream).len() > 1 {
        Some(Arm::Ai)
    } else {
        None
    };
    find(summary, "detection.eer", stream, None, arm)?.threshold
}

/// Weekly lines of the stream's trend metrics: ratios when `ratios`, else latency.
pub(super) fn trend(summary: &Summary, s: &StreamInfo, ratios: bool) -> Option<ChartRef> {
    let mut metrics: Vec<&str> = Vec::new();
    let series: Vec<TrendLine> = summary
        .series
        .iter()
        .filter(|x| x.stream == s.name && (x.metric == "assistant.latency_p95") != ratios)
        .map(|x| {
            let short = title(summary.settings.language, &x.metric)
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
                faded: x.arm == Some(Arm::Baseline),
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
    let key = if ratios {
        "chart.weekly_rates"
    } else {
        "chart.weekly_latency"
    };
    Some(ChartRef {
        id: chart_id(&s.name, if ratios { "trend" } else { "latency-trend" }),
        title: t_with(summary, key, &[("stream", &s.name)]),
        caption: t(summary, "caption.weekly"),
        spec: ChartSpec::Trend {
            series,
            percent: ratios,
            unit: if ratios { "%".into() } else { "ms".into() },
        },
    })
}

fn confusion(summary: &Summary, stream: &str) -> Option<ChartRef> {
    let arm = if arms(summary, stream).len() > 1 {
        Some(Arm::Ai)
    } else {
        None
    };
    let count = |id: &str| find(summary, id, stream, None, arm).and_then(|m| m.value);
    let (tp, fp, tn, fn_) = (
        count("detection.tp")?,
        count("detection.fp")?,
        count("detection.tn")?,
        count("detection.fn")?,
    );
    let key = if arm.is_some() {
        "chart.confusion_ai"
    } else {
        "chart.confusion"
    };
    let (positive, negative) = classes(summary, stream);
    let class = positive.to_lowercase();
    Some(ChartRef {
        id: chart_id(stream, "confusion"),
        title: t_with(summary, key, &[("stream", stream)]),
        caption: t_with(summary, "caption.confusion", &[("class", &class)]),
        spec: ChartSpec::Confusion {
            tp,
            fp,
            tn,
            fn_,
            positive,
            negative,
            words: [
                "chart.true_positives",
                "chart.false_negatives",
                "chart.false_positives",
                "chart.true_negatives",
                "chart.ground_truth",
                "chart.flagged",
                "chart.not_flagged",
            ]
            .map(|key| t(summary, key))
            .into(),
        },
    })
}

/// The names of a detection stream's two label classes: attack / genuine for presentation
/// attacks (liveness), fraud / genuine for anti-fraud, else positive / negative.
fn classes(summary: &Summary, stream: &str) -> (String, String) {
    let family = summary.submission.use_case.family;
    let (positive, negative) = if family == Family::DeepfakeDefence
        || !groups(summary, stream, "attack_type").is_empty()
    {
        ("chart.class_attack", "chart.class_genuine")
    } else if family == Family::AntiFraud {
        ("chart.class_fraud", "chart.class_genuine")
    } else {
        ("chart.class_positive", "chart.class_negative")
    };
    (t(summary, positive), t(summary, negative))
}
