//! The daily staff digest: once a day per store, at `digest_hour` in the shop's zone, one
//! message to the shop listing late and exception parcels (open delay alerts), returns
//! waiting for the shop and messages that failed since the previous digest. Nothing to
//! report: no digest (recorded as skipped). At most one per store and local day (the
//! dedupe key names the date), sent through the store's channel like other messages.
//!
//! The `staff_digest` job carries the schedule: [`schedule`] puts it on the next hour at
//! start, and each run defers it to the next day's hour. The job's due time names the
//! day, so what it does is a pure function of that time and the clock ([`plan`]).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rusqlite::Connection;
use serde_json::{Value, json};

use super::Notifier;
use super::model::{Channel, MessageType, State};
use super::store::{self, MessageRow, NewMessage};
use crate::ids::{MessageId, OrderId, ReturnId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome};
use crate::store::StoreError;
use crate::time::{self, Stamp};
use crate::tracking::i18n::Lang;

#[derive(Debug, Clone)]
pub struct OpenAlert {
    pub order_id: OrderId,
    /// 0: the order as a whole.
    pub shipment_id: u64,
    pub code: String,
    pub raised_at: String,
}

#[derive(Debug, Clone)]
pub struct WaitingReturn {
    pub id: ReturnId,
    pub order_id: OrderId,
    /// `requested` (to approve) or `received` (to refund, exchange or credit).
    pub status: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub alerts: Vec<OpenAlert>,
    pub returns: Vec<WaitingReturn>,
    pub failed: Vec<MessageRow>,
    /// Survey answers flagged for follow-up (NPS 0-6, CSAT 1-2) since the last digest.
    pub unhappy: Vec<crate::surveys::store::SurveyRow>,
}

