//! The `product_guide` message: once per order, some days (the store's
//! `guides.delay_days`) after its last parcel was actually delivered, the guides of what
//! the customer bought. Scheduled when the order's last parcel is delivered (the
//! `notify_guide` job, due at the last delivery plus the delay); a later delivery moves
//! it. When it runs it looks again: every live parcel delivered or returned (and one
//! delivered), the delay passed since the newest delivery, some item with a guide.

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::Notifier;
use super::decide::{self, Candidate, Context, Decision};
use super::model::MessageType;
use crate::ids::{OrderId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome};
use crate::store::StoreError;
use crate::time;
use crate::tracking::alerts::parcel_status;
use crate::tracking::status::ParcelStatus;
use crate::tracking::store::shipments;

/// When the order's guide message is due: its newest parcel delivery plus `days`, once
/// no live parcel is still on its way. `None` while one is, or when none was delivered.
pub fn due(
    c: &Connection,
    store: &StoreId,
    order_id: OrderId,
    days: u32,
) -> Result<Option<Timestamp>, StoreError> {
    let live = shipments::for_order(c, store, order_id, false)?;
    if live.iter().any(|p| {
        !matches!(
            parcel_status(p),
            ParcelStatus::Delivered | ParcelStatus::Returned
        )
    }) {
        return Ok(None);
    }
    let last = live
        .iter()
        .filter(|p| parcel_status(p) == ParcelStatus::Delivered)
        .filter_map(|p| {
            p.delivered_at
                .as_deref()
                .or(p.last_event_at.as_deref())
                .and_then(time::parse)
        })
        .max();
    Ok(last.map(|t| t + SignedDuration::from_hours(24 * i64::from(days))))
}

/// Puts the order's `notify_guide` job at its due time (or moves the waiting one there).
pub fn schedule(
    c: &Connection,
    store: &StoreId,
    order_id: OrderId,
    days: u32,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(at) = due(c, store, order_id, days)? else {
        return Ok(());
    };
    let (at, stamp) = (time::millis(at), time::millis(now));
    jobs::store::enqueue_at(c, store, JobKind::NotifyGuide, order_id, 0, &at, &stamp)?;
    c.prepare_cached(
        "UPDATE jobs SET run_after = ?3
         WHERE store_id = ?1 AND kind = ?4 AND order_id = ?2 AND subject = 0 AND done_at IS NULL",
    )?
    .execute((store, order_id, &at, JobKind::NotifyGuide))?;
    Ok(())
}

/// Whether some line item of the order has a guide.
fn has_guides(
    c: &Connection,
    store: &StoreId,
    order: &crate::woo::Order,
) -> Result<bool, StoreError> {
    for li in &order.line_items {
        if crate::guides::store::for_item(c, store, li.product_id, li.variation_id, &li.sku)?
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

enum Step {
    Nothing,
    Wait(Timestamp),
    Decided(Decision),
}

fn step(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    order_id: OrderId,
    now: Timestamp,
) -> Result<Step, StoreError> {
    let Some(at) = due(c, store, order_id, ctx.guides.delay_days(store))? else {
        return Ok(Step::Nothing);
    };
    if at > now {
        return Ok(Step::Wait(at));
    }
    let Some((order, _, _)) = decide::load(c, store, order_id)? else {
        return Ok(Step::Nothing);
    };
    if !has_guides(c, store, &order)? {
        return Ok(Step::Nothing);
    }
    let decision = decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id,
            kind: MessageType::ProductGuide,
            parcel: None,
            ret: None,
            about: "order".to_owned(),
            status: "guide",
            // Due long ago (a backfilled delivery, a long outage) is history, as a stale
            // carrier event is.
            event_at: Some(at),
            delay: None,
            survey: None,
            support: None,
        },
        now,
    )?;
    Ok(Step::Decided(decision))
}

/// The `notify_guide` job.
pub async fn run(n: &Notifier, job: &Job) -> Outcome {
    let (store, order_id) = (job.store_id.clone(), job.order_id);
    let n2 = n.clone();
    let now = Timestamp::now();
    let result =
        n.db.writer()
            .write(move |c| {
                let zone = n2.zones.zone(c, &store).tz;
                let ctx = n2.context(&zone);
                step(c, &store, &ctx, order_id, now)
            })
            .await;
    match result {
        Ok(Step::Wait(at)) => {
            let wait = now.duration_until(at).unsigned_abs();
            Outcome::Defer(wait.max(std::time::Duration::from_secs(1)))
        }
        Ok(Step::Decided(Decision::Recorded { id, state, .. })) => {
            tracing::info!(store = %job.store_id, order_id = job.order_id.get(), message = %id, %state, "guide message decided");
            Outcome::Done
        }
        Ok(_) => Outcome::Done,
        Err(e) => Outcome::Retry(e.into()),
    }
}
