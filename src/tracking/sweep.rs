//! The periodic sweep inside `serve`: time passes without any delivery or event, so every
//! few minutes the orders a rule may still fire for (and those with active alerts) are
//! re-evaluated. The first sweep after an upgrade also gives orders mirrored before
//! tracking existed their token, parcels and state.

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::watch;

use super::store::order_tracking as rows;
use super::{TrackingSettings, alerts, derive};
use crate::ids::{OrderId, StoreId};
use crate::shop::timezone::Zones;
use crate::store::{Db, StoreError};

/// Orders handled per write transaction: keeps each commit short (a few ms) so webhook
/// deliveries queued behind it are not held up.
const BATCH: usize = 64;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub backfilled: usize,
    pub evaluated: usize,
    pub raised: usize,
    pub resolved: usize,
}

/// Sweeps at start and then every `tracking.sweep_interval_secs` until `stop` turns true.
/// Business days are counted in each store's time zone (`zones`).
pub async fn run(
    db: Db,
    settings: Arc<TrackingSettings>,
    zones: Zones,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        match sweep_once(&db, &settings, &zones, Timestamp::now()).await {
            Ok(report) if report != SweepReport::default() => {
                tracing::info!(?report, "tracking sweep")
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "tracking sweep failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(settings.sweep_interval) => {}
            _ = stop.changed() => {}
        }
    }
}

/// One sweep at `now`.
pub async fn sweep_once(
    db: &Db,
    settings: &Arc<TrackingSettings>,
    zones: &Zones,
    now: Timestamp,
) -> Result<SweepReport, StoreError> {
    let mut report = SweepReport::default();
    let mut after: Option<(StoreId, OrderId)> = None;
    loop {
        let from = after.clone();
        let batch = db
            .read(move |c| rows::untracked(c, from.as_ref(), BATCH as u32))
            .await?;
        let Some(last) = batch.last().cloned() else {
            break;
        };
        let full = batch.len() == BATCH;
        let (settings, zones) = (settings.clone(), zones.clone());
        report.backfilled += db
            .writer()
            .write(move |c| {
                let mut done = 0;
                for (store, order_id) in &batch {
                    let zone = zones.zone(c, store).tz;
                    match derive::backfill(c, store, *order_id, &settings, &zone, now) {
                        Ok(()) => done += 1,
                        Err(error) => {
                            tracing::warn!(store = %store, order_id = order_id.get(), %error, "cannot derive tracking for a mirrored order")
                        }
                    }
                }
                Ok(done)
            })
            .await?;
        if !full {
            break;
        }
        after = Some(last);
    }
    let orders = db.read(rows::to_sweep).await?;
    for chunk in orders.chunks(BATCH) {
        let chunk = chunk.to_vec();
        let count = chunk.len();
        let (settings, zones) = (settings.clone(), zones.clone());
        let (raised, resolved) = db
            .writer()
            .write(move |c| {
                let (mut raised, mut resolved) = (0, 0);
                for (store, order_id) in &chunk {
                    let zone = zones.zone(c, store).tz;
                    let outcome =
                        alerts::evaluate_order(c, store, *order_id, &settings, &zone, now)?;
                    raised += outcome.raised.len();
                    resolved += outcome.resolved.len();
                }
                Ok((raised, resolved))
            })
            .await?;
        report.evaluated += count;
        report.raised += raised;
        report.resolved += resolved;
    }
    Ok(report)
}
