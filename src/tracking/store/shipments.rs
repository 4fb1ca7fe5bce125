//! Parcels, what they carry, and their events.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row};

use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::jobs::{self, JobKind};
use crate::store::StoreError;
use crate::time::Stamp;

pub const SOURCE_WOOCOMMERCE: &str = "woocommerce";
pub const SOURCE_API: &str = "api";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: ShipmentId,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub source: String,
    pub number_key: String,
    pub carrier: String,
    pub carrier_name: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
    pub shipped_at: Option<String>,
    pub status: String,
    pub last_event_at: Option<String>,
    pub carrier_eta: Option<String>,
    pub delivered_at: Option<String>,
    pub removed_at: Option<String>,
    /// When its tracking feed declared the carrier silent (the provider found nothing, or
    /// gave up, for days); cleared by a newer event.
    pub carrier_silent_at: Option<String>,
    /// (line item id, units), by line item id; empty: the whole order.
    pub items: Vec<(u64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: u64,
    pub shipment_id: ShipmentId,
    pub status: String,
    pub occurred_at: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub eta: Option<String>,
}

const COLUMNS: &str = "s.id, s.store_id, s.order_id, s.source, s.number_key, s.carrier,
    s.carrier_name, s.tracking_number, s.tracking_url, s.shipped_at, s.status,
    s.last_event_at, s.carrier_eta, s.delivered_at, s.removed_at, s.carrier_silent_at";

fn shipment(row: &Row<'_>) -> rusqlite::Result<ShipmentRow> {
    Ok(ShipmentRow {
        id: row.get(0)?,
        store_id: row.get(1)?,
        order_id: row.get(2)?,
        source: row.get(3)?,
        number_key: row.get(4)?,
        carrier: row.get(5)?,
        carrier_name: row.get(6)?,
        tracking_number: row.get(7)?,
        tracking_url: row.get(8)?,
        shipped_at: row.get(9)?,
        status: row.get(10)?,
        last_event_at: row.get(11)?,
        carrier_eta: row.get(12)?,
        delivered_at: row.get(13)?,
        removed_at: row.get(14)?,
        carrier_silent_at: row.get(15)?,
        items: Vec::new(),
    })
}

/// Collects `shipment LEFT JOIN items` rows (ordered by shipment) into shipments.
fn with_items(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
) -> Result<Vec<ShipmentRow>, StoreError> {
    let mut out: Vec<ShipmentRow> = Vec::new();
    let mut rows = stmt.query(params)?;
    while let Some(row) = rows.next()? {
        let id: ShipmentId = row.get(0)?;
        if out.last().is_none_or(|s| s.id != id) {
            out.push(shipment(row)?);
        }
        if let Some(line) = row.get::<_, Option<i64>>(16)? {
            let quantity: i64 = row.get(17)?;
            out.last_mut()
                .expect("pushed above")
                .items
                .push((line as u64, quantity));
        }
    }
    Ok(out)
}

/// An order's parcels with their items, oldest first. Removed ones only when asked.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    include_removed: bool,
) -> Result<Vec<ShipmentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, i.line_item_id, i.quantity
         FROM shipments s LEFT JOIN shipment_items i ON i.shipment_id = s.id
         WHERE s.store_id = ?1 AND s.order_id = ?2 AND (?3 OR s.removed_at IS NULL)
         ORDER BY s.id, i.line_item_id"
    ))?;
    with_items(&mut stmt, (store_id, order_id, include_removed))
}

/// The parcels (without items) of several orders, for the order list.
pub fn for_orders(
    conn: &Connection,
    store_id: &StoreId,
    order_ids: &[OrderId],
) -> Result<HashMap<OrderId, Vec<ShipmentRow>>, StoreError> {
    let ids = serde_json::to_string(order_ids).expect("ids serialize");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM shipments s
         WHERE s.store_id = ?1 AND s.order_id IN (SELECT value FROM json_each(?2))
           AND s.removed_at IS NULL
         ORDER BY s.order_id, s.id"
    ))?;
    let mut out: HashMap<OrderId, Vec<ShipmentRow>> = HashMap::new();
    for row in stmt.query_map((store_id, ids), shipment)? {
        let row = row?;
        out.entry(row.order_id).or_default().push(row);
    }
    Ok(out)
}

