//! The outbox jobs tracking enqueues, and their handlers.
//!
//! `evaluate_delays` re-checks an order's alerts after ingest changed something the rules
//! read. The `notify_delay` jobs the alerts enqueue are handled by customer notifications
//! (`crate::notify`), which this module does not know.

use std::sync::Arc;

use anyhow::Context as _;
use jiff::Timestamp;

use super::{TrackingSettings, alerts};
use crate::jobs::{Job, JobKind, Outcome, Registry};
use crate::shop::timezone::Zones;
use crate::store::Db;

/// Registers the handlers of tracking's job kinds.
pub fn register(registry: &mut Registry, db: Db, settings: Arc<TrackingSettings>, zones: Zones) {
    registry.register(JobKind::EvaluateDelays, move |job: Job| {
        let (db, settings, zones) = (db.clone(), settings.clone(), zones.clone());
        async move { Outcome::from(evaluate_delays(&db, settings, zones, &job).await) }
    });
}

async fn evaluate_delays(
    db: &Db,
    settings: Arc<TrackingSettings>,
    zones: Zones,
    job: &Job,
) -> anyhow::Result<()> {
    let (store, order_id) = (job.store_id.clone(), job.order_id);
    let outcome = db
        .writer()
        .write(move |c| {
            let zone = zones.zone(c, &store).tz;
            alerts::evaluate_order(c, &store, order_id, &settings, &zone, Timestamp::now())
        })
        .await
        .with_context(|| format!("evaluating the delay alerts of order {order_id}"))?;
    if !outcome.raised.is_empty() || !outcome.resolved.is_empty() {
        tracing::info!(store = %job.store_id, order_id = order_id.get(), raised = ?outcome.raised, resolved = ?outcome.resolved, "delay alerts changed");
    }
    Ok(())
}
