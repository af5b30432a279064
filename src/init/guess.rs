//! The guesses of `init`: which canonical column a bank's column is, which kind of stream a
//! set of columns makes, which bank values mean `true` and `false` (or a canonical word), and
//! which columns are segments. Every guess carries its reason, for `init` to print.

use std::collections::BTreeMap;

use super::sample::ColumnSample;
use crate::schema::{self, ColumnType, Presence, StreamKind};

/// Other names exports give the canonical columns (compared after [`normalise`]).
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "event_id",
        &[
            "id",
            "event",
            "eventid",
            "txn_id",
            "txn_ref",
            "transaction_id",
            "transaction_ref",
            "reference",
            "ref",
            "session_id",
            "conversation_id",
            "chat_id",
            "attempt_id",
            "check_id",
            "case_id",
            "alert_id",
            "request_id",
            "record_id",
            "interaction_id",
        ],
    ),
    (
        "timestamp",
        &[
            "time",
            "ts",
            "datetime",
            "date_time",
            "created_at",
            "created",
            "event_time",
            "txn_time",
            "transaction_time",
            "occurred_at",
            "started_at",
            "start_time",
            "logged_at",
            "time_stamp",
            "event_timestamp",
        ],
    ),
    (
        "model_version",
        &["model", "model_ver", "version", "model_name"],
    ),
    (
        "arm",
        &["variant", "treatment", "experiment_arm", "trial_arm"],
    ),
    (
        "human_reviewed",
        &[
            "reviewed",
            "analyst_reviewed",
            "manual_review",
            "human_review",
            "reviewed_by_human",
        ],
    ),
    (
        "human_override",
        &[
            "override",
            "overridden",
            "analyst_override",
            "analyst_overrode",
            "human_overrode",
            "overruled",
        ],
    ),
    (
        "review_seconds",
        &[
            "review_secs",
            "review_sec",
            "review_time",
            "review_time_s",
            "review_duration",
            "review_duration_s",
        ],
    ),
    ("incident_type", &["incident"]),
    ("incident_severity", &["severity"]),
    (
        "decision",
        &[
            "alert",
            "alert_flag",
            "flagged",
            "flag",
            "prediction",
            "predicted",
            "predicted_label",
            "alerted",
            "model_decision",
            "ai_decision",
            "blocked",
        ],
    ),
    (
        "label",
        &[
            "is_fraud",
            "fraud_flag",
            "confirmed_fraud",
            "fraud",
            "ground_truth",
            "actual",
            "target",
            "truth",
            "is_attack",
            "true_label",
            "fraud_confirmed",
        ],
    ),
    (
        "score",
        &[
            "model_score",
            "risk_score",
            "probability",
            "prob",
            "fraud_score",
            "confidence",
            "liveness_score",
            "spoof_score",
        ],
    ),
    (
        "attack_type",
        &[
            "attack",
            "spoof_type",
            "presentation_attack",
            "pad_type",
            "attack_species",
            "pai_species",
        ],
    ),
    ("amount", &["amt", "txn_amount", "transaction_amount"]),
    (
        "outcome",
        &["resolution", "result", "end_state", "session_outcome"],
    ),
    (
        "latency_ms",
        &[
            "latency",
            "response_ms",
            "response_time_ms",
            "latency_millis",
        ],
    ),
    ("input_tokens", &["prompt_tokens", "tokens_in"]),
    ("output_tokens", &["completion_tokens", "tokens_out"]),
    ("cost", &["price", "spend"]),
    (
        "hallucination",
        &["hallucinated", "has_hallucination", "unsupported_claim"],
    ),
    (
        "csat",
        &[
            "csat_score",
            "satisfaction",
            "customer_satisfaction",
            "rating",
        ],
    ),
    ("hallucination_kind", &["hallucination_type"]),
    ("evaluator", &["judge", "evaluated_by", "grader"]),
    ("ai_disclosed", &["disclosed", "ai_disclosure"]),
    ("opt_out_offered", &["opt_out"]),
    (
        "human_requested",
        &["asked_for_human", "agent_requested", "requested_human"],
    ),
    (
        "human_provided",
        &[
            "handed_over",
            "human_handover",
            "agent_provided",
            "transferred_to_human",
        ],
    ),
    (
        "attack_category",
        &[
            "category",
            "attack_class",
            "technique",
            "owasp_category",
            "attack_kind",
        ],
    ),
    (
        "benign",
        &["is_benign", "control", "is_control", "benign_control"],
    ),
    (
        "attack_success",
        &[
            "success",
            "succeeded",
            "jailbroken",
            "attack_succeeded",
            "bypassed",
            "breached",
        ],
    ),
    ("refused", &["refusal", "was_refused", "declined"]),
    ("metric", &["metric_id", "kpi", "kpi_id", "measure"]),
    ("value", &["kpi_value", "reported_value", "metric_value"]),
    ("stream", &["stream_name"]),
    ("period_start", &["start_date", "period_from", "from_date"]),
    ("period_end", &["end_date", "period_to", "to_date"]),
    ("unit", &["units"]),
    ("segment_attribute", &["dimension"]),
    ("segment_value", &["dimension_value"]),
];

