//! Finding a stream's files: a path may name one file, a folder (walked recursively, filtered
//! by `include`) or a glob. Files come back in a stable sorted order; unreadable entries and
//! symlink loops are recorded as findings and the walk goes on.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::config::FileFormat;
use crate::model::{Code, Finding};

/// One input file of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where the file is on disk.
    pub path: PathBuf,
    /// The path relative to the config's folder, with `/` separators: how outputs name it.
    pub display: String,
    pub format: FileFormat,
}

/// The files found for one stream, and the problems met while looking.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Finding>,
}

/// The format of a file by its name, when an input format's adapter claims its ending (the
/// endings `format: auto` reads, and the default `include` of a folder).
#[cfg(test)]
pub fn format_by_name(name: &str) -> Option<FileFormat> {
    crate::ingest::format::by_name(name)
}

/// Finds the files of one stream. `base` is the config's folder.
pub fn discover(
    base: &Path,
    stream: &str,
    spec: &str,
    include: Option<&[String]>,
    format: FileFormat,
) -> Discovery {
    let mut found = Discovery::default();
    let search = Search { base, stream, spec };
    let include = match build_include(include) {
        Ok(set) => set,
        Err(message) => {
            let finding = search.finding(Code::IncludeInvalid, message, None);
            found.findings.push(finding);
            return found;
        }
    };
    let (root, pattern) = split_glob(spec);
    let root_path = base.join(&root);
    let candidates = match pattern {
        Some(pattern) => search.by_glob(&root_path, &pattern, &mut found.findings),
        None => search.by_path(&root_path, &mut found.findings),
    };
    let Some(candidates) = candidates else {
        return found;
    };
    let single_file = pattern_is_single_file(spec, &root_path);
    for (path, shown) in candidates {
        search.choose(path, shown, format, single_file, &include, &mut found);
    }
    found.files.sort_by(|a, b| a.display.cmp(&b.display));
    found.files.dedup_by(|a, b| a.display == b.display);
    if found.files.is_empty() && found.findings.is_empty() {
        found.findings.push(search.finding(
            Code::NoInputFiles,
            format!("stream path {spec:?} matched no data file"),
            None,
        ));
    }
    found
}

/// One stream's search: the config's folder, the stream's name and its `path`.
struct Search<'a> {
    base: &'a Path,
    stream: &'a str,
    spec: &'a str,
}

/// Candidate files: (path, path as shown), or none when a finding ends the search.
type Candidates = Option<Vec<(PathBuf, String)>>;

impl Search<'_> {
    fn finding(&self, code: Code, message: String, file: Option<String>) -> Finding {
        Finding::new(code, message)
            .in_stream(self.stream)
            .in_file(file)
    }

    /// The files under `root` that the glob `pattern` matches.
    fn by_glob(&self, root: &Path, pattern: &str, findings: &mut Vec<Finding>) -> Candidates {
        let (base, spec) = (self.base, self.spec);
        if !root.is_dir() {
            findings.push(self.finding(
                Code::PathNotFound,
                format!(
                    "stream path {spec:?} matches nothing: the folder {} does not exist",
                    root.display()
                ),
                Some(relative(base, root)),
            ));
            return None;
        }
        // As in a shell, `*` stays within one folder; `**` crosses folders.
        let glob = match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(glob) => glob,
            Err(err) => {
                findings.push(self.finding(
                    Code::PathInvalid,
                    format!("stream path {spec:?} is not a valid glob: {err}"),
                    None,
                ));
                return None;
            }
        };
        let matcher = glob.compile_matcher();
        // An absolute pattern is matched against absolute paths, a relative one against paths
        // relative to the config's folder.
        let absolute = Path::new(pattern).is_absolute();
        let matches = |path: &Path, rel: &str| {
            if absolute {
                matcher.is_match(path)
            } else {
                matcher.is_match(rel)
            }
        };
        // A problem with an entry the pattern cannot match is none of this stream's business
        // (a broken link beside the logs); unreadable folders still count.
        let relevant = |path: &Path| path.is_dir() || matches(path, &relative(base, path));
        let walked = walk(base, root, self.stream, &relevant, findings);
        Some(
            walked
                .into_iter()
                .filter(|(path, rel)| matches(path, rel))
                .collect(),
        )
    }

    /// The file `root` names, or every file under the folder it names.
    fn by_path(&self, root: &Path, findings: &mut Vec<Finding>) -> Candidates {
        let (base, spec) = (self.base, self.spec);
        if root.is_file() {
            return Some(vec![(root.to_path_buf(), relative(base, root))]);
        }
        if root.is_dir() {
            return Some(walk(base, root, self.stream, &|_| true, findings));
        }
        let finding = if std::fs::symlink_metadata(root).is_ok() {
            let why = match std::fs::metadata(root) {
                Err(err) => format!("it cannot be followed: {err}"),
                Ok(_) => "it is not a regular file or folder (a pipe, socket or device)".into(),
            };
            let message = format!("stream path {spec:?} exists but cannot be read: {why}");
            self.finding(Code::PathUnreadable, message, Some(relative(base, root)))
        } else {
            let message = format!(
                "stream path {spec:?} does not exist (looked for {})",
                root.display()
            );
            self.finding(Code::PathNotFound, message, Some(relative(base, root)))
        };
        findings.push(finding);
        None
    }

    /// Keeps a candidate when it is an included data file of a known (or the given) format.
    fn choose(
        &self,
        path: PathBuf,
        shown: String,
        format: FileFormat,
        single_file: bool,
        include: &Option<GlobSet>,
        found: &mut Discovery,
    ) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let chosen = match format {
            FileFormat::Auto => crate::ingest::format::by_path(&path),
            explicit => Some(explicit),
        };
        let included = single_file || include_matches(include, &name, &shown, chosen);
        match chosen {
            Some(format) if included => found.files.push(SourceFile {
                path,
                display: shown,
                format,
            }),
            None if single_file => found.findings.push(self.finding(
                Code::FormatUnknown,
                format!("cannot tell the format of {shown:?} from its extension"),
                Some(shown.clone()),
            )),
            _ => tracing::debug!("skipped {shown}: not an included data file"),
        }
    }
}

