//! sandbox-report: turns the raw evidence of an AI sandbox trial (logs and KPI sheets) into
//! the standardised submission report a banking regulator asks for.
//!
//! The modules follow the data flow: `config` → `discover` → `ingest` → `validate` →
//! `metrics` → `assessment` → `traceability` → `model` (the report model) → `render` →
//! `bundle`, with `cohort` on the side and `batch` running many builds and a cohort
//! unattended. `pipeline` chains the stages up to the model, `submission` builds a whole
//! bundle, and [`commands`] holds what each command-line command does.

// The library's surface: what the two binaries and the integration tests use. Everything
// else is `pub(crate)`.
pub mod args;
pub(crate) mod assessment;
pub(crate) mod batch;
pub(crate) mod bundle;
pub(crate) mod clock;
pub mod codes;
pub(crate) mod cohort;
pub mod commands;
pub(crate) mod config;
pub(crate) mod declared;
pub(crate) mod discover;
pub mod error;
#[doc(hidden)]
pub mod generate;
pub(crate) mod glyphs;
pub(crate) mod ingest;
pub(crate) mod init;
pub(crate) mod lineage;
pub(crate) mod localise;
pub(crate) mod messages;
pub(crate) mod metrics;
pub mod model;
pub mod panic;
pub(crate) mod parts;
pub(crate) mod pipeline;
pub(crate) mod progress;
pub(crate) mod render;
pub mod schema;
pub mod stdout;
pub(crate) mod submission;
pub(crate) mod suggest;
pub(crate) mod templates;
pub(crate) mod traceability;
pub(crate) mod validate;
pub(crate) mod zones;

pub use config::{ConfigError, ConfigIssue};
pub use error::{Error, Outcome};
pub use metrics::catalogue;
