//! Taking due jobs and settling what their handlers answer.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Mutex, watch};

use super::{BatchHandler, Job, JobKind, Lane, Outcome, Registry, store};
use crate::store::{Db, StoreError};
use crate::time;

/// How often an idle lane looks for due jobs.
const POLL: Duration = Duration::from_millis(200);

/// The longest a lane's step waits for the acknowledging writes (webhook deliveries) in the
/// writer to be done: on a small machine the outbox and the deliveries share the cores and
/// the one writer, and a delivery's sender is waiting while a job is not. A burst is
/// acknowledged at full pace and its work done just after; under sustained load each lane
/// still takes a step at least this often.
const GIVE_WAY_AT_MOST: Duration = Duration::from_millis(250);

/// The outbox's worker: one loop per lane in `serve`, or driven until idle by tests.
pub struct Runner {
    db: Db,
    registry: Registry,
    /// Held while a lane takes and carries out a job, so the background loops and
    /// [`Runner::run_until_idle`] never carry out the same job twice at once.
    local: Mutex<()>,
    remote: Mutex<()>,
    mail: Mutex<()>,
    documents: Mutex<()>,
}

impl Runner {
    pub fn new(db: Db, registry: Registry) -> Self {
        Self {
            db,
            registry,
            local: Mutex::new(()),
            remote: Mutex::new(()),
            mail: Mutex::new(()),
            documents: Mutex::new(()),
        }
    }

    /// Runs every lane until `stop` turns true, then returns after the jobs in hand.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let others: Vec<_> = [Lane::Remote, Lane::Mail, Lane::Documents]
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
                // Every lane at rest at once: a job in flight in one lane may still
                // enqueue work for another.
                let _local = self.local.lock().await;
                let _remote = self.remote.lock().await;
                let _mail = self.mail.lock().await;
                let _documents = self.documents.lock().await;
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
            self.give_way(lane).await;
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

