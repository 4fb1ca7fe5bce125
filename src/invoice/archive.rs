//! The document archive in the data dir. Files are written to a temporary name, fsynced,
//! and renamed into place only once their number is recorded; an archived file is never
//! written again.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::document::DocumentKind;
use crate::ids::StoreId;
use rand::RngExt as _;

pub const DIR: &str = "documents";

/// A rendered document waiting for its number to be recorded.
pub struct Pending {
    pub temp: PathBuf,
}

/// Writes `bytes` to a fresh temporary file under the archive, durably.
pub fn stage(data_dir: &Path, bytes: &[u8]) -> std::io::Result<Pending> {
    let dir = data_dir.join(DIR).join(".staging");
    std::fs::create_dir_all(&dir)?;
    let name: u64 = rand::rng().random();
    let temp = dir.join(format!("{name:016x}.pdf"));
    let mut file = std::fs::File::create_new(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(Pending { temp })
}

/// Moves a staged file to its final place and returns its folder, whose sync makes the
/// rename durable: one sync covers every document placed in the folder before it.
pub fn place(data_dir: &Path, pending: &Pending, relative: &str) -> std::io::Result<PathBuf> {
    let target = data_dir.join(relative);
    let parent = target.parent().expect("documents live in a folder");
    std::fs::create_dir_all(parent)?;
    // Called only while the number is being recorded, so a file already here is an orphan
    // of an attempt whose commit failed: replacing it is safe.
    std::fs::rename(&pending.temp, &target)?;
    Ok(parent.to_path_buf())
}

/// Whether a document could be archived right now: stages a small file and removes it.
/// Invoices wait (and retry) while this fails; `/readyz` reports it.
pub fn check_writable(data_dir: &Path) -> std::io::Result<()> {
    discard(stage(data_dir, b"%PDF-probe")?);
    Ok(())
}

pub fn discard(pending: Pending) {
    let _ = std::fs::remove_file(pending.temp);
}

/// Where a document lives, relative to the data dir.
pub fn relative_path(store_id: &StoreId, kind: DocumentKind, period: &str, number: &str) -> String {
    let period = if period.is_empty() { "all" } else { period };
    format!("{DIR}/{store_id}/{kind}/{period}/{number}.pdf")
}
