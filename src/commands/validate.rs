//! `sandbox-report validate`: check a submission and list every finding at once, as text for
//! people or JSON for programs. Writes nothing.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::args::{ReportFormat, ValidateArgs};
use crate::clock::Clock;
use crate::config::{self, OutputFormat};
use crate::error::{Outcome, Result};
use crate::model::{Finding, Severity};
use crate::pipeline;
use crate::render::view::location;
use crate::templates::TemplateSet;

pub fn run(args: &ValidateArgs) -> Result<Outcome> {
    let mut loaded = config::load(&args.config)?;
    if let Some(language) = args.language {
        loaded.config.report.language = language.into();
    }
    // The template folder is part of the config: build would stop on it, so validate does too.
    TemplateSet::load(&loaded.config.report.template, &loaded.dir)?;
    let pdf = loaded.config.report.formats.contains(&OutputFormat::Pdf);
    let clock = Clock::from_env()?;
    let assessed = pipeline::assess(&loaded, pdf, clock.rfc3339())?;
    let (checked, findings) = (&assessed.checked, &assessed.summary.findings);
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Text => {
            print_findings(findings, args.max_per_code, &mut out);
            let rows: u64 = checked.streams.iter().map(|s| s.validated.rows_read).sum();
            let files: usize = checked.streams.iter().map(|s| s.files.len()).sum();
            let _ = writeln!(
                out,
                "{} stream(s), {files} file(s), {rows} row(s) read",
                checked.streams.len()
            );
            if assessed.error_count() == 0 {
                let formats: Vec<&str> = loaded
                    .config
                    .report
                    .formats
                    .iter()
                    .map(|f| f.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "ready to build: {} metric value(s), {} criteria, reports as {}; run `sandbox-report build {} -o OUT`",
                    assessed.summary.metrics.len(),
                    assessed.summary.criteria.len(),
                    formats.join(", "),
                    args.config.display()
                );
            }
            if args.requirements {
                print_requirements(assessed.summary.traceability.as_ref(), &mut out);
            }
        }
        ReportFormat::Json => {
            let report = JsonReport {
                errors: count(findings, Severity::Error),
                warnings: count(findings, Severity::Warning),
                findings,
                traceability: assessed
                    .summary
                    .traceability
                    .as_ref()
                    .filter(|_| args.requirements),
            };
            let _ = serde_json::to_writer_pretty(&mut out, &report);
            let _ = writeln!(out);
        }
    }
    Ok(if assessed.error_count() > 0 {
        Outcome::InputErrors
    } else {
        Outcome::Success
    })
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    traceability: Option<&'a crate::model::Traceability>,
}

/// The requirement statuses, counted, then every gap with what would close it and every
/// requirement of the data that is only declared.
fn print_requirements(trace: Option<&crate::model::Traceability>, out: &mut dyn Write) {
    use crate::model::TraceStatus;
    let Some(trace) = trace else { return };
    let n = |s: TraceStatus| trace.requirements.iter().filter(|r| r.status == s).count();
    let _ = writeln!(
        out,
        "requirements: {} evidenced, {} declared, {} gap(s), {} not applicable ({})",
        n(TraceStatus::Evidenced),
        n(TraceStatus::Declared),
        n(TraceStatus::Gap),
        n(TraceStatus::NotApplicable),
        trace
            .frameworks
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for r in &trace.requirements {
        let title =
            crate::traceability::catalogue::find(&r.id).map_or("", |(_, q)| q.title.as_str());
        let recommended = trace
            .frameworks
            .iter()
            .any(|f| f.id == r.framework && f.level == crate::schema::Level::Recommended);
        let label = match r.status {
            TraceStatus::Gap if recommended => "not shown (recommended practice)",
            TraceStatus::Gap => "gap",
            TraceStatus::Declared if r.reason.is_some() => "declared only",
            _ => continue,
        };
        let _ = writeln!(out, "{label}: {} {title}", r.id);
        if let Some(reason) = &r.reason {
            let _ = writeln!(out, "  {reason}");
        }
    }
    if let Some(cov) = trace
        .attack_coverage
        .as_ref()
        .filter(|c| !c.required_untested.is_empty())
    {
        let _ = writeln!(
            out,
            "attack categories required but never tested: {}",
            cov.required_untested.join(", ")
        );
    }
}

fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

/// Prints findings one per line, at most `max_per_code` of each code, then a total line.
pub fn print_findings(findings: &[Finding], max_per_code: usize, out: &mut dyn Write) {
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    for f in findings {
        let n = shown.entry(f.code.as_str()).or_default();
        *n += 1;
        if *n > max_per_code {
            continue;
        }
        let _ = writeln!(out, "{}", finding_line(f));
        if let Some(hint) = &f.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    for (code, n) in &shown {
        if *n > max_per_code {
            let _ = writeln!(
                out,
                "... and {} more finding(s) with code {code}",
                n - max_per_code
            );
        }
    }
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s)",
        count(findings, Severity::Error),
        count(findings, Severity::Warning)
    );
}

/// `error[value_invalid] stream: file: row 3, column "score": expected …, found "1.7" (and 2 more rows)`
pub fn finding_line(f: &Finding) -> String {
    let mut line = format!("{}[{}]", f.severity.as_str(), f.code);
    if let Some(stream) = &f.stream {
        line.push_str(&format!(" {stream}:"));
    }
    let place = location(f);
    if !place.is_empty() {
        line.push_str(&format!(" {place}:"));
    }
    line.push_str(&format!(" {}", f.message));
    if f.count > 1 {
        line.push_str(&format!(" (and {} more row(s) like it)", f.count - 1));
    }
    line
}
