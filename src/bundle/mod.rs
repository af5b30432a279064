//! The bundle stage, the one writer of every output folder (a submission's bundle, a cohort):
//! [`Staging::new`] checks that OUT may be replaced before any work, the rendered files go into
//! a hidden staging folder beside OUT, [`Staging::finish`] writes the manifest over them (and
//! signs it), and only then does the staging folder take OUT's place. A run that fails at any
//! point leaves an existing OUT exactly as it was.

pub mod hash;
pub mod lock;
pub mod manifest;
pub mod sign;

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::Tool;
use crate::render::{Output, json_bytes};
pub use manifest::{Entry, MANIFEST_FILE, Manifest};

/// What a bundle was made from, as its manifest lists it.
pub struct Sources {
    /// The submission config (none for a cohort).
    pub config: Option<Entry>,
    pub inputs: Vec<Entry>,
    /// Narrative files and template overrides.
    pub others: Vec<Entry>,
}

/// A folder that was written: where, and its files (the manifest and signature included).
pub struct Written {
    pub out: PathBuf,
    pub files: Vec<String>,
}

/// A bundle being written.
pub struct Staging {
    dir: TempDir,
    out: PathBuf,
    outputs: Vec<Entry>,
}

fn output_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    /// Starts a bundle for `out`; fails at once if `out` may not be replaced.
    pub fn new(out: &Path) -> Result<Staging> {
        check_replaceable(out)?;
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(output_error(&parent))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.partial-"))
            .tempdir_in(&parent)
            .map_err(output_error(&parent))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            outputs: Vec::new(),
        })
    }

    /// Writes one output file into the staging folder and records its hash. `name` is a
    /// relative path of plain components (`letters/bank-3f9a.pdf`); anything that could leave
    /// the bundle (`..`, an absolute path) is refused.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let plain = Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain || name.is_empty() {
            return Err(Error::OutputName { name: name.into() });
        }
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(output_error(parent))?;
        }
        std::fs::write(&path, bytes).map_err(output_error(&path))?;
        self.outputs.push(Entry {
            path: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: hash::sha256_bytes(bytes),
        });
        Ok(())
    }

    /// Writes every rendered file.
    pub fn write_all(&mut self, outputs: &[Output]) -> Result<()> {
        outputs
            .iter()
            .try_for_each(|o| self.write(&o.name, &o.bytes))
    }

    /// Lists everything written in a manifest stamped by `clock`, signs it when a signer is
    /// given, and moves the folder into place.
    pub fn finish(
        self,
        sources: Sources,
        clock: &Clock,
        signer: Option<&sign::Signer>,
    ) -> Result<Written> {
        let manifest = Manifest {
            schema: manifest::MANIFEST_SCHEMA.into(),
            schema_version: 1,
            tool: Tool::this(),
            created: clock.rfc3339(),
            config: sources.config,
            inputs: sources.inputs,
            sources: sources.others,
            outputs: self.outputs(),
        };
        let mut files: Vec<String> = manifest.outputs.iter().map(|e| e.path.clone()).collect();
        files.push(MANIFEST_FILE.into());
        if signer.is_some() {
            files.push(sign::SIGNATURE_FILE.into());
        }
        let out = self.commit(&manifest, signer)?;
        Ok(Written { out, files })
    }

    /// The outputs written so far, sorted by path.
    pub fn outputs(&self) -> Vec<Entry> {
        let mut list = self.outputs.clone();
        list.sort_by(|a, b| a.path.cmp(&b.path));
        list
    }

    /// Writes the manifest (and its minisign signature when a signer is given) and moves the
    /// bundle into place.
    fn commit(mut self, manifest: &Manifest, signer: Option<&sign::Signer>) -> Result<PathBuf> {
        let bytes = json_bytes(manifest)?;
        let path = self.dir.path().join(MANIFEST_FILE);
        std::fs::write(&path, &bytes).map_err(output_error(&path))?;
        if let Some(signer) = signer {
            let signature = signer.sign(&bytes, &format!("created {}", manifest.created))?;
            let path = self.dir.path().join(sign::SIGNATURE_FILE);
            std::fs::write(&path, signature).map_err(output_error(&path))?;
        }
        // Checked again at the last moment: a file put into OUT while the bundle was being
        // made must not be deleted with the old bundle.
        check_replaceable(&self.out)?;
        self.outputs.clear();
        let staged = self.dir.keep();
        swap_into_place(&staged, &self.out).inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&staged);
        })?;
        Ok(self.out)
    }
}

/// OUT may be replaced when it does not exist, is an empty folder, or is a bundle that holds
/// nothing but what its manifest lists (so that no file someone put there is ever deleted).
fn check_replaceable(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let not_a_bundle = || Error::NotABundle {
        path: out.to_path_buf(),
    };
    if !out.is_dir() {
        return Err(not_a_bundle());
    }
    let empty = std::fs::read_dir(out)
        .map_err(output_error(out))?
        .next()
        .is_none();
    if empty {
        return Ok(());
    }
    let manifest = Manifest::read(&out.join(MANIFEST_FILE)).map_err(|_| not_a_bundle())?;
    match foreign_file(out, &manifest) {
        Some(stranger) => Err(Error::ForeignFile {
            path: out.to_path_buf(),
            stranger,
        }),
        None => Ok(()),
    }
}

