//! What the cohort pools and how (issue 9, items 3, 4, 5 and 17): values reach cohort.json
//! bit for bit, money groups by currency, periods and programmes are named and differing
//! lengths flagged, A/B banks are pooled (ai arm with the AI systems of other banks) and see
//! their own values, the heat-map has a key, and letters say which direction is better.

use std::path::Path;

use crate::cohort_support::*;
use crate::common::*;
use serde_json::{Value, json};

/// Bank names in accepted order (pseudonyms or, with --reveal, ids).
fn bank_of(c: &Value, id_hint: &str) -> String {
    c["bundles"]["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["use_case"] == id_hint)
        .map(|b| b["bank"].as_str().unwrap().to_string())
        .unwrap()
}

fn letter(out: &Path, bank: &str) -> String {
    let stem = bank.to_lowercase().replace(' ', "-");
    std::fs::read_to_string(out.join(format!("letters/{stem}.md"))).unwrap()
}

/// Table rows of a Markdown text that start with `| label`.
fn rows_starting<'a>(md: &'a str, label: &str) -> Vec<&'a str> {
    md.lines()
        .filter(|l| l.starts_with(&format!("| {label}")))
        .collect()
}

#[test]
fn values_reach_the_cohort_bit_for_bit_and_ties_are_exact() {
    // Two neighbouring doubles: an approximate float parser reads the first as the second.
    let (a, b) = ("0.19727547931382441", "0.1972754793138244");
    let (fa, fb): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
    assert_ne!(
        fa.to_bits(),
        fb.to_bits(),
        "the test needs two distinct doubles"
    );
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in [a, b, a].iter().enumerate() {
        let id = format!("BANK-{i}");
        let body = serde_json::to_string_pretty(&summary(&id, "anti_fraud", vec![], "2025-10-01T00:00:00Z"))
            .unwrap()
            .replace(
                "\"metrics\": []",
                &format!("\"metrics\": [{{\"id\": \"detection.recall\", \"stream\": \"s\", \"value\": {text}, \"segment\": null, \"arm\": null}}]"),
            );
        write_bundle(
            &dir.path().join(format!("b{i}")),
            &body,
            "2025-10-01T00:00:00Z",
        );
    }
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md", "--reveal"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let text = std::fs::read_to_string(out.join("cohort.json")).unwrap();
    assert!(text.contains(&format!("\"value\": {a}")), "{text}");
    assert!(text.contains(&format!("\"value\": {b}")), "{text}");
    let c: Value = serde_json::from_str(&text).unwrap();
    let g = group(&c, "anti_fraud", "detection.recall", None)[0];
    assert_eq!(g["min"].as_f64().unwrap().to_bits(), fb.to_bits());
    assert_eq!(g["max"].as_f64().unwrap().to_bits(), fa.to_bits());
    assert_eq!(g["median"].as_f64().unwrap().to_bits(), fa.to_bits());
    for v in g["values"].as_array().unwrap() {
        let expected = if v["bank"] == "BANK-1" {
            100.0 * 0.5 / 3.0 // the lowest, alone
        } else {
            100.0 * (1.0 + 0.5 * 2.0) / 3.0 // tied with the other copy of `a`
        };
        let rank = v["percentile_rank"].as_f64().unwrap();
        assert!((rank - expected).abs() < 1e-9, "{v}");
    }
}

#[test]
fn every_value_of_generated_bundles_is_unchanged_in_the_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let bundles = dir.path().join("bundles");
    generate_bundles(&bundles, 4);
    let out = dir.path().join("out");
    let result = cohort(
        &[&bundles],
        &out,
        &["--format", "md", "--reveal", "--min-banks", "1"],
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let mut summaries = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(&bundles)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_name() == "summary.json" {
            let s = read(entry.path());
            let id = s["submission"]["institution"]["id"]
                .as_str()
                .unwrap()
                .to_string();
            summaries.insert(id, s);
        }
    }
    let mut compared = 0;
    for m in c["metrics"].as_array().unwrap() {
        for v in m["values"].as_array().unwrap() {
            let s = &summaries[v["bank"].as_str().unwrap()];
            let own = s["metrics"].as_array().unwrap().iter().find(|x| {
                x["id"] == m["id"] && x["segment"] == m["segment"] && x["stream"] == v["stream"]
            });
            let own = own.unwrap()["value"].as_f64().unwrap();
            assert_eq!(v["value"].as_f64().unwrap().to_bits(), own.to_bits(), "{m}");
            compared += 1;
        }
    }
    assert!(compared > 20, "only {compared} values compared");
}

