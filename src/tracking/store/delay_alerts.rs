//! Delay alerts (`delay_alerts`): raised while a rule holds, resolved when it stops.

use rusqlite::{Connection, OptionalExtension};

use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    pub id: u64,
    pub order_id: OrderId,
    /// `None`: the order as a whole (stored as 0).
    pub shipment_id: Option<ShipmentId>,
    pub code: String,
    pub due_at: String,
    pub raised_at: String,
}

/// Shipment 0 in `delay_alerts` is the order itself.
fn parcel(id: i64) -> Option<ShipmentId> {
    (id != 0).then(|| ShipmentId::new(id as u64))
}

fn alert(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get::<_, i64>(0)? as u64,
        order_id: r.get(1)?,
        shipment_id: parcel(r.get(2)?),
        code: r.get(3)?,
        due_at: r.get(4)?,
        raised_at: r.get(5)?,
    })
}

const HAS_ACTIVE: &str = "SELECT 1 FROM delay_alerts
    WHERE store_id = ?1 AND order_id = ?2 AND resolved_at IS NULL LIMIT 1";
// No ORDER BY: sorting in SQL made the planner walk the store's open alerts in
// `raised_at` order (`delay_alerts_open`) instead of searching the order's own; the few
// rows are sorted after.
const ACTIVE: &str = "SELECT id, order_id, shipment_id, code, due_at, raised_at FROM delay_alerts
    WHERE store_id = ?1 AND order_id = ?2 AND resolved_at IS NULL";

pub fn has_active_alerts(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(HAS_ACTIVE)?
        .query_row((store_id, order_id), |_| Ok(()))
        .optional()?
        .is_some())
}

pub fn active_alerts(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<AlertRow>, StoreError> {
    let mut stmt = conn.prepare_cached(ACTIVE)?;
    let mut rows = stmt
        .query_map((store_id, order_id), alert)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by(|a, b| (&a.raised_at, a.id).cmp(&(&b.raised_at, b.id)));
    Ok(rows)
}

/// Records a newly active alert and returns its id.
pub fn raise(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    shipment_id: Option<ShipmentId>,
    code: &str,
    due_at: &str,
    now: &Stamp,
) -> Result<u64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO delay_alerts (store_id, order_id, shipment_id, code, due_at, raised_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        store_id,
        order_id,
        shipment_id.map_or(0, |id| id.get() as i64),
        code,
        due_at,
        now,
    ))?;
    Ok(conn.last_insert_rowid() as u64)
}

pub fn resolve(conn: &Connection, id: u64, now: &Stamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE delay_alerts SET resolved_at = ?2 WHERE id = ?1 AND resolved_at IS NULL",
    )?
    .execute((id as i64, now))?;
    Ok(())
}

/// One page of a store's orders (id, number) with active alerts, the longest-waiting
/// first; and how many such orders there are.
pub fn orders_with_alerts(
    conn: &Connection,
    store_id: &StoreId,
    code: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<(OrderId, String)>, u64), StoreError> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT COUNT(DISTINCT order_id) FROM delay_alerts
             WHERE store_id = ?1 AND resolved_at IS NULL AND (?2 IS NULL OR code = ?2)",
        )?
        .query_row((store_id, code), |r| r.get(0))?;
    let orders = conn
        .prepare_cached(
            "SELECT a.order_id, COALESCE(o.number, CAST(a.order_id AS TEXT))
             FROM delay_alerts a
             LEFT JOIN orders o ON o.store_id = a.store_id AND o.order_id = a.order_id
             WHERE a.store_id = ?1 AND a.resolved_at IS NULL AND (?2 IS NULL OR a.code = ?2)
             GROUP BY a.order_id ORDER BY MIN(a.raised_at), a.order_id LIMIT ?3 OFFSET ?4",
        )?
        .query_map((store_id, code, limit, offset as i64), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((orders, total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::in_memory;

    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        stmt.query_map(("s", 1), |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Every push and every delay evaluation reads one order's active alerts: that must be
    /// a search of the order's own alerts, not a walk through every open alert of the store
    /// (with thousands open, pushes slowed to a few hundred a second).
    #[test]
    fn an_orders_active_alerts_are_searched_by_order() {
        let conn = in_memory();
        let check = |conn: &Connection, when: &str| {
            for sql in [ACTIVE, HAS_ACTIVE] {
                let plan = plan(conn, sql);
                assert!(
                    plan.iter()
                        .any(|s| s.contains("delay_alerts_active (store_id=? AND order_id=?)")),
                    "{when}: {sql}: {plan:?}"
                );
            }
        };
        check(&conn, "empty");
        // A store with many open alerts over many orders, its statistics gathered.
        let now = Stamp::test("2026-12-01T00:00:00.000Z");
        for order in 1..=2000 {
            raise(
                &conn,
                &StoreId::test("s"),
                OrderId::new(order),
                None,
                "late",
                &now,
                &now,
            )
            .unwrap();
        }
        conn.execute_batch("ANALYZE").unwrap();
        check(&conn, "analyzed");
    }
}