/// One parcel of this store, with its items, removed or not.
pub fn find(
    conn: &Connection,
    store_id: &StoreId,
    id: ShipmentId,
) -> Result<Option<ShipmentRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, i.line_item_id, i.quantity
         FROM shipments s LEFT JOIN shipment_items i ON i.shipment_id = s.id
         WHERE s.id = ?1 AND s.store_id = ?2
         ORDER BY i.line_item_id"
    ))?;
    Ok(with_items(&mut stmt, (id, store_id))?.pop())
}

/// An order's events, newest first (by when they happened, then by arrival).
pub fn events_for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<EventRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.shipment_id, e.status, e.occurred_at, e.location, e.description, e.eta
         FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id
         WHERE s.store_id = ?1 AND s.order_id = ?2 AND s.removed_at IS NULL
         ORDER BY e.occurred_at DESC, e.id DESC",
    )?;
    let rows = stmt
        .query_map((store_id, order_id), |r| {
            let text = |i| -> rusqlite::Result<Option<String>> {
                Ok(Some(r.get::<_, String>(i)?).filter(|s| !s.is_empty()))
            };
            Ok(EventRow {
                id: r.get::<_, i64>(0)? as u64,
                shipment_id: r.get(1)?,
                status: r.get(2)?,
                occurred_at: r.get(3)?,
                location: text(4)?,
                description: text(5)?,
                eta: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The store's parcels still on their way (not removed, delivered or returned), as
/// (order, parcel).
pub fn travelling(
    conn: &Connection,
    store_id: &StoreId,
) -> Result<Vec<(OrderId, ShipmentId)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT order_id, id FROM shipments
         WHERE store_id = ?1 AND removed_at IS NULL AND status NOT IN ('delivered', 'returned')",
    )?;
    let rows = stmt
        .query_map([store_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub struct NewShipment<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub source: &'a str,
    pub number_key: &'a str,
    pub carrier: &'a str,
    pub carrier_name: &'a str,
    pub tracking_number: &'a str,
    pub tracking_url: Option<&'a str>,
    pub shipped_at: Option<&'a str>,
    pub items: &'a [(u64, i64)],
}

/// Inserts a parcel and its items. `None` when the order already has this number.
pub fn insert(
    conn: &Connection,
    new: &NewShipment<'_>,
    now: &Stamp,
) -> Result<Option<ShipmentId>, StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO shipments (store_id, order_id, source, number_key, carrier, carrier_name,
                tracking_number, tracking_url, shipped_at, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'shipped', ?10, ?10)
             ON CONFLICT (store_id, order_id, number_key) DO NOTHING",
        )?
        .execute(rusqlite::params![
            new.store_id,
            new.order_id,
            new.source,
            new.number_key,
            new.carrier,
            new.carrier_name,
            new.tracking_number,
            new.tracking_url,
            new.shipped_at,
            now,
        ])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = ShipmentId::new(conn.last_insert_rowid() as u64);
    // A new parcel is news for the customer; notifications decide whether to tell.
    jobs::enqueue(
        conn,
        new.store_id,
        JobKind::NotifyParcel,
        new.order_id,
        id.get(),
        now,
    )?;
    let mut item = conn.prepare_cached(
        "INSERT INTO shipment_items (shipment_id, line_item_id, quantity) VALUES (?1, ?2, ?3)",
    )?;
    for (line, quantity) in new.items {
        item.execute((id, *line as i64, quantity))?;
    }
    Ok(Some(id))
}

/// What the order's meta says of a parcel it owns; clears `removed_at` if it was set.
pub struct MetaUpdate<'a> {
    pub carrier: &'a str,
    pub carrier_name: &'a str,
    pub tracking_number: &'a str,
    pub tracking_url: Option<&'a str>,
    pub shipped_at: Option<&'a str>,
}

pub fn update_from_meta(
    conn: &Connection,
    id: ShipmentId,
    update: &MetaUpdate<'_>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE shipments SET carrier = ?2, carrier_name = ?3, tracking_number = ?4,
            tracking_url = ?5, shipped_at = ?6, removed_at = NULL, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        update.carrier,
        update.carrier_name,
        update.tracking_number,
        update.tracking_url,
        update.shipped_at,
        now,
    ])?;
    Ok(())
}

/// The tracking item is gone from the order's meta: hide the parcel, keep its history.
pub fn mark_removed(conn: &Connection, id: ShipmentId, now: &Stamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE shipments SET removed_at = ?2, updated_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
    )?
    .execute((id, now))?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub status: &'a str,
    pub occurred_at: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub eta: Option<&'a str>,
}

