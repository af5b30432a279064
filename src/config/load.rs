//! Reading a config file: YAML parsing with located errors, semantic checks, narrative files
//! read in, and the resolved timezone and folder that the rest of the pipeline needs.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde_saphyr::{Location, SnippetMode};

use super::check;
use super::types::{Config, NarrativeText};

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    /// Every problem found, each with its own line, column and advice.
    #[error("{}", join_issues(.0))]
    Invalid(Vec<ConfigIssue>),
}

fn join_issues(issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigError {
    /// The advice for an unreadable config (an invalid one has advice per issue).
    pub fn hint(&self) -> Option<String> {
        let ConfigError::Read { source, .. } = self else {
            return None;
        };
        Some(
            match source.kind() {
                std::io::ErrorKind::InvalidData => "save the config as UTF-8 text",
                std::io::ErrorKind::IsADirectory => {
                    "give the config file itself, not its folder; `sandbox-report init FOLDER` proposes a config from a folder of exports"
                }
                std::io::ErrorKind::NotFound => {
                    "check the path (it is relative to the current folder); to start a new submission, `sandbox-report init DATA_FOLDER -o PATH` proposes a config from your exports"
                }
                _ => "check the path; it is relative to the current folder",
            }
            .into(),
        )
    }
}

/// A config that parsed and passed every check.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The config file as given on the command line.
    pub path: PathBuf,
    /// The folder that relative paths in the config start from.
    pub dir: PathBuf,
    pub config: Config,
    pub timezone: Tz,
    /// The narrative files read into the config, as written in it (relative to `dir`).
    pub narrative_files: Vec<String>,
}

/// One problem with a config file, at a line and column when known.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigIssue {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigIssue {
    pub fn at(file: &Path, location: Location, message: impl Into<String>) -> Self {
        let known = location != Location::UNKNOWN;
        ConfigIssue {
            file: file.to_path_buf(),
            line: known.then(|| location.line()),
            column: known.then(|| location.column()),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Reads, parses and checks the config at `path`.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut config = parse(path, &text)?;
    let todo = todo_markers(path, &text);
    if !todo.is_empty() {
        return Err(ConfigError::Invalid(todo));
    }
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let timezone = check::check(path, &config).map_err(ConfigError::Invalid)?;
    let narrative_files = read_narrative_files(path, &dir, &mut config)?;
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        dir,
        config,
        timezone,
        narrative_files,
    })
}

/// The `TODO` markers `init` writes where only the user can decide (outside comments and
/// quotes): each is an issue at its line and column until a value replaces it.
fn todo_markers(path: &Path, text: &str) -> Vec<ConfigIssue> {
    let mut issues = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut quote = None;
        let mut previous = ' ';
        for (i, c) in line.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' && previous.is_whitespace() => break,
                None if line[i..].starts_with("TODO")
                    && !previous.is_alphanumeric()
                    && !line[i + 4..].starts_with(|c: char| c.is_alphanumeric() || c == '_') =>
                {
                    let key = line[..i]
                        .rsplit(['{', ',', '-'])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_end_matches(':')
                        .trim();
                    let what = if key.is_empty() {
                        "a value".to_string()
                    } else {
                        format!("`{key}`")
                    };
                    issues.push(ConfigIssue {
                        file: path.to_path_buf(),
                        line: Some(n as u64 + 1),
                        column: Some(line[..i].chars().count() as u64 + 1),
                        message: format!("{what} is still TODO"),
                        hint: None,
                    });
                    break;
                }
                None => {}
            }
            previous = c;
        }
    }
    if let Some(last) = issues.last_mut() {
        last.hint = Some(
            "`init` marks with TODO what it could not decide: write your own value in its place (the comment on each line says what)".into(),
        );
    }
    issues
}

fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    parse_yaml(
        path,
        text,
        "`sandbox-report explain config` prints every key the config accepts and its type",
    )
}

/// Parses a YAML file of the tool (a config, a batch plan) into `T`; a problem is an issue
/// at its line and column, with `hint`.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    hint: &str,
) -> Result<T, ConfigError> {
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let location = err.location().unwrap_or(Location::UNKNOWN);
        let options = serde_saphyr::render_options! { snippets: SnippetMode::Off };
        let message = err.without_snippet().render_with_options(options);
        let message = plain_message(&strip_location_suffix(&message));
        let issue = ConfigIssue::at(path, location, message).with_hint(hint.to_string());
        ConfigError::Invalid(vec![issue])
    })
}

