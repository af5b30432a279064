//! `init`: a first submission config from a folder of exports. The folder's data files are
//! found as `build` finds a stream's files; the first rows of each are read, files with the
//! same columns are grouped, each group's kind is guessed from its columns, and the
//! `columns`, `values` and `segments` it needs are proposed. What cannot be decided (the
//! institution, the use case) is written as `TODO`, which `validate` refuses until it is
//! replaced.

mod guess;
mod sample;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::FileFormat;
use crate::discover::{self, SourceFile};
use crate::schema::{self, StreamKind};
use sample::{ColumnSample, Sample};

/// How much of the folder is read.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Rows read from each file.
    pub rows_per_file: u64,
    /// Files of one group whose rows are read (the others: their header only).
    pub files_per_group: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rows_per_file: 20_000,
            files_per_group: 24,
        }
    }
}

/// Why `init` could not propose a config.
#[derive(Debug, Clone, PartialEq)]
pub enum InitError {
    /// The folder does not exist or cannot be walked.
    Folder(String),
    /// No file of the folder is a trial log: (files looked at, why each was not used).
    NoTrialLog { looked_at: usize, why: Vec<String> },
}

/// One stream of the proposal.
#[derive(Debug, Clone)]
pub struct Stream {
    pub name: String,
    pub kind: StreamKind,
    /// `path` relative to the config's folder.
    pub path: String,
    /// `include`, when the folder holds other streams' files too.
    pub include: Option<Vec<String>>,
    /// The files, relative to the config's folder.
    pub files: Vec<String>,
    /// canonical → (bank column, how it was matched); identical names left out.
    pub columns: guess::Mapping,
    pub values: BTreeMap<String, guess::ValueMap>,
    /// segment name → bank column.
    pub segments: Vec<(String, String)>,
    /// The red-team tools whose result files the stream holds.
    pub tools: Vec<FileFormat>,
    /// The CSV delimiter, when it is not a comma.
    pub delimiter: Option<u8>,
    /// Whether its numbers are written with a decimal comma.
    pub decimal_comma: bool,
    /// The format of its timestamps, when the built-in forms do not read them.
    pub timestamp_format: Option<&'static str>,
    /// What the user should know about it.
    pub notes: Vec<String>,
    /// The first rows of its files (none for tool results).
    sample: Sample,
}

/// What `init` proposes, and why.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub streams: Vec<Stream>,
    /// Files not used, with the reason.
    pub unused: Vec<String>,
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// Whether the period comes from a sample of each file (the last rows not read).
    pub period_partial: bool,
    pub family: crate::schema::Family,
    pub family_reason: String,
    /// Whether any timestamp carried its own offset.
    pub offsets: bool,
    /// The currency of the money columns, when a stream has one: (code, whether the column's
    /// name says it).
    pub currency: Option<(String, bool)>,
    /// The lines printed to explain the proposal.
    pub decisions: Vec<String>,
    /// The folder read, relative to the config's folder.
    pub source: String,
}

/// What only the user can say: written in place of the `TODO` markers when given.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    pub cohort: Option<String>,
    pub use_case_id: Option<String>,
    pub use_case_title: Option<String>,
}

impl Proposal {
    /// The config's text, with what the user said of `identity`.
    pub fn yaml(&self, identity: &Identity) -> String {
        yaml::write(self, identity)
    }
}

/// One group of files with the same columns (or the same red-team tool).
struct Group {
    files: Vec<SourceFile>,
    header: Vec<String>,
    sample: Sample,
    tool: Option<FileFormat>,
}

