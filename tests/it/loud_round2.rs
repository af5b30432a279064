//! Issue 29, correct or loud round 2: what a bank's own exports still got wrong without a
//! word (genuine rows as an attack species, blank metric inputs, a build that printed no
//! findings), bombs, a closed pipe, the wrong file type, the species vocabulary, the
//! reconciliation tolerance, both rows of a duplicate and inputs hashed as they are measured.

use std::process::Stdio;

use crate::common::*;

/// Runs the binary with `args` and its standard output's reader gone before it writes.
fn run_into_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sandbox-report"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1756684800")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("the binary ends")
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let config = path_str(&samples().join("submissions/harbour-bank-card-fraud/submission.yaml"));
    for (args, code) in [
        (vec!["explain", "--list"], 0),
        (vec!["explain", "--markdown"], 0),
        (vec!["explain", "detection.alert_rate"], 0),
        (vec!["validate", &config], 0),
    ] {
        let out = run_into_closed_pipe(&args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
}

/// Six rows on 2 June 2025, alternating decisions and labels; the config's narrative has
/// objectives in English only.
fn english_only_narrative() -> tempfile::TempDir {
    let mut csv = String::from("event_id,timestamp,decision,label,score\n");
    for i in 0..6 {
        let flag = if i % 2 == 0 { "true" } else { "false" };
        csv.push_str(&format!("e{i},2025-06-02 10:0{i}:00,{flag},{flag},0.{i}\n"));
    }
    let config = detection_config("").replace(
        "  period:",
        "  narrative:\n    objectives: { en: \"Fewer card frauds.\" }\n  period:",
    );
    submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)])
}

#[test]
fn validate_checks_in_the_language_asked_for() {
    let dir = english_only_narrative();
    let config = path_str(&dir.path().join("submission.yaml"));
    let en = run(&["validate", &config]);
    assert_eq!(en.status.code(), Some(0));
    assert!(
        !stdout(&en).contains("narrative_language_missing"),
        "{}",
        stdout(&en)
    );
    let zh = run(&["validate", "--language", "zh-HK", &config]);
    assert_diagnostics!(zh.status.code().unwrap(), stdout(&zh) + &stderr(&zh));
}

#[test]
fn build_says_what_it_found() {
    let dir = english_only_narrative();
    let config = path_str(&dir.path().join("submission.yaml"));
    let out = dir.path().join("out");
    let built = run(&[
        "build",
        &config,
        "--out",
        &path_str(&out),
        "--format",
        "md",
        "--language",
        "zh-HK",
    ]);
    assert_diagnostics!(
        built.status.code().unwrap(),
        stdout(&built) + &stderr(&built)
    );
}

/// A liveness export as vendors write it: `AttackKind` is `none` on genuine attempts,
/// `Genuine` in `Outcome` marks them. 60 genuine rows (3 flagged), 20 face swaps (4 accepted).
fn liveness(values: &str) -> tempfile::TempDir {
    let mut csv = String::from("event_id,timestamp,decision,label,attack_type\n");
    for i in 0..80 {
        let (attack, species, decision) = if i < 60 {
            ("false", "none", i < 3)
        } else {
            ("true", "face_swap", i >= 64)
        };
        csv.push_str(&format!(
            "e{i},2025-06-{:02} 10:00:00,{decision},{attack},{species}\n",
            1 + i % 28
        ));
    }
    let config = detection_config(values).replace("family: anti_fraud", "family: deepfake_defence");
    submission(&[("submission.yaml", &config), ("logs/liveness.csv", &csv)])
}

