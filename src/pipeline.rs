//! The submission pipeline from a loaded config to the report model: discover each stream's
//! files, ingest and validate them, compute the metrics, and assemble the `Summary`. Commands
//! call these stages; nothing here writes files.

use std::collections::BTreeMap;

use crate::assessment::{self, ReportedKpi};
use crate::config::{LoadedConfig, StreamConfig};
use crate::discover::{self, SourceFile};
use crate::error::{Error, Result};
use crate::ingest::{self, StreamLayout};
use crate::localise;
use crate::metrics::{self, FairnessSettings, StreamData};
use crate::model::{
    self, Code, CriterionResult, Distribution, Finding, Metric, ReconciliationRow, Series,
    Severity, StreamInfo, Summary,
};
use crate::schema::{self, StreamKind};
use crate::validate::{self, Validated};

/// One stream after validation.
pub struct CheckedStream {
    pub config: StreamConfig,
    pub files: Vec<SourceFile>,
    pub validated: Validated,
    /// Rows read per file display path.
    pub rows: BTreeMap<String, u64>,
}

/// Every stream of a submission after validation, with all findings in order.
pub struct Checked {
    pub streams: Vec<CheckedStream>,
    pub findings: Vec<Finding>,
    /// Size, time of change and hash of every input file, from its first read.
    pub inspected: ingest::Inspections,
}

