//! The `follow_parcel` job: brings one parcel's subscription in line with the parcel.
//! Tracking enqueues it whenever a parcel is added, changed or removed (any source), so
//! every parcel is subscribed once, a changed number moves its subscription, and a parcel
//! that goes away stops being tracked. Registration takes the store's pending numbers
//! together, up to the provider's batch limit, so a burst of parcels costs few requests.
//! A provider failure answers `Retry`: the outbox retries with backoff, across restarts.
//!
//! When the account's monthly quota (17TRACK) is used up, new parcels stay `pending`, with
//! the reason as their error, and their jobs wait: they are registered when the quota
//! renews on the 1st, or as soon as a raised `monthly_quota` allows. Pending rather than
//! refused, because a refusal would be final and the store owner who buys more quota
//! wants those parcels followed without touching each one; nothing already followed
//! stops. With Delivery Tracker and a public URL, each accepted parcel's callback is
//! registered too (the poller renews it while the parcel is followed).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use jiff::{SignedDuration, Timestamp};

use super::Feeds;
use super::account::Account;
use super::adapter::{FeedState, Parcel, Registered, TrackingFeed};
use super::store::{self, NewSubscription, SubscriptionRow};
use super::usage;
use crate::jobs::{Job, JobKind, Outcome, Registry};
use crate::store::Db;
use crate::time;
use crate::tracking::meta::number_key;
use crate::tracking::store::shipments;

/// Registers the handler of `follow_parcel`.
pub fn register(registry: &mut Registry, db: Db, feeds: Arc<Feeds>) {
    registry.register(JobKind::FollowParcel, move |job: Job| {
        let (db, feeds) = (db.clone(), feeds.clone());
        async move {
            match follow(&db, &feeds, &job).await {
                Ok(outcome) => outcome,
                Err(error) => Outcome::Retry(error),
            }
        }
    });
}

/// How long a parcel that just became pending waits for the parcels arriving with it
/// (an order's parcels, a burst of orders), so that they are registered together.
const GATHER: Duration = Duration::from_secs(2);

/// What the database says must happen with the provider.
struct Plan {
    /// An open subscription that must stop (the parcel went away or changed its number).
    stop: Option<SubscriptionRow>,
    /// The parcel's subscription waits for registration.
    register: bool,
    /// This attempt made it pending: gather others before registering.
    fresh: bool,
    /// The store's pending subscriptions, this one included.
    pending: usize,
}

