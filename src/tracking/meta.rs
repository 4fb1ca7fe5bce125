//! `_wc_shipment_tracking_items`: the order meta that WooCommerce Shipment Tracking and
//! Advanced Shipment Tracking write, read into parcels.
//!
//! The value is normally a list; older official versions re-saved it after `unset()`
//! without re-indexing, so it can be an object keyed `"0"`, `"2"`, ... . `date_shipped` is
//! unix seconds as a number or a string (sometimes a date). Fields may be missing; the
//! provider is a name or a slug, or empty for a custom provider with its own link.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use serde_json::Value;

use super::carriers::{self, CUSTOM};
use super::settings::is_safe_url;
use crate::woo::order::MetaData;

pub const META_KEY: &str = "_wc_shipment_tracking_items";

/// Longest tracking number kept; anything longer is not a tracking number.
const MAX_NUMBER: usize = 100;

/// One parcel as the tracking plugin recorded it, resolved against the registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackedParcel {
    /// Registry slug, or `custom`.
    pub carrier: String,
    pub carrier_name: String,
    pub tracking_number: String,
    /// The custom link the shop entered, when it is a usable http(s) URL.
    pub tracking_url: Option<String>,
    pub shipped: Option<Shipped>,
}

/// When a parcel left, as the tracking plugin recorded it. The plugins keep a calendar day
/// the shop entered (`strtotime("2026-11-16")` under WordPress's UTC, so midnight UTC): that
/// is a day in the shop's calendar, not an instant, and read as an instant it is the day
/// before anywhere west of Greenwich.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shipped {
    At(Timestamp),
    On(Date),
}

impl Shipped {
    /// The instant stored for the parcel: a day is its noon at the shop's UTC offset when
    /// the order was placed (UTC when unknown), and never before the order was placed, so
    /// every page shows the day the shop entered.
    pub fn instant(self, offset: Option<Offset>, placed: Timestamp) -> Timestamp {
        match self {
            Shipped::At(at) => at,
            Shipped::On(day) => {
                let noon = day
                    .at(12, 0, 0, 0)
                    .to_zoned(TimeZone::fixed(offset.unwrap_or(Offset::UTC)))
                    .map(|z| z.timestamp())
                    .unwrap_or(placed);
                noon.max(placed)
            }
        }
    }
}

/// Every parcel in the order's meta, in the order the plugin lists them, without repeats
/// of the same tracking number.
pub fn parcels(meta: &[MetaData]) -> Vec<TrackedParcel> {
    let mut out: Vec<TrackedParcel> = Vec::new();
    for entry in meta.iter().filter(|m| m.key == META_KEY) {
        for item in items(&entry.value) {
            if let Some(parcel) = parcel(item)
                && !out
                    .iter()
                    .any(|p| number_key(&p.tracking_number) == number_key(&parcel.tracking_number))
            {
                out.push(parcel);
            }
        }
    }
    out
}

/// What identifies a parcel within an order: the tracking number in upper case without
/// spaces or separators, so `5689-1234-0017` and `568912340017` are one parcel.
pub fn number_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(list) => list.iter().collect(),
        Value::Object(map) => {
            // The keys are the PHP array's indexes: keep their numeric order.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.as_str()));
            entries.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    }
}

fn text<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).map_or("", str::trim)
}

fn parcel(item: &Value) -> Option<TrackedParcel> {
    let number = match item.get("tracking_number")? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if number_key(&number).is_empty() || number.chars().count() > MAX_NUMBER {
        return None;
    }
    let provider = text(item, "tracking_provider");
    let custom_name = text(item, "custom_tracking_provider");
    let custom_link = text(item, "custom_tracking_link");
    let link = (!custom_link.is_empty())
        .then(|| carriers::fill(custom_link, &number))
        .filter(|l| is_safe_url(l, &["https://", "http://"]));
    let known = carriers::lookup(provider)
        .or_else(|| carriers::lookup(custom_name))
        .or_else(|| {
            (provider.is_empty() && custom_name.is_empty())
                .then(|| carriers::detect(&number))
                .flatten()
        });
    let (carrier, carrier_name) = match known {
        Some(c) => (c.slug.to_owned(), c.name.to_owned()),
        None => {
            let name = [custom_name, provider]
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or_default();
            (CUSTOM.to_owned(), name.chars().take(80).collect())
        }
    };
    Some(TrackedParcel {
        carrier,
        carrier_name,
        tracking_number: number,
        tracking_url: link,
        shipped: item.get("date_shipped").and_then(date_shipped),
    })
}

