//! Reports in Traditional Chinese and in both languages: the zh-HK sample's PDF prints the
//! Chinese section titles and the bank's Chinese name with every font embedded, the bilingual
//! sample prints both languages, the PDFs stay PDF/A-3b and pass `qpdf --check`, builds are
//! byte-identical, `--language` overrides the config, and summary.json records the language.
//! Reads PDFs with poppler (pdftotext, pdffonts) and qpdf; `.ci/run` installs both.

use std::path::Path;
use std::process::Command;

use crate::common::*;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed for this test (.ci/run installs it): {e}"));
    assert!(
        out.status.success(),
        "{name} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF's text with whitespace runs collapsed (typst puts spaces between Chinese and
/// Latin text; table cells are split over columns).
fn text(pdf: &Path) -> String {
    tool("pdftotext", &[&path_str(pdf), "-"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn build(sample: &str, out: &Path, extra: &[&str]) {
    let config = samples()
        .join("submissions")
        .join(sample)
        .join("submission.yaml");
    let mut args = vec!["build", &*path_str(&config), "-o", &*path_str(out)]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = run(&refs);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

/// Every font of the PDF is embedded (pdffonts' `emb` column), so no glyph is substituted.
fn assert_fonts_embedded(pdf: &Path) -> String {
    let fonts = tool("pdffonts", &[&path_str(pdf)]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {row}");
    }
    fonts
}

/// PDF/A-3b is declared in the XMP metadata and qpdf finds the file sound.
fn assert_pdfa_and_sound(pdf: &Path) {
    let meta = tool("pdfinfo", &["-meta", &path_str(pdf)]);
    assert!(meta.contains("<pdfaid:part>3</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "{meta}"
    );
    let check = tool("qpdf", &["--check", &path_str(pdf)]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
}

#[test]
fn the_zh_hk_sample_prints_chinese_titles_and_the_chinese_bank_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zh");
    build("kowloon-bay-bank-card-fraud-zh", &out, &[]);
    let pdf = out.join("report.pdf");
    let text = text(&pdf);
    for title in [
        "識別資料",
        "數據及證據檔案",
        "目標及驗收準則",
        "結果",
        "證據清單及核實方法",
    ] {
        assert!(text.contains(title), "{title} missing: {text}");
    }
    assert!(text.contains("九龍灣銀行（示例）有限公司"), "{text}");
    assert!(
        text.contains("2025 年 6 月 1 日至 2025 年 8 月 31 日"),
        "{text}"
    );
    assert!(text.contains("召回率（偵測率）"), "{text}");
    assert!(
        !text.contains("Reporting period"),
        "an English label is left: {text}"
    );
    // Findings: the code's meaning in Chinese before the message with the values found.
    assert!(
        text.contains("事件在報告期以外，不計入指標") && text.contains("（expected a timestamp"),
        "{text}"
    );
    let fonts = assert_fonts_embedded(&pdf);
    assert!(fonts.contains("NotoSansCJKhk-Regular"), "{fonts}");
    assert!(fonts.contains("NotoSansCJKhk-Bold"), "{fonts}");
    assert_pdfa_and_sound(&pdf);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["settings"]["language"], "zh-HK");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<html lang=\"zh-HK\">") && html.contains("<h2>5. 結果</h2>"),
        "{html}"
    );
}

#[test]
fn the_bilingual_sample_prints_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bi");
    build("tsing-yi-bank-assistant-bilingual", &out, &[]);
    let pdf = out.join("report.pdf");
    let text = text(&pdf);
    for title in [
        "Results 結果",
        "Identification 識別資料",
        "Human oversight 人工監督",
    ] {
        assert!(text.contains(title), "{title} missing: {text}");
    }
    assert!(text.contains("Resolution rate 解決率"), "{text}");
    assert!(text.contains("青衣銀行"), "{text}");
    assert_fonts_embedded(&pdf);
    assert_pdfa_and_sound(&pdf);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Results 結果"), "{md}");
}

#[test]
fn chinese_reports_are_byte_identical_across_builds_and_follow_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    build("kowloon-bay-bank-card-fraud-zh", &one, &[]);
    build("kowloon-bay-bank-card-fraud-zh", &two, &[]);
    for file in [
        "report.pdf",
        "report.html",
        "report.md",
        "summary.json",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(one.join(file)).unwrap(),
            std::fs::read(two.join(file)).unwrap(),
            "{file} differs between two builds"
        );
    }
    // --language overrides report.language: the same data in English.
    let en = dir.path().join("en");
    build(
        "kowloon-bay-bank-card-fraud-zh",
        &en,
        &["--language", "en", "--format", "md"],
    );
    let md = std::fs::read_to_string(en.join("report.md")).unwrap();
    assert!(md.contains("## 5. Results") && !md.contains("結果"), "{md}");
}

