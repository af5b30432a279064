//! `sandbox-report explain`: the metric catalogue and the finding codes for people. The same
//! text makes docs/metrics.md (`explain --markdown`) and the finding-code table of
//! docs/exit-codes.md (`explain --codes-markdown`), so the docs cannot drift from the code.

use std::fmt::Write;

use crate::args::ExplainArgs;
use crate::codes::{self, Code};
use crate::error::{Error, Outcome, Result};
use crate::metrics::catalogue::{self, MetricDef};
use crate::schema::Language;

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    if args.markdown {
        crate::out!("{}", catalogue_markdown());
    } else if args.codes_markdown {
        crate::out!("{}", codes::markdown_table());
    } else if args.list {
        let language = args.language.into();
        for m in catalogue::all() {
            crate::outln!("{:<42} {}", m.id, m.title_in(language));
        }
        for c in Code::ALL {
            crate::outln!(
                "{:<42} finding code ({})",
                c.as_str(),
                c.severity().as_str()
            );
        }
    } else if let Some(text) = args.metric.as_deref().and_then(topic) {
        crate::out!("{text}");
    } else if let Some(code) = args.metric.as_deref().and_then(Code::from_id) {
        crate::out!("{}", codes::explain(code));
    } else if let Some(text) = args
        .metric
        .as_deref()
        .and_then(crate::traceability::explain)
    {
        crate::out!("{text}");
    } else if let Some(id) = &args.metric {
        let def = catalogue::find(id).ok_or_else(|| Error::UnknownId {
            id: id.clone(),
            suggestion: crate::suggest::did_you_mean(
                id,
                catalogue::ids()
                    .chain(Code::ALL.iter().map(|c| c.as_str()))
                    .chain(crate::traceability::catalogue::ids()),
            ),
        })?;
        crate::out!("{}", explain(def, args.language.into()));
    }
    Ok(Outcome::Success)
}

/// The reference pages a user of the binary has offline: `explain config`, and so on.
const TOPICS: &[(&str, &str)] = &[
    ("config", include_str!("../../docs/config.md")),
    ("input", include_str!("../../docs/input-schemas.md")),
    ("exit-codes", include_str!("../../docs/exit-codes.md")),
    ("outputs", include_str!("../../docs/outputs.md")),
    ("cohort", include_str!("../../docs/cohort.md")),
];

/// The text of a reference topic, when `name` is one.
fn topic(name: &str) -> Option<&'static str> {
    TOPICS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The plain-text explanation of one metric, its title and definition in `language`.
pub fn explain(m: &MetricDef, language: Language) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} — {}", m.id, m.title_in(language));
    let _ = writeln!(s, "definition: {}", m.definition_in(language));
    let _ = writeln!(s, "formula:    {}", m.formula);
    let _ = writeln!(s, "inputs:     {}", m.inputs.join(", "));
    let _ = writeln!(s, "streams:    {}", kinds(m));
    let _ = writeln!(s, "unit:       {}", m.unit.label(None));
    let _ = writeln!(s, "interval:   {}", m.interval.describe());
    let _ = writeln!(s, "reported:   {}", reported(m));
    s
}

fn kinds(m: &MetricDef) -> String {
    m.kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn reported(m: &MetricDef) -> String {
    let mut parts = Vec::new();
    if m.family() == "fairness" {
        parts.push("per segment attribute listed in `segments` (segment {attribute})".to_string());
    } else if m.overall {
        parts.push("for the whole stream".to_string());
    }
    for g in &m.groups {
        parts.push(format!("per {g}"));
    }
    if m.per_segment {
        parts.push("per group of every attribute in `segments`".into());
    }
    if m.series {
        parts.push("weekly series".into());
    }
    if m.has_delta() {
        parts.push("per arm with a delta in A/B trials".into());
    } else {
        parts.push("per arm in A/B trials".into());
    }
    parts.join("; ")
}

/// docs/metrics.md: every metric, grouped by family.
pub fn catalogue_markdown() -> String {
    let mut s = String::from(METRICS_INTRO);
    let mut family = "";
    for m in catalogue::all() {
        if m.family() != family {
            family = m.family();
            let _ = write!(s, "\n## {family}\n");
        }
        let _ = write!(
            s,
            "\n### `{}`: {}\n\n{}\n\n| | |\n| --- | --- |\n| formula | {} |\n| inputs | {} |\n| streams | {} |\n| unit | {} |\n| interval | {} |\n| reported | {} |\n",
            m.id,
            m.title,
            m.definition,
            m.formula.replace('|', "\\|"),
            m.inputs
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", "),
            kinds(m),
            m.unit.label(None),
            m.interval.describe(),
            reported(m),
        );
    }
    s
}

const METRICS_INTRO: &str = r#"# Metrics

Generated by `sandbox-report explain --markdown` from the metric catalogue
(`src/metrics/catalogue.yaml`); do not edit by hand. `sandbox-report explain METRIC_ID` prints
the same text for one metric.

## Rules that apply to every metric

- **Population.** Every metric is computed per stream over the events inside the reporting
  period (whole days in the config's timezone), leaving out rows with errors. "Labelled"
  means `label` is not empty.
- **Availability.** A metric whose input columns a stream does not have is not listed. A
  metric whose denominator is 0 has value `null` (printed `n/a`) and is still listed.
- **Ratios** are numerator / denominator; `summary.json` carries both.
- **Wilson score interval** (95%, z = 1.959963984540054) for ratios with an interval: with
  p = x/n, centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n);
  the interval is centre ± half-width (clipped to [0, 1]).
- **Arms.** In streams with an `arm` column every metric is reported for `ai` and for
  `baseline`, and every ratio also as `delta` = ai − baseline, with **Newcombe's hybrid score
  interval**: with (l₁, u₁) and (l₂, u₂) the Wilson intervals of p₁ (ai) and p₂ (baseline),
  low = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²), high = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²).
- **Quantiles** (latency, review time) use linear interpolation between closest ranks: the
  value at position q·(n − 1) of the sorted values (numpy's default).
- **Groups.** Metrics "per segment" are also reported for each group of every attribute in
  the config's `segments`, with `segment: {attribute, value}`; rows with an empty segment value
  form no group. Some metrics have built-in groupings (`attack_type`, `attack_category`,
  `incident_type`, `incident_severity`).
- **Fairness** measures compare the groups of one segment attribute (`segment: {attribute}`);
  a group takes part only with at least `fairness.min_group_size` events (for equalized odds:
  labelled events with both classes present); groups left out are named in a warning.
- **Series.** Metrics marked "weekly series" also get one value per ISO week (Monday start, in
  the config's timezone), one series per arm in A/B trials; a week's value is `null` when its
  denominator is 0.
"#;