/// serde-saphyr appends " at line L, column C"; we print the position in front instead.
fn strip_location_suffix(message: &str) -> String {
    let is_position = |rest: &str| {
        rest.split_once(", column ").is_some_and(|(line, column)| {
            [line, column]
                .iter()
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    match message.rfind(" at line ") {
        Some(at) if is_position(&message[at + " at line ".len()..]) => message[..at].to_string(),
        _ => message.to_string(),
    }
}

/// The YAML reader's messages in the words of a config author, without advice meant for
/// programmers who call the library.
fn plain_message(message: &str) -> String {
    if message.starts_with("budget breached") {
        return "the YAML expands to far too many values (aliases nested inside aliases); a \
                config needs no such nesting"
            .into();
    }
    if message.starts_with("multiple YAML documents") {
        return "the file holds more than one YAML document (a second `---`); a config is one \
                document"
            .into();
    }
    match message.split_once(", set DuplicateKeyPolicy") {
        Some((head, _)) => format!("{head} (a key may appear once in its block)"),
        None => message.to_string(),
    }
}

/// Replaces a `{ file: ... }` narrative (also inside a per-language one) by the file's text.
fn read_narrative_file(
    path: &Path,
    dir: &Path,
    section: &mut NarrativeText,
    issues: &mut Vec<ConfigIssue>,
    read: &mut Vec<String>,
) {
    match section {
        NarrativeText::File { file } => match std::fs::read_to_string(dir.join(&*file)) {
            Ok(text) => {
                read.push(file.clone());
                *section = NarrativeText::Inline(text);
            }
            Err(err) => issues.push(ConfigIssue {
                file: path.to_path_buf(),
                line: None,
                column: None,
                message: format!("cannot read narrative file {file:?}: {err}"),
                hint: Some("narrative file paths are relative to the config's folder".into()),
            }),
        },
        NarrativeText::Languages(languages) => {
            for text in [&mut languages.en, &mut languages.zh_hk]
                .into_iter()
                .flatten()
            {
                read_narrative_file(path, dir, text, issues, read);
            }
        }
        NarrativeText::Inline(_) => {}
    }
}

/// Reads every narrative file into the config; returns the files read.
fn read_narrative_files(
    path: &Path,
    dir: &Path,
    config: &mut Config,
) -> Result<Vec<String>, ConfigError> {
    let narrative = &mut config.submission.narrative;
    let sections = [
        &mut narrative.objectives,
        &mut narrative.system,
        &mut narrative.data,
        &mut narrative.results,
        &mut narrative.redteam,
        &mut narrative.fairness,
        &mut narrative.oversight,
        &mut narrative.operations,
        &mut narrative.incidents,
        &mut narrative.reconciliation,
        &mut narrative.lessons,
        &mut narrative.limitations,
        &mut narrative.next_steps,
    ];
    let (mut issues, mut read) = (Vec::new(), Vec::new());
    for section in sections.into_iter().flatten() {
        read_narrative_file(path, dir, section, &mut issues, &mut read);
    }
    if issues.is_empty() {
        read.sort();
        read.dedup();
        Ok(read)
    } else {
        Err(ConfigError::Invalid(issues))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_markers_are_found_outside_comments_and_quotes() {
        let text = "a:\n  id: TODO  # TODO: yours\n  name: \"TODO list\"\n  x: { b: 1, c: TODO }\n  # TODO in a comment\n  d: TODOS\n";
        let found: Vec<(u64, u64, String)> = todo_markers(Path::new("c.yaml"), text)
            .into_iter()
            .map(|i| (i.line.unwrap(), i.column.unwrap(), i.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, 7, "`id` is still TODO".to_string()),
                (4, 17, "`c` is still TODO".to_string()),
            ]
        );
    }

    #[test]
    fn location_suffix_is_removed() {
        assert_eq!(
            strip_location_suffix("unknown field `x` at line 3, column 1"),
            "unknown field `x`"
        );
        assert_eq!(strip_location_suffix("plain"), "plain");
        let inner = "budget breached (used at line 10, column 30) (defined at line 14";
        assert_eq!(strip_location_suffix(inner), inner);
    }

    #[test]
    fn library_advice_is_replaced_by_plain_words() {
        let dup = plain_message("duplicate mapping key: a, set DuplicateKeyPolicy in Options");
        assert_eq!(
            dup,
            "duplicate mapping key: a (a key may appear once in its block)"
        );
        assert!(plain_message("budget breached: Nodes").contains("aliases nested"));
        assert!(!plain_message("multiple YAML documents detected; use x").contains("use x"));
    }
}
