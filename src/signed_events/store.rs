//! The tables: `event_endpoints` (what the configuration listed, without its secrets),
//! `event_deliveries` (one row per event and endpoint, with its state and schedule) and
//! `event_delivery_attempts` (every request made, per endpoint: the delivery log).

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension};

use super::settings::EventSettings;
use crate::ids::{EventDeliveryId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up: out of attempts, or the endpoint answered 410 Gone.
    Failed,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl ToSql for DeliveryState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for DeliveryState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Self::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown delivery state `{text}`").into()))
    }
}

/// Records the configured endpoints (id, host, type filter) so that `publish`, inside any
/// caller's transaction, knows where events go; those no longer configured turn inactive.
pub fn configure(
    conn: &Connection,
    settings: &EventSettings,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE event_endpoints SET active = 0, updated_at = ?1 WHERE active = 1",
        [now],
    )?;
    for (store, endpoints) in settings.stores() {
        for endpoint in endpoints {
            let types = endpoint
                .types
                .as_ref()
                .map(|t| serde_json::to_string(t).expect("strings serialize"));
            conn.prepare_cached(
                "INSERT INTO event_endpoints (store_id, id, host, types, active, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5)
                 ON CONFLICT (store_id, id) DO UPDATE SET
                     host = excluded.host, types = excluded.types, active = 1,
                     updated_at = excluded.updated_at",
            )?
            .execute((store, &endpoint.id, &endpoint.host, types, now))?;
        }
    }
    Ok(())
}

/// The store's active endpoints that take events of `kind`.
pub fn endpoints_for(
    conn: &Connection,
    store: &StoreId,
    kind: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, types FROM event_endpoints WHERE store_id = ?1 AND active = 1 ORDER BY id",
    )?;
    let rows = statement.query_map([store], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut wanted = Vec::new();
    for row in rows {
        let (id, types) = row?;
        let takes = match types {
            None => true,
            // Written by `configure`; were it unreadable, an extra event beats a lost one.
            Some(json) => {
                kind == super::settings::PING
                    || serde_json::from_str::<Vec<String>>(&json)
                        .map(|types| types.iter().any(|t| t == kind))
                        .unwrap_or(true)
            }
        };
        if takes {
            wanted.push(id);
        }
    }
    Ok(wanted)
}

/// Queues one delivery unless the endpoint already has this event; true when queued.
pub fn insert(
    conn: &Connection,
    store: &StoreId,
    endpoint: &str,
    event_id: &str,
    kind: &str,
    body: &str,
    now: &Stamp,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO event_deliveries
                 (store_id, endpoint_id, event_id, type, body, state, attempts,
                  next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6, ?6)
             ON CONFLICT (store_id, event_id, endpoint_id) DO NOTHING",
        )?
        .execute((store, endpoint, event_id, kind, body, now))?;
    Ok(inserted == 1)
}

/// A delivery whose time has come.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: EventDeliveryId,
    pub endpoint_id: String,
    pub event_id: String,
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// Staff asked for one more attempt: a failure ends it again.
    pub last_chance: bool,
}

/// The store's pending deliveries due at `now`, oldest first.
pub fn due(
    conn: &Connection,
    store: &StoreId,
    now: &Stamp,
    limit: u32,
) -> Result<Vec<Due>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, endpoint_id, event_id, body, attempts, last_chance FROM event_deliveries
         WHERE store_id = ?1 AND state = 'pending' AND next_attempt_at <= ?2
         ORDER BY next_attempt_at, id LIMIT ?3",
    )?;
    let rows = statement.query_map((store, now, limit), |r| {
        Ok(Due {
            id: r.get(0)?,
            endpoint_id: r.get(1)?,
            event_id: r.get(2)?,
            body: r.get(3)?,
            attempts: r.get(4)?,
            last_chance: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// When the store's next pending delivery is due, if any is pending.
pub fn next_due_at(conn: &Connection, store: &StoreId) -> Result<Option<Stamp>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT MIN(next_attempt_at) FROM event_deliveries
             WHERE store_id = ?1 AND state = 'pending'",
        )?
        .query_row([store], |r| r.get(0))?)
}

/// Deliveries, over all stores, that failed at least once and wait for their retry: an
/// endpoint that is down shows here long before anything is given up.
pub fn retrying(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending' AND attempts > 0",
        )?
        .query_row([], |r| r.get(0))?)
}

/// One request, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub attempted_at: Stamp,
    /// The HTTP status; `None` when no answer came (refused, timed out).
    pub status: Option<u16>,
    pub duration_ms: u64,
    /// What went wrong, without secrets or the URL.
    pub error: Option<String>,
    /// The start of the answer's body.
    pub response_body: Option<String>,
}

