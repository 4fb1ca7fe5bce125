//! The order mirror: one row per (store, order), line items beside it.
//!
//! The rules that keep the mirror right whatever order deliveries arrive in:
//! a strictly older `date_modified` is stale; the same body again is a duplicate;
//! a trashed order is marked, never erased.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;
use crate::time;
use crate::time::Stamp;
use crate::woo::Order;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Inserted,
    Updated,
    Duplicate,
    Stale,
}

/// How the incoming body relates to the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `order.created` / `order.updated`, or a fetch through the REST API.
    Update,
    /// `order.restored`: takes the order out of the trash.
    Restore,
}

struct Existing {
    date_modified: String,
    body_sha256: Vec<u8>,
    trashed_at: Option<String>,
    customer_id: i64,
    date_created: String,
}

/// Applies one order body to the mirror.
pub fn apply(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    raw: &str,
    body_sha256: &[u8; 32],
    source: Source,
    now: &Stamp,
) -> Result<Applied, StoreError> {
    let existing = conn
        .prepare_cached(
            "SELECT date_modified, body_sha256, trashed_at, customer_id, date_created FROM orders
             WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row((store_id, order.id), |row| {
            Ok(Existing {
                date_modified: row.get(0)?,
                body_sha256: row.get(1)?,
                trashed_at: row.get(2)?,
                customer_id: row.get(3)?,
                date_created: row.get(4)?,
            })
        })
        .optional()?;

    let incoming_modified = time::seconds(order.date_modified_gmt.0);
    let trashed_at = match &existing {
        None => {
            let tombstone = take_tombstone(conn, store_id, order.id)?;
            if order.status == "trash" || tombstone.is_some() {
                trash_state(order, source, tombstone.as_deref(), now)
            } else {
                None
            }
        }
        Some(e) => {
            let stored = time::parse(&e.date_modified).ok_or_else(|| {
                StoreError::Corrupt(format!("date_modified `{}`", e.date_modified))
            })?;
            if order.date_modified_gmt.0 < stored {
                return Ok(Applied::Stale);
            }
            let restoring = source == Source::Restore && e.trashed_at.is_some();
            if e.body_sha256 == body_sha256[..] && !restoring {
                return Ok(Applied::Duplicate);
            }
            trash_state(order, source, e.trashed_at.as_deref(), now)
        }
    };

    let customer_id = order.customer_id as i64;
    let date_created = time::seconds(order.date_created_gmt.0);
    let row = rusqlite::params![
        store_id,
        order.id,
        order.display_number(),
        order.status,
        order.is_checkout_draft(),
        customer_id,
        order.billing.email.as_deref().unwrap_or(""),
        order.currency,
        order.prices_include_tax,
        order.subtotal().to_string(),
        order.discount_total.to_string(),
        order.discount_tax.to_string(),
        order.shipping_total.to_string(),
        order.shipping_tax.to_string(),
        order.cart_tax.to_string(),
        order.total_tax.to_string(),
        order.total.to_string(),
        order.payment_method,
        order.payment_method_title,
        order.order_key,
        date_created,
        incoming_modified,
        order.date_paid_gmt.map(|d| time::seconds(d.0)),
        order.date_completed_gmt.map(|d| time::seconds(d.0)),
        trashed_at,
        &body_sha256[..],
        raw,
        now,
    ];
    match &existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO orders (
                    store_id, order_id, number, status, is_draft, customer_id, billing_email,
                    currency, prices_include_tax, subtotal, discount_total, discount_tax,
                    shipping_total, shipping_tax, cart_tax, total_tax, total, payment_method,
                    payment_method_title, order_key, date_created, date_modified, date_paid,
                    date_completed, trashed_at, body_sha256, raw, mirrored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
            )?
            .execute(row)?;
        }
        Some(e) => {
            // The customer and the creation date lead two indexes and seldom change: an
            // update that assigned them would rewrite those index entries (a page each, in
            // the commit) to the same values.
            conn.prepare_cached(
                "UPDATE orders SET
                    number = ?3, status = ?4, is_draft = ?5, billing_email = ?7, currency = ?8,
                    prices_include_tax = ?9, subtotal = ?10, discount_total = ?11,
                    discount_tax = ?12, shipping_total = ?13, shipping_tax = ?14,
                    cart_tax = ?15, total_tax = ?16, total = ?17, payment_method = ?18,
                    payment_method_title = ?19, order_key = ?20, date_modified = ?22,
                    date_paid = ?23, date_completed = ?24, trashed_at = ?25,
                    body_sha256 = ?26, raw = ?27, mirrored_at = ?28
                 WHERE store_id = ?1 AND order_id = ?2",
            )?
            .execute(row)?;
            if e.customer_id != customer_id || e.date_created != date_created {
                conn.prepare_cached(
                    "UPDATE orders SET customer_id = ?3, date_created = ?4
                     WHERE store_id = ?1 AND order_id = ?2",
                )?
                .execute((store_id, order.id, customer_id, &date_created))?;
            }
        }
    }
    write_line_items(conn, store_id, order, existing.is_none())?;
    Ok(if existing.is_some() {
        Applied::Updated
    } else {
        Applied::Inserted
    })
}

