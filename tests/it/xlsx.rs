//! Issue 17, item 4: the Excel annex (`xlsx` in `report.formats` or `--format`).

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;

use crate::common::*;

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

/// A sheet's rows as text and numbers: the header, then (column name → cell) per row.
fn sheet(book: &mut Book, name: &str) -> (Vec<String>, Vec<Vec<Data>>) {
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut rows = range.rows();
    let header = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    (header, rows.map(|r| r.to_vec()).collect())
}

fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

#[test]
fn the_annex_holds_every_metric_of_summary_json_and_is_in_the_manifest() {
    let config = samples().join("submissions/harbour-bank-card-fraud/submission.yaml");
    let out = tempfile::tempdir().unwrap();
    let bundle = out.path().join("b");
    let summary = build_ok(&config, &bundle, "json,xlsx");
    let path = bundle.join("report.xlsx");
    let mut book: Book = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "About",
            "Metrics",
            "Criteria",
            "Reconciliation",
            "Findings",
            "Weekly series",
            "Incidents",
            "Streams",
            "Inputs",
            "Traceability"
        ]
    );
    let (header, rows) = sheet(&mut book, "Metrics");
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let metrics = summary["metrics"].as_array().unwrap();
    assert_eq!(rows.len(), metrics.len());
    for (row, metric) in rows.iter().zip(metrics) {
        assert_eq!(row[at("id")].to_string(), metric["id"].as_str().unwrap());
        assert_eq!(
            row[at("stream")].to_string(),
            metric["stream"].as_str().unwrap()
        );
        for field in ["value", "ci_low", "ci_high", "numerator", "denominator"] {
            assert_eq!(
                number(&row[at(field)]),
                metric[field].as_f64(),
                "{} {field}",
                metric["id"]
            );
        }
        let segment = &metric["segment"];
        if !segment.is_null() {
            assert_eq!(
                row[at("segment.attribute")].to_string(),
                segment["attribute"].as_str().unwrap()
            );
        }
    }
    let (_, findings) = sheet(&mut book, "Findings");
    assert_eq!(
        findings.len(),
        summary["findings"].as_array().unwrap().len()
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.to_string().contains("report.xlsx"), "{manifest}");
    let verified = run(&["verify", &path_str(&bundle)]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    // The same inputs and SOURCE_DATE_EPOCH give the same bytes.
    let again = out.path().join("again");
    build_ok(&config, &again, "json,xlsx");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(again.join("report.xlsx")).unwrap()
    );
}

#[test]
fn the_cohort_writes_an_annex_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    generate_bundles(&dir.path().join("bundles"), 5);
    let out = dir.path().join("cohort");
    let result = run(&[
        "cohort",
        &path_str(&dir.path().join("bundles")),
        "-o",
        &path_str(&out),
        "--format",
        "md,xlsx",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let record: Value =
        serde_json::from_slice(&std::fs::read(out.join("cohort.json")).unwrap()).unwrap();
    let mut book: Book = open_workbook(out.join("cohort.xlsx")).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "About");
    // Every top-level list of objects of cohort.json is a sheet with a row per object.
    for (key, value) in record.as_object().unwrap() {
        let Some(list) = value
            .as_array()
            .filter(|l| !l.is_empty() && l.iter().all(Value::is_object))
        else {
            continue;
        };
        let name = names
            .iter()
            .find(|n| n.to_lowercase() == key.replace('_', " "))
            .unwrap_or_else(|| panic!("no sheet for {key} in {names:?}"))
            .clone();
        let (_, rows) = sheet(&mut book, &name);
        assert_eq!(rows.len(), list.len(), "{key}");
    }
    assert!(out.join("shareable/cohort.xlsx").exists());
}