/// Logs an attempt and moves the delivery on: to `state`, due again at `next` when pending.
pub fn record(
    conn: &Connection,
    store: &StoreId,
    delivery: &Due,
    attempt: &Attempt,
    state: DeliveryState,
    next: Option<&Stamp>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO event_delivery_attempts
             (delivery_id, store_id, endpoint_id, attempted_at, status, duration_ms, error,
              response_body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        delivery.id,
        store,
        &delivery.endpoint_id,
        &attempt.attempted_at,
        attempt.status,
        attempt.duration_ms as i64,
        &attempt.error,
        &attempt.response_body,
    ))?;
    let last_error = match (&attempt.error, attempt.status) {
        (Some(error), _) => Some(error.clone()),
        (None, Some(status)) if state != DeliveryState::Delivered => Some(format!("HTTP {status}")),
        _ => None,
    };
    conn.prepare_cached(
        "UPDATE event_deliveries SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3,
             last_status = ?4, last_error = ?5, last_chance = 0, updated_at = ?6
         WHERE id = ?1",
    )?
    .execute((
        delivery.id,
        state,
        next,
        attempt.status,
        last_error,
        &attempt.attempted_at,
    ))?;
    Ok(())
}

/// Gives up a delivery without a request (its endpoint is no longer configured).
pub fn abandon(
    conn: &Connection,
    id: EventDeliveryId,
    reason: &str,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE event_deliveries SET state = 'failed', next_attempt_at = NULL, last_error = ?2,
             last_chance = 0, updated_at = ?3
         WHERE id = ?1",
    )?
    .execute((id, reason, now))?;
    Ok(())
}

/// A delivery with its log, as staff see it.
#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: EventDeliveryId,
    pub event_id: String,
    pub kind: String,
    pub endpoint_id: String,
    pub endpoint_host: Option<String>,
    pub state: DeliveryState,
    pub next_attempt_at: Option<Stamp>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    pub attempts: Vec<Attempt>,
}

const RECORD_COLUMNS: &str = "d.id, d.event_id, d.type, d.endpoint_id, e.host, d.state,
    d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.updated_at";

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        id: r.get(0)?,
        event_id: r.get(1)?,
        kind: r.get(2)?,
        endpoint_id: r.get(3)?,
        endpoint_host: r.get(4)?,
        state: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last_status: r.get(7)?,
        last_error: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        attempts: Vec::new(),
    })
}

fn with_attempts(conn: &Connection, record: &mut DeliveryRecord) -> Result<(), StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT attempted_at, status, duration_ms, error, response_body
         FROM event_delivery_attempts WHERE delivery_id = ?1 ORDER BY id",
    )?;
    record.attempts = statement
        .query_map([record.id], |r| {
            Ok(Attempt {
                attempted_at: r.get(0)?,
                status: r.get(1)?,
                duration_ms: r.get::<_, i64>(2)? as u64,
                error: r.get(3)?,
                response_body: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

/// A page of the store's deliveries, newest first, below `before` (the previous page's
/// last id), optionally in one state and to one endpoint; one more than `limit` is asked for, to tell
/// whether a next page exists.
pub fn list(
    conn: &Connection,
    store: &StoreId,
    state: Option<DeliveryState>,
    endpoint: Option<&str>,
    before: Option<EventDeliveryId>,
    limit: u32,
) -> Result<(Vec<DeliveryRecord>, bool), StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM event_deliveries d
         LEFT JOIN event_endpoints e ON e.store_id = d.store_id AND e.id = d.endpoint_id
         WHERE d.store_id = ?1 AND (?2 IS NULL OR d.state = ?2) AND (?3 IS NULL OR d.id < ?3)
             AND (?5 IS NULL OR d.endpoint_id = ?5)
         ORDER BY d.id DESC LIMIT ?4"
    ))?;
    let mut records: Vec<DeliveryRecord> = statement
        .query_map((store, state, before, limit + 1, endpoint), record_row)?
        .collect::<Result<_, _>>()?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    for record in &mut records {
        with_attempts(conn, record)?;
    }
    Ok((records, more))
}

/// One of the store's deliveries with its log.
pub fn get(
    conn: &Connection,
    store: &StoreId,
    id: EventDeliveryId,
) -> Result<Option<DeliveryRecord>, StoreError> {
    let record = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM event_deliveries d
             LEFT JOIN event_endpoints e ON e.store_id = d.store_id AND e.id = d.endpoint_id
             WHERE d.store_id = ?1 AND d.id = ?2"
        ))?
        .query_row((store, id), record_row)
        .optional()?;
    let Some(mut record) = record else {
        return Ok(None);
    };
    with_attempts(conn, &mut record)?;
    Ok(Some(record))
}

/// Makes a failed delivery due at `now` for one more attempt. Answers its state before,
/// `None` when the store has no such delivery; only a failed one is changed.
pub fn retry(
    conn: &Connection,
    store: &StoreId,
    id: EventDeliveryId,
    now: &Stamp,
) -> Result<Option<DeliveryState>, StoreError> {
    let state: Option<DeliveryState> = conn
        .prepare_cached("SELECT state FROM event_deliveries WHERE store_id = ?1 AND id = ?2")?
        .query_row((store, id), |r| r.get(0))
        .optional()?;
    if state == Some(DeliveryState::Failed) {
        conn.prepare_cached(
            "UPDATE event_deliveries SET state = 'pending', next_attempt_at = ?2,
                 last_chance = 1, updated_at = ?2
             WHERE id = ?1",
        )?
        .execute((id, now))?;
    }
    Ok(state)
}
