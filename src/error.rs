//! Typed errors of the library and the exit code each one maps to.
//!
//! Exit codes (documented in docs/exit-codes.md):
//! - 0: success;
//! - 1: the inputs have errors (findings of severity error), or some cohort bundles were rejected;
//! - 2: the run could not proceed: usage error, unreadable or invalid config, template error,
//!   an output that could not be written.

use std::path::PathBuf;

use thiserror::Error;

use crate::config::ConfigIssue;

/// What a run ends with, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success = 0,
    InputErrors = 1,
    Failure = 2,
}

impl Outcome {
    pub fn code(self) -> u8 {
        self as u8
    }
}

#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot read config {}: {source}", path.display())]
    ConfigRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}", join_issues(.0))]
    Config(Vec<ConfigIssue>),

    #[error("the inputs have {errors} error(s); no bundle was written")]
    InputErrors { errors: usize },

    #[error("template {file}{}: {message}", location(*.line, *.column))]
    Template {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },

    #[error("cannot read input {}: {source}", path.display())]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("refusing to replace {}: it exists and is not a bundle written by sandbox-report", path.display())]
    NotABundle { path: PathBuf },

    #[error("refusing to replace {}: it holds {stranger:?}, which its manifest does not list", path.display())]
    ForeignFile { path: PathBuf, stranger: String },

    #[error("data processing failed in stream {stream:?}: {source}")]
    Data {
        stream: String,
        source: polars::prelude::PolarsError,
    },

    #[error("no bundle could be used for the cohort{}", list_reasons(.rejected))]
    NoBundles { rejected: Vec<String> },

    #[error("{0}")]
    Usage(String),

    #[error("trusted keys {}: {reason}", path.display())]
    TrustedKeys { path: PathBuf, reason: String },
}

fn join_issues(issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn list_reasons(reasons: &[String]) -> String {
    if reasons.is_empty() {
        " (no folder with manifest.json and summary.json was found)".into()
    } else {
        format!(":\n  {}", reasons.join("\n  "))
    }
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::InputErrors { .. } => Outcome::InputErrors,
            _ => Outcome::Failure,
        }
    }

    /// A line of advice printed after the error, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::InputErrors { .. } => Some(
                "run `sandbox-report validate CONFIG` to list every finding with file, row and column"
                    .into(),
            ),
            Error::NotABundle { .. } | Error::ForeignFile { .. } => {
                Some("choose an empty or new folder for -o, or remove the folder yourself".into())
            }
            Error::ConfigRead { source, .. } => Some(
                match source.kind() {
                    std::io::ErrorKind::InvalidData => "save the config as UTF-8 text",
                    std::io::ErrorKind::IsADirectory => "give the config file itself, not its folder",
                    _ => "check the path; it is relative to the current folder",
                }
                .into(),
            ),
            Error::TrustedKeys { .. } => Some(
                "--trusted-keys takes a folder of minisign public keys named <institution id>.pub, as `minisign -G -p` writes them"
                    .into(),
            ),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
