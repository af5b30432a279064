//! Edge cases of the metric definitions, each with its defined outcome: one class only, no
//! scores, all scores tied, zero denominators, tiny segment groups, a species without attempts,
//! an empty stream after period filtering, and arms, criteria and reconciliation end to end.

use crate::common::*;
use serde_json::Value;

/// Builds a one-stream detection submission from `csv` with extra config `extra`.
fn build(csv: &str, extra: &str) -> Value {
    build_files(&[("logs/a.csv", csv)], &detection_config(extra))
}

fn value(s: &Value, id: &str) -> Option<f64> {
    find_metric(s, id, None, None).unwrap_or_else(|| panic!("{id} missing"))["value"].as_f64()
}

const HEAD: &str = "event_id,timestamp,decision,label,score\n";

#[test]
fn one_class_only_gives_null_rank_metrics_and_precision_still_computed() {
    let s = build(
        &format!(
            "{HEAD}a,2025-06-02 10:00:00,true,true,0.9\nb,2025-06-03 10:00:00,false,true,0.2\n"
        ),
        "",
    );
    assert_eq!(value(&s, "detection.roc_auc"), None);
    assert_eq!(value(&s, "detection.eer"), None);
    assert_eq!(value(&s, "detection.average_precision"), None);
    assert_eq!(value(&s, "detection.recall"), Some(0.5));
    // No negatives: FPR has a zero denominator, listed as null.
    let fpr = find_metric(&s, "detection.fpr", None, None).unwrap();
    assert!(fpr["value"].is_null() && fpr["ci_low"].is_null());
    assert_eq!(fpr["denominator"], 0);
}