async fn follow(db: &Db, feeds: &Feeds, job: &Job) -> anyhow::Result<Outcome> {
    let Some((_, store_feeds)) = feeds.stores().find(|(id, _)| **id == job.store_id) else {
        return Ok(Outcome::Done);
    };
    let shipment_id = crate::ids::ShipmentId::new(job.subject);
    // The parcel's carrier picks the feed that follows it; a parcel that went away needs
    // none (its open subscription is stopped through its own provider).
    let store_id = job.store_id.clone();
    let carrier = db
        .read(move |c| Ok(shipments::find(c, &store_id, shipment_id)?.map(|p| p.carrier)))
        .await?;
    let Some(adapter) = carrier
        .as_deref()
        .and_then(|c| feeds.feed_for(&job.store_id, c))
        .or(store_feeds.first())
        .cloned()
    else {
        return Ok(Outcome::Done);
    };
    let limit = adapter.batch_limit();
    let provider = adapter.provider();
    let store_id = job.store_id.clone();
    let now = Timestamp::now();
    let code_of = {
        let adapter = adapter.clone();
        move |slug: &str| adapter.carrier_code(slug)
    };
    let plan = db
        .writer()
        .write(move |c| {
            let stamp = time::millis(now);
            let parcel = shipments::find(c, &store_id, shipment_id)?;
            let open = store::open_for_shipment(c, shipment_id)?;
            let live = parcel.as_ref().filter(|p| p.removed_at.is_none());
            let travelling =
                live.filter(|p| !matches!(p.status.as_str(), "delivered" | "returned"));
            let mut plan = Plan {
                stop: None,
                register: false,
                fresh: false,
                pending: 0,
            };
            match (open, live) {
                (Some(open), Some(p)) if number_key(&open.number) == p.number_key => {
                    plan.register = open.state() == FeedState::Pending;
                }
                (Some(open), _) if open.state() == FeedState::Pending => {
                    // Never registered: nothing to stop at the provider.
                    store::set_state(c, open.id, FeedState::Stopped, None, &stamp)?;
                    plan.register = insert(c, &store_id, travelling, provider, &code_of, &stamp)?;
                    plan.fresh = plan.register;
                }
                (Some(open), _) => plan.stop = Some(open),
                (None, _) => {
                    // Followed once under this number and stopped (delivered, gone): done.
                    // A parcel whose number changed later is followed under the new one.
                    let followed = match live {
                        Some(p) => store::followed_as(c, shipment_id, &p.tracking_number)?,
                        None => true,
                    };
                    if !followed {
                        plan.register =
                            insert(c, &store_id, travelling, provider, &code_of, &stamp)?;
                        plan.fresh = plan.register;
                    }
                }
            }
            if plan.fresh {
                plan.pending = store::pending(c, &store_id, provider, limit)?.len();
            }
            Ok(plan)
        })
        .await?;

    if let Some(old) = plan.stop {
        let old_provider = super::Provider::parse(&old.provider);
        if let Some(old_feed) = old_provider.and_then(|p| feeds.feed(&job.store_id, p)) {
            old_feed.stop(&[parcel(&old)]).await.with_context(|| {
                format!("stopping the {old_provider:?} subscription of shipment {shipment_id}")
            })?;
        }
        let (store_id, code_of) = (job.store_id.clone(), {
            let adapter = adapter.clone();
            move |slug: &str| adapter.carrier_code(slug)
        });
        let registers = db
            .writer()
            .write(move |c| {
                let stamp = time::millis(Timestamp::now());
                store::set_state(c, old.id, FeedState::Stopped, None, &stamp)?;
                // A parcel that changed its number is followed under the new one.
                let parcel = shipments::find(c, &store_id, shipment_id)?;
                let travelling = parcel.as_ref().filter(|p| {
                    p.removed_at.is_none() && !matches!(p.status.as_str(), "delivered" | "returned")
                });
                insert(c, &store_id, travelling, provider, &code_of, &stamp)
            })
            .await?;
        tracing::info!(store = %job.store_id, shipment = %shipment_id, "feed subscription stopped");
        if !registers {
            return Ok(Outcome::Done);
        }
    } else if !plan.register {
        return Ok(Outcome::Done);
    } else if plan.fresh && plan.pending < limit {
        return Ok(Outcome::Defer(GATHER));
    }
    match register_pending(db, feeds, job, &adapter).await? {
        Registering::Done => Ok(Outcome::Done),
        // Look again hourly: a raised quota takes effect without waiting for the 1st.
        Registering::QuotaUsedUp { renews_at } => {
            let wait = Timestamp::now()
                .duration_until(renews_at)
                .clamp(SignedDuration::from_secs(60), SignedDuration::from_hours(1));
            Ok(Outcome::Defer(
                Duration::try_from(wait).unwrap_or(Duration::from_secs(3600)),
            ))
        }
    }
}

/// What registering came to for the job's parcel.
enum Registering {
    Done,
    /// The month's quota is spent; the parcel stays pending.
    QuotaUsedUp {
        renews_at: Timestamp,
    },
}

/// How long a Delivery Tracker callback is registered for: the 48 hours its docs
/// recommend (the poller renews it a day ahead).
pub const WEBHOOK_LIFETIME: SignedDuration = SignedDuration::from_hours(48);

/// Registers Delivery Tracker callbacks for `rows` and records until when.
pub async fn register_webhooks(
    db: &Db,
    adapter: &Account,
    rows: &[SubscriptionRow],
) -> anyhow::Result<usize> {
    if adapter.callback_url.is_none() || rows.is_empty() {
        return Ok(0);
    }
    let expires = Timestamp::now() + WEBHOOK_LIFETIME;
    let parcels: Vec<Parcel> = rows.iter().map(parcel).collect();
    let done = adapter.register_webhooks(&parcels, expires).await;
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| done.contains(&r.number))
        .map(|r| r.id)
        .collect();
    let count = ids.len();
    let until = time::seconds(expires);
    db.writer()
        .write(move |c| {
            for id in ids {
                store::webhook_registered(c, id, &until)?;
            }
            Ok(())
        })
        .await?;
    Ok(count)
}

/// Adds a pending subscription for a travelling parcel; false when there is none.
fn insert(
    c: &rusqlite::Connection,
    store_id: &crate::ids::StoreId,
    travelling: Option<&shipments::ShipmentRow>,
    provider: super::Provider,
    code_of: &dyn Fn(&str) -> Option<String>,
    stamp: &time::Stamp,
) -> Result<bool, crate::store::StoreError> {
    let Some(p) = travelling else {
        return Ok(false);
    };
    let code = code_of(&p.carrier);
    store::insert_pending(
        c,
        &NewSubscription {
            store_id,
            order_id: p.order_id,
            shipment_id: p.id,
            provider,
            number: p.tracking_number.trim(),
            carrier_code: code.as_deref(),
        },
        stamp,
    )?;
    Ok(true)
}

