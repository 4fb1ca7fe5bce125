//! Signed events: every message-worthy event POSTed to the store's configured endpoints in
//! the Standard Webhooks format (SMS gateways, WhatsApp, Klaviyo, n8n, Zapier), with
//! retries, backoff and a per-endpoint delivery log ([docs/events.md]).
//!
//! It knows nothing of orders or messages: callers hand it a type and a JSON `data`.
//! [`publish`] queues deliveries in the caller's transaction; the outbox job
//! [`JobKind::DeliverEvents`] (one per store, Remote lane) sends them ([`deliver`]).

pub mod deliver;
pub mod settings;
pub mod sign;
pub mod staff;
pub mod store;
pub mod view;

use jiff::Timestamp;

pub use settings::EventSettings;

use crate::ids::{OrderId, StoreId};
use crate::jobs::JobKind;
use crate::store::StoreError;
use crate::time;

/// Queues `{"type": kind, "timestamp": <rfc3339>, "data": data}` for every endpoint the
/// store has, in the caller's transaction; `event_id` (e.g. "evt_<msg id>") makes it
/// idempotent per endpoint (a second call with the same id queues nothing).
///
/// Takes any connection: a `&Transaction` coerces to it, and so does the writer's
/// savepoint connection. Returns how many deliveries were queued; when any were, the
/// store's delivery job is made due now.
pub fn publish(
    tx: &rusqlite::Connection,
    store: &StoreId,
    event_id: &str,
    kind: &str,
    data: &serde_json::Value,
    now: Timestamp,
) -> rusqlite::Result<usize> {
    let endpoints = store::endpoints_for(tx, store, kind)?;
    if endpoints.is_empty() {
        return Ok(0);
    }
    let stamp = time::millis(now);
    let body = serde_json::json!({
        "type": kind,
        "timestamp": stamp.as_str(),
        "data": data,
    })
    .to_string();
    let mut queued = 0;
    for endpoint in &endpoints {
        if store::insert(tx, store, endpoint, event_id, kind, &body, &stamp)? {
            queued += 1;
        }
    }
    if queued > 0 {
        wake(tx, store, &stamp).map_err(into_sqlite)?;
    }
    Ok(queued)
}

/// Makes the store's delivery job due now, enqueuing it when none is open.
pub fn wake(
    conn: &rusqlite::Connection,
    store: &StoreId,
    now: &time::Stamp,
) -> Result<(), StoreError> {
    crate::jobs::enqueue(conn, store, JobKind::DeliverEvents, OrderId::new(0), 0, now)?;
    crate::jobs::store::wake(conn, store, &[JobKind::DeliverEvents], now)?;
    Ok(())
}

/// `publish` answers in rusqlite's error type, as its callers' transactions do.
fn into_sqlite(error: StoreError) -> rusqlite::Error {
    match error {
        StoreError::Sqlite(e) => e,
        other => rusqlite::Error::ToSqlConversionFailure(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EventSettings {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        EventSettings::default()
            .with_endpoint(
                StoreId::test("s"),
                "https://a.example/in",
                &[secret],
                None,
                None,
            )
            .unwrap()
            .with_endpoint(
                StoreId::test("s"),
                "https://b.example/in",
                &[secret],
                None,
                Some(&["delivered"]),
            )
            .unwrap()
    }

    #[test]
    fn publish_queues_once_per_endpoint_that_takes_the_type_and_wakes_the_job() {
        let mut conn = crate::store::in_memory();
        let now = Timestamp::now();
        store::configure(&conn, &settings(), &time::millis(now)).unwrap();
        let store = StoreId::test("s");
        let tx = conn.transaction().unwrap();
        let data = serde_json::json!({"order": {"id": 1}});
        assert_eq!(
            publish(&tx, &store, "evt_1", "shipped", &data, now).unwrap(),
            1
        );
        assert_eq!(
            publish(&tx, &store, "evt_1", "shipped", &data, now).unwrap(),
            0
        );
        assert_eq!(
            publish(&tx, &store, "evt_2", "delivered", &data, now).unwrap(),
            2
        );
        assert_eq!(
            publish(&tx, &StoreId::test("other"), "evt_3", "shipped", &data, now).unwrap(),
            0
        );
        tx.commit().unwrap();
        let (deliveries, jobs): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM event_deliveries),
                        (SELECT COUNT(*) FROM jobs WHERE kind = 'deliver_events' AND done_at IS NULL)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((deliveries, jobs), (3, 1));
        let body: String = conn
            .query_row(
                "SELECT body FROM event_deliveries WHERE event_id = 'evt_1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["type"], "shipped");
        assert_eq!(body["data"], data);
        assert!(time::parse(body["timestamp"].as_str().unwrap()).is_some());
    }

    #[test]
    fn an_endpoint_dropped_from_the_configuration_gets_nothing_new() {
        let conn = crate::store::in_memory();
        let now = Timestamp::now();
        store::configure(&conn, &settings(), &time::millis(now)).unwrap();
        store::configure(&conn, &EventSettings::default(), &time::millis(now)).unwrap();
        let data = serde_json::json!({});
        assert_eq!(
            publish(&conn, &StoreId::test("s"), "evt_1", "shipped", &data, now).unwrap(),
            0
        );
    }
}
