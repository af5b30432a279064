//! The submission's narrative in the report's language: a narrative field may be one text
//! for every language or one per language (`{ en: ..., zh-HK: ... }`). A report in `en` or
//! `zh-HK` prints the text of its language, a bilingual report both (English first); a
//! language without a text falls back to the other, with a `narrative_language_missing`
//! warning naming the field, so that no section silently loses its narrative.

use crate::config::{Narrative, NarrativeText};
use crate::model::{self, Code, Finding};
use crate::schema::Language;

/// The narrative of every section in `language`, and the warnings about fallbacks.
pub(crate) fn narrative(n: &Narrative, language: Language) -> (model::Narrative, Vec<Finding>) {
    let mut notes = Vec::new();
    let mut text = |field: &str, t: &Option<NarrativeText>| {
        let (text, note) = resolve(t.as_ref()?, language, field);
        notes.extend(note);
        text
    };
    let resolved = model::Narrative {
        objectives: text("objectives", &n.objectives),
        system: text("system", &n.system),
        data: text("data", &n.data),
        results: text("results", &n.results),
        redteam: text("redteam", &n.redteam),
        fairness: text("fairness", &n.fairness),
        oversight: text("oversight", &n.oversight),
        operations: text("operations", &n.operations),
        incidents: text("incidents", &n.incidents),
        reconciliation: text("reconciliation", &n.reconciliation),
        lessons: text("lessons", &n.lessons),
        limitations: text("limitations", &n.limitations),
        next_steps: text("next_steps", &n.next_steps),
    };
    (resolved, notes)
}

/// The text of one field, and a warning when the report's language has none of its own.
fn resolve(
    t: &NarrativeText,
    language: Language,
    field: &str,
) -> (Option<String>, Option<Finding>) {
    let NarrativeText::Languages(languages) = t else {
        return (inline(t), None);
    };
    let en = languages.en.as_deref().and_then(inline);
    let zh = languages.zh_hk.as_deref().and_then(inline);
    let missing = |lang: &str, used: &str| {
        let message = format!(
            "submission.narrative.{field} has no {lang} text; the report prints the {used} one"
        );
        Some(
            Finding::new(Code::NarrativeLanguageMissing, message)
                .in_column(Some(format!("submission.narrative.{field}")))
                .with_hint(format!("add `{lang}:` under submission.narrative.{field}")),
        )
    };
    match (language, en, zh) {
        (_, None, None) => (None, None),
        (Language::En, Some(en), _) => (Some(en), None),
        (Language::ZhHk, _, Some(zh)) => (Some(zh), None),
        (Language::Bilingual, Some(en), Some(zh)) => (Some(format!("{en}\n\n{zh}")), None),
        (Language::En | Language::Bilingual, None, Some(zh)) => (Some(zh), missing("en", "zh-HK")),
        (Language::ZhHk | Language::Bilingual, Some(en), None) => {
            (Some(en), missing("zh-HK", "en"))
        }
    }
}

fn inline(t: &NarrativeText) -> Option<String> {
    match t {
        NarrativeText::Inline(markdown) => Some(markdown.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NarrativeLanguages;

    fn both(en: Option<&str>, zh: Option<&str>) -> NarrativeText {
        let text = |s: &str| Box::new(NarrativeText::Inline(s.into()));
        NarrativeText::Languages(NarrativeLanguages {
            en: en.map(text),
            zh_hk: zh.map(text),
        })
    }

    #[test]
    fn each_language_prints_its_text_and_bilingual_both() {
        let t = both(Some("Lessons."), Some("經驗。"));
        assert_eq!(
            resolve(&t, Language::En, "lessons").0.as_deref(),
            Some("Lessons.")
        );
        assert_eq!(
            resolve(&t, Language::ZhHk, "lessons").0.as_deref(),
            Some("經驗。")
        );
        let (text, note) = resolve(&t, Language::Bilingual, "lessons");
        assert_eq!(text.as_deref(), Some("Lessons.\n\n經驗。"));
        assert!(note.is_none());
    }

    #[test]
    fn a_missing_language_falls_back_with_a_warning() {
        let t = both(Some("Lessons."), None);
        let (text, note) = resolve(&t, Language::ZhHk, "lessons");
        assert_eq!(text.as_deref(), Some("Lessons."));
        let note = note.expect("a warning");
        assert_eq!(note.code, Code::NarrativeLanguageMissing);
        assert_eq!(note.column.as_deref(), Some("submission.narrative.lessons"));
        assert!(
            note.message.contains("has no zh-HK text"),
            "{}",
            note.message
        );
        let plain = NarrativeText::Inline("Same for all.".into());
        assert_eq!(
            resolve(&plain, Language::ZhHk, "data"),
            (Some("Same for all.".into()), None)
        );
    }
}
