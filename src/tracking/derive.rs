//! What ingest does for tracking, inside the transaction that mirrors an order version:
//! give a new order its page token, bring its parcels in line with the tracking plugins'
//! meta, and derive its delivery state. A re-delivery that changes nothing tracking derives
//! costs one indexed read.
//!
//! Re-delivery never duplicates a parcel (one per tracking number and order). A tracking
//! item that disappears from the meta marks its parcel removed: hidden everywhere, events
//! kept, and shown again if the item comes back. Parcels created through the staff API
//! are never touched by the meta.

use rusqlite::Connection;

use jiff::Timestamp;

use super::TrackingSettings;
use super::delays::{self, OrderFacts};
use super::meta::{self, TrackedParcel};
use super::status::{self, DeliveryState, ParcelFacts, ParcelStatus};
use super::store::delay_alerts;
use super::store::order_tracking::{self as rows, TrackingRow};
use super::store::shipments::{self, MetaUpdate, NewShipment, SOURCE_WOOCOMMERCE, ShipmentRow};
use super::token::TrackingToken;
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::jobs::{self, JobKind};
use crate::orders::store as orders;
use crate::store::StoreError;
use crate::time;
use crate::time::Stamp;
use crate::woo::Order;

/// Whether a tracking feed follows the store's parcels. Only then does a parcel change
/// enqueue a `follow_parcel` job: a store without a feed pays no extra row in the ingest
/// transaction and no job run per parcel. Its callers know the store's feed settings;
/// tracking only needs this much of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParcelFeed {
    Followed,
    Unfollowed,
}

impl ParcelFeed {
    pub fn followed(yes: bool) -> Self {
        if yes {
            ParcelFeed::Followed
        } else {
            ParcelFeed::Unfollowed
        }
    }
}

/// What deriving reads from an order version without the database: its parcels as the
/// tracking plugins' meta lists them, and a hash of everything derived from it. Worked out
/// when the delivery is parsed, so the writer thread, which every delivery waits on, only
/// compares and writes.
#[derive(Debug)]
pub struct Derivable {
    parcels: Vec<TrackedParcel>,
    hash: i64,
}

impl Derivable {
    pub fn of(order: &Order) -> Derivable {
        let parcels = meta::parcels(&order.meta_data);
        let hash = source_hash(order, &parcels);
        Derivable { parcels, hash }
    }
}

/// Applies an accepted order version (`derivable` worked out from it); `first` when it is
/// the order's first. Enqueues a
/// delay evaluation only when one can change something now: an alert may be due (an
/// order paid over a day ago and not shipped), or the order has active alerts and what
/// the rules read changed. Everything else waits for the sweep, which watches the order
/// when a rule can still fire.
pub fn order_mirrored(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    derivable: &Derivable,
    first: bool,
    feed: ParcelFeed,
    now: &Stamp,
) -> Result<(), StoreError> {
    let Derivable { parcels, hash } = derivable;
    let hash = *hash;
    let previous = if first {
        None
    } else {
        rows::get(conn, store_id, order.id)?
    };
    if previous.as_ref().is_some_and(|p| p.source_hash == hash) {
        // The same parcels, status, payment and items as last time: nothing to derive.
        return Ok(());
    }
    let existing = if first {
        Vec::new()
    } else {
        shipments::for_order(conn, store_id, order.id, true)?
    };
    let changed = sync_parcels(conn, store_id, order, parcels, &existing, feed, now)?;
    // A first version's parcels are exactly its meta's: no events, contents unlisted.
    let live: Vec<Live> = if existing.is_empty() && !changed {
        Vec::new()
    } else if existing.is_empty() && first {
        parcels.iter().map(|_| Live::fresh()).collect()
    } else if changed {
        shipments::for_order(conn, store_id, order.id, false)?
            .iter()
            .map(Live::of)
            .collect()
    } else {
        existing
            .iter()
            .filter(|s| s.removed_at.is_none())
            .map(Live::of)
            .collect()
    };
    let lines: Vec<(u64, i64)> = order
        .line_items
        .iter()
        .map(|l| (l.id, l.quantity))
        .collect();
    let facts = OrderFacts {
        status: order.status.clone(),
        ready_at: ready_at(order),
        ships: ships(order),
        parcels: live.iter().map(|l| l.rule.clone()).collect(),
    };
    let state = status::delivery_state(
        &order.status,
        &lines,
        &live.iter().map(|l| l.state.clone()).collect::<Vec<_>>(),
    );
    let new_id = match &previous {
        Some(_) => None,
        None => Some(rows::next_id(conn)?),
    };
    let row = TrackingRow {
        token: match (&previous, new_id) {
            (Some(p), _) => p.token.clone(),
            (None, id) => TrackingToken::new(id.unwrap_or_default()),
        },
        delivery_state: state.as_str().to_owned(),
        order_status: order.status.clone(),
        ready_at: facts.ready_at.map(time::seconds),
        ships: facts.ships,
        watch: delays::watchable(&facts),
        source_hash: hash,
    };
    let facts_changed = previous.as_ref() != Some(&row);
    if row.ready_at.is_some() && previous.as_ref().is_none_or(|p| p.ready_at.is_none()) {
        // Paid (or cash on delivery accepted): notifications may confirm the order.
        crate::jobs::enqueue(
            conn,
            store_id,
            crate::jobs::JobKind::NotifyOrder,
            order.id,
            0,
            now,
        )?;
    }
    if facts_changed {
        match new_id {
            None => rows::update(conn, store_id, order.id, &row, now)?,
            Some(id) => rows::insert(conn, id, store_id, order.id, &row, now)?,
        }
    }
    let at = time::parse(now).unwrap_or_else(Timestamp::now);
    let evaluate = delays::may_be_due(&facts, at)
        || (previous.is_some()
            && (changed || facts_changed)
            && delay_alerts::has_active_alerts(conn, store_id, order.id)?);
    if evaluate {
        jobs::enqueue(conn, store_id, JobKind::EvaluateDelays, order.id, 0, now)?;
    }
    Ok(())
}

