//! The JSON Schema of the files people write for the tool: the submission config and the batch
//! plan, generated from the same types the loader reads them into (draft-07, the draft the
//! YAML language server of VS Code and other editors reads). Shipped in `docs/schema/` and
//! printed by `sandbox-report schema`.

use schemars::generate::SchemaSettings;

/// A file whose schema the tool gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaOf {
    Config,
    Plan,
    /// A bundle's summary.json (summary-v1).
    Summary,
}

impl SchemaOf {
    /// The file name it is shipped under in `docs/schema/` (and written beside a config by `init`).
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaOf::Config => "submission.schema.json",
            SchemaOf::Plan => "plan.schema.json",
            SchemaOf::Summary => "summary.schema.json",
        }
    }
}

/// The schema as pretty JSON text, ending in a newline.
pub fn text(of: SchemaOf) -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let (mut schema, title) = match of {
        SchemaOf::Config => (
            generator.into_root_schema_for::<super::Config>(),
            "sandbox-report submission config (input-v1)",
        ),
        SchemaOf::Plan => (
            generator.into_root_schema_for::<crate::batch::plan::PlanFile>(),
            "sandbox-report batch plan",
        ),
        SchemaOf::Summary => (
            generator.into_root_schema_for::<crate::model::Summary>(),
            "sandbox-report summary.json (summary-v1)",
        ),
    };
    schema.insert("title".into(), title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
