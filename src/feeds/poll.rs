//! Polling, the safety net under the pushes: a background loop that asks each store's
//! provider about the parcels whose next poll is due (a batch per request), applies the
//! answers like pushes, stops the subscriptions whose tracking is over, and backs off on
//! 429 and errors. At start it also has every travelling parcel that was never followed
//! (mirrored before the store had a feed) followed, and wakes the follow jobs that wait for
//! the month's quota (the restart may have raised it). Every few minutes it renews the
//! Delivery Tracker callbacks that end within a day.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;

use super::FeedSettings;
use super::Feeds;
use super::adapter::{FeedError, FeedState, Parcel, TrackingFeed};
use super::apply;
use super::schedule::{self, Next};
use super::store::{self, Due, SubscriptionRow};
use crate::ids::StoreId;
use crate::jobs::{self, JobKind};
use crate::store::{Db, StoreError};
use crate::time;
use crate::tracking::TrackingSettings;
use crate::tracking::calendar::Calendar;
use crate::tracking::store::shipments;

/// Runs until `stop` turns true.
pub async fn run(db: Db, feeds: Arc<Feeds>, mut stop: watch::Receiver<bool>) {
    if feeds.stores().next().is_none() {
        return;
    }
    if let Err(error) = follow_unfollowed(&db, &feeds).await {
        tracing::error!(%error, "cannot list the parcels to follow");
    }
    if let Err(error) = show_usage(&db, &feeds).await {
        tracing::error!(%error, "cannot read the feeds' usage");
    }
    // Look for due parcels often enough to honour the shortest interval, at most every
    // 30 s: what is due is one indexed read.
    let tick =
        (feeds.settings.poll_interval / 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
    let mut callbacks_looked_at: Option<tokio::time::Instant> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        for (store_id, store_feeds) in feeds.stores() {
            for feed in store_feeds {
                if let Err(error) = poll_store(&db, &feeds, store_id, feed.provider()).await {
                    tracing::error!(store = %store_id, provider = feed.provider().as_str(), %error, "feed polling failed");
                }
            }
        }
        // Callbacks last two days; a look every few minutes renews them a day ahead (and
        // retries the ones that failed without asking again at every tick).
        if callbacks_looked_at.is_none_or(|at| at.elapsed() >= CALLBACK_LOOK) {
            callbacks_looked_at = Some(tokio::time::Instant::now());
            if let Err(error) = renew_callbacks(&db, &feeds).await {
                tracing::error!(%error, "cannot renew the Delivery Tracker callbacks");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(tick) => {}
            _ = stop.changed() => {}
        }
    }
}

/// How often the callbacks due for renewal are looked for.
const CALLBACK_LOOK: Duration = Duration::from_secs(600);
/// A callback is renewed when it has less than this left.
const RENEW_AHEAD: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Renews (or registers anew) Delivery Tracker's callbacks of the followed parcels whose
/// registration ends within a day.
pub async fn renew_callbacks(db: &Db, feeds: &Feeds) -> anyhow::Result<usize> {
    let mut renewed = 0;
    for (store_id, accounts) in feeds.stores() {
        for account in accounts.iter().filter(|a| a.callback_url.is_some()) {
            let (store, provider) = (store_id.clone(), account.provider());
            let before = time::seconds(Timestamp::now() + RENEW_AHEAD);
            let due = db
                .read(move |c| store::webhooks_due(c, &store, provider, &before, 500))
                .await?;
            renewed += super::follow::register_webhooks(db, account, &due).await?;
        }
    }
    Ok(renewed)
}

/// Puts each account's use this month in the metrics (they count on from there).
async fn show_usage(db: &Db, feeds: &Feeds) -> Result<(), StoreError> {
    let month = super::usage::month(Timestamp::now());
    for (store_id, accounts) in feeds.stores() {
        for account in accounts {
            let (store, provider, month) = (store_id.clone(), account.provider(), month.clone());
            let used = db
                .read(move |c| super::usage::used(c, &store, provider, &month))
                .await?;
            feeds.metrics.feed_quota(
                store_id,
                provider.as_str(),
                account.billed(used),
                account.monthly_quota.map(u64::from),
            );
        }
    }
    Ok(())
}

async fn follow_unfollowed(db: &Db, feeds: &Feeds) -> Result<(), StoreError> {
    for (store_id, _) in feeds.stores() {
        let store_id = store_id.clone();
        db.writer()
            .write(move |c| {
                let now = time::millis(Timestamp::now());
                // Parcels waiting for a quota that a restart may have raised look again now.
                jobs::store::wake(c, &store_id, &[JobKind::FollowParcel], &now)?;
                for (order_id, shipment_id) in shipments::travelling(c, &store_id)? {
                    if store::ever_followed(c, shipment_id)? {
                        continue;
                    }
                    jobs::enqueue(
                        c,
                        &store_id,
                        JobKind::FollowParcel,
                        order_id,
                        shipment_id.get(),
                        &now,
                    )?;
                }
                Ok(())
            })
            .await?;
    }
    Ok(())
}

/// Polls the store's due parcels of `provider`, a batch at a time; stops at the first
/// refusal.
pub async fn poll_store(
    db: &Db,
    feeds: &Feeds,
    store_id: &StoreId,
    provider: super::Provider,
) -> Result<usize, StoreError> {
    let Some(adapter) = feeds.feed(store_id, provider).cloned() else {
        return Ok(0);
    };
    let provider = adapter.provider();
    let limit = adapter.batch_limit();
    let zone = feeds.zones.zone_of(db, store_id).await?.tz;
    let mut polled = 0;
    // Bounded: a batch whose rows stay due (a failure) ends the pass.
    for _ in 0..100 {
        let now = Timestamp::now();
        let stamp = time::millis(now);
        let store = store_id.clone();
        let due = db
            .read(move |c| store::due(c, &store, provider, &stamp, limit))
            .await?;
        if due.is_empty() {
            return Ok(polled);
        }
        let (to_stop, to_fetch) = split(feeds, &zone, due, now);
        if !to_stop.is_empty() {
            let parcels: Vec<Parcel> = to_stop.iter().map(parcel).collect();
            match adapter.stop(&parcels).await {
                Ok(()) => {
                    db.writer()
                        .write(move |c| {
                            let stamp = time::millis(Timestamp::now());
                            for s in &to_stop {
                                store::set_state(c, s.id, FeedState::Stopped, None, &stamp)?;
                            }
                            Ok(())
                        })
                        .await?;
                }
                Err(error) => {
                    back_off(db, feeds, to_stop, &error).await?;
                    return Ok(polled);
                }
            }
        }
        if to_fetch.is_empty() {
            continue;
        }
        let parcels: Vec<Parcel> = to_fetch.iter().map(parcel).collect();
        match adapter.fetch(&parcels, &zone).await {
            Ok(snapshots) => {
                polled += to_fetch.len();
                let feeds_settings = feeds.settings.clone();
                let tracking = feeds.tracking.clone();
                let zone = zone.clone();
                let new_times = db
                    .writer()
                    .write(move |c| {
                        let now = Timestamp::now();
                        let mut new_times = Vec::new();
                        let rules = apply::Rules {
                            feeds: &feeds_settings,
                            tracking: &tracking,
                            zone: &zone,
                        };
                        for sub in &to_fetch {
                            let key = crate::tracking::meta::number_key(&sub.number);
                            let snap = snapshots
                                .iter()
                                .find(|s| crate::tracking::meta::number_key(&s.number) == key);
                            match snap {
                                Some(snap) => {
                                    new_times.extend(apply::snapshot(c, sub, snap, rules, now)?);
                                }
                                // Not tracked there (any more): looked at, nothing new.
                                None => {
                                    let snap = super::Snapshot {
                                        number: sub.number.clone(),
                                        carrier_code: None,
                                        events: Vec::new(),
                                        eta: None,
                                        state: None,
                                    };
                                    apply::snapshot(c, sub, &snap, rules, now)?;
                                }
                            }
                        }
                        Ok(new_times)
                    })
                    .await?;
                let arrived = Timestamp::now();
                for at in new_times {
                    let lag = arrived.duration_since(at).as_secs_f64();
                    feeds.metrics.feed_event_lag(provider.as_str(), "poll", lag);
                }
            }
            Err(error) => {
                back_off(db, feeds, to_fetch, &error).await?;
                return Ok(polled);
            }
        }
    }
    Ok(polled)
}

/// Which of the due subscriptions are over (to stop) and which to ask about.
fn split(
    feeds: &Feeds,
    zone: &jiff::tz::TimeZone,
    due: Vec<Due>,
    now: Timestamp,
) -> (Vec<SubscriptionRow>, Vec<SubscriptionRow>) {
    let cal = feeds.tracking.calendar(zone);
    let mut stop = Vec::new();
    let mut fetch = Vec::new();
    for d in due {
        if over(&d, &feeds.settings, &feeds.tracking, &cal, now) {
            stop.push(d.sub);
        } else {
            fetch.push(d.sub);
        }
    }
    (stop, fetch)
}

/// Whether a due subscription's tracking is over: its parcel is gone, or the schedule
/// says stop. `cal` is the store's calendar.
pub fn over(
    due: &Due,
    settings: &FeedSettings,
    tracking: &TrackingSettings,
    cal: &Calendar,
    now: Timestamp,
) -> bool {
    match &due.parcel {
        // Gone: its follow job stops it; meanwhile it is not polled.
        None => true,
        Some(p) if p.removed_at.is_some() => true,
        Some(p) => {
            schedule::next(
                due.sub.state(),
                &apply::due_parcel_now(p, tracking, cal),
                now,
                apply::end_of_today(cal, now),
                settings.poll_interval,
                settings.stop_after_delivery,
            ) == Next::Stop
        }
    }
}

/// A refused or failed request: each row waits longer, as the schedule's backoff says.
async fn back_off(
    db: &Db,
    feeds: &Feeds,
    rows: Vec<SubscriptionRow>,
    error: &FeedError,
) -> Result<(), StoreError> {
    let retry_after = match error {
        FeedError::RateLimited { retry_after } => *retry_after,
        _ => None,
    };
    tracing::warn!(store = %rows[0].store_id, parcels = rows.len(), %error, "tracking provider request failed; backing off");
    let text = error.to_string();
    let shortest = feeds.settings.poll_interval;
    db.writer()
        .write(move |c| {
            let now = Timestamp::now();
            let stamp = time::millis(now);
            for s in &rows {
                let at = schedule::backoff(now, shortest, (s.failures + 1) as u32, retry_after);
                store::failed(c, s.id, &text, Some(&time::millis(at)), &stamp)?;
            }
            Ok(())
        })
        .await
}

fn parcel(row: &SubscriptionRow) -> Parcel {
    Parcel {
        number: row.number.clone(),
        carrier_code: row.carrier_code.clone(),
    }
}
