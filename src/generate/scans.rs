//! The red-team sample's scanner results: the real garak and promptfoo outputs of
//! tests/fixtures (made offline, see the COMMANDS.md there), with their run times moved into
//! the sample's August 2025 period and the target renamed to the sample's guard model. Only
//! those strings change; every attempt, score and verdict is the tools' own.

use std::path::{Path, PathBuf};

use polars::prelude::PolarsResult;

use super::samples::text_file;

const GARAK: &str = include_str!("../../tests/fixtures/garak/garak.report.jsonl");
const PROMPTFOO: &str = include_str!("../../tests/fixtures/promptfoo/results.json");

/// (what the fixture says, what the sample says instead).
const GARAK_EDITS: [(&str, &str); 3] = [
    ("2026-12-02T18:13:1", "2025-08-20T10:13:1"),
    ("repeat-fixture", "guard-llm-1.0"),
    ("\"test.Repeat\"", "\"rest.RestGenerator\""),
];
const PROMPTFOO_EDITS: [(&str, &str); 2] = [
    ("2026-12-02T18:14:1", "2025-08-21T02:14:1"),
    ("echo-refuser", "guard-llm-1.0"),
];

/// Writes `exercise/scanners/2025-08/` of the red-team sample.
pub(super) fn write(dir: &Path) -> PolarsResult<Vec<PathBuf>> {
    let folder = dir.join("exercise/scanners/2025-08");
    Ok(vec![
        text_file(
            folder.join("garak.report.jsonl"),
            &edited(GARAK, &GARAK_EDITS),
        )?,
        text_file(
            folder.join("promptfoo-results.json"),
            &edited(PROMPTFOO, &PROMPTFOO_EDITS),
        )?,
    ])
}

fn edited(text: &str, edits: &[(&str, &str)]) -> String {
    edits
        .iter()
        .fold(text.to_string(), |text, (from, to)| text.replace(from, to))
}
