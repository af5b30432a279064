//! Regulatory traceability: the requirements of the HKMA's AI principles and circulars, the
//! GenA.I. Sandbox's recommended practices and the EU AI Act's sandbox obligations
//! (`requirements.yaml`), each mapped to the evidence a submission holds, with a computed
//! status (`evidenced`, `declared`, `gap`, `not_applicable`). Runs on the summary after the
//! metrics and criteria, before the report is rendered.

pub mod catalogue;
mod evaluate;
mod rules;

pub use evaluate::evaluate;

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
        rules::what_would_evidence(r).trim_start_matches("nothing shows it; any of these would: "),
    );
    text.push('\n');
    Some(text)
}

#[cfg(test)]
mod tests;