#[test]
fn all_scores_null_and_all_scores_tied() {
    let none = build(
        &format!("{HEAD}a,2025-06-02 10:00:00,true,true,\nb,2025-06-03 10:00:00,false,false,\n"),
        "",
    );
    assert_eq!(value(&none, "detection.roc_auc"), None);
    assert_eq!(
        find_metric(&none, "detection.roc_auc", None, None).unwrap()["denominator"],
        0
    );
    let tied = build(
        &format!(
            "{HEAD}a,2025-06-02 10:00:00,true,true,0.5\nb,2025-06-03 10:00:00,true,false,0.5\nc,2025-06-04 10:00:00,true,false,0.5\n"
        ),
        "",
    );
    assert_eq!(value(&tied, "detection.roc_auc"), Some(0.5));
    assert_eq!(value(&tied, "detection.eer"), Some(0.5));
    assert!((value(&tied, "detection.average_precision").unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        find_metric(&tied, "detection.eer", None, None).unwrap()["threshold"],
        0.5
    );
}

#[test]
fn a_one_event_group_is_reported_but_left_out_of_fairness() {
    let mut csv = String::from("event_id,timestamp,decision,label,channel\n");
    for i in 0..4 {
        csv.push_str(&format!(
            "w{i},2025-06-02 10:00:00,{},true,web\n",
            i % 2 == 0
        ));
        csv.push_str(&format!("a{i},2025-06-02 10:00:00,true,false,app\n"));
    }
    csv.push_str("x,2025-06-02 10:00:00,true,true,branch\n");
    let s = build(
        &csv,
        "segments: [channel]\nfairness: { min_group_size: 2 }\n",
    );
    let branch = find_metric(
        &s,
        "detection.alert_rate",
        None,
        Some(("channel", Some("branch"))),
    )
    .unwrap();
    assert_eq!(branch["value"], 1.0);
    assert_eq!(branch["denominator"], 1);
    // web 2/4, app 4/4: the branch group (one event) takes no part.
    let dpd = find_metric(
        &s,
        "fairness.demographic_parity_difference",
        None,
        Some(("channel", None)),
    )
    .unwrap();
    assert_eq!(dpd["value"], 0.5);
    let dir = find_metric(
        &s,
        "fairness.disparate_impact_ratio",
        None,
        Some(("channel", None)),
    )
    .unwrap();
    assert_eq!(dir["value"], 0.5);
    let messages = texts(&s["findings"], "message");
    assert!(
        messages.iter().any(|m| m.contains("branch (1 events)")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("below the floor 0.8")),
        "{messages:?}"
    );
    // Equalized odds needs both classes per group: web has positives only, app negatives only.
    let eod = find_metric(
        &s,
        "fairness.equalized_odds_difference",
        None,
        Some(("channel", None)),
    )
    .unwrap();
    assert!(eod["value"].is_null());
}

#[test]
fn species_without_attempts_in_the_period_is_not_listed() {
    let csv = "event_id,timestamp,decision,label,attack_type
a,2025-06-02 10:00:00,false,true,face_swap
b,2025-06-02 11:00:00,true,true,face_swap
c,2025-06-02 12:00:00,true,false,bona_fide
d,2025-06-02 13:00:00,false,false,bona_fide
e,2025-07-02 13:00:00,false,true,mask_3d
";
    let s = build(csv, "");
    let apcer = find_metric(
        &s,
        "detection.apcer",
        None,
        Some(("attack_type", Some("face_swap"))),
    )
    .unwrap();
    assert_eq!(apcer["value"], 0.5);
    assert!(
        find_metric(
            &s,
            "detection.apcer",
            None,
            Some(("attack_type", Some("mask_3d")))
        )
        .is_none()
    );
    assert!(
        find_metric(
            &s,
            "detection.apcer",
            None,
            Some(("attack_type", Some("bona_fide")))
        )
        .is_none()
    );
    assert_eq!(value(&s, "detection.apcer_max"), Some(0.5));
    assert_eq!(value(&s, "detection.bpcer"), Some(0.5));
}

#[test]
fn empty_stream_after_period_filter_lists_metrics_as_null() {
    let s = build(&format!("{HEAD}a,2025-07-02 10:00:00,true,true,0.9\n"), "");
    assert_eq!(value(&s, "detection.events"), Some(0.0));
    assert_eq!(value(&s, "detection.alert_rate"), None);
    let codes = texts(&s["findings"], "code");
    assert!(
        codes.contains(&"stream_empty") && codes.contains(&"outside_period"),
        "{codes:?}"
    );
    let series = &s["series"][0];
    // June 2025 touches six ISO weeks: 26 May (June 1 is a Sunday) to 30 June.
    assert_eq!(series["points"].as_array().unwrap().len(), 6);
    assert_eq!(series["points"][0]["period"], "2025-W22");
    assert!(series["points"][0]["value"].is_null());
    assert_eq!(series["points"][0]["denominator"], 0);
}

#[test]
fn infinite_number_is_an_error_naming_the_row() {
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        (
            "logs/a.csv",
            &format!(
                "{HEAD}a,2025-06-02 10:00:00,true,true,0.5\nb,2025-06-02 10:00:00,true,true,inf\n"
            ),
        ),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostics!(1, stdout(&out) + &stderr(&out));
    assert!(
        stdout(&out).contains("logs/a.csv: row 2, column \"score\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn arms_give_ai_baseline_and_newcombe_delta() {
    let mut csv = String::from("event_id,timestamp,decision,label,arm\n");
    // ai: 8 of 10 positives caught; baseline: 5 of 10.
    for i in 0..10 {
        csv.push_str(&format!("ai{i},2025-06-02 10:00:00,{},true,ai\n", i < 8));
        csv.push_str(&format!(
            "b{i},2025-06-02 10:00:00,{},true,baseline\n",
            i < 5
        ));
    }
    let s = build(
        &csv,
        "criteria:\n  - { metric: detection.recall, arm: delta, op: \">=\", value: 0.25 }\n  - { metric: detection.recall, op: \">=\", value: 0.9 }\n",
    );
    let ai = find_metric(&s, "detection.recall", Some("ai"), None).unwrap();
    let base = find_metric(&s, "detection.recall", Some("baseline"), None).unwrap();
    let delta = find_metric(&s, "detection.recall", Some("delta"), None).unwrap();
    assert_eq!(ai["value"], 0.8);
    assert_eq!(base["value"], 0.5);
    assert!((delta["value"].as_f64().unwrap() - 0.3).abs() < 1e-12);
    // Newcombe's hybrid score interval from the two Wilson intervals, by hand.
    let (p1, l1, u1) = (
        0.8,
        ai["ci_low"].as_f64().unwrap(),
        ai["ci_high"].as_f64().unwrap(),
    );
    let (p2, l2, u2) = (
        0.5,
        base["ci_low"].as_f64().unwrap(),
        base["ci_high"].as_f64().unwrap(),
    );
    let low = 0.3 - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = 0.3 + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    assert!((delta["ci_low"].as_f64().unwrap() - low).abs() < 1e-12);
    assert!((delta["ci_high"].as_f64().unwrap() - high).abs() < 1e-12);
    assert!(
        find_metric(&s, "detection.recall", None, None).is_none(),
        "no arm-less metric in an A/B stream"
    );
    let statuses: Vec<(&str, &str)> = s["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["arm"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("delta", "pass"), ("ai", "fail")]);
}

#[test]
fn criteria_by_segment_and_reconciliation_of_reported_kpis() {
    let csv = "event_id,timestamp,decision,label,attack_type
a,2025-06-02 10:00:00,false,true,face_swap
b,2025-06-02 11:00:00,true,true,face_swap
c,2025-06-02 11:00:00,true,true,face_swap
d,2025-06-02 11:00:00,true,true,face_swap
e,2025-06-02 12:00:00,false,false,bona_fide
";
    let kpis = "metric,value,stream,segment_attribute,segment_value
detection.recall,0.75,alerts,,
detection.recall,0.70,,,
detection.apcer,0.25,alerts,attack_type,face_swap
detection.eer,0.1,alerts,,
";
    let config = detection_config(
        "  - { name: reported, kind: kpis, path: kpis.csv }
criteria:
  - { metric: detection.apcer, segment: { attack_type: face_swap }, op: \"<=\", value: 0.2 }
  - { metric: detection.bpcer, op: \"<=\", value: 0.05 }
  - { metric: assistant.escalation_rate, op: \"<=\", value: 0.3 }
",
    );
    let dir = submission(&[
        ("submission.yaml", &config),
        ("logs/a.csv", csv),
        ("kpis.csv", kpis),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the assistant criterion has no stream"
    );
    assert!(
        stderr(&out).contains("no stream of the config has this metric"),
        "{}",
        stderr(&out)
    );

    let config = config.replace(
        "  - { metric: assistant.escalation_rate, op: \"<=\", value: 0.3 }\n",
        "",
    );
    let s = build_files(&[("logs/a.csv", csv), ("kpis.csv", kpis)], &config);
    let statuses = texts(&s["criteria"], "status");
    assert_eq!(statuses, ["fail", "pass"]);
    assert_eq!(s["criteria"][0]["value"], 0.25);
    let rows = s["reconciliation"].as_array().unwrap();
    let statuses: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    // recall 3/4 = 0.75; EER is not computable without scores.
    assert_eq!(
        statuses,
        [
            "within_tolerance",
            "outside_tolerance",
            "within_tolerance",
            "not_recomputable"
        ]
    );
    assert!((rows[1]["difference"].as_f64().unwrap() + 0.05).abs() < 1e-12);
}
