//! The sections of the submission report, in the order of the domain's "What a bank's
//! submission report contains": identification, objectives and criteria, system, data, then
//! the result sections (in `results`), lessons, and the evidence manifest.

use super::blocks::{Block, Cell, Column, Table};
use super::{
    FINDINGS_SHOWN, LabelledText, Section, cover, criteria, groups, incidents, location_in,
    operations, results, t, t_with, word,
};
use crate::model::Summary;
use crate::render::format;

/// Every section, in report order (numbers are assigned by the caller).
pub fn all(summary: &Summary) -> Vec<Section> {
    vec![
        identification(summary),
        criteria::objectives(summary),
        system(summary),
        data(summary),
        results::results(summary),
        groups::adversarial(summary),
        groups::fairness(summary),
        operations::oversight(summary),
        operations::operations(summary),
        incidents::incidents(summary),
        operations::reconciliation(summary),
        lessons(summary),
        super::mapping::mapping(summary),
        manifest(summary),
    ]
}

fn identification(summary: &Summary) -> Section {
    let sub = &summary.submission;
    let period = t_with(
        summary,
        "identification.period_text",
        &[
            ("period", &cover::period_text(summary)),
            ("timezone", &summary.settings.timezone),
        ],
    );
    let mut rows = vec![
        cover::institution(summary),
        LabelledText::new(
            t(summary, "identification.programme"),
            cover::programme(summary),
        ),
        cover::use_case(summary),
        LabelledText::new(
            t(summary, "identification.family"),
            word(summary, sub.use_case.family.as_str()),
        ),
        LabelledText::new(t(summary, "cover.reporting_period"), period),
    ];
    // An unset optional field is left out rather than printed as "none".
    if let Some(partner) = &sub.technology_partner {
        let label = t(summary, "identification.partner");
        rows.insert(1, LabelledText::new(label, partner.clone()));
    }
    if let Some(plan) = &sub.plan_reference {
        rows.push(LabelledText::new(
            t(summary, "identification.plan"),
            plan.clone(),
        ));
    }
    for c in &sub.contacts {
        let mut text = c.name.clone();
        if let Some(role) = &c.role {
            text.push_str(&format!(", {role}"));
        }
        if let Some(email) = &c.email {
            text.push_str(&format!(" <{email}>"));
        }
        rows.push(LabelledText::new(
            t(summary, "identification.contact"),
            text,
        ));
    }
    let mut section = Section::new("identification", &t(summary, "section.identification"));
    section.blocks.push(Block::Facts { rows });
    section
}

fn system(summary: &Summary) -> Section {
    let mut section = Section::new("system", &t(summary, "section.system"))
        .with_narrative(summary.submission.narrative.system.as_ref());
    let rows = system_rows(summary);
    if !rows.is_empty() {
        section.blocks.push(Block::Facts { rows });
    }
    if section.narrative.is_empty() {
        section.or_empty(&t(summary, "empty.system"))
    } else {
        section
    }
}

fn data(summary: &Summary) -> Section {
    let mut section = Section::new("data", &t(summary, "section.data"))
        .with_narrative(summary.submission.narrative.data.as_ref());
    let mut streams = Table::new(vec![
        Column::left(&t(summary, "column.stream")),
        Column::left(&t(summary, "column.kind")),
        Column::right(&t(summary, "column.files")),
        Column::right(&t(summary, "column.rows_read")),
        Column::right(&t(summary, "column.outside_period")),
        Column::right(&t(summary, "column.events_used")),
    ]);
    for s in &summary.streams {
        let files = summary.inputs.iter().filter(|i| i.stream == s.name).count();
        streams.rows.push(vec![
            Cell::styled(s.name.clone(), "strong"),
            Cell::plain(s.kind.as_str()),
            Cell::plain(files.to_string()),
            Cell::plain(format::thousands(s.rows_read)),
            Cell::plain(format::thousands(s.rows_outside_period)),
            Cell::plain(if s.kind.is_event_log() {
                format::thousands(s.events)
            } else {
                "n/a".into()
            }),
        ]);
    }
    section
        .blocks
        .push(Block::Table(streams.caption(t(summary, "caption.streams"))));
    let mut files = Table::new(vec![
        Column::left(&t(summary, "column.file")),
        Column::left(&t(summary, "column.stream")),
        Column::right(&t(summary, "column.rows")),
        Column::right(&t(summary, "column.bytes")),
        Column::left(&t(summary, "column.sha256")),
    ]);
    for i in &summary.inputs {
        files.rows.push(vec![
            Cell::plain(i.path.clone()),
            Cell::plain(i.stream.clone()),
            Cell::plain(i.rows.map_or_else(|| "n/a".into(), format::thousands)),
            Cell::plain(format::thousands(i.bytes)),
            Cell::styled(i.sha256.clone(), "hash"),
        ]);
    }
    section.blocks.push(Block::Table(
        files.caption(t(summary, "caption.evidence_files")),
    ));
    section.blocks.push(Block::Heading {
        text: t(summary, "sentence.findings_heading"),
    });
    section.blocks.push(findings_block(summary));
    section
}

