//! The single writer: one thread owns the only read-write connection and commits the jobs
//! of concurrent callers together (group commit). Each caller's work runs in its own
//! savepoint, so one failing job never undoes another, and every caller hears back only
//! after the shared transaction has committed: an acknowledged write is durable.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::health::{WriteFault, WriteHealth};

/// Most jobs folded into one transaction; bounds the latency a batch adds to its first job.
const MAX_BATCH: usize = 256;
/// Jobs waiting for the writer before callers are made to wait (backpressure).
const QUEUE_DEPTH: usize = 4096;

type Finish = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;
/// Given the open transaction (or why none could be opened), runs and returns how to report.
type Job = Box<dyn FnOnce(Result<&mut Connection, &StoreError>) -> Finish + Send>;

enum Message {
    Job(Job),
    Close(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Message>,
    health: Arc<WriteHealth>,
    /// Acknowledging writes queued or in the writer's hands (see [`Writer::acknowledge`]).
    acks: Arc<AtomicUsize>,
}

/// Counts an acknowledging write for as long as its caller waits for it.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

pub(super) struct WriterThread {
    handle: JoinHandle<()>,
}

impl Writer {
    pub(super) fn spawn(conn: Connection) -> (Writer, WriterThread) {
        let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
        let handle = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, rx))
            .expect("spawn the SQLite writer thread");
        (
            Writer {
                tx,
                health: Arc::default(),
                acks: Arc::default(),
            },
            WriterThread { handle },
        )
    }

    /// Runs `f` inside the writer's next transaction and returns its result once that
    /// transaction has committed. An `Err` from `f` rolls back only `f`'s own changes.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (done_tx, done_rx) = oneshot::channel();
        let health = self.health.clone();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => in_savepoint(conn, f),
                Err(e) => Err(StoreError::Commit(e.to_string())),
            };
            Box::new(move |commit| {
                let outcome = match (result, commit) {
                    (Err(e), _) => Err(e),
                    (Ok(_), Err(e)) => Err(StoreError::Commit(e.to_string())),
                    (Ok(value), Ok(())) => Ok(value),
                };
                match &outcome {
                    Ok(_) => health.committed(),
                    Err(e) => health.failed(WriteFault::of(e)),
                }
                let _ = done_tx.send(outcome);
            })
        });
        self.tx
            .send(Message::Job(job))
            .await
            .map_err(|_| StoreError::Closed)?;
        done_rx.await.map_err(|_| StoreError::Closed)?
    }

    /// [`Writer::write`] for a write somebody is waiting on to be acknowledged (a webhook
    /// delivery): background work gives way while any is waiting ([`Writer::acks_waiting`]).
    pub async fn acknowledge<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.acks.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.acks);
        self.write(f).await
    }

    /// How many acknowledging writes are queued or being committed now.
    pub fn acks_waiting(&self) -> usize {
        self.acks.load(Ordering::Relaxed)
    }

    /// What the writer has met on the disk.
    pub fn health(&self) -> &WriteHealth {
        &self.health
    }

    /// Asks the writer to finish queued work, checkpoint and close the connection.
    pub(super) async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Message::Close(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

impl WriterThread {
    pub(super) fn join(self) {
        let _ = self.handle.join();
    }
}

fn in_savepoint<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let sp = conn.savepoint()?;
    // A panic inside one job must not take the writer (and every later write) down with it.
    match catch_unwind(AssertUnwindSafe(|| f(&sp))) {
        Ok(Ok(value)) => {
            sp.commit()?;
            Ok(value)
        }
        Ok(Err(e)) => Err(e), // dropping `sp` rolls back this job only
        Err(_) => Err(StoreError::Panicked),
    }
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Message>) {
    let mut closer = None;
    while closer.is_none() {
        let Some(first) = rx.blocking_recv() else {
            break;
        };
        let mut batch = Vec::new();
        match first {
            Message::Job(job) => batch.push(job),
            Message::Close(tx) => closer = Some(tx),
        }
        while closer.is_none() && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Close(tx)) => closer = Some(tx),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, batch);
        }
    }
    // Drain what is still queued so no caller waits forever.
    rx.close();
    let mut rest = Vec::new();
    while let Ok(message) = rx.try_recv() {
        if let Message::Job(job) = message {
            rest.push(job);
        }
    }
    if !rest.is_empty() {
        commit_batch(&mut conn, rest);
    }
    let _ = conn.execute_batch("PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE);");
    if let Err((_, e)) = conn.close() {
        tracing::error!(error = %e, "closing the database failed");
    }
    if let Some(tx) = closer {
        let _ = tx.send(());
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let error = StoreError::from(e);
        tracing::error!(error = %error, "cannot begin a write transaction");
        for job in batch {
            job(Err(&error))(Err(&error));
        }
        return;
    }
    let finishes: Vec<Finish> = batch.into_iter().map(|job| job(Ok(&mut *conn))).collect();
    let commit = conn.execute_batch("COMMIT").map_err(StoreError::from);
    if let Err(e) = &commit {
        tracing::error!(error = %e, jobs = finishes.len(), "commit failed");
        let _ = conn.execute_batch("ROLLBACK");
    }
    for finish in finishes {
        finish(commit.as_ref().map(|_| ()));
    }
}