#[test]
fn a_narrative_without_the_report_language_falls_back_with_a_warning() {
    let cfg = detection_config(
        "report:\n  language: zh-HK\n  formats: [md]\n",
    )
    .replace(
        "  period: { start: 2025-06-01, end: 2025-06-30 }\n",
        "  period: { start: 2025-06-01, end: 2025-06-30 }\n  narrative:\n    objectives: { en: \"Catch fraud.\", zh-HK: \"偵測欺詐。\" }\n    lessons: { en: \"Only in English.\" }\n",
    );
    let rows = "event_id,timestamp,decision,label\ne1,2025-06-02T10:00:00Z,true,true\ne2,2025-06-03T10:00:00Z,false,false\n";
    let dir = submission(&[("submission.yaml", &cfg), ("logs/day1.csv", rows)]);
    let out = dir.path().join("out");
    let summary = build_ok(&dir.path().join("submission.yaml"), &out, "md");
    assert_eq!(
        summary["submission"]["narrative"]["objectives"],
        "偵測欺詐。"
    );
    assert_eq!(
        summary["submission"]["narrative"]["lessons"],
        "Only in English."
    );
    let warning = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "narrative_language_missing")
        .expect("a narrative_language_missing warning");
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["column"], "submission.narrative.lessons");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("偵測欺詐。") && md.contains("Only in English."),
        "{md}"
    );
    assert!(!md.contains("Catch fraud."), "{md}");
}