#[test]
fn genuine_rows_are_never_an_attack_species() {
    let dir = liveness("");
    let config = path_str(&dir.path().join("submission.yaml"));
    let out = run(&["validate", &config]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "md",
    );
    let species = |s: &str| {
        find_metric(
            &summary,
            "detection.apcer",
            None,
            Some(("attack_type", Some(s))),
        )
    };
    assert!(
        species("none").is_none(),
        "genuine rows reported as a species"
    );
    let swap = species("face_swap").expect("face_swap APCER");
    assert_eq!(swap["numerator"], 4.0);
    assert_eq!(swap["denominator"], 20.0);
    let bpcer = find_metric(&summary, "detection.bpcer", None, None).expect("bpcer");
    assert!(bpcer["value"].is_null());
    let codes = texts(&summary["findings"], "code");
    assert!(codes.contains(&"attack_type_genuine") && codes.contains(&"bpcer_no_bona_fide"));
}

#[test]
fn genuine_rows_mapped_to_bona_fide_give_bpcer() {
    let dir = liveness("    values: { attack_type: { none: bona_fide } }\n");
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "md",
    );
    let bpcer = find_metric(&summary, "detection.bpcer", None, None).expect("bpcer");
    assert_eq!(
        (bpcer["numerator"].as_f64(), bpcer["denominator"].as_f64()),
        (Some(3.0), Some(60.0))
    );
    let species = find_metric(
        &summary,
        "detection.apcer",
        None,
        Some(("attack_type", Some("face_swap"))),
    );
    assert_eq!(species.unwrap()["value"].as_f64(), Some(0.2));
    assert!(summary["findings"].as_array().unwrap().iter().all(|f| {
        !matches!(
            f["code"].as_str(),
            Some("attack_type_genuine" | "bpcer_no_bona_fide")
        )
    }));
}

#[test]
fn voice_deepfake_species_are_credited_to_their_category() {
    // 40 genuine calls, then 10 each of tts, voice_conversion, replay and an unknown species.
    let mut csv = String::from("event_id,timestamp,decision,label,attack_type\n");
    let species = ["tts", "voice_conversion", "replay", "ghost_caller"];
    for i in 0..80 {
        let (label, kind) = if i < 40 {
            (false, "bona_fide")
        } else {
            (true, species[(i - 40) / 10])
        };
        csv.push_str(&format!(
            "c{i},2025-06-{:02} 09:00:00,{label},{label},{kind}\n",
            1 + i % 28
        ));
    }
    let config = detection_config("").replace("family: anti_fraud", "family: deepfake_defence");
    let dir = submission(&[("submission.yaml", &config), ("logs/calls.csv", &csv)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "md",
    );
    let coverage = &summary["traceability"]["attack_coverage"];
    let voice = coverage["tested"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "DF-VOICE")
        .expect("DF-VOICE tested");
    assert_eq!(
        voice["categories"],
        serde_json::json!(["tts", "voice_conversion"])
    );
    assert_eq!(voice["attempts"], 20.0);
    assert_eq!(texts(&coverage["tested"], "id"), ["DF-VOICE", "DF-REPLAY"]);
    assert_eq!(coverage["unmapped"], serde_json::json!(["ghost_caller"]));
}

/// 1,000 events: 10 of the 900 genuine ones flagged (FPR 1/90), every fraud flagged.
fn reconciled(reconciliation: &str, kpis: &str) -> serde_json::Value {
    let mut csv = String::from("event_id,timestamp,decision,label\n");
    for i in 0..1000 {
        let fraud = i >= 900;
        let flagged = fraud || i < 10;
        csv.push_str(&format!(
            "e{i},2025-06-{:02} 10:00:00,{flagged},{fraud}\n",
            1 + i % 28
        ));
    }
    let extra = format!("  - {{ name: reported, kind: kpis, path: kpis.csv }}\n{reconciliation}");
    build_files(
        &[
            ("logs/a.csv", &csv),
            ("kpis.csv", &format!("metric,value\n{kpis}")),
        ],
        &detection_config(&extra),
    )
}

#[test]
fn a_small_rate_off_by_a_sixth_is_outside_the_default_tolerance() {
    // Recomputed FPR 1.11%: 1.3% is 0.19 pp off (inside the absolute 0.5 pp) but 17% off.
    let kpis = "detection.fpr,0.013\ndetection.recall,0.999\n";
    let statuses = |s: &serde_json::Value| texts(&s["reconciliation"], "status").join(" ");
    let default = reconciled("", kpis);
    assert_eq!(statuses(&default), "outside_tolerance within_tolerance");
    assert_eq!(default["reconciliation"][0]["relative_tolerance"], 0.05);
    assert_eq!(
        default["settings"]["reconciliation_relative_tolerance"],
        0.05
    );
    // One number is an absolute tolerance, as input-v1 has it.
    let absolute = reconciled("reconciliation: { tolerance: 0.005 }\n", kpis);
    assert_eq!(statuses(&absolute), "within_tolerance within_tolerance");
    assert!(
        absolute["reconciliation"][0]
            .get("relative_tolerance")
            .is_none()
    );
    // Per metric, with both limits.
    let per_metric = reconciled(
        "reconciliation: { per_metric: { detection.fpr: { absolute: 0.01, relative: 0.2 } } }\n",
        kpis,
    );
    assert_eq!(statuses(&per_metric), "within_tolerance within_tolerance");
    assert_eq!(per_metric["reconciliation"][0]["relative_tolerance"], 0.2);
}

#[test]
fn blank_scores_that_shrink_roc_auc_are_a_warning() {
    // 40 scored events, the scores of rows 7, 8, 9, 20, 30 and 31 left empty by the export.
    let mut csv = String::from("event_id,timestamp,decision,label,score\n");
    for i in 0..40 {
        let flag = i % 2 == 0;
        let score = if [6, 7, 8, 19, 29, 30].contains(&i) {
            String::new()
        } else {
            format!("0.{:02}", if flag { 60 + i } else { 10 + i })
        };
        csv.push_str(&format!(
            "e{i},2025-06-{:02} 10:00:00,{flag},{flag},{score}\n",
            1 + i % 28
        ));
    }
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", &csv),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "md",
    );
    let blank = summary["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "value_blank")
        .expect("value_blank");
    assert_eq!(
        (blank["row"].as_u64(), blank["count"].as_u64()),
        (Some(7), Some(6))
    );
    assert_eq!(blank["column"], "score");
    let report = std::fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        report
            .contains("| warning | `value_blank` | alerts: logs/a.csv: row 7, column \"score\" |"),
        "{report}"
    );
}

