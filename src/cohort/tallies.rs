//! Cohort tallies with polars: incidents across the cohort (all, per type, per severity, with
//! the rate per thousand events of the streams that record incidents) and data-quality
//! findings per bank, by severity and code.

use crate::model::Arm;
use std::collections::BTreeMap;

use polars::prelude::*;

use super::bundles::LoadedBundle;
use super::model::{FindingCount, IncidentRow};

/// Incidents across the cohort from the `incidents.total` values of the long frame.
pub fn incidents(
    long: &DataFrame,
    bundles: &[LoadedBundle],
    names: &BTreeMap<String, String>,
    min_banks: u64,
) -> PolarsResult<Vec<IncidentRow>> {
    if long.height() == 0 {
        return Ok(Vec::new());
    }
    let events = incident_events(bundles, names)?;
    let totals = long
        .clone()
        .lazy()
        .filter(
            col("id").eq(lit("incidents.total")).and(
                col("arm")
                    .is_null()
                    .or(col("arm").neq(lit(Arm::Delta.as_str()))),
            ),
        )
        .group_by([col("seg_attribute"), col("seg_value")])
        .agg([
            col("value").sum().alias("total"),
            col("bank").n_unique().cast(DataType::UInt64).alias("banks"),
        ])
        .sort(
            ["seg_attribute", "seg_value"],
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .collect()?;
    let attribute = totals.column("seg_attribute")?.str()?;
    let group = totals.column("seg_value")?.str()?;
    let total = totals.column("total")?.f64()?;
    let banks = totals.column("banks")?.u64()?;
    let rows = (0..totals.height())
        .map(|i| {
            let banks = banks.get(i).unwrap_or(0);
            let suppressed = banks < min_banks;
            let total = total.get(i).filter(|_| !suppressed);
            let events = Some(events).filter(|e| !suppressed && *e > 0.0);
            let (kind, severity) = match attribute.get(i) {
                Some("incident_type") => (group.get(i).map(str::to_string), None),
                Some("incident_severity") => (None, group.get(i).map(str::to_string)),
                _ => (None, None),
            };
            IncidentRow {
                kind,
                severity,
                banks,
                suppressed,
                total,
                events,
                per_1k: total.zip(events).map(|(t, e)| t / e * 1000.0),
            }
        })
        .collect();
    Ok(rows)
}

/// Events of the streams that record incidents, summed over the cohort.
fn incident_events(
    bundles: &[LoadedBundle],
    names: &BTreeMap<String, String>,
) -> PolarsResult<f64> {
    let (mut bank, mut stream, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for b in bundles {
        let recorded: Vec<&str> = b
            .summary
            .metrics
            .iter()
            .filter(|m| m.id == "incidents.total" && m.segment.is_none())
            .map(|m| m.stream.as_str())
            .collect();
        for s in b
            .summary
            .streams
            .iter()
            .filter(|s| recorded.contains(&s.name.as_str()))
        {
            bank.push(
                names
                    .get(&b.summary.submission.institution.id)
                    .cloned()
                    .unwrap_or_default(),
            );
            stream.push(s.name.clone());
            events.push(s.events);
        }
    }
    let frame = df!("bank" => bank, "stream" => stream, "events" => events)?;
    let sum = frame.lazy().select([col("events").sum()]).collect()?;
    Ok(sum.column("events")?.f64()?.get(0).unwrap_or(0.0))
}

/// Findings per bank, severity and code, with the rows they concern summed.
pub fn findings(
    bundles: &[LoadedBundle],
    names: &BTreeMap<String, String>,
) -> PolarsResult<Vec<FindingCount>> {
    let (mut bank, mut severity, mut code, mut count) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for b in bundles {
        let name = names
            .get(&b.summary.submission.institution.id)
            .cloned()
            .unwrap_or_default();
        for f in &b.summary.findings {
            bank.push(name.clone());
            severity.push(f.severity.clone());
            code.push(f.code.clone());
            count.push(f.count);
        }
    }
    let frame = df!("bank" => bank, "severity" => severity, "code" => code, "count" => count)?;
    let grouped = frame
        .lazy()
        .group_by([col("bank"), col("severity"), col("code")])
        .agg([col("count").sum()])
        .sort(["bank", "severity", "code"], SortMultipleOptions::default())
        .collect()?;
    let text = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(grouped
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let (bank, severity, code) = (text("bank")?, text("severity")?, text("code")?);
    let count = grouped.column("count")?.f64()?;
    Ok((0..grouped.height())
        .map(|i| FindingCount {
            bank: bank[i].clone(),
            severity: severity[i].clone(),
            code: code[i].clone(),
            count: count.get(i).unwrap_or(0.0),
        })
        .collect())
}