/// Records an event and re-derives the parcel's status. Returns the event's id and
/// whether it is new (an identical event is recorded once).
pub fn add_event(
    conn: &Connection,
    shipment_id: ShipmentId,
    event: &NewEvent<'_>,
    now: &Stamp,
) -> Result<(u64, bool), StoreError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO shipment_events
                (shipment_id, status, occurred_at, location, description, eta, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO NOTHING",
        )?
        .execute(rusqlite::params![
            shipment_id,
            event.status,
            event.occurred_at,
            event.location,
            event.description,
            event.eta,
            now,
        ])?;
    let (id, new) = match inserted {
        1 => (conn.last_insert_rowid(), true),
        _ => {
            let id = conn
                .prepare_cached(
                    "SELECT id FROM shipment_events WHERE shipment_id = ?1 AND status = ?2
                     AND occurred_at = ?3 AND location = ?4 AND description = ?5",
                )?
                .query_row(
                    (
                        shipment_id,
                        event.status,
                        event.occurred_at,
                        event.location,
                        event.description,
                    ),
                    |r| r.get(0),
                )?;
            (id, false)
        }
    };
    if new {
        // A newer event than any before is the carrier speaking again.
        conn.prepare_cached(
            "UPDATE shipments SET carrier_silent_at = NULL
             WHERE id = ?1 AND carrier_silent_at IS NOT NULL
               AND (last_event_at IS NULL OR last_event_at < ?2)",
        )?
        .execute((shipment_id, event.occurred_at))?;
        refresh_status(conn, shipment_id, now)?;
    }
    Ok((id as u64, new))
}

/// A tracking feed found nothing of the parcel for days, or its provider gave up on it:
/// `at` is when (kept if already set); `None` clears it.
pub fn set_carrier_silent(
    conn: &Connection,
    shipment_id: ShipmentId,
    at: Option<&str>,
    now: &Stamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE shipments SET carrier_silent_at = ?2, updated_at = ?3
             WHERE id = ?1 AND (?2 IS NULL) = (carrier_silent_at IS NOT NULL)",
        )?
        .execute(rusqlite::params![shipment_id, at, now])?;
    Ok(changed > 0)
}

/// Sets the carrier's estimate on a recorded event (a feed's estimate can change without a
/// new scan) and re-derives the parcel. True when it changed.
pub fn set_event_eta(
    conn: &Connection,
    shipment_id: ShipmentId,
    event_id: u64,
    eta: &str,
    now: &Stamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE shipment_events SET eta = ?3 WHERE id = ?2 AND shipment_id = ?1 AND eta IS NOT ?3",
        )?
        .execute(rusqlite::params![shipment_id, event_id as i64, eta])?;
    if changed > 0 {
        refresh_status(conn, shipment_id, now)?;
    }
    Ok(changed > 0)
}

/// Re-derives status, last event time, the carrier's ETA and the delivery time from the
/// events: events may arrive in any order, the newest by `occurred_at` decides.
fn refresh_status(
    conn: &Connection,
    shipment_id: ShipmentId,
    now: &Stamp,
) -> Result<(), StoreError> {
    let newest: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT status, occurred_at FROM shipment_events WHERE shipment_id = ?1
             ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )?
        .query_row([shipment_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let eta: Option<String> = conn
        .prepare_cached(
            "SELECT eta FROM shipment_events WHERE shipment_id = ?1 AND eta IS NOT NULL
             ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )?
        .query_row([shipment_id], |r| r.get(0))
        .optional()?;
    let (status, last) = match &newest {
        Some((status, at)) => (status.as_str(), Some(at.as_str())),
        None => ("shipped", None),
    };
    let delivered_at = (status == "delivered").then_some(last).flatten();
    let (store_id, order_id, before): (StoreId, OrderId, String) = conn
        .prepare_cached("SELECT store_id, order_id, status FROM shipments WHERE id = ?1")?
        .query_row([shipment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if before != status {
        // Only a change of status is news: a repeated or older event changes nothing.
        jobs::enqueue(
            conn,
            &store_id,
            JobKind::NotifyParcel,
            order_id,
            shipment_id.get(),
            now,
        )?;
    }
    if status == "delivered" {
        // The order's NPS survey waits for its last delivery: it looks again now (surveys).
        jobs::store::enqueue_due(conn, &store_id, JobKind::SurveyDelivery, order_id, 0, now)?;
    }
    conn.prepare_cached(
        "UPDATE shipments SET status = ?2, last_event_at = ?3, carrier_eta = ?4,
            delivered_at = ?5, updated_at = ?6
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        shipment_id,
        status,
        last,
        eta,
        delivered_at,
        now
    ])?;
    Ok(())
}
