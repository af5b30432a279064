//! Issue 17, item 3: Excel workbooks (`.xlsx`) read wherever CSV is, findings naming the sheet,
//! the row as Excel shows it and the cell.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::common::*;

/// A KPI sheet "Q3" after a first sheet of notes: header in row 1, metrics from row 2; row 14
/// holds `n/a` as the value of a metric.
fn kpi_workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Prepared by the risk team")
        .unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Q3").unwrap();
    let header = ["metric", "stream", "value", "period_start", "period_end"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for r in 1..14u32 {
        let metric = if r == 13 {
            "detection.precision"
        } else {
            "detection.recall"
        };
        sheet.write_string(r, 0, metric).unwrap();
        sheet.write_string(r, 1, "alerts").unwrap();
        if r == 13 {
            sheet.write_string(r, 2, "n/a").unwrap();
        } else {
            sheet.write_number(r, 2, 0.5).unwrap();
        }
        let start = ExcelDateTime::from_ymd(2025, 6, 1).unwrap();
        let end = ExcelDateTime::from_ymd(2025, 6, 30).unwrap();
        sheet
            .write_datetime_with_format(r, 3, &start, &date)
            .unwrap();
        sheet.write_datetime_with_format(r, 4, &end, &date).unwrap();
    }
    book.save(path).unwrap();
}

/// A detection log with Excel date-times: two frauds (one flagged), two genuine (one flagged).
fn log_workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in ["event_id", "timestamp", "decision", "label", "score"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ("E1", 2, true, true, 0.9),
        ("E2", 3, false, true, 0.2),
        ("E3", 4, true, false, 0.7),
        ("E4", 5, false, false, 0.1),
    ];
    for (i, (id, day, decision, label, score)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *id).unwrap();
        let t = ExcelDateTime::from_ymd(2025, 6, *day)
            .unwrap()
            .and_hms(10, 5, 0)
            .unwrap();
        sheet.write_datetime_with_format(r, 1, &t, &when).unwrap();
        sheet.write_boolean(r, 2, *decision).unwrap();
        sheet.write_boolean(r, 3, *label).unwrap();
        sheet.write_number(r, 4, *score).unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn a_workbook_log_is_read_with_its_dates_and_a_kpi_sheets_bad_value_names_sheet_row_and_cell() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    std::fs::create_dir_all(dir.path().join("kpis")).unwrap();
    log_workbook(&dir.path().join("logs/alerts.xlsx"));
    kpi_workbook(&dir.path().join("kpis/kpis.xlsx"));
    let config =
        detection_config("  - name: bank-kpis\n    kind: kpis\n    path: kpis\n    sheet: Q3\n");
    std::fs::write(dir.path().join("submission.yaml"), &config).unwrap();
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    let text = stdout(&out);
    let first: Vec<&str> = text.lines().filter(|l| l.starts_with("error")).collect();
    let first = first.join("\n");
    insta::assert_snapshot!(
        "excel_kpi_bad_value",
        diagnostics(out.status.code().unwrap(), &first)
    );
    // Without the bad row, the log's metrics come from the workbook's cells.
    let config = detection_config("");
    std::fs::write(dir.path().join("submission.yaml"), &config).unwrap();
    let summary = build_ok(
        &dir.path().join("submission.yaml"),
        &dir.path().join("out"),
        "json",
    );
    let recall = find_metric(&summary, "detection.recall", None, None).unwrap();
    assert_eq!(
        (recall["numerator"].as_f64(), recall["denominator"].as_f64()),
        (Some(1.0), Some(2.0))
    );
    let auc = find_metric(&summary, "detection.roc_auc", None, None).unwrap();
    assert_eq!(auc["value"].as_f64(), Some(0.75));
    let codes = texts(&summary["findings"], "code");
    assert!(!codes.contains(&"outside_period"), "{codes:?}");
}

#[test]
fn a_missing_sheet_is_an_error_naming_the_sheets_there_are() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    log_workbook(&dir.path().join("logs/alerts.xlsx"));
    let config = detection_config("    sheet: Q4\n");
    std::fs::write(dir.path().join("submission.yaml"), &config).unwrap();
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("error[file_unreadable] alerts: logs/alerts.xlsx: cannot read the Excel workbook: the workbook has no sheet \"Q4\"; its sheets: Sheet1"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_old_xls_workbook_in_a_folder_is_an_error_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    log_workbook(&dir.path().join("logs/alerts.xlsx"));
    // The OLE signature of an Excel 97-2003 file, then anything.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.extend(std::iter::repeat_n(0u8, 504));
    std::fs::write(dir.path().join("logs/old.xls"), xls).unwrap();
    std::fs::write(dir.path().join("submission.yaml"), detection_config("")).unwrap();
    let out = run(&["validate", &path_str(&dir.path().join("submission.yaml"))]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("error[file_unreadable] alerts: logs/old.xls: cannot read the Excel workbook: an Excel 97-2003 workbook (.xls), which is not read: save it as .xlsx"),
        "{}",
        stdout(&out)
    );
}
