//! Keeping the figures current: a background loop folds what changed every few seconds,
//! and a report first folds what is still pending (within a time budget).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::Context;
use super::maintain::{self, BATCH};
use super::settings::InsightSettings;
use crate::ids::StoreId;
use crate::shop::timezone::Zones;
use crate::store::{Db, StoreError};
use crate::support::settings::Hours;
use crate::tracking::TrackingSettings;

/// How often the loop looks for changes.
const INTERVAL: Duration = Duration::from_secs(5);

/// Cheap to clone.
#[derive(Clone)]
pub struct Keeper {
    pub db: Db,
    pub tracking: Arc<TrackingSettings>,
    pub zones: Zones,
    pub hours: Hours,
    pub settings: InsightSettings,
}

impl Keeper {
    /// The store's context now: its shop's zone can change with a new shop profile.
    pub async fn context(&self, store: &StoreId) -> Result<Context, StoreError> {
        let zone = self.zones.zone_of(&self.db, store).await?;
        Ok(Context {
            store: store.clone(),
            calendar: self.tracking.calendar(&zone.tz),
            hours: self.hours,
            active_days: self.settings.active_days,
        })
    }

    /// Folds pending changes in batches until none are left or `budget` has passed;
    /// returns how many are still pending.
    pub async fn catch_up(&self, ctx: &Context, budget: Duration) -> Result<i64, StoreError> {
        let started = Instant::now();
        loop {
            let c = ctx.clone();
            let folded = self
                .db
                .writer()
                .write(move |conn| maintain::catch_up(conn, &c))
                .await?;
            if folded < BATCH {
                return Ok(0);
            }
            if started.elapsed() >= budget {
                let store = ctx.store.clone();
                return self
                    .db
                    .read(move |conn| super::store::pending_count(conn, &store))
                    .await;
            }
        }
    }

    /// Folds every store's changes until `stop` turns true.
    pub async fn run(self, stores: Vec<StoreId>, mut stop: watch::Receiver<bool>) {
        loop {
            for store in &stores {
                if *stop.borrow() {
                    return;
                }
                let result = match self.context(store).await {
                    Ok(ctx) => self.catch_up(&ctx, INTERVAL).await,
                    Err(e) => Err(e),
                };
                if let Err(error) = result {
                    tracing::error!(%error, store = %store, "keeping insights failed");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(INTERVAL) => {}
                _ = stop.changed() => {}
            }
        }
    }
}
