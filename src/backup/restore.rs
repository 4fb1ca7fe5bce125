//! Restoring a backup into a new data directory, checking every file as it is written.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::manifest::{Entry, Manifest};
use super::{BackupError, DATABASE, FILES, MANIFEST, Summary};

/// Restores `from` into `data_dir`, which must be missing or empty. On any mismatch the
/// target is left empty again.
pub fn restore(from: &Path, data_dir: &Path) -> Result<Summary, BackupError> {
    let existed = data_dir.exists();
    if existed && std::fs::read_dir(data_dir)?.next().is_some() {
        return Err(BackupError::TargetNotEmpty {
            path: data_dir.display().to_string(),
        });
    }
    std::fs::create_dir_all(data_dir)?;
    let result = unpack(from, data_dir);
    if result.is_err() {
        // Leave nothing half-restored behind.
        if existed {
            for entry in std::fs::read_dir(data_dir)?.flatten() {
                let path = entry.path();
                let _ = if path.is_dir() {
                    std::fs::remove_dir_all(path)
                } else {
                    std::fs::remove_file(path)
                };
            }
        } else {
            let _ = std::fs::remove_dir_all(data_dir);
        }
    }
    result
}

fn damaged(message: impl Into<String>) -> BackupError {
    BackupError::Damaged(message.into())
}

/// A manifest path as a relative path with plain components only.
fn safe(path: &str) -> Option<PathBuf> {
    let rel = Path::new(path);
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| rel.to_path_buf())
        .filter(|p| !p.as_os_str().is_empty())
}

fn unpack(from: &Path, data_dir: &Path) -> Result<Summary, BackupError> {
    let mut zip = ZipArchive::new(File::open(from)?)?;
    let manifest: Manifest = {
        let mut entry = zip
            .by_name(MANIFEST)
            .map_err(|_| damaged("it has no manifest.json"))?;
        let mut text = Vec::new();
        entry.read_to_end(&mut text)?;
        serde_json::from_slice(&text).map_err(|e| damaged(format!("manifest.json: {e}")))?
    };
    if manifest.format != super::manifest::FORMAT {
        return Err(damaged(format!(
            "format {} is not one this aftercare reads",
            manifest.format
        )));
    }
    let expected: BTreeMap<&str, &Entry> = manifest
        .files
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    if expected.len() != manifest.files.len() || !expected.contains_key(DATABASE) {
        return Err(damaged("the manifest lists a file twice or no database"));
    }
    let mut restored = 0;
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index)?;
        let name = entry.name()?.into_owned();
        if name == MANIFEST {
            continue;
        }
        let rel = name
            .strip_prefix(FILES)
            .ok_or_else(|| damaged(format!("{name} is not in the manifest")))?;
        let listed = expected
            .get(rel)
            .ok_or_else(|| damaged(format!("{name} is not in the manifest")))?;
        let path = safe(rel).ok_or_else(|| damaged(format!("{name} is not a safe path")))?;
        let target = data_dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0; 256 * 1024];
        let mut bytes = 0_u64;
        loop {
            let n = entry.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            file.write_all(&buffer[..n])?;
            bytes += n as u64;
        }
        file.sync_all()?;
        if bytes != listed.bytes || hex::encode(hasher.finalize()) != listed.sha256 {
            return Err(damaged(format!("{rel} does not match its checksum")));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                &target,
                std::fs::Permissions::from_mode(listed.mode & 0o777),
            )?;
        }
        restored += 1;
    }
    if restored != manifest.files.len() {
        return Err(damaged(format!(
            "{} file(s) in the manifest are missing",
            manifest.files.len() - restored
        )));
    }
    let conn = Connection::open(data_dir.join(DATABASE))?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(damaged(format!(
            "the database fails its integrity check: {check}"
        )));
    }
    Ok(Summary {
        files: restored,
        bytes: manifest.files.iter().map(|e| e.bytes).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_written() {
        assert!(safe("documents/default/INV-1.pdf").is_some());
        for bad in ["../etc/passwd", "/etc/passwd", "a/../../b", "", "./x/../.."] {
            assert!(safe(bad).is_none(), "{bad}");
        }
    }
}
