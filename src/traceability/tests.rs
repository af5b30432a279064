//! The requirements catalogue is consistent: unique ids, and every rule names a metric,
//! stream kind, attack category, config field or narrative section that exists.

use std::collections::BTreeSet;

use super::catalogue::{self, Rule};
use crate::schema::StreamKind;

/// Keys of `submission.system` the docs define (docs/config.md), and the other declared
/// submission fields a rule may name.
const SYSTEM_KEYS: &[&str] = &[
    "models",
    "guardrails",
    "human_in_the_loop",
    "third_parties",
    "disclosure",
    "evaluation",
];

fn known_field(path: &str) -> bool {
    if let Some(key) = path.strip_prefix("system.") {
        return SYSTEM_KEYS.contains(&key);
    }
    // A fully declared submission, as summary.json writes it: every path must resolve.
    let declared: crate::declared::Declared = serde_saphyr::from_str(
        "customer_facing: true\nline_of_defence: 2\neu_ai_act: { role: deployer, risk_class: high }\ngovernance: { accountable_executive: a, approving_body: b, independent_validation: { by: c, date: 2025-01-01 } }\ndatasets: [{ name: d }]\nprivacy: { personal_data_processed: true, pia_reference: e }\n",
    )
    .unwrap();
    let mut value = serde_json::to_value(declared).unwrap();
    for key in ["technology_partner", "plan_reference", "contacts"] {
        value[key] = serde_json::json!("x");
    }
    path.split('.')
        .try_fold(&value, |v, key| v.get(key))
        .is_some()
}

#[test]
fn requirement_ids_are_unique_and_every_rule_names_something_that_exists() {
    let c = catalogue::get();
    let mut ids = BTreeSet::new();
    let vocabulary: BTreeSet<&str> = c.attack_categories.iter().map(|a| a.id.as_str()).collect();
    let narrative: Vec<String> = serde_json::to_value(crate::model::Narrative::default())
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(narrative.contains(&"oversight".to_string()));
    for f in &c.frameworks {
        assert!(!f.requirements.is_empty(), "{}", f.id);
        for r in &f.requirements {
            assert!(
                ids.insert(r.id.clone()),
                "duplicate requirement id {}",
                r.id
            );
            assert!(!r.rules.is_empty(), "{} has no evidence rule", r.id);
            assert!(!r.title_zh.trim().is_empty(), "{} has no title_zh", r.id);
            for rule in &r.rules {
                match rule {
                    Rule::Metric { metric, .. } => {
                        assert!(
                            crate::metrics::catalogue::find(metric).is_some(),
                            "{}: {metric}",
                            r.id
                        );
                    }
                    Rule::Criterion { criterion } => assert!(
                        criterion == "any" || crate::metrics::catalogue::find(criterion).is_some(),
                        "{}: {criterion}",
                        r.id
                    ),
                    Rule::Redteam { redteam } => {
                        for id in redteam {
                            assert!(vocabulary.contains(id.as_str()), "{}: {id}", r.id);
                        }
                    }
                    Rule::Stream { stream } => assert!(
                        stream == "any"
                            || serde_json::from_value::<StreamKind>(serde_json::json!(stream))
                                .is_ok(),
                        "{}: {stream}",
                        r.id
                    ),
                    Rule::Manifest { manifest } => assert!(*manifest, "{}", r.id),
                    Rule::Field { field } => assert!(known_field(field), "{}: {field}", r.id),
                    Rule::Narrative { narrative: n } => {
                        assert!(narrative.contains(n), "{}: narrative {n}", r.id);
                    }
                }
            }
        }
    }
    // The frameworks the issue names, with the HKMA principles' twelve.
    let count = |prefix: &str| ids.iter().filter(|id| id.starts_with(prefix)).count();
    assert_eq!(count("HKMA-AI-2019."), 12);
    assert_eq!(count("HKMA-BDAI-2019."), 4);
    assert_eq!(count("HKMA-GENAI-2024."), 7);
    assert!(count("HKMA-SANDBOX-2025.") >= 8);
    assert!(count("EU-AIA.") >= 8);
    // Aliases map to one category each.
    // Aliases map to one category each among the categories of one kind of stream.
    let mut aliases = BTreeSet::new();
    for a in &c.attack_categories {
        for alias in &a.aliases {
            assert!(
                aliases.insert((a.stream, alias.as_str())),
                "alias {alias} used twice"
            );
        }
    }
    let find = |raw, kind| catalogue::attack_category(raw, kind).map(|c| c.id.as_str());
    assert_eq!(find("Jailbreak", StreamKind::Redteam), Some("LLM01"));
    assert_eq!(find("voice-clone", StreamKind::Redteam), Some("DF-VOICE"));
    // The usual names of voice and face deepfake species, each credited to its category.
    for (species, id) in [
        ("tts", "DF-VOICE"),
        ("voice_conversion", "DF-VOICE"),
        ("Voice Clone", "DF-VOICE"),
        ("synthetic_speech", "DF-VOICE"),
        ("replay", "DF-REPLAY"),
        ("screen_replay", "DF-REPLAY"),
        ("face_swap", "DF-FACE"),
        ("reenactment", "DF-FACE"),
        ("morph", "DF-FACE"),
        ("mask_3d", "DF-ARTEFACT"),
        ("print", "DF-ARTEFACT"),
        ("injection", "DF-INJECTION"),
    ] {
        assert_eq!(find(species, StreamKind::Detection), Some(id), "{species}");
    }
    // The same word in a red-team log is a prompt injection.
    assert_eq!(find("injection", StreamKind::Redteam), Some("LLM01"));
    assert!(find("tarot", StreamKind::Detection).is_none());
}

#[test]
fn a_requirement_explains_itself() {
    let text = super::explain("hkma-genai-2024.3").unwrap();
    assert!(
        text.starts_with("HKMA-GENAI-2024.3 — Validation against hallucination"),
        "{text}"
    );
    assert!(text.contains("assistant.hallucination_rate"), "{text}");
    assert!(
        text.contains("19 August 2024") || text.contains("2024-08-19"),
        "{text}"
    );
    assert!(super::explain("HKMA-AI-2019.99").is_none());
}
