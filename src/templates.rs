//! Report templates: the built-in `hkma-genai-sandbox` set compiled into the binary, and
//! user folders whose files override the built-in ones file by file. `templates list` and
//! `templates export` read this module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Name of the built-in template set.
pub use crate::config::BUILTIN_SET;

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../report-templates/hkma-genai-sandbox/", $name)))),*]
    };
}

/// The built-in files: (name, text).
pub static BUILTIN: &[(&str, &str)] = builtin![
    "common.typ",
    "report.typ",
    "cohort.typ",
    "letter.typ",
    "common.html.jinja",
    "report.html.jinja",
    "cohort.html.jinja",
    "common.md.jinja",
    "report.md.jinja",
    "cohort.md.jinja",
    "letter.md.jinja",
];

/// The second built-in set: the EU AI Act sandbox exit report. It is the first set with its
/// three report templates replaced: the same view and sections, laid out in the chapters of
/// an exit report. Everything else (common parts, cohort, letters) is shared.
pub const EU_SET: &str = "eu-ai-act-sandbox";

/// The EU set's own files: (name, text).
pub static EU_FILES: &[(&str, &str)] = &[
    (
        "report.typ",
        include_str!("../report-templates/eu-ai-act-sandbox/report.typ"),
    ),
    (
        "report.html.jinja",
        include_str!("../report-templates/eu-ai-act-sandbox/report.html.jinja"),
    ),
    (
        "report.md.jinja",
        include_str!("../report-templates/eu-ai-act-sandbox/report.md.jinja"),
    ),
];

/// Where a template file came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Override(PathBuf),
}

#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub text: String,
    pub origin: Origin,
}

/// A template set: built-in files with any overrides applied.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    pub files: BTreeMap<String, TemplateFile>,
}

impl TemplateSet {
    /// The built-in set alone.
    pub fn builtin() -> TemplateSet {
        let files = BUILTIN
            .iter()
            .map(|(name, text)| {
                let file = TemplateFile {
                    text: text.to_string(),
                    origin: Origin::Builtin,
                };
                (name.to_string(), file)
            })
            .collect();
        TemplateSet { files }
    }

    /// `spec` is the built-in set's name or a folder (relative to `base`) of override files.
    pub fn load(spec: &str, base: &Path) -> Result<TemplateSet> {
        let mut set = TemplateSet::builtin();
        if spec == BUILTIN_SET {
            return Ok(set);
        }
        if spec == EU_SET {
            for (name, text) in EU_FILES {
                let file = TemplateFile {
                    text: text.to_string(),
                    origin: Origin::Builtin,
                };
                set.files.insert(name.to_string(), file);
            }
            return Ok(set);
        }
        let folder = base.join(spec);
        let entries = std::fs::read_dir(&folder).map_err(|err| Error::Template {
            file: folder.display().to_string(),
            line: None,
            column: None,
            message: format!(
                "report.template is neither the built-in set {BUILTIN_SET:?} nor a readable folder: {err}"
            ),
            hints: Vec::new(),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).map_err(|err| Error::Template {
                file: path.display().to_string(),
                line: None,
                column: None,
                message: format!("cannot read the template: {err}"),
                hints: Vec::new(),
            })?;
            set.files.insert(
                name,
                TemplateFile {
                    text,
                    origin: Origin::Override(path),
                },
            );
        }
        Ok(set)
    }

    pub fn get(&self, name: &str) -> Option<&TemplateFile> {
        self.files.get(name)
    }

    /// The name to show for a template in messages: its path when overridden.
    pub fn display_name(&self, name: &str) -> String {
        match self.files.get(name).map(|f| &f.origin) {
            Some(Origin::Override(path)) => path.display().to_string(),
            _ => format!("{BUILTIN_SET}/{name} (built-in)"),
        }
    }
}

/// Writes the built-in files into `dir`, refusing to overwrite existing files.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, text) in BUILTIN {
        let path = dir.join(name);
        if path.exists() {
            return Err(Error::ExportTarget { path });
        }
        std::fs::write(&path, text).map_err(|source| Error::Output {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
