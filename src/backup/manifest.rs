//! `manifest.json`: what a backup holds and how to tell it is intact.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Bumped if the layout of a backup ever changes.
    pub format: u32,
    /// The aftercare version that made it.
    pub aftercare: String,
    /// When the database snapshot was taken, RFC 3339 UTC.
    pub taken_at: String,
    /// The database first, then every other file, by path relative to the data directory.
    pub files: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the data directory, `/`-separated.
    pub path: String,
    pub bytes: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Unix permission bits (the secrets file is 0600 and stays so).
    pub mode: u32,
}

pub const FORMAT: u32 = 1;
