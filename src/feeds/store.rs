//! The `feed_subscriptions` table: which parcel is followed by which provider under which
//! number, where that stands, and when to poll it next. One open row per parcel; stopped
//! rows stay as the record of what was followed.

use rusqlite::{Connection, OptionalExtension, Row};

use super::adapter::{FeedState, Provider};
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;
use crate::tracking::meta::number_key;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub id: i64,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub shipment_id: ShipmentId,
    pub provider: String,
    /// As registered with the provider.
    pub number: String,
    pub carrier_code: Option<String>,
    pub state: String,
    pub next_poll_at: Option<String>,
    pub failures: i64,
    pub last_error: Option<String>,
    pub last_checked_at: Option<String>,
    pub last_event_at: Option<String>,
    /// Since when the provider has answered "not found" or "expired" with nothing newer.
    pub silent_since: Option<String>,
    /// Until when Delivery Tracker calls back about the parcel.
    pub webhook_expires_at: Option<String>,
}

impl SubscriptionRow {
    pub fn state(&self) -> FeedState {
        FeedState::parse(&self.state).unwrap_or(FeedState::Pending)
    }
}

const COLUMNS: &str = "id, store_id, order_id, shipment_id, provider, number, carrier_code,
    state, next_poll_at, failures, last_error, last_checked_at, last_event_at, silent_since,
    webhook_expires_at";

fn row(r: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok(SubscriptionRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        order_id: r.get(2)?,
        shipment_id: r.get(3)?,
        provider: r.get(4)?,
        number: r.get(5)?,
        carrier_code: r.get(6)?,
        state: r.get(7)?,
        next_poll_at: r.get(8)?,
        failures: r.get(9)?,
        last_error: r.get(10)?,
        last_checked_at: r.get(11)?,
        last_event_at: r.get(12)?,
        silent_since: r.get(13)?,
        webhook_expires_at: r.get(14)?,
    })
}

/// The parcel's open (not stopped) subscription.
pub fn open_for_shipment(
    conn: &Connection,
    shipment_id: ShipmentId,
) -> Result<Option<SubscriptionRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM feed_subscriptions
             WHERE shipment_id = ?1 AND state != 'stopped'"
        ))?
        .query_row([shipment_id], row)
        .optional()?)
}

const EVER_FOLLOWED: &str = "SELECT 1 FROM feed_subscriptions WHERE shipment_id = ?1 LIMIT 1";
const FOLLOWED_AS: &str =
    "SELECT 1 FROM feed_subscriptions WHERE shipment_id = ?1 AND number_key = ?2 LIMIT 1";

/// Whether the parcel was ever followed (open or stopped).
pub fn ever_followed(conn: &Connection, shipment_id: ShipmentId) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(EVER_FOLLOWED)?
        .query_row([shipment_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether the parcel was ever followed under this number (open or stopped).
pub fn followed_as(
    conn: &Connection,
    shipment_id: ShipmentId,
    number: &str,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(FOLLOWED_AS)?
        .query_row((shipment_id, number_key(number)), |_| Ok(()))
        .optional()?
        .is_some())
}

pub struct NewSubscription<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub shipment_id: ShipmentId,
    pub provider: Provider,
    pub number: &'a str,
    pub carrier_code: Option<&'a str>,
}

/// A subscription waiting to be registered.
pub fn insert_pending(
    conn: &Connection,
    new: &NewSubscription<'_>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO feed_subscriptions (store_id, order_id, shipment_id, provider, number,
            number_key, carrier_code, state, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)",
    )?
    .execute(rusqlite::params![
        new.store_id,
        new.order_id,
        new.shipment_id,
        new.provider.as_str(),
        new.number,
        number_key(new.number),
        new.carrier_code,
        now
    ])?;
    Ok(())
}

/// The store's oldest pending subscriptions of `provider`, at most `limit`.
pub fn pending(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    limit: usize,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feed_subscriptions
         WHERE store_id = ?1 AND provider = ?2 AND state = 'pending'
         ORDER BY id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            rusqlite::params![store_id, provider.as_str(), limit as i64],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The provider accepted the number: followed, first looked at `next_poll_at`.
pub fn registered(
    conn: &Connection,
    id: i64,
    carrier_code: Option<&str>,
    next_poll_at: &str,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE feed_subscriptions SET state = 'subscribed', carrier_code = COALESCE(?2, carrier_code),
            next_poll_at = ?3, failures = 0, last_error = NULL, updated_at = ?4
         WHERE id = ?1 AND state = 'pending'",
    )?
    .execute(rusqlite::params![id, carrier_code, next_poll_at, now])?;
    Ok(())
}