/// An assistant-family summary with money and a rate, in `currency` (None: not stated).
fn assistant(id: &str, cost: f64, currency: Option<&str>, period: (&str, &str)) -> Value {
    let mut s = summary(
        id,
        "customer_experience",
        vec![
            metric("assistant.cost_total", cost, None),
            metric("assistant.resolution_rate", 0.7, None),
        ],
        "2025-10-01T00:00:00Z",
    );
    s["submission"]["use_case"]["id"] = json!(format!("UC-{id}"));
    s["submission"]["programme"] = json!("HKMA GenA.I. Sandbox");
    s["submission"]["cohort"] = json!("2");
    s["submission"]["period"] = json!({"start": period.0, "end": period.1});
    if let Some(c) = currency {
        s["settings"] = json!({"currency": c, "timezone": "UTC"});
    }
    s
}

#[test]
fn money_groups_by_currency_and_differing_periods_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let q3 = ("2025-07-01", "2025-09-30");
    for (i, cost) in [70.0, 75.07, 80.0].iter().enumerate() {
        let id = format!("HK-{i}");
        write_summary(
            &dir.path().join(&id),
            &assistant(&id, *cost, Some("HKD"), q3),
        );
    }
    let usd = assistant("US-0", 8.85, Some("USD"), ("2025-08-01", "2025-08-31"));
    write_summary(&dir.path().join("US-0"), &usd);
    write_summary(
        &dir.path().join("XX-0"),
        &assistant("XX-0", 999.0, None, q3),
    );
    let out = dir.path().join("out");
    let result = cohort(
        &[dir.path()],
        &out,
        &["--format", "md", "--letters", "--reveal"],
    );
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let cost = group(&c, "customer_experience", "assistant.cost_total", None);
    assert_eq!(cost.len(), 2, "one group per currency: {cost:?}");
    let hkd = cost.iter().find(|g| g["currency"] == "HKD").unwrap();
    assert_eq!(
        (hkd["banks"].as_u64(), hkd["median"].as_f64()),
        (Some(3), Some(75.07))
    );
    let usd = cost.iter().find(|g| g["currency"] == "USD").unwrap();
    assert_eq!(
        (usd["banks"].as_u64(), usd["suppressed"].as_bool()),
        (Some(1), Some(true))
    );
    // The rate is no money: all five banks pool.
    assert_eq!(
        group(&c, "customer_experience", "assistant.resolution_rate", None)[0]["banks"],
        5
    );
    let codes = texts(&c["caveats"], "code");
    assert_eq!(
        codes,
        [
            "period_lengths_differ",
            "currency_unstated",
            "currencies_differ"
        ]
    );
    let unstated = &c["caveats"][1];
    assert_eq!(unstated["bank"], "XX-0");
    assert!(
        unstated["message"]
            .as_str()
            .unwrap()
            .contains("assistant.cost_total left out")
    );
    assert_eq!(c["scope"]["programmes"], json!(["HKMA GenA.I. Sandbox"]));
    assert_eq!(
        c["scope"]["periods"][0],
        json!({"start": "2025-07-01", "end": "2025-09-30", "days": 92, "bundles": 4})
    );
    assert_eq!(c["scope"]["periods"][1]["days"], 31);
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    for part in [
        "Programme: HKMA GenA.I. Sandbox",
        "Cohort: 2",
        "2025-08-01 to 2025-08-31 (31 days, 1 bundle(s))",
        "LENGTHS DIFFER",
        "Reporting periods differ in length (31 to 92 days)",
        "Money metrics are reported in HKD (3 bank(s)), USD (1 bank(s))",
        "Total cost (HKD)",
        "HKD 75.07",
    ] {
        assert!(md.contains(part), "{part:?} missing from cohort.md");
    }
    let letter = letter(&out, "US-0");
    let row = rows_starting(&letter, "Total cost (USD)");
    assert_eq!(row.len(), 1, "{letter}");
    assert!(
        row[0].contains("USD 8.85") && row[0].contains("cohort too small"),
        "{}",
        row[0]
    );
    assert!(
        !letter.contains("HKD"),
        "the USD bank's letter shows no HKD statistic"
    );
}

/// Precision (and, for an A/B bank, its arms) of an anti-fraud bank.
fn precision_bank(dir: &Path, id: &str, arms: Option<(f64, f64)>, value: f64) {
    let metrics = match arms {
        None => vec![metric("detection.precision", value, None)],
        Some((baseline, delta)) => vec![
            metric("detection.precision", value, Some("ai")),
            metric("detection.precision", baseline, Some("baseline")),
            metric("detection.precision", delta, Some("delta")),
        ],
    };
    let mut s = summary(id, "anti_fraud", metrics, "2025-10-01T00:00:00Z");
    s["submission"]["use_case"]["id"] = json!(format!("UC-{id}"));
    write_summary(&dir.join(id), &s);
}