/// The first file under `out` (by name) that is neither listed in `manifest` nor the
/// manifest or its signature.
fn foreign_file(out: &Path, manifest: &Manifest) -> Option<String> {
    manifest.unlisted(out).into_iter().next()
}

/// Cleans up after a run that was killed while writing `out` (call it holding `out`'s lock,
/// so that no live run owns the leftovers): when `out` is missing but the old bundle was set
/// aside, it is put back; every other staging folder of `out` is removed.
pub fn recover_leftovers(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.partial-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut leftovers: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    leftovers.sort();
    if !out.exists()
        && let Some(old) = leftovers
            .iter()
            .find(|p| p.to_string_lossy().ends_with("-previous") && p.join(MANIFEST_FILE).is_file())
        && std::fs::rename(old, out).is_ok()
    {
        tracing::warn!(out = %out.display(), "restored the bundle a killed run had set aside");
    }
    for p in leftovers.iter().filter(|p| p.exists()) {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// Moves `staged` to `out`; an existing `out` is set aside first and restored on failure.
fn swap_into_place(staged: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        return std::fs::rename(staged, out).map_err(output_error(out));
    }
    // Named after the unique staging folder, so that a leftover of a killed run never blocks.
    let staged_name = staged
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let aside = staged.with_file_name(format!("{staged_name}-previous"));
    std::fs::rename(out, &aside).map_err(output_error(out))?;
    if let Err(source) = std::fs::rename(staged, out) {
        let _ = std::fs::rename(&aside, out);
        return Err(Error::Output {
            path: out.to_path_buf(),
            source,
        });
    }
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Tool;

    fn manifest(outputs: Vec<Entry>) -> Manifest {
        Manifest {
            schema: manifest::MANIFEST_SCHEMA.into(),
            schema_version: 1,
            tool: Tool::this(),
            created: "2025-09-01T00:00:00Z".into(),
            config: Some(Entry {
                path: "c.yaml".into(),
                bytes: 0,
                sha256: String::new(),
            }),
            inputs: Vec::new(),
            sources: Vec::new(),
            outputs,
        }
    }

    #[test]
    fn a_killed_swap_is_undone_and_staging_leftovers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        // Killed between setting the old bundle aside and moving the new one in.
        let aside = dir.path().join(".bundle.partial-abc-previous");
        std::fs::create_dir_all(&aside).unwrap();
        std::fs::write(aside.join(MANIFEST_FILE), "{}").unwrap();
        let staged = dir.path().join(".bundle.partial-abc");
        std::fs::create_dir_all(&staged).unwrap();
        let other = dir.path().join(".other.partial-xyz");
        std::fs::create_dir_all(&other).unwrap();
        recover_leftovers(&out);
        assert!(out.join(MANIFEST_FILE).is_file(), "the old bundle is back");
        assert!(!aside.exists() && !staged.exists());
        assert!(other.exists(), "another folder's staging is not touched");
    }

    #[test]
    fn commit_replaces_a_bundle_and_refuses_other_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"one").unwrap();
        let m = manifest(stage.outputs());
        stage.commit(&m, None).unwrap();
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"one");
        assert!(m.verify_outputs(&out).is_empty());

        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"two").unwrap();
        let m = manifest(stage.outputs());
        stage.commit(&m, None).unwrap();
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"two");

        let other = dir.path().join("photos");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("cat.jpg"), b"x").unwrap();
        assert!(matches!(
            Staging::new(&other),
            Err(Error::NotABundle { .. })
        ));
    }

    #[test]
    fn a_file_put_into_the_bundle_while_it_is_rebuilt_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"one").unwrap();
        let m = manifest(stage.outputs());
        stage.commit(&m, None).unwrap();
        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"two").unwrap();
        // Someone saves notes into the bundle folder while the new one is being made.
        std::fs::write(out.join("MY-NOTES.txt"), b"keep me").unwrap();
        let m = manifest(stage.outputs());
        let err = stage.commit(&m, None).unwrap_err();
        assert!(matches!(err, Error::ForeignFile { .. }), "{err:?}");
        assert_eq!(std::fs::read(out.join("MY-NOTES.txt")).unwrap(), b"keep me");
        assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"one");
    }

    #[test]
    fn names_cannot_leave_the_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = Staging::new(&dir.path().join("bundle")).unwrap();
        assert!(stage.write("../escaped.md", b"x").is_err());
        assert!(stage.write("/tmp/escaped.md", b"x").is_err());
        assert!(stage.write("letters/ok.md", b"x").is_ok());
        assert!(!dir.path().join("escaped.md").exists());
    }

    #[test]
    fn dropped_staging_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"one").unwrap();
        drop(stage);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn tampering_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        let mut stage = Staging::new(&out).unwrap();
        stage.write("a.txt", b"one").unwrap();
        let m = manifest(stage.outputs());
        stage.commit(&m, None).unwrap();
        std::fs::write(out.join("a.txt"), b"oNe").unwrap();
        let bad = m.verify_outputs(&out);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].path, "a.txt");
    }
}