/// Prefixes that say whose value a column is, not what it is (`cust_age_band`).
const PREFIXES: &[&str] = &[
    "cust_",
    "customer_",
    "client_",
    "txn_",
    "is_",
    "has_",
    "was_",
];

/// Currency suffixes (`amount_hkd`).
const SUFFIXES: &[&str] = &[
    "_hkd", "_usd", "_cny", "_rmb", "_eur", "_gbp", "_sgd", "_jpy",
];

/// A column name in lower snake case: `TxnTime`, `txn-time` and `Txn Time` are `txn_time`.
pub fn normalise(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.trim().chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_alphanumeric() {
            out.push(c);
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out.trim_matches('_').to_string()
}

/// The currency a column's name ends with (`amount_hkd` → `HKD`).
pub fn currency_of(bank: &str) -> Option<String> {
    let normal = normalise(bank);
    SUFFIXES
        .iter()
        .find(|s| normal.ends_with(*s))
        .map(|s| s.trim_start_matches('_').to_ascii_uppercase())
        .map(|c| if c == "RMB" { "CNY".to_string() } else { c })
}

/// The name without a prefix of [`PREFIXES`] or a suffix of [`SUFFIXES`], when it has one.
pub fn stripped(normal: &str) -> Option<String> {
    for p in PREFIXES {
        if let Some(rest) = normal.strip_prefix(p).filter(|r| !r.is_empty()) {
            return Some(rest.to_string());
        }
    }
    for s in SUFFIXES {
        if let Some(rest) = normal.strip_suffix(s).filter(|r| !r.is_empty()) {
            return Some(rest.to_string());
        }
    }
    None
}

/// How a bank column was matched to a canonical one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// The same name.
    Exact,
    /// The same name but for case and separators.
    Spelling,
    /// A name exports often use for it.
    Synonym,
    /// One of those names with a prefix (`cust_`, `is_`) or a currency suffix (`_hkd`).
    Affix,
}

impl Match {
    pub fn reason(self) -> &'static str {
        match self {
            Match::Exact => "same name",
            Match::Spelling => "same name but for case or separators",
            Match::Synonym => "a usual name for it",
            Match::Affix => "a usual name for it, with a prefix or currency suffix",
        }
    }
}

/// The canonical column `normal` names, and how.
fn canonical_of(normal: &str, canonical: &[&str]) -> Option<(String, Match)> {
    if canonical.contains(&normal) {
        return Some((normal.to_string(), Match::Spelling));
    }
    for (name, synonyms) in SYNONYMS {
        if canonical.contains(name) && synonyms.contains(&normal) {
            return Some((name.to_string(), Match::Synonym));
        }
    }
    None
}

/// A `columns` mapping: canonical name → (the bank's column, how it was matched).
pub type Mapping = BTreeMap<String, (String, Match)>;

/// The proposed `columns` mapping of `header` for `kind`: canonical → (bank column, how).
pub fn map_columns(header: &[String], kind: StreamKind) -> Mapping {
    let specs = schema::columns(kind);
    let canonical: Vec<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    let mut candidates: Vec<(Match, usize, String, String)> = Vec::new();
    for (position, bank) in header.iter().enumerate() {
        if canonical.contains(&bank.as_str()) {
            candidates.push((Match::Exact, position, bank.clone(), bank.clone()));
            continue;
        }
        let normal = normalise(bank);
        let found = canonical_of(&normal, &canonical).or_else(|| {
            let bare = stripped(&normal)?;
            canonical_of(&bare, &canonical).map(|(name, _)| (name, Match::Affix))
        });
        if let Some((name, how)) = found {
            candidates.push((how, position, name, bank.clone()));
        }
    }
    // The best match of each canonical column wins; a bank column is used once.
    candidates.sort();
    let mut mapping = BTreeMap::new();
    let mut used = Vec::new();
    for (how, _, name, bank) in candidates {
        if mapping.contains_key(&name) || used.contains(&bank) {
            continue;
        }
        used.push(bank.clone());
        mapping.insert(name, (bank, how));
    }
    mapping
}

