//! Backups of a data directory while the service runs, and their restore elsewhere.
//!
//! A backup is one ZIP file: the database copied through SQLite's online backup API (one
//! read transaction, so the copy is a consistent snapshot while webhooks keep arriving),
//! every other file of the data directory (the document archive, customer photos, the
//! generated secrets) and `manifest.json` with each file's size, SHA-256 and mode. Files are
//! copied after the snapshot: the archive only ever gains files, so every file the snapshot
//! refers to is in the backup. A restore refuses a non-empty target and checks every
//! checksum before it calls the copy good. docs/operations.md#backups.

mod create;
mod manifest;
mod restore;
mod walk;

pub use create::create;
pub use manifest::{Entry, Manifest};
pub use restore::restore;

/// The database's file name in a data directory and in a backup.
pub const DATABASE: &str = "aftercare.sqlite3";
/// Where the data directory's files sit inside the ZIP.
const FILES: &str = "data/";
const MANIFEST: &str = "manifest.json";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("backup file: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{path} already exists; choose a new file")]
    OutExists { path: String },
    #[error("{path} is not empty; restore into a new or empty directory")]
    TargetNotEmpty { path: String },
    #[error("the backup is damaged: {0}")]
    Damaged(String),
}

/// What a backup or restore covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files, the database included.
    pub files: usize,
    pub bytes: u64,
}
