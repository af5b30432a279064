//! Whether the PDF can print every character of a report: typst refuses (under PDF/A) a
//! character that no embedded font has, which would stop `build` after all the work with a
//! font error. Checked on the report model before rendering, so that `validate` and `build`
//! both name the field and the character instead.

use std::sync::OnceLock;

use serde_json::Value;
use typst::text::FontInfo;

use crate::model::{Code, Finding, Summary};

/// The code-point coverage of every font compiled into the binary.
fn coverage() -> &'static [FontInfo] {
    static INFOS: OnceLock<Vec<FontInfo>> = OnceLock::new();
    INFOS.get_or_init(|| {
        crate::render::typst::embedded_fonts()
            .iter()
            .map(|font| font.info().clone())
            .collect()
    })
}

/// Whether some embedded font has a glyph for `c` (control characters need none).
fn printable(c: char) -> bool {
    c.is_control()
        || coverage()
            .iter()
            .any(|info| info.coverage.contains(c as u32))
}

/// One `glyph_missing` error per field of the model holding characters the PDF cannot print.
pub fn findings(summary: &Summary) -> Vec<Finding> {
    let Ok(model) = serde_json::to_value(summary) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(&model, &mut String::new(), &mut out);
    out
}

fn walk(value: &Value, path: &mut String, out: &mut Vec<Finding>) {
    match value {
        Value::String(text) => {
            if let Some(finding) = check(path, text) {
                out.push(finding);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                walk(item, path, out);
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(item, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn check(path: &str, text: &str) -> Option<Finding> {
    let mut missing: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| !printable(*c)) {
        if !missing.contains(&c) {
            missing.push(c);
        }
    }
    if missing.is_empty() {
        return None;
    }
    let first = missing[0];
    let shown: String = missing.iter().take(8).collect();
    let message = format!(
        "{} holds {} character(s) that no font of the PDF report has, first {first:?} (U+{:04X}): {shown:?}; the PDF (PDF/A-3b) cannot print them, so report.pdf cannot be made",
        describe(path),
        missing.len(),
        first as u32,
    );
    Some(
        Finding::new(Code::GlyphMissing, message)
            .in_column(Some(path.to_string()))
            .with_hint("the PDF's fonts cover Latin, Greek, Cyrillic and Traditional Chinese (Big5 and HKSCS); write the text with those characters, or build without the PDF (`--format html,md`)"),
    )
}

/// Where a model field comes from, in the config author's terms.
fn describe(path: &str) -> String {
    if let Some(field) = path.strip_prefix("submission.") {
        format!("the config field submission.{field}")
    } else if path.starts_with("findings") {
        format!("a finding message ({path}), which quotes a value from the data,")
    } else {
        format!("the report field {path} (a value from the data)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_hong_kong_chinese_print_and_emoji_do_not() {
        assert!(
            "Harbour Bank (Example) Ltd — 95% ≥ 0.8"
                .chars()
                .all(printable)
        );
        // Big5 common and less common characters, HKSCS place-name characters, CJK punctuation.
        assert!("港灣銀行信貸，深水埗鰂魚涌邨。".chars().all(printable));
        assert!(!printable('😀'));
        // U+2B820 (CJK Extension E) is in neither Big5 nor HKSCS.
        let f = check("submission.institution.name", "港灣銀行 \u{2B820}😀").unwrap();
        assert!(
            f.message
                .starts_with("the config field submission.institution.name holds 2 character(s)"),
            "{}",
            f.message
        );
        assert!(f.message.contains("(U+2B820)"), "{}", f.message);
        assert!(check("submission.programme", "HKMA GenA.I. Sandbox").is_none());
    }
}
