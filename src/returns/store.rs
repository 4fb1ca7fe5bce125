//! Returns, their items, photos and history; and the units WooCommerce refunded.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use crate::ids::{OrderId, ReturnId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

/// A return as stored, with everything that belongs to it.
#[derive(Debug, Clone)]
pub struct ReturnRecord {
    pub id: ReturnId,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer_id: u64,
    pub status: String,
    pub resolution: String,
    pub comment: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub amount: Option<String>,
    pub currency: String,
    pub settlement: Option<String>,
    pub settlement_error: Option<String>,
    pub settlement_attempts: i64,
    pub wc_refund_id: Option<u64>,
    pub coupon_code: Option<String>,
    pub items: Vec<ItemRecord>,
    pub events: Vec<EventRecord>,
    pub photos: Vec<PhotoRecord>,
}

impl ReturnRecord {
    /// `(line item, units)` of every returned item: what the money is computed from.
    pub fn units(&self) -> Vec<(u64, i64)> {
        self.items
            .iter()
            .map(|i| (i.line_item_id, i.quantity))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub line_item_id: u64,
    /// The item's name on the order (not stored with the return).
    pub name: Option<String>,
    pub quantity: i64,
    pub reason: String,
    pub reason_text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub from_status: Option<String>,
    pub to_status: String,
    pub at: String,
    pub actor: String,
    pub actor_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PhotoRecord {
    pub position: i64,
    pub content_type: String,
    pub bytes: u64,
    pub sha256: String,
    pub path: String,
}

/// A new return, already validated.
pub struct NewReturn<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub customer_id: u64,
    pub resolution: &'a str,
    pub comment: Option<&'a str>,
    pub items: &'a [ItemRecord],
    pub photos: &'a [PhotoRecord],
    pub actor: &'a str,
    pub now: &'a Stamp,
}

/// Records a return in `requested` with its first history entry; returns its id.
pub fn create(conn: &Connection, new: &NewReturn<'_>) -> Result<ReturnId, StoreError> {
    conn.prepare_cached(
        "INSERT INTO returns (store_id, order_id, customer_id, status, resolution, comment,
                              created_at, updated_at)
         VALUES (?1, ?2, ?3, 'requested', ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        new.store_id,
        new.order_id,
        new.customer_id as i64,
        new.resolution,
        new.comment,
        new.now
    ])?;
    let id = ReturnId::new(conn.last_insert_rowid());
    let mut item = conn.prepare_cached(
        "INSERT INTO return_items (return_id, line_item_id, quantity, reason, reason_text)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for i in new.items {
        item.execute(params![
            id,
            i.line_item_id as i64,
            i.quantity,
            i.reason,
            i.reason_text
        ])?;
    }
    let mut photo = conn.prepare_cached(
        "INSERT INTO return_photos (return_id, position, content_type, bytes, sha256, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in new.photos {
        photo.execute(params![
            id,
            p.position,
            p.content_type,
            p.bytes as i64,
            p.sha256,
            p.path
        ])?;
    }
    record_event(conn, id, None, "requested", new.actor, None, None, new.now)?;
    Ok(id)
}

pub fn add_photo(
    conn: &Connection,
    return_id: ReturnId,
    p: &PhotoRecord,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO return_photos (return_id, position, content_type, bytes, sha256, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        return_id,
        p.position,
        p.content_type,
        p.bytes as i64,
        p.sha256,
        p.path
    ])?;
    Ok(())
}

/// When an order's goods arrived: per line item (its parcel's delivery) and for the
/// whole order (the last parcel's).
#[derive(Debug, Clone, Default)]
pub struct DeliveryTimes {
    pub items: HashMap<u64, jiff::Timestamp>,
    pub order: Option<jiff::Timestamp>,
}