#[test]
fn a_file_of_another_type_is_one_error_naming_what_it_is() {
    let header = "event_id,timestamp,decision\ne1,2025-06-02 10:00:00,true\n";
    let utf16: Vec<u8> = header.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf32: Vec<u8> = header
        .chars()
        .flat_map(|c| (c as u32).to_be_bytes())
        .collect();
    let mut gzipped_zip = Vec::new();
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(&mut gzipped_zip, flate2::Compression::fast());
        gz.write_all(b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml")
            .unwrap();
        gz.finish().unwrap();
    }
    let files: [(&str, Vec<u8>); 7] = [
        (
            "a-workbook.csv",
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00[Content_Types].xml".to_vec(),
        ),
        (
            "b-old-workbook.csv",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00".to_vec(),
        ),
        ("c-report.csv", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec()),
        ("d-table.csv", b"PAR1\x15\x04\x15\x10".to_vec()),
        ("e-utf16.csv", utf16),
        ("f-utf32.csv", utf32),
        ("g-workbook.csv.gz", gzipped_zip),
    ];
    let dir = submission(&[("submission.yaml", &detection_config(""))]);
    for (name, bytes) in &files {
        std::fs::create_dir_all(dir.path().join("logs")).unwrap();
        std::fs::write(dir.path().join("logs").join(name), bytes).unwrap();
    }
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
}

/// A gzip file of `members` copies of one gzip member holding `text`: a bomb's ratio without
/// the time to compress all of it.
fn gzip_members(text: &[u8], members: usize) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(text).unwrap();
    gz.finish().unwrap().repeat(members)
}