/// Whether an accepted body leaves the order in the trash.
fn trash_state(
    order: &Order,
    source: Source,
    trashed_at: Option<&str>,
    now: &Stamp,
) -> Option<String> {
    if order.status == "trash" {
        return Some(trashed_at.unwrap_or(now).to_owned());
    }
    match (source, trashed_at) {
        (Source::Restore, _) | (_, None) => None,
        // A body modified after we learned of the trash was saved after a restore whose
        // own webhook we never saw; anything older says nothing about the trash.
        (Source::Update, Some(t)) => match time::parse(t) {
            Some(t) if order.date_modified_gmt.0 > t => None,
            _ => Some(t.to_owned()),
        },
    }
}

/// Makes the order's mirrored lines its own: lines no longer on the order go, each line is
/// written only where it changed (most updates change a status or a note, not the lines:
/// rewriting them would cost the writer, which everyone waits on, for nothing).
fn write_line_items(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    first: bool,
) -> Result<(), StoreError> {
    if !first {
        let on_order: Vec<i64> = order.line_items.iter().map(|l| l.id as i64).collect();
        conn.prepare_cached(
            "DELETE FROM line_items WHERE store_id = ?1 AND order_id = ?2
               AND line_item_id NOT IN (SELECT value FROM json_each(?3))",
        )?
        .execute((
            store_id,
            order.id,
            serde_json::to_string(&on_order).expect("ids serialize"),
        ))?;
    }
    let mut upsert = conn.prepare_cached(
        "INSERT INTO line_items (
            store_id, order_id, line_item_id, position, product_id, variation_id, name, sku,
            quantity, price, subtotal, subtotal_tax, total, total_tax, taxes, meta, image_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (store_id, order_id, line_item_id) DO UPDATE SET
            position = excluded.position, product_id = excluded.product_id,
            variation_id = excluded.variation_id, name = excluded.name, sku = excluded.sku,
            quantity = excluded.quantity, price = excluded.price, subtotal = excluded.subtotal,
            subtotal_tax = excluded.subtotal_tax, total = excluded.total,
            total_tax = excluded.total_tax, taxes = excluded.taxes, meta = excluded.meta,
            image_url = excluded.image_url
         WHERE (position, product_id, variation_id, name, sku, quantity, price, subtotal,
                subtotal_tax, total, total_tax, taxes, meta, image_url)
            IS NOT (excluded.position, excluded.product_id, excluded.variation_id,
                excluded.name, excluded.sku, excluded.quantity, excluded.price,
                excluded.subtotal, excluded.subtotal_tax, excluded.total, excluded.total_tax,
                excluded.taxes, excluded.meta, excluded.image_url)",
    )?;
    for (position, item) in order.line_items.iter().enumerate() {
        upsert.execute(rusqlite::params![
            store_id,
            order.id,
            item.id as i64,
            position as i64,
            item.product_id as i64,
            item.variation_id as i64,
            item.name,
            item.sku,
            item.quantity,
            item.price.to_string(),
            item.subtotal.to_string(),
            item.subtotal_tax.to_string(),
            item.total.to_string(),
            item.total_tax.to_string(),
            serde_json::to_string(&item.taxes).expect("taxes serialize"),
            serde_json::to_string(&item.meta_data).expect("meta serializes"),
            item.image
                .as_ref()
                .map(|i| i.src.as_str())
                .filter(|s| !s.is_empty()),
        ])?;
    }
    Ok(())
}