/// Line items that a live parcel (not removed, not returned to sender) still carries and
/// has not delivered. Tracking's rule of what a parcel carries, read here because returns
/// sits below tracking: its listed items, or the whole order (`lines`) when it is the only
/// live parcel and lists nothing.
pub fn in_transit_items(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    lines: &[u64],
) -> Result<HashSet<u64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.status, i.line_item_id FROM shipments s
         LEFT JOIN shipment_items i ON i.shipment_id = s.id
         WHERE s.store_id = ?1 AND s.order_id = ?2 AND s.removed_at IS NULL
           AND s.status != 'returned'",
    )?;
    let rows = stmt
        .query_map(params![store_id, order_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let live: HashSet<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let mut carried = HashSet::new();
    for (_, _, line) in rows.iter().filter(|(_, status, _)| status != "delivered") {
        match line {
            Some(line) => {
                carried.insert(*line as u64);
            }
            None if live.len() == 1 => carried.extend(lines.iter().copied()),
            None => {}
        }
    }
    Ok(carried)
}

/// Delivery times from the order's parcels: each line item listed in a delivered parcel
/// gets that parcel's delivery (the latest, if its units came in several); the order gets
/// its last parcel's once every parcel is delivered.
pub fn delivery_times(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<DeliveryTimes, StoreError> {
    let mut times = DeliveryTimes::default();
    let parse = |t: String| crate::time::parse(&t);
    let mut items = conn.prepare_cached(
        "SELECT i.line_item_id, max(s.delivered_at) FROM shipments s
         JOIN shipment_items i ON i.shipment_id = s.id
         WHERE s.store_id = ?1 AND s.order_id = ?2 AND s.removed_at IS NULL
           AND s.delivered_at IS NOT NULL
         GROUP BY i.line_item_id",
    )?;
    let rows = items.query_map(params![store_id, order_id], |r| {
        Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
    })?;
    for row in rows {
        let (id, at) = row?;
        if let Some(at) = parse(at) {
            times.items.insert(id, at);
        }
    }
    times.order = conn
        .prepare_cached(
            "SELECT max(s.delivered_at) FROM order_tracking t
             JOIN shipments s ON s.store_id = t.store_id AND s.order_id = t.order_id
                             AND s.removed_at IS NULL
             WHERE t.store_id = ?1 AND t.order_id = ?2 AND t.delivery_state = 'delivered'",
        )?
        .query_row(params![store_id, order_id], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?
        .flatten()
        .and_then(parse);
    Ok(times)
}

#[allow(clippy::too_many_arguments)]
fn record_event(
    conn: &Connection,
    return_id: ReturnId,
    from: Option<&str>,
    to: &str,
    actor: &str,
    actor_name: Option<&str>,
    note: Option<&str>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO return_events (return_id, from_status, to_status, at, actor, actor_name, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![return_id, from, to, now, actor, actor_name, note])?;
    Ok(())
}

/// A change of state, checked against the state it was decided on.
pub struct Transition<'a> {
    pub return_id: ReturnId,
    pub from: &'a str,
    pub to: &'a str,
    pub actor: &'a str,
    pub actor_name: Option<&'a str>,
    pub note: Option<&'a str>,
    /// What the refund or credit comes to, when this transition moves money.
    pub amount: Option<&'a str>,
    pub now: &'a Stamp,
}

/// Applies `t` if the return is still in `t.from`; false when it moved meanwhile.
pub fn transition(conn: &Connection, t: &Transition<'_>) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE returns SET status = ?3, updated_at = ?4,
                 amount = coalesce(?5, amount),
                 settlement = CASE WHEN ?5 IS NULL THEN settlement ELSE 'pending' END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![t.return_id, t.from, t.to, t.now, t.amount])?;
    if changed == 0 {
        return Ok(false);
    }
    record_event(
        conn,
        t.return_id,
        Some(t.from),
        t.to,
        t.actor,
        t.actor_name,
        t.note,
        t.now,
    )?;
    Ok(true)
}

/// Where carrying out the money of a return stands.
pub enum Settlement<'a> {
    Refunded {
        wc_refund_id: u64,
    },
    Credited {
        coupon_code: &'a str,
        wc_coupon_id: u64,
    },
    Failed {
        error: &'a str,
    },
}

