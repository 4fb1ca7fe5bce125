//! Reconciliation inside `serve`: the mirror compared with WooCommerce, what differs repaired.
//!
//! Every `sync.reconcile_interval_seconds` (default 5 minutes) each store with REST
//! credentials is asked for the orders modified after the newest modification the last run
//! saw, minus `sync.reconcile_overlap_seconds` (default 10 minutes: saves that become visible
//! late, clock skew). The very first run looks back a day. Once per
//! `sync.full_sweep_interval_seconds` (default a day; the first a day after reconciliation
//! first ran) every order is walked, and the trash: under the legacy post storage a
//! meta-only save (tracking added) does not move `date_modified`, so only a full comparison
//! finds it, and `status=any` never lists trashed orders. Orders that were missing or older
//! in the mirror are "repaired": counted in `aftercare_repaired_orders_total`, logged by id,
//! recorded for the health report, and a reason to check the webhooks right away.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::SyncError;
use super::SyncServices;
use super::apply::{Origin, Tally, apply_page};
use super::store::{self as state_store, Cursor, RECONCILE, SWEEP};
use super::walk::Walk;
use super::webhooks;
use crate::ids::StoreId;
use crate::time;
use crate::woo::WooClient;

/// A failed sweep is tried again (from its cursor) after this long.
const SWEEP_RETRY: Duration = Duration::from_secs(3600);

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
    pub store: StoreId,
    pub kind: Kind,
    pub tally: Tally,
    /// Orders that were missing or out of date in the mirror.
    pub repaired: u64,
    /// Requests to `GET /orders`.
    pub requests: u64,
    pub elapsed: Duration,
}

