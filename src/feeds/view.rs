//! A parcel's feed as the order view shows it.

use std::collections::HashMap;

use rusqlite::Connection;

use super::store;
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::store::StoreError;
use crate::tracking::view::ShipmentFeedView;

/// The feed of each parcel of an order that has one.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<HashMap<ShipmentId, ShipmentFeedView>, StoreError> {
    Ok(store::for_order(conn, store_id, order_id)?
        .into_iter()
        .map(|s| {
            (
                s.shipment_id,
                ShipmentFeedView {
                    provider: s.provider,
                    state: s.state,
                    last_checked_at: s.last_checked_at.as_deref().and_then(seconds),
                    last_event_at: s.last_event_at,
                    last_error: s.last_error,
                },
            )
        })
        .collect())
}

fn seconds(stamp: &str) -> Option<String> {
    crate::time::parse(stamp).map(crate::time::seconds)
}
