//! What the writer has learnt about the disk: failures by kind and whether the last write
//! failed for want of space or permission. `/readyz` and the metrics report it; the next
//! committed write clears it, so the service recovers by itself when the fault ends.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::ErrorCode;

use super::StoreError;

/// Why a write could not be committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteFault {
    /// The disk (or the database's page limit) is full.
    Full,
    /// The file system or the database file is read-only.
    ReadOnly,
    /// The operating system reported an I/O error.
    Io,
    /// Anything else (a constraint, a bug): not a fault of the disk.
    Other,
}

impl WriteFault {
    pub const ALL: [WriteFault; 4] = [Self::Full, Self::ReadOnly, Self::Io, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ReadOnly => "read_only",
            Self::Io => "io",
            Self::Other => "other",
        }
    }

    /// A sentence for the operator.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Full => "The database cannot grow: the disk is full.",
            Self::ReadOnly => "The database is read-only.",
            Self::Io => "The database's disk reports I/O errors.",
            Self::Other => "The database is not writable.",
        }
    }

    pub(super) fn of(error: &StoreError) -> WriteFault {
        match error {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                ErrorCode::DiskFull => Self::Full,
                ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                    Self::ReadOnly
                }
                ErrorCode::SystemIoFailure => Self::Io,
                _ => Self::Other,
            },
            StoreError::Commit(message) if message.contains("full") => Self::Full,
            StoreError::Commit(message) if message.contains("readonly") => Self::ReadOnly,
            StoreError::Commit(message) if message.contains("I/O") => Self::Io,
            _ => Self::Other,
        }
    }

    fn is_disk(self) -> bool {
        self != Self::Other
    }
}

/// Shared between the writer thread and whoever reports on it.
#[derive(Default)]
pub struct WriteHealth {
    failures: [AtomicU64; 4],
    current: Mutex<Option<WriteFault>>,
}

impl WriteHealth {
    pub(super) fn failed(&self, fault: WriteFault) {
        self.failures[fault as usize].fetch_add(1, Ordering::Relaxed);
        if fault.is_disk() {
            *self.current.lock().expect("write health lock") = Some(fault);
        }
    }

    /// A write that changed the database was committed.
    pub(super) fn committed(&self) {
        *self.current.lock().expect("write health lock") = None;
    }

    /// The disk fault the last write met, until a later write commits.
    pub fn current(&self) -> Option<WriteFault> {
        *self.current.lock().expect("write health lock")
    }

    /// Failed writes since start, by kind.
    pub fn failures(&self, fault: WriteFault) -> u64 {
        self.failures[fault as usize].load(Ordering::Relaxed)
    }
}