/// Proposes a config at `config` for the data under `data`.
pub fn propose(data: &Path, config: &Path, options: Options) -> Result<Proposal, InitError> {
    if !data.is_dir() {
        return Err(InitError::Folder(format!(
            "{} is not a folder",
            data.display()
        )));
    }
    let config_dir = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let found = discover::discover(
        config_dir,
        "init",
        &discover::relative(config_dir, data),
        None,
        FileFormat::Auto,
    );
    let mut unused: Vec<String> = found
        .findings
        .iter()
        .filter(|f| f.code != crate::model::Code::NoInputFiles)
        .map(|f| format!("{}: {}", f.file.clone().unwrap_or_default(), f.message))
        .collect();
    let looked_at = found.files.len();
    let groups = group(found.files, options, &mut unused);
    let mut streams = Vec::new();
    let mut tools: Vec<Group> = Vec::new();
    for g in groups {
        if g.tool.is_some() {
            tools.push(g);
            continue;
        }
        match guess::kind_of(&g.header) {
            Some((kind, mapping)) => streams.push(stream_of(g, kind, mapping)),
            None => {
                for file in &g.files {
                    unused.push(format!(
                        "{}: columns {} make no trial log (none of the required columns of detection, assistant, redteam or kpis logs found)",
                        file.display,
                        shorten(&g.header)
                    ));
                }
            }
        }
    }
    // Red-team tool results join the one red-team log there is, else make a stream of their own.
    if !tools.is_empty() {
        let redteams: Vec<usize> = (0..streams.len())
            .filter(|&i| streams[i].kind == StreamKind::Redteam)
            .collect();
        let mut files: Vec<SourceFile> = tools.iter().flat_map(|g| g.files.clone()).collect();
        let formats: Vec<FileFormat> = tools.iter().filter_map(|g| g.tool).collect();
        if let [only] = redteams[..] {
            let stream = &mut streams[only];
            stream.tools = formats;
            stream.files.extend(files.drain(..).map(|f| f.display));
            stream
                .notes
                .push("the red-team tools' result files are read by their own readers".into());
        } else {
            streams.push(Stream {
                name: String::new(),
                kind: StreamKind::Redteam,
                path: String::new(),
                include: None,
                files: files.into_iter().map(|f| f.display).collect(),
                columns: BTreeMap::new(),
                values: BTreeMap::new(),
                segments: Vec::new(),
                tools: formats,
                delimiter: None,
                decimal_comma: false,
                timestamp_format: None,
                notes: vec!["red-team tool results, read by their own readers".into()],
                sample: Sample::default(),
            });
        }
    }
    if streams.is_empty() {
        return Err(InitError::NoTrialLog {
            looked_at,
            why: unused,
        });
    }
    streams.sort_by_key(|s| (s.kind == StreamKind::Kpis, s.files.first().cloned()));
    place(&mut streams, config_dir, data);
    name_streams(&mut streams);
    let mut proposal = finish(streams, unused);
    proposal.source = discover::relative(config_dir, data);
    Ok(proposal)
}

/// Groups the files by their columns, reading the first rows of each.
fn group(files: Vec<SourceFile>, options: Options, unused: &mut Vec<String>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for file in files {
        let tool = matches!(
            file.format,
            FileFormat::Garak | FileFormat::Promptfoo | FileFormat::Inspect
        );
        if tool {
            match groups.iter_mut().find(|g| g.tool == Some(file.format)) {
                Some(g) => g.files.push(file),
                None => groups.push(Group {
                    tool: Some(file.format),
                    files: vec![file],
                    header: Vec::new(),
                    sample: Sample::default(),
                }),
            }
            continue;
        }
        // The header first: a file of a group whose rows were read enough needs no more.
        let header_only = sample::read(&file.path, file.format, 1);
        let full = |h: &Sample| {
            groups.iter().any(|g| {
                g.tool.is_none()
                    && g.files.len() >= options.files_per_group
                    && sorted(&g.header) == sorted(&h.header)
            })
        };
        let sample = match header_only {
            Ok(h) if full(&h) => Ok(h),
            Ok(_) => sample::read(&file.path, file.format, options.rows_per_file),
            Err(why) => Err(why),
        };
        let sample = match sample {
            Ok(s) if !s.header.is_empty() => s,
            Ok(_) => {
                unused.push(format!(
                    "{}: no columns found (an empty file?)",
                    file.display
                ));
                continue;
            }
            Err(why) => {
                unused.push(format!("{}: cannot be read: {why}", file.display));
                continue;
            }
        };
        let mut header = sample.header.clone();
        header.sort();
        match groups
            .iter_mut()
            .find(|g| g.tool.is_none() && sorted(&g.header) == header)
        {
            Some(g) => {
                if g.files.len() < options.files_per_group {
                    merge(&mut g.sample, &sample);
                }
                g.files.push(file);
            }
            None => groups.push(Group {
                header: sample.header.clone(),
                files: vec![file],
                sample,
                tool: None,
            }),
        }
    }
    groups
}

fn sorted(header: &[String]) -> Vec<String> {
    let mut h = header.to_vec();
    h.sort();
    h
}

