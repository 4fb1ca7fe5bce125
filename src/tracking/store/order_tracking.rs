//! Per-order tracking state (`order_tracking`): the public page token, the derived delivery
//! state and the facts the delay rules read.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;
use crate::tracking::token::TrackingToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingRow {
    pub token: TrackingToken,
    pub delivery_state: String,
    pub order_status: String,
    pub ready_at: Option<String>,
    pub ships: bool,
    /// A delay rule may still fire as time passes: the sweep looks at this order.
    pub watch: bool,
    /// Hash of the order data this row was derived from.
    pub source_hash: i64,
}

pub fn get(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<TrackingRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT token, delivery_state, order_status, ready_at, ships, watch, source_hash
             FROM order_tracking WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row((store_id, order_id), |r| {
            Ok(TrackingRow {
                token: r.get(0)?,
                delivery_state: r.get(1)?,
                order_status: r.get(2)?,
                ready_at: r.get(3)?,
                ships: r.get(4)?,
                watch: r.get(5)?,
                source_hash: r.get(6)?,
            })
        })
        .optional()?)
}

/// The order's page token and whether it has active alerts, in one read.
pub fn token_and_alerting(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<(TrackingToken, bool)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT t.token, EXISTS (SELECT 1 FROM delay_alerts a
                                     WHERE a.store_id = t.store_id AND a.order_id = t.order_id
                                       AND a.resolved_at IS NULL)
             FROM order_tracking t WHERE t.store_id = ?1 AND t.order_id = ?2",
        )?
        .query_row((store_id, order_id), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The id the next tracking row gets (its token carries it).
pub fn next_id(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM order_tracking")?
        .query_row([], |r| r.get(0))?)
}

/// Creates the order's row, with the id from [`next_id`] and its token.
pub fn insert(
    conn: &Connection,
    id: i64,
    store_id: &StoreId,
    order_id: OrderId,
    row: &TrackingRow,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO order_tracking (id, store_id, order_id, token, delivery_state, order_status,
            ready_at, ships, watch, source_hash, created_at, updated_at)
         VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(rusqlite::params![
        store_id,
        order_id,
        row.token,
        row.delivery_state,
        row.order_status,
        row.ready_at,
        row.ships,
        row.watch,
        row.source_hash,
        now,
        id,
    ])?;
    Ok(())
}

/// Updates everything but the token.
pub fn update(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    row: &TrackingRow,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE order_tracking SET delivery_state = ?3, order_status = ?4, ready_at = ?5,
            ships = ?6, watch = ?7, source_hash = ?8, updated_at = ?9
         WHERE store_id = ?1 AND order_id = ?2",
    )?
    .execute(rusqlite::params![
        store_id,
        order_id,
        row.delivery_state,
        row.order_status,
        row.ready_at,
        row.ships,
        row.watch,
        row.source_hash,
        now,
    ])?;
    Ok(())
}

/// Stores a re-derived delivery state after a parcel changed; the order is watched until
/// its next delay evaluation.
pub fn set_delivery_state(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    state: &str,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE order_tracking SET delivery_state = ?3, watch = 1, updated_at = ?4
         WHERE store_id = ?1 AND order_id = ?2",
    )?
    .execute((store_id, order_id, state, now))?;
    Ok(())
}

pub fn set_watch(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    watch: bool,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE order_tracking SET watch = ?3 WHERE store_id = ?1 AND order_id = ?2 AND watch != ?3",
    )?
    .execute((store_id, order_id, watch))?;
    Ok(())
}

/// The order a tracking page token belongs to, if it is one customers may see.
pub struct PageOrder {
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub raw: String,
}

impl PageOrder {
    /// The mirrored order itself.
    pub fn order(&self) -> Result<crate::woo::Order, StoreError> {
        crate::orders::store::parse(self.order_id, &self.raw)
    }
}

/// The order of the tracking row `token` names, when it is that row's token (compared in
/// constant time) and the order is one customers may see.
pub fn by_token(conn: &Connection, token: &TrackingToken) -> Result<Option<PageOrder>, StoreError> {
    let found = conn
        .prepare_cached(
            "SELECT t.token, t.store_id, t.order_id, o.raw
             FROM order_tracking t
             JOIN orders o ON o.store_id = t.store_id AND o.order_id = t.order_id
             WHERE t.id = ?1 AND o.is_draft = 0 AND o.trashed_at IS NULL",
        )?
        .query_row([token.row()], |r| {
            Ok((
                r.get::<_, TrackingToken>(0)?,
                PageOrder {
                    store_id: r.get(1)?,
                    order_id: r.get(2)?,
                    raw: r.get(3)?,
                },
            ))
        })
        .optional()?;
    Ok(found.and_then(|(stored, page)| stored.matches(token).then_some(page)))
}

/// Token and delivery state of several orders, for the order list.
pub fn for_orders(
    conn: &Connection,
    store_id: &StoreId,
    order_ids: &[OrderId],
) -> Result<HashMap<OrderId, (TrackingToken, String)>, StoreError> {
    let ids = serde_json::to_string(order_ids).expect("ids serialize");
    let mut stmt = conn.prepare_cached(
        "SELECT order_id, token, delivery_state FROM order_tracking
         WHERE store_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))",
    )?;
    let rows = stmt
        .query_map((store_id, ids), |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(rows)
}

/// What the delay rules need of an order beyond its parcels.
pub struct RuleFacts {
    pub order_status: String,
    pub ready_at: Option<String>,
    pub ships: bool,
    /// Not a checkout draft, not in the trash.
    pub visible: bool,
}

pub fn rule_facts(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<RuleFacts>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT t.order_status, t.ready_at, t.ships, o.is_draft = 0 AND o.trashed_at IS NULL
             FROM order_tracking t
             JOIN orders o ON o.store_id = t.store_id AND o.order_id = t.order_id
             WHERE t.store_id = ?1 AND t.order_id = ?2",
        )?
        .query_row((store_id, order_id), |r| {
            Ok(RuleFacts {
                order_status: r.get(0)?,
                ready_at: r.get(1)?,
                ships: r.get(2)?,
                visible: r.get(3)?,
            })
        })
        .optional()?)
}

/// Orders the periodic sweep re-evaluates: watched ones and any with an active alert.
pub fn to_sweep(conn: &Connection) -> Result<Vec<(StoreId, OrderId)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT store_id, order_id FROM order_tracking WHERE watch = 1
         UNION
         SELECT store_id, order_id FROM delay_alerts WHERE resolved_at IS NULL",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Mirrored orders without a tracking row (mirrored before tracking existed), in key
/// order after `after`, so one pass walks them all even if some cannot be derived.
pub fn untracked(
    conn: &Connection,
    after: Option<&(StoreId, OrderId)>,
    limit: u32,
) -> Result<Vec<(StoreId, OrderId)>, StoreError> {
    let (store, order) = after.map_or(("", -1), |(s, o)| (s.as_str(), o.get() as i64));
    let mut stmt = conn.prepare_cached(
        "SELECT o.store_id, o.order_id FROM orders o
         WHERE (o.store_id, o.order_id) > (?1, ?2)
           AND NOT EXISTS (SELECT 1 FROM order_tracking t
                           WHERE t.store_id = o.store_id AND t.order_id = o.order_id)
         ORDER BY o.store_id, o.order_id
         LIMIT ?3",
    )?;
    let rows = stmt
        .query_map((store, order, limit), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
