//! `aftercare backfill`: the store's order history into the mirror, resumable.
//!
//! The walk's cursor is saved after every page, in the same database, once the page's
//! orders are committed. A run that stops (Ctrl-C, a network failure, a crash) resumes
//! from it: `aftercare backfill` without `--since` continues where the last run stopped (or,
//! after a complete run, picks up what changed since), and the same `--since` continues an
//! unfinished run. A different `--since` starts over from there. Orders already in the
//! mirror cost nothing but the request, and backfill can run while `serve` receives
//! webhooks: newer `date_modified` wins either way.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use super::SyncError;
use super::SyncServices;
use super::apply::{Origin, Tally, apply_page};
use super::store::{self as state_store, BACKFILL, Cursor};
use super::walk::Walk;
use crate::ids::StoreId;
use crate::time;
use crate::woo::WooClient;

/// Where the run started and how it went.
#[derive(Debug, Clone)]
pub struct Summary {
    pub store: StoreId,
    /// The run continued an earlier cursor rather than starting at `--since` (or the beginning).
    pub resumed: bool,
    /// Orders modified after this were asked for.
    pub started_after: Timestamp,
    /// Where a later run would continue.
    pub cursor: Timestamp,
    pub tally: Tally,
    /// Requests to `GET /orders`.
    pub pages: u64,
    pub elapsed: Duration,
    pub complete: bool,
}

/// A run that stopped early, with what it had done and why it stopped.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct Interrupted {
    pub summary: Summary,
    #[source]
    pub source: SyncError,
}

/// Reports progress; the command line draws a bar with it.
pub trait Progress {
    /// An estimate of the orders this run will fetch in all.
    fn estimate(&self, total: u64);
    fn advance(&self, orders: u64);
}

/// No progress reporting.
pub struct Quiet;

impl Progress for Quiet {
    fn estimate(&self, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Runs (or resumes) the backfill of `client`'s store.
pub async fn run(
    services: &SyncServices,
    client: &WooClient,
    since: Option<Timestamp>,
    progress: &dyn Progress,
) -> Result<Summary, Interrupted> {
    let started = Instant::now();
    let store = client.store_id().to_owned();
    let mut summary = Summary {
        store: store.clone(),
        resumed: false,
        started_after: Timestamp::UNIX_EPOCH,
        cursor: Timestamp::UNIX_EPOCH,
        tally: Tally::default(),
        pages: 0,
        elapsed: Duration::ZERO,
        complete: false,
    };
    let interrupted = |mut summary: Summary, source: SyncError| {
        summary.elapsed = started.elapsed();
        Interrupted { summary, source }
    };

    let saved = {
        let store = store.clone();
        services
            .db()
            .read(move |conn| state_store::cursor(conn, &store, BACKFILL))
            .await
            .map_err(|e| interrupted(summary.clone(), e.into()))?
    };
    let since_text = since.map(time::seconds);
    let (after, resumed) = start_point(since, since_text.as_deref(), saved.as_ref());
    summary.resumed = resumed;
    summary.started_after = after;
    summary.cursor = after;
    let since_saved = match (&since_text, &saved) {
        (Some(text), _) => Some(text.clone()),
        (None, Some(saved)) => saved.since.clone(),
        (None, None) => None,
    };
    tracing::info!(
        store = %store,
        after = %after,
        resumed,
        "backfill starting"
    );

    let mut walk = Walk::new(client, after, None);
    let mut fetched_before = 0;
    loop {
        let page = match walk.next_page().await {
            Ok(Some(page)) => page,
            Ok(None) => break,
            Err(e) => {
                summary.pages = walk.requests();
                return Err(interrupted(summary, e.into()));
            }
        };
        summary.pages = walk.requests();
        if let Some(remaining) = page.remaining {
            progress.estimate(fetched_before + remaining);
        }
        let count = page.orders.len() as u64;
        let tally = apply_page(services, &store, Origin::Backfill, page.orders)
            .await
            .map_err(|e| interrupted(summary.clone(), e.into()))?;
        summary.tally.add(tally);
        fetched_before += count;
        progress.advance(count);

        let cursor = Cursor {
            since: since_saved.clone(),
            cursor: time::seconds(page.resume_after),
            complete: walk.is_done(),
        };
        let (store_id, now) = (store.clone(), time::millis(Timestamp::now()));
        services
            .db()
            .writer()
            .write(move |conn| state_store::save_cursor(conn, &store_id, BACKFILL, &cursor, &now))
            .await
            .map_err(|e| interrupted(summary.clone(), e.into()))?;
        summary.cursor = page.resume_after;
        tracing::debug!(
            store = %store,
            page = summary.pages,
            orders = count,
            accepted = tally.accepted,
            cursor = %page.resume_after,
            "backfill page"
        );
    }
    summary.complete = true;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Resume or start over: the saved cursor continues a run without `--since`, or an
/// unfinished run with the same `--since`. `modified_after` is exclusive, so a fresh start
/// asks for orders modified after one second before `--since`.
fn start_point(
    since: Option<Timestamp>,
    since_text: Option<&str>,
    saved: Option<&Cursor>,
) -> (Timestamp, bool) {
    let saved_at = saved.and_then(|c| time::parse(&c.cursor).map(|at| (c, at)));
    match (since, saved_at) {
        // A finished run's cursor is the newest second it saw; orders saved later within
        // that same second would fall behind an exclusive `modified_after`, so look again
        // from one second before (what was seen comes back as duplicates).
        (None, Some((c, at))) if c.complete => (at - SignedDuration::from_secs(1), true),
        (None, Some((_, at))) => (at, true),
        (Some(_), Some((c, at))) if !c.complete && c.since.as_deref() == since_text => (at, true),
        (Some(since), _) => (since - SignedDuration::from_secs(1), false),
        (None, None) => (Timestamp::UNIX_EPOCH, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor(since: Option<&str>, at: &str, complete: bool) -> Cursor {
        Cursor {
            since: since.map(str::to_owned),
            cursor: at.to_owned(),
            complete,
        }
    }

    #[test]
    fn resumes_or_starts_over() {
        let since: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let text = "2026-01-01T00:00:00Z";
        let at: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();

        assert_eq!(
            start_point(None, None, None),
            (Timestamp::UNIX_EPOCH, false)
        );
        assert_eq!(
            start_point(Some(since), Some(text), None),
            ("2025-12-31T23:59:59Z".parse().unwrap(), false)
        );
        let unfinished = cursor(Some(text), "2026-03-01T00:00:00Z", false);
        assert_eq!(start_point(None, None, Some(&unfinished)), (at, true));
        assert_eq!(
            start_point(Some(since), Some(text), Some(&unfinished)),
            (at, true)
        );
        let other: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        assert!(
            !start_point(Some(other), Some("2026-02-01T00:00:00Z"), Some(&unfinished)).1,
            "another --since starts over"
        );
        let finished = cursor(Some(text), "2026-03-01T00:00:00Z", true);
        assert_eq!(
            start_point(None, None, Some(&finished)),
            ("2026-02-28T23:59:59Z".parse().unwrap(), true),
            "without --since a finished run catches up from its cursor's second, included"
        );
        assert!(
            !start_point(Some(since), Some(text), Some(&finished)).1,
            "the same --since after a finished run starts over"
        );
    }
}
