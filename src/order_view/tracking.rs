//! The tracking parts of the order view and the order list, from what tracking knows of the
//! orders.

use std::collections::HashMap;

use super::view::{ItemShipmentView, OrderSummary, OrderView, ShipmentBrief};
use crate::time;
use crate::tracking::alerts::parcel_eta;
use crate::tracking::calendar::Calendar;
use crate::tracking::derive::delivery_state;
use crate::tracking::settings::TrackingSettings;
use crate::tracking::status::DeliveryState;
use crate::tracking::view::{
    OrderTracking, SummaryTracking, alert_views, carrier_link, page_url, shipment_view,
};
use crate::woo::Order;

/// Fills the tracking parts of an order view; `cal` is the store's calendar (ETAs, the
/// dates in alert sentences).
pub fn fill(
    view: &mut OrderView,
    order: &Order,
    tracking: &OrderTracking,
    settings: &TrackingSettings,
    cal: &Calendar,
    base_url: &str,
) {
    let lines: Vec<(u64, i64)> = order
        .line_items
        .iter()
        .map(|l| (l.id, l.quantity))
        .collect();
    let mut per_line: HashMap<u64, Vec<ItemShipmentView>> = HashMap::new();
    view.shipments = tracking
        .shipments
        .iter()
        .map(|s| {
            let contents = tracking.contents(s, &lines);
            for &(line, quantity) in &contents {
                per_line.entry(line).or_default().push(ItemShipmentView {
                    shipment_id: s.id,
                    quantity,
                });
            }
            shipment_view(
                s,
                &contents,
                tracking.events_of(s.id).cloned(),
                settings,
                cal,
            )
        })
        .collect();
    let unshipped = tracking.unshipped(&lines);
    for item in &mut view.line_items {
        item.shipments = per_line.remove(&item.id).unwrap_or_default();
        item.unshipped_quantity = unshipped.get(&item.id).copied().unwrap_or(0);
    }
    view.tracking_url = tracking.token.as_ref().map(|t| page_url(base_url, t));
    view.delivery_state = delivery_state(&order.status, &lines, &tracking.shipments);
    view.alerts = alert_views(tracking, settings, cal);
}

/// Fills delivery state, tracking page URL and parcels of the list's summaries; `cal` is
/// the store's calendar.
pub fn fill_summaries(
    tracked: &SummaryTracking,
    summaries: &mut [OrderSummary],
    settings: &TrackingSettings,
    cal: &Calendar,
    base_url: &str,
) {
    for summary in summaries {
        if let Some((token, state)) = tracked.tokens.get(&summary.id) {
            summary.tracking_url = Some(page_url(base_url, token));
            summary.delivery_state = DeliveryState::parse(state).unwrap_or(summary.delivery_state);
        }
        summary.shipments = tracked
            .parcels
            .get(&summary.id)
            .map(|list| {
                list.iter()
                    .map(|s| ShipmentBrief {
                        carrier_name: s.carrier_name.clone(),
                        tracking_number: s.tracking_number.clone(),
                        tracking_url: carrier_link(s),
                        status: s.status.clone(),
                        eta: parcel_eta(s, settings, cal).map(time::seconds),
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
}