/// The kind a header makes, with the columns that decided it, or `None` when it holds the
/// required columns of no kind.
pub fn kind_of(header: &[String]) -> Option<(StreamKind, Mapping)> {
    let mut best: Option<(usize, usize, StreamKind, Mapping)> = None;
    for kind in [
        StreamKind::Detection,
        StreamKind::Assistant,
        StreamKind::Redteam,
        StreamKind::Kpis,
    ] {
        let mapping = map_columns(header, kind);
        let specs = schema::columns(kind);
        let required: Vec<&str> = specs
            .iter()
            .filter(|s| {
                matches!(
                    s.presence,
                    Presence::Required | Presence::RequiredUnlessBenign
                )
            })
            .map(|s| s.name.as_ref())
            .collect();
        if !required.iter().all(|r| mapping.contains_key(*r)) {
            continue;
        }
        // The kind whose own columns are most present wins (common columns count for all).
        let score = mapping.len();
        let own = required.len();
        if best.as_ref().is_none_or(|b| (score, own) > (b.0, b.1)) {
            best = Some((score, own, kind, mapping));
        }
    }
    best.map(|(_, _, kind, mapping)| (kind, mapping))
}

/// Bank values that mean `true` in a yes/no column (upper case).
const TRUE_MEANING: &[&str] = &[
    "FRAUD",
    "FRAUDULENT",
    "CONFIRMED",
    "CONFIRMED_FRAUD",
    "FRAUD_CONFIRMED",
    "POSITIVE",
    "ALERT",
    "ALERTED",
    "FLAGGED",
    "FLAG",
    "SPOOF",
    "ATTACK",
    "FAKE",
    "DEEPFAKE",
    "SUCCESS",
    "SUCCEEDED",
    "BYPASSED",
    "BREACHED",
    "JAILBROKEN",
    "REFUSED",
    "REFUSAL",
    "DECLINED",
    "BLOCKED",
    "REJECT",
    "REJECTED",
    "DENIED",
    "HALLUCINATED",
    "HALLUCINATION",
    "REVIEWED",
    "OVERRIDDEN",
    "OVERRIDE",
    "T",
    "TRUE",
    "YES",
    "Y",
    "1",
    "X",
    "BENIGN",
    "CONTROL",
];

/// Bank values that mean `false` (upper case).
const FALSE_MEANING: &[&str] = &[
    "GENUINE",
    "LEGIT",
    "LEGITIMATE",
    "NORMAL",
    "CLEAN",
    "NEGATIVE",
    "BONA_FIDE",
    "BONAFIDE",
    "LIVE",
    "REAL",
    "NONE",
    "OK",
    "PASS",
    "PASSED",
    "APPROVE",
    "APPROVED",
    "ACCEPT",
    "ACCEPTED",
    "ALLOWED",
    "FAILED",
    "FAIL",
    "BLOCKED_ATTACK",
    "NOT_REVIEWED",
    "ANSWERED",
    "F",
    "FALSE",
    "NO",
    "N",
    "0",
    "NOT_FRAUD",
    "NON_FRAUD",
    "NO_FRAUD",
    "ATTACK_PROMPT",
];

/// Canonical words the usual export spellings of enum columns stand for (lower case).
const WORDS: &[(&str, &str)] = &[
    ("closed", "resolved"),
    ("solved", "resolved"),
    ("completed", "resolved"),
    ("contained", "resolved"),
    ("handed_over", "escalated"),
    ("handover", "escalated"),
    ("transferred", "escalated"),
    ("to_agent", "escalated"),
    ("escalation", "escalated"),
    ("dropped", "abandoned"),
    ("timeout", "abandoned"),
    ("timed_out", "abandoned"),
    ("left", "abandoned"),
    ("model", "ai"),
    ("treatment", "ai"),
    ("challenger", "ai"),
    ("genai", "ai"),
    ("control", "baseline"),
    ("incumbent", "baseline"),
    ("champion", "baseline"),
    ("rules", "baseline"),
    ("legacy", "baseline"),
    ("manual", "baseline"),
    ("sev1", "critical"),
    ("sev2", "high"),
    ("sev3", "medium"),
    ("sev4", "low"),
    ("p1", "critical"),
    ("p2", "high"),
    ("p3", "medium"),
    ("p4", "low"),
    ("med", "medium"),
    ("crit", "critical"),
    ("llm", "llm_judge"),
    ("model_judge", "llm_judge"),
    ("auto", "rule"),
    ("automatic", "rule"),
];

