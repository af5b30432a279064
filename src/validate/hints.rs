//! Advice for values that cannot be read: the `values` mapping that would read them, with a
//! guess at the canonical value where the word makes it clear (`Genuine` → `false` for a label).

use crate::suggest;

/// Words that mean "positive" (fraud, attack) in a `label` or `decision` column.
const POSITIVE: &[&str] = &[
    "fraud",
    "fraudulent",
    "attack",
    "spoof",
    "fake",
    "deepfake",
    "positive",
    "flagged",
    "flag",
    "alert",
    "alerted",
    "suspicious",
    "blocked",
    "declined",
    "rejected",
    "confirmed",
    "t",
];
/// Words that mean "negative" (genuine) in a `label` or `decision` column.
const NEGATIVE: &[&str] = &[
    "genuine",
    "legit",
    "legitimate",
    "bona_fide",
    "bonafide",
    "bona fide",
    "real",
    "negative",
    "clean",
    "normal",
    "ok",
    "passed",
    "approved",
    "allowed",
    "not_fraud",
    "nonfraud",
    "f",
];

/// Which advice a check gives for the value it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// A boolean column: the `values` mapping, with a guess.
    Boolean,
    /// A column of allowed words: the `values` mapping to the closest word.
    Word(&'static [&'static str]),
    /// A ratio KPI written as a percentage.
    Percent,
    /// A KPI's metric id: the closest id.
    MetricId,
    /// A local timestamp in a config without `timezone`.
    Timezone,
    /// An `attack_type` on a row labelled genuine: the mapping to `bona_fide`.
    BonaFide,
}

impl Hint {
    /// The advice for `found` in canonical column `canonical`.
    pub fn advise(self, canonical: &str, found: &str) -> Option<String> {
        match self {
            Hint::Boolean => Some(boolean(canonical, found)),
            Hint::Word(allowed) => Some(word(allowed, canonical, found)),
            Hint::Percent => percent(found),
            Hint::BonaFide => Some(bona_fide(found)),
            Hint::Timezone => Some(
                "set `timezone:` at the top of the config to the zone the system logs in, e.g. timezone: Asia/Hong_Kong (or timezone: UTC if it logs in UTC)".into(),
            ),
            Hint::MetricId => suggest::closest(found.trim(), crate::metrics::catalogue::ids(), 1)
                .first()
                .map(|id| format!("did you mean {id}?")),
        }
    }
}

/// How exports spell "no attack" in a presentation-attack column.
const NO_ATTACK: &[&str] = &[
    "none",
    "genuine",
    "live",
    "real",
    "bonafide",
    "bona fide",
    "bona-fide",
    "n/a",
    "na",
    "no_attack",
    "no attack",
];

/// The `values` mapping that reads `found` as a genuine attempt, naming the usual spellings.
fn bona_fide(found: &str) -> String {
    let mapping = format!("values: {{ attack_type: {{ \"{found}\": bona_fide }} }}");
    let usual = "the usual spellings of no attack are none, genuine, live, real, bonafide, bona fide, n/a and an empty cell";
    if NO_ATTACK.contains(&found.trim().to_lowercase().as_str()) {
        format!(
            "\"{found}\" reads as no attack: map it under the stream's values, {mapping} ({usual}; an empty attack_type belongs to no species, so fill it with bona_fide)"
        )
    } else {
        format!(
            "if \"{found}\" marks genuine attempts, map it under the stream's values, {mapping}; if these rows are attacks, correct their label ({usual})"
        )
    }
}

/// `write 0.85 for 85%` for a ratio given as a percentage.
fn percent(found: &str) -> Option<String> {
    let value: f64 = found.trim().trim_end_matches('%').trim().parse().ok()?;
    crate::config::out_of_bounds("", value, (0.0, 1.0)).and_then(|(_, hint)| hint)
}

/// `map it with values: { label: { Genuine: false } }` for a boolean column.
fn boolean(canonical: &str, found: &str) -> String {
    let word = found.trim().to_lowercase();
    let guess = match canonical {
        "label" | "decision" if POSITIVE.contains(&word.as_str()) => "true",
        "label" | "decision" if NEGATIVE.contains(&word.as_str()) => "false",
        _ => "true or false",
    };
    mapping(canonical, found, guess)
}

/// `map it with values: { outcome: { Closed: resolved } }` for a column of allowed words.
fn word(allowed: &[&str], canonical: &str, found: &str) -> String {
    let closest = suggest::closest(found.trim(), allowed.iter().copied(), 1);
    let guess = match closest.first() {
        Some(word) => word.to_string(),
        None => format!("one of {}", allowed.join(", ")),
    };
    mapping(canonical, found, &guess)
}

fn mapping(canonical: &str, found: &str, guess: &str) -> String {
    format!(
        "if {found:?} is your system's word for it, map it with values: {{ {canonical}: {{ {}: {guess} }} }}",
        yaml_key(found.trim())
    )
}

/// The value as a YAML key: bare when that reads back as the same text, else quoted.
fn yaml_key(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.'))
        && !text.starts_with(['-', ' ', '.'])
        && !matches!(
            text.to_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "y" | "n" | "on" | "off" | "null" | "~"
        )
        && text.parse::<f64>().is_err();
    if plain {
        text.to_string()
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_suggested_with_a_guess() {
        let advise = |hint: Hint, column: &str, found: &str| hint.advise(column, found).unwrap();
        assert_eq!(
            advise(Hint::Boolean, "label", "Genuine"),
            "if \"Genuine\" is your system's word for it, map it with values: { label: { Genuine: false } }"
        );
        assert!(advise(Hint::Boolean, "label", "FRAUD").ends_with("{ FRAUD: true } }"));
        assert!(
            advise(Hint::Boolean, "hallucination", "maybe").ends_with("{ maybe: true or false } }")
        );
        let outcome = Hint::Word(&["resolved", "escalated", "abandoned"]);
        assert!(
            advise(outcome, "outcome", "Resolved ")
                .ends_with("{ outcome: { Resolved: resolved } }")
        );
        assert!(
            advise(outcome, "outcome", "closed")
                .ends_with("{ closed: one of resolved, escalated, abandoned } }")
        );
        assert!(advise(Hint::Boolean, "label", "1.5").contains("{ \"1.5\": true or false }"));
        assert_eq!(
            advise(Hint::Percent, "value", "85"),
            "ratios are written as fractions: write 0.85 for 85%"
        );
        assert_eq!(Hint::Percent.advise("value", "-3000"), None);
    }
}
