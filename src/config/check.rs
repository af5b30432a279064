//! Semantic checks of a parsed config: what YAML types alone cannot say (period order, unique
//! stream names, known metric ids, mappings that name real columns). Every issue is collected
//! with its line and column so the user sees them all at once.

use std::collections::BTreeSet;
use std::path::Path;

use chrono_tz::Tz;
use serde_saphyr::Location;

use super::load::ConfigIssue;
use super::types::{Config, Criterion, SegmentSelector, StreamConfig};

/// Longest reporting period accepted: ten years (a typo in a year, not a real trial).
const MAX_PERIOD_DAYS: i64 = 3653;
use crate::metrics::catalogue;
use crate::schema;

/// The issues found so far in one config file.
struct Issues<'a> {
    file: &'a Path,
    list: Vec<ConfigIssue>,
}

impl Issues<'_> {
    fn push(&mut self, location: Location, message: impl Into<String>) -> &mut ConfigIssue {
        self.list
            .push(ConfigIssue::at(self.file, location, message));
        self.list.last_mut().expect("just pushed")
    }
}

/// Checks `config`; returns the parsed timezone, or every issue found.
pub fn check(path: &Path, config: &Config) -> Result<Tz, Vec<ConfigIssue>> {
    let mut issues = Issues {
        file: path,
        list: Vec::new(),
    };
    if config.schema_version.value != 1 {
        let message = format!(
            "schema_version {} is not supported",
            config.schema_version.value
        );
        issues.push(config.schema_version.referenced, message).hint =
            Some("this version of sandbox-report reads schema_version: 1".into());
    }
    let timezone = config.timezone.value.parse::<Tz>().ok();
    if timezone.is_none() {
        let message = format!("unknown timezone {:?}", config.timezone.value);
        issues.push(config.timezone.referenced, message).hint =
            Some("use an IANA name such as Asia/Hong_Kong or UTC".into());
    }
    let period = &config.submission.period;
    if period.value.start > period.value.end {
        let message = format!(
            "the period starts ({}) after it ends ({})",
            period.value.start, period.value.end
        );
        issues.push(period.referenced, message);
    } else if (period.value.end - period.value.start).num_days() >= MAX_PERIOD_DAYS {
        let message = format!(
            "the period runs from {} to {}, more than ten years; a trial's reporting period is \
             months, and the weekly series would have tens of thousands of weeks",
            period.value.start, period.value.end
        );
        issues.push(period.referenced, message).hint =
            Some("check the years of period.start and period.end".into());
    }
    check_streams(config, &mut issues);
    check_segments(config, &mut issues);
    check_settings(config, &mut issues);
    for criterion in &config.criteria {
        if let Err(message) = check_criterion(config, &criterion.value) {
            issues.push(criterion.referenced, message);
        } else if let Some((message, hint)) = criterion_bounds(&criterion.value) {
            issues.push(criterion.referenced, message).hint = hint;
        }
    }
    match timezone {
        Some(tz) if issues.list.is_empty() => Ok(tz),
        _ => Err(issues.list),
    }
}

fn check_streams(config: &Config, issues: &mut Issues) {
    if config.streams.is_empty() {
        issues.push(Location::UNKNOWN, "the config lists no streams");
    }
    let mut names = BTreeSet::new();
    for stream in &config.streams {
        let name = &stream.name.value;
        if name.trim().is_empty() {
            issues.push(stream.name.referenced, "a stream name is empty");
        } else if !names.insert(name.as_str()) {
            let message = format!("stream name {name:?} is used twice; names must be unique");
            issues.push(stream.name.referenced, message);
        }
        if stream.path.value.trim().is_empty() {
            let message = format!("stream {name:?} has an empty path");
            issues.push(stream.path.referenced, message);
        }
        check_mappings(config, stream, issues);
        check_tool_options(stream, issues);
    }
}