pub fn settle(
    conn: &Connection,
    return_id: ReturnId,
    outcome: &Settlement<'_>,
) -> Result<(), StoreError> {
    match outcome {
        Settlement::Refunded { wc_refund_id } => conn
            .prepare_cached(
                "UPDATE returns SET settlement = 'done', settlement_error = NULL,
                     wc_refund_id = ?2 WHERE id = ?1",
            )?
            .execute(params![return_id, *wc_refund_id as i64])?,
        Settlement::Credited {
            coupon_code,
            wc_coupon_id,
        } => conn
            .prepare_cached(
                "UPDATE returns SET settlement = 'done', settlement_error = NULL,
                     coupon_code = ?2, wc_coupon_id = ?3 WHERE id = ?1",
            )?
            .execute(params![return_id, coupon_code, *wc_coupon_id as i64])?,
        Settlement::Failed { error } => conn
            .prepare_cached(
                "UPDATE returns SET settlement = 'failed', settlement_error = ?2,
                     settlement_attempts = settlement_attempts + 1 WHERE id = ?1",
            )?
            .execute(params![return_id, error])?,
    };
    Ok(())
}

/// Units of each line item held by this order's returns that are open or accepted.
pub fn held_quantities(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<HashMap<u64, i64>, StoreError> {
    quantities(
        conn,
        "SELECT i.line_item_id, sum(i.quantity) FROM return_items i
         JOIN returns r ON r.id = i.return_id
         WHERE r.store_id = ?1 AND r.order_id = ?2 AND r.status NOT IN ('rejected', 'cancelled')
         GROUP BY i.line_item_id",
        store_id,
        order_id,
    )
}

/// Units of each line item WooCommerce refunded, as far as aftercare has fetched refunds.
/// A refund aftercare made for a return is left out: that return still holds its units
/// (see `held_quantities`), and counting them twice would shrink what is returnable.
pub fn refunded_quantities(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<HashMap<u64, i64>, StoreError> {
    quantities(
        conn,
        "SELECT line_item_id, sum(quantity) FROM refund_lines
         WHERE store_id = ?1 AND order_id = ?2
           AND refund_id NOT IN (
               SELECT wc_refund_id FROM returns
               WHERE store_id = ?1 AND order_id = ?2 AND wc_refund_id IS NOT NULL
                 AND status NOT IN ('rejected', 'cancelled'))
         GROUP BY line_item_id",
        store_id,
        order_id,
    )
}

/// `(line item, units)` rows of `sql` as a map.
fn quantities(
    conn: &Connection,
    sql: &str,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<HashMap<u64, i64>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params![store_id, order_id], |r| {
        Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const COLUMNS: &str = "r.id, r.store_id, r.order_id, o.number, r.customer_id, r.status,
    r.resolution, r.comment, r.created_at, r.updated_at, r.amount, o.currency, r.settlement,
    r.settlement_error, r.settlement_attempts, r.wc_refund_id, r.coupon_code";

fn base(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReturnRecord> {
    Ok(ReturnRecord {
        id: r.get(0)?,
        store_id: r.get(1)?,
        order_id: r.get(2)?,
        order_number: r.get(3)?,
        customer_id: r.get::<_, i64>(4)? as u64,
        status: r.get(5)?,
        resolution: r.get(6)?,
        comment: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        amount: r.get(10)?,
        currency: r.get(11)?,
        settlement: r.get(12)?,
        settlement_error: r.get(13)?,
        settlement_attempts: r.get(14)?,
        wc_refund_id: r.get::<_, Option<i64>>(15)?.map(|v| v as u64),
        coupon_code: r.get(16)?,
        items: Vec::new(),
        events: Vec::new(),
        photos: Vec::new(),
    })
}

/// Fills in items, history and photos.
fn complete(conn: &Connection, mut record: ReturnRecord) -> Result<ReturnRecord, StoreError> {
    record.items = conn
        .prepare_cached(
            "SELECT i.line_item_id, i.quantity, i.reason, i.reason_text, li.name
             FROM return_items i
             LEFT JOIN line_items li ON li.store_id = ?2 AND li.order_id = ?3
                                    AND li.line_item_id = i.line_item_id
             WHERE i.return_id = ?1 ORDER BY i.line_item_id",
        )?
        .query_map(params![record.id, record.store_id, record.order_id], |r| {
            Ok(ItemRecord {
                line_item_id: r.get::<_, i64>(0)? as u64,
                quantity: r.get(1)?,
                reason: r.get(2)?,
                reason_text: r.get(3)?,
                name: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    record.events = conn
        .prepare_cached(
            "SELECT from_status, to_status, at, actor, actor_name, note FROM return_events
             WHERE return_id = ?1 ORDER BY id",
        )?
        .query_map([record.id], |r| {
            Ok(EventRecord {
                from_status: r.get(0)?,
                to_status: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                actor_name: r.get(4)?,
                note: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    record.photos = conn
        .prepare_cached(
            "SELECT position, content_type, bytes, sha256, path FROM return_photos
             WHERE return_id = ?1 ORDER BY position",
        )?
        .query_map([record.id], |r| {
            Ok(PhotoRecord {
                position: r.get(0)?,
                content_type: r.get(1)?,
                bytes: r.get::<_, i64>(2)? as u64,
                sha256: r.get(3)?,
                path: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(record)
}

fn query(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ReturnRecord>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM returns r
         JOIN orders o ON o.store_id = r.store_id AND o.order_id = r.order_id
         WHERE {filter}"
    );
    let rows: Vec<ReturnRecord> = conn
        .prepare_cached(&sql)?
        .query_map(params, base)?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| complete(conn, r)).collect()
}

/// One return of a store.
pub fn get(
    conn: &Connection,
    store_id: &StoreId,
    id: ReturnId,
) -> Result<Option<ReturnRecord>, StoreError> {
    Ok(
        query(conn, "r.store_id = ?1 AND r.id = ?2", params![store_id, id])?
            .into_iter()
            .next(),
    )
}

/// An order's returns, oldest first.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<ReturnRecord>, StoreError> {
    query(
        conn,
        "r.store_id = ?1 AND r.order_id = ?2 ORDER BY r.id",
        params![store_id, order_id],
    )
}

/// A customer's returns across their orders, newest first.
pub fn for_customer(
    conn: &Connection,
    store_id: &StoreId,
    customer_id: u64,
) -> Result<Vec<ReturnRecord>, StoreError> {
    query(
        conn,
        "r.store_id = ?1 AND r.customer_id = ?2 AND o.trashed_at IS NULL ORDER BY r.id DESC",
        params![store_id, customer_id as i64],
    )
}

/// The staff queue: a store's returns, newest first, optionally in one state.
pub fn list(
    conn: &Connection,
    store_id: &StoreId,
    status: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<ReturnRecord>, u64), StoreError> {
    let rows = query(
        conn,
        "r.store_id = ?1 AND (?2 IS NULL OR r.status = ?2) ORDER BY r.id DESC LIMIT ?3 OFFSET ?4",
        params![store_id, status, limit, offset as i64],
    )?;
    let total: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM returns WHERE store_id = ?1 AND (?2 IS NULL OR status = ?2)",
        )?
        .query_row(params![store_id, status], |r| r.get(0))?;
    Ok((rows, total as u64))
}

/// The current state of a return, for a quick check.
pub fn status(
    conn: &Connection,
    store_id: &StoreId,
    id: ReturnId,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT status FROM returns WHERE store_id = ?1 AND id = ?2")?
        .query_row(params![store_id, id], |r| r.get(0))
        .optional()?)
}

/// Replaces what is known of one WooCommerce refund's lines.
pub fn record_refund_lines(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    refund_id: u64,
    lines: &[(u64, i64, String, String)],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM refund_lines WHERE store_id = ?1 AND order_id = ?2 AND refund_id = ?3",
    )?
    .execute(params![store_id, order_id, refund_id as i64])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO refund_lines (store_id, order_id, refund_id, line_item_id, quantity, total, total_tax)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (line_item_id, quantity, total, tax) in lines {
        insert.execute(params![
            store_id,
            order_id,
            refund_id as i64,
            *line_item_id as i64,
            quantity,
            total,
            tax
        ])?;
    }
    Ok(())
}
