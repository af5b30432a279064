//! The result sections read per group: adversarial testing (attack success per category,
//! APCER per presentation-attack species) and fairness per customer segment, each with a
//! table and bars with 95% intervals.

use super::blocks::{Block, ChartRef, ChartSpec, Estimate};
use super::results::{chart_id, event_streams, trend};
use super::tables::{arms, find, group_table, groups, metric_table};
use super::{Section, t, t_with, title, word};
use crate::metrics::catalogue::{self, ReportTable};
use crate::model::Arm;
use crate::model::{Segment, StreamInfo, Summary};
use crate::schema::StreamKind;

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
        .filter(|a| *a != Some(Arm::Delta))
        .map(|arm| {
            let values = categories
                .iter()
                .map(|g| {
                    let m = find(summary, id, stream, Some(&segment(g)), arm)?;
                    Some(Estimate {
                        value: m.value?,
                        low: m.ci_low,
                        high: m.ci_high,
                    })
                })
                .collect();
            (arm.map_or("value", Arm::as_str).to_string(), values)
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

/// What the adversarial section shows for one kind of attack: the overall metrics, then one
/// metric per group of `attribute` as a table and as bars. The texts are catalogue keys
/// (`heading.<kind>`: `stream: heading`, `caption.<kind>_groups`: the group table,
/// `chart.<kind>_groups`: the chart title, `caption.<kind>_chart`: its caption).
struct Attacks {
    kind: &'static str,
    overall: ReportTable,
    attribute: &'static str,
    metric: &'static str,
}

const RED_TEAM: Attacks = Attacks {
    kind: "red_team",
    overall: ReportTable::RedTeam,
    attribute: "attack_category",
    metric: "redteam.attack_success_rate",
};

const SPECIES: Attacks = Attacks {
    kind: "species",
    overall: ReportTable::Species,
    attribute: "attack_type",
    metric: "detection.apcer",
};

/// The text of an attack kind's `part` (`heading`, `caption_groups`, `chart_groups`,
/// `caption_chart`) for stream `stream`.
fn attack_text(summary: &Summary, a: &Attacks, part: &str, stream: &str) -> String {
    let key = match (a.kind, part) {
        ("red_team", "heading") => "heading.red_team",
        ("red_team", "caption_groups") => "caption.red_team_groups",
        ("red_team", "chart_groups") => "chart.red_team_groups",
        ("red_team", _) => "caption.red_team_chart",
        (_, "heading") => "heading.species",
        (_, "caption_groups") => "caption.species_groups",
        (_, "chart_groups") => "chart.species_groups",
        _ => "caption.species_chart",
    };
    t_with(summary, key, &[("stream", stream)])
}

/// The blocks of one stream for `a`; the red-team trend follows the overall table.
fn attack_blocks(summary: &Summary, s: &StreamInfo, a: &Attacks) -> Vec<Block> {
    let mut blocks = vec![Block::Heading {
        text: attack_text(summary, a, "heading", &s.name),
    }];
    let overall = catalogue::shown_in(a.overall, Some(s.kind));
    if let Some(t) = metric_table(summary, &s.name, &overall, None) {
        blocks.push(Block::Table(t));
    }
    if s.kind == StreamKind::Redteam
        && let Some(chart) = trend(summary, s, true)
    {
        blocks.push(Block::Chart(chart));
    }
    if let Some(t) = group_table(summary, &s.name, a.attribute, &[a.metric]) {
        let caption = attack_text(summary, a, "caption_groups", &s.name);
        blocks.push(Block::Table(t.caption(caption)));
    }
    // A red-team stream's own segments (a tool's strategy, probe or intent): the rate per group.
    for attribute in s.segments.iter().filter(|_| s.kind == StreamKind::Redteam) {
        if let Some(t) = group_table(summary, &s.name, attribute, &[a.metric]) {
            let caption = t_with(
                summary,
                "chart.by_attribute",
                &[
                    ("stream", &s.name),
                    ("metric", &title(summary.settings.language, a.metric)),
                    ("attribute", &word(summary, attribute).to_lowercase()),
                ],
            );
            blocks.push(Block::Table(t.caption(caption)));
        }
    }
    let title = attack_text(summary, a, "chart_groups", &s.name);
    let caption = attack_text(summary, a, "caption_chart", &s.name);
    if let Some(c) = group_bars(summary, &s.name, a.attribute, a.metric, title, &caption) {
        blocks.push(Block::Chart(c));
    }
    blocks
}

pub fn adversarial(summary: &Summary) -> Section {
    let mut section = Section::new("adversarial", &t(summary, "section.adversarial"))
        .with_narrative(summary.submission.narrative.redteam.as_ref());
    for s in event_streams(summary) {
        if s.kind == StreamKind::Redteam {
            section.blocks.extend(attack_blocks(summary, s, &RED_TEAM));
        }
        if s.kind == StreamKind::Detection && !groups(summary, &s.name, "attack_type").is_empty() {
            section.blocks.extend(attack_blocks(summary, s, &SPECIES));
        }
    }
    section.or_empty(&t(summary, "empty.adversarial"))
}

pub fn fairness(summary: &Summary) -> Section {
    let mut section = Section::new("fairness", &t(summary, "section.fairness"))
        .with_narrative(summary.submission.narrative.fairness.as_ref());
    for s in event_streams(summary)
        .filter(|s| matches!(s.kind, StreamKind::Detection | StreamKind::Assistant))
    {
        let ids = catalogue::shown_in(ReportTable::FairnessRates, Some(s.kind));
        let measures = catalogue::fairness_measures(s.kind);
        // A stream's own segments (older summaries: the config's list).
        let attributes = if s.segments.is_empty() {
            &summary.settings.segments
        } else {
            &s.segments
        };
        for attribute in attributes {
            let Some(table) = group_table(summary, &s.name, attribute, &ids) else {
                continue;
            };
            section.blocks.push(Block::Heading {
                text: t_with(
                    summary,
                    "heading.by_attribute",
                    &[
                        ("stream", &s.name),
                        ("attribute", &word(summary, attribute).to_lowercase()),
                    ],
                ),
            });
            section.blocks.push(Block::Table(table));
            let segment = Segment {
                attribute: attribute.clone(),
                value: None,
            };
            if let Some(t) = metric_table(summary, &s.name, &measures, Some(&segment)) {
                let size = summary.settings.fairness_min_group_size.to_string();
                let mut note = t_with(summary, "note.group_size", &[("size", &size)]);
                if s.kind == StreamKind::Detection {
                    let floor = summary.settings.disparate_impact_floor.to_string();
                    note.push(' ');
                    note.push_str(&t_with(summary, "note.di_floor", &[("floor", &floor)]));
                }
                let attribute_text = word(summary, attribute).to_lowercase();
                let caption = t_with(
                    summary,
                    "caption.disparity",
                    &[("attribute", &attribute_text)],
                );
                section
                    .blocks
                    .push(Block::Table(t.caption(caption).note(note)));
            }
            let caption = t(summary, "caption.per_group");
            if let Some(c) = group_bars(
                summary,
                &s.name,
                attribute,
                ids[0],
                t_with(
                    summary,
                    "chart.by_attribute",
                    &[
                        ("stream", &s.name),
                        (
                            "metric",
                            &title(summary.settings.language, ids[0]).to_lowercase(),
                        ),
                        ("attribute", &word(summary, attribute).to_lowercase()),
                    ],
                ),
                &caption,
            ) {
                section.blocks.push(Block::Chart(c));
            }
        }
    }
    section.or_empty(&t(summary, "empty.fairness"))
}