#[test]
fn explain_prints_a_metric_in_chinese() {
    let out = run(&["explain", "detection.specificity", "--language", "zh-HK"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("detection.specificity — 特異度\n"),
        "{text}"
    );
    assert!(
        text.contains("definition: 確屬陰性的已標註事件中系統未標示的比例"),
        "{text}"
    );
    assert!(text.contains("formula:    tn / (tn + fp)"), "{text}");
}

#[test]
fn the_cohort_summary_follows_its_language() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    generate_bundles(&bundles, 4);
    let out = dir.path().join("cohort");
    let result = run(&[
        "cohort",
        &path_str(&bundles),
        "-o",
        &path_str(&out),
        "--reveal",
        "--letters",
        "--format",
        "md",
        "--language",
        "zh-HK",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(md.starts_with("# 組別摘要"), "{md}");
    for text in [
        "## 1. 組別概覽",
        "方法及指標詞典",
        "| 銀行 |",
        "2025年7月1日至2025年9月30日",
        "一個項目是一個套件中的一個數據流",
        "此摘要顯示真實機構身份",
        "產生。",
    ] {
        assert!(md.contains(text), "{text} missing: {md}");
    }
    // The method section and the footer are no longer English.
    for english in ["An entry is one stream", "Generated ", "Disclosure control"] {
        assert!(!md.contains(english), "{english} left in English: {md}");
    }
    let letter = std::fs::read_dir(out.join("letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a letter");
    let letter = std::fs::read_to_string(letter).unwrap();
    assert!(
        letter.lines().next().unwrap().ends_with("同業比較函件"),
        "{letter}"
    );
    for text in [
        "貴行結果與組別內其他銀行的比較",
        "組別統計數字以區間顯示",
        "| 指標 | 貴行數值 |",
    ] {
        assert!(letter.contains(text), "{text} missing: {letter}");
    }
    let cohort: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("cohort.json")).unwrap()).unwrap();
    assert_eq!(cohort["language"], "zh-HK");
}

#[test]
fn a_narrative_mixing_a_file_and_a_language_is_refused_with_its_line() {
    let cfg = detection_config("").replace(
        "  period: { start: 2025-06-01, end: 2025-06-30 }\n",
        "  period: { start: 2025-06-01, end: 2025-06-30 }\n  narrative:\n    lessons: { file: lessons.md, en: \"also this\" }\n",
    );
    let rows = "event_id,timestamp,decision,label\ne1,2025-06-02T10:00:00Z,true,true\n";
    let dir = submission(&[("submission.yaml", &cfg), ("logs/day1.csv", rows)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("submission.yaml:10:14:"), "{text}");
    assert!(text.contains("NarrativeText"), "{text}");
}

/// Latin words a zh-HK report may print besides the bank's own texts and the tool's English
/// finding details: abbreviations and units, and config keys and commands named in prose.
const LATIN_ALLOWED: &[&str] = &[
    "AI",
    "AUC",
    "ROC",
    "APCER",
    "BPCER",
    "EER",
    "F1",
    "KPI",
    "PDF",
    "HTML",
    "JSON",
    "CSV",
    "SHA",
    "OWASP",
    "LLM",
    "HKMA",
    "EU",
    "GenA",
    "GenAI",
    "Sandbox",
    "Wilson",
    "Newcombe",
    "pp",
    "ms",
    "HKD",
    "CI",
    "TP",
    "FP",
    "TN",
    "FN",
    "ID",
    "BUNDLE",
    "sandbox-report",
    "explain",
    "verify",
    "sha256sum",
    "minisign",
    "label",
    "arm",
    "segments",
    "kpis",
    "criteria",
    "fairness",
    "oversight",
    "redteam",
    "system",
    "results",
    "objectives",
    "data",
    "operations",
    "incidents",
    "reconciliation",
    "lessons",
    "limitations",
    "p50",
    "p95",
    "p99",
    "n",
];

/// Every text of summary.json but the English reasons of the mapping: the bank's names and
/// values, stream and file names, ids, and the findings' English details.
fn bank_texts(value: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                bank_texts(v, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| bank_texts(v, path, out)),
        serde_json::Value::String(s) if !path.ends_with("requirements.reason") => {
            out.push(s.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        _ => {}
    }
}

/// The Latin words of `text` that are the tool's own and not allowed (see [`LATIN_ALLOWED`]).
fn untranslated(text: &str, summary: &serde_json::Value) -> Vec<String> {
    let mut text = text.replace("\\_", "_").replace("\\*", "*");
    text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut bank = Vec::new();
    bank_texts(summary, "", &mut bank);
    bank.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in bank.iter().filter(|s| s.chars().count() >= 2) {
        text = text.replace(s.as_str(), " ");
    }
    let mut words: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || "._-/".contains(c)))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && w.len() >= 2)
        .filter(|w| !w.contains(['.', '_', '/']) && !LATIN_ALLOWED.contains(w))
        .filter(|w| {
            !w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        })
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The visible text of an HTML page: tags, styles and scripts dropped, entities read.
fn html_text(html: &str) -> String {
    let mut out = html.to_string();
    for (open, close) in [("<style", "</style>"), ("<script", "</script>")] {
        while let Some(at) = out.find(open) {
            let end = out[at..]
                .find(close)
                .map_or(out.len(), |e| at + e + close.len());
            out.replace_range(at..end, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    // Numeric entities (minijinja writes `/` as `&#x2f;`), then the named ones.
    let mut decoded = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("&#") {
        decoded.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail.find(';').unwrap_or(0);
        let code = match tail[..end].strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => tail[..end].parse().ok(),
        };
        match code.and_then(char::from_u32) {
            Some(c) => {
                decoded.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                decoded.push_str("&#");
                rest = tail;
            }
        }
    }
    decoded.push_str(rest);
    decoded
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The English texts of the message catalogue that zh-HK says otherwise, with two or more
/// Latin words and no placeholder: none may appear in a zh-HK report.
fn english_only_texts() -> Vec<String> {
    let read = |name: &str| -> std::collections::BTreeMap<String, String> {
        let text = std::fs::read_to_string(repo().join("src/messages").join(name)).unwrap();
        serde_saphyr::from_str(&text).unwrap()
    };
    let (en, zh) = (read("en.yaml"), read("zh-HK.yaml"));
    en.iter()
        .filter(|(k, v)| zh.get(*k) != Some(*v) && !v.contains('{'))
        .filter(|(_, v)| {
            v.split_whitespace()
                .filter(|w| w.chars().all(char::is_alphabetic))
                .count()
                >= 2
        })
        .map(|(_, v)| v.clone())
        .collect()
}

/// The English heads of the metric catalogue (`title`, `short`) that zh-HK says otherwise.
fn english_heads() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("src/metrics/catalogue.yaml")).unwrap();
    let defs: Vec<std::collections::BTreeMap<String, serde_json::Value>> =
        serde_saphyr::from_str(&text).unwrap();
    let mut heads = Vec::new();
    for d in &defs {
        for (en, zh) in [("title", "title_zh"), ("short", "short_zh")] {
            if let Some(e) = d.get(en).and_then(|v| v.as_str())
                && d.get(zh).and_then(|v| v.as_str()) != Some(e)
            {
                heads.push(e.to_string());
            }
        }
    }
    heads
}

/// The head cells of every table of a Markdown report.
fn table_heads(md: &str) -> Vec<String> {
    let lines: Vec<&str> = md.lines().collect();
    lines
        .windows(2)
        .filter(|w| {
            w[0].starts_with('|') && (w[1].starts_with("| ---") || w[1].starts_with("|---"))
        })
        .flat_map(|w| w[0].split('|').map(|c| c.trim().replace("\\_", "_")))
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn a_zh_hk_report_says_every_word_of_its_own_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let english = english_only_texts();
    for sample in ["kowloon-bay-bank-card-fraud-zh", "peak-bank-assistant"] {
        let out = dir.path().join(sample);
        build(
            sample,
            &out,
            &["--language", "zh-HK", "--format", "md,html,pdf"],
        );
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let html = html_text(&std::fs::read_to_string(out.join("report.html")).unwrap());
        let pdf = text(&out.join("report.pdf"));
        // The Chinese sample's own texts are Chinese: every Latin word left is the tool's.
        if sample.ends_with("-zh") {
            for (name, body) in [("report.md", &md), ("report.html", &html)] {
                let words = untranslated(body, &summary);
                assert!(words.is_empty(), "{sample} {name}: {words:?}");
            }
        }
        // Every head of every table in Chinese (the catalogue's English heads never).
        let heads = english_heads();
        let english_heads: Vec<String> = table_heads(&md)
            .into_iter()
            .filter(|h| heads.contains(h))
            .collect();
        assert!(
            english_heads.is_empty(),
            "{sample} report.md: {english_heads:?}"
        );
        // No English text of the catalogue, in any format (the English sample's narrative
        // falls back to English, but the tool's heads, labels and sentences do not).
        for (name, body) in [
            ("report.md", &md),
            ("report.html", &html),
            ("report.pdf", &pdf),
        ] {
            let body = body.replace("\\_", "_");
            let found: Vec<&String> = english
                .iter()
                .filter(|e| body.contains(e.as_str()))
                .collect();
            assert!(found.is_empty(), "{sample} {name}: {found:?}");
        }
    }
}