/// The REST clients of every store that has REST credentials.
pub fn clients(services: &SyncServices) -> Vec<WooClient> {
    let config = services.config();
    config
        .stores
        .iter()
        .map(|s| &s.access)
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
pub async fn reconcile_now(services: &SyncServices, kind: Kind) -> Vec<Result<Report, SyncError>> {
    let mut reports = Vec::new();
    for client in clients(services) {
        let report = reconcile(services, &client, kind).await;
        if matches!(&report, Ok(r) if r.repaired > 0) {
            webhooks::check_and_record(services, &client).await;
        }
        reports.push(report);
    }
    reports
}

/// One reconciliation of one store, recorded (success or failure) for the health report.
pub async fn reconcile(
    services: &SyncServices,
    client: &WooClient,
    kind: Kind,
) -> Result<Report, SyncError> {
    let store = client.store_id().to_owned();
    let started = Instant::now();
    let result = match kind {
        Kind::Incremental => incremental(services, client).await,
        Kind::Full => full(services, client).await,
    };
    let now = time::millis(Timestamp::now());
    services
        .metrics()
        .reconciliation(&store, kind.label(), result.is_ok());
    match result {
        Ok((tally, requests)) => {
            let repaired = tally.accepted;
            services.metrics().repaired(&store, repaired);
            let store_id = store.clone();
            services
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
            let _ = services
                .db()
                .writer()
                .write(move |conn| state_store::record_error(conn, &store_id, &message, &now))
                .await;
            Err(error)
        }
    }
}

async fn incremental(
    services: &SyncServices,
    client: &WooClient,
) -> Result<(Tally, u64), SyncError> {
    let store = client.store_id().to_owned();
    let overlap = SignedDuration::try_from(services.config().sync.reconcile_overlap)
        .unwrap_or(SignedDuration::ZERO);
    let saved = {
        let store = store.clone();
        services
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
        tally.add(apply_page(services, &store, Origin::Reconcile, page.orders).await?);
    }
    let requests = walk.requests();
    services
        .metrics()
        .list_requests(&store, Origin::Reconcile.label(), requests);
    let saved = Cursor {
        since: None,
        cursor: time::seconds(newest_seen),
        complete: true,
    };
    let now = time::millis(Timestamp::now());
    services
        .db()
        .writer()
        .write(move |conn| state_store::save_cursor(conn, &store, RECONCILE, &saved, &now))
        .await?;
    Ok((tally, requests))
}

/// Every order, then the trash. The walk over every order saves its cursor after each page:
/// a sweep cut short (a restart, a failure) continues where it stopped next time.
async fn full(services: &SyncServices, client: &WooClient) -> Result<(Tally, u64), SyncError> {
    let store = client.store_id().to_owned();
    let saved = {
        let store = store.clone();
        services
            .db()
            .read(move |conn| state_store::cursor(conn, &store, SWEEP))
            .await?
    };
    let after = saved
        .filter(|c| !c.complete)
        .and_then(|c| time::parse(&c.cursor))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut tally = Tally::default();
    let mut walk = Walk::new(client, after, None);
    while let Some(page) = walk.next_page().await? {
        tally.add(
            apply_page(
                services,
                &store,
                Origin::Sweep { trash: false },
                page.orders,
            )
            .await?,
        );
        save_sweep_cursor(services, &store, page.resume_after, false).await?;
    }
    let mut requests = walk.requests();
    let mut trash = Walk::new(client, Timestamp::UNIX_EPOCH, Some("trash"));
    while let Some(page) = trash.next_page().await? {
        tally.add(apply_page(services, &store, Origin::Sweep { trash: true }, page.orders).await?);
    }
    requests += trash.requests();
    save_sweep_cursor(services, &store, Timestamp::UNIX_EPOCH, true).await?;
    services
        .metrics()
        .list_requests(&store, Origin::Sweep { trash: false }.label(), requests);
    Ok((tally, requests))
}

async fn save_sweep_cursor(
    services: &SyncServices,
    store: &StoreId,
    at: Timestamp,
    complete: bool,
) -> Result<(), SyncError> {
    let cursor = Cursor {
        since: None,
        cursor: time::seconds(at),
        complete,
    };
    let (store, now) = (store.to_owned(), time::millis(Timestamp::now()));
    services
        .db()
        .writer()
        .write(move |conn| state_store::save_cursor(conn, &store, SWEEP, &cursor, &now))
        .await?;
    Ok(())
}

/// The background task of `serve`: reconciles and checks webhooks on their schedules until
/// `stop` turns true. Full sweeps, which take long on a big store, run beside the incremental
/// runs in their own task. Stopping abandons runs between two writes; the saved cursors make
/// the next start continue.
pub async fn run(services: SyncServices, mut stop: watch::Receiver<bool>) {
    let settings = services.config().sync.clone();
    if settings.reconcile_interval.is_none() && settings.webhook_check_interval.is_none() {
        return;
    }
    let clients = clients(&services);
    if clients.is_empty() {
        return;
    }
    let now = time::millis(Timestamp::now());
    for client in &clients {
        let (store, now) = (client.store_id().to_owned(), now.clone());
        if let Err(error) = services
            .db()
            .writer()
            .write(move |conn| state_store::ensure_status(conn, &store, &now))
            .await
        {
            tracing::error!(%error, "cannot record reconciliation state");
        }
    }
    let mut sweeps: Vec<Option<JoinHandle<Option<u64>>>> = clients.iter().map(|_| None).collect();
    schedule(&services, &clients, &mut sweeps, &mut stop).await;
    for sweep in sweeps.into_iter().flatten() {
        sweep.abort();
        let _ = sweep.await;
    }
}

async fn schedule(
    services: &SyncServices,
    clients: &[WooClient],
    sweeps: &mut [Option<JoinHandle<Option<u64>>>],
    stop: &mut watch::Receiver<bool>,
) {
    let settings = &services.config().sync;
    // When each store is next due; `None` is not scheduled.
    let start = Instant::now();
    let mut next_reconcile = vec![settings.reconcile_interval.map(|_| start); clients.len()];
    let mut next_check = vec![settings.webhook_check_interval.map(|_| start); clients.len()];
    let mut sweep_not_before = vec![start; clients.len()];
    let due = |at: Option<Instant>| at.is_some_and(|at| Instant::now() >= at);
    loop {
        for (i, client) in clients.iter().enumerate() {
            if *stop.borrow() {
                return;
            }
            if sweeps[i].as_ref().is_some_and(JoinHandle::is_finished)
                && let Some(sweep) = sweeps[i].take()
            {
                match sweep.await {
                    Ok(Some(repaired)) if repaired > 0 => next_check[i] = Some(Instant::now()),
                    Ok(Some(_)) => {}
                    // Failed (logged and recorded): try again later, from its cursor.
                    _ => sweep_not_before[i] = Instant::now() + SWEEP_RETRY,
                }
            }
            if due(next_reconcile[i]) {
                let report = tokio::select! {
                    report = reconcile(services, client, Kind::Incremental) => report,
                    _ = stop.changed() => return,
                };
                next_reconcile[i] = settings
                    .reconcile_interval
                    .map(|every| Instant::now() + every);
                if matches!(report, Ok(r) if r.repaired > 0) {
                    // Orders that never arrived by webhook: look at the webhooks now.
                    next_check[i] = Some(Instant::now());
                }
                if sweeps[i].is_none()
                    && Instant::now() >= sweep_not_before[i]
                    && sweep_due(services, client.store_id()).await
                {
                    let (services, client) = (services.clone(), client.clone());
                    sweeps[i] = Some(tokio::spawn(async move {
                        reconcile(&services, &client, Kind::Full)
                            .await
                            .ok()
                            .map(|r| r.repaired)
                    }));
                }
            }
            if due(next_check[i]) {
                tokio::select! {
                    _ = webhooks::check_and_record(services, client) => {},
                    _ = stop.changed() => return,
                }
                next_check[i] = settings
                    .webhook_check_interval
                    .map(|every| Instant::now() + every);
            }
        }
        let wake = next_reconcile
            .iter()
            .chain(next_check.iter())
            .flatten()
            .min()
            .copied();
        tokio::select! {
            _ = sleep_until(wake) => {}
            _ = stop.changed() => {}
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// A sweep is due one interval after the last one, or after reconciliation first ran.
async fn sweep_due(services: &SyncServices, store: &StoreId) -> bool {
    let Some(every) = services.config().sync.full_sweep_interval else {
        return false;
    };
    let store = store.to_owned();
    let Ok(status) = services
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