/// Sets the state, and the error that led there (None clears it). Stopped and stale rows
/// are no longer polled.
pub fn set_state(
    conn: &Connection,
    id: i64,
    state: FeedState,
    error: Option<&str>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE feed_subscriptions SET state = ?2, last_error = ?3, updated_at = ?4,
            next_poll_at = CASE WHEN ?2 IN ('subscribed', 'awaiting_carrier') THEN next_poll_at END
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, state.as_str(), error, now])?;
    Ok(())
}

/// A failed provider request about this row: counted, kept, and polled again at `next`
/// (None: left to the outbox's retry).
pub fn failed(
    conn: &Connection,
    id: i64,
    error: &str,
    next_poll_at: Option<&str>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE feed_subscriptions SET failures = failures + 1, last_error = ?2,
            next_poll_at = COALESCE(?3, next_poll_at), updated_at = ?4
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, error, next_poll_at, now])?;
    Ok(())
}

/// Brings a live row's next poll forward to `at` (never later than it already was).
pub fn poll_soon(conn: &Connection, id: i64, at: &Stamp, now: &Stamp) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE feed_subscriptions SET next_poll_at = ?2, updated_at = ?3
             WHERE id = ?1 AND state IN ('subscribed', 'awaiting_carrier')
               AND (next_poll_at IS NULL OR next_poll_at > ?2)",
        )?
        .execute(rusqlite::params![id, at, now])?;
    Ok(changed > 0)
}

/// What a push or a poll said: the state, the carrier code, the newest event, when the
/// feed last heard of the parcel, and when to poll next.
pub struct Checked<'a> {
    pub state: FeedState,
    pub carrier_code: Option<&'a str>,
    pub last_event_at: Option<&'a str>,
    pub next_poll_at: Option<&'a str>,
}

pub fn checked(conn: &Connection, id: i64, c: &Checked<'_>, now: &Stamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE feed_subscriptions SET state = ?2, carrier_code = COALESCE(?3, carrier_code),
            last_event_at = CASE WHEN last_event_at IS NULL OR ?4 > last_event_at
                                 THEN ?4 ELSE last_event_at END,
            next_poll_at = ?5, failures = 0, last_error = NULL, last_checked_at = ?6,
            updated_at = ?6
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        c.state.as_str(),
        c.carrier_code,
        c.last_event_at,
        c.next_poll_at,
        now
    ])?;
    Ok(())
}

/// The open subscriptions of a number, however the provider writes it (case, spaces); a
/// number may be in several orders of a store.
pub fn by_number(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    number: &str,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feed_subscriptions
         WHERE store_id = ?1 AND provider = ?2 AND number_key = ?3 AND state != 'stopped'
         ORDER BY id"
    ))?;
    let rows = stmt
        .query_map(
            rusqlite::params![store_id, provider.as_str(), number_key(number)],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A due subscription with what the schedule reads of its parcel (`None`: the parcel is
/// gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub sub: SubscriptionRow,
    pub parcel: Option<DueParcel>,
}

/// The parcel columns the schedule decides on (see `apply::due_parcel_now`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueParcel {
    pub carrier: String,
    pub status: String,
    pub shipped_at: Option<String>,
    pub last_event_at: Option<String>,
    pub carrier_eta: Option<String>,
    pub delivered_at: Option<String>,
    pub removed_at: Option<String>,
}

