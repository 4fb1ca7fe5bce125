//! The message `data`: one JSON shape for the SMTP templates, the plugin's WooCommerce
//! emails and the event endpoints. Field names are fixed; fields are only ever added.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::guides::view::Line;
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

/// The order's language: the customer's locale the plugin recorded at checkout
/// (`_aftercare_locale`), else WPML's or Polylang's, else the shop's default. A locale
/// without templates (say `fr_FR`) counts as none.
pub fn order_lang(order: &Order, default: Lang) -> Lang {
    ["_aftercare_locale", "wpml_language", "_locale"]
        .into_iter()
        .find_map(|key| {
            order
                .meta_data
                .iter()
                .find(|m| m.key == key)
                .and_then(|m| m.value.as_str())
                .and_then(Lang::from_tag)
        })
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
        "guides": guides(conn, store_id, order, src.base_url)?,
        "unsubscribe_url": unsubscribe_url,
        "survey": null,
    }))
}

/// The `survey` of a survey message: its link, and one link per score that opens the page
/// with that score pre-selected (recorded only when the customer sends the form).
pub fn survey(s: &crate::surveys::store::SurveyRow, base_url: &str) -> Value {
    let url = s
        .token
        .as_deref()
        .map(|t| crate::surveys::token::url(base_url, t))
        .unwrap_or_default();
    let (min, max) = s.kind.range();
    let scores: Vec<Value> = s
        .kind
        .scores()
        .map(|score| json!({"score": score, "url": format!("{url}?score={score}")}))
        .collect();
    json!({
        "id": s.id.to_string(),
        "kind": s.kind,
        "source": s.source,
        "url": url,
        "min": min,
        "max": max,
        "scores": scores,
        "expires_at": s.expires_at,
    })
}

/// The guides of the order's line items, their links through the counting redirect.
fn guides(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    base_url: &str,
) -> Result<Value, StoreError> {
    let lines: Vec<Line<'_>> = order
        .line_items
        .iter()
        .map(|li| Line {
            line_item_id: li.id,
            product_id: li.product_id,
            variation_id: li.variation_id,
            sku: &li.sku,
            name: &li.name,
        })
        .collect();
    let found = crate::guides::view::for_lines(conn, store_id, &lines, base_url)?;
    Ok(serde_json::to_value(found).unwrap_or_else(|_| json!([])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_meta(meta: Value) -> Order {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/orders/guest-usd.json"
        );
        let mut order: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        order["meta_data"] = meta;
        serde_json::from_value(order).unwrap()
    }

    #[test]
    fn the_customers_checkout_locale_wins_then_the_translation_plugins_then_the_shop() {
        let both = with_meta(json!([
            {"key": "wpml_language", "value": "en"},
            {"key": "_aftercare_locale", "value": "ko_KR"},
        ]));
        assert_eq!(order_lang(&both, Lang::En), Lang::Ko);
        let wpml = with_meta(json!([{"key": "wpml_language", "value": "ko"}]));
        assert_eq!(order_lang(&wpml, Lang::En), Lang::Ko);
        let english = with_meta(json!([{"key": "_aftercare_locale", "value": "en_GB"}]));
        assert_eq!(order_lang(&english, Lang::Ko), Lang::En);
        let none = with_meta(json!([]));
        assert_eq!(order_lang(&none, Lang::Ko), Lang::Ko);
        let untranslated = with_meta(json!([{"key": "_aftercare_locale", "value": "fr_FR"}]));
        assert_eq!(order_lang(&untranslated, Lang::Ko), Lang::Ko);
    }
}