/// The store's open delay alerts, returns waiting for action, and messages failed since
/// `since`.
pub fn gather(conn: &Connection, store_id: &StoreId, since: &Stamp) -> Result<Digest, StoreError> {
    let alerts = conn
        .prepare_cached(
            "SELECT order_id, shipment_id, code, raised_at FROM delay_alerts
             WHERE store_id = ?1 AND resolved_at IS NULL ORDER BY raised_at",
        )?
        .query_map([store_id], |r| {
            Ok(OpenAlert {
                order_id: r.get(0)?,
                shipment_id: r.get::<_, i64>(1)? as u64,
                code: r.get(2)?,
                raised_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let returns = conn
        .prepare_cached(
            "SELECT id, order_id, status, updated_at FROM returns
             WHERE store_id = ?1 AND status IN ('requested', 'received') ORDER BY updated_at",
        )?
        .query_map([store_id], |r| {
            Ok(WaitingReturn {
                id: r.get(0)?,
                order_id: r.get(1)?,
                status: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Digest {
        alerts,
        returns,
        failed: store::failed_since(conn, store_id, since)?,
        unhappy: crate::surveys::store::unhappy_since(conn, store_id, since)?,
    })
}

/// Where a store's digest job stands at `at` (its due time), `now` being the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Too early (or a newer day's digest is already due): look again at this moment.
    Wait(Timestamp),
    /// Make the digest of this local day, then come back at `next`.
    Digest { date: Date, next: Timestamp },
}

/// `hour` o'clock on `date` in `zone`. A day whose hour falls in a DST gap takes the
/// moment after the gap; an hour that happens twice, the first.
pub fn slot(date: Date, hour: i8, zone: &TimeZone) -> Timestamp {
    let at = date.to_datetime(jiff::civil::Time::new(hour, 0, 0, 0).unwrap_or_default());
    match at.to_zoned(zone.clone()) {
        Ok(z) => z.timestamp(),
        Err(_) => at
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or_default(),
    }
}

/// The first digest moment strictly after `t`.
pub fn next_after(t: Timestamp, hour: i8, zone: &TimeZone) -> Timestamp {
    let today = time::local_date(t, zone);
    let s = slot(today, hour, zone);
    if s > t {
        return s;
    }
    let mut day = today;
    // The next day's slot; a day later still should the zone's rules make it equal.
    loop {
        day = day.tomorrow().unwrap_or(day);
        let s = slot(day, hour, zone);
        if s > t {
            return s;
        }
    }
}

/// What the digest job does when it runs: the job's due time `at` names the day (so a job
/// made due by hand, or run a little late, digests the day it was for), the clock only
/// says whether a newer day has begun meanwhile.
pub fn plan(at: Timestamp, now: Timestamp, hour: i8, zone: &TimeZone) -> Plan {
    let date = time::local_date(at, zone);
    let own = slot(date, hour, zone);
    if at < own {
        return Plan::Wait(own);
    }
    let next = next_after(at, hour, zone);
    if next <= now {
        // Down past the next day's hour: that day's digest replaces this stale one.
        return Plan::Wait(now);
    }
    Plan::Digest { date, next }
}

/// Puts each store's digest job on its next hour (at start; a changed hour moves the
/// waiting job). A job already due stays due.
pub fn schedule(
    conn: &Connection,
    store_id: &StoreId,
    hour: Option<i8>,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(hour) = hour else {
        // Switched off: the waiting job finds it so when it runs and ends.
        return Ok(());
    };
    let next = time::millis(next_after(now, hour, zone));
    let stamp = time::millis(now);
    jobs::store::enqueue_at(
        conn,
        store_id,
        JobKind::StaffDigest,
        OrderId::new(0),
        0,
        &next,
        &stamp,
    )?;
    conn.prepare_cached(
        "UPDATE jobs SET run_after = ?2
         WHERE store_id = ?1 AND kind = 'staff_digest' AND done_at IS NULL AND run_after > ?3",
    )?
    .execute((store_id, &next, &stamp))?;
    Ok(())
}

/// Schedules every store's digest (see [`schedule`]).
pub async fn schedule_all(n: &Notifier, stores: &[StoreId]) -> Result<(), StoreError> {
    let n = n.clone();
    let stores = stores.to_vec();
    n.db.clone()
        .writer()
        .write(move |c| {
            let now = Timestamp::now();
            for store in &stores {
                let zone = n.zones.zone(c, store).tz;
                schedule(c, store, n.settings.store(store).digest_hour, &zone, now)?;
            }
            Ok(())
        })
        .await
}

/// The `staff_digest` job: at the store's hour, decide the day's digest, then wait for
/// the next day's hour.
pub async fn run(n: &Notifier, job: &Job) -> Outcome {
    let Some(hour) = n.settings.store(&job.store_id).digest_hour else {
        return Outcome::Done;
    };
    let now = Timestamp::now();
    let at = time::parse(&job.run_after).unwrap_or(now);
    let (n2, store) = (n.clone(), job.store_id.clone());
    let result =
        n.db.writer()
            .write(move |c| {
                let zone = n2.zones.zone(c, &store).tz;
                match plan(at, now, hour, &zone) {
                    Plan::Wait(until) => Ok((None, until)),
                    Plan::Digest { date, next } => {
                        let decided = decide(c, &n2, &store, date, now)?;
                        Ok((Some(decided), next))
                    }
                }
            })
            .await;
    match result {
        Ok((decided, until)) => {
            if let Some(Some((id, state))) = decided {
                tracing::info!(store = %job.store_id, message = %id, %state, "staff digest decided");
            }
            Outcome::Defer(until.duration_since(now).unsigned_abs())
        }
        Err(e) => Outcome::Retry(e.into()),
    }
}

/// `digest:<local date>`: one digest per store and day, whoever it goes to.
pub fn dedupe_key(date: Date) -> String {
    format!("digest:{date}")
}

/// Records the day's digest (or why there is none); `None` when it was decided before.
fn decide(
    conn: &Connection,
    n: &Notifier,
    store_id: &StoreId,
    date: Date,
    now: Timestamp,
) -> Result<Option<(MessageId, State)>, StoreError> {
    use rusqlite::OptionalExtension as _;
    let key = dedupe_key(date);
    let done = conn
        .prepare_cached(
            "SELECT 1 FROM messages WHERE store_id = ?1 AND type = 'staff_digest' AND dedupe_key = ?2",
        )?
        .query_row((store_id, &key), |_| Ok(()))
        .optional()?
        .is_some();
    if done {
        return Ok(None);
    }
    // Failed since the previous digest (or the last day, before the first one).
    let previous: Option<String> = conn
        .prepare_cached(
            "SELECT max(created_at) FROM messages WHERE store_id = ?1 AND type = 'staff_digest'",
        )?
        .query_row([store_id], |r| r.get(0))?;
    let since = previous
        .and_then(|p| time::parse(&p))
        .unwrap_or(now - jiff::SignedDuration::from_hours(24));
    let found = gather(conn, store_id, &time::millis(since))?;
    let own = n.settings.store(store_id);
    let profile = crate::shop::store::load(conn, store_id)?;
    let recipient = own
        .staff_email
        .clone()
        .or_else(|| profile.as_ref().and_then(|p| p.profile.email.clone()))
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let front = crate::shop::storefront(crate::shop::store::storefront(conn, store_id)?, &n.seller);
    let branding = n.tracking.branding(store_id);
    let shop = crate::shop::Storefront {
        name: branding.store_name.clone().or(front.name),
        url: front.url,
        logo_url: branding.logo_url.clone().or(front.logo_url),
    };
    let lang = profile
        .as_ref()
        .and_then(|p| p.profile.locale.as_deref())
        .and_then(Lang::from_tag)
        .unwrap_or(n.tracking.language(store_id));
    let data = data(conn, store_id, &found, &shop, date)?;
    let (state, reason) = if found.is_empty() {
        (State::Skipped, "nothing to report".to_owned())
    } else if recipient.is_empty() {
        (
            State::Skipped,
            "no staff address: set the shop's email or [notify] staff_email".to_owned(),
        )
    } else if own.channel == Channel::None {
        (
            State::Skipped,
            "no channel: notifications are switched off".to_owned(),
        )
    } else {
        (State::Pending, format!("to send by {}", own.channel))
    };
    let stamp = time::millis(now);
    let Some(id) = store::insert(
        conn,
        &NewMessage {
            store_id,
            order_id: OrderId::new(0),
            kind: MessageType::StaffDigest,
            recipient: &recipient,
            locale: super::data::locale(lang),
            dedupe_key: &key,
            channel: own.channel,
            state,
            due_at: stamp.as_str(),
            reason: &reason,
            data: &data.to_string(),
            now: &stamp,
        },
    )?
    else {
        return Ok(None);
    };
    if own.channel == Channel::Smtp && state == State::Pending {
        jobs::store::enqueue_at(
            conn,
            store_id,
            JobKind::SendMessage,
            OrderId::new(0),
            id.get(),
            &stamp,
            &stamp,
        )?;
    }
    Ok(Some((id, state)))
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty()
            && self.returns.is_empty()
            && self.failed.is_empty()
            && self.unhappy.is_empty()
    }
}

/// The wp-admin screen of an order (WooCommerce sends the legacy address on to the HPOS
/// screen when HPOS is on).
fn admin_url(shop_url: Option<&str>, order_id: OrderId) -> Option<String> {
    let base = shop_url?.trim_end_matches('/');
    (base.starts_with("https://") || base.starts_with("http://"))
        .then(|| format!("{base}/wp-admin/post.php?post={order_id}&action=edit"))
}

/// The digest's message data (docs/notifications.md, "The staff digest").
fn data(
    conn: &Connection,
    store_id: &StoreId,
    d: &Digest,
    shop: &crate::shop::Storefront,
    date: Date,
) -> Result<Value, StoreError> {
    use rusqlite::OptionalExtension as _;
    let mut numbers = std::collections::HashMap::new();
    let mut number = |order_id: OrderId| -> Result<String, StoreError> {
        if let Some(n) = numbers.get(&order_id) {
            return Ok(String::clone(n));
        }
        let found: Option<String> = conn
            .prepare_cached("SELECT number FROM orders WHERE store_id = ?1 AND order_id = ?2")?
            .query_row((store_id, order_id), |r| r.get(0))
            .optional()?;
        let n = found.unwrap_or_else(|| order_id.to_string());
        numbers.insert(order_id, n.clone());
        Ok(n)
    };
    let url = shop.url.as_deref();
    let mut late = Vec::new();
    for a in &d.alerts {
        late.push(json!({
            "order_id": a.order_id.get(),
            "order_number": number(a.order_id)?,
            "parcel_id": (a.shipment_id != 0)
                .then(|| super::data::parcel_ref(crate::ids::ShipmentId::new(a.shipment_id))),
            "code": a.code,
            "raised_at": a.raised_at,
            "admin_url": admin_url(url, a.order_id),
        }));
    }
    let mut returns = Vec::new();
    for r in &d.returns {
        returns.push(json!({
            "id": super::data::return_ref(r.id),
            "order_id": r.order_id.get(),
            "order_number": number(r.order_id)?,
            "status": r.status,
            "updated_at": r.updated_at,
            "admin_url": admin_url(url, r.order_id),
        }));
    }
    let mut failed = Vec::new();
    for m in &d.failed {
        let order = (m.order_id.get() != 0).then_some(m.order_id);
        failed.push(json!({
            "id": m.id.to_string(),
            "type": m.kind.as_str(),
            "order_id": m.order_id.get(),
            "order_number": order.map(&mut number).transpose()?,
            "reason": m.reason,
            "failed_at": m.updated_at,
            "admin_url": order.and_then(|o| admin_url(url, o)),
        }));
    }
    let mut surveys = Vec::new();
    for s in &d.unhappy {
        let score = s.score.unwrap_or_default();
        surveys.push(json!({
            "id": s.id.to_string(),
            "order_id": s.order_id.get(),
            "order_number": number(s.order_id)?,
            "kind": s.kind,
            "source": s.source,
            "score": score,
            "group": s.kind.group(score),
            "topic": s.topic,
            "comment": s.comment,
            "answered_at": s.changed_at,
            "admin_url": admin_url(url, s.order_id),
        }));
    }
    Ok(json!({
        "date": date.to_string(),
        "shop": {"name": shop.name, "url": shop.url, "logo_url": shop.logo_url},
        "late": late,
        "returns": returns,
        "failed": failed,
        "surveys": surveys,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn the_hour_is_the_shops_in_seoul_without_daylight_saving() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        // 08:00 in Seoul is 23:00 UTC the day before, winter and summer alike.
        assert_eq!(
            slot(day("2026-12-04"), 8, &seoul),
            ts("2026-12-03T23:00:00Z")
        );
        assert_eq!(
            slot(day("2026-07-04"), 8, &seoul),
            ts("2026-07-03T23:00:00Z")
        );
        // 02:00 in Seoul (17:00 UTC): the next is the same evening in UTC.
        assert_eq!(
            next_after(ts("2026-12-03T17:00:00Z"), 8, &seoul),
            ts("2026-12-03T23:00:00Z")
        );
        // At the hour itself, the next is a day later.
        assert_eq!(
            next_after(ts("2026-12-03T23:00:00Z"), 8, &seoul),
            ts("2026-12-04T23:00:00Z")
        );
        // Due at the hour (or a little after): the digest of that Seoul day.
        assert_eq!(
            plan(
                ts("2026-12-03T23:00:00Z"),
                ts("2026-12-03T23:00:05Z"),
                8,
                &seoul
            ),
            Plan::Digest {
                date: day("2026-12-04"),
                next: ts("2026-12-04T23:00:00Z")
            }
        );
        assert_eq!(
            plan(
                ts("2026-12-04T05:00:00Z"),
                ts("2026-12-04T05:00:00Z"),
                8,
                &seoul
            ),
            Plan::Digest {
                date: day("2026-12-04"),
                next: ts("2026-12-04T23:00:00Z")
            },
            "14:00 the same day: the same day's digest (deduplicated by date)"
        );
        // Before the hour: wait for it.
        assert_eq!(
            plan(
                ts("2026-12-03T22:00:00Z"),
                ts("2026-12-03T22:00:00Z"),
                8,
                &seoul
            ),
            Plan::Wait(ts("2026-12-03T23:00:00Z"))
        );
        // Down past the next day's hour: that day's digest, not the stale one.
        assert_eq!(
            plan(
                ts("2026-12-03T23:00:00Z"),
                ts("2026-12-05T01:00:00Z"),
                8,
                &seoul
            ),
            Plan::Wait(ts("2026-12-05T01:00:00Z"))
        );
    }

    #[test]
    fn the_hour_follows_daylight_saving_in_new_york() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // 08:00 is 13:00 UTC in winter, 12:00 UTC in summer.
        assert_eq!(slot(day("2026-03-07"), 8, &ny), ts("2026-03-07T13:00:00Z"));
        assert_eq!(slot(day("2026-03-08"), 8, &ny), ts("2026-03-08T12:00:00Z"));
        assert_eq!(slot(day("2026-11-01"), 8, &ny), ts("2026-11-01T13:00:00Z"));
        // Across the spring change the next digest is 23 hours later, in autumn 25.
        assert_eq!(
            next_after(ts("2026-03-07T13:00:00Z"), 8, &ny),
            ts("2026-03-08T12:00:00Z")
        );
        assert_eq!(
            next_after(ts("2026-10-31T12:00:00Z"), 8, &ny),
            ts("2026-11-01T13:00:00Z")
        );
        // 02:00 does not exist on 8 March: the moment after the gap (03:00 EDT).
        assert_eq!(slot(day("2026-03-08"), 2, &ny), ts("2026-03-08T07:00:00Z"));
        // 01:00 happens twice on 1 November: the first.
        assert_eq!(slot(day("2026-11-01"), 1, &ny), ts("2026-11-01T05:00:00Z"));
        // The job due at 12:00 UTC on 8 March digests that New York day.
        assert_eq!(
            plan(
                ts("2026-03-08T12:00:00Z"),
                ts("2026-03-08T12:00:01Z"),
                8,
                &ny
            ),
            Plan::Digest {
                date: day("2026-03-08"),
                next: ts("2026-03-09T12:00:00Z")
            }
        );
    }

    #[test]
    fn schedule_puts_the_job_on_the_next_hour_and_moves_a_waiting_one() {
        let conn = crate::store::in_memory();
        let store = StoreId::default_store();
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let run_after = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT run_after FROM jobs WHERE kind = 'staff_digest' AND done_at IS NULL")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let now = ts("2026-12-03T17:00:00Z");
        schedule(&conn, &store, Some(8), &seoul, now).unwrap();
        schedule(&conn, &store, Some(8), &seoul, now).unwrap();
        assert_eq!(run_after(&conn), ["2026-12-03T23:00:00.000Z"]);
        // The hour changed: the waiting job moves.
        schedule(&conn, &store, Some(9), &seoul, now).unwrap();
        assert_eq!(run_after(&conn), ["2026-12-04T00:00:00.000Z"]);
        // A job already due stays due.
        let later = ts("2026-12-04T01:00:00Z");
        schedule(&conn, &store, Some(8), &seoul, later).unwrap();
        assert_eq!(run_after(&conn), ["2026-12-04T00:00:00.000Z"]);
    }
}