/// A hash of everything [`order_mirrored`] reads, to recognise a re-delivery that changes
/// nothing it derives. Stable for a build; a different build at worst derives once more.
fn source_hash(order: &Order, parcels: &[TrackedParcel]) -> i64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    order.status.hash(&mut h);
    order.date_paid_gmt.map(|d| d.0).hash(&mut h);
    order.date_created_gmt.0.hash(&mut h);
    ships(order).hash(&mut h);
    for line in &order.line_items {
        (line.id, line.quantity).hash(&mut h);
    }
    parcels.hash(&mut h);
    h.finish() as i64
}

/// A live parcel as the delivery state and the delay rules see it.
struct Live {
    state: ParcelFacts,
    rule: delays::ParcelFacts,
}

impl Live {
    fn fresh() -> Live {
        Live {
            state: ParcelFacts {
                status: ParcelStatus::Shipped,
                items: Vec::new(),
            },
            rule: delays::ParcelFacts {
                id: ShipmentId::new(0),
                status: ParcelStatus::Shipped,
                last_event_at: None,
                eta: None,
                carrier_silent_at: None,
            },
        }
    }

    fn of(row: &ShipmentRow) -> Live {
        let status = ParcelStatus::parse(&row.status).unwrap_or(ParcelStatus::Shipped);
        Live {
            state: ParcelFacts {
                status,
                items: row.items.clone(),
            },
            rule: delays::ParcelFacts {
                id: row.id,
                status,
                last_event_at: row.last_event_at.as_deref().and_then(time::parse),
                eta: None,
                carrier_silent_at: row.carrier_silent_at.as_deref().and_then(time::parse),
            },
        }
    }
}

/// The order went to the trash or came back from it: its alerts are re-evaluated (they
/// resolve in the trash and may return with the order).
pub fn reevaluate(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    now: &Stamp,
) -> Result<(), StoreError> {
    jobs::enqueue(conn, store_id, JobKind::EvaluateDelays, order_id, 0, now)
}

/// A parcel was added, changed or removed: its tracking feed, when the store has one,
/// follows it, through a job so that a provider's outage never holds up ingest or the
/// staff API.
pub fn parcel_changed(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    shipment_id: ShipmentId,
    feed: ParcelFeed,
    now: &Stamp,
) -> Result<(), StoreError> {
    if feed == ParcelFeed::Unfollowed {
        return Ok(());
    }
    jobs::enqueue(
        conn,
        store_id,
        JobKind::FollowParcel,
        order_id,
        shipment_id.get(),
        now,
    )
}

/// Re-derives the stored delivery state after a parcel or an event changed.
pub fn refresh_state(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    now: &Stamp,
) -> Result<(), StoreError> {
    let Some(row) = rows::get(conn, store_id, order_id)? else {
        return Ok(());
    };
    let lines = orders::line_quantities(conn, store_id, order_id)?;
    let live = shipments::for_order(conn, store_id, order_id, false)?;
    let state = delivery_state(&row.order_status, &lines, &live);
    rows::set_delivery_state(conn, store_id, order_id, state.as_str(), now)
}

