//! Keeps an order's recorded delay alerts equal to what the rules say now: raises the new
//! ones (each with a `notify_delay` outbox job for the notification feature), resolves the
//! ones whose condition cleared, and flags whether time alone can still change anything.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::Connection;

use super::TrackingSettings;
use super::calendar::Calendar;
use super::delays::{self, Breach, OrderFacts};
use super::eta::{self, EtaInput};
use super::status::ParcelStatus;
use super::store::delay_alerts::{self, AlertRow};
use super::store::order_tracking as rows;
use super::store::shipments::{self, ShipmentRow};
use crate::ids::{OrderId, StoreId};
use crate::jobs::{self, JobKind};
use crate::store::StoreError;
use crate::time;

/// What changed for one order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Evaluated {
    /// Alert ids newly raised.
    pub raised: Vec<u64>,
    /// Alert ids resolved.
    pub resolved: Vec<u64>,
}

pub fn parcel_status(row: &ShipmentRow) -> ParcelStatus {
    ParcelStatus::parse(&row.status).unwrap_or(ParcelStatus::Shipped)
}

/// The ETA of a stored parcel; `cal` is the store's calendar.
pub fn parcel_eta(
    row: &ShipmentRow,
    settings: &TrackingSettings,
    cal: &Calendar,
) -> Option<Timestamp> {
    eta::estimate(
        EtaInput {
            carrier: &row.carrier,
            status: parcel_status(row),
            shipped_at: row.shipped_at.as_deref().and_then(time::parse),
            carrier_eta: row.carrier_eta.as_deref().and_then(time::parse),
        },
        settings,
        cal,
    )
}

/// Re-evaluates one order's alerts at `now`, in the caller's transaction; `zone` is the
/// store's time zone (business days are counted in it).
pub fn evaluate_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    settings: &TrackingSettings,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Evaluated, StoreError> {
    let cal = settings.calendar(zone);
    let facts = rows::rule_facts(conn, store_id, order_id)?;
    let (breaches, watch) = match &facts {
        Some(f) if f.visible => {
            let live = shipments::for_order(conn, store_id, order_id, false)?;
            let order = OrderFacts {
                status: f.order_status.clone(),
                ready_at: f.ready_at.as_deref().and_then(time::parse),
                ships: f.ships,
                parcels: live
                    .iter()
                    .map(|s| delays::ParcelFacts {
                        id: s.id,
                        status: parcel_status(s),
                        last_event_at: s.last_event_at.as_deref().and_then(time::parse),
                        eta: parcel_eta(s, settings, &cal),
                        carrier_silent_at: s.carrier_silent_at.as_deref().and_then(time::parse),
                    })
                    .collect(),
            };
            let breaches = delays::evaluate(&order, &settings.delays, &cal, now);
            let watch = delays::still_watched(&order, &settings.delays, &cal, now);
            (breaches, watch)
        }
        // Trashed, a draft, or unknown: nothing to watch, every alert resolves.
        _ => (Vec::new(), false),
    };
    let active = delay_alerts::active_alerts(conn, store_id, order_id)?;
    let stamp = time::millis(now);
    let mut out = Evaluated::default();
    for alert in &active {
        if !breaches.iter().any(|b| same(b, alert)) {
            delay_alerts::resolve(conn, alert.id, &stamp)?;
            out.resolved.push(alert.id);
        }
    }
    for breach in &breaches {
        if !active.iter().any(|a| same(breach, a)) {
            let id = delay_alerts::raise(
                conn,
                store_id,
                order_id,
                breach.shipment_id,
                breach.code.as_str(),
                &time::seconds(breach.due_at),
                &stamp,
            )?;
            jobs::enqueue(conn, store_id, JobKind::NotifyDelay, order_id, id, &stamp)?;
            out.raised.push(id);
        }
    }
    if facts.is_some() {
        rows::set_watch(conn, store_id, order_id, watch)?;
    }
    Ok(out)
}

fn same(breach: &Breach, alert: &AlertRow) -> bool {
    breach.shipment_id == alert.shipment_id && breach.code.as_str() == alert.code
}
