//! The outbox jobs tracking enqueues, as the worker carries them out.
//!
//! `evaluate_delays` re-checks an order's alerts after ingest changed something the rules
//! read. `notify_delay` is the hand-off to customer notifications: no notifier exists yet,
//! so the worker completes these jobs as "no notifier configured"; each stays in the
//! `jobs` table (kind, order, alert id in `subject`) as the record of what would be sent.

use jiff::Timestamp;

use super::{EVALUATE_DELAYS, NOTIFY_DELAY, alerts};
use crate::AppState;
use crate::store::jobs::{self, Job};
use crate::time;

/// Whether this module handles jobs of `kind`.
pub fn handles(kind: &str) -> bool {
    matches!(kind, EVALUATE_DELAYS | NOTIFY_DELAY)
}

pub async fn carry_out(state: &AppState, job: &Job) -> Result<(), String> {
    let (store, order_id, job_id) = (job.store_id.clone(), job.order_id, job.id);
    match job.kind.as_str() {
        EVALUATE_DELAYS => {
            let settings = state.config().tracking.clone();
            state
                .db()
                .writer()
                .write(move |c| {
                    let now = Timestamp::now();
                    let outcome = alerts::evaluate_order(c, &store, order_id, &settings, now)?;
                    jobs::complete(c, job_id, &time::millis(now))?;
                    Ok(outcome)
                })
                .await
                .map(|outcome| {
                    if !outcome.raised.is_empty() || !outcome.resolved.is_empty() {
                        tracing::info!(store = %job.store_id, order_id, raised = ?outcome.raised, resolved = ?outcome.resolved, "delay alerts changed");
                    }
                })
                .map_err(|e| e.to_string())
        }
        NOTIFY_DELAY => {
            tracing::info!(store = %store, order_id, alert = job.subject, "delay alert raised; no notifier is configured, so no message is sent");
            state
                .db()
                .writer()
                .write(move |c| jobs::complete(c, job_id, &time::millis(Timestamp::now())))
                .await
                .map_err(|e| e.to_string())
        }
        other => Err(format!("not a tracking job: {other}")),
    }
}
