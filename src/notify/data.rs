//! The message `data`: one JSON shape for the SMTP templates, the plugin's WooCommerce
//! emails and the event endpoints. Field names are fixed; fields are only ever added.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::ids::{OrderId, RequestId, ReturnId, ShipmentId, StoreId};
use crate::returns::store::ReturnRecord;
use crate::shop::Storefront;
use crate::store::StoreError;
use crate::support::store::{MessageRecord, RequestRecord};
use crate::time;
use crate::tracking::alerts::parcel_eta;
use crate::tracking::i18n::Lang;
use crate::tracking::settings::TrackingSettings;
use crate::tracking::store::shipments::ShipmentRow;
use crate::tracking::view::{OrderTracking, carrier_link, carrier_name, page_url};
use crate::woo::Order;

/// Where a message's facts come from.
pub struct Sources<'a> {
    pub tracking: &'a TrackingSettings,
    pub zone: &'a TimeZone,
    pub base_url: &'a str,
    pub shop: &'a Storefront,
    pub lang: Lang,
}

/// `en_US` / `ko_KR`, as WordPress names locales.
pub fn locale(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en_US",
        Lang::Ko => "ko_KR",
    }
}

/// The order's language: the locale WordPress recorded on it (WPML's or Polylang's meta,
/// or aftercare's own), else the shop's default.
pub fn order_lang(order: &Order, default: Lang) -> Lang {
    order
        .meta_data
        .iter()
        .filter(|m| {
            matches!(
                m.key.as_str(),
                "_aftercare_locale" | "wpml_language" | "_locale"
            )
        })
        .find_map(|m| m.value.as_str().and_then(Lang::from_tag))
        .unwrap_or(default)
}

pub fn parcel_ref(id: ShipmentId) -> String {
    format!("shp_{id}")
}

pub fn return_ref(id: ReturnId) -> String {
    format!("ret_{id}")
}

pub fn request_ref(id: RequestId) -> String {
    format!("req_{id}")
}

fn date(ts: Timestamp, zone: &TimeZone) -> String {
    time::local_date(ts, zone).to_string()
}

fn parcel_json(s: &ShipmentRow, tracked: &OrderTracking, src: &Sources<'_>) -> Value {
    let cal = src.tracking.calendar(src.zone);
    let eta = parcel_eta(s, src.tracking, &cal).map(|t| date(t, src.zone));
    let last = tracked.events_of(s.id).next().map(|e| {
        json!({
            "status": e.status,
            "occurred_at": e.occurred_at,
            "location": e.location,
            "description": e.description,
        })
    });
    json!({
        "id": parcel_ref(s.id),
        "carrier": s.carrier,
        "carrier_name": carrier_name(s, src.lang),
        "number": s.tracking_number,
        "status": s.status,
        "carrier_url": carrier_link(s),
        "eta": eta,
        "last_event": last,
    })
}

/// What the message says about the delay: the dates and what the shop does.
pub struct Delay {
    pub previous_date: Option<String>,
    pub new_date: Option<String>,
    pub reason: String,
    pub action: String,
}

/// The data of a message about `order`.
#[allow(clippy::too_many_arguments)]
pub fn build(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    src: &Sources<'_>,
    parcel: Option<ShipmentId>,
    delay: Option<&Delay>,
    ret: Option<&ReturnRecord>,
    support: Option<(&RequestRecord, &MessageRecord)>,
    unsubscribe_url: Option<&str>,
) -> Result<Value, StoreError> {
    let order_id: OrderId = order.id;
    let tracked = OrderTracking::load(conn, store_id, order_id)?;
    let parcels: Vec<Value> = tracked
        .shipments
        .iter()
        .map(|s| parcel_json(s, &tracked, src))
        .collect();
    let this = parcel.and_then(|id| {
        tracked
            .shipments
            .iter()
            .find(|s| s.id == id)
            .map(|s| parcel_json(s, &tracked, src))
    });
    // The order arrives when its last parcel does.
    let cal = src.tracking.calendar(src.zone);
    let expected = tracked
        .shipments
        .iter()
        .filter(|s| s.status != "delivered")
        .filter_map(|s| parcel_eta(s, src.tracking, &cal))
        .max()
        .map(|t| date(t, src.zone));
    let name = format!("{} {}", order.billing.first_name, order.billing.last_name);
    let name = match src.lang {
        // Korean puts the family name first.
        Lang::Ko => format!("{}{}", order.billing.last_name, order.billing.first_name),
        Lang::En => name.trim().to_owned(),
    };
    Ok(json!({
        "order": {
            "id": order_id.get(),
            "number": order.display_number(),
            "status": order.status,
            "created_at": time::seconds(order.date_created_gmt.0),
            "total": order.total.0.to_string(),
            "currency": order.currency,
            "locale": locale(src.lang),
        },
        "customer": {"name": name.trim(), "email": order.billing.email},
        "shop": {
            "name": src.shop.name,
            "url": src.shop.url,
            "logo_url": src.shop.logo_url,
        },
        "tracking_url": tracked.token.as_ref().map(|t| page_url(src.base_url, t)),
        "parcels": parcels,
        "parcel": this,
        "expected_date": expected,
        "delay": delay.map(|d| json!({
            "previous_date": d.previous_date,
            "new_date": d.new_date,
            "reason": d.reason,
            "action": d.action,
        })),
        "return": ret.map(|r| json!({
            "id": return_ref(r.id),
            "status": r.status,
            "refund": r.amount.as_ref().map(|a| json!({"amount": a, "currency": r.currency})),
            "note": r.events.last().and_then(|e| e.note.clone()),
        })),
        "support": support.map(|(r, m)| json!({
            "id": request_ref(r.id),
            "topic": r.topic.as_str(),
            "status": r.status.as_str(),
            "reply": {
                "id": m.id,
                "author": m.name,
                "body": m.body,
                "created_at": m.created_at,
            },
        })),
        "unsubscribe_url": unsubscribe_url,
    }))
}
