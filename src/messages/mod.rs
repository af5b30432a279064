//! The message catalogue: every fixed text the reports print, one YAML file per language
//! (`en.yaml`, `zh-HK.yaml`, compiled in), keyed by id. A report in `bilingual` prints each
//! text as "English 中文". YAML keyed by id rather than Fluent: the catalogue is read with the
//! YAML reader the config already uses, translators edit a plain two-column file, and the
//! texts need no plural rules (Chinese has none; the English texts say "item(s)").

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::schema::Language;

type Catalogue = BTreeMap<String, String>;

const EN: &str = include_str!("en.yaml");
const ZH_HK: &str = include_str!("zh-HK.yaml");

fn parse(source: &str) -> Catalogue {
    serde_saphyr::from_str(source)
        .expect("the built-in message catalogues are valid (a unit test reads them)")
}

fn english() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| parse(EN))
}

fn chinese() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| parse(ZH_HK))
}

/// The text of `key` in one catalogue; the key itself when it has none (a unit test keeps
/// every key used in the code in both catalogues).
fn lookup<'a>(catalogue: &'a Catalogue, key: &'a str) -> &'a str {
    catalogue.get(key).map_or(key, String::as_str)
}

/// Texts that are mostly values (a period, counts, the subtitle, the verdict) print once in a
/// bilingual report, in English, beside their labels in both languages: `*_text`, `verdict.*`
/// and `cover.subtitle`.
fn once(key: &str) -> bool {
    key.ends_with("_text") || key.starts_with("verdict.") || key == "cover.subtitle"
}

/// The text of `key` in `language`.
pub(crate) fn text(language: Language, key: &str) -> String {
    text_with(language, key, &[])
}

