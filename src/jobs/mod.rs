//! The outbox: jobs enqueued in the transaction that made them necessary, carried out one
//! at a time per lane, retried with backoff, deferred or completed by the runner.
//!
//! It knows how jobs move, nothing of what they do: each domain writes the handlers of its
//! [`JobKind`]s and the composition root registers them (see `crate::background`). A
//! handler answers with an [`Outcome`]; only the runner completes, fails or defers a job.

mod kind;
mod runner;
pub mod store;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use kind::{DOCUMENTS_WIDTH, JobKind, Lane, MAIL_WIDTH};
pub use runner::Runner;
pub use store::{Job, enqueue};

/// What became of one attempt at a job.
#[derive(Debug)]
pub enum Outcome {
    /// Done, now or by an earlier attempt, or nothing is left to do.
    Done,
    /// Failed; tried again after a backoff, the error kept on the job.
    Retry(anyhow::Error),
    /// Waiting for other work: looked at again after this long, without counting an attempt.
    Defer(Duration),
}

impl<E: Into<anyhow::Error>> From<Result<(), E>> for Outcome {
    fn from(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::Retry(error.into()),
        }
    }
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// Carries out one kind of job. Any `Fn(Job) -> impl Future<Output = Outcome>` is one.
pub trait Handler: Send + Sync {
    fn run(&self, job: Job) -> HandlerFuture;
}

impl<F, Fut> Handler for F
where
    F: Fn(Job) -> Fut + Send + Sync,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    fn run(&self, job: Job) -> HandlerFuture {
        Box::pin(self(job))
    }
}

pub type BatchFuture = Pin<Box<dyn Future<Output = Vec<Outcome>> + Send>>;

/// Carries out the due jobs of one kind that a lane took together, answering for each in
/// the order given: for work that is cheaper, or only correct, when done as one (invoices
/// numbered in order and recorded in one transaction).
pub trait BatchHandler: Send + Sync {
    fn run(&self, jobs: Vec<Job>) -> BatchFuture;
}

impl<F, Fut> BatchHandler for F
where
    F: Fn(Vec<Job>) -> Fut + Send + Sync,
    Fut: Future<Output = Vec<Outcome>> + Send + 'static,
{
    fn run(&self, jobs: Vec<Job>) -> BatchFuture {
        Box::pin(self(jobs))
    }
}

/// The handler of each job kind, filled in by the domains at start-up.
#[derive(Default)]
pub struct Registry {
    handlers: std::collections::HashMap<JobKind, Arc<dyn Handler>>,
    batches: std::collections::HashMap<JobKind, Arc<dyn BatchHandler>>,
}

impl Registry {
    pub fn register(&mut self, kind: JobKind, handler: impl Handler + 'static) -> &mut Self {
        self.handlers.insert(kind, Arc::new(handler));
        self
    }

    /// Registers a handler that takes a step's jobs of `kind` all at once.
    pub fn register_batch(
        &mut self,
        kind: JobKind,
        handler: impl BatchHandler + 'static,
    ) -> &mut Self {
        self.register_batch_of(&[kind], handler)
    }

    /// Registers one handler that takes a step's jobs of any of `kinds` together. In a lane
    /// that keeps its order (one job at a time), a step takes the run of due jobs, oldest
    /// first, that this handler answers for, and it carries them out in that order.
    pub fn register_batch_of(
        &mut self,
        kinds: &[JobKind],
        handler: impl BatchHandler + 'static,
    ) -> &mut Self {
        let handler: Arc<dyn BatchHandler> = Arc::new(handler);
        for kind in kinds {
            self.batches.insert(*kind, handler.clone());
        }
        self
    }

    fn get(&self, kind: JobKind) -> Option<Arc<dyn Handler>> {
        self.handlers.get(&kind).cloned()
    }

    fn get_batch(&self, kind: JobKind) -> Option<Arc<dyn BatchHandler>> {
        self.batches.get(&kind).cloned()
    }
}
