//! A parcel, on the day it was shipped: delivered or not and in how long, late (its
//! expected date passed before delivery: an `eta_passed` alert), and whether the carrier
//! reported an exception or sent it back. Parcels taken off the order do not count.

use rusqlite::{Connection, OptionalExtension};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::{Measure, ValueMeasure};
use crate::store::StoreError;
use crate::time;

pub fn contribution(conn: &Connection, ctx: &Context, id: i64) -> Result<Contribution, StoreError> {
    type ParcelRow = (
        String,
        Option<String>,
        String,
        Option<String>,
        bool,
        bool,
        bool,
    );
    let row: Option<ParcelRow> = conn
        .prepare_cached(
            "SELECT s.carrier, s.shipped_at, s.created_at, s.delivered_at,
                    s.removed_at IS NOT NULL,
                    s.status IN ('exception', 'returned') OR EXISTS (
                        SELECT 1 FROM shipment_events e
                         WHERE e.shipment_id = s.id AND e.status IN ('exception', 'returned')),
                    EXISTS (SELECT 1 FROM delay_alerts a
                             WHERE a.shipment_id = s.id AND a.code = 'eta_passed')
             FROM shipments s WHERE s.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let mut c = Contribution::default();
    let Some((carrier, shipped_at, created_at, delivered_at, removed, exception, late)) = row
    else {
        return Ok(c);
    };
    if removed {
        return Ok(c);
    }
    let Some(shipped) = time::parse(shipped_at.as_deref().unwrap_or(&created_at)) else {
        return Ok(c);
    };
    let day = Day::of(shipped, &ctx.calendar);
    let key = carrier.as_str();
    c.count(Measure::Shipments, key, day, 1);
    if let Some(delivered) = delivered_at.as_deref().and_then(time::parse) {
        c.count(Measure::Delivered, key, day, 1);
        let seconds = delivered.duration_since(shipped).as_secs();
        if seconds >= 0 {
            c.value(ValueMeasure::Delivery, key, day, seconds);
        }
    }
    if late {
        c.count(Measure::Late, key, day, 1);
    }
    if exception {
        c.count(Measure::Exceptions, key, day, 1);
    }
    Ok(c)
}