/// The store's subscriptions of `provider` due for a poll at `now`, soonest first, each
/// with its parcel read in the same statement: a pass decides thousands of them, and a
/// read per parcel cost more than the whole query.
pub fn due(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    now: &Stamp,
    limit: usize,
) -> Result<Vec<Due>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.*, s.id, s.carrier, s.status, s.shipped_at, s.last_event_at, s.carrier_eta,
             s.delivered_at, s.removed_at
         FROM (SELECT {COLUMNS} FROM feed_subscriptions
               WHERE next_poll_at <= ?3 AND store_id = ?1 AND provider = ?2
                 AND state IN ('subscribed', 'awaiting_carrier')
               ORDER BY next_poll_at, id LIMIT ?4) d
         LEFT JOIN shipments s ON s.id = d.shipment_id AND s.store_id = d.store_id
         ORDER BY d.next_poll_at, d.id"
    ))?;
    let rows = stmt
        .query_map(
            rusqlite::params![store_id, provider.as_str(), now, limit as i64],
            |r| {
                let parcel = match r.get::<_, Option<i64>>(15)? {
                    None => None,
                    Some(_) => Some(DueParcel {
                        carrier: r.get(16)?,
                        status: r.get(17)?,
                        shipped_at: r.get(18)?,
                        last_event_at: r.get(19)?,
                        carrier_eta: r.get(20)?,
                        delivered_at: r.get(21)?,
                        removed_at: r.get(22)?,
                    }),
                };
                Ok(Due {
                    sub: row(r)?,
                    parcel,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Each parcel's current subscription in an order: the open one, else the newest stopped.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feed_subscriptions
         WHERE store_id = ?1 AND order_id = ?2
         ORDER BY shipment_id, state = 'stopped', id DESC"
    ))?;
    let mut out: Vec<SubscriptionRow> = Vec::new();
    for r in stmt.query_map((store_id, order_id), row)? {
        let r = r?;
        if out.last().is_none_or(|l| l.shipment_id != r.shipment_id) {
            out.push(r);
        }
    }
    Ok(out)
}

/// Says why the store's pending subscriptions of `provider` wait (the month's quota).
pub fn note_pending(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    why: &str,
    now: &Stamp,
) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE feed_subscriptions SET last_error = ?3, updated_at = ?4
             WHERE store_id = ?1 AND provider = ?2 AND state = 'pending'
               AND last_error IS NOT ?3",
        )?
        .execute(rusqlite::params![store_id, provider.as_str(), why, now])?)
}

/// How many of the store's subscriptions of `provider` wait for registration.
pub fn pending_count(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
) -> Result<u64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM feed_subscriptions
             WHERE store_id = ?1 AND provider = ?2 AND state = 'pending'",
        )?
        .query_row((store_id, provider.as_str()), |r| r.get::<_, i64>(0))? as u64)
}

/// Since when the provider has had nothing for the parcel (`None`: it has again).
pub fn set_silent_since(conn: &Connection, id: i64, since: Option<&str>) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE feed_subscriptions SET silent_since = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, since])?;
    Ok(())
}

/// Delivery Tracker calls back about the parcel until `expires_at`.
pub fn webhook_registered(conn: &Connection, id: i64, expires_at: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE feed_subscriptions SET webhook_expires_at = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, expires_at])?;
    Ok(())
}

