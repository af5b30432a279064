//! Typed errors of the library, one variant per failure family, each with the exit code it
//! maps to ([`Error::outcome`]) and its advice ([`Error::hint`]): messages say what is wrong,
//! hints (printed as `hint:` lines) say what to do, and no message carries a hint of its own.
//!
//! Exit codes (documented in docs/exit-codes.md):
//! - 0: success;
//! - 1: the inputs have errors (findings of severity error), or some cohort bundles were rejected;
//! - 2: the run could not proceed: usage error, unreadable or invalid config, template error,
//!   an output that could not be written.

use std::path::PathBuf;

use thiserror::Error;

use crate::config::ConfigError;
use crate::model::Finding;

/// What a run ends with, as the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success = 0,
    InputErrors = 1,
    Failure = 2,
    /// A batch run stopped by SIGINT (the shell's 128 + 2).
    Interrupted = 130,
}

impl Outcome {
    pub fn code(self) -> u8 {
        self as u8
    }
}

#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The findings of severity error (and the warnings beside them), for the command to list.
    #[error("the inputs have {errors} error(s); no bundle was written")]
    InputErrors {
        errors: usize,
        findings: Vec<Finding>,
    },

    #[error("template {file}{}: {message}", location(*.line, *.column))]
    Template {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
        /// The template engine's own advice (typst's hints).
        hints: Vec<String>,
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

    #[error("another run is writing {} (waited {:.1} s for its lock)", out.display(), waited.as_secs_f64())]
    Locked {
        out: PathBuf,
        waited: std::time::Duration,
    },

    #[error("-o is for `batch DIR`; a plan names its own output folders and run report")]
    BatchOutWithPlan,

    #[error("refusing to write {name:?}: output names must stay inside the bundle")]
    OutputName { name: String },

    #[error("{} exists already", path.display())]
    ExportTarget { path: PathBuf },

    #[error("{} exists already", path.display())]
    InitTarget { path: PathBuf },

    #[error("{reason}")]
    Init { reason: String },

    #[error("found no trial log under {}: {looked_at} data file(s) looked at{}", path.display(), list_reasons_or_none(.why))]
    NoTrialLog {
        path: PathBuf,
        looked_at: usize,
        why: Vec<String>,
    },

    #[error("data processing failed in stream {stream:?}: {source}")]
    Data {
        stream: String,
        source: polars::prelude::PolarsError,
    },

    #[error("no bundle could be used for the cohort{}", list_reasons(.rejected))]
    NoBundles { rejected: Vec<String> },

    #[error("{reason}")]
    Clock { reason: String },

    #[error("unknown metric or finding code {id:?}{suggestion}")]
    UnknownId { id: String, suggestion: String },

    #[error("cannot find the sample data (a folder with submissions/ inside)")]
    SamplesNotFound,

    #[error("cannot use the signing key {}: {reason}", path.display())]
    SigningKey { path: PathBuf, reason: String },

    #[error("cannot sign the manifest: {reason}")]
    Signing { reason: String },

    #[error("cannot use the public key {}: {reason}", path.display())]
    PublicKey { path: PathBuf, reason: String },

    #[error("{}: {reason}", path.display())]
    Manifest { path: PathBuf, reason: String },

    #[error("{reason}")]
    PseudonymKey { reason: String },

    #[error("trusted keys {}: {reason}", path.display())]
    TrustedKeys { path: PathBuf, reason: String },

    #[error("cannot draw chart {id}: {message}")]
    Chart { id: String, message: String },

    #[error("cannot serialise the output data: {0}")]
    Serialise(serde_json::Error),

    #[error("cannot make the PDF: {reason}")]
    Pdf { reason: String },

    #[error("cannot make the Excel annex: {reason}")]
    Xlsx { reason: String },

    #[error("the run stopped on an internal error (see above)")]
    Internal,
}

fn list_reasons(reasons: &[String]) -> String {
    if reasons.is_empty() {
        " (no folder with manifest.json and summary.json was found)".into()
    } else {
        format!(":\n  {}", reasons.join("\n  "))
    }
}

fn list_reasons_or_none(reasons: &[String]) -> String {
    if reasons.is_empty() {
        String::new()
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

    /// Advice printed after the error as `hint:` lines, when there is any.
    pub fn hint(&self) -> Option<String> {
        let text: &str = match self {
            Error::Config(e) => return e.hint(),
            Error::Template { hints, .. } if !hints.is_empty() => {
                return Some(hints.join("\n  hint: "));
            }
            Error::InputErrors { .. } => {
                "run `sandbox-report validate CONFIG` to list every finding with file, row and column"
            }
            Error::NotABundle { .. } | Error::ForeignFile { .. } => {
                "choose an empty or new folder for -o, or remove the folder yourself"
            }
            Error::ExportTarget { .. } => "export into an empty or new folder",
            Error::InitTarget { .. } => "give another -o, or --force to replace it",
            Error::NoTrialLog { .. } => {
                "init reads CSV, JSON Lines and Parquet files (perhaps .gz), Excel workbooks (.xlsx, first sheet) and red-team tool results; a trial log has the columns of docs/input-schemas.md under your own names"
            }
            Error::Locked { .. } => {
                "wait for the other run to finish, or give it longer with --lock-timeout SECONDS"
            }
            Error::Clock { .. } => {
                "set SOURCE_DATE_EPOCH to whole seconds since 1970-01-01 (e.g. 1756684800), or unset it"
            }
            Error::UnknownId { .. } => {
                "`sandbox-report explain --list` lists every metric id and finding code; `explain config`, `explain input`, `explain exit-codes`, `explain outputs` and `explain cohort` print the reference pages"
            }
            Error::SamplesNotFound => "run from the project folder or pass --samples DIR",
            Error::SigningKey { .. } => {
                "give a secret key `minisign -G` wrote; a password-protected key needs its password in $SANDBOX_REPORT_SIGN_PASSWORD"
            }
            Error::PublicKey { .. } => "give the .pub file `minisign -G -p` wrote",
            Error::PseudonymKey { .. } => {
                "pass --key-file PATH, or set SANDBOX_REPORT_PSEUDONYM_KEY to 64 hex digits"
            }
            Error::TrustedKeys { .. } => {
                "--trusted-keys takes a folder of minisign public keys named <institution id>.pub, as `minisign -G -p` writes them"
            }
            Error::Internal
            | Error::Chart { .. }
            | Error::Serialise(_)
            | Error::Pdf { .. }
            | Error::Xlsx { .. } => {
                "this is a bug in sandbox-report; please report it with the command and input that caused it"
            }
            _ => return None,
        };
        Some(text.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