fn pattern_is_single_file(spec: &str, root: &Path) -> bool {
    split_glob(spec).1.is_none() && root.is_file()
}

fn include_matches(
    include: &Option<GlobSet>,
    name: &str,
    display: &str,
    format: Option<FileFormat>,
) -> bool {
    match include {
        Some(set) => set.is_match(name) || set.is_match(display),
        None => format.is_some(),
    }
}

fn build_include(patterns: Option<&[String]>) -> Result<Option<GlobSet>, String> {
    let Some(patterns) = patterns else {
        return Ok(None);
    };
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| format!("include pattern {pattern:?}: {e}"))?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(|e| e.to_string())
}

/// Splits `logs/2025-*/*.csv` into the folder to walk (`logs`) and the whole pattern.
fn split_glob(spec: &str) -> (String, Option<String>) {
    let is_meta = |part: &str| part.contains(['*', '?', '[', '{']);
    let parts: Vec<&str> = spec.split('/').collect();
    match parts.iter().position(|p| is_meta(p)) {
        None => (spec.to_string(), None),
        Some(first) => {
            let root = parts[..first].join("/");
            let root = if root.is_empty() {
                ".".to_string()
            } else {
                root
            };
            (root, Some(spec.trim_start_matches("./").to_string()))
        }
    }
}

/// Walks `root` recursively, following symlinks; returns files with their display paths.
/// Loops and unreadable entries for which `relevant` holds become findings; the walk goes on.
fn walk(
    base: &Path,
    root: &Path,
    stream: &str,
    relevant: &dyn Fn(&Path) -> bool,
    findings: &mut Vec<Finding>,
) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in WalkDir::new(root).follow_links(true).sort_by_file_name() {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let rel = relative(base, entry.path());
                files.push((entry.into_path(), rel));
            }
            Ok(_) => {}
            Err(err) if err.path().is_none_or(relevant) => {
                findings.push(walk_finding(base, stream, &err))
            }
            Err(_) => {}
        }
    }
    files
}

fn walk_finding(base: &Path, stream: &str, err: &walkdir::Error) -> Finding {
    let file = err.path().map(|p| relative(base, p));
    let (code, message) = match err.loop_ancestor() {
        Some(ancestor) => (
            Code::SymlinkLoop,
            format!(
                "symbolic link loop: it leads back to {}; not followed",
                relative(base, ancestor)
            ),
        ),
        None => (
            Code::PathUnreadable,
            format!(
                "cannot read: {}",
                err.io_error()
                    .map_or_else(|| err.to_string(), ToString::to_string)
            ),
        ),
    };
    Finding::new(code, message).in_stream(stream).in_file(file)
}

