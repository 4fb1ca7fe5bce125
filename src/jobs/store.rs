//! The `jobs` table: jobs enqueued in the transaction that made them necessary, taken by
//! the runner, retried with backoff until done.

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::{JobKind, Lane};
use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;
use crate::time;
use crate::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub store_id: StoreId,
    pub kind: JobKind,
    pub order_id: OrderId,
    /// What of the order the job is about (a refund, a return, an alert); 0 for the order.
    pub subject: u64,
    pub attempts: i64,
    /// When the job became due: a scheduled job (the staff digest) is about that moment,
    /// however late it runs.
    pub run_after: String,
}

/// Enqueues a job unless the same one is already open.
pub fn enqueue(
    conn: &Connection,
    store_id: &StoreId,
    kind: JobKind,
    order_id: OrderId,
    subject: u64,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO jobs (store_id, kind, order_id, subject, run_after, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT DO NOTHING",
    )?
    .execute((store_id, kind, order_id, subject as i64, now))?;
    Ok(())
}

/// Enqueues a job that becomes due at `run_after` (a message waiting out quiet hours),
/// unless the same one is already open.
pub fn enqueue_at(
    conn: &Connection,
    store_id: &StoreId,
    kind: JobKind,
    order_id: OrderId,
    subject: u64,
    run_after: &Stamp,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO jobs (store_id, kind, order_id, subject, run_after, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT DO NOTHING",
    )?
    .execute((store_id, kind, order_id, subject as i64, run_after, now))?;
    Ok(())
}

/// Enqueues a job due now, or makes the open one due now: what it waits for changed (a
/// survey waiting for a delivery learns of a later one).
pub fn enqueue_due(
    conn: &Connection,
    store_id: &StoreId,
    kind: JobKind,
    order_id: OrderId,
    subject: u64,
    now: &Stamp,
) -> Result<(), StoreError> {
    enqueue(conn, store_id, kind, order_id, subject, now)?;
    conn.prepare_cached(
        "UPDATE jobs SET run_after = ?5
         WHERE store_id = ?1 AND kind = ?2 AND order_id = ?3 AND subject = ?4
           AND done_at IS NULL AND run_after > ?5",
    )?
    .execute((store_id, kind, order_id, subject as i64, now))?;
    Ok(())
}

/// The oldest due jobs of one kind.
const DUE_OF_KIND: &str = "SELECT id, store_id, kind, order_id, subject, attempts, run_after
    FROM jobs WHERE kind = ?1 AND done_at IS NULL AND run_after <= ?2
    ORDER BY run_after, id LIMIT ?3";

/// The oldest due job of the lane, if any.
pub fn next_due(conn: &Connection, now: &Stamp, lane: Lane) -> Result<Option<Job>, StoreError> {
    Ok(due(conn, now, lane, 1)?.pop())
}

/// The lane's `limit` oldest due jobs: the oldest of each of its kinds (an index seek
/// each), then the oldest of those.
pub fn due(
    conn: &Connection,
    now: &Stamp,
    lane: Lane,
    limit: usize,
) -> Result<Vec<Job>, StoreError> {
    let mut stmt = conn.prepare_cached(DUE_OF_KIND)?;
    let mut jobs = Vec::new();
    for kind in lane.kinds() {
        let rows = stmt.query_map((kind, now, limit as i64), |r| {
            Ok(Job {
                id: r.get(0)?,
                store_id: r.get(1)?,
                kind: r.get(2)?,
                order_id: r.get(3)?,
                subject: r.get::<_, i64>(4)? as u64,
                attempts: r.get(5)?,
                run_after: r.get(6)?,
            })
        })?;
        for job in rows {
            jobs.push(job?);
        }
    }
    jobs.sort_by(|a, b| (&a.run_after, a.id).cmp(&(&b.run_after, b.id)));
    jobs.truncate(limit);
    Ok(jobs)
}

/// Marks a job done; one its handler completed already (in the write that did its work)
/// keeps that time.
pub fn complete(conn: &Connection, id: i64, now: &Stamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE jobs SET done_at = ?2, last_error = NULL WHERE id = ?1 AND done_at IS NULL",
    )?
    .execute((id, now))?;
    Ok(())
}

