//! sandbox-report: turns the raw evidence of an AI sandbox trial (logs and KPI sheets) into
//! the standardised submission report a banking regulator asks for.
//!
//! The modules follow the data flow: [`config`] → [`discover`] → [`ingest`] → [`validate`] →
//! [`metrics`] → [`model`] (the report model) → [`render`] → [`bundle`]. [`pipeline`] chains
//! the stages; [`commands`] holds what each command-line command does.

pub mod args;
pub mod assessment;
pub mod bundle;
pub mod clock;
pub mod cohort;
pub mod commands;
pub mod config;
pub mod discover;
pub mod error;
pub mod generate;
pub(crate) mod glyphs;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod panic;
pub mod parts;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod schema;
pub(crate) mod suggest;
pub mod templates;
pub mod validate;

pub use error::{Error, Outcome};