/// `path` relative to `base`, with `/` separators.
/// A file outside that folder gets `..` steps (`../shared/logs/a.csv`), so that every path a
/// bundle records stays relative, as summary-v1 requires.
pub fn relative(base: &Path, path: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let rel =
        pathdiff::diff_paths(absolute(path), absolute(base)).unwrap_or_else(|| path.to_path_buf());
    let text = rel
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() { ".".into() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    #[test]
    fn glob_splits_at_first_meta_component() {
        assert_eq!(split_glob("logs/a.csv"), ("logs/a.csv".into(), None));
        assert_eq!(
            split_glob("logs/2025-*/*.csv"),
            ("logs".into(), Some("logs/2025-*/*.csv".into()))
        );
        assert_eq!(split_glob("*.csv"), (".".into(), Some("*.csv".into())));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(format_by_name("a.CSV.gz"), Some(FileFormat::Csv));
        assert_eq!(format_by_name("x.ndjson"), Some(FileFormat::Jsonl));
        assert_eq!(format_by_name("x.parquet"), Some(FileFormat::Parquet));
        assert_eq!(format_by_name("notes.txt"), None);
    }

    #[test]
    fn walks_sorted_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs/b");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(dir.path().join("logs/z.csv"), "x").unwrap();
        std::fs::write(logs.join("a.jsonl"), "x").unwrap();
        std::fs::write(logs.join("readme.txt"), "x").unwrap();
        let found = discover(dir.path(), "s", "logs", None, FileFormat::Auto);
        let names: Vec<_> = found.files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(names, ["logs/b/a.jsonl", "logs/z.csv"]);
        let only_csv = ["*.csv".to_string()];
        let found = discover(dir.path(), "s", "logs", Some(&only_csv), FileFormat::Auto);
        assert_eq!(found.files.len(), 1);
        let globbed = discover(dir.path(), "s", "logs/*/*.jsonl", None, FileFormat::Auto);
        assert_eq!(globbed.files[0].display, "logs/b/a.jsonl");
    }

    #[cfg(unix)]
    #[test]
    fn a_glob_star_stays_in_its_folder_and_ignores_unrelated_entries() {
        let dir = tempfile::tempdir().unwrap();
        let month = dir.path().join("logs/2025-06");
        std::fs::create_dir_all(month.join("superseded")).unwrap();
        std::fs::write(month.join("a.csv"), "x").unwrap();
        std::fs::write(month.join("superseded/old.csv"), "x").unwrap();
        std::os::unix::fs::symlink("gone", dir.path().join("broken.txt")).unwrap();
        let names = |spec: &str| {
            let found = discover(dir.path(), "s", spec, None, FileFormat::Auto);
            assert!(found.findings.is_empty(), "{spec}: {:?}", found.findings);
            found
                .files
                .into_iter()
                .map(|f| f.display)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("logs/2025-*/*.csv"), ["logs/2025-06/a.csv"]);
        assert_eq!(
            names("logs/**/*.csv"),
            ["logs/2025-06/a.csv", "logs/2025-06/superseded/old.csv"]
        );
        let none = discover(dir.path(), "s", "*.nomatch", None, FileFormat::Auto);
        let codes: Vec<_> = none.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::NoInputFiles]);
        let missing = discover(dir.path(), "s", "nowhere/*.csv", None, FileFormat::Auto);
        assert_eq!(missing.findings[0].code, Code::PathNotFound);
        let dangling = discover(dir.path(), "s", "broken.txt", None, FileFormat::Auto);
        assert_eq!(dangling.findings[0].code, Code::PathUnreadable);
        assert!(dangling.findings[0].message.contains("cannot be followed"));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("a.csv"), "x").unwrap();
        std::os::unix::fs::symlink(&logs, logs.join("again")).unwrap();
        let found = discover(dir.path(), "s", "logs", None, FileFormat::Auto);
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.findings[0].code, Code::SymlinkLoop);
        assert_eq!(found.findings[0].file.as_deref(), Some("logs/again"));
    }

    #[test]
    fn paths_outside_the_config_folder_stay_relative() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("config");
        let logs = dir.path().join("shared/logs");
        std::fs::create_dir_all(&base).unwrap();
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("a.csv"), "x").unwrap();
        let absolute_glob = format!("{}/*.csv", logs.display());
        for spec in [
            absolute_glob.as_str(),
            "../shared/logs",
            "../shared/logs/*.csv",
        ] {
            let found = discover(&base, "s", spec, None, FileFormat::Auto);
            assert_eq!(found.files.len(), 1, "{spec}: {:?}", found.findings);
            assert_eq!(found.files[0].display, "../shared/logs/a.csv", "{spec}");
        }
    }

    #[test]
    fn missing_path_is_an_error_finding() {
        let dir = tempfile::tempdir().unwrap();
        let found = discover(dir.path(), "s", "nope", None, FileFormat::Auto);
        assert_eq!(found.findings[0].code, Code::PathNotFound);
        assert_eq!(found.findings[0].severity, Severity::Error);
    }
}
