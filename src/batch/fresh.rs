//! Is a bundle up to date? A job is skipped when the bundle it last wrote still verifies and
//! its manifest (the record of what it was made from) matches what a build would read now:
//! the tool version, the config, every input file (the same discovery as a build; sizes
//! first, then SHA-256), the narrative files and template overrides, the formats, the report
//! language and the signing key. Hashes of unchanged files (same size and modification time
//! as when last hashed) come from the run's hash cache instead of being read again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::plan::Job;
use crate::bundle::sign::{SIGNATURE_FILE, Signer};
use crate::bundle::{MANIFEST_FILE, Manifest, hash};
use crate::config::{LoadedConfig, OutputFormat};
use crate::model::{Summary, Tool};
use crate::render::{DocumentKind, SUMMARY_FILE};
use crate::templates::TemplateSet;

/// Whether a job must run.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Nothing changed; the bundle's summary.json has this SHA-256.
    UpToDate { summary_sha256: String },
    /// Something changed, said in a few words (`input logs/a.csv changed`).
    Stale(String),
}

/// A file's hash with what identified its version when hashed: size, modification time,
/// and on Unix the inode and the status-change time (which `touch -r`, `cp -p` or `rsync -a`
/// cannot set back), so a same-size edit with its old mtime restored is still noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Hashed {
    bytes: u64,
    mtime_ns: u128,
    #[serde(default)]
    ctime_ns: i128,
    #[serde(default)]
    inode: u64,
    sha256: String,
}

/// The size, times and inode of a file, as the cache compares them.
fn stamp(meta: &std::fs::Metadata) -> std::io::Result<(u64, u128, i128, u64)> {
    let mtime_ns = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let (ctime_ns, inode) = {
        use std::os::unix::fs::MetadataExt;
        (
            i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
            meta.ino(),
        )
    };
    #[cfg(not(unix))]
    let (ctime_ns, inode) = (0, 0);
    Ok((meta.len(), mtime_ns, ctime_ns, inode))
}

/// Hashes of files already read, by absolute path; kept between runs beside the run report.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HashCache {
    files: Mutex<BTreeMap<PathBuf, Hashed>>,
}

