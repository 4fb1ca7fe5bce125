//! Taking due jobs and settling what their handlers answer.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Mutex, watch};

use super::{Job, Lane, Outcome, Registry, store};
use crate::store::{Db, StoreError};
use crate::time;

/// How often an idle lane looks for due jobs.
const POLL: Duration = Duration::from_millis(200);

/// The outbox's worker: one loop per lane in `serve`, or driven until idle by tests.
pub struct Runner {
    db: Db,
    registry: Registry,
    /// Held while a lane takes and carries out a job, so the background loops and
    /// [`Runner::run_until_idle`] never carry out the same job twice at once.
    local: Mutex<()>,
    remote: Mutex<()>,
    mail: Mutex<()>,
}

impl Runner {
    pub fn new(db: Db, registry: Registry) -> Self {
        Self {
            db,
            registry,
            local: Mutex::new(()),
            remote: Mutex::new(()),
            mail: Mutex::new(()),
        }
    }

    /// Runs every lane until `stop` turns true, then returns after the jobs in hand.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let others: Vec<_> = [Lane::Remote, Lane::Mail]
            .into_iter()
            .map(|lane| {
                let runner = self.clone();
                let stop = stop.clone();
                tokio::spawn(async move { runner.lane(lane, stop).await })
            })
            .collect();
        self.lane(Lane::Local, stop).await;
        for lane in others {
            let _ = lane.await;
        }
    }

    /// Carries out every due job, including those that due jobs enqueue, and returns when
    /// no lane has a due job left. Jobs retried or deferred to later stay for later.
    pub async fn run_until_idle(&self) -> Result<(), StoreError> {
        loop {
            {
                // Both lanes at rest at once: a job in flight in one lane may still
                // enqueue work for the other.
                let _local = self.local.lock().await;
                let _remote = self.remote.lock().await;
                let _mail = self.mail.lock().await;
                let now = time::millis(Timestamp::now());
                let due = self
                    .db
                    .read(move |c| {
                        for lane in Lane::ALL {
                            if store::next_due(c, &now, lane)?.is_some() {
                                return Ok(true);
                            }
                        }
                        Ok(false)
                    })
                    .await?;
                if !due {
                    return Ok(());
                }
            }
            for lane in Lane::ALL {
                while self.step(lane).await? {}
            }
        }
    }

    async fn lane(&self, lane: Lane, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.step(lane).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, "cannot read the outbox"),
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Takes the lane's oldest due jobs (as many as the lane runs at once) and carries them
    /// out; false when none is due.
    async fn step(&self, lane: Lane) -> Result<bool, StoreError> {
        let _held = match lane {
            Lane::Local => self.local.lock().await,
            Lane::Remote => self.remote.lock().await,
            Lane::Mail => self.mail.lock().await,
        };
        let now = time::millis(Timestamp::now());
        let width = lane.width();
        let jobs = self
            .db
            .read(move |c| store::due(c, &now, lane, width))
            .await?;
        if jobs.is_empty() {
            return Ok(false);
        }
        let mut running = tokio::task::JoinSet::new();
        for job in jobs {
            let handler = self.registry.get(job.kind);
            running.spawn(async move {
                let outcome = match handler {
                    Some(handler) => handler.run(job.clone()).await,
                    None => {
                        tracing::error!(kind = %job.kind, job = job.id, "no handler for this job kind; dropping it");
                        Outcome::Done
                    }
                };
                (job, outcome)
            });
        }
        while let Some(finished) = running.join_next().await {
            match finished {
                Ok((job, outcome)) => self.settle(&job, outcome).await,
                // A handler that panicked left its job open: it is due again as it was.
                Err(error) => tracing::error!(%error, "a job's handler failed"),
            }
        }
        Ok(true)
    }

    /// Records what the handler answered. A write that fails leaves the job due, and its
    /// handlers are idempotent, so it is simply carried out again.
    async fn settle(&self, job: &Job, outcome: Outcome) {
        let id = job.id;
        let written = match outcome {
            Outcome::Done => {
                let now = time::millis(Timestamp::now());
                self.db
                    .writer()
                    .write(move |c| store::complete(c, id, &now))
                    .await
            }
            Outcome::Retry(error) => {
                let error = format!("{error:#}");
                tracing::warn!(job = id, kind = %job.kind, order_id = job.order_id.get(), attempts = job.attempts + 1, %error, "job failed; will retry");
                let failed = job.clone();
                self.db
                    .writer()
                    .write(move |c| store::fail(c, &failed, &error, Timestamp::now()))
                    .await
            }
            Outcome::Defer(wait) => {
                let later = Timestamp::now()
                    + SignedDuration::try_from(wait).unwrap_or(SignedDuration::from_secs(1));
                let later = time::millis(later);
                self.db
                    .writer()
                    .write(move |c| store::defer(c, id, &later))
                    .await
            }
        };
        if let Err(error) = written {
            tracing::error!(job = id, kind = %job.kind, %error, "cannot record a job's outcome");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrderId, StoreId};
    use crate::jobs::JobKind;

    async fn enqueue(db: &Db, kind: JobKind, order_id: OrderId) {
        let now = time::millis(Timestamp::now());
        db.writer()
            .write(move |c| store::enqueue(c, &StoreId::test("s"), kind, order_id, 0, &now))
            .await
            .unwrap();
    }

    /// (done, attempts, last_error, due later) of the job of `kind`.
    async fn state(db: &Db, kind: JobKind) -> (bool, i64, Option<String>, bool) {
        let now = time::millis(Timestamp::now());
        db.read(move |c| {
            Ok(c.query_row(
                "SELECT done_at IS NOT NULL, attempts, last_error, run_after > ?2
                 FROM jobs WHERE kind = ?1",
                rusqlite::params![kind, now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_runner_settles_each_outcome_and_idles_only_when_nothing_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("jobs.sqlite3"), Default::default(), &["s"]).unwrap();
        let mut registry = Registry::default();
        // A local job that enqueues a remote one: idle waits for both.
        let chained = db.clone();
        registry.register(JobKind::IssueInvoice, move |job: Job| {
            let db = chained.clone();
            async move {
                enqueue(&db, JobKind::SettleReturn, job.order_id).await;
                Outcome::Done
            }
        });
        registry.register(JobKind::SettleReturn, |_: Job| async {
            Outcome::Retry(anyhow::anyhow!("declined").context("creating the refund"))
        });
        registry.register(JobKind::EvaluateDelays, |_: Job| async {
            Outcome::Defer(Duration::from_secs(60))
        });
        let runner = Runner::new(db.clone(), registry);
        enqueue(&db, JobKind::IssueInvoice, OrderId::new(1)).await;
        enqueue(&db, JobKind::EvaluateDelays, OrderId::new(1)).await;
        enqueue(&db, JobKind::NotifyDelay, OrderId::new(1)).await;

        runner.run_until_idle().await.unwrap();

        assert_eq!(
            state(&db, JobKind::IssueInvoice).await,
            (true, 0, None, false)
        );
        assert_eq!(
            state(&db, JobKind::SettleReturn).await,
            (false, 1, Some("creating the refund: declined".into()), true),
            "retried later with its error's context"
        );
        assert_eq!(
            state(&db, JobKind::EvaluateDelays).await,
            (false, 0, None, true),
            "deferred without counting an attempt"
        );
        let (done, ..) = state(&db, JobKind::NotifyDelay).await;
        assert!(
            done,
            "a kind nobody handles is dropped, not retried forever"
        );
        db.close().await;
    }

    #[tokio::test]
    async fn the_mail_lane_sends_several_messages_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("jobs.sqlite3"), Default::default(), &["s"]).unwrap();
        let mut registry = Registry::default();
        // Each send waits until another is in flight beside it: one at a time never meets.
        let together = Arc::new(tokio::sync::Barrier::new(2));
        registry.register(JobKind::SendMessage, move |_: Job| {
            let together = together.clone();
            async move {
                match tokio::time::timeout(Duration::from_secs(5), together.wait()).await {
                    Ok(_) => Outcome::Done,
                    Err(_) => Outcome::Retry(anyhow::anyhow!("sent alone")),
                }
            }
        });
        let runner = Runner::new(db.clone(), registry);
        enqueue(&db, JobKind::SendMessage, OrderId::new(1)).await;
        enqueue(&db, JobKind::SendMessage, OrderId::new(2)).await;
        assert!(runner.step(Lane::Mail).await.unwrap());
        let open = db
            .read(|c| {
                Ok(
                    c.query_row("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL", [], |r| {
                        r.get::<_, i64>(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(open, 0, "both sent in one step");
        assert_eq!(Lane::Local.width(), 1);
        assert_eq!(Lane::Remote.width(), 1);
    }
}