/// Marks an order trashed (`order.deleted`). Returns false when the order is not mirrored
/// yet; the deletion is then remembered for the order's first body (see `apply`).
pub fn trash(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    now: &Stamp,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET trashed_at = COALESCE(trashed_at, ?3)
             WHERE store_id = ?1 AND order_id = ?2",
        )?
        .execute((store_id, order_id, now))?;
    if changed == 0 {
        conn.prepare_cached(
            "INSERT INTO order_tombstones (store_id, order_id, trashed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (store_id, order_id) DO NOTHING",
        )?
        .execute((store_id, order_id, now))?;
    }
    Ok(changed > 0)
}

/// The remembered deletion of an order that was not mirrored when it arrived, consumed.
fn take_tombstone(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM order_tombstones WHERE store_id = ?1 AND order_id = ?2
             RETURNING trashed_at",
        )?
        .query_row((store_id, order_id), |row| row.get(0))
        .optional()?)
}

/// An order a customer-facing view may show: not a checkout draft, not trashed.
pub struct VisibleOrder {
    pub order_id: OrderId,
    pub customer_id: u64,
    pub billing_email: String,
    pub order_key: String,
    pub raw: String,
}

pub fn find_visible(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<VisibleOrder>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT customer_id, billing_email, order_key, raw FROM orders
             WHERE store_id = ?1 AND order_id = ?2 AND is_draft = 0 AND trashed_at IS NULL",
        )?
        .query_row((store_id, order_id), |row| {
            Ok(VisibleOrder {
                order_id,
                customer_id: row.get::<_, i64>(0)? as u64,
                billing_email: row.get(1)?,
                order_key: row.get(2)?,
                raw: row.get(3)?,
            })
        })
        .optional()?)
}

impl VisibleOrder {
    /// The mirrored order itself.
    pub fn order(&self) -> Result<Order, StoreError> {
        parse(self.order_id, &self.raw)
    }
}

/// One line of a customer's order list, straight from the typed columns.
pub struct SummaryRow {
    pub order_id: OrderId,
    pub number: String,
    pub status: String,
    pub currency: String,
    pub total: String,
    pub date_created: String,
    pub date_paid: Option<String>,
    pub item_count: i64,
}