impl Checked {
    pub fn error_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// Discovers, ingests and validates every stream of the config.
pub fn check(loaded: &LoadedConfig) -> Result<Checked> {
    let ctx_base = context(loaded);
    let mut streams = Vec::new();
    let mut findings = Vec::new();
    let mut inspected = ingest::Inspections::new();
    for stream in &loaded.config.streams {
        let name = stream.name.value.clone();
        let _span = tracing::info_span!("stream", name = %name).entered();
        let found = discover::discover(
            &loaded.dir,
            &name,
            &stream.path.value,
            stream.include.as_deref(),
            stream.format,
        );
        tracing::info!(files = found.files.len(), "discovered");
        let layout = layout(loaded, stream);
        let opened = ingest::open(&layout, &found.files, &mut inspected);
        let mut ctx = ctx_base.clone();
        ctx.values = value_mappings(stream);
        ctx.categorical_text = stream.kind.is_event_log();
        ctx.score_scale = stream.score_scale.as_ref().map(|s| s.value);
        ctx.decimal_comma = stream
            .csv
            .as_ref()
            .is_some_and(|c| c.options().decimal_comma);
        ctx.timestamp_formats = stream
            .timestamp_format
            .as_ref()
            .map(|f| f.value.list().into_iter().cloned().collect())
            .unwrap_or_default();
        if !stream.kind.is_event_log() {
            ctx.period_utc = None;
        }
        let mut validated =
            validate::validate(opened, &layout, &ctx).map_err(|source| Error::Data {
                stream: name.clone(),
                source,
            })?;
        let mut stream_findings = found.findings;
        stream_findings.append(&mut validated.findings);
        let read_any = !validated.rows.is_empty();
        stream_findings.extend(stream_level_findings(stream, &validated, read_any));
        let currency = loaded.config.currency.as_deref();
        stream_findings.extend(currency_finding(stream, &validated, currency));
        tracing::info!(
            rows = validated.rows_read,
            events = validated.clean.height(),
            "validated"
        );
        findings.extend(stream_findings);
        streams.push(CheckedStream {
            config: stream.clone(),
            files: found.files,
            rows: validated.rows.clone(),
            validated,
        });
    }
    Ok(Checked {
        streams,
        findings,
        inspected,
    })
}

fn layout(loaded: &LoadedConfig, stream: &StreamConfig) -> StreamLayout {
    let mut columns = schema::columns(stream.kind);
    let segments = stream_segments(loaded, stream);
    columns.extend(segments.iter().map(|s| schema::segment_column(s)));
    StreamLayout {
        covers_period: matches!(stream.kind, StreamKind::Detection | StreamKind::Assistant),
        segments,
        name: stream.name.value.clone(),
        columns,
        rename: stream
            .columns
            .iter()
            .map(|(canonical, source)| (canonical.clone(), source.value.clone()))
            .collect(),
        value_mapped: stream.values.keys().cloned().collect(),
        limits: loaded.config.limits,
        redteam: stream.kind == StreamKind::Redteam,
        read: ingest::format::ReadOptions {
            garak: stream.garak.unwrap_or_default(),
            promptfoo: stream.promptfoo.clone().unwrap_or_default(),
            inspect: stream.inspect.clone(),
            limits: loaded.config.limits,
            csv: stream.csv.as_ref().map(|c| c.options()).unwrap_or_default(),
            sheet: stream.sheet.clone(),
        },
    }
}

/// The segment attributes of a stream: its own `segments`, else the top-level ones (only for
/// the kinds that take segments); a redteam stream has only its own (a tool's `strategy`,
/// `probe`, `intent`: the attack success rate per group).
fn stream_segments(loaded: &LoadedConfig, stream: &StreamConfig) -> Vec<String> {
    if stream.kind == StreamKind::Redteam {
        let own = stream.segments.iter().flatten();
        return own.map(|s| s.value.clone()).collect();
    }
    if !schema::takes_segments(stream.kind) {
        return Vec::new();
    }
    let config = &loaded.config;
    config
        .segments_for(stream)
        .iter()
        .map(|s| s.value.clone())
        .collect()
}

fn value_mappings(stream: &StreamConfig) -> BTreeMap<String, Vec<(String, String)>> {
    stream
        .values
        .iter()
        .map(|(column, mapping)| {
            let pairs = mapping
                .value
                .iter()
                .map(|(from, to)| (from.0.clone(), to.as_text()))
                .collect();
            (column.clone(), pairs)
        })
        .collect()
}

/// The validation context shared by the streams: timezone and period bounds in UTC.
fn context(loaded: &LoadedConfig) -> validate::Context {
    let period = loaded.config.submission.period.value;
    let tz = loaded.timezone;
    let start = crate::zones::day_start_micros(tz, period.start);
    let end = period
        .end
        .succ_opt()
        .map(|d| crate::zones::day_start_micros(tz, d));
    validate::Context {
        timezone: tz.name().to_string(),
        steady_offset: crate::zones::steady_offset_micros(tz, period.start, period.end),
        timezone_given: loaded.config.timezone_given(),
        period_utc: end.map(|end| (start, end)),
        period_text: format!("{} to {} ({})", period.start, period.end, tz.name()),
        values: BTreeMap::new(),
        categorical_text: false,
        score_scale: None,
        decimal_comma: false,
        timestamp_formats: Vec::new(),
    }
}

/// Money columns (`cost`, `amount`) without a `currency` in the config: the amounts would be
/// printed without a unit, and a cohort could not tell them from another bank's currency.
fn currency_finding(
    stream: &StreamConfig,
    v: &Validated,
    currency: Option<&str>,
) -> Option<Finding> {
    if currency.is_some() {
        return None;
    }
    let column = ["cost", "amount"]
        .into_iter()
        .find(|c| v.present.contains(*c))?;
    let message = format!(
        "the stream has {} {column} column but the config sets no currency; money is printed without a unit and a cohort leaves it out of comparisons",
        if column == "amount" { "an" } else { "a" }
    );
    Some(
        Finding::new(Code::CurrencyMissing, message)
            .in_stream(stream.name.value.clone())
            .in_column(Some(column.into()))
            .with_hint("set `currency:` at the top of the config, e.g. currency: HKD"),
    )
}

/// Findings about the stream as a whole rather than about rows.
/// `read_any` tells whether at least one file was read (a stream whose files all failed has
/// errors enough; it gets no "empty" warning on top).
fn stream_level_findings(stream: &StreamConfig, v: &Validated, read_any: bool) -> Vec<Finding> {
    let warn = |code: Code, column: Option<&str>, message: String| {
        Finding::new(code, message)
            .in_stream(stream.name.value.clone())
            .in_column(column.map(str::to_string))
    };
    let mut out = Vec::new();
    if v.present.contains("incident_type") && !v.present.contains("incident_severity") {
        out.push(warn(
            Code::ColumnMissing,
            Some("incident_severity"),
            "expected an incident_severity column next to incident_type, found none".into(),
        ));
    }
    if stream.kind == StreamKind::Detection && !v.present.contains("label") && !v.present.is_empty()
    {
        out.push(warn(
            Code::LabelAbsent,
            Some("label"),
            "the stream has no label column; confusion-matrix metrics cannot be computed".into(),
        ));
    }
    if stream.kind.is_event_log() && v.clean.height() == 0 && read_any {
        let message = if v.rows_read == 0 {
            "the stream's files hold no rows; every metric of it is empty"
        } else {
            "no event is left after leaving out rows outside the period or with errors"
        };
        out.push(warn(Code::StreamEmpty, None, message.into()));
    }
    out
}

/// The computed results of a submission: metrics, series, assessment and the warnings the
/// computations raised.
#[derive(Default)]
pub struct Results {
    pub metrics: Vec<Metric>,
    pub series: Vec<Series>,
    pub distributions: Vec<Distribution>,
    pub incidents: Vec<model::IncidentCount>,
    pub criteria: Vec<CriterionResult>,
    pub reconciliation: Vec<ReconciliationRow>,
    pub findings: Vec<Finding>,
}

/// Computes the metrics of every event stream, then evaluates criteria and reconciles KPIs.
pub fn results(loaded: &LoadedConfig, checked: &Checked) -> Result<Results> {
    let config = &loaded.config;
    let period = config.submission.period.value;
    let mut out = Results {
        metrics: Vec::new(),
        series: Vec::new(),
        distributions: Vec::new(),
        incidents: Vec::new(),
        criteria: Vec::new(),
        reconciliation: Vec::new(),
        findings: Vec::new(),
    };
    for stream in checked
        .streams
        .iter()
        .filter(|s| s.config.kind.is_event_log())
    {
        let name = &stream.config.name.value;
        let segments = stream_segments(loaded, &stream.config);
        let data_error = |source| Error::Data {
            stream: name.clone(),
            source,
        };
        let data = StreamData {
            name,
            kind: stream.config.kind,
            clean: stream.validated.clean.rows().map_err(data_error)?,
            present: &stream.validated.present,
            segments: &segments,
            currency: config.currency.as_deref(),
            timezone: loaded.timezone.name(),
            period: (period.start, period.end),
            fairness: FairnessSettings {
                min_group_size: config.fairness.min_group_size,
                disparate_impact_floor: config.fairness.disparate_impact_floor,
            },
        };
        let computed = metrics::compute(&data).map_err(data_error)?;
        out.metrics.extend(computed.metrics);
        out.series.extend(computed.series);
        out.distributions.extend(computed.distributions);
        out.incidents.extend(computed.incidents);
        out.findings.extend(computed.findings);
    }
    out.criteria = assessment::evaluate_criteria(
        &config
            .criteria
            .iter()
            .map(|c| c.value.clone())
            .collect::<Vec<_>>(),
        &out.metrics,
    );
    for stream in checked
        .streams
        .iter()
        .filter(|s| s.config.kind == StreamKind::Kpis)
    {
        let kpis = stream
            .validated
            .clean
            .collect()
            .and_then(|frame| ReportedKpi::from_frame(&frame))
            .map_err(|source| Error::Data {
                stream: stream.config.name.value.clone(),
                source,
            })?;
        let (start, end) = (period.start.to_string(), period.end.to_string());
        out.reconciliation.extend(assessment::reconcile(
            &kpis,
            &out.metrics,
            &config.reconciliation,
            (&start, &end),
        ));
    }
    Ok(out)
}

/// A submission checked and computed: what `validate` prints and `build` renders.
pub struct Assessed {
    pub checked: Checked,
    /// The report model, without `inputs` (hashed only when a bundle is written); its
    /// findings are every finding of the run, the PDF's glyph check included.
    pub summary: Summary,
}

impl Assessed {
    pub fn error_count(&self) -> usize {
        self.summary
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// Checks and computes a submission, the same way for `validate` and `build`, so both report
/// the same findings. `pdf` adds the check that the PDF can print every character.
pub fn assess(loaded: &LoadedConfig, pdf: bool, generated_at: String) -> Result<Assessed> {
    let timer = std::time::Instant::now();
    let checked = check(loaded)?;
    let elapsed_ms = timer.elapsed().as_millis() as u64;
    tracing::info!(elapsed_ms, "read and validated the inputs");
    let timer = std::time::Instant::now();
    // Metrics need clean inputs (a missing required column leaves nothing to compute from);
    // with errors, the findings so far are the answer.
    let results = if checked.error_count() == 0 {
        results(loaded, &checked)?
    } else {
        Results::default()
    };
    let elapsed_ms = timer.elapsed().as_millis() as u64;
    tracing::info!(elapsed_ms, "computed the metrics");
    let mut summary = summary(loaded, &checked, results, Vec::new(), generated_at);
    let language = loaded.config.report.language;
    let (narrative, notes) = localise::narrative(&loaded.config.submission.narrative, language);
    summary.submission.narrative = narrative;
    summary.findings.extend(notes);
    let frameworks = loaded.config.report.frameworks.as_deref();
    summary.traceability = Some(crate::traceability::evaluate(&summary, frameworks));
    let species = crate::traceability::species_findings(&summary);
    summary.findings.extend(species);
    if pdf {
        let glyphs = crate::glyphs::findings(&summary);
        summary.findings.extend(glyphs);
    }
    Ok(Assessed { checked, summary })
}

/// Assembles the report model from the checked streams and their metrics.
pub fn summary(
    loaded: &LoadedConfig,
    checked: &Checked,
    results: Results,
    inputs: Vec<model::InputFile>,
    generated_at: String,
) -> Summary {
    let config = &loaded.config;
    let sub = &config.submission;
    Summary {
        schema: model::SUMMARY_SCHEMA.into(),
        schema_version: model::SUMMARY_VERSION,
        tool: model::Tool::this(),
        generated_at,
        submission: model::SubmissionInfo {
            institution: model::Institution {
                id: sub.institution.id.0.clone(),
                name: sub.institution.name.clone(),
            },
            programme: sub.programme.0.clone(),
            cohort: sub.cohort.0.clone(),
            use_case: model::UseCaseInfo {
                id: sub.use_case.id.0.clone(),
                title: sub.use_case.title.clone(),
                family: sub.use_case.family,
            },
            period: model::Period {
                start: sub.period.value.start,
                end: sub.period.value.end,
            },
            technology_partner: sub.technology_partner.clone(),
            plan_reference: sub.plan_reference.as_ref().map(|p| p.0.clone()),
            contacts: sub.contacts.iter().map(contact).collect(),
            system: sub.system.clone(),
            narrative: model::Narrative::default(),
            declared: sub.declared(),
        },
        settings: model::Settings {
            timezone: loaded.timezone.name().into(),
            currency: config.currency.clone(),
            segments: config.segments.iter().map(|s| s.value.clone()).collect(),
            fairness_min_group_size: config.fairness.min_group_size,
            disparate_impact_floor: config.fairness.disparate_impact_floor,
            reconciliation_tolerance: config.reconciliation.tolerance.resolve().absolute,
            reconciliation_relative_tolerance: config.reconciliation.tolerance.resolve().relative,
            reconciliation_per_metric: config
                .reconciliation
                .per_metric
                .iter()
                .map(|(id, t)| (id.clone(), t.value.resolve().absolute))
                .collect(),
            reconciliation_per_metric_relative: config
                .reconciliation
                .per_metric
                .iter()
                .filter_map(|(id, t)| Some((id.clone(), t.value.resolve().relative?)))
                .collect(),
            confidence_level: 0.95,
            language: config.report.language,
        },
        streams: checked
            .streams
            .iter()
            .map(|s| stream_info(loaded, s))
            .collect(),
        metrics: results.metrics,
        series: results.series,
        distributions: results.distributions,
        incidents: results.incidents,
        criteria: results.criteria,
        reconciliation: results.reconciliation,
        findings: checked
            .findings
            .iter()
            .cloned()
            .chain(results.findings)
            .collect(),
        inputs,
        traceability: None,
        lineage: None,
    }
}

fn stream_info(loaded: &LoadedConfig, stream: &CheckedStream) -> StreamInfo {
    let v = &stream.validated;
    StreamInfo {
        segments: stream_segments(loaded, &stream.config),
        name: stream.config.name.value.clone(),
        kind: stream.config.kind,
        events: v.clean.height() as u64,
        rows_read: v.rows_read,
        rows_outside_period: v.rows_outside_period,
        has_arms: v.present.contains("arm"),
    }
}

/// A config contact as the summary records it.
fn contact(c: &crate::config::Contact) -> model::Contact {
    model::Contact {
        name: c.name.clone(),
        role: c.role.clone(),
        email: c.email.clone(),
    }
}
