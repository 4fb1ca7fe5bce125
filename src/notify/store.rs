//! The `messages` and `message_subscriptions` tables.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Channel, Class, MessageType, State};
use crate::ids::{MessageId, OrderId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: MessageId,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub kind: MessageType,
    pub recipient: String,
    pub locale: String,
    pub dedupe_key: String,
    pub channel: Channel,
    pub state: State,
    pub due_at: String,
    pub reason: String,
    pub attempts: i64,
    pub leased_until: Option<String>,
    pub data: String,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
}

const COLUMNS: &str = "id, store_id, order_id, type, recipient, locale, dedupe_key, channel,
    state, due_at, reason, attempts, leased_until, data, created_at, updated_at, sent_at";

fn row(r: &Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok(MessageRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        order_id: r.get(2)?,
        kind: r.get(3)?,
        recipient: r.get(4)?,
        locale: r.get(5)?,
        dedupe_key: r.get(6)?,
        channel: r.get(7)?,
        state: r.get(8)?,
        due_at: r.get(9)?,
        reason: r.get(10)?,
        attempts: r.get(11)?,
        leased_until: r.get(12)?,
        data: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
        sent_at: r.get(16)?,
    })
}

pub struct NewMessage<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub kind: MessageType,
    pub recipient: &'a str,
    pub locale: &'a str,
    pub dedupe_key: &'a str,
    pub channel: Channel,
    pub state: State,
    pub due_at: &'a str,
    pub reason: &'a str,
    pub data: &'a str,
    pub now: &'a Stamp,
}

/// Records a decision; `None` when one was already made for this recipient and key.
pub fn insert(conn: &Connection, m: &NewMessage<'_>) -> Result<Option<MessageId>, StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (store_id, order_id, type, recipient, locale, dedupe_key,
                channel, state, due_at, reason, data, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
             ON CONFLICT (store_id, recipient, dedupe_key) DO NOTHING",
        )?
        .execute(params![
            m.store_id,
            m.order_id,
            m.kind,
            m.recipient,
            m.locale,
            m.dedupe_key,
            m.channel,
            m.state,
            m.due_at,
            m.reason,
            m.data,
            m.now
        ])?;
    Ok((inserted == 1).then(|| MessageId::new(conn.last_insert_rowid() as u64)))
}

pub fn get(conn: &Connection, id: MessageId) -> Result<Option<MessageRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM messages WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

/// An order's messages, oldest first: every decision, for the staff's order view.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE store_id = ?1 AND order_id = ?2 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map((store_id, order_id), row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Moves a message to `state` with `reason`; `due_at` and `attempts` when given.
pub struct Update<'a> {
    pub state: State,
    pub reason: &'a str,
    pub due_at: Option<&'a str>,
    pub add_attempt: bool,
    pub sent: bool,
    pub clear_lease: bool,
    pub now: &'a Stamp,
}

pub fn update(conn: &Connection, id: MessageId, u: &Update<'_>) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE messages SET state = ?2, reason = ?3, due_at = coalesce(?4, due_at),
             attempts = attempts + ?5, sent_at = CASE WHEN ?6 THEN ?8 ELSE sent_at END,
             leased_until = CASE WHEN ?7 THEN NULL ELSE leased_until END, updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        u.state,
        u.reason,
        u.due_at,
        i64::from(u.add_attempt),
        u.sent,
        u.clear_lease,
        u.now
    ])?;
    Ok(())
}

/// The store's WordPress-channel messages due at `now` and not leased, oldest first;
/// each is leased until `until`.
pub fn lease_due(
    conn: &Connection,
    store_id: &StoreId,
    now: &Stamp,
    until: &Stamp,
    limit: u32,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages
         WHERE store_id = ?1 AND channel = 'wordpress'
           AND state IN ('pending', 'deferred', 'failed') AND attempts < ?4
           AND due_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
         ORDER BY due_at, id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![store_id, now, limit, super::model::MAX_ATTEMPTS],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let mut lease = conn.prepare_cached("UPDATE messages SET leased_until = ?2 WHERE id = ?1")?;
    for m in &rows {
        lease.execute(params![m.id, until])?;
    }
    Ok(rows)
}

/// Failed messages of a store since `since`, newest first (for the staff digest).
pub fn failed_since(
    conn: &Connection,
    store_id: &StoreId,
    since: &Stamp,
) -> Result<Vec<MessageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages
         WHERE store_id = ?1 AND state = 'failed' AND updated_at >= ?2 ORDER BY id DESC"
    ))?;
    let rows = stmt
        .query_map(params![store_id, since], row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Records the unsubscribe token of (store, recipient, class) if it is new.
pub fn remember_token(
    conn: &Connection,
    token: &str,
    store_id: &StoreId,
    recipient: &str,
    class: Class,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO message_subscriptions (token, store_id, recipient, class, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?
    .execute(params![token, store_id, recipient, class, now])?;
    Ok(())
}

pub struct Subscription {
    pub store_id: StoreId,
    pub recipient: String,
    pub class: Class,
    pub unsubscribed: bool,
}

pub fn by_token(conn: &Connection, token: &str) -> Result<Option<Subscription>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT store_id, recipient, class, unsubscribed_at IS NOT NULL
             FROM message_subscriptions WHERE token = ?1",
        )?
        .query_row([token], |r| {
            Ok(Subscription {
                store_id: r.get(0)?,
                recipient: r.get(1)?,
                class: r.get(2)?,
                unsubscribed: r.get(3)?,
            })
        })
        .optional()?)
}

/// Records the unsubscribe; true when it is new.
pub fn unsubscribe(conn: &Connection, token: &str, now: &Stamp) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE message_subscriptions SET unsubscribed_at = ?2
             WHERE token = ?1 AND unsubscribed_at IS NULL",
        )?
        .execute(params![token, now])?
        == 1)
}

pub fn is_unsubscribed(
    conn: &Connection,
    store_id: &StoreId,
    recipient: &str,
    class: Class,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM message_subscriptions WHERE store_id = ?1 AND recipient = ?2
               AND class = ?3 AND unsubscribed_at IS NOT NULL",
        )?
        .query_row(params![store_id, recipient, class], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Messages not yet handed over, by channel and state (`pending`, `deferred`, `sending`,
/// `failed`): the backlog the metrics show while a mail server is down.
pub fn waiting(conn: &Connection) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, state, COUNT(*) FROM messages
          WHERE state IN ('pending', 'deferred', 'sending', 'failed')
          GROUP BY channel, state",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
