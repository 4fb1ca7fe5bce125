//! A return: its units per product and per reason, on the day the order was placed (so
//! that returned ÷ sold compares the same orders). Rejected and cancelled returns do not
//! count.

use rusqlite::{Connection, OptionalExtension};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::Measure;
use crate::store::StoreError;

pub fn contribution(conn: &Connection, ctx: &Context, id: i64) -> Result<Contribution, StoreError> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT r.status, o.date_created FROM returns r
             JOIN orders o ON o.store_id = r.store_id AND o.order_id = r.order_id
             WHERE r.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut c = Contribution::default();
    let Some((status, ordered)) = row else {
        return Ok(c);
    };
    if matches!(status.as_str(), "rejected" | "cancelled") {
        return Ok(c);
    }
    let Some(day) = Day::of_text(&ordered, &ctx.calendar) else {
        return Ok(c);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT l.product_id, i.quantity, i.reason, l.name FROM return_items i
         JOIN returns r ON r.id = i.return_id
         JOIN line_items l ON l.store_id = r.store_id AND l.order_id = r.order_id
                          AND l.line_item_id = i.line_item_id
         WHERE i.return_id = ?1",
    )?;
    let items = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for item in items {
        let (product, quantity, reason, name) = item?;
        if product > 0 {
            crate::insights::store::name_product(conn, &ctx.store, product, &name)?;
            c.count(Measure::Returned, product.to_string(), day, quantity);
        }
        c.count(Measure::ReturnedReason, reason, day, quantity);
    }
    Ok(c)
}