/// A finding's problem as the report prints it: its message (with the values found), after
/// the code's meaning in Chinese for zh-HK reports, followed by it in bilingual ones.
fn problem(summary: &Summary, f: &crate::model::Finding) -> String {
    match summary.settings.language {
        crate::schema::Language::En => f.message.clone(),
        crate::schema::Language::ZhHk => format!("{}（{}）", f.code.meaning_zh(), f.message),
        crate::schema::Language::Bilingual => format!("{} {}", f.message, f.code.meaning_zh()),
    }
}

/// The catalogue key of a severity's word.
fn severity_key(severity: crate::model::Severity) -> &'static str {
    match severity {
        crate::model::Severity::Error => "severity.error",
        crate::model::Severity::Warning => "severity.warning",
        crate::model::Severity::Info => "severity.info",
    }
}

fn findings_block(summary: &Summary) -> Block {
    let findings = &summary.findings;
    if findings.is_empty() {
        return Block::Text {
            text: t(summary, "sentence.no_findings"),
        };
    }
    let mut table = Table::new(vec![
        Column::left(&t(summary, "column.severity")),
        Column::left(&t(summary, "column.code")),
        Column::left(&t(summary, "column.where")),
        Column::left(&t(summary, "column.problem")),
        Column::right(&t(summary, "column.rows")),
    ]);
    for f in findings.iter().take(FINDINGS_SHOWN) {
        let place = [
            f.stream.clone().unwrap_or_default(),
            location_in(f, summary.settings.language),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
        table.rows.push(vec![
            Cell::styled(
                t(summary, severity_key(f.severity)),
                if f.severity == crate::model::Severity::Error {
                    "fail"
                } else {
                    "muted"
                },
            ),
            Cell::styled(f.code.as_str(), "code"),
            Cell::plain(place),
            Cell::plain(problem(summary, f)),
            Cell::plain(format::thousands(f.count)),
        ]);
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == crate::model::Severity::Error)
        .count();
    let warnings = (findings.len() - errors).to_string();
    let counts = [("errors", errors.to_string()), ("warnings", warnings)];
    let args: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut table = table.caption(t_with(summary, "caption.findings", &args));
    if findings.len() > FINDINGS_SHOWN {
        let more = (findings.len() - FINDINGS_SHOWN).to_string();
        table = table.note(t_with(summary, "note.more_findings", &[("count", &more)]));
    }
    Block::Table(table)
}

fn lessons(summary: &Summary) -> Section {
    let n = &summary.submission.narrative;
    let mut section = Section::new("lessons", &t(summary, "section.lessons"));
    for (heading, text) in [
        (t(summary, "heading.lessons"), &n.lessons),
        (t(summary, "heading.limitations"), &n.limitations),
        (t(summary, "heading.next_steps"), &n.next_steps),
    ] {
        if let Some(markdown) = text {
            section
                .narrative
                .push(crate::render::narrative::Block::Heading {
                    level: 3,
                    spans: vec![crate::render::narrative::Span {
                        text: heading,
                        strong: false,
                        emph: false,
                        code: false,
                        link: None,
                    }],
                });
            section
                .narrative
                .extend(crate::render::narrative::parse(markdown));
        }
    }
    if section.narrative.is_empty() {
        section.or_empty(&t(summary, "empty.lessons"))
    } else {
        section
    }
}

fn manifest(summary: &Summary) -> Section {
    let mut section = Section::new("manifest", &t(summary, "section.manifest"));
    section.blocks.push(Block::Text {
        text: t(summary, "sentence.manifest"),
    });
    section.blocks.push(Block::Facts {
        rows: vec![
            LabelledText::new(
                t(summary, "label.produced_by"),
                format!("{} {}", summary.tool.name, summary.tool.version),
            ),
            LabelledText::new(
                t(summary, "label.generated_at"),
                summary.generated_at.clone(),
            ),
            LabelledText::new(
                t(summary, "label.input_files"),
                t_with(
                    summary,
                    "label.input_files_text",
                    &[
                        ("files", &summary.inputs.len().to_string()),
                        (
                            "bytes",
                            &format::thousands(summary.inputs.iter().map(|i| i.bytes).sum()),
                        ),
                    ],
                ),
            ),
            LabelledText::new(
                t(summary, "label.check_tool"),
                "sandbox-report verify BUNDLE".to_string(),
            ),
            LabelledText::new(
                t(summary, "label.check_hand"),
                t(summary, "label.check_hand_text"),
            ),
        ],
    });
    section
}

/// The free-form `system` description as labelled lines of text.
fn system_rows(summary: &Summary) -> Vec<LabelledText> {
    let serde_json::Value::Object(map) = &summary.submission.system else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (key, value) in map {
        match value {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let label = if items.len() > 1 {
                        format!("{} {}", word(summary, key), i + 1)
                    } else {
                        word(summary, key)
                    };
                    rows.push(LabelledText::new(label, inline_text(summary, item)));
                }
            }
            other => rows.push(LabelledText::new(
                word(summary, key),
                inline_text(summary, other),
            )),
        }
    }
    rows
}

/// A value of the system description on one line; keys the message catalogue knows
/// (`name`, `provider`, …) in the report's language.
fn inline_text(summary: &Summary, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let key = crate::messages::term(summary.settings.language, k)
                    .unwrap_or_else(|| k.replace('_', " "));
                format!("{key}: {}", inline_text(summary, v))
            })
            .collect::<Vec<_>>()
            .join("; "),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| inline_text(summary, v))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}