/// A proposed `values` mapping of one column: bank value → canonical value, each with whether
/// it is a guess the user must check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueMap {
    pub entries: Vec<(String, String)>,
    /// What is left for the user to decide, when something is.
    pub todo: Option<String>,
}

/// The `values` mapping column `canonical` of type `ty` needs for the values sampled, or
/// `None` when they read as they are.
pub fn value_map(canonical: &str, ty: ColumnType, seen: &ColumnSample) -> Option<ValueMap> {
    if seen.filled == 0 || seen.many() {
        return None;
    }
    match ty {
        ColumnType::Bool => boolean_map(seen),
        ColumnType::Enum(words) => enum_map(canonical, words, seen),
        _ => None,
    }
}

fn boolean_map(seen: &ColumnSample) -> Option<ValueMap> {
    if seen.all(seen.booleans) {
        return None;
    }
    let upper = |v: &str| normalise(v).to_ascii_uppercase();
    let mut entries = Vec::new();
    let mut undecided = Vec::new();
    for value in &seen.distinct {
        let key = upper(value);
        if TRUE_MEANING.contains(&key.as_str()) {
            entries.push((value.clone(), "true".to_string()));
        } else if FALSE_MEANING.contains(&key.as_str()) {
            entries.push((value.clone(), "false".to_string()));
        } else {
            undecided.push(value.clone());
        }
    }
    // Two values, one of them known: the other is the opposite.
    if undecided.len() == 1 && entries.len() == 1 {
        let other = if entries[0].1 == "true" {
            "false"
        } else {
            "true"
        };
        entries.push((undecided.remove(0), other.to_string()));
    }
    let todo = if undecided.is_empty() {
        None
    } else {
        // Left TODO, so that validate refuses the config until someone decides.
        for value in &undecided {
            entries.push((value.clone(), "TODO".to_string()));
        }
        Some(format!(
            "write true or false for {}: their meaning could not be told",
            undecided.join(", ")
        ))
    };
    entries.sort();
    Some(ValueMap { entries, todo })
}

fn enum_map(canonical: &str, words: &[&str], seen: &ColumnSample) -> Option<ValueMap> {
    let mut entries = Vec::new();
    let mut unknown = Vec::new();
    for value in &seen.distinct {
        let lower = value.to_lowercase();
        if words.contains(&lower.as_str()) {
            continue;
        }
        let normal = normalise(value);
        let word = WORDS
            .iter()
            .find(|(from, to)| normal == *from && words.contains(to))
            .map(|(_, to)| *to)
            .or_else(|| words.iter().find(|w| normal == **w).copied());
        match word {
            Some(word) => entries.push((value.clone(), word.to_string())),
            None => unknown.push(value.clone()),
        }
    }
    if entries.is_empty() && unknown.is_empty() {
        return None;
    }
    let todo = (!unknown.is_empty()).then(|| {
        format!(
            "map {} to one of {} (column {canonical})",
            unknown.join(", "),
            words.join(", ")
        )
    });
    for value in unknown {
        entries.push((value, "TODO".to_string()));
    }
    Some(ValueMap { entries, todo })
}

/// Whether a column left unmapped looks like a segment: text with a few repeated values.
pub fn is_segment(seen: &ColumnSample, rows: u64) -> bool {
    let groups = seen.distinct.len() as u64;
    !seen.many()
        && (2..=20).contains(&groups)
        && seen.filled * 2 >= rows
        && seen.filled >= groups * 3
        && !seen.all(seen.booleans)
        && !seen.all(seen.timestamps)
        && !(seen.all(seen.numbers) && groups > 5)
        // Months and quarters (`2025-07`, a partition folder's `month=2025-07`) are periods.
        && !seen.distinct.iter().all(|v| {
            v.contains('-') && v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == 'Q')
        })
}