/// Adds the sample `more` (same columns, perhaps in another order) to `into`.
fn merge(into: &mut Sample, more: &Sample) {
    into.rows += more.rows;
    into.truncated |= more.truncated;
    for (name, column) in more.header.iter().zip(&more.columns) {
        if let Some(at) = into.header.iter().position(|h| h == name) {
            let target = &mut into.columns[at];
            target.filled += column.filled;
            target.numbers += column.numbers;
            target.booleans += column.booleans;
            target.timestamps += column.timestamps;
            target.offsets |= column.offsets;
            target.decimal_commas += column.decimal_commas;
            for (format, (count, first, last)) in &column.formats {
                let entry = target.formats.entry(format).or_insert((0, *first, *last));
                entry.0 += count;
                entry.1 = entry.1.min(*first);
                entry.2 = entry.2.max(*last);
            }
            for v in &column.distinct {
                if target.distinct.len() > sample::DISTINCT_KEPT {
                    break;
                }
                target.distinct.insert(v.clone());
            }
            target.first = [target.first, column.first].into_iter().flatten().min();
            target.last = [target.last, column.last].into_iter().flatten().max();
        }
    }
}

fn column<'a>(sample: &'a Sample, name: &str) -> Option<&'a ColumnSample> {
    sample
        .header
        .iter()
        .position(|h| h == name)
        .map(|i| &sample.columns[i])
}

/// The stream a group of `kind` makes.
fn stream_of(g: Group, kind: StreamKind, mapping: guess::Mapping) -> Stream {
    let specs = schema::columns(kind);
    let mut values = BTreeMap::new();
    for spec in &specs {
        if let Some((bank, _)) = mapping.get(spec.name.as_ref())
            && let Some(seen) = column(&g.sample, bank)
            && let Some(map) = guess::value_map(&spec.name, spec.ty, seen)
        {
            values.insert(spec.name.to_string(), map);
        }
    }
    let used: Vec<&String> = mapping.values().map(|(bank, _)| bank).collect();
    let mut segments = Vec::new();
    if schema::takes_segments(kind) {
        for (bank, seen) in g.sample.header.iter().zip(&g.sample.columns) {
            if !used.contains(&bank) && guess::is_segment(seen, g.sample.rows) {
                segments.push((guess::segment_name(bank), bank.clone()));
            }
        }
    }
    let mut notes = Vec::new();
    let unmapped: Vec<&String> = g
        .sample
        .header
        .iter()
        .filter(|h| !used.contains(h) && !segments.iter().any(|(_, b)| b == *h))
        .collect();
    if !unmapped.is_empty() {
        let list: Vec<String> = unmapped.iter().map(|s| s.to_string()).collect();
        notes.push(format!("not used: {}", shorten(&list)));
    }
    let numeric = |spec: &&crate::schema::ColumnSpec| {
        matches!(
            spec.ty,
            crate::schema::ColumnType::Float { .. } | crate::schema::ColumnType::Int { .. }
        )
    };
    let decimal_comma = g.sample.delimiter.is_some()
        && specs.iter().filter(numeric).any(|spec| {
            let bank = mapping
                .get(spec.name.as_ref())
                .map_or(spec.name.as_ref(), |(b, _)| b.as_str());
            column(&g.sample, bank).is_some_and(|seen| seen.decimal_commas > 0)
        });
    let timestamp_bank = mapping
        .get("timestamp")
        .map_or("timestamp", |(b, _)| b.as_str());
    let timestamp_format = column(&g.sample, timestamp_bank)
        .and_then(sample::export_format)
        .map(|(format, _, _)| format);
    let columns = mapping
        .into_iter()
        .filter(|(canonical, (bank, _))| canonical != bank)
        .collect();
    Stream {
        name: String::new(),
        kind,
        path: String::new(),
        include: None,
        files: g.files.iter().map(|f| f.display.clone()).collect(),
        columns,
        values,
        segments,
        tools: Vec::new(),
        delimiter: g.sample.delimiter,
        decimal_comma,
        timestamp_format,
        notes,
        sample: g.sample,
    }
}

impl Stream {
    /// The bank's name of canonical column `canonical`.
    fn bank<'a>(&'a self, canonical: &'a str) -> &'a str {
        self.columns
            .get(canonical)
            .map_or(canonical, |(bank, _)| bank.as_str())
    }
}

fn shorten(list: &[String]) -> String {
    if list.len() <= 8 {
        list.join(", ")
    } else {
        format!("{}, … ({} in all)", list[..8].join(", "), list.len())
    }
}