fn parcel(row: &SubscriptionRow) -> Parcel {
    Parcel {
        number: row.number.clone(),
        carrier_code: row.carrier_code.clone(),
    }
}

/// Registers the store's pending subscriptions, a batch at a time, until this job's own
/// parcel is no longer pending.
async fn register_pending(
    db: &Db,
    feeds: &Feeds,
    job: &Job,
    adapter: &Account,
) -> anyhow::Result<Registering> {
    let provider = adapter.provider();
    let limit = adapter.batch_limit();
    loop {
        // One registration at a time per account: the quota left is read and spent
        // under this turn.
        let _turn = adapter.registering.lock().await;
        let store_id = job.store_id.clone();
        let now = Timestamp::now();
        let month = usage::month(now);
        let (mut batch, used) = db
            .read(move |c| {
                Ok((
                    store::pending(c, &store_id, provider, limit)?,
                    usage::used(c, &store_id, provider, &month)?,
                ))
            })
            .await?;
        if batch.is_empty() {
            return Ok(Registering::Done);
        }
        if let Some(quota) = adapter.monthly_quota {
            let left = u64::from(quota).saturating_sub(used.registrations);
            if left == 0 {
                let renews_at = usage::resets_at(now);
                let why = format!(
                    "the monthly quota is used up ({} of {quota} registrations); registered when it renews on {}",
                    used.registrations,
                    time::seconds(renews_at)
                );
                let store_id = job.store_id.clone();
                let noted = db
                    .writer()
                    .write(move |c| {
                        store::note_pending(c, &store_id, provider, &why, &time::millis(now))
                    })
                    .await?;
                if noted > 0 {
                    tracing::warn!(store = %job.store_id, provider = provider.as_str(), quota, "the tracking provider's monthly quota is used up; new parcels wait");
                }
                return Ok(Registering::QuotaUsedUp { renews_at });
            }
            batch.truncate(usize::try_from(left).unwrap_or(usize::MAX));
        }
        let parcels: Vec<Parcel> = batch.iter().map(parcel).collect();
        let answer = adapter.subscribe(&parcels).await;
        let mine = batch.iter().any(|s| s.shipment_id.get() == job.subject);
        let first_look = time::millis(
            Timestamp::now()
                + SignedDuration::try_from(feeds.settings.poll_interval)
                    .unwrap_or(SignedDuration::from_hours(1)),
        );
        match answer {
            Err(error) => {
                let text = error.to_string();
                db.writer()
                    .write(move |c| {
                        let stamp = time::millis(Timestamp::now());
                        for s in &batch {
                            store::failed(c, s.id, &text, None, &stamp)?;
                        }
                        Ok(())
                    })
                    .await?;
                return Err(anyhow::Error::new(error)
                    .context(format!("registering {} numbers", parcels.len())));
            }
            Ok(answers) => {
                let count = batch.len();
                let unanswered = db
                    .writer()
                    .write(move |c| {
                        let stamp = time::millis(Timestamp::now());
                        let mut unanswered = 0;
                        let mut accepted = Vec::new();
                        for s in &batch {
                            let key = number_key(&s.number);
                            match answers.iter().find(|(n, _)| number_key(n) == key) {
                                Some((_, Registered::Accepted { carrier_code })) => {
                                    store::registered(
                                        c,
                                        s.id,
                                        carrier_code.as_deref(),
                                        &first_look,
                                        &stamp,
                                    )?;
                                    accepted.push(s.clone());
                                }
                                Some((_, Registered::AlreadyTracked)) => {
                                    store::registered(c, s.id, None, &first_look, &stamp)?;
                                    accepted.push(s.clone());
                                }
                                Some((_, Registered::Rejected { code, message })) => {
                                    store::set_state(
                                        c,
                                        s.id,
                                        FeedState::Rejected,
                                        Some(&format!("refused ({code}): {message}")),
                                        &stamp,
                                    )?;
                                }
                                None => {
                                    store::failed(
                                        c,
                                        s.id,
                                        "not in the provider's answer",
                                        None,
                                        &stamp,
                                    )?;
                                    unanswered += 1;
                                }
                            }
                        }
                        Ok((unanswered, accepted))
                    })
                    .await?;
                let (unanswered, accepted) = unanswered;
                register_webhooks(db, adapter, &accepted).await?;
                tracing::info!(store = %job.store_id, numbers = count, unanswered, "registered parcels with the tracking provider");
                if unanswered > 0 {
                    anyhow::bail!("{unanswered} numbers were missing from the provider's answer");
                }
                if mine {
                    return Ok(Registering::Done);
                }
            }
        }
    }
}
