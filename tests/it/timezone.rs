//! Every date a person reads is a date in the shop's time zone, as WordPress prints it with
//! `wp_date()`. The shop here is in Los Angeles: its profile says so; without one, aftercare
//! learns its offset from the orders (`date_created` is the site's wall clock,
//! `date_created_gmt` UTC), and says in the store's health that it had to.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::invoices::{pdf_text, wait_for_invoice};

/// 22:30 on 2 December in Los Angeles is 06:30 on 3 December UTC.
const LOCAL: &str = "2026-12-02T22:30:00";
const GMT: &str = "2026-12-03T06:30:00";

/// The registered order as order `id`, placed at [`LOCAL`] in a shop eight hours behind UTC,
/// without tracking meta (its parcel comes from the staff API).
fn los_angeles_order(id: u64) -> Value {
    order_placed(id, LOCAL)
}

/// The order placed at [`GMT`], `local` on the shop's clock.
fn order_placed(id: u64, local: &str) -> Value {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["date_created"] = local.into();
    order["date_created_gmt"] = GMT.into();
    order["date_paid"] = local.into();
    order["date_paid_gmt"] = GMT.into();
    order["date_modified"] = local.into();
    order["date_modified_gmt"] = GMT.into();
    order["refunds"] = json!([]);
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    order
}