/// Unix seconds as a number or a string, or a date (`2026-11-16`) or RFC 3339 time. Seconds
/// that fall on midnight UTC are the plugins' encoding of a day.
fn date_shipped(value: &Value) -> Option<Shipped> {
    let seconds = match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let shipped = match (seconds, value) {
        (Some(secs), _) => {
            let at = Timestamp::from_second(secs).ok()?;
            let utc = at.to_zoned(TimeZone::UTC);
            if utc.time() == jiff::civil::Time::midnight() {
                Shipped::On(utc.date())
            } else {
                Shipped::At(at)
            }
        }
        (None, Value::String(s)) => {
            let s = s.trim();
            if let Ok(at) = s.parse::<Timestamp>() {
                Shipped::At(at)
            } else {
                Shipped::On(s.parse::<Date>().ok()?)
            }
        }
        _ => return None,
    };
    // 0, negative or far-future stamps are placeholders, not shipping dates.
    let year = match shipped {
        Shipped::At(at) => at.to_zoned(TimeZone::UTC).year(),
        Shipped::On(day) => day.year(),
    };
    (2000..=2100).contains(&year).then_some(shipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(value: Value) -> Vec<MetaData> {
        vec![MetaData {
            id: Some(1),
            key: META_KEY.into(),
            value,
            display_key: None,
            display_value: None,
        }]
    }

    #[test]
    fn the_list_form_with_string_and_int_dates() {
        let p = parcels(&meta(json!([
            {"tracking_provider": "cj-logistics", "custom_tracking_provider": "", "custom_tracking_link": "",
             "tracking_number": "568912340017", "tracking_product_code": "", "date_shipped": "1794668400",
             "status_shipped": "0", "tracking_id": "5be3", "source": "REST_API", "user_id": 1},
            {"tracking_provider": "", "custom_tracking_provider": "번개 로지스",
             "custom_tracking_link": "https://track.example.kr/parcel?no=BG2026111600731",
             "tracking_number": "BG2026111600731", "date_shipped": 1794810598, "tracking_id": "1c00"}
        ])));
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].carrier, "cj-logistics");
        assert_eq!(p[0].carrier_name, "CJ Logistics");
        assert_eq!(p[0].tracking_url, None, "built from the registry later");
        assert_eq!(
            p[0].shipped,
            Some(Shipped::At(Timestamp::from_second(1794668400).unwrap()))
        );
        assert_eq!(p[1].carrier, CUSTOM);
        assert_eq!(p[1].carrier_name, "번개 로지스");
        assert_eq!(
            p[1].tracking_url.as_deref(),
            Some("https://track.example.kr/parcel?no=BG2026111600731")
        );
        assert_eq!(
            p[1].shipped,
            Some(Shipped::At(Timestamp::from_second(1794810598).unwrap()))
        );
    }

    #[test]
    fn a_day_is_the_shops_day_whatever_its_offset() {
        // What the plugins store for "2026-11-16": midnight UTC, as a string or a number.
        for value in [json!("1794787200"), json!(1794787200), json!("2026-11-16")] {
            let p = parcels(&meta(
                json!([{"tracking_number": "1Z999AA10123456784", "date_shipped": value}]),
            ));
            assert_eq!(
                p[0].shipped,
                Some(Shipped::On(jiff::civil::date(2026, 11, 16))),
                "{value}"
            );
        }
        let day = Shipped::On(jiff::civil::date(2026, 11, 16));
        let la = Offset::from_hours(-8).unwrap();
        let placed: Timestamp = "2026-11-15T18:00:00Z".parse().unwrap();
        let at = day.instant(Some(la), placed);
        assert_eq!(
            at,
            "2026-11-16T20:00:00Z".parse().unwrap(),
            "noon in Los Angeles"
        );
        assert_eq!(
            at.to_zoned(TimeZone::fixed(la)).date(),
            jiff::civil::date(2026, 11, 16)
        );
        let seoul = Offset::from_hours(9).unwrap();
        assert_eq!(
            day.instant(Some(seoul), placed)
                .to_zoned(TimeZone::fixed(seoul))
                .date(),
            jiff::civil::date(2026, 11, 16)
        );
        // Placed that afternoon: it left when it was placed, not before.
        let afternoon: Timestamp = "2026-11-16T23:30:00Z".parse().unwrap();
        assert_eq!(day.instant(Some(la), afternoon), afternoon);
        // A time is kept as it is.
        let exact: Timestamp = "2026-11-16T03:04:05Z".parse().unwrap();
        assert_eq!(Shipped::At(exact).instant(Some(la), placed), exact);
    }

    #[test]
    fn the_old_object_form_keeps_index_order() {
        let p = parcels(&meta(json!({
            "2": {"tracking_provider": "UPS", "tracking_number": "1Z999AA10123456784", "date_shipped": "1794373200"},
            "0": {"tracking_provider": "usps", "tracking_number": "9400109205568123456789", "date_shipped": "1794286800"}
        })));
        let slugs: Vec<_> = p.iter().map(|p| p.carrier.as_str()).collect();
        assert_eq!(slugs, ["usps", "ups"]);
    }

    #[test]
    fn odd_items_are_skipped_or_tolerated() {
        let p = parcels(&meta(json!([
            {"tracking_provider": "ups"},
            {"tracking_provider": "ups", "tracking_number": "  "},
            "not an object",
            {"tracking_number": 123456789012_u64, "date_shipped": "2026-11-16"},
            {"tracking_number": "1Z999AA10123456784", "date_shipped": 0},
            {"tracking_number": "1z999aa10123456784"},
            {"tracking_provider": "Mystery Post", "tracking_number": "MP1",
             "custom_tracking_link": "javascript:alert(1)", "date_shipped": "soon"}
        ])));
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!(p[0].tracking_number, "123456789012");
        assert_eq!(p[0].carrier, CUSTOM, "12 digits could be many carriers");
        assert_eq!(
            p[0].shipped,
            Some(Shipped::On(jiff::civil::date(2026, 11, 16)))
        );
        assert_eq!(p[1].carrier, "ups", "detected from the number");
        assert_eq!(p[1].shipped, None, "0 is no date");
        assert_eq!(p[2].carrier_name, "Mystery Post");
        assert_eq!(p[2].tracking_url, None, "only http(s) links");
        assert_eq!(p[2].shipped, None);
        assert!(parcels(&meta(json!("a:0:{}"))).is_empty());
    }

    #[test]
    fn custom_links_may_carry_the_plugin_placeholders() {
        let p = parcels(&meta(json!([{"custom_tracking_provider": "Local Courier",
            "custom_tracking_link": "https://courier.example/t/%1$s", "tracking_number": "LC 42"}])));
        assert_eq!(
            p[0].tracking_url.as_deref(),
            Some("https://courier.example/t/LC%2042")
        );
    }
}