impl HashCache {
    /// The cache saved at `path`, or an empty one (a missing or unreadable cache only costs
    /// time).
    pub fn load(path: &Path) -> HashCache {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Saves the cache (atomically: a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, &bytes)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The size and SHA-256 of `path`, read again unless the file (its link target) has the
    /// size, times and inode it had when last hashed.
    pub fn sha256(&self, path: &Path) -> std::io::Result<(u64, String)> {
        let key = std::fs::canonicalize(path)?;
        let (size, mtime_ns, ctime_ns, inode) = stamp(&std::fs::metadata(&key)?)?;
        let cached = self.lock().get(&key).cloned();
        let same = |h: &Hashed| {
            (h.bytes, h.mtime_ns, h.ctime_ns, h.inode) == (size, mtime_ns, ctime_ns, inode)
        };
        if let Some(h) = cached.filter(same) {
            return Ok((h.bytes, h.sha256));
        }
        let (bytes, sha256) = hash::sha256_file(&key)?;
        let entry = Hashed {
            bytes,
            mtime_ns,
            ctime_ns,
            inode,
            sha256: sha256.clone(),
        };
        self.lock().insert(key, entry);
        Ok((bytes, sha256))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<PathBuf, Hashed>> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What a build of `job` would write and read now, for the comparison.
pub struct Wanted<'a> {
    pub job: &'a Job,
    pub loaded: &'a LoadedConfig,
    pub templates: &'a TemplateSet,
    pub signer: Option<&'a Signer>,
}

/// Whether `wanted.job.out` holds a bundle of exactly what a build would make now.
pub fn check(wanted: &Wanted, cache: &HashCache) -> Verdict {
    match compare(wanted, cache) {
        Ok(summary_sha256) => Verdict::UpToDate { summary_sha256 },
        Err(reason) => Verdict::Stale(reason),
    }
}

fn compare(w: &Wanted, cache: &HashCache) -> Result<String, String> {
    let out = &w.job.out;
    let manifest_bytes =
        std::fs::read(out.join(MANIFEST_FILE)).map_err(|_| "no bundle yet".to_string())?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|_| "the bundle's manifest.json cannot be read".to_string())?;
    if manifest.tool.version != Tool::this().version {
        return Err(format!(
            "written by sandbox-report {}",
            manifest.tool.version
        ));
    }
    if let Some(bad) = manifest.verify_outputs(out).first() {
        return Err(format!(
            "the bundle's {} differs from its manifest",
            bad.path
        ));
    }
    let (_, config_sha) = cache
        .sha256(&w.loaded.path)
        .map_err(|e| format!("cannot read the config: {e}"))?;
    if manifest.config.as_ref().map(|c| &c.sha256) != Some(&config_sha) {
        return Err("the config changed".into());
    }
    same_outputs(w, &manifest)?;
    same_signature(w.signer, out, &manifest_bytes)?;
    same_inputs(w.loaded, &manifest, cache)?;
    let others = crate::submission::other_sources(w.loaded, w.templates)
        .map_err(|e| format!("cannot read a narrative or template file: {e}"))?;
    if others != manifest.sources {
        return Err("a narrative file or template changed".into());
    }
    manifest
        .outputs
        .iter()
        .find(|e| e.path == SUMMARY_FILE)
        .map(|e| e.sha256.clone())
        .ok_or_else(|| "the bundle has no summary.json".into())
}

/// The report files of the formats asked for, and the language of the report.
fn same_outputs(w: &Wanted, manifest: &Manifest) -> Result<(), String> {
    let report = &w.loaded.config.report;
    let formats = if w.job.formats.is_empty() {
        &report.formats
    } else {
        &w.job.formats
    };
    let mut wanted: Vec<String> = formats
        .iter()
        .chain([&OutputFormat::Json])
        .map(|f| match f {
            OutputFormat::Json => SUMMARY_FILE.to_string(),
            other => DocumentKind::Report.file_name(*other),
        })
        .collect();
    wanted.sort();
    wanted.dedup();
    let have: Vec<&str> = manifest.outputs.iter().map(|e| e.path.as_str()).collect();
    if have != wanted {
        return Err("other report formats are asked for".into());
    }
    let summary: Summary = std::fs::read(w.job.out.join(SUMMARY_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("the bundle's summary.json cannot be read")?;
    let language = w.job.language.unwrap_or(report.language);
    if summary.settings.language != language {
        return Err("another report language is asked for".into());
    }
    Ok(())
}

/// Signed by the job's key when it has one, unsigned when it has none.
fn same_signature(signer: Option<&Signer>, out: &Path, manifest: &[u8]) -> Result<(), String> {
    let signature = std::fs::read_to_string(out.join(SIGNATURE_FILE)).ok();
    match (signer, signature) {
        (None, None) => Ok(()),
        (Some(s), Some(sig)) if s.signed(manifest, &sig) => Ok(()),
        (Some(_), _) => Err("not signed with the job's key".into()),
        (None, Some(_)) => Err("signed, but the job signs nothing".into()),
    }
}

/// The same input files, by path, size and then SHA-256.
fn same_inputs(
    loaded: &LoadedConfig,
    manifest: &Manifest,
    cache: &HashCache,
) -> Result<(), String> {
    let found = crate::submission::discovered_inputs(loaded);
    let listed: BTreeMap<&str, &crate::bundle::Entry> = manifest
        .inputs
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    if let Some((name, _)) = found
        .iter()
        .find(|(name, _)| !listed.contains_key(name.as_str()))
    {
        return Err(format!("input {name} is new"));
    }
    if found.len() != listed.len() {
        let gone = listed
            .keys()
            .find(|p| !found.iter().any(|(name, _)| name == *p))
            .copied()
            .unwrap_or_default();
        return Err(format!("input {gone} is gone"));
    }
    let mut to_hash = Vec::new();
    for (name, path) in &found {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|e| format!("input {name}: {e}"))?;
        if size != listed[name.as_str()].bytes {
            return Err(format!("input {name} changed"));
        }
        to_hash.push((name, path));
    }
    for (name, path) in to_hash {
        let (_, sha) = cache
            .sha256(path)
            .map_err(|e| format!("input {name}: {e}"))?;
        if sha != listed[name.as_str()].sha256 {
            return Err(format!("input {name} changed"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_same_size_edit_with_its_old_mtime_restored_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kpis.jsonl");
        std::fs::write(&path, b"{\"v\": 1}\n").unwrap();
        let cache = HashCache::default();
        let (_, first) = cache.sha256(&path).unwrap();
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, b"{\"v\": 2}\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let (_, second) = cache.sha256(&path).unwrap();
        assert_ne!(first, second, "the edit was taken from the cache");
        assert_eq!(cache.sha256(&path).unwrap().1, second);
    }
}
