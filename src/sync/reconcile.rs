//! Reconciliation inside `serve`: the mirror compared with WooCommerce, what differs repaired.
//!
//! Every `sync.reconcile_interval_seconds` (default 5 minutes) each store with REST
//! credentials is asked for the orders modified since the newest modification the last run
//! saw, minus `sync.reconcile_overlap_seconds` (default 10 minutes, for saves that become
//! visible late and for clock skew). Once per `sync.full_sweep_interval_seconds` (default a
//! day, the first one a day after reconciliation first ran) every order is walked, plus the
//! trash: under the legacy post storage a meta-only save (tracking added) does not move
//! `date_modified`, so only a full comparison finds it. Orders that were missing or older in
//! the mirror are "repaired": counted in `aftercare_repaired_orders_total`, logged by id, and
//! a reason to check the webhooks right away.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use super::SyncError;
use super::apply::{Origin, Tally, apply_page};
use super::walk::Walk;
use super::webhooks;
use crate::AppState;
use crate::store::sync::{self as state_store, Cursor, RECONCILE};
use crate::time;
use crate::woo::WooClient;

/// How far the very first incremental run looks back.
const FIRST_RUN_LOOKBACK: SignedDuration = SignedDuration::from_hours(24);

/// Which reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Orders modified since the last run (minus the overlap).
    Incremental,
    /// Every order, and the trash.
    Full,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Incremental => "incremental",
            Kind::Full => "full",
        }
    }
}

/// One finished run.
#[derive(Debug, Clone)]
pub struct Report {
    pub store: String,
    pub kind: Kind,
    pub tally: Tally,
    /// Orders that were missing or out of date in the mirror.
    pub repaired: u64,
    /// Requests to `GET /orders`.
    pub requests: u64,
    pub elapsed: Duration,
}

/// The REST clients of every store that has REST credentials.
pub fn clients(state: &AppState) -> Vec<WooClient> {
    let config = state.config();
    config
        .stores
        .iter()
        .filter(|s| s.url.is_some() && s.consumer_key.is_some())
        .filter_map(|s| match WooClient::new(s, &config.woocommerce) {
            Ok(client) => Some(client),
            Err(error) => {
                tracing::error!(store = %s.id, %error, "cannot reach this store's REST API; not reconciling it");
                None
            }
        })
        .collect()
}

/// Reconciles every store with REST credentials once, now, and checks the webhooks of
/// each store where orders had to be repaired. What `serve` does on its schedule.
pub async fn reconcile_now(state: &AppState, kind: Kind) -> Vec<Result<Report, SyncError>> {
    let mut reports = Vec::new();
    for client in clients(state) {
        let report = reconcile(state, &client, kind).await;
        if matches!(&report, Ok(r) if r.repaired > 0) {
            webhooks::check_and_record(state, &client).await;
        }
        reports.push(report);
    }
    reports
}

/// One reconciliation of one store, recorded (success or failure) for the health report.
pub async fn reconcile(
    state: &AppState,
    client: &WooClient,
    kind: Kind,
) -> Result<Report, SyncError> {
    let store = client.store_id().to_owned();
    let started = Instant::now();
    let result = match kind {
        Kind::Incremental => incremental(state, client).await,
        Kind::Full => full(state, client).await,
    };
    let now = time::millis(Timestamp::now());
    state
        .metrics()
        .reconciliation(&store, kind.label(), result.is_ok());
    match result {
        Ok((tally, requests)) => {
            let repaired = tally.accepted;
            state.metrics().repaired(&store, repaired);
            let store_id = store.clone();
            state
                .db()
                .writer()
                .write(move |conn| {
                    state_store::record_run(conn, &store_id, kind == Kind::Full, repaired, &now)
                })
                .await?;
            let report = Report {
                store,
                kind,
                tally,
                repaired,
                requests,
                elapsed: started.elapsed(),
            };
            if repaired > 0 {
                tracing::warn!(
                    store = %report.store,
                    kind = kind.label(),
                    repaired,
                    fetched = tally.fetched,
                    requests,
                    "reconciliation repaired orders that webhooks had missed"
                );
            } else {
                tracing::info!(
                    store = %report.store,
                    kind = kind.label(),
                    fetched = tally.fetched,
                    requests,
                    "reconciliation found the mirror in sync"
                );
            }
            Ok(report)
        }
        Err(error) => {
            tracing::warn!(store = %store, kind = kind.label(), %error, "reconciliation failed");
            let message = error.to_string();
            let store_id = store.clone();
            let _ = state
                .db()
                .writer()
                .write(move |conn| state_store::record_error(conn, &store_id, &message, &now))
                .await;
            Err(error)
        }
    }
}