/// The store's live subscriptions of `provider` whose callback registration is missing
/// or ends before `before`, soonest first.
pub fn webhooks_due(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    before: &str,
    limit: usize,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM feed_subscriptions
         WHERE store_id = ?1 AND provider = ?2 AND state IN ('subscribed', 'awaiting_carrier')
           AND (webhook_expires_at IS NULL OR webhook_expires_at < ?3)
         ORDER BY webhook_expires_at IS NOT NULL, webhook_expires_at, id LIMIT ?4"
    ))?;
    let rows = stmt
        .query_map(
            rusqlite::params![store_id, provider.as_str(), before, limit as i64],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The flags a feed event carried, beside tracking's event row.
pub fn event_flags(
    conn: &Connection,
    event_id: u64,
    pickup_ready: bool,
    attempt_failed: bool,
) -> Result<(), StoreError> {
    if !pickup_ready && !attempt_failed {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO feed_event_flags (event_id, pickup_ready, attempt_failed) VALUES (?1, ?2, ?3)
         ON CONFLICT (event_id) DO NOTHING",
    )?
    .execute((event_id as i64, pickup_ready, attempt_failed))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::in_memory;

    fn new<'a>(store_id: &'a StoreId, shipment: u64, number: &'a str) -> NewSubscription<'a> {
        NewSubscription {
            store_id,
            order_id: OrderId::new(7),
            shipment_id: ShipmentId::new(shipment),
            provider: Provider::SeventeenTrack,
            number,
            carrier_code: None,
        }
    }

    #[test]
    fn one_open_row_per_parcel_found_by_any_spelling_of_its_number() {
        let conn = in_memory();
        let store = StoreId::test("s");
        let now = Stamp::test("2026-11-22T10:00:00.000Z");
        insert_pending(&conn, &new(&store, 1, "1z 999-aa1"), &now).unwrap();
        assert!(
            insert_pending(&conn, &new(&store, 1, "OTHER"), &now).is_err(),
            "a second open row for the parcel"
        );
        let open = open_for_shipment(&conn, ShipmentId::new(1))
            .unwrap()
            .unwrap();
        assert_eq!(open.state(), FeedState::Pending);
        let found = by_number(&conn, &store, Provider::SeventeenTrack, "1Z999AA1").unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            by_number(
                &conn,
                &StoreId::test("t"),
                Provider::SeventeenTrack,
                "1Z999AA1"
            )
            .unwrap()
            .is_empty(),
            "another store's number"
        );

        // Stopped, then followed under a new number: the view shows the open one.
        set_state(&conn, open.id, FeedState::Stopped, None, &now).unwrap();
        insert_pending(&conn, &new(&store, 1, "NEW1"), &now).unwrap();
        let rows = for_order(&conn, &store, OrderId::new(7)).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, "NEW1");
        assert!(ever_followed(&conn, ShipmentId::new(1)).unwrap());
        assert!(followed_as(&conn, ShipmentId::new(1), "1Z999AA1").unwrap());
        assert!(!followed_as(&conn, ShipmentId::new(1), "1Z999AA2").unwrap());
        assert!(!ever_followed(&conn, ShipmentId::new(2)).unwrap());
    }

    #[test]
    fn only_live_rows_that_are_due_are_polled_soonest_first() {
        let conn = in_memory();
        let store = StoreId::test("s");
        let now = Stamp::test("2026-11-22T10:00:00.000Z");
        for (shipment, number) in [(1, "A"), (2, "B"), (3, "C")] {
            insert_pending(&conn, &new(&store, shipment, number), &now).unwrap();
        }
        let ids: Vec<i64> = pending(&conn, &store, Provider::SeventeenTrack, 10)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        registered(
            &conn,
            ids[0],
            Some("100116"),
            "2026-11-22T10:05:00.000Z",
            &now,
        )
        .unwrap();
        registered(&conn, ids[1], None, "2026-11-22T09:00:00.000Z", &now).unwrap();
        registered(&conn, ids[2], None, "2026-11-22T09:30:00.000Z", &now).unwrap();
        set_state(&conn, ids[2], FeedState::Stale, Some("expired"), &now).unwrap();
        let due = due(&conn, &store, Provider::SeventeenTrack, &now, 10).unwrap();
        assert_eq!(
            due.iter()
                .map(|d| d.sub.number.as_str())
                .collect::<Vec<_>>(),
            ["B"],
            "A is not due yet, C is stale"
        );
        let stale = open_for_shipment(&conn, ShipmentId::new(3))
            .unwrap()
            .unwrap();
        assert_eq!(stale.next_poll_at, None, "a stale row is never polled");
        assert_eq!(stale.last_error.as_deref(), Some("expired"));
    }

    #[test]
    fn callbacks_are_due_when_missing_or_ending_soon_for_live_rows_only() {
        let conn = in_memory();
        let store = StoreId::test("s");
        let now = Stamp::test("2026-12-03T10:00:00.000Z");
        let dt = |shipment, number| NewSubscription {
            provider: Provider::DeliveryTracker,
            ..new(&store, shipment, number)
        };
        for (shipment, number) in [(1, "NEVER"), (2, "SOON"), (3, "LATER"), (4, "STALE")] {
            insert_pending(&conn, &dt(shipment, number), &now).unwrap();
        }
        let rows = pending(&conn, &store, Provider::DeliveryTracker, 10).unwrap();
        for r in &rows {
            registered(&conn, r.id, None, "2026-12-03T11:00:00.000Z", &now).unwrap();
        }
        webhook_registered(&conn, rows[1].id, "2026-12-04T01:00:00Z").unwrap();
        webhook_registered(&conn, rows[2].id, "2026-12-05T10:00:00Z").unwrap();
        set_state(&conn, rows[3].id, FeedState::Stale, None, &now).unwrap();
        let due = webhooks_due(
            &conn,
            &store,
            Provider::DeliveryTracker,
            "2026-12-04T10:00:00Z",
            10,
        )
        .unwrap();
        assert_eq!(
            due.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(),
            ["NEVER", "SOON"],
            "never registered first, then those ending within the day; not LATER, not the stale one"
        );
    }

    /// The look-ups run for every parcel (at start, and by each follow job) must not scan
    /// the whole table: with 100,000 subscriptions the start-up pass took minutes and held
    /// the writer, so pushes timed out behind it.
    #[test]
    fn per_parcel_lookups_use_an_index() {
        let conn = in_memory();
        for sql in [EVER_FOLLOWED, FOLLOWED_AS] {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let params: Vec<&dyn rusqlite::ToSql> =
                [&1 as &dyn rusqlite::ToSql, &"X"][..stmt.parameter_count()].to_vec();
            let plan: Vec<String> = stmt
                .query_map(params.as_slice(), |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter().all(|step| step.starts_with("SEARCH")),
                "{sql}: {plan:?}"
            );
        }
    }
}
