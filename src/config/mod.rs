//! The submission config (input-v1): its types, loading it from YAML with line and column
//! in every error, and resolving it into the form the pipeline uses.

mod check;
mod dates;
mod json_schema;
mod load;
mod types;

pub(crate) use check::out_of_bounds;
pub use json_schema::{SchemaOf, text as json_schema};
pub use load::{ConfigError, ConfigIssue, LoadedConfig, load, parse_yaml};
pub use types::*;