/// Sets each stream's `path` (and `include` when its folder is shared): the highest folder
/// below `data` that holds its files and no other stream's.
fn place(streams: &mut [Stream], config_dir: &Path, data: &Path) {
    let all: Vec<(usize, String)> = streams
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.files.iter().map(move |f| (i, f.clone())))
        .collect();
    let data_rel = discover::relative(config_dir, data);
    let top = if data_rel == "." {
        String::new()
    } else {
        format!("{data_rel}/")
    };
    for (i, stream) in streams.iter_mut().enumerate() {
        let dirs: Vec<&str> = stream.files.iter().map(|f| parent(f)).collect();
        let mut dir = common_dir(&dirs);
        let others = |d: &str| all.iter().any(|(j, f)| *j != i && within(f, d));
        if others(&dir) {
            // The folder is shared: the one file, or the files by name.
            if let [only] = &stream.files[..] {
                stream.path = only.clone();
            } else {
                stream.path = if dir.is_empty() {
                    ".".into()
                } else {
                    dir.clone()
                };
                let names: Vec<String> = stream
                    .files
                    .iter()
                    .map(|f| globset::escape(f.rsplit('/').next().unwrap_or(f)))
                    .collect();
                stream.include = Some(names);
            }
            continue;
        }
        // Up while the parent holds no other stream's files, but not up to `data` itself.
        while let Some(up) = dir.rsplit_once('/').map(|(p, _)| p.to_string()) {
            if format!("{up}/") == top || !format!("{up}/").starts_with(&top) || others(&up) {
                break;
            }
            dir = up;
        }
        stream.path = if dir.is_empty() { ".".into() } else { dir };
    }
}

/// Whether a folder name only says which part of the data it holds (`2025-08`,
/// `month=2025-07`), not what the data is.
fn is_partition(name: &str) -> bool {
    name.contains('=')
        || name
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '_')
        || name == "."
}

fn parent(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(p, _)| p)
}

fn within(file: &str, dir: &str) -> bool {
    dir.is_empty() || dir == "." || file.starts_with(&format!("{dir}/"))
}

fn common_dir(dirs: &[&str]) -> String {
    let Some(first) = dirs.first() else {
        return String::new();
    };
    let mut parts: Vec<&str> = first.split('/').collect();
    for d in &dirs[1..] {
        let other: Vec<&str> = d.split('/').collect();
        let same = parts.iter().zip(&other).take_while(|(a, b)| a == b).count();
        parts.truncate(same);
    }
    parts.join("/")
}

