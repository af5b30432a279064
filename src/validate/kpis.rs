//! The rules of a `kpis` stream beyond its column types: `metric` must be a metric id of the
//! catalogue (with a "did you mean"), a ratio metric's value must be a fraction in [0, 1] (a
//! bank writing 85 for 85% is told to write 0.85), and a segment needs both its attribute and
//! its value.

use polars::prelude::*;

use super::checks::Check;
use super::hints::Hint;
use super::parse;
use super::parsed;
use crate::ingest::StreamLayout;
use crate::metrics::catalogue;
use crate::model::Code;
use crate::schema::ColumnSpec;

/// Every KPI rule for the columns `present` in the stream.
pub(super) fn checks(layout: &StreamLayout, present: &[&ColumnSpec]) -> Vec<Check> {
    let has = |name: &str| present.iter().any(|c| c.name == name);
    if !has("metric") {
        return Vec::new();
    }
    let mut checks = vec![unknown_metric(layout)];
    if has("value") {
        checks.push(ratio_out_of_bounds(layout));
    }
    checks.extend(segment_pairs(layout, &has));
    checks
}

fn id_list(ids: Vec<&str>) -> Expr {
    lit(Series::new("ids".into(), ids)).implode(true)
}

fn unknown_metric(layout: &StreamLayout) -> Check {
    let metric = parsed("metric");
    Check {
        code: Code::ValueNotAllowed,
        column: Some(layout.source_name("metric").to_string()),
        mask: metric
            .clone()
            .is_not_null()
            .and(metric.is_in(id_list(catalogue::ids().collect()), false).not()),
        found: Some("metric".to_string()),
        template: "expected a metric id of summary-v1 (sandbox-report explain --list lists them), found \"{found}\"".into(),
        hint: Some((Hint::MetricId, "metric".into())),
        per_value: true,
    }
}

/// A value outside [0, 1] for a metric whose values are fractions.
fn ratio_out_of_bounds(layout: &StreamLayout) -> Check {
    let bounded: Vec<&str> = catalogue::all()
        .iter()
        .filter(|m| m.bounds(false).is_some())
        .map(|m| m.id.as_str())
        .collect();
    let value = parsed("value");
    let outside = value.clone().lt(lit(0.0)).or(value.clone().gt(lit(1.0)));
    Check {
        code: Code::ValueOutOfRange,
        column: Some(layout.source_name("value").to_string()),
        mask: parsed("metric")
            .is_in(id_list(bounded), false)
            .and(value.is_not_null())
            .and(outside),
        found: Some("value".to_string()),
        template: "expected a fraction in [0, 1] for a ratio metric, found \"{found}\"".into(),
        hint: Some((Hint::Percent, "value".into())),
        per_value: false,
    }
}

/// `segment_attribute` and `segment_value` come together.
fn segment_pairs(layout: &StreamLayout, has: &dyn Fn(&str) -> bool) -> Vec<Check> {
    let given = |name: &str| {
        if has(name) {
            parse::is_blank(name).not()
        } else {
            lit(false)
        }
    };
    [
        ("segment_value", "segment_attribute"),
        ("segment_attribute", "segment_value"),
    ]
    .into_iter()
    .filter(|(name, _)| has(name))
    .map(|(name, other)| Check {
        code: Code::ValueMissing,
        column: Some(layout.source_name(other).to_string()),
        mask: given(name).and(given(other).not()),
        found: None,
        template: format!(
            "expected {other} next to {name} (a segment needs both), found an empty cell"
        ),
        hint: None,
        per_value: false,
    })
    .collect()
}