/// The name a segment column is given in the config: the bank's name without a prefix that
/// only says whose it is (`cust_age_band` → `age_band`).
pub fn segment_name(bank: &str) -> String {
    let normal = normalise(bank);
    match normal
        .strip_prefix("cust_")
        .or_else(|| normal.strip_prefix("customer_"))
        .or_else(|| normal.strip_prefix("client_"))
    {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn seen(values: &[&str]) -> ColumnSample {
        let mut column = ColumnSample::default();
        for v in values {
            column.filled += 1;
            column.distinct.insert(v.to_string());
            if super::super::sample::is_boolean(v) {
                column.booleans += 1;
            }
        }
        column
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalise("TxnTime"), "txn_time");
        assert_eq!(normalise(" Txn Time "), "txn_time");
        assert_eq!(normalise("txn-time"), "txn_time");
        assert_eq!(normalise("eventID"), "event_id");
    }

    #[test]
    fn a_card_fraud_export_is_a_detection_stream() {
        let (kind, mapping) = kind_of(&header(&[
            "txn_ref",
            "txn_time",
            "model_ver",
            "alert_flag",
            "confirmed_fraud",
            "risk_score",
            "amount_hkd",
            "cust_age_band",
            "channel",
            "analyst_reviewed",
        ]))
        .unwrap();
        assert_eq!(kind, StreamKind::Detection);
        let bank = |c: &str| mapping.get(c).map(|(b, _)| b.as_str());
        assert_eq!(bank("event_id"), Some("txn_ref"));
        assert_eq!(bank("timestamp"), Some("txn_time"));
        assert_eq!(bank("decision"), Some("alert_flag"));
        assert_eq!(bank("label"), Some("confirmed_fraud"));
        assert_eq!(bank("score"), Some("risk_score"));
        assert_eq!(bank("amount"), Some("amount_hkd"));
        assert_eq!(bank("human_reviewed"), Some("analyst_reviewed"));
        assert_eq!(mapping.len(), 8);
    }

    #[test]
    fn headers_of_other_kinds_are_told_apart() {
        let kind = |h: &[&str]| kind_of(&header(h)).map(|(k, _)| k);
        assert_eq!(kind(&["metric", "value", "unit"]), Some(StreamKind::Kpis));
        assert_eq!(
            kind(&["event_id", "timestamp", "outcome", "latency_ms"]),
            Some(StreamKind::Assistant)
        );
        assert_eq!(
            kind(&["id", "created_at", "category", "success", "is_benign"]),
            Some(StreamKind::Redteam)
        );
        assert_eq!(kind(&["name", "city", "population"]), None);
    }

    #[test]
    fn yes_no_words_are_mapped_and_unknown_ones_left_to_check() {
        let map = value_map("label", ColumnType::Bool, &seen(&["FRAUD", "GENUINE"])).unwrap();
        assert_eq!(
            map.entries,
            vec![
                ("FRAUD".into(), "true".into()),
                ("GENUINE".into(), "false".into())
            ]
        );
        assert_eq!(map.todo, None);
        let map = value_map("label", ColumnType::Bool, &seen(&["Fraud", "Legit"])).unwrap();
        assert_eq!(map.todo, None);
        assert_eq!(
            value_map("decision", ColumnType::Bool, &seen(&["Y", "N"])),
            None
        );
        let map = value_map("label", ColumnType::Bool, &seen(&["A", "B"])).unwrap();
        assert!(map.todo.unwrap().contains("A, B"));
        assert!(
            map.entries.iter().all(|(_, to)| to == "TODO"),
            "{:?}",
            map.entries
        );
    }

    #[test]
    fn enum_spellings_are_mapped() {
        let outcome = schema::columns(StreamKind::Assistant)
            .into_iter()
            .find(|c| c.name == "outcome")
            .unwrap();
        let map = value_map(
            "outcome",
            outcome.ty,
            &seen(&["closed", "handed_over", "Resolved", "??"]),
        )
        .unwrap();
        let expected = [
            ("closed", "resolved"),
            ("handed_over", "escalated"),
            ("??", "TODO"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(map.entries, expected);
        assert!(map.todo.unwrap().contains("??"));
    }

    #[test]
    fn segment_names_lose_the_customer_prefix() {
        assert_eq!(segment_name("cust_age_band"), "age_band");
        assert_eq!(segment_name("Channel"), "channel");
    }
}
