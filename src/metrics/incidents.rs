//! Incidents crossed by type and severity: one count per (type, severity) pair that occurs,
//! so that the report can show which types were serious (the metric list counts per type and
//! per severity separately). Counts only, computed by one polars group-by.

use polars::prelude::*;

use crate::model::{Arm, IncidentCount};
use crate::parts::Rows;

/// The (type, severity) counts of `rows`, sorted by type then severity text.
pub fn crosstab(rows: &Rows, stream: &str, arm: Option<Arm>) -> PolarsResult<Vec<IncidentCount>> {
    let counts = rows
        .filter(col("incident_type").is_not_null())
        .sum_by(
            &[col("incident_type"), col("incident_severity")],
            &[len().cast(DataType::UInt64).alias("count")],
        )?
        .lazy()
        .with_columns([
            col("incident_type").cast(DataType::String),
            col("incident_severity").cast(DataType::String),
        ])
        .sort(
            ["incident_type", "incident_severity"],
            SortMultipleOptions::default(),
        )
        .collect()?;
    let types = counts.column("incident_type")?.str()?;
    let severities = counts.column("incident_severity")?.str()?;
    let n = counts.column("count")?.u64()?;
    Ok((0..counts.height())
        .filter_map(|i| {
            Some(IncidentCount {
                stream: stream.to_string(),
                arm,
                incident_type: types.get(i)?.to_string(),
                incident_severity: severities.get(i).map(str::to_string),
                count: n.get(i)?,
            })
        })
        .collect())
}