/// The text of `key` in `language` with each `{name}` replaced by its value.
pub(crate) fn text_with(language: Language, key: &str, args: &[(&str, &str)]) -> String {
    let fill = |template: &str| {
        args.iter()
            .fold(template.to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    };
    match language {
        Language::En => fill(lookup(english(), key)),
        Language::ZhHk => fill(lookup(chinese(), key)),
        Language::Bilingual if once(key) => fill(lookup(english(), key)),
        Language::Bilingual => {
            let (en, zh) = (fill(lookup(english(), key)), fill(lookup(chinese(), key)));
            if en == zh { en } else { format!("{en} {zh}") }
        }
    }
}

/// The report's word for a config or data term (`term.<key>`: a use-case family, a segment
/// attribute, a key of the system description), when the catalogue has one.
pub(crate) fn term(language: Language, key: &str) -> Option<String> {
    let key = format!("term.{key}");
    english().contains_key(&key).then(|| text(language, &key))
}

/// Every text the templates print (`template.*`), under its name without the prefix, with
/// `args` filled in.
pub(crate) fn template_texts(
    language: Language,
    args: &[(&str, &str)],
) -> BTreeMap<String, String> {
    english()
        .keys()
        .filter_map(|key| key.strip_prefix("template."))
        .map(|name| {
            (
                name.to_string(),
                text_with(language, &format!("template.{name}"), args),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let en: Vec<&String> = english().keys().collect();
        let zh: Vec<&String> = chinese().keys().collect();
        let missing_zh: Vec<_> = en.iter().filter(|k| !chinese().contains_key(**k)).collect();
        let missing_en: Vec<_> = zh.iter().filter(|k| !english().contains_key(**k)).collect();
        assert!(
            missing_zh.is_empty(),
            "keys missing in zh-HK.yaml: {missing_zh:?}"
        );
        assert!(
            missing_en.is_empty(),
            "keys missing in en.yaml: {missing_en:?}"
        );
        for (key, value) in chinese() {
            let names = |s: &str| -> std::collections::BTreeSet<String> {
                s.split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}'))
                    .map(|(n, _)| n.to_string())
                    .collect()
            };
            assert_eq!(
                names(value),
                names(&english()[key]),
                "placeholders of {key}"
            );
        }
    }

    /// Every key is used by the code (a quoted `"key"`) or a template (`text.name` for
    /// `template.name`), and every quoted key of the code is in the catalogue.
    #[test]
    fn every_key_is_used_and_every_used_key_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut code = String::new();
        for dir in ["src", "report-templates"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                let path = entry.path();
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                if ["rs", "typ", "jinja"].contains(&ext) && !path.ends_with("messages/mod.rs") {
                    code.push_str(&std::fs::read_to_string(path).unwrap());
                }
            }
        }
        for key in english().keys() {
            // Terms are looked up by the config's and the data's own words (`term.<key>`).
            if key.starts_with("term.") {
                continue;
            }
            // A template text is used as `text.NAME`, or looked up by its quoted name
            // (`view.text[key]` over a list such as the exit report's chapters).
            let used = match key.strip_prefix("template.") {
                Some(name) => {
                    code.contains(&format!("text.{name}")) || code.contains(&format!("\"{name}\""))
                }
                None => code.contains(&format!("\"{key}\"")),
            };
            assert!(used, "{key} is in the catalogue but nothing uses it");
        }
        // Every quoted key of the code (a literal such as "caption.streams") must exist.
        let prefixes = [
            "section.",
            "cover.",
            "identification.",
            "verdict.",
            "status.",
            "severity.",
            "column.",
            "caption.",
            "empty.",
            "sentence.",
            "label.",
            "note.",
            "heading.",
            "chart.",
            "cohort.",
            "method.",
            "caveat.",
            "letter.",
        ];
        let keys = quoted_dotted_words(&code);
        assert!(keys.len() > 100, "found only {} quoted keys", keys.len());
        for literal in keys {
            let file_name = [".json", ".typ", ".jinja", ".md", ".html", ".pdf"]
                .iter()
                .any(|ext| literal.ends_with(ext));
            if prefixes.iter().any(|p| literal.starts_with(p)) && !file_name {
                assert!(
                    english().contains_key(literal),
                    "{literal:?} is used but not in en.yaml"
                );
            }
        }
    }

    /// Report cells never hold English words written in the code: their text comes from the
    /// catalogue (single letters such as a matrix's E, D, G are allowed; unit tests are not
    /// read).
    #[test]
    fn no_report_cell_is_an_english_literal() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in ["src/render", "src/cohort"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
                if entry.path().extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for opener in ["Cell::styled(\"", "Cell::plain(\""] {
                    for (i, _) in code.match_indices(opener) {
                        let literal: String = code[i + opener.len()..]
                            .chars()
                            .take_while(|c| *c != '"')
                            .collect();
                        let letters = literal.chars().filter(|c| c.is_alphabetic()).count();
                        assert!(
                            letters < 2,
                            "{}: {opener}{literal}\" is text for the catalogue",
                            entry.path().display()
                        );
                    }
                }
            }
        }
    }

    /// Every `"word.word"` literal of `code`, found at each quote (not by counting quotes, which
    /// an escaped quote or a `'"'` would throw off).
    fn quoted_dotted_words(code: &str) -> Vec<&str> {
        let word = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.';
        code.match_indices('"')
            .filter_map(|(i, _)| {
                let rest = &code[i + 1..];
                let end = rest.find('"')?;
                let literal = &rest[..end];
                (literal.contains('.') && !literal.starts_with('.') && literal.chars().all(word))
                    .then_some(literal)
            })
            .collect()
    }

    #[test]
    fn bilingual_prints_both_and_fills_placeholders() {
        assert_eq!(text(Language::Bilingual, "section.results"), "Results 結果");
        assert_eq!(
            text_with(
                Language::ZhHk,
                "verdict.passed",
                &[("pass", "3"), ("total", "4")]
            ),
            "4 項中 3 項通過"
        );
        assert_eq!(text(Language::Bilingual, "column.ai"), "AI");
        let period = [("start", "2025-06-01"), ("end", "2025-08-31")];
        assert_eq!(
            text_with(Language::Bilingual, "cover.period_text", &period),
            "2025-06-01 to 2025-08-31"
        );
    }
}