    /// Waits, at most [`GIVE_WAY_AT_MOST`], while acknowledging writes are waiting for the
    /// writer. Invoices do not wait: their rendering already runs at a lower priority, and
    /// their recording is one write per batch. Mail does not either: a send waits on the
    /// mail server, and held sends would go out together, widening what a crash between a
    /// server's "250" and its record sends twice.
    async fn give_way(&self, lane: Lane) {
        if matches!(lane, Lane::Documents | Lane::Mail) {
            return;
        }
        let writer = self.db.writer();
        let until = tokio::time::Instant::now() + GIVE_WAY_AT_MOST;
        while writer.acks_waiting() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Takes the lane's oldest due jobs (as many as the lane runs at once) and carries them
    /// out; false when none is due.
    async fn step(&self, lane: Lane) -> Result<bool, StoreError> {
        let _held = match lane {
            Lane::Local => self.local.lock().await,
            Lane::Remote => self.remote.lock().await,
            Lane::Mail => self.mail.lock().await,
            Lane::Documents => self.documents.lock().await,
        };
        let now = time::millis(Timestamp::now());
        let take = lane.width().max(lane.run_length());
        let mut jobs = self
            .db
            .read(move |c| store::due(c, &now, lane, take))
            .await?;
        if jobs.is_empty() {
            return Ok(false);
        }
        if lane.width() == 1 {
            self.keep_run(&mut jobs);
        }
        let mut running = tokio::task::JoinSet::new();
        let mut batches: Vec<(Arc<dyn BatchHandler>, Vec<Job>)> = Vec::new();
        for job in jobs {
            if let Some(handler) = self.registry.get_batch(job.kind) {
                match batches.iter_mut().find(|(h, _)| Arc::ptr_eq(h, &handler)) {
                    Some((_, batch)) => batch.push(job),
                    None => batches.push((handler, vec![job])),
                }
                continue;
            }
            let handler = self.registry.get(job.kind);
            running.spawn(async move {
                let outcome = match handler {
                    Some(handler) => handler.run(job.clone()).await,
                    None => {
                        tracing::error!(kind = %job.kind, job = job.id, "no handler for this job kind; dropping it");
                        Outcome::Done
                    }
                };
                vec![(job, outcome)]
            });
        }
        for (handler, batch) in batches {
            running.spawn(async move {
                let outcomes = handler.run(batch.clone()).await;
                // A handler answers for each job; one it left out is tried again at once.
                let mut outcomes = outcomes.into_iter();
                batch
                    .into_iter()
                    .map(|job| {
                        let outcome = outcomes.next().unwrap_or(Outcome::Defer(Duration::ZERO));
                        (job, outcome)
                    })
                    .collect()
            });
        }
        while let Some(finished) = running.join_next().await {
            match finished {
                Ok(settled) => self.settle(settled).await,
                // A handler that panicked left its jobs open: they are due again as they were.
                Err(error) => tracing::error!(%error, "a job's handler failed"),
            }
        }
        Ok(true)
    }

    /// In a one-at-a-time lane, keeps of the due jobs (oldest first) the oldest alone, or,
    /// when a batch handler answers for it, the run of those right after it that the same
    /// handler answers for: the lane's order is kept, and they are carried out together.
    fn keep_run(&self, jobs: &mut Vec<Job>) {
        let run = match self.registry.get_batch(jobs[0].kind) {
            Some(handler) => jobs
                .iter()
                .take_while(|job| {
                    self.registry
                        .get_batch(job.kind)
                        .is_some_and(|h| Arc::ptr_eq(&h, &handler))
                })
                .count(),
            None => 1,
        };
        jobs.truncate(run);
    }

    /// Records what the handler answered, for a task's jobs in one write. A write that
    /// fails leaves the jobs due, and their handlers are idempotent, so they are simply
    /// carried out again.
    async fn settle(&self, settled: Vec<(Job, Outcome)>) {
        enum Record {
            Complete,
            Fail(String),
            Defer(time::Stamp),
        }
        let now = Timestamp::now();
        let records: Vec<(Job, Record)> = settled
            .into_iter()
            .map(|(job, outcome)| {
                let record = match outcome {
                    Outcome::Done => Record::Complete,
                    Outcome::Retry(error) => {
                        let error = format!("{error:#}");
                        tracing::warn!(job = job.id, kind = %job.kind, order_id = job.order_id.get(), attempts = job.attempts + 1, %error, "job failed; will retry");
                        Record::Fail(error)
                    }
                    Outcome::Defer(wait) => {
                        let wait = SignedDuration::try_from(wait)
                            .unwrap_or(SignedDuration::from_secs(1));
                        Record::Defer(time::millis(now + wait))
                    }
                };
                (job, record)
            })
            .collect();
        let jobs: Vec<(i64, JobKind)> = records.iter().map(|(j, _)| (j.id, j.kind)).collect();
        let stamp = time::millis(now);
        let written = self
            .db
            .writer()
            .write(move |c| {
                for (job, record) in &records {
                    match record {
                        Record::Complete => store::complete(c, job.id, &stamp)?,
                        Record::Fail(error) => store::fail(c, job, error, now)?,
                        Record::Defer(later) => store::defer(c, job.id, later)?,
                    }
                }
                Ok(())
            })
            .await;
        if let Err(error) = written {
            for (id, kind) in jobs {
                tracing::error!(job = id, %kind, %error, "cannot record a job's outcome");
            }
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
    async fn a_batch_handler_takes_the_steps_jobs_together_and_answers_for_each() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("jobs.sqlite3"), Default::default(), &["s"]).unwrap();
        let mut registry = Registry::default();
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = calls.clone();
        registry.register_batch(JobKind::IssueInvoice, move |jobs: Vec<Job>| {
            seen.lock()
                .unwrap()
                .push(jobs.iter().map(|j| j.order_id.get()).collect::<Vec<_>>());
            async move {
                // Answers for the first two only: the third is due again at once.
                vec![
                    Outcome::Done,
                    Outcome::Retry(anyhow::anyhow!("cannot render")),
                ]
            }
        });
        let runner = Runner::new(db.clone(), registry);
        for order in 1..=3 {
            enqueue(&db, JobKind::IssueInvoice, OrderId::new(order)).await;
        }
        assert!(runner.step(Lane::Documents).await.unwrap());
        assert_eq!(
            *calls.lock().unwrap(),
            [vec![1, 2, 3]],
            "one call, in order"
        );
        let states: Vec<(i64, bool, i64, bool)> = db
            .read(|c| {
                let now = time::millis(Timestamp::now());
                let mut stmt = c.prepare(
                    "SELECT order_id, done_at IS NOT NULL, attempts, run_after > ?1
                     FROM jobs ORDER BY order_id",
                )?;
                let rows =
                    stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap();
        assert_eq!(
            states,
            [
                (1, true, 0, false),
                (2, false, 1, true),
                (3, false, 0, false)
            ]
        );
        assert_eq!(Lane::Documents.width(), crate::jobs::DOCUMENTS_WIDTH);
        db.close().await;
    }

    /// In a one-at-a-time lane, a step takes the run of oldest due jobs one batch handler
    /// answers for, whatever their kinds, in order, and stops at a job another handles.
    #[tokio::test]
    async fn a_local_step_takes_a_run_of_one_handlers_jobs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("jobs.sqlite3"), Default::default(), &["s"]).unwrap();
        let mut registry = Registry::default();
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = calls.clone();
        registry.register_batch_of(
            &[JobKind::NotifyParcel, JobKind::NotifyOrder],
            move |jobs: Vec<Job>| {
                seen.lock().unwrap().push(
                    jobs.iter()
                        .map(|j| (j.kind, j.order_id.get()))
                        .collect::<Vec<_>>(),
                );
                let answers = jobs.iter().map(|_| Outcome::Done).collect();
                async move { answers }
            },
        );
        registry.register(JobKind::EvaluateDelays, |_: Job| async { Outcome::Done });
        let runner = Runner::new(db.clone(), registry);
        // Enqueued apart in time, so the order of the lane is the order written here.
        for (kind, order) in [
            (JobKind::NotifyParcel, 1),
            (JobKind::NotifyOrder, 1),
            (JobKind::NotifyParcel, 2),
            (JobKind::EvaluateDelays, 2),
            (JobKind::NotifyOrder, 3),
        ] {
            enqueue(&db, kind, OrderId::new(order)).await;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert!(runner.step(Lane::Local).await.unwrap());
        assert_eq!(
            *calls.lock().unwrap(),
            [vec![
                (JobKind::NotifyParcel, 1),
                (JobKind::NotifyOrder, 1),
                (JobKind::NotifyParcel, 2)
            ]],
            "the run stops at the evaluation"
        );
        assert!(runner.step(Lane::Local).await.unwrap());
        assert_eq!(calls.lock().unwrap().len(), 1, "the evaluation went alone");
        assert!(runner.step(Lane::Local).await.unwrap());
        assert_eq!(
            calls.lock().unwrap()[1],
            [(JobKind::NotifyOrder, 3)],
            "then the rest"
        );
        assert!(!runner.step(Lane::Local).await.unwrap(), "all done");
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
