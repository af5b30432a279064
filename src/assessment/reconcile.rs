//! Reconciliation: each KPI a bank reported in a `kpis` stream, next to the same metric
//! recomputed from the logs, within or outside the configured absolute tolerance (one for
//! all metrics, or set per metric).

use polars::prelude::*;

use super::{find, resolve_arm, resolve_stream};
use crate::config::Reconciliation;
use crate::model::{KpiStatus, Metric, ReconciliationRow, Segment};

/// One row of a kpis stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedKpi {
    pub metric: String,
    pub value: f64,
    pub stream: Option<String>,
    pub segment: Option<Segment>,
    /// The days the KPI covers (`YYYY-MM-DD`), when the sheet says.
    pub period: (Option<String>, Option<String>),
}

impl ReportedKpi {
    /// The KPIs of a validated kpis stream (a few rows, read into Rust).
    pub fn from_frame(frame: &DataFrame) -> PolarsResult<Vec<ReportedKpi>> {
        let text = |name: &str| -> PolarsResult<Vec<Option<String>>> {
            Ok(match frame.column(name) {
                Ok(c) => c.str()?.iter().map(|v| v.map(str::to_string)).collect(),
                Err(_) => vec![None; frame.height()],
            })
        };
        let date = |name: &str| -> PolarsResult<Vec<Option<String>>> {
            Ok(match frame.column(name) {
                Ok(c) => c
                    .cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|v| v.map(str::to_string))
                    .collect(),
                Err(_) => vec![None; frame.height()],
            })
        };
        let (start, end) = (date("period_start")?, date("period_end")?);
        let metric = text("metric")?;
        let stream = text("stream")?;
        let attribute = text("segment_attribute")?;
        let value_of_segment = text("segment_value")?;
        let value = frame.column("value")?.f64()?;
        Ok((0..frame.height())
            .filter_map(|i| {
                Some(ReportedKpi {
                    metric: metric[i].clone()?,
                    value: value.get(i)?,
                    stream: stream[i].clone(),
                    segment: attribute[i].clone().map(|attribute| Segment {
                        attribute,
                        value: value_of_segment[i].clone(),
                    }),
                    period: (start[i].clone(), end[i].clone()),
                })
            })
            .collect())
    }
}

/// Compares every reported KPI with the recomputed metric. A KPI that states a period other
/// than the report's (`period`: first and last day) is not recomputable from these logs.
pub fn reconcile(
    kpis: &[ReportedKpi],
    metrics: &[Metric],
    settings: &Reconciliation,
    period: (&str, &str),
) -> Vec<ReconciliationRow> {
    kpis.iter()
        .map(|k| {
            let stream = resolve_stream(metrics, &k.metric, k.stream.as_deref());
            let arm = stream.and_then(|s| resolve_arm(metrics, s, None));
            let same_period = k.period.0.as_deref().is_none_or(|d| d == period.0)
                && k.period.1.as_deref().is_none_or(|d| d == period.1);
            let computed = stream
                .filter(|_| same_period)
                .and_then(|s| find(metrics, &k.metric, s, k.segment.as_ref(), arm))
                .and_then(|m| m.value);
            let difference = computed.map(|c| k.value - c).filter(|d| d.is_finite());
            let tolerance = settings.tolerance_for(&k.metric);
            let status = match (difference, computed) {
                (Some(d), Some(c)) if tolerance.admits(d, c) => KpiStatus::WithinTolerance,
                (Some(_), _) => KpiStatus::OutsideTolerance,
                (None, _) => KpiStatus::NotRecomputable,
            };
            ReconciliationRow {
                metric: k.metric.clone(),
                stream: stream.map(str::to_string).or_else(|| k.stream.clone()),
                segment: k.segment.clone(),
                reported: k.value,
                computed,
                difference,
                tolerance: Some(tolerance.absolute),
                relative_tolerance: tolerance.relative,
                status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(id: &str, value: Option<f64>) -> Metric {
        Metric {
            id: id.into(),
            stream: "s".into(),
            value,
            ci_low: None,
            ci_high: None,
            numerator: None,
            denominator: None,
            unit: "ratio".into(),
            segment: None,
            arm: None,
            threshold: None,
        }
    }

    #[test]
    fn statuses() {
        let metrics = [
            metric("detection.recall", Some(0.9312)),
            metric("detection.fpr", None),
            metric("assistant.csat_mean", Some(4.1)),
        ];
        let mut settings = Reconciliation::default();
        let csat = serde_saphyr::Spanned::new(
            crate::config::ToleranceSpec::Absolute(0.05),
            serde_saphyr::Location::UNKNOWN,
            serde_saphyr::Location::UNKNOWN,
        );
        settings
            .per_metric
            .insert("assistant.csat_mean".into(), csat);
        let kpi = |id: &str, v: f64| ReportedKpi {
            metric: id.into(),
            value: v,
            stream: None,
            segment: None,
            period: (None, None),
        };
        let rows = reconcile(
            &[
                kpi("detection.recall", 0.94),
                kpi("detection.recall", 0.933),
                kpi("detection.fpr", 0.1),
                kpi("detection.eer", 0.1),
                kpi("assistant.csat_mean", 4.14),
                kpi("assistant.csat_mean", 4.2),
            ],
            &metrics,
            &settings,
            ("2025-06-01", "2025-08-31"),
        );
        let statuses: Vec<KpiStatus> = rows.iter().map(|r| r.status).collect();
        use KpiStatus::{NotRecomputable, OutsideTolerance, WithinTolerance};
        assert_eq!(
            statuses,
            [
                OutsideTolerance,
                WithinTolerance,
                NotRecomputable,
                NotRecomputable,
                WithinTolerance,
                OutsideTolerance
            ]
        );
        assert_eq!(rows[0].tolerance, Some(0.005));
        assert_eq!(rows[0].relative_tolerance, Some(0.05));
        assert_eq!(rows[4].relative_tolerance, None);
        assert_eq!(rows[4].tolerance, Some(0.05));
        assert!((rows[0].difference.unwrap() - 0.0088).abs() < 1e-12);
        assert_eq!(rows[0].stream.as_deref(), Some("s"));
    }

    /// A rate of 0.17% reported as 0.20%: 0.03 pp is inside the absolute half point, 17% of
    /// the value is outside the default relative 5%; a tolerance given as one number is
    /// absolute only (input-v1), and `{ absolute, relative }` may widen either.
    #[test]
    fn a_small_rate_is_held_to_the_relative_tolerance() {
        use crate::config::{ToleranceLimits, ToleranceSpec};
        let metrics = [metric("detection.fpr", Some(0.0017))];
        let kpi = ReportedKpi {
            metric: "detection.fpr".into(),
            value: 0.0020,
            stream: None,
            segment: None,
            period: (None, None),
        };
        let status = |tolerance: ToleranceSpec| {
            let settings = Reconciliation {
                tolerance,
                ..Reconciliation::default()
            };
            reconcile(
                std::slice::from_ref(&kpi),
                &metrics,
                &settings,
                ("2025-06-01", "2025-08-31"),
            )[0]
            .status
        };
        let limits =
            |absolute, relative| ToleranceSpec::Limits(ToleranceLimits { absolute, relative });
        assert_eq!(
            status(ToleranceSpec::default()),
            KpiStatus::OutsideTolerance
        );
        assert_eq!(
            status(ToleranceSpec::Absolute(0.005)),
            KpiStatus::WithinTolerance
        );
        assert_eq!(status(limits(0.005, 0.2)), KpiStatus::WithinTolerance);
        assert_eq!(status(limits(0.0001, 0.2)), KpiStatus::OutsideTolerance);
    }
}