async fn incremental(state: &AppState, client: &WooClient) -> Result<(Tally, u64), SyncError> {
    let store = client.store_id().to_owned();
    let overlap = SignedDuration::try_from(state.config().sync.reconcile_overlap)
        .unwrap_or(SignedDuration::ZERO);
    let saved = {
        let store = store.clone();
        state
            .db()
            .read(move |conn| state_store::cursor(conn, &store, RECONCILE))
            .await?
    };
    // The first run looks back a day: webhooks lost just before reconciliation was switched
    // on are repaired at once; older gaps are the sweep's (or `aftercare backfill`'s).
    let cursor = saved
        .and_then(|c| time::parse(&c.cursor))
        .unwrap_or_else(|| Timestamp::now() - FIRST_RUN_LOOKBACK);
    let mut walk = Walk::new(client, cursor - overlap, None);
    let mut tally = Tally::default();
    let mut newest_seen = cursor;
    while let Some(page) = walk.next_page().await? {
        if let Some(n) = page.newest {
            newest_seen = newest_seen.max(n);
        }
        tally.add(apply_page(state, &store, Origin::Reconcile, page.orders).await?);
    }
    let requests = walk.requests();
    state
        .metrics()
        .list_requests(&store, Origin::Reconcile.label(), requests);
    let saved = Cursor {
        since: None,
        cursor: time::seconds(newest_seen),
        complete: true,
    };
    let now = time::millis(Timestamp::now());
    state
        .db()
        .writer()
        .write(move |conn| state_store::save_cursor(conn, &store, RECONCILE, &saved, &now))
        .await?;
    Ok((tally, requests))
}

async fn full(state: &AppState, client: &WooClient) -> Result<(Tally, u64), SyncError> {
    let store = client.store_id();
    let mut tally = Tally::default();
    let mut requests = 0;
    for (status, origin) in [
        (None, Origin::Sweep { trash: false }),
        (Some("trash"), Origin::Sweep { trash: true }),
    ] {
        let mut walk = Walk::new(client, Timestamp::UNIX_EPOCH, status);
        while let Some(page) = walk.next_page().await? {
            tally.add(apply_page(state, store, origin, page.orders).await?);
        }
        requests += walk.requests();
    }
    state
        .metrics()
        .list_requests(store, Origin::Sweep { trash: false }.label(), requests);
    Ok((tally, requests))
}

/// The background task of `serve`: reconciles and checks webhooks on their schedules until
/// `stop` turns true. Stopping abandons a run between two writes; the saved cursors make
/// the next start continue.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let settings = state.config().sync.clone();
    if settings.reconcile_interval.is_none() && settings.webhook_check_interval.is_none() {
        return;
    }
    let clients = clients(&state);
    if clients.is_empty() {
        return;
    }
    let now = time::millis(Timestamp::now());
    for client in &clients {
        let (store, now) = (client.store_id().to_owned(), now.clone());
        if let Err(error) = state
            .db()
            .writer()
            .write(move |conn| state_store::ensure_status(conn, &store, &now))
            .await
        {
            tracing::error!(%error, "cannot record reconciliation state");
        }
    }
    let start = Instant::now();
    let mut next_reconcile = vec![start; clients.len()];
    let mut next_check = vec![start; clients.len()];
    loop {
        for (i, client) in clients.iter().enumerate() {
            if *stop.borrow() {
                return;
            }
            if let Some(every) = settings.reconcile_interval
                && Instant::now() >= next_reconcile[i]
            {
                let repaired = tokio::select! {
                    repaired = scheduled_runs(&state, client) => repaired,
                    _ = stop.changed() => return,
                };
                next_reconcile[i] = Instant::now() + every;
                if repaired > 0 {
                    next_check[i] = Instant::now();
                }
            }
            let check_now = Instant::now() >= next_check[i]
                && (settings.webhook_check_interval.is_some() || next_check[i] > start);
            if check_now {
                tokio::select! {
                    _ = webhooks::check_and_record(&state, client) => {},
                    _ = stop.changed() => return,
                }
                next_check[i] = match settings.webhook_check_interval {
                    Some(every) => Instant::now() + every,
                    // Only after repairs.
                    None => Instant::now() + Duration::from_secs(365 * 86_400),
                };
            }
        }
        let wake = next_reconcile
            .iter()
            .filter(|_| settings.reconcile_interval.is_some())
            .chain(next_check.iter())
            .min()
            .copied()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(60));
        tokio::select! {
            _ = tokio::time::sleep_until(wake.into()) => {}
            _ = stop.changed() => {}
        }
    }
}

/// The incremental run, and the full sweep when it is due. Returns the orders repaired.
async fn scheduled_runs(state: &AppState, client: &WooClient) -> u64 {
    let mut repaired = 0;
    if let Ok(report) = reconcile(state, client, Kind::Incremental).await {
        repaired += report.repaired;
    }
    if sweep_due(state, client.store_id()).await
        && let Ok(report) = reconcile(state, client, Kind::Full).await
    {
        repaired += report.repaired;
    }
    repaired
}

/// A sweep is due one interval after the last one, or after reconciliation first ran.
async fn sweep_due(state: &AppState, store: &str) -> bool {
    let Some(every) = state.config().sync.full_sweep_interval else {
        return false;
    };
    let store = store.to_owned();
    let Ok(status) = state
        .db()
        .read(move |conn| state_store::status(conn, &store))
        .await
    else {
        return false;
    };
    let since = status
        .last_full_sweep_at
        .or(status.started_at)
        .and_then(|t| time::parse(&t));
    let every = SignedDuration::try_from(every).unwrap_or(SignedDuration::MAX);
    match since {
        Some(since) => Timestamp::now().duration_since(since) >= every,
        None => false,
    }
}