async fn deliver(app: &TestApp, order: &Value) {
    let (status, body) = app
        .deliver("order.created", &serde_json::to_vec(order).unwrap())
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The text of the page's `<time>` element for the instant `iso`.
fn shown_at(page: &str, iso: &str) -> String {
    let start = format!("<time datetime=\"{iso}\">");
    let at = page.find(&start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &page[at + start.len()..];
    rest[..rest.find("</time>").unwrap()].to_owned()
}

/// A parcel whose event was scanned at [`GMT`], and the tracking page as shown in English.
async fn page_with_an_event_at_gmt(app: &TestApp, order_id: u64) -> String {
    let (status, view) = app
        .get(&format!("/api/v1/customers/42/orders/{order_id}"))
        .await;
    assert_eq!(status, 200, "{view}");
    let (status, parcel) = app
        .post_json(
            &format!("/api/v1/orders/{order_id}/shipments"),
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": format!("{GMT}Z")}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let (status, event) = app
        .post_json(
            &format!("/api/v1/shipments/{}/events", parcel["id"]),
            &json!({"status": "in_transit", "occurred_at": format!("{GMT}Z"),
                    "location": "Oakland"}),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let url = view["tracking_url"].as_str().unwrap();
    let path = format!("/t/{}", url.rsplit_once("/t/").unwrap().1);
    app.text(app.url(&format!("{path}?lang=en"))).await
}

#[tokio::test]
async fn the_tracking_page_dates_an_event_in_the_shops_zone() {
    let app = TestApp::spawn().await;
    deliver(&app, &los_angeles_order(7001)).await;
    let page = page_with_an_event_at_gmt(&app, 7001).await;
    let shown = shown_at(&page, &format!("{GMT}Z"));
    assert!(shown.starts_with("Dec 2,"), "{shown}");
    assert!(shown.ends_with("10:30 PM"), "{shown}");
    app.stop().await;
}

/// The shop's profile names its zone: it wins over what the orders suggest (here a clock
/// nine hours ahead of UTC), at once, and nothing is guessed any more.
#[tokio::test]
async fn the_shops_profile_names_the_zone() {
    let app = TestApp::spawn().await;
    deliver(&app, &order_placed(7005, "2026-12-03T15:30:00")).await;
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(
        health["timezone"],
        json!({"name": "+09:00", "source": "orders"})
    );

    let (status, answer) = app
        .put_json(
            "/api/v1/store/profile",
            &json!({"name": "Aftercare Test Shop", "url": "http://127.0.0.1:8123/",
                    "timezone": "America/Los_Angeles"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let shop = json!({"name": "America/Los_Angeles", "source": "shop"});
    assert_eq!(answer["timezone"], shop);
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(health["timezone"], shop);
    assert!(
        !health["problems"].to_string().contains("time zone"),
        "{health}"
    );
    let page = page_with_an_event_at_gmt(&app, 7005).await;
    let shown = shown_at(&page, &format!("{GMT}Z"));
    assert!(shown.starts_with("Dec 2,"), "{shown}");

    // A site on a manual UTC offset sends it as `+09:00`.
    let (status, answer) = app
        .put_json(
            "/api/v1/store/profile",
            &json!({"name": "Aftercare Test Shop", "url": "http://127.0.0.1:8123/",
                    "timezone": "+09:00"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["timezone"],
        json!({"name": "+09:00", "source": "shop"})
    );
    app.stop().await;
}

#[tokio::test]
async fn a_configured_zone_wins_over_the_orders() {
    let app = TestApp::spawn_with("timezone = \"UTC\"").await;
    deliver(&app, &los_angeles_order(7002)).await;
    let page = page_with_an_event_at_gmt(&app, 7002).await;
    let shown = shown_at(&page, &format!("{GMT}Z"));
    assert!(shown.starts_with("Dec 3,"), "{shown}");
    assert!(shown.ends_with("6:30 AM"), "{shown}");

    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(
        health["timezone"],
        json!({"name": "UTC", "source": "config"})
    );
    assert!(
        !health["problems"].to_string().contains("time zone"),
        "{health}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_invoice_dates_the_order_in_the_shops_zone() {
    let app = TestApp::spawn().await;
    deliver(&app, &los_angeles_order(7003)).await;
    wait_for_invoice(&app, 42, 7003).await;
    let pdf = app
        .client
        .get(app.url("/api/v1/customers/42/orders/7003/invoice.pdf"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("2026-12-02"), "{text}");
    // Issued today in the shop's zone; only that date may be the 3rd.
    let today = (Timestamp::now() - SignedDuration::from_hours(8))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    if today != "2026-12-03" {
        assert!(!text.contains("2026-12-03"), "{text}");
    }
    let (zone, year): (String, String) = app
        .db()
        .query_row(
            "SELECT json_extract(settings, '$.timezone'), substr(number, 5, 4) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        zone, "-08:00",
        "the document records the zone it was dated in"
    );
    assert_eq!(year, &today[..4], "the number's year is the shop's");
    app.stop().await;
}

#[tokio::test]
async fn the_health_says_when_the_zone_is_only_guessed() {
    let app = TestApp::spawn().await;
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(health["timezone"], json!({"name": "UTC", "source": "utc"}));
    assert!(
        health["problems"].to_string().contains(
            "aftercare does not know the shop's time zone; dates use UTC. Press Connect in the plugin or set timezone in aftercare.toml."
        ),
        "{health}"
    );

    deliver(&app, &los_angeles_order(7004)).await;
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(
        health["timezone"],
        json!({"name": "-08:00", "source": "orders"})
    );
    assert!(
        health["problems"].to_string().contains(
            "aftercare does not know the shop's time zone; dates use UTC-08:00 derived from orders."
        ),
        "{health}"
    );

    // Each store's zone is its own: the second one has no orders yet.
    let (_, health) = app.get_as("/api/v1/store/health", SECOND_API_KEY).await;
    assert_eq!(health["timezone"]["source"], "utc", "{health}");
    app.stop().await;
}

#[tokio::test]
async fn a_stores_own_zone_wins_over_the_global_one() {
    let app = TestApp::spawn_with(
        "timezone = \"Asia/Seoul\"\n[[stores]]\nid = \"default\"\ntimezone = \"America/Los_Angeles\"",
    )
    .await;
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(
        health["timezone"],
        json!({"name": "America/Los_Angeles", "source": "config"})
    );
    let (_, health) = app.get_as("/api/v1/store/health", SECOND_API_KEY).await;
    assert_eq!(
        health["timezone"],
        json!({"name": "Asia/Seoul", "source": "config"})
    );
    app.stop().await;
}

/// The tracking plugins store the day the shop entered as midnight UTC (`strtotime()` under
/// WordPress's UTC). In Los Angeles that instant is the afternoon before, and before this
/// order was even placed: the parcel must leave on the day the shop entered.
#[tokio::test]
async fn a_shipping_day_from_tracking_meta_is_the_shops_day() {
    let app = TestApp::spawn().await;
    let mut order = los_angeles_order(7007);
    // "2026-12-03" as the plugins save it: 1796256000 is 2026-12-03T00:00:00Z.
    order["meta_data"].as_array_mut().unwrap().push(json!({
        "id": 9901, "key": "_wc_shipment_tracking_items",
        "value": [{"tracking_provider": "ups", "tracking_number": "1Z999AA10123456784",
                   "date_shipped": "1796256000", "tracking_id": "a51b"}]
    }));
    deliver(&app, &order).await;
    let (status, view) = app.get("/api/v1/customers/42/orders/7007").await;
    assert_eq!(status, 200, "{view}");
    let shipped = view["shipments"][0]["shipped_at"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        shipped, "2026-12-03T20:00:00Z",
        "noon on 3 December in Los Angeles: {view}"
    );
    app.stop().await;
}