/// Runs the job again at `run_after`: it is waiting for other work, not failing.
pub fn defer(conn: &Connection, id: i64, run_after: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE jobs SET run_after = ?2 WHERE id = ?1")?
        .execute((id, run_after))?;
    Ok(())
}

/// Makes `store`'s open jobs of these kinds due now: what they waited for has arrived.
/// Returns how many were waiting.
pub fn wake(
    conn: &Connection,
    store_id: &StoreId,
    kinds: &[JobKind],
    now: &Stamp,
) -> Result<usize, StoreError> {
    let mut woken = 0;
    for kind in kinds {
        woken += conn
            .prepare_cached(
                "UPDATE jobs SET run_after = ?3
                 WHERE store_id = ?1 AND kind = ?2 AND done_at IS NULL AND run_after > ?3",
            )?
            .execute((store_id, kind, now))?;
    }
    Ok(woken)
}

/// Records a failure and schedules the next attempt: 5 s, 10 s, 20 s ... capped at 1 h.
pub fn fail(conn: &Connection, job: &Job, error: &str, now: Timestamp) -> Result<(), StoreError> {
    let exponent = job.attempts.clamp(0, 10) as u32;
    let delay = (5i64 << exponent).min(3600);
    let run_after = now + SignedDuration::from_secs(delay);
    conn.prepare_cached(
        "UPDATE jobs SET attempts = attempts + 1, last_error = ?2, run_after = ?3 WHERE id = ?1",
    )?
    .execute((job.id, error, time::millis(run_after)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::in_memory;

    /// Each look for a lane's next job seeks its kinds in an index: a lane with nothing
    /// due must not walk the other lanes' due jobs.
    #[test]
    fn a_lanes_next_job_is_sought_by_kind() {
        let conn = in_memory();
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {DUE_OF_KIND}"))
            .unwrap();
        let plan: Vec<String> = stmt
            .query_map(("notify_parcel", "9", 16), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            plan,
            ["SEARCH jobs USING INDEX jobs_due_by_kind (kind=? AND run_after<?)"]
        );
    }

    /// The lane's oldest due job across its kinds; other lanes' and later jobs wait.
    #[test]
    fn the_oldest_due_job_of_the_lane_comes_first_whatever_its_kind() {
        let conn = in_memory();
        let store = StoreId::test("s");
        let at = Stamp::test;
        let enqueue = |kind, order, when: &str| {
            enqueue_at(
                &conn,
                &store,
                kind,
                OrderId::new(order),
                0,
                &at(when),
                &at(when),
            )
            .unwrap()
        };
        enqueue(JobKind::NotifyParcel, 1, "2026-12-01T10:00:03.000Z");
        enqueue(JobKind::EvaluateDelays, 2, "2026-12-01T10:00:02.000Z");
        enqueue(JobKind::FollowParcel, 3, "2026-12-01T10:00:01.000Z");
        enqueue(JobKind::IssueInvoice, 4, "2026-12-01T10:00:09.000Z");
        let now = at("2026-12-01T10:00:05.000Z");
        let next = next_due(&conn, &now, Lane::Local).unwrap().unwrap();
        assert_eq!(
            (next.kind, next.order_id),
            (JobKind::EvaluateDelays, OrderId::new(2))
        );
        let next = next_due(&conn, &now, Lane::Remote).unwrap().unwrap();
        assert_eq!(next.kind, JobKind::FollowParcel);
        assert_eq!(next_due(&conn, &now, Lane::Mail).unwrap(), None);
        complete(&conn, next.id, &now).unwrap();
        assert_eq!(next_due(&conn, &now, Lane::Remote).unwrap(), None);
    }
}

/// Open jobs of one kind, for the metrics: how many, and how many have failed at least once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    pub kind: String,
    pub open: i64,
    pub retrying: i64,
}

/// The open jobs by kind.
pub fn backlog(conn: &Connection) -> Result<Vec<Backlog>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, COUNT(*), SUM(attempts > 0) FROM jobs WHERE done_at IS NULL GROUP BY kind",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Backlog {
            kind: r.get(0)?,
            open: r.get(1)?,
            retrying: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
