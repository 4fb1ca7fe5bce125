//! SQLite: one writer thread (group commit) and a small read-only pool.
//! Blocking SQLite calls never run on the async executor's threads.
//!
//! This is the engine only: each domain keeps its own tables' SQL and record types beside
//! its code (`orders/store.rs`, `invoice/store.rs`, `returns/store.rs`, `tracking/store/`,
//! `sync/store.rs`, `ingest/deliveries.rs`, the outbox's `jobs/store.rs`) and is handed a
//! `Connection` by [`Db`].

mod health;
pub mod migrations;
mod synchronous;
mod writer;

#[cfg(test)]
pub(crate) use migrations::in_memory;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};

pub use health::{WriteFault, WriteHealth};
pub use synchronous::Synchronous;
pub use writer::Writer;

const READ_POOL_SIZE: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("read pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("a write job panicked")]
    Panicked,
    #[error("the database is closed")]
    Closed,
}

pub type ReadPool = r2d2::Pool<SqliteConnectionManager>;

/// Brings a database to the current schema.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations::MIGRATIONS.to_latest(conn)?;
    Ok(())
}

/// Runs `f` in a savepoint of the caller's transaction, so that an `Err` from `f` undoes only
/// what `f` wrote: each item of a batch written together fails alone. The outer error is the
/// savepoint's own.
pub fn alone<T>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, StoreError>,
) -> Result<Result<T, StoreError>, StoreError> {
    conn.execute_batch("SAVEPOINT alone")?;
    let result = f();
    match &result {
        Ok(_) => conn.execute_batch("RELEASE alone")?,
        Err(_) => conn.execute_batch("ROLLBACK TO alone; RELEASE alone")?,
    }
    Ok(result)
}

/// A read-only connection for the command-line tools, which may run beside `serve`.
pub fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Plans that do not depend on the values bound. SQLite is built with STAT4: once the
/// database has been analyzed, a cached statement whose parameter meets an indexed column
/// was compiled again at every new binding (a fifth of the writer's time under pushes).
/// The statements here are written for their indexes, so one plan per statement is right.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Db {
    writer: Writer,
    reads: ReadPool,
    thread: Arc<Mutex<Option<writer::WriterThread>>>,
}

impl Db {
    /// Opens (creating if needed) the database, migrates it and starts the writer.
    pub fn open(
        path: &Path,
        synchronous: Synchronous,
        store_ids: &[&str],
    ) -> Result<Db, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Each job of a batch runs in a savepoint of its own (see `writer.rs`), and SQLite
        // keeps a savepoint's undo pages in a sub-journal: a temporary file by default, a
        // write system call for every page a job first touches. In memory they cost a copy.
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = {};
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;",
            synchronous.pragma()
        ))?;
        conn.set_prepared_statement_cache_capacity(64);
        stable_plans(&conn)?;
        migrate(&mut conn)?;
        let now = jiff::Timestamp::now().to_string();
        for id in store_ids {
            conn.execute(
                "INSERT INTO stores (id, created_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
                (id, &now),
            )?;
        }

        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|c| {
                c.busy_timeout(Duration::from_secs(5))?;
                c.set_prepared_statement_cache_capacity(64);
                stable_plans(c)?;
                Ok(())
            });
        let reads = r2d2::Pool::builder()
            .max_size(READ_POOL_SIZE)
            .build(manager)?;

        let (writer, thread) = Writer::spawn(conn);
        Ok(Db {
            writer,
            reads,
            thread: Arc::new(Mutex::new(Some(thread))),
        })
    }

    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Runs a read on a pooled read-only connection, off the async executor.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.reads.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.get()?;
            f(&conn)
        })
        .await
        .map_err(|_| StoreError::Panicked)?
    }

    /// Ok when a write that needs fresh pages can be committed right now; otherwise why
    /// not. The probe stores a 64 KiB row and deletes it in the same transaction, so the
    /// database must be able to grow (a page limit or a full disk fails it) and the commit
    /// writes those pages to the WAL, while nothing is kept.
    pub async fn check_writable(&self) -> Result<(), WriteFault> {
        self.writer
            .write(|conn| {
                conn.execute(
                    "INSERT INTO service_meta (key, value) VALUES ('ready_probe', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [jiff::Timestamp::now().to_string()],
                )?;
                conn.execute(
                    "INSERT INTO service_meta (key, value) VALUES ('ready_probe_space', hex(zeroblob(32768)))",
                    [],
                )?;
                conn.execute(
                    "DELETE FROM service_meta WHERE key = 'ready_probe_space'",
                    [],
                )?;
                Ok(())
            })
            .await
            .map_err(|e| WriteFault::of(&e))
    }

    /// What writes have met on the disk since start.
    pub fn write_health(&self) -> &WriteHealth {
        self.writer.health()
    }

    /// Commits what is queued, checkpoints the WAL and closes the writer connection.
    pub async fn close(&self) {
        self.writer.close().await;
        let thread = self.thread.lock().expect("writer handle lock").take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::config::DbConfig;

    /// Both the writer and the read pool keep one plan per cached statement (see
    /// `stable_plans`).
    #[tokio::test]
    async fn every_connection_keeps_its_plans_whatever_is_bound() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a.db"), Synchronous::Normal, &["s"]).unwrap();
        let qpsg = |c: &Connection| Ok(c.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)?);
        assert!(db.writer().write(qpsg).await.unwrap());
        assert!(db.read(qpsg).await.unwrap());
        db.close().await;
    }
}
