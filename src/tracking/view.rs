//! Tracking as customers see it: parcels with items, events and ETA, the public page's URL
//! and active alerts. The order view and the order list (`crate::order_view`) place these
//! shapes; tracking does not know those documents.

use std::collections::{HashMap, HashSet};

use jiff::{Timestamp, Zoned};
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::alerts::{parcel_eta, parcel_status};
use super::calendar::Calendar;
use super::carriers;
use super::delays::AlertCode;
use super::i18n::Lang;
use super::settings::TrackingSettings;
use super::status::ParcelStatus;
use super::store::delay_alerts::{self, AlertRow};
use super::store::order_tracking as rows;
use super::store::shipments::{self, EventRow, ShipmentRow};
use super::token::TrackingToken;
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::store::StoreError;
use crate::time;

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView {
    #[schema(value_type = u64)]
    pub id: ShipmentId,
    /// Carrier slug from the registry, or `custom`.
    pub carrier: String,
    pub carrier_name: String,
    pub tracking_number: String,
    /// The carrier's tracking page for this number.
    pub tracking_url: Option<String>,
    /// `shipped` (no carrier event yet), `label_created`, `in_transit`, `out_for_delivery`, `delivered`, `exception` or `returned`: the newest event's.
    pub status: String,
    pub shipped_at: Option<String>,
    /// End of the day the parcel is expected by: the carrier's estimate, else shipping day plus the carrier's transit business days. Null once delivered or returned.
    pub eta: Option<String>,
    pub delivered_at: Option<String>,
    /// `woocommerce` (the tracking plugins' order meta) or `api` (the staff API).
    pub source: String,
    /// Units per line item; empty when the shop did not say what this parcel carries.
    pub items: Vec<ShipmentItemView>,
    /// Newest first.
    pub events: Vec<ShipmentEventView>,
    /// The tracking provider that follows this parcel, when the store has one (the order
    /// view fills it in from `crate::feeds`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<ShipmentFeedView>,
}

