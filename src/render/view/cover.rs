//! The cover page: who submitted what for which period, the evidence it rests on, and the key
//! results (the headline metrics of each stream), so a reader sees the outcome on page one.

use super::LabelledText;
use super::results::event_streams;
use super::tables::{find, groups};
use super::{t, t_with, title, word};
use crate::metrics::catalogue::{self, Cover};
use crate::model::Arm;
use crate::model::{StreamInfo, Summary};
use crate::render::format;
use crate::schema::StreamKind;

/// `Institution: Name (ID)`, as on the cover and in the identification section.
pub(crate) fn institution(summary: &Summary) -> LabelledText {
    let sub = &summary.submission;
    LabelledText::new(
        t(summary, "cover.institution"),
        format!("{} ({})", sub.institution.name, sub.institution.id),
    )
}

/// `Use case: ID: title`.
pub(crate) fn use_case(summary: &Summary) -> LabelledText {
    let sub = &summary.submission;
    LabelledText::new(
        t(summary, "cover.use_case"),
        format!("{}: {}", sub.use_case.id, sub.use_case.title),
    )
}

/// `programme, cohort N`.
pub(crate) fn programme(summary: &Summary) -> String {
    let sub = &summary.submission;
    t_with(
        summary,
        "cover.programme_text",
        &[("programme", &sub.programme), ("cohort", &sub.cohort)],
    )
}

/// `2025-06-01 to 2025-08-31` (`2025年6月1日至2025年8月31日` in zh-HK).
pub(crate) fn period_text(summary: &Summary) -> String {
    let period = &summary.submission.period;
    let language = summary.settings.language;
    let (start, end) = (
        format::date(language, period.start),
        format::date(language, period.end),
    );
    t_with(
        summary,
        "cover.period_text",
        &[("start", &start), ("end", &end)],
    )
}

/// Key facts for the cover page.
pub(crate) fn cover(summary: &Summary) -> Vec<LabelledText> {
    let sub = &summary.submission;
    let events: u64 = event_streams(summary).map(|s| s.events).sum();
    let evidence = t_with(
        summary,
        "cover.evidence_text",
        &[
            ("streams", &summary.streams.len().to_string()),
            ("events", &format::thousands(events)),
            ("files", &summary.inputs.len().to_string()),
        ],
    );
    vec![
        institution(summary),
        use_case(summary),
        LabelledText::new(
            t(summary, "cover.family"),
            word(summary, sub.use_case.family.as_str()),
        ),
        LabelledText::new(t(summary, "cover.programme"), programme(summary)),
        LabelledText::new(t(summary, "cover.reporting_period"), period_text(summary)),
        LabelledText::new(t(summary, "cover.evidence"), evidence),
    ]
}

/// The headline metrics of every event stream, with their intervals: label the metric,
/// text the value as in the result tables, followed by the stream (and the AI arm in an A/B
/// trial) when there is more than one stream or an arm.
pub(crate) fn headline(summary: &Summary) -> Vec<LabelledText> {
    let currency = summary.settings.currency.as_deref();
    let several = event_streams(summary).count() > 1;
    let mut rows = Vec::new();
    for s in event_streams(summary) {
        let arm = s.has_arms.then_some(Arm::Ai);
        let scope = match (several, arm.is_some()) {
            (true, true) => t_with(summary, "label.scope_stream_ai", &[("stream", &s.name)]),
            (true, false) => format!(" ({})", s.name),
            (false, true) => t(summary, "label.scope_ai"),
            (false, false) => String::new(),
        };
        for id in headline_ids(summary, s) {
            if let Some(m) = find(summary, id, &s.name, None, arm) {
                rows.push(LabelledText::new(
                    title(summary.settings.language, id),
                    format!("{}{scope}", format::compact(m, currency)),
                ));
            }
        }
    }
    rows
}

/// The few metrics that sum up a stream of each kind (the catalogue's `cover` places).
fn headline_ids(summary: &Summary, s: &StreamInfo) -> Vec<&'static str> {
    let cover = match s.kind {
        StreamKind::Detection if !groups(summary, &s.name, "attack_type").is_empty() => {
            Cover::Liveness
        }
        StreamKind::Detection => Cover::Detection,
        StreamKind::Assistant => Cover::Assistant,
        _ => Cover::Redteam,
    };
    catalogue::cover(cover)
}