#[test]
fn an_ab_bank_is_pooled_by_its_ai_arm_and_sees_all_its_values() {
    let dir = tempfile::tempdir().unwrap();
    for (i, v) in [0.5, 0.6, 0.7, 0.8].iter().enumerate() {
        precision_bank(dir.path(), &format!("PLAIN-{i}"), None, *v);
    }
    precision_bank(dir.path(), "AB-0", Some((0.3, 0.17)), 0.47);
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md", "--letters"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let c = read(&out.join("cohort.json"));
    let ai = group(&c, "anti_fraud", "detection.precision", None);
    assert_eq!(ai.len(), 1);
    assert_eq!(
        (ai[0]["banks"].as_u64(), ai[0]["suppressed"].as_bool()),
        (Some(5), Some(false))
    );
    let ab = bank_of(&c, "UC-AB-0");
    let own = ai[0]["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["bank"] == ab.as_str())
        .unwrap();
    assert_eq!(
        (own["value"].as_f64(), own["arm"].as_str()),
        (Some(0.47), Some("ai"))
    );
    assert_eq!(own["percentile_rank"], 10.0);
    assert!(
        group(&c, "anti_fraud", "detection.precision", Some("ai")).is_empty(),
        "no separate ai group"
    );
    assert_eq!(
        group(&c, "anti_fraud", "detection.precision", Some("baseline"))[0]["suppressed"],
        true
    );
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(
        md.contains("47.00% (P10, ai)"),
        "the A/B bank has a position: {md}"
    );
    assert!(
        md.contains("the ai arm of a stream with arms is pooled with the streams without arms")
    );
    assert!(
        md.contains(
            "A/B trials: the baseline arm and the difference AI − baseline of 1 bank(s) are suppressed"
        ),
        "{md}"
    );
    let ab_letter = letter(&out, &ab);
    let ai_row = rows_starting(&ab_letter, "Precision |");
    assert_eq!(ai_row.len(), 1, "{ab_letter}");
    // Five banks: the letter shows the median's band (median 60.00%) and the position
    // against the quartiles (Q1 = 50.00%), never a percentile or an exact statistic.
    assert!(
        ai_row[0].contains("47.00%")
            && ai_row[0].contains("60.00% – 65.00%")
            && ai_row[0].contains("below the lower quartile")
            && !ai_row[0].contains("P10"),
        "{}",
        ai_row[0]
    );
    let baseline = rows_starting(&ab_letter, "Precision · baseline");
    assert!(
        baseline[0].contains("30.00%") && baseline[0].contains("cohort too small"),
        "{}",
        baseline[0]
    );
    assert!(rows_starting(&ab_letter, "Precision · AI − baseline")[0].contains("+17.00 pp"));
    let plain = letter(&out, &bank_of(&c, "UC-PLAIN-0"));
    assert_eq!(
        rows_starting(&plain, "Precision").len(),
        1,
        "no duplicate suppressed row: {plain}"
    );
    assert!(
        !plain
            .lines()
            .any(|l| l.starts_with('|') && l.contains("baseline")),
        "{plain}"
    );
}

#[test]
fn the_heatmap_has_short_keys_with_a_legend_and_letters_say_which_way_is_better() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        let mut s = summary(
            &format!("BANK-{i}"),
            "anti_fraud",
            vec![
                metric("detection.recall", 0.8, None),
                metric("detection.fpr", 0.1, None),
            ],
            "2025-10-01T00:00:00Z",
        );
        s["criteria"] = json!([
            {"metric": "detection.recall", "stream": "s", "segment": null, "arm": null, "op": ">=", "threshold": 0.7, "value": 0.8, "status": "pass"},
            {"metric": "detection.fpr", "stream": "s", "segment": {"attribute": "customer_segment", "value": "small-business"},
             "arm": null, "op": "<=", "threshold": 0.05, "value": 0.1, "status": "fail"}
        ]);
        write_summary(&dir.path().join(format!("b{i}")), &s);
    }
    let out = dir.path().join("out");
    let result = cohort(&[dir.path()], &out, &["--format", "md,html", "--letters"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let md = std::fs::read_to_string(out.join("cohort.md")).unwrap();
    assert!(md.contains("Key to the heat-map columns"), "{md}");
    assert!(
        md.contains("| **C1** | False positive rate \\[customer\\_segment=small-business\\] | 3 |"),
        "{md}"
    );
    assert!(md.contains("| **C2** | Recall | 3 |"), "{md}");
    let html = std::fs::read_to_string(out.join("cohort.html")).unwrap();
    assert!(
        html.contains(">C1<") && html.contains(">C2<"),
        "the heat-map is headed by keys"
    );
    assert!(!html.contains("rotate(270"), "no turned header is needed");
    let c = read(&out.join("cohort.json"));
    let bank = c["bundles"]["accepted"][0]["bank"]
        .as_str()
        .unwrap()
        .to_string();
    let letter = letter(&out, &bank);
    assert!(letter.contains("| Better |"), "{letter}");
    assert!(
        rows_starting(&letter, "Recall")[0]
            .trim_end()
            .ends_with("| higher |"),
        "{letter}"
    );
    assert!(
        rows_starting(&letter, "False positive rate")[0]
            .trim_end()
            .ends_with("| lower |"),
        "{letter}"
    );
}