/// `columns` and `values` may only name canonical columns of the stream's kind or segments.
fn check_mappings(config: &Config, stream: &StreamConfig, issues: &mut Issues) {
    let known: BTreeSet<String> = schema::columns(stream.kind)
        .into_iter()
        .map(|c| c.name.into_owned())
        .chain(config.segments_for(stream).iter().map(|s| s.value.clone()))
        .collect();
    let hint = format!(
        "the canonical columns of a {} stream are: {}",
        stream.kind.as_str(),
        known.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    let mapped = stream
        .columns
        .iter()
        .map(|(name, source)| (name, source.referenced))
        .chain(stream.values.iter().map(|(name, m)| (name, m.referenced)));
    for (canonical, location) in mapped {
        if !known.contains(canonical) {
            let message = format!(
                "stream {:?} maps {canonical:?}, which is not a column of a {} stream",
                stream.name.value,
                stream.kind.as_str()
            );
            issues.push(location, message).hint = Some(hint.clone());
        }
    }
}

fn check_segments(config: &Config, issues: &mut Issues) {
    check_segment_list(&config.segments, issues);
    for stream in &config.streams {
        if let Some(list) = &stream.segments {
            check_segment_list(list, issues);
        }
    }
}

fn check_segment_list(list: &[serde_saphyr::Spanned<String>], issues: &mut Issues) {
    let mut seen = BTreeSet::new();
    for segment in list {
        if segment.value.trim().is_empty() {
            issues.push(segment.referenced, "a segment name is empty");
        } else if !seen.insert(segment.value.as_str()) {
            let message = format!("segment {:?} is listed twice", segment.value);
            issues.push(segment.referenced, message);
        }
    }
}

fn check_settings(config: &Config, issues: &mut Issues) {
    let tolerance = config.reconciliation.tolerance.resolve();
    if let Some(bad) = tolerance.numbers().find(|t| !(t.is_finite() && *t >= 0.0)) {
        let message = format!(
            "reconciliation.tolerance (absolute and relative) must be numbers ≥ 0, found {bad}"
        );
        issues.push(Location::UNKNOWN, message);
    }
    check_tolerances(config, issues);
    let limits = config.limits;
    for (key, value) in [
        ("inflated_mib", limits.inflated_mib),
        ("inflation_ratio", limits.inflation_ratio),
        ("line_kib", limits.line_kib),
        ("value_chars", limits.value_chars),
    ] {
        if value == 0 {
            issues.push(
                Location::UNKNOWN,
                format!("limits.{key} must be at least 1"),
            );
        }
    }
    if config.fairness.min_group_size == 0 {
        issues.push(
            Location::UNKNOWN,
            "fairness.min_group_size must be at least 1",
        );
    }
    let floor = config.fairness.disparate_impact_floor;
    if !(floor > 0.0 && floor <= 1.0) {
        let message = format!("fairness.disparate_impact_floor must be in (0, 1], found {floor}");
        issues.push(Location::UNKNOWN, message);
    }
    if let Some(line) = &config.submission.line_of_defence
        && !(1..=3).contains(&line.value)
    {
        let message = format!(
            "submission.line_of_defence must be 1, 2 or 3 (first, second or third line), found {}",
            line.value
        );
        issues.push(line.referenced, message);
    }
    if config.report.formats.is_empty() {
        issues.push(
            Location::UNKNOWN,
            "report.formats is empty; list at least one of pdf, html, md, json",
        );
    }
}

/// garak reports belong to a redteam stream, and garak's threshold is a score in [0, 1].
fn check_tool_options(stream: &StreamConfig, issues: &mut Issues) {
    let name = &stream.name.value;
    use super::types::FileFormat;
    let tool = matches!(
        stream.format,
        FileFormat::Garak | FileFormat::Promptfoo | FileFormat::Inspect
    ) || stream.garak.is_some()
        || stream.promptfoo.is_some()
        || stream.inspect.is_some();
    if tool && stream.kind != schema::StreamKind::Redteam {
        let message = format!(
            "stream {name:?} is a {} stream; garak, promptfoo and Inspect AI results (and `garak:`, `promptfoo:`, `inspect:`) belong to a redteam stream",
            stream.kind.as_str()
        );
        issues.push(stream.name.referenced, message);
    }
    if stream.format == FileFormat::Inspect && stream.inspect.is_none() {
        let message = format!("stream {name:?} reads Inspect AI logs but has no `inspect:` block");
        issues.push(stream.name.referenced, message).hint = Some(
            "say where a sample's category and success are, e.g. `inspect: { category: metadata.attack_category, success: { scorer: refusal_scorer, value: I } }`".into(),
        );
    }
    if let Some(inspect) = &stream.inspect
        && inspect.benign.is_some()
        && inspect.refused.is_none()
    {
        let message = format!(
            "stream {name:?}: `inspect.benign` marks controls but `inspect.refused` does not say which score means a control was refused, so no over-refusal could be counted"
        );
        issues.push(stream.name.referenced, message).hint = Some(
            "add e.g. `refused: { scorer: refusal_scorer, value: I }` under `inspect:`".into(),
        );
    }
    if let Some(scale) = &stream.score_scale
        && !(scale.value.is_finite() && scale.value > 0.0)
    {
        let message = format!(
            "stream {name:?}: score_scale must be a number > 0, found {}",
            scale.value
        );
        issues.push(scale.referenced, message);
    }
    if let Some(options) = &stream.garak
        && !(0.0..=1.0).contains(&options.threshold)
    {
        let message = format!(
            "stream {name:?}: garak.threshold must be a score in [0, 1], found {}",
            options.threshold
        );
        issues.push(stream.name.referenced, message);
    }
    if let Some(dialect) = &stream.csv {
        check_dialect(name, dialect, issues);
    }
    let formats = stream.timestamp_format.iter().flat_map(|f| {
        f.value
            .list()
            .into_iter()
            .map(move |format| (format, f.referenced))
    });
    for (format, at) in formats {
        let broken = chrono::format::StrftimeItems::new(format)
            .any(|item| matches!(item, chrono::format::Item::Error));
        let dated = ["%Y", "%y", "%F", "%D", "%G"]
            .iter()
            .any(|d| format.contains(d));
        if broken || !dated {
            let why = if broken {
                "is not a valid strftime format"
            } else {
                "has no year (%Y, %y or %F): a timestamp needs its date"
            };
            let message = format!("stream {name:?}: timestamp_format {format:?} {why}");
            issues.push(at, message).hint = Some(
                "write it with strftime fields, e.g. \"%d/%m/%Y %H:%M\" for 02/06/2025 10:05 (docs/config.md)".into(),
            );
        }
    }
}

/// `csv:` of a stream: single ASCII characters, a decimal mark of `.` or `,`, and no character
/// given two roles.
fn check_dialect(name: &str, dialect: &super::types::CsvDialect, issues: &mut Issues) {
    let one_char = |c: &serde_saphyr::Spanned<String>| {
        c.value.len() == 1 && c.value.is_ascii() && !matches!(c.value.as_str(), "\n" | "\r")
    };
    for (key, value) in [
        ("delimiter", &dialect.delimiter),
        ("decimal", &dialect.decimal),
        ("quote", &dialect.quote),
    ] {
        let Some(value) = value else { continue };
        if !one_char(value) {
            let message = format!(
                "stream {name:?}: csv.{key} must be one character, found {:?}",
                value.value
            );
            issues.push(value.referenced, message).hint =
                Some("e.g. `csv: { delimiter: \";\", decimal: \",\" }`; a tab is \"\\t\"".into());
        }
    }
    if let Some(decimal) = &dialect.decimal
        && !matches!(decimal.value.as_str(), "." | ",")
    {
        let message = format!(
            "stream {name:?}: csv.decimal must be \".\" or \",\", found {:?}",
            decimal.value
        );
        issues.push(decimal.referenced, message);
    }
    let options = dialect.options();
    if options.decimal_comma && options.delimiter == b',' {
        let at = dialect
            .decimal
            .as_ref()
            .map_or(Location::UNKNOWN, |d| d.referenced);
        let message =
            format!("stream {name:?}: csv.decimal \",\" needs another delimiter than the comma");
        issues.push(at, message).hint =
            Some("files with decimal commas separate fields with \";\": `csv: { delimiter: \";\", decimal: \",\" }`".into());
    }
    if options.delimiter == options.quote {
        let at = dialect
            .quote
            .as_ref()
            .map_or(Location::UNKNOWN, |d| d.referenced);
        issues.push(
            at,
            format!("stream {name:?}: csv.quote and csv.delimiter are the same character"),
        );
    }
}

/// `reconciliation.per_metric` names metric ids, each with a tolerance ≥ 0.
fn check_tolerances(config: &Config, issues: &mut Issues) {
    for (metric, tolerance) in &config.reconciliation.per_metric {
        if catalogue::find(metric).is_none() {
            let message = format!(
                "reconciliation.per_metric names unknown metric {metric:?}{}",
                crate::suggest::did_you_mean(metric, catalogue::ids())
            );
            issues.push(tolerance.referenced, message).hint =
                Some("`sandbox-report explain --list` lists the metric ids".into());
        } else if let Some(bad) = tolerance
            .value
            .resolve()
            .numbers()
            .find(|t| !(t.is_finite() && *t >= 0.0))
        {
            let message = format!(
                "the reconciliation tolerance of {metric} must be a number ≥ 0, found {bad}"
            );
            issues.push(tolerance.referenced, message);
        }
    }
}

/// Checks one criterion against the catalogue and the streams; returns why it is wrong.
fn check_criterion(config: &Config, criterion: &Criterion) -> Result<(), String> {
    let metric = &criterion.metric;
    let def = catalogue::find(metric).ok_or_else(|| {
        format!(
            "criterion names unknown metric {metric:?}{}; `sandbox-report explain --list` lists the ids",
            crate::suggest::did_you_mean(metric, catalogue::ids())
        )
    })?;
    if !criterion.value.is_finite() {
        return Err(format!(
            "criterion on {metric} has a threshold that is not a finite number"
        ));
    }

    let candidates: Vec<&StreamConfig> = config
        .streams
        .iter()
        .filter(|s| def.applies_to(s.kind))
        .collect();
    match &criterion.stream {
        Some(name) => {
            let stream = config
                .streams
                .iter()
                .find(|s| &s.name.value == name)
                .ok_or_else(|| {
                    format!("criterion on {metric} names stream {name:?}, which the config does not list")
                })?;
            if !def.applies_to(stream.kind) {
                return Err(format!(
                    "criterion on {metric} names stream {name:?}, a {} stream, which has no such metric",
                    stream.kind.as_str()
                ));
            }
        }
        None if candidates.len() > 1 => {
            return Err(format!(
                "criterion on {metric} must name its stream: {} streams have this metric",
                candidates.len()
            ));
        }
        None if candidates.is_empty() => {
            return Err(format!(
                "criterion on {metric}: no stream of the config has this metric"
            ));
        }
        None => {}
    }
    check_criterion_segment(config, criterion, def)
}

fn check_criterion_segment(
    config: &Config,
    criterion: &Criterion,
    def: &catalogue::MetricDef,
) -> Result<(), String> {
    let metric = &criterion.metric;
    let all = config.all_segments();
    let configured = |attribute: &str| all.contains(&attribute);
    let fairness = def.family() == "fairness";
    match &criterion.segment {
        None if fairness => Err(format!(
            "criterion on {metric} must name the segment attribute it compares, e.g. `segment: age_band`"
        )),
        None => Ok(()),
        Some(SegmentSelector::Attribute(attribute)) if fairness && configured(attribute) => Ok(()),
        Some(SegmentSelector::Attribute(attribute)) if fairness => Err(format!(
            "criterion on {metric} compares groups of {attribute:?}, which `segments` does not list"
        )),
        Some(SegmentSelector::Attribute(attribute)) => Err(format!(
            "criterion on {metric} names segment attribute {attribute:?} without a value; write `segment: {{ {attribute}: VALUE }}`"
        )),
        Some(SegmentSelector::Group(group)) if group.len() != 1 || fairness => Err(format!(
            "criterion on {metric}: a segment names exactly one attribute and value{}",
            if fairness {
                "; fairness metrics take the attribute alone, e.g. `segment: age_band`"
            } else {
                ""
            }
        )),
        Some(SegmentSelector::Group(group)) => {
            let attribute = group.keys().next().expect("one entry");
            if def.grouped_by(attribute) || (def.per_segment && configured(attribute)) {
                Ok(())
            } else {
                Err(format!(
                    "criterion on {metric} reads segment attribute {attribute:?}, by which this metric is not reported"
                ))
            }
        }
    }
}

/// A threshold outside the values its metric can take (a ratio written as a percentage).
fn criterion_bounds(criterion: &Criterion) -> Option<(String, Option<String>)> {
    let def = catalogue::find(&criterion.metric)?;
    let delta = criterion.arm == Some(super::Arm::Delta);
    let bounds = def.bounds(delta)?;
    let what = format!("the threshold of the criterion on {}", criterion.metric);
    out_of_bounds(&what, criterion.value, bounds)
}

/// "… is 80, outside [0, 1]" with the advice for a percentage written as a number, or
/// nothing when `value` lies within `bounds`.
pub(crate) fn out_of_bounds(
    what: &str,
    value: f64,
    (low, high): (f64, f64),
) -> Option<(String, Option<String>)> {
    if (low..=high).contains(&value) {
        return None;
    }
    let message = format!("{what} is {value}, outside [{low}, {high}]: the metric is a ratio");
    let hint = (value.abs() > 1.0 && value.abs() <= 100.0).then(|| {
        format!(
            "ratios are written as fractions: write {} for {value}%",
            fraction(value / 100.0)
        )
    });
    Some((message, hint))
}

/// A fraction with at least two decimals: 0.80, 0.855.
fn fraction(value: f64) -> String {
    let text = format!("{value:.6}");
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split('.').nth(1).map_or(0, str::len);
    if decimals < 2 {
        format!("{value:.2}")
    } else {
        trimmed.to_string()
    }
}
