//! Taking a backup while the service serves.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::manifest::{Entry, FORMAT, Manifest};
use super::{BackupError, DATABASE, FILES, MANIFEST, Summary, walk};

/// Writes a backup of the data directory `data_dir` (whose database is `database`) to
/// `out`, which must not exist yet. The file appears only once it is complete.
pub fn create(data_dir: &Path, database: &Path, out: &Path) -> Result<Summary, BackupError> {
    if out.exists() {
        return Err(BackupError::OutExists {
            path: out.display().to_string(),
        });
    }
    let partial = sibling(out, "partial");
    let snapshot = sibling(out, "db-snapshot");
    let result = write(data_dir, database, &partial, &snapshot);
    let _ = std::fs::remove_file(&snapshot);
    match result {
        Ok(summary) => {
            std::fs::rename(&partial, out)?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

/// A consistent copy of the live database: all pages in one step, so in one read
/// transaction (in WAL mode writers carry on meanwhile).
fn snapshot(database: &Path, to: &Path) -> Result<(), BackupError> {
    let source = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    source.busy_timeout(Duration::from_secs(5))?;
    let mut target = Connection::open(to)?;
    let backup = Backup::new(&source, &mut target)?;
    loop {
        match backup.step(-1)? {
            StepResult::Done => break,
            // Busy or locked: the writer is checkpointing; try again shortly.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    drop(backup);
    target.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

fn mode(path: &Path) -> std::io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(0o644)
    }
}

/// Copies `from` into the ZIP's current entry, hashing as it goes.
fn copy(from: &Path, zip: &mut impl Write) -> std::io::Result<(u64, String)> {
    let mut file = File::open(from)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    let mut bytes = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        zip.write_all(&buffer[..n])?;
        bytes += n as u64;
    }
    Ok((bytes, hex::encode(hasher.finalize())))
}

fn write(
    data_dir: &Path,
    database: &Path,
    partial: &Path,
    snapshot_path: &Path,
) -> Result<Summary, BackupError> {
    let taken_at = crate::time::seconds(jiff::Timestamp::now());
    snapshot(database, snapshot_path)?;
    // Listed after the snapshot: every file it refers to is already in place.
    let files = walk::files(data_dir)?;

    let mut zip = ZipWriter::new(BufWriter::new(File::create(partial)?));
    let mut entries = Vec::with_capacity(files.len() + 1);
    let mut add = |zip: &mut ZipWriter<BufWriter<File>>,
                   rel: String,
                   from: &Path|
     -> Result<(), BackupError> {
        let mode = mode(from)?;
        // Photos and PDFs are compressed already: stored as they are.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(true)
            .unix_permissions(mode);
        zip.start_file(format!("{FILES}{rel}"), options)?;
        let (bytes, sha256) = copy(from, zip)?;
        entries.push(Entry {
            path: rel,
            bytes,
            sha256,
            mode,
        });
        Ok(())
    };
    add(&mut zip, DATABASE.to_owned(), snapshot_path)?;
    for rel in files {
        let Some(text) = rel.to_str() else {
            return Err(BackupError::Damaged(format!(
                "{} has a name that is not UTF-8",
                rel.display()
            )));
        };
        let text = text.replace('\\', "/");
        match std::fs::metadata(data_dir.join(&rel)) {
            Ok(_) => add(&mut zip, text, &data_dir.join(&rel))?,
            // Removed since the listing (a photo erased): the snapshot may still name it,
            // the data directory no longer has it either.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let manifest = Manifest {
        format: FORMAT,
        aftercare: env!("CARGO_PKG_VERSION").to_owned(),
        taken_at,
        files: entries,
    };
    zip.start_file(
        MANIFEST,
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
    )?;
    let text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| BackupError::Damaged(format!("manifest: {e}")))?;
    zip.write_all(&text)?;
    let summary = Summary {
        files: manifest.files.len(),
        bytes: manifest.files.iter().map(|e| e.bytes).sum(),
    };
    let mut out = zip.finish()?;
    out.flush()?;
    out.get_ref().sync_all()?;
    Ok(summary)
}