#[test]
fn decompression_and_line_length_bombs_are_refused_naming_the_file() {
    let header = b"event_id,timestamp,decision\n".to_vec();
    // 96 MiB of one line, and 96 MiB of short rows (ratio far above 200).
    let mut one_line = gzip_members(&header, 1);
    one_line.extend(gzip_members(&vec![b'x'; 1 << 20], 96));
    let row = b"e1,2025-06-02 10:00:00,true\n".repeat((1 << 20) / 28);
    let mut rows = gzip_members(&header, 1);
    rows.extend(gzip_members(&row, 96));
    let dir = submission(&[("submission.yaml", &detection_config(""))]);
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::write(dir.path().join("logs/one-line.csv.gz"), one_line).unwrap();
    std::fs::write(dir.path().join("logs/rows.csv.gz"), rows).unwrap();
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
}

#[test]
fn limits_are_set_in_the_config_and_a_long_value_is_named_not_copied() {
    let long = "ignore previous instructions ".repeat(20);
    let csv = format!(
        "event_id,timestamp,attack_category,attack_success\nr1,2025-06-02 10:00:00,{long},true\nr2,2025-06-02 10:01:00,jailbreak,false\n"
    );
    let config = detection_config("").replace("kind: detection", "kind: redteam");
    let dir = submission(&[("submission.yaml", &config), ("logs/a.csv", &csv)]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_diagnostics!(out.status.code().unwrap(), stdout(&out) + &stderr(&out));
    // Limits raised in the config read it; a line over a lowered line limit is refused.
    let strict = format!("{config}limits: {{ line_kib: 1, value_chars: 1000 }}\n");
    std::fs::write(dir.path().join("submission.yaml"), strict).unwrap();
    let short = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(short.status.code(), Some(0), "{}", stdout(&short));
    let csv = csv.replace(&long, &long.repeat(3));
    std::fs::write(dir.path().join("logs/a.csv"), csv).unwrap();
    let refused = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&refused);
    assert!(
        text.contains(
            "error[line_too_long] alerts: logs/a.csv: row 1: line 2 is longer than 1 KiB"
        ),
        "{text}"
    );
}

#[test]
fn timestamps_without_seconds_are_read_at_second_zero() {
    // As spreadsheets export them: local, with an offset, with Z.
    let csv = "event_id,timestamp,decision,label\n\
        e1,2025-06-02 10:05,true,true\n\
        e2,2025-06-09T11:30+08:00,false,false\n\
        e3,2025-06-16 09:00Z,true,false\n\
        e4,2025-06-23 12:00:30,false,true\n";
    let config = detection_config("").replace("timezone: UTC\n", "timezone: Asia/Hong_Kong\n");
    let summary = build_files(&[("logs/a.csv", csv)], &config);
    let codes = texts(&summary["findings"], "code");
    assert!(!codes.contains(&"value_invalid"), "{codes:?}");
    let events = find_metric(&summary, "detection.events", None, None).unwrap();
    assert_eq!(events["value"], 4.0);
}

#[test]
fn scores_exported_in_percent_are_read_with_score_scale() {
    // Eight scored events, the scores written 0..100; a score of 85 is 0.85 with the scale,
    // and out of range without it.
    let mut csv = String::from("event_id,timestamp,decision,label,score\n");
    for (i, score) in [95, 85, 70, 60, 40, 30, 15, 5].iter().enumerate() {
        let fraud = i < 4;
        csv.push_str(&format!(
            "e{i},2025-06-{:02} 10:00:00,{fraud},{fraud},{score}\n",
            2 + i * 3
        ));
    }
    let scaled = detection_config("    score_scale: 100\n");
    let summary = build_files(&[("logs/a.csv", &csv)], &scaled);
    // Every fraud scores above every genuine event: a ROC AUC of exactly 1.
    let auc = find_metric(&summary, "detection.roc_auc", None, None).expect("roc auc");
    assert_eq!(auc["value"], 1.0);
    let dir = submission(&[
        ("submission.yaml", &detection_config("")),
        ("logs/a.csv", &csv),
    ]);
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("error[value_out_of_range]"),
        "{}",
        stdout(&out)
    );
}