/// A customer's visible orders, newest first, and how many there are in all.
pub fn list_for_customer(
    conn: &Connection,
    store_id: &StoreId,
    customer_id: u64,
    limit: u32,
    offset: u64,
) -> Result<(Vec<SummaryRow>, u64), StoreError> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM orders
             WHERE store_id = ?1 AND customer_id = ?2 AND is_draft = 0 AND trashed_at IS NULL",
        )?
        .query_row((store_id, customer_id as i64), |r| r.get(0))?;
    let rows = conn
        .prepare_cached(
            "SELECT o.order_id, o.number, o.status, o.currency, o.total, o.date_created,
                    o.date_paid,
                    (SELECT COALESCE(SUM(quantity), 0) FROM line_items li
                     WHERE li.store_id = o.store_id AND li.order_id = o.order_id)
             FROM orders o
             WHERE o.store_id = ?1 AND o.customer_id = ?2 AND o.is_draft = 0
               AND o.trashed_at IS NULL
             ORDER BY o.date_created DESC, o.order_id DESC
             LIMIT ?3 OFFSET ?4",
        )?
        .query_map(
            (store_id, customer_id as i64, limit, offset as i64),
            |row| {
                Ok(SummaryRow {
                    order_id: row.get(0)?,
                    number: row.get(1)?,
                    status: row.get(2)?,
                    currency: row.get(3)?,
                    total: row.get(4)?,
                    date_created: row.get(5)?,
                    date_paid: row.get(6)?,
                    item_count: row.get(7)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

/// Any mirrored order (drafts and trashed included), for background work.
pub fn load_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<Order>, StoreError> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT raw FROM orders WHERE store_id = ?1 AND order_id = ?2")?
        .query_row((store_id, order_id), |r| r.get(0))
        .optional()?;
    raw.map(|raw| parse(order_id, &raw)).transpose()
}

/// The newest mirrored order's `date_created` (the site's wall clock) and
/// `date_created_gmt`, as WooCommerce sent them: their difference is the shop's UTC offset
/// when the order was placed. Looks at the few most recently modified orders (an index
/// walk, not a scan) and takes the one created last.
pub fn newest_creation_dates(
    conn: &Connection,
    store_id: &StoreId,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT local, gmt FROM (
                 SELECT json_extract(raw, '$.date_created') AS local,
                        json_extract(raw, '$.date_created_gmt') AS gmt, date_created
                 FROM orders WHERE store_id = ?1 ORDER BY date_modified DESC LIMIT 20)
             WHERE typeof(local) = 'text' AND typeof(gmt) = 'text'
             ORDER BY date_created DESC LIMIT 1",
        )?
        .query_row([store_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A mirrored body back into an order. Only bodies that parsed are ever mirrored, so one
/// that no longer does is corrupt data, not bad input.
pub fn parse(order_id: OrderId, raw: &str) -> Result<Order, StoreError> {
    serde_json::from_str(raw)
        .map_err(|e| StoreError::Corrupt(format!("mirrored order {order_id} does not parse: {e}")))
}

/// What the mirror holds of an order, to compare with a REST fetch before writing.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub date_modified: String,
    pub raw: String,
    pub trashed: bool,
}

/// Snapshots of the given orders that the mirror has (at most a page of ids at a time).
pub fn snapshots(
    conn: &Connection,
    store_id: &StoreId,
    order_ids: &[OrderId],
) -> Result<std::collections::HashMap<OrderId, Snapshot>, StoreError> {
    let mut found = std::collections::HashMap::new();
    // SQLite's default limit on host parameters is 32766; stay far below it.
    for chunk in order_ids.chunks(500) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT order_id, date_modified, raw, trashed_at IS NOT NULL FROM orders
             WHERE store_id = ? AND order_id IN ({placeholders})"
        );
        let mut statement = conn.prepare(&sql)?;
        let params = std::iter::once(rusqlite::types::Value::Text(store_id.to_string())).chain(
            chunk
                .iter()
                .map(|id| rusqlite::types::Value::Integer(id.get() as i64)),
        );
        let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
            Ok((
                row.get::<_, OrderId>(0)?,
                Snapshot {
                    date_modified: row.get(1)?,
                    raw: row.get(2)?,
                    trashed: row.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (id, snapshot) = row?;
            found.insert(id, snapshot);
        }
    }
    Ok(found)
}

/// Line item ids and units of an order, in the order's own sequence.
pub fn line_quantities(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<(u64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT line_item_id, quantity FROM line_items
         WHERE store_id = ?1 AND order_id = ?2 ORDER BY position",
    )?;
    let rows = stmt
        .query_map((store_id, order_id), |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// When the order was placed (`date_created_gmt`), if it is mirrored.
pub fn created_at(
    conn: &Connection,
    store_id: &str,
    order_id: OrderId,
) -> Result<Option<Timestamp>, StoreError> {
    let created: Option<String> = conn
        .prepare_cached("SELECT date_created FROM orders WHERE store_id = ?1 AND order_id = ?2")?
        .query_row((store_id, order_id), |r| r.get(0))
        .optional()?;
    Ok(created.as_deref().and_then(time::parse))
}

/// True when the order exists and a customer-facing view may show it.
pub fn is_visible(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM orders
             WHERE store_id = ?1 AND order_id = ?2 AND is_draft = 0 AND trashed_at IS NULL",
        )?
        .query_row((store_id, order_id), |_| Ok(()))
        .optional()?
        .is_some())
}
