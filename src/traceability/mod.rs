//! Regulatory traceability: the requirements of the HKMA's AI principles and circulars, the
//! GenA.I. Sandbox's recommended practices and the EU AI Act's sandbox obligations
//! (`requirements.yaml`), each mapped to the evidence a submission holds, with a computed
//! status (`evidenced`, `declared`, `gap`, `not_applicable`). Runs on the summary after the
//! metrics and criteria, before the report is rendered.

pub mod catalogue;
mod evaluate;
mod rules;

pub use evaluate::{evaluate, reasons};

use std::collections::BTreeSet;

use crate::model::{Code, Finding, Summary};
use crate::schema::{BONA_FIDE, Language, StreamKind};

/// One `attack_species_unknown` warning per detection stream and species of its data
/// (`attack_type`) that the vocabulary does not know, listing the species it knows.
pub fn species_findings(summary: &Summary) -> Vec<Finding> {
    let unknown: BTreeSet<(&str, &str)> = summary
        .metrics
        .iter()
        .filter(|m| m.id == "detection.apcer" && m.denominator.unwrap_or(0.0) > 0.0)
        .filter_map(|m| {
            let value = m.segment.as_ref()?.value.as_deref()?;
            (value != BONA_FIDE
                && catalogue::attack_category(value, StreamKind::Detection).is_none())
            .then_some((m.stream.as_str(), value))
        })
        .collect();
    let known: Vec<String> = catalogue::attack_categories_of(StreamKind::Detection)
        .map(|c| format!("{} ({})", c.aliases.join(", "), c.id))
        .collect();
    unknown
        .into_iter()
        .map(|(stream, species)| {
            let closest = crate::suggest::closest(
                species,
                catalogue::attack_categories_of(StreamKind::Detection)
                    .flat_map(|c| c.aliases.iter().map(String::as_str)),
                1,
            );
            let mut finding = Finding::new(
                Code::AttackSpeciesUnknown,
                format!(
                    "attack_type \"{species}\" is no species of the vocabulary, so its attempts evidence no deepfake category; the species known are {}",
                    known.join("; ")
                ),
            )
            .in_stream(stream.to_string())
            .in_column(Some("attack_type".to_string()));
            finding.hint = Some(match closest.first() {
                Some(name) => format!(
                    "if \"{species}\" is {name}, map it under the stream's values: values: {{ attack_type: {{ \"{species}\": {name} }} }}"
                ),
                None => format!(
                    "map \"{species}\" to one of the species known under the stream's values, e.g. values: {{ attack_type: {{ \"{species}\": face_swap }} }}"
                ),
            });
            finding
        })
        .collect()
}

/// The plain-text explanation of one requirement, for `explain REQUIREMENT_ID`.
pub fn explain(id: &str) -> Option<String> {
    let (f, r) = catalogue::find(id)?;
    let mut text = format!(
        "{} — {}\nframework: {} ({}, {}; {})\nsource:    {}\nstatement: {}\nshown by:  {}\n",
        r.id,
        r.title,
        f.title,
        f.date,
        f.level.as_str(),
        f.source,
        r.source,
        r.statement,
        match r.mode {
            catalogue::Mode::Logs => "the trial data, or failing that a declaration",
            catalogue::Mode::Narrative => "a declaration in the config or narrative",
        },
    );
    text.push_str("evidence:  ");
    text.push_str(
        rules::what_would_evidence(r, Language::En)
            .trim_start_matches("nothing shows it; any of these would: "),
    );
    text.push('\n');
    Some(text)
}

#[cfg(test)]
mod tests;