/// Names the streams after their folders; a KPI sheet's `stream` column names the one log it
/// describes.
fn name_streams(streams: &mut [Stream]) {
    let mut kpi_names: Vec<String> = Vec::new();
    for stream in streams.iter().filter(|s| s.kind == StreamKind::Kpis) {
        if let Some(seen) = column(&stream.sample, stream.bank("stream")) {
            kpi_names.extend(seen.distinct.iter().cloned());
        }
    }
    kpi_names.sort();
    kpi_names.dedup();
    let logs = streams.iter().filter(|s| s.kind.is_event_log()).count();
    let mut taken: Vec<String> = Vec::new();
    for stream in streams.iter_mut() {
        let base = if stream.kind.is_event_log() && logs == 1 && kpi_names.len() == 1 {
            stream.notes.push(format!(
                "named {:?} as the KPI sheet's stream column says",
                kpi_names[0]
            ));
            kpi_names[0].clone()
        } else {
            let dirs: Vec<&str> = stream.files.iter().map(|f| parent(f)).collect();
            let common = common_dir(&dirs);
            let folder = common
                .split('/')
                .rev()
                .find(|part| !is_partition(part))
                .unwrap_or("");
            let stem = folder.split('.').next().unwrap_or(folder);
            let name = guess::normalise(stem).replace('_', "-");
            if name.is_empty() || name == "." {
                stream.kind.as_str().to_string()
            } else {
                name
            }
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        taken.push(name.clone());
        stream.name = name;
    }
}

/// The period, the family and the lines that explain the proposal.
fn finish(streams: Vec<Stream>, unused: Vec<String>) -> Proposal {
    let mut first = None;
    let mut last = None;
    let mut partial = false;
    let mut offsets = false;
    for stream in streams.iter().filter(|s| s.kind.is_event_log()) {
        if let Some(seen) = column(&stream.sample, stream.bank("timestamp")) {
            let (from, to) = match sample::export_format(seen) {
                Some((_, f, l)) => (
                    [seen.first, Some(f)].into_iter().flatten().min(),
                    [seen.last, Some(l)].into_iter().flatten().max(),
                ),
                None => (seen.first, seen.last),
            };
            first = [first, from].into_iter().flatten().min();
            last = [last, to].into_iter().flatten().max();
            offsets |= seen.offsets;
            partial |= stream.sample.truncated;
        }
    }
    let period = first.zip(last).map(|(f, l)| (f.date(), l.date()));
    let money: Vec<&str> = streams
        .iter()
        .flat_map(|s| {
            ["amount", "cost"]
                .into_iter()
                .filter(|c| column(&s.sample, s.bank(c)).is_some())
                .map(|c| s.bank(c))
        })
        .collect();
    let currency = match money.iter().find_map(|bank| guess::currency_of(bank)) {
        Some(code) => Some((code, true)),
        None if !money.is_empty() => Some(("HKD".to_string(), false)),
        None => None,
    };
    let kinds: Vec<StreamKind> = streams.iter().map(|s| s.kind).collect();
    let deepfake = streams.iter().any(|s| {
        s.kind == StreamKind::Detection && column(&s.sample, s.bank("attack_type")).is_some()
    });
    let (family, family_reason) = if deepfake {
        (
            schema::Family::DeepfakeDefence,
            "a detection log with presentation-attack species (attack_type)",
        )
    } else if kinds.contains(&StreamKind::Detection) {
        (schema::Family::AntiFraud, "a detection log")
    } else if kinds.contains(&StreamKind::Assistant) {
        (schema::Family::CustomerExperience, "an assistant log")
    } else if kinds.contains(&StreamKind::Redteam) {
        (schema::Family::RiskManagement, "red-team results only")
    } else {
        (schema::Family::Other, "no event log")
    };
    let mut decisions = Vec::new();
    for s in &streams {
        let files = match s.files.len() {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        };
        let mut line = format!(
            "stream {}: {} log, {} ({files})",
            s.name,
            s.kind.as_str(),
            s.path
        );
        if s.kind == StreamKind::Kpis {
            line = format!("stream {}: KPI sheet, {} ({files})", s.name, s.path);
        }
        decisions.push(line);
        for (canonical, (bank, how)) in &s.columns {
            decisions.push(format!("  {canonical} ← {bank} ({})", how.reason()));
        }
        for (canonical, map) in &s.values {
            let pairs: Vec<String> = map
                .entries
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect();
            decisions.push(format!("  values of {canonical}: {}", pairs.join(", ")));
        }
        if !s.segments.is_empty() {
            let names: Vec<String> = s
                .segments
                .iter()
                .map(|(name, bank)| {
                    if name == bank {
                        name.clone()
                    } else {
                        format!("{name} ← {bank}")
                    }
                })
                .collect();
            decisions.push(format!(
                "  segments (few repeated values): {}",
                names.join(", ")
            ));
        }
        if let Some(d) = s.delimiter {
            decisions.push(format!("  delimiter {:?}", d as char));
        }
        if s.decimal_comma {
            decisions.push("  numbers with a decimal comma (0,25)".into());
        }
        if let Some(format) = s.timestamp_format {
            decisions.push(format!("  timestamps written {format}"));
        }
        for tool in &s.tools {
            decisions.push(format!("  {} results", tool_name(*tool)));
        }
        for note in &s.notes {
            decisions.push(format!("  {note}"));
        }
    }
    if let Some((start, end)) = period {
        let how = if partial {
            " (from the first rows of each file: check the end)"
        } else {
            ""
        };
        decisions.push(format!(
            "period {start} to {end}, the timestamps' range{how}"
        ));
    }
    decisions.push(format!(
        "use case family {}: {family_reason}",
        family.as_str()
    ));
    match &currency {
        Some((code, true)) => {
            decisions.push(format!("currency {code}, as the money column's name says"))
        }
        Some((code, false)) => decisions.push(format!(
            "currency {code} for the money columns (a guess: check it)"
        )),
        None => {}
    }
    for u in &unused {
        decisions.push(format!("not used: {u}"));
    }
    Proposal {
        streams,
        unused,
        period,
        period_partial: partial,
        family,
        family_reason: family_reason.to_string(),
        offsets,
        currency,
        decisions,
        source: String::new(),
    }
}

pub(crate) fn tool_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Garak => "garak",
        FileFormat::Promptfoo => "promptfoo",
        FileFormat::Inspect => "Inspect AI",
        _ => "tool",
    }
}

/// The folder `init` writes its config into by default.
pub fn default_config(data: &Path) -> PathBuf {
    data.join("submission.yaml")
}