/// Creates tracking rows (token, parcels, state) for an order mirrored before tracking
/// existed, then evaluates its alerts (`zone`: the store's time zone).
pub fn backfill(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    settings: &TrackingSettings,
    zone: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let Some(order) = orders::load_order(conn, store_id, order_id)? else {
        return Ok(());
    };
    // Backfilled orders are few (mirrored before tracking existed) and the sweep does not
    // know the feeds: their parcels are offered to the follow job, which skips a store
    // without a feed.
    order_mirrored(
        conn,
        store_id,
        &order,
        &Derivable::of(&order),
        false,
        ParcelFeed::Followed,
        &time::millis(now),
    )?;
    super::alerts::evaluate_order(conn, store_id, order_id, settings, zone, now)?;
    Ok(())
}

pub fn parcel_facts(live: &[ShipmentRow]) -> Vec<ParcelFacts> {
    live.iter()
        .map(|s| ParcelFacts {
            status: ParcelStatus::parse(&s.status).unwrap_or(ParcelStatus::Shipped),
            items: s.items.clone(),
        })
        .collect()
}

pub fn delivery_state(
    order_status: &str,
    lines: &[(u64, i64)],
    live: &[ShipmentRow],
) -> DeliveryState {
    status::delivery_state(order_status, lines, &parcel_facts(live))
}

/// Since when the order waits to ship: payment, or creation for a `processing` order
/// without a payment date (cash on delivery).
fn ready_at(order: &Order) -> Option<Timestamp> {
    order
        .date_paid_gmt
        .or((order.status == "processing").then_some(order.date_created_gmt))
        .map(|d| d.0)
}

/// Has something to ship: a shipping line other than local pickup.
fn ships(order: &Order) -> bool {
    order
        .shipping_lines
        .iter()
        .any(|l| !matches!(l.method_id.as_str(), "local_pickup" | "pickup_location"))
}

/// Inserts, updates and marks removed the meta-owned parcels. True when anything changed.
fn sync_parcels(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    parcels: &[TrackedParcel],
    existing: &[ShipmentRow],
    feed: ParcelFeed,
    now: &Stamp,
) -> Result<bool, StoreError> {
    let order_id = order.id;
    // A day the plugin recorded is read in the shop's calendar as it was when the order
    // was placed (the order carries both clocks).
    let placed = order.date_created_gmt.0;
    let gmt = placed
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime()
        .to_string();
    let offset = crate::shop::timezone::derive_offset(&order.date_created, &gmt);
    let mut changed = false;
    let keys: Vec<String> = parcels
        .iter()
        .map(|p| meta::number_key(&p.tracking_number))
        .collect();
    for (parcel, key) in parcels.iter().zip(&keys) {
        let shipped_at = parcel
            .shipped
            .map(|s| time::seconds(s.instant(offset, placed)));
        match existing.iter().find(|s| &s.number_key == key) {
            Some(s) if s.source == SOURCE_WOOCOMMERCE => {
                let same = s.carrier == parcel.carrier
                    && s.carrier_name == parcel.carrier_name
                    && s.tracking_number == parcel.tracking_number
                    && s.tracking_url == parcel.tracking_url
                    && s.shipped_at == shipped_at
                    && s.removed_at.is_none();
                if !same {
                    shipments::update_from_meta(
                        conn,
                        s.id,
                        &MetaUpdate {
                            carrier: &parcel.carrier,
                            carrier_name: &parcel.carrier_name,
                            tracking_number: &parcel.tracking_number,
                            tracking_url: parcel.tracking_url.as_deref(),
                            shipped_at: shipped_at.as_deref(),
                        },
                        now,
                    )?;
                    parcel_changed(conn, store_id, order_id, s.id, feed, now)?;
                    changed = true;
                }
            }
            // The staff API created this number first; it owns the parcel.
            Some(_) => {}
            None => {
                let inserted = shipments::insert(
                    conn,
                    &NewShipment {
                        store_id,
                        order_id,
                        source: SOURCE_WOOCOMMERCE,
                        number_key: key,
                        carrier: &parcel.carrier,
                        carrier_name: &parcel.carrier_name,
                        tracking_number: &parcel.tracking_number,
                        tracking_url: parcel.tracking_url.as_deref(),
                        shipped_at: shipped_at.as_deref(),
                        items: &[],
                    },
                    now,
                )?;
                if let Some(id) = inserted {
                    parcel_changed(conn, store_id, order_id, id, feed, now)?;
                }
                changed = true;
            }
        }
    }
    for gone in existing.iter().filter(|s| {
        s.source == SOURCE_WOOCOMMERCE && s.removed_at.is_none() && !keys.contains(&s.number_key)
    }) {
        shipments::mark_removed(conn, gone.id, now)?;
        parcel_changed(conn, store_id, order_id, gone.id, feed, now)?;
        changed = true;
    }
    Ok(changed)
}
