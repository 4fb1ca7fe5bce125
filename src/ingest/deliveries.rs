//! The delivery log: every verified webhook delivery and its outcome, never its body.

use rusqlite::Connection;

use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;

pub struct DeliveryRecord<'a> {
    pub received_at: &'a str,
    pub store_id: &'a StoreId,
    pub webhook_id: Option<i64>,
    pub topic: &'a str,
    pub order_id: Option<OrderId>,
    pub body_sha256: &'a [u8; 32],
    pub outcome: &'a str,
    pub error_code: Option<&'a str>,
}

pub fn record(conn: &Connection, d: &DeliveryRecord<'_>) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO deliveries
             (received_at, store_id, webhook_id, topic, order_id, body_sha256, outcome, error_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![
        d.received_at,
        d.store_id,
        d.webhook_id,
        d.topic,
        d.order_id,
        &d.body_sha256[..],
        d.outcome,
        d.error_code,
    ])?;
    Ok(())
}

/// When the store's last webhook delivery arrived (REST fetches, topics `rest.*`, excluded).
pub fn last_webhook_at(
    conn: &Connection,
    store_id: &StoreId,
) -> Result<Option<String>, StoreError> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .prepare_cached(
            "SELECT received_at FROM deliveries
             WHERE store_id = ?1 AND topic NOT LIKE 'rest.%'
             ORDER BY received_at DESC LIMIT 1",
        )?
        .query_row([store_id], |r| r.get(0))
        .optional()?)
}