/// How a tracking provider follows a parcel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShipmentFeedView {
    /// `17track`, `delivery-tracker` or `aftership`.
    pub provider: String,
    /// `pending` (not yet accepted by the provider), `subscribed`, `awaiting_carrier` (the carrier has no data yet), `stale` (the provider has had nothing for the parcel for days, or gave up before delivery: the carrier may have lost it), `rejected` (the provider refused the number) or `stopped`.
    pub state: String,
    /// When the provider last told aftercare about the parcel (a push or a poll).
    pub last_checked_at: Option<String>,
    /// When the newest carrier event the provider brought happened.
    pub last_event_at: Option<String>,
    /// Why the state is what it is, when something is wrong: the month's quota is used up
    /// (the parcel is registered when it renews), the provider refused the number, or its
    /// last request failed.
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentItemView {
    pub line_item_id: u64,
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentEventView {
    pub status: String,
    pub occurred_at: String,
    pub location: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// `not_shipped`, `no_carrier_scan`, `stalled_in_transit`, `eta_passed`, `delivery_exception`, `returned_to_sender` or `carrier_silent` (the tracking feed found nothing of the parcel for days).
    pub code: String,
    /// A sentence for the customer (English; translate by `code`).
    pub message: String,
    /// The parcel it concerns; null for the order as a whole.
    #[schema(value_type = Option<u64>)]
    pub shipment_id: Option<ShipmentId>,
    /// When the alert was raised.
    pub since: String,
}

/// Reads the feed of each parcel of an order that a tracking provider follows. The edge
/// hands down `crate::feeds::view::for_order`: the feeds sit above tracking, so tracking
/// takes their reader as a plain function instead of importing them.
pub type FeedsOf =
    fn(&Connection, &StoreId, OrderId) -> Result<HashMap<ShipmentId, ShipmentFeedView>, StoreError>;

/// Everything tracking knows about one order (removed parcels left out).
#[derive(Debug, Clone, Default)]
pub struct OrderTracking {
    pub token: Option<TrackingToken>,
    pub shipments: Vec<ShipmentRow>,
    /// Newest first, all parcels together.
    pub events: Vec<EventRow>,
    pub alerts: Vec<AlertRow>,
    /// When a tracking feed last heard about each parcel it follows (empty unless the
    /// caller read the feeds: [`OrderTracking::with_feeds`]).
    pub last_checked: HashMap<ShipmentId, Timestamp>,
}

impl OrderTracking {
    /// Two indexed reads; events and alerts only when there are any.
    pub fn load(
        conn: &Connection,
        store_id: &StoreId,
        order_id: OrderId,
    ) -> Result<Self, StoreError> {
        let (token, alerting) = match rows::token_and_alerting(conn, store_id, order_id)? {
            Some((token, alerting)) => (Some(token), alerting),
            None => (None, false),
        };
        let shipments = shipments::for_order(conn, store_id, order_id, false)?;
        let events = if shipments.iter().any(|s| s.last_event_at.is_some()) {
            shipments::events_for_order(conn, store_id, order_id)?
        } else {
            Vec::new()
        };
        let alerts = if alerting {
            delay_alerts::active_alerts(conn, store_id, order_id)?
        } else {
            Vec::new()
        };
        Ok(OrderTracking {
            token,
            shipments,
            events,
            alerts,
            last_checked: HashMap::new(),
        })
    }

    /// Adds when a feed last checked each parcel (one indexed read, none without parcels).
    pub fn with_feeds(
        mut self,
        conn: &Connection,
        store_id: &StoreId,
        order_id: OrderId,
        feeds_of: FeedsOf,
    ) -> Result<Self, StoreError> {
        if !self.shipments.is_empty() {
            self.last_checked = feeds_of(conn, store_id, order_id)?
                .into_iter()
                .filter_map(|(id, feed)| Some((id, time::parse(feed.last_checked_at.as_deref()?)?)))
                .collect();
        }
        Ok(self)
    }

    pub fn events_of(&self, shipment_id: ShipmentId) -> impl Iterator<Item = &EventRow> {
        self.events
            .iter()
            .filter(move |e| e.shipment_id == shipment_id)
    }

    /// What a parcel carries: its listed items, or the whole order when it is the only
    /// parcel and lists nothing. Several unlisted parcels: unknown (empty).
    pub fn contents(&self, shipment: &ShipmentRow, lines: &[(u64, i64)]) -> Vec<(u64, i64)> {
        if !shipment.items.is_empty() {
            return shipment.items.clone();
        }
        let carrying = self
            .shipments
            .iter()
            .filter(|s| parcel_status(s) != ParcelStatus::Returned)
            .count();
        if carrying == 1 && parcel_status(shipment) != ParcelStatus::Returned {
            lines.to_vec()
        } else {
            Vec::new()
        }
    }

    /// Units of each order line that live parcels carry, by the rule of
    /// [`contents`](Self::contents): a parcel returned to sender carries nothing any more.
    /// Every "what has shipped" question asks this, so a parcel from tracking-plugin meta
    /// (no item list) counts the same everywhere.
    pub fn carried(&self, lines: &[(u64, i64)]) -> HashMap<u64, i64> {
        let mut carried = HashMap::new();
        for s in self.live() {
            for (line, units) in self.contents(s, lines) {
                *carried.entry(line).or_default() += units;
            }
        }
        carried
    }

    /// Units of each order line that no live parcel carries yet. While a live parcel's
    /// contents are unknown (several parcels that list nothing), none: they may carry
    /// anything, and "not shipped" would be a guess.
    pub fn unshipped(&self, lines: &[(u64, i64)]) -> HashMap<u64, i64> {
        let unknown = self.live().any(|s| self.contents(s, lines).is_empty());
        let carried = self.carried(lines);
        lines
            .iter()
            .map(|&(line, bought)| {
                let left = bought - carried.get(&line).copied().unwrap_or(0);
                (line, if unknown { 0 } else { left.max(0) })
            })
            .collect()
    }

    /// The order lines with units on their way: carried by a live parcel that is not
    /// delivered yet.
    pub fn in_transit(&self, lines: &[(u64, i64)]) -> HashSet<u64> {
        self.live()
            .filter(|s| parcel_status(s) != ParcelStatus::Delivered)
            .flat_map(|s| self.contents(s, lines))
            .map(|(line, _)| line)
            .collect()
    }

    fn live(&self) -> impl Iterator<Item = &ShipmentRow> {
        self.shipments
            .iter()
            .filter(|s| parcel_status(s) != ParcelStatus::Returned)
    }
}

/// `{base}/t/{token}`.
pub fn page_url(base_url: &str, token: &TrackingToken) -> String {
    format!("{base_url}/t/{token}")
}

/// The carrier's page for the parcel: the given link, else the registry template.
pub fn carrier_link(s: &ShipmentRow) -> Option<String> {
    s.tracking_url
        .clone()
        .or_else(|| carriers::by_slug(&s.carrier).map(|c| c.tracking_url(&s.tracking_number)))
}

/// The carrier's name in the page's language.
pub fn carrier_name(s: &ShipmentRow, lang: Lang) -> String {
    match carriers::by_slug(&s.carrier) {
        Some(c) => c.name_in(lang == Lang::Ko).to_owned(),
        None if s.carrier_name.is_empty() => lang.t().unknown_carrier.to_owned(),
        None => s.carrier_name.clone(),
    }
}

fn event_view(e: &EventRow) -> ShipmentEventView {
    ShipmentEventView {
        status: e.status.clone(),
        occurred_at: e.occurred_at.clone(),
        location: e.location.clone(),
        description: e.description.clone(),
    }
}

/// A parcel as the API shows it; `cal` is the store's calendar (the ETA's end of day).
pub fn shipment_view(
    s: &ShipmentRow,
    contents: &[(u64, i64)],
    events: impl Iterator<Item = EventRow>,
    settings: &TrackingSettings,
    cal: &Calendar,
) -> ShipmentView {
    ShipmentView {
        id: s.id,
        carrier: s.carrier.clone(),
        carrier_name: s.carrier_name.clone(),
        tracking_number: s.tracking_number.clone(),
        tracking_url: carrier_link(s),
        status: s.status.clone(),
        shipped_at: s.shipped_at.clone(),
        eta: parcel_eta(s, settings, cal).map(time::seconds),
        delivered_at: s.delivered_at.clone(),
        source: s.source.clone(),
        items: contents
            .iter()
            .map(|&(line_item_id, quantity)| ShipmentItemView {
                line_item_id,
                quantity,
            })
            .collect(),
        events: events.map(|e| event_view(&e)).collect(),
        feed: None,
    }
}

/// The active alerts as the API shows them (English sentences, dates in the store's
/// calendar `cal`; clients translate by code).
pub fn alert_views(
    tracking: &OrderTracking,
    settings: &TrackingSettings,
    cal: &Calendar,
) -> Vec<AlertView> {
    let now = cal.local(Timestamp::now());
    tracking
        .alerts
        .iter()
        .filter_map(|a| {
            let (_, message) = alert_text(a, tracking, settings, cal, Lang::En, &now)?;
            Some(AlertView {
                code: a.code.clone(),
                message,
                shipment_id: a.shipment_id,
                since: a.raised_at.clone(),
            })
        })
        .collect()
}

/// An alert's title and sentence in `lang`, with the parcel's carrier, number and date (a
/// date in the store's calendar `cal`).
pub fn alert_text(
    alert: &AlertRow,
    tracking: &OrderTracking,
    settings: &TrackingSettings,
    cal: &Calendar,
    lang: Lang,
    now: &Zoned,
) -> Option<(&'static str, String)> {
    let code = AlertCode::parse(&alert.code)?;
    let parcel = tracking
        .shipments
        .iter()
        .find(|s| Some(s.id) == alert.shipment_id);
    let date = |at: Option<Timestamp>| {
        at.map(|t| lang.date(&cal.local(t), now))
            .unwrap_or_default()
    };
    let (carrier, number, when, detail) = match parcel {
        Some(s) => {
            let when = match code {
                AlertCode::EtaPassed => parcel_eta(s, settings, cal),
                _ => s.last_event_at.as_deref().and_then(time::parse),
            };
            let detail = tracking
                .events_of(s.id)
                .next()
                .filter(|e| e.status == "exception")
                .and_then(|e| e.description.clone());
            (
                carrier_name(s, lang),
                s.tracking_number.clone(),
                date(when),
                detail,
            )
        }
        None if alert.shipment_id.is_some() => return None,
        None => (String::new(), String::new(), String::new(), None),
    };
    Some(
        lang.t()
            .alert(code, &carrier, &number, &when, detail.as_deref()),
    )
}

/// What the order list needs of tracking for one page of orders.
#[derive(Debug, Default)]
pub struct SummaryTracking {
    /// Order id to (page token, delivery state).
    pub tokens: HashMap<OrderId, (TrackingToken, String)>,
    /// Order id to its parcels (without items).
    pub parcels: HashMap<OrderId, Vec<ShipmentRow>>,
}

impl SummaryTracking {
    /// Two reads for the whole page.
    pub fn load(
        conn: &Connection,
        store_id: &StoreId,
        order_ids: &[OrderId],
    ) -> Result<Self, StoreError> {
        Ok(SummaryTracking {
            tokens: rows::for_orders(conn, store_id, order_ids)?,
            parcels: shipments::for_orders(conn, store_id, order_ids)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parcel(id: u64, status: &str, items: &[(u64, i64)]) -> ShipmentRow {
        ShipmentRow {
            id: ShipmentId::new(id),
            store_id: StoreId::default_store(),
            order_id: OrderId::new(1),
            source: "woocommerce".into(),
            number_key: format!("N{id}"),
            carrier: "ups".into(),
            carrier_name: String::new(),
            tracking_number: format!("N{id}"),
            tracking_url: None,
            shipped_at: None,
            status: status.into(),
            last_event_at: None,
            carrier_eta: None,
            delivered_at: None,
            removed_at: None,
            carrier_silent_at: None,
            items: items.to_vec(),
        }
    }

    fn tracking(shipments: Vec<ShipmentRow>) -> OrderTracking {
        OrderTracking {
            shipments,
            ..OrderTracking::default()
        }
    }

    const LINES: [(u64, i64); 2] = [(201, 1), (202, 2)];

    #[test]
    fn a_single_parcel_without_an_item_list_carries_the_whole_order() {
        let t = tracking(vec![parcel(1, "shipped", &[])]);
        assert_eq!(t.carried(&LINES), HashMap::from(LINES));
        assert_eq!(t.unshipped(&LINES), HashMap::from([(201, 0), (202, 0)]));
        assert_eq!(t.in_transit(&LINES), HashSet::from([201, 202]));
    }

    #[test]
    fn beside_a_listed_parcel_an_unlisted_one_claims_nothing() {
        let t = tracking(vec![
            parcel(1, "in_transit", &[]),
            parcel(2, "delivered", &[(202, 1)]),
        ]);
        assert_eq!(t.carried(&LINES), HashMap::from([(202, 1)]));
        // The unlisted parcel may carry the rest: nothing is called unshipped.
        assert_eq!(t.unshipped(&LINES), HashMap::from([(201, 0), (202, 0)]));
        assert_eq!(t.in_transit(&LINES), HashSet::new());
    }

    #[test]
    fn returned_parcels_carry_nothing() {
        let t = tracking(vec![
            parcel(1, "returned", &[(201, 1)]),
            parcel(2, "in_transit", &[(202, 2)]),
        ]);
        assert_eq!(t.carried(&LINES), HashMap::from([(202, 2)]));
        assert_eq!(t.unshipped(&LINES), HashMap::from([(201, 1), (202, 0)]));
        assert_eq!(t.in_transit(&LINES), HashSet::from([202]));
    }

    #[test]
    fn several_parcels_without_item_lists_leave_nothing_called_unshipped() {
        let t = tracking(vec![parcel(1, "shipped", &[]), parcel(2, "shipped", &[])]);
        assert_eq!(t.carried(&LINES), HashMap::new());
        assert_eq!(t.unshipped(&LINES), HashMap::from([(201, 0), (202, 0)]));
    }
}
