//! Tracking: parcels from the tracking plugins' meta and the staff API, events in any
//! order, delay alerts (live and with an injected clock), the public page, and a real
//! Chromium rendering it.

use aftercare::ids::{OrderId, StoreId};
use aftercare::woo::client::woo_date;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use aftercare::config::{Config, Flags, env_from};
use aftercare::ingest::{self, Incoming, Payload};
use aftercare::orders::store::Source;
use aftercare::shop::timezone::Zones;
use aftercare::store::Db;
use aftercare::tracking::store::shipments;
use aftercare::tracking::{ParcelFeed, derive, staff, sweep};
use aftercare::woo::Order;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

const META: &str = "_wc_shipment_tracking_items";

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// The registered KRW order as order `id`, without tracking meta: parcels come from the API.
fn plain_order(id: u64) -> Value {
    let mut order = fixture_json("orders/registered-krw.json");
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != META);
    order
}

async fn deliver_json(app: &TestApp, order: &Value) {
    let (status, body) = app
        .deliver("order.updated", &serde_json::to_vec(order).unwrap())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "accepted", "{body}");
}

async fn view(app: &TestApp, order_id: u64) -> Value {
    let (status, view) = app
        .get(&format!("/api/v1/customers/42/orders/{order_id}"))
        .await;
    assert_eq!(status, 200, "{view}");
    view
}

/// `/t/{token}` of an order view's `tracking_url`.
fn page_path(view: &Value) -> String {
    let url = view["tracking_url"].as_str().expect("tracking_url");
    format!("/t/{}", url.rsplit_once("/t/").unwrap().1)
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn page(app: &TestApp, path: &str, accept_language: Option<&str>) -> Page {
    let mut request = app.client.get(app.url(path));
    if let Some(lang) = accept_language {
        request = request.header("accept-language", lang);
    }
    let response = request.send().await.unwrap();
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

fn header<'a>(page: &'a Page, name: &str) -> &'a str {
    page.headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

async fn post_event(app: &TestApp, shipment_id: u64, event: Value) -> Value {
    let (status, body) = app
        .post_json(&format!("/api/v1/shipments/{shipment_id}/events"), &event)
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn every_meta_variant_of_the_fixtures_becomes_parcels() {
    // ETAs below are in UTC (the shop's own zone is tested in `timezone.rs`).
    let app = TestApp::spawn_with("timezone = \"UTC\"").await;
    for file in [
        "orders/registered-krw.json",
        "orders/guest-usd.json",
        "orders/checkout-draft.json",
    ] {
        let (status, _) = app.deliver("order.created", &fixture(file)).await;
        assert_eq!(status, 200, "{file}");
    }
    // The token row is written in the transaction that first mirrors the order.
    assert_eq!(app.count("SELECT COUNT(*) FROM order_tracking"), 3);

    let view = view(&app, 1001).await;
    let parcels = view["shipments"].as_array().unwrap();
    assert_eq!(parcels.len(), 2, "{view}");
    // List form, Advanced Shipment Tracking slug, `date_shipped` as a string.
    let cj = &parcels[0];
    assert_eq!(cj["carrier"], "cj-logistics");
    assert_eq!(cj["carrier_name"], "CJ Logistics");
    assert_eq!(cj["tracking_number"], "568912340017");
    assert_eq!(
        cj["tracking_url"],
        "https://trace.cjlogistics.com/next/tracking.html?wblNo=568912340017"
    );
    assert_eq!(cj["shipped_at"], "2026-11-14T15:00:00Z");
    assert_eq!(cj["status"], "shipped");
    // Saturday + 2 business days (UTC calendar, as configured) = Tuesday, end of day.
    assert_eq!(cj["eta"], "2026-11-17T23:59:59Z");
    assert_eq!(cj["source"], "woocommerce");
    assert_eq!(cj["events"], json!([]));
    // A custom provider with its own link; `date_shipped` as an int.
    let custom = &parcels[1];
    assert_eq!(custom["carrier"], "custom");
    assert_eq!(custom["carrier_name"], "번개 로지스");
    assert_eq!(
        custom["tracking_url"],
        "https://track.example.kr/parcel?no=BG2026111600731"
    );
    assert_eq!(custom["shipped_at"], "2026-11-16T06:29:58Z");
    assert_eq!(custom["eta"], "2026-11-23T23:59:59Z", "5 business days");
    // Two parcels and nobody said which items are in which: no guessing.
    for parcel in parcels {
        assert_eq!(parcel["items"], json!([]));
    }
    for item in view["line_items"].as_array().unwrap() {
        assert_eq!(item["shipments"], json!([]));
    }
    assert_eq!(view["delivery_state"], "shipped");

    // The old object form, keyed "0" and "2", provider as slug and as name.
    let (status, guest) = app
        .get("/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien@example.net")
        .await;
    assert_eq!(status, 200);
    let parcels = guest["shipments"].as_array().unwrap();
    let carriers: Vec<_> = parcels
        .iter()
        .map(|p| p["carrier"].as_str().unwrap())
        .collect();
    assert_eq!(carriers, ["usps", "ups"]);
    assert_eq!(
        parcels[1]["tracking_url"],
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    );
    assert_eq!(parcels[0]["eta"], "2026-11-17T23:59:59Z");
    assert_eq!(parcels[1]["eta"], "2026-11-18T23:59:59Z");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 4);
    app.stop().await;
}

#[tokio::test]
async fn redelivery_never_duplicates_and_removed_items_are_hidden_not_lost() {
    let app = TestApp::spawn().await;
    let first = fixture("orders/registered-krw.json");
    assert_eq!(
        app.deliver("order.created", &first).await.1["status"],
        "accepted"
    );
    assert_eq!(
        app.deliver("order.updated", &first).await.1["status"],
        "duplicate"
    );
    let updated = fixture("orders/registered-krw.updated.json");
    assert_eq!(
        app.deliver("order.updated", &updated).await.1["status"],
        "accepted"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 2);
    let token = |app: &TestApp| -> String {
        app.db()
            .query_row(
                "SELECT token FROM order_tracking WHERE order_id = 1001",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let original_token = token(&app);
    let ids: Vec<u64> = view(&app, 1001).await["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();

    // The shop deletes the second tracking item.
    let mut order = fixture_json("orders/registered-krw.updated.json");
    order["date_modified_gmt"] = "2026-11-16T07:00:00".into();
    let meta = order["meta_data"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["key"] == META)
        .unwrap();
    let removed = meta["value"].as_array_mut().unwrap().pop().unwrap();
    deliver_json(&app, &order).await;
    let v = view(&app, 1001).await;
    assert_eq!(v["shipments"].as_array().unwrap().len(), 1);
    assert_eq!(v["shipments"][0]["id"], ids[0]);
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 2, "kept");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shipments WHERE removed_at IS NOT NULL"),
        1
    );

    // ...and adds it back: the same parcel returns.
    order["date_modified_gmt"] = "2026-11-16T07:10:00".into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["key"] == META)
        .unwrap()["value"]
        .as_array_mut()
        .unwrap()
        .push(removed);
    deliver_json(&app, &order).await;
    let again: Vec<u64> = view(&app, 1001).await["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert_eq!(again, ids);
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 2);
    assert_eq!(
        token(&app),
        original_token,
        "one token for the order's life"
    );
    app.stop().await;
}

#[tokio::test]
async fn split_parcels_account_for_every_unit() {
    let app = TestApp::spawn().await;
    deliver_json(&app, &plain_order(3001)).await;
    let v = view(&app, 3001).await;
    assert_eq!(v["shipments"], json!([]));
    assert_eq!(v["delivery_state"], "unfulfilled");

    // Parcel A: the mouse and one of the two hoodies.
    let (status, a) = app
        .post_json(
            "/api/v1/orders/3001/shipments",
            &json!({"carrier": "cj-logistics", "tracking_number": "6001-2345-6789",
                    "shipped_at": "2026-11-16T01:00:00Z",
                    "items": [{"line_item_id": 201, "quantity": 1}, {"line_item_id": 202, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let a_id = a["id"].as_u64().unwrap();
    assert_eq!(a["source"], "api");
    assert_eq!(a["status"], "shipped");
    assert_eq!(
        a["items"],
        json!([{"line_item_id": 201, "quantity": 1}, {"line_item_id": 202, "quantity": 1}])
    );
    assert_eq!(
        a["tracking_url"],
        "https://trace.cjlogistics.com/next/tracking.html?wblNo=6001-2345-6789"
    );
    let v = view(&app, 3001).await;
    assert_eq!(v["delivery_state"], "partially_shipped");
    let line = |v: &Value, id: u64| {
        v["line_items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()["shipments"]
            .clone()
    };
    assert_eq!(line(&v, 202), json!([{"shipment_id": a_id, "quantity": 1}]));
    assert_eq!(line(&v, 203), json!([]));
    let unshipped: Vec<(u64, i64)> = v["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["id"].as_u64().unwrap(),
                l["unshipped_quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(unshipped, [(201, 0), (202, 1), (203, 1)]);

    // Two more hoodies than are left: refused, nothing stored.
    let (status, body) = app
        .post_json(
            "/api/v1/orders/3001/shipments",
            &json!({"carrier": "hanjin", "tracking_number": "420012345678",
                    "items": [{"line_item_id": 202, "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_error(&body, "validation_failed");
    assert_eq!(body["error"]["fields"][0]["field"], "items[0].quantity");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 of the 2"),
        "{body}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 1);

    // Parcel B without items: the rest of the order.
    let (status, b) = app
        .post_json(
            "/api/v1/orders/3001/shipments",
            &json!({"carrier": "한진택배", "tracking_number": "420012345678"}),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let b_id = b["id"].as_u64().unwrap();
    assert_eq!(b["carrier"], "hanjin");
    assert_eq!(
        b["items"],
        json!([{"line_item_id": 202, "quantity": 1}, {"line_item_id": 203, "quantity": 1}])
    );
    let v = view(&app, 3001).await;
    assert_eq!(v["delivery_state"], "shipped");
    assert_eq!(
        line(&v, 202),
        json!([{"shipment_id": a_id, "quantity": 1}, {"shipment_id": b_id, "quantity": 1}])
    );

    // Nothing is left for a third parcel; an unknown line item is named.
    let (status, body) = app
        .post_json(
            "/api/v1/orders/3001/shipments",
            &json!({"carrier": "hanjin", "tracking_number": "420099999999"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "items");
    let (status, body) = app
        .post_json(
            "/api/v1/orders/3001/shipments",
            &json!({"carrier": "hanjin", "tracking_number": "420099999999",
                    "items": [{"line_item_id": 999, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "items[0].line_item_id");

    // Delivery state follows the parcels.
    let at = |h: u32| format!("2026-11-17T{h:02}:00:00Z");
    post_event(
        &app,
        a_id,
        json!({"status": "delivered", "occurred_at": at(3)}),
    )
    .await;
    post_event(
        &app,
        b_id,
        json!({"status": "in_transit", "occurred_at": at(4)}),
    )
    .await;
    assert_eq!(view(&app, 3001).await["delivery_state"], "shipped");
    post_event(
        &app,
        b_id,
        json!({"status": "out_for_delivery", "occurred_at": at(5)}),
    )
    .await;
    assert_eq!(view(&app, 3001).await["delivery_state"], "out_for_delivery");
    post_event(
        &app,
        b_id,
        json!({"status": "delivered", "occurred_at": at(9)}),
    )
    .await;
    let v = view(&app, 3001).await;
    assert_eq!(v["delivery_state"], "delivered");

    // The order list carries the same, so a "Tracking" tab needs one request.
    let (_, list) = app.get("/api/v1/customers/42/orders").await;
    let summary = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == 3001)
        .unwrap();
    assert_eq!(summary["delivery_state"], "delivered");
    assert_eq!(summary["tracking_url"], v["tracking_url"]);
    assert_eq!(
        summary["shipments"],
        json!([
            {"carrier_name": "CJ Logistics", "tracking_number": "6001-2345-6789",
             "tracking_url": "https://trace.cjlogistics.com/next/tracking.html?wblNo=6001-2345-6789",
             "status": "delivered", "eta": null},
            {"carrier_name": "Hanjin Express", "tracking_number": "420012345678",
             "tracking_url": "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&schLang=KR&wblnumText2=420012345678",
             "status": "delivered", "eta": null}
        ])
    );
    app.stop().await;
}

/// The registered KRW order with only its first tracking-plugin parcel (no item list), and
/// completed a day ago, as shops mark orders when they ship them.
fn completed_with_one_meta_parcel(id: u64) -> Value {
    let mut order = fixture_json("orders/registered-krw.json");
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["status"] = "completed".into();
    order["date_completed_gmt"] =
        woo_date(Timestamp::now() - SignedDuration::from_hours(24)).into();
    for meta in order["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == META {
            meta["value"].as_array_mut().unwrap().truncate(1);
        }
    }
    order
}

#[tokio::test]
async fn a_parcel_from_tracking_meta_carries_the_order_and_its_items_wait_for_delivery() {
    let app = TestApp::spawn().await;
    deliver_json(&app, &completed_with_one_meta_parcel(4001)).await;
    let v = view(&app, 4001).await;
    assert_eq!(v["shipments"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["delivery_state"], "shipped");
    for item in v["line_items"].as_array().unwrap() {
        assert_eq!(item["unshipped_quantity"], 0, "{item}");
    }

    // The page lists the items in the parcel, and not again as unshipped.
    let p = page(&app, &page_path(&v), Some("en")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("In this parcel"), "{}", p.body);
    assert!(!p.body.contains("Not shipped yet"), "{}", p.body);

    // On their way: not returnable yet, although the order is completed.
    for item in v["return_eligibility"].as_array().unwrap() {
        assert_eq!(item["reason"], "not_delivered", "{item}");
        assert_eq!(item["returnable_quantity"], 0, "{item}");
    }
    // Delivered: the window starts.
    let parcel = v["shipments"][0]["id"].as_u64().unwrap();
    let just_now = woo_date(Timestamp::now() - SignedDuration::from_mins(1)) + "Z";
    post_event(
        &app,
        parcel,
        json!({"status": "delivered", "occurred_at": just_now}),
    )
    .await;
    let v = view(&app, 4001).await;
    for item in v["return_eligibility"].as_array().unwrap() {
        assert!(item["reason"].is_null(), "{item}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_staff_api_refuses_times_before_the_order_or_in_the_future() {
    let app = TestApp::spawn().await;
    deliver_json(&app, &plain_order(4002)).await;
    // The fixture's order was placed at 2026-11-14T01:12:05Z.
    let (status, body) = app
        .post_json(
            "/api/v1/orders/4002/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": "2026-11-13T01:12:05Z"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_error(&body, "validation_failed");
    assert_eq!(body["error"]["fields"][0]["field"], "shipped_at");
    assert_eq!(
        body["error"]["fields"][0]["message"],
        "must not be before the order was placed (2026-11-14T01:12:05Z)"
    );
    let in_an_hour = woo_date(Timestamp::now() + SignedDuration::from_hours(1)) + "Z";
    let (status, body) = app
        .post_json(
            "/api/v1/orders/4002/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": in_an_hour}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "shipped_at");
    assert_eq!(
        body["error"]["fields"][0]["message"],
        "must not be in the future"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shipments"), 0);

    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/4002/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": "2026-11-15T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let events = format!("/api/v1/shipments/{}/events", parcel["id"]);
    for (occurred_at, message) in [
        (
            "2026-11-01T00:00:00Z".to_owned(),
            "must not be before the order was placed (2026-11-14T01:12:05Z)",
        ),
        (in_an_hour.clone(), "must not be in the future"),
    ] {
        let (status, body) = app
            .post_json(
                &events,
                &json!({"status": "in_transit", "occurred_at": occurred_at}),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "occurred_at");
        assert_eq!(body["error"]["fields"][0]["message"], message);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);
    app.stop().await;
}

#[tokio::test]
async fn the_staff_api_rejects_bad_input_and_changes_nothing() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.deliver("order.created", &fixture("orders/registered-krw.json"))
            .await
            .0,
        200
    );
    let good = json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784"});

    let (status, body) = app
        .post_json("/api/v1/orders/999999/shipments", &good)
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    // Another store's key does not see this store's order.
    let (status, body) = app
        .post_json_as("/api/v1/orders/1001/shipments", &good, SECOND_API_KEY)
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    let response = app
        .client
        .post(app.url("/api/v1/orders/1001/shipments"))
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784", "colour": "red"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "unknown_field");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`colour`"),
        "{body}"
    );
    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "items": [{"line_item_id": 201, "quantity": 1, "sku": "x"}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("items[0].sku"),
        "{body}"
    );

    let raw = |content_type: &'static str, body: &'static str| {
        app.client
            .post(app.url("/api/v1/orders/1001/shipments"))
            .bearer_auth(API_KEY)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let (status, body) = read(raw("application/json", "{\"carrier\":").await.unwrap()).await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_json");
    let (status, body) = read(raw("text/plain", "carrier=ups").await.unwrap()).await;
    assert_eq!(status, 415);
    assert_error(&body, "unsupported_media_type");

    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"tracking_number": 5}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "tracking_number");
    let (status, body) = app
        .post_json("/api/v1/orders/1001/shipments", &json!({"carrier": "ups"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "tracking_number");

    // Every bad field at once.
    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "Nowhere Express", "tracking_number": "--",
                    "shipped_at": "tomorrow", "tracking_url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_error(&body, "validation_failed");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tracking_number", "tracking_url", "shipped_at"]);
    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "Nowhere Express", "tracking_number": "NX1"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "carrier");

    // The number is already a parcel of this order (from the tracking meta).
    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "cj-logistics", "tracking_number": "5689 1234 0017"}),
        )
        .await;
    assert_eq!(status, 409);
    assert_error(&body, "shipment_exists");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shipments"),
        2,
        "nothing added"
    );

    // Events.
    let shipment = view(&app, 1001).await["shipments"][0]["id"]
        .as_u64()
        .unwrap();
    let event = json!({"status": "in_transit", "occurred_at": "2026-11-15T02:00:00Z"});
    let (status, body) = app
        .post_json("/api/v1/shipments/999999/events", &event)
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "shipment_not_found");
    let (status, body) = app
        .post_json_as(
            &format!("/api/v1/shipments/{shipment}/events"),
            &event,
            SECOND_API_KEY,
        )
        .await;
    assert_eq!(status, 404, "shipment ids do not leak across stores");
    assert_error(&body, "shipment_not_found");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": "lost_in_space", "occurred_at": "2026-11-15T02:00:00Z"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "status");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("out_for_delivery")
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": "in_transit", "occurred_at": "2026-11-15T02:00:00Z", "by": "me"}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": "in_transit"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "occurred_at");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);
    app.stop().await;
}

#[tokio::test]
async fn events_out_of_order_sort_by_time_and_the_newest_decides() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let id = view(&app, 1001).await["shipments"][0]["id"]
        .as_u64()
        .unwrap();
    let delivered = post_event(
        &app,
        id,
        json!({"status": "delivered", "occurred_at": "2026-11-17T05:40:00Z",
               "location": "서울 강남", "description": "Left with the concierge"}),
    )
    .await;
    assert_eq!(delivered["shipment"]["status"], "delivered");
    for (status, at) in [
        ("in_transit", "2026-11-16T01:00:00+09:00"),
        ("label_created", "2026-11-14T16:00:00Z"),
        ("out_for_delivery", "2026-11-17T00:10:00Z"),
    ] {
        let body = post_event(&app, id, json!({"status": status, "occurred_at": at})).await;
        assert_eq!(
            body["shipment"]["status"], "delivered",
            "an older {status} changes nothing"
        );
        assert_eq!(body["event"]["status"], status);
    }
    // The identical event again: recorded once, 200.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{id}/events"),
            &json!({"status": "label_created", "occurred_at": "2026-11-14T16:00:00Z"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 4);

    let v = view(&app, 1001).await;
    let parcel = &v["shipments"][0];
    assert_eq!(parcel["status"], "delivered");
    assert_eq!(parcel["delivered_at"], "2026-11-17T05:40:00Z");
    assert!(parcel["eta"].is_null());
    let history: Vec<(&str, &str)> = parcel["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap(),
                e["occurred_at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("delivered", "2026-11-17T05:40:00Z"),
            ("out_for_delivery", "2026-11-17T00:10:00Z"),
            ("in_transit", "2026-11-15T16:00:00Z"),
            ("label_created", "2026-11-14T16:00:00Z"),
        ]
    );
    assert_eq!(parcel["events"][0]["location"], "서울 강남");
    assert_eq!(
        parcel["events"][0]["description"],
        "Left with the concierge"
    );
    assert!(parcel["events"][1]["location"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn delay_alerts_are_raised_listed_notified_and_resolved() {
    let app = TestApp::spawn().await;
    let now = Timestamp::now();
    let days = |n: i64| now - SignedDuration::from_hours(24 * n);
    let mut order = plain_order(4001);
    order["date_created_gmt"] = woo_date(days(10)).into();
    order["date_paid_gmt"] = woo_date(days(10)).into();
    order["date_modified_gmt"] = woo_date(days(9)).into();
    deliver_json(&app, &order).await;

    // Ingest enqueues an evaluation; the worker raises `not_shipped` and hands a
    // `notify_delay` job on, which completes as "no notifier configured".
    app.run_jobs_until_idle().await;
    let (_, alerts) = app.get("/api/v1/alerts").await;
    assert_eq!(alerts["total"], 1, "a not_shipped alert: {alerts}");
    let late = &alerts["orders"][0];
    assert_eq!(late["order_id"], 4001);
    assert_eq!(late["number"], "4001");
    assert_eq!(late["alerts"][0]["code"], "not_shipped");
    assert!(late["alerts"][0]["shipment_id"].is_null());
    assert!(late["tracking_url"].as_str().unwrap().contains("/t/"));
    let v = view(&app, 4001).await;
    assert_eq!(v["alerts"][0]["code"], "not_shipped");
    assert!(
        v["alerts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("hasn't shipped")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify_delay' AND done_at IS NOT NULL"),
        1,
        "the notification job done"
    );
    let (status, filtered) = app.get("/api/v1/alerts?code=eta_passed").await;
    assert_eq!(status, 200);
    assert_eq!(filtered["total"], 0);
    let (status, body) = app.get("/api/v1/alerts?code=late").await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_query");
    assert_eq!(
        app.get_as("/api/v1/alerts", SECOND_API_KEY).await.1["total"],
        0
    );

    // Shipping resolves it at once.
    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/4001/shipments",
            &json!({"carrier": "cj-logistics", "tracking_number": "700011112222",
                    "shipped_at": woo_date(days(7)) + "Z"}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let id = parcel["id"].as_u64().unwrap();
    assert_eq!(app.get("/api/v1/alerts").await.1["total"], 0);
    assert_eq!(view(&app, 4001).await["alerts"], json!([]));

    // A label a week old without a carrier scan.
    post_event(
        &app,
        id,
        json!({"status": "label_created", "occurred_at": woo_date(days(7)) + "Z"}),
    )
    .await;
    let v = view(&app, 4001).await;
    assert_eq!(v["alerts"][0]["code"], "no_carrier_scan");
    assert_eq!(v["alerts"][0]["shipment_id"], id);
    assert!(
        v["alerts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("700011112222")
    );

    // A reported problem.
    post_event(
        &app,
        id,
        json!({"status": "exception", "occurred_at": woo_date(days(1)) + "Z",
               "description": "Recipient address not found"}),
    )
    .await;
    let v = view(&app, 4001).await;
    assert_eq!(v["delivery_state"], "exception");
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(v["alerts"][0]["code"], "delivery_exception");
    assert!(
        v["alerts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Recipient address not found")
    );

    // Delivered: everything clears.
    post_event(
        &app,
        id,
        json!({"status": "delivered", "occurred_at": woo_date(now - SignedDuration::from_mins(5)) + "Z"}),
    )
    .await;
    let v = view(&app, 4001).await;
    assert_eq!(v["delivery_state"], "delivered");
    assert_eq!(v["alerts"], json!([]));
    assert_eq!(app.get("/api/v1/alerts").await.1["total"], 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM delay_alerts"), 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM delay_alerts WHERE resolved_at IS NULL"),
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify_delay'"),
        3
    );
    app.stop().await;
}

/// The sweep with an injected clock: a real database, real ingest, real rules.
#[tokio::test]
async fn the_sweep_raises_and_resolves_alerts_as_injected_time_passes() {
    let dir = tempfile::tempdir().unwrap();
    let config = load_config(
        dir.path(),
        "[tracking]\ntimezone = \"Asia/Seoul\"\nholidays = [\"2026-11-26\"]\n",
    );
    let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
    let settings = config.tracking.clone();
    let zones = Zones::new(config.timezones.clone());
    let ts = |s: &str| -> Timestamp { s.parse().unwrap() };

    // Paid Friday 20 Nov, 15:00 in Seoul.
    let mut order = plain_order(6001);
    order["date_created_gmt"] = "2026-11-20T05:59:00".into();
    order["date_paid_gmt"] = "2026-11-20T06:00:00".into();
    order["date_modified_gmt"] = "2026-11-20T06:00:00".into();
    ingest_order(&db, &config, &order).await;

    let sweep_at = |at: &'static str| {
        let (db, settings, zones) = (db.clone(), settings.clone(), zones.clone());
        async move {
            sweep::sweep_once(&db, &settings, &zones, ts(at))
                .await
                .unwrap()
        }
    };
    let open_alerts = |db: &Db| {
        let db = db.clone();
        async move {
            db.read(|c| {
                let mut stmt = c.prepare(
                    "SELECT code FROM delay_alerts WHERE resolved_at IS NULL ORDER BY id",
                )?;
                let codes = stmt
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(codes)
            })
            .await
            .unwrap()
        }
    };
    // Sunday: the weekend does not count.
    assert_eq!(sweep_at("2026-11-22T12:00:00Z").await.raised, 0);
    // Tuesday 14:59 KST: not yet two business days.
    assert_eq!(sweep_at("2026-11-24T05:59:00Z").await.raised, 0);
    let report = sweep_at("2026-11-24T06:00:00Z").await;
    assert_eq!((report.raised, report.resolved), (1, 0));
    assert_eq!(open_alerts(&db).await, ["not_shipped"]);
    assert_eq!(
        sweep_at("2026-11-24T07:00:00Z").await.raised,
        0,
        "raised once"
    );
    let notify: i64 = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM jobs j JOIN delay_alerts a ON a.id = j.subject
                 WHERE j.kind = 'notify_delay' AND j.order_id = 6001",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(notify, 1, "one notification job per raised alert");

    // A parcel resolves it; its in-transit scan carries the carrier's ETA.
    let request: staff::NewShipmentRequest = serde_json::from_value(json!({
        "carrier": "cj-logistics", "tracking_number": "777", "shipped_at": "2026-11-23T00:00:00Z"
    }))
    .unwrap();
    let parcel = staff::create_shipment(
        &db,
        settings.clone(),
        &zones,
        ParcelFeed::Unfollowed,
        StoreId::default_store(),
        OrderId::new(6001),
        request,
    )
    .await
    .unwrap();
    assert_eq!(open_alerts(&db).await, Vec::<String>::new());
    let parcel_id = parcel.id;
    let event = {
        let db = db.clone();
        move |status: &'static str, at: &'static str, eta: Option<&'static str>| {
            let db = db.clone();
            async move {
                db.writer()
                    .write(move |c| {
                        // Recorded when it happened.
                        let recorded = aftercare::time::millis(at.parse().expect("a timestamp"));
                        shipments::add_event(
                            c,
                            parcel_id,
                            &shipments::NewEvent {
                                status,
                                occurred_at: at,
                                location: "",
                                description: "",
                                eta,
                            },
                            &recorded,
                        )?;
                        derive::refresh_state(
                            c,
                            &StoreId::default_store(),
                            OrderId::new(6001),
                            &recorded,
                        )
                    })
                    .await
                    .unwrap()
            }
        }
    };
    // Last scan Wednesday 25 Nov 10:00 KST; Thursday 26 is a holiday; 3 business days
    // are Friday, Monday, Tuesday -> stalled from Tuesday 1 Dec 10:00 KST.
    event(
        "in_transit",
        "2026-11-25T01:00:00Z",
        Some("2026-12-03T14:59:59Z"),
    )
    .await;
    assert_eq!(sweep_at("2026-11-30T23:00:00Z").await.raised, 0);
    assert_eq!(sweep_at("2026-12-01T01:00:00Z").await.raised, 1);
    assert_eq!(open_alerts(&db).await, ["stalled_in_transit"]);
    // After the ETA the passed ETA is what the customer hears about.
    let report = sweep_at("2026-12-03T15:00:00Z").await;
    assert_eq!((report.raised, report.resolved), (1, 1));
    assert_eq!(open_alerts(&db).await, ["eta_passed"]);
    // Delivered: resolved, and the sweep stops watching the order.
    event("delivered", "2026-12-04T02:00:00Z", None).await;
    let report = sweep_at("2026-12-04T03:00:00Z").await;
    assert_eq!(report.resolved, 1);
    assert_eq!(open_alerts(&db).await, Vec::<String>::new());
    let watched: i64 = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM order_tracking WHERE watch = 1",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(watched, 0);
    db.close().await;
}

/// A parcel known only by its tracking number never shows as delivered: its passed ETA is
/// raised only for a store that opted in, once, and then the sweep stops looking.
#[tokio::test]
async fn a_parcel_without_events_is_called_past_its_eta_only_when_the_store_opts_in() {
    let ts = |s: &str| -> Timestamp { s.parse().unwrap() };
    // Shipped Monday 23 Nov with CJ: a few business days' transit, then its ETA passes.
    let mut order = plain_order(6002);
    order["status"] = "processing".into();
    order["date_modified_gmt"] = "2026-11-23T01:00:00".into();
    order["meta_data"].as_array_mut().unwrap().push(json!({
        "id": 9900, "key": META,
        "value": [{"tracking_provider": "cj-logistics", "tracking_number": "568912340099",
                   "date_shipped": "1795392000", "tracking_id": "a1"}]
    }));
    for (opted_in, expected) in [
        (false, Vec::<String>::new()),
        (true, vec!["eta_passed".to_owned()]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = load_config(
            dir.path(),
            &format!(
                "[tracking]\ntimezone = \"Asia/Seoul\"\n[tracking.delays]\n\
                 eta_passed_without_events = {opted_in}\n"
            ),
        );
        let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
        ingest_order(&db, &config, &order).await;
        let settings = config.tracking.clone();
        let zones = Zones::new(config.timezones.clone());
        let before = sweep::sweep_once(&db, &settings, &zones, ts("2026-11-24T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(before.raised, 0, "opted in: {opted_in}");
        let after = sweep::sweep_once(&db, &settings, &zones, ts("2026-12-15T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(after.raised, expected.len(), "opted in: {opted_in}");
        let (codes, watched) = db
            .read(|c| {
                let mut stmt = c.prepare(
                    "SELECT code FROM delay_alerts WHERE resolved_at IS NULL ORDER BY id",
                )?;
                let codes = stmt
                    .query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                let watched: i64 = c.query_row(
                    "SELECT COUNT(*) FROM order_tracking WHERE watch = 1",
                    [],
                    |r| r.get(0),
                )?;
                Ok((codes, watched))
            })
            .await
            .unwrap();
        assert_eq!(codes, expected, "opted in: {opted_in}");
        assert_eq!(watched, 0, "nothing more can happen with time alone");
        let again = sweep::sweep_once(&db, &settings, &zones, ts("2026-12-16T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            (again.evaluated > 0, again.raised),
            (opted_in, 0),
            "raised once"
        );
        db.close().await;
    }
}

/// The service's configuration from `toml` (data in `dir/data`), as `serve` would load it.
fn load_config(dir: &std::path::Path, toml: &str) -> Config {
    let config_path = dir.join("aftercare.toml");
    std::fs::write(&config_path, toml).unwrap();
    aftercare::startup::load(
        &Flags {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            data_dir: Some(dir.join("data")),
            config: Some(config_path),
        },
        &env_from(BTreeMap::from([
            ("AFTERCARE_WEBHOOK_SECRET".to_owned(), SECRET.to_owned()),
            ("AFTERCARE_API_KEY".to_owned(), API_KEY.to_owned()),
        ])),
    )
    .unwrap()
}

async fn ingest_order(db: &Db, config: &Config, order: &Value) {
    let raw = serde_json::to_string(order).unwrap();
    let parsed: Order = serde_json::from_str(&raw).unwrap();
    let incoming = Incoming {
        store_id: StoreId::default_store(),
        topic: "order.updated".into(),
        webhook_id: None,
        body_sha256: Sha256::digest(raw.as_bytes()).into(),
        received_at: Timestamp::now(),
        payload: Payload::order(parsed, raw, Source::Update),
    };
    let ingested = ingest::ingest(
        db.writer(),
        incoming,
        config.invoices.clone(),
        config.feeds.parcel_feed(&StoreId::default_store()),
    )
    .await
    .unwrap();
    assert_eq!(ingested.outcome, ingest::Outcome::Accepted);
}

/// Orders mirrored before tracking existed get their token and parcels from the sweep.
#[tokio::test]
async fn the_first_sweep_backfills_orders_mirrored_before_tracking() {
    let dir = tempfile::tempdir().unwrap();
    let config = load_config(dir.path(), "");
    let zones = Zones::new(config.timezones.clone());
    let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
    ingest_order(&db, &config, &fixture_json("orders/registered-krw.json")).await;
    // Forget the tracking rows, as on a database from before the tracking migration.
    db.writer()
        .write(|c| {
            c.execute_batch(
                "DELETE FROM order_tracking; DELETE FROM shipments; DELETE FROM jobs;",
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let report = sweep::sweep_once(&db, &config.tracking, &zones, Timestamp::now())
        .await
        .unwrap();
    assert_eq!(report.backfilled, 1);
    let (tokens, parcels): (i64, i64) = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT (SELECT COUNT(*) FROM order_tracking), (SELECT COUNT(*) FROM shipments)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!((tokens, parcels), (1, 2));
    assert_eq!(
        sweep::sweep_once(&db, &config.tracking, &zones, Timestamp::now())
            .await
            .unwrap()
            .backfilled,
        0
    );
    db.close().await;
}

#[tokio::test]
async fn the_tracking_page_shows_progress_parcels_history_and_no_personal_data() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let v = view(&app, 1001).await;
    let cj = v["shipments"][0]["id"].as_u64().unwrap();
    // Recent events and a carrier ETA ahead: nothing is late, whenever the test runs.
    let now = Timestamp::now();
    let ago = |minutes: i64| woo_date(now - SignedDuration::from_mins(minutes)) + "Z";
    let ahead = woo_date(now + SignedDuration::from_hours(48)) + "Z";
    post_event(
        &app,
        cj,
        json!({"status": "label_created", "occurred_at": ago(180), "location": "Seoul Gangnam"}),
    )
    .await;
    let in_transit_at = ago(60);
    post_event(
        &app,
        cj,
        json!({"status": "in_transit", "occurred_at": in_transit_at,
               "location": "곤지암 Hub", "description": "간선 상차", "eta": ahead}),
    )
    .await;
    let path = page_path(&v);

    let p = page(&app, &path, Some("en-US,en;q=0.9")).await;
    assert_eq!(p.status, 200);
    assert!(header(&p, "content-type").starts_with("text/html"));
    assert!(header(&p, "x-robots-tag").contains("noindex"));
    assert_eq!(header(&p, "referrer-policy"), "no-referrer");
    assert_eq!(header(&p, "cache-control"), "no-store");
    assert_eq!(header(&p, "content-language"), "en");
    let body = &p.body;
    for expected in [
        "<html lang=\"en\">",
        "<meta name=\"robots\" content=\"noindex",
        "<header",
        "<main id=\"main\"",
        "<footer",
        "<h1 id=\"headline\">On its way</h1>",
        "Order #1001",
        "Hi 민지,",
        "서울특별시",
        "role=\"progressbar\"",
        "aria-valuenow=\"3\"",
        "aria-current=\"step\"",
        "Parcel 1 of 2",
        "CJ Logistics",
        "href=\"https://trace.cjlogistics.com/next/tracking.html?wblNo=568912340017\"",
        "rel=\"noopener noreferrer\"",
        "번개 로지스",
        "href=\"https://track.example.kr/parcel?no=BG2026111600731\"",
        "곤지암 Hub",
        "간선 상차",
        &format!("<time datetime=\"{in_transit_at}\">"),
        "Nimbus Wireless Mouse",
        "Items in your order",
    ] {
        assert!(body.contains(expected), "page lacks {expected:?}");
    }
    // Newest event first.
    assert!(body.find("간선 상차").unwrap() < body.find("Seoul Gangnam").unwrap());
    // Only the first name and the city: no surname, email, phone, street, postcode, company.
    for private in [
        "김",
        "minji.kim@example.com",
        "010-2345-6789",
        "테헤란로",
        "06236",
        "5층",
        "에이블랩",
        "wc_order_",
        "kakaopay",
    ] {
        assert!(!body.contains(private), "page shows {private:?}");
    }
    assert!(!body.contains("<script"), "the page needs no script");
    assert!(body.len() <= 30 * 1024, "{} bytes", body.len());

    // Korean, by Accept-Language and by ?lang=; ?lang= wins.
    for (query, accept) in [
        ("", Some("ko-KR,ko;q=0.9,en;q=0.5")),
        ("?lang=ko", Some("en")),
    ] {
        let p = page(&app, &format!("{path}{query}"), accept).await;
        assert_eq!(p.status, 200);
        assert_eq!(header(&p, "content-language"), "ko");
        for expected in [
            "<html lang=\"ko\">",
            "배송 중이에요",
            "민지님",
            "CJ대한통운",
            "운송장 번호",
            "배송 기록",
            "이동 중",
            "주문번호 1001",
        ] {
            assert!(p.body.contains(expected), "Korean page lacks {expected:?}");
        }
    }
    let p = page(&app, &format!("{path}?lang=en"), Some("ko")).await;
    assert!(p.body.contains("On its way"));

    // A heavy history still weighs under 30 KB.
    for parcel in v["shipments"].as_array().unwrap() {
        let id = parcel["id"].as_u64().unwrap();
        for h in 0..15 {
            post_event(
                &app,
                id,
                json!({"status": "in_transit", "occurred_at": ago(300 + h * 10),
                       "location": format!("Sorting centre {h}"),
                       "description": "Arrived at the sorting centre and departed towards the next hub"}),
            )
            .await;
        }
    }
    let p = page(&app, &path, Some("ko")).await;
    assert!(
        p.body.len() <= 30 * 1024,
        "{} bytes with 32 events",
        p.body.len()
    );
    app.stop().await;
}

#[tokio::test]
async fn hostile_strings_are_escaped_on_the_page() {
    let app = TestApp::spawn().await;
    let mut order = fixture_json("orders/registered-krw.json");
    order["id"] = 7001.into();
    order["shipping"]["first_name"] = "<script>alert('name')</script>".into();
    order["shipping"]["city"] = "\"><img src=x onerror=alert('city')>".into();
    order["line_items"][0]["name"] = "</title><script>alert('item')</script>".into();
    let meta = order["meta_data"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["key"] == META)
        .unwrap();
    meta["value"][1]["custom_tracking_provider"] = "<script>alert('carrier')</script>".into();
    meta["value"][1]["custom_tracking_link"] =
        "https://track.example/?n=\"><script>alert('link')</script>".into();
    deliver_json(&app, &order).await;
    let v = view(&app, 7001).await;
    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/7001/shipments",
            &json!({"carrier": "<b onmouseover=alert('api')>Courier</b>", "tracking_number": "X<1>",
                    "tracking_url": "https://courier.example/t/X1",
                    "items": [{"line_item_id": 203, "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let id = parcel["id"].as_u64().unwrap();
    post_event(
        &app,
        id,
        json!({"status": "exception", "occurred_at": "2026-11-17T01:00:00Z",
               "location": "<iframe src=//evil>",
               "description": "<script>alert('event')</script><img src=x onerror=alert(1)>"}),
    )
    .await;
    let body = page(&app, &page_path(&v), None).await.body;
    for raw in [
        "<script",
        "<img src=x",
        "<b onmouseover",
        "<iframe",
        "</title><",
    ] {
        assert!(!body.contains(raw), "unescaped {raw:?} on the page");
    }
    // askama writes `<` `>` `"` `'` as `&#60;` `&#62;` `&#34;` `&#39;`.
    for escaped in [
        "Hi &#60;script&#62;alert(&#39;name&#39;)&#60;/script&#62;,",
        "&#34;&#62;&#60;img src=x onerror=alert(&#39;city&#39;)&#62;",
        "&#60;/title&#62;&#60;script&#62;alert(&#39;item&#39;)&#60;/script&#62;",
        "&#60;script&#62;alert(&#39;carrier&#39;)&#60;/script&#62;",
        "href=\"https://track.example/?n=&#34;&#62;&#60;script&#62;alert(&#39;link&#39;)&#60;/script&#62;\"",
        "&#60;b onmouseover=alert(&#39;api&#39;)&#62;Courier&#60;/b&#62;",
        "&#60;script&#62;alert(&#39;event&#39;)&#60;/script&#62;&#60;img src=x onerror=alert(1)&#62;",
        "&#60;iframe src=//evil&#62;",
        "X&#60;1&#62;",
    ] {
        assert!(body.contains(escaped), "page lacks escaped {escaped:?}");
    }
    // The exception reaches the headline and the notice, escaped.
    assert!(body.contains("There&#39;s a problem with your delivery"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_tokens_get_a_friendly_404_page() {
    let app = TestApp::spawn().await;
    for file in ["orders/registered-krw.json", "orders/checkout-draft.json"] {
        app.deliver("order.created", &fixture(file)).await;
    }
    // A real row id with another secret, a row that does not exist, malformed tokens.
    let real = page_path(&view(&app, 1001).await);
    let forged = format!("{}{}", &real[..real.len() - 6], "AAAAAA");
    for path in [
        forged.as_str(),
        "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/t/AAAAAAAAAAAAAA_AAAAAAAAAAAAAAAAA",
        "/t/AAAAAAAAAAAAAAAAAAAAAA",
        "/t/short",
        "/t/%3Cscript%3E",
    ] {
        let p = page(&app, path, None).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(header(&p, "content-type").starts_with("text/html"));
        assert!(header(&p, "x-robots-tag").contains("noindex"));
        assert!(
            p.body.contains("We can&#39;t find this tracking page"),
            "{}",
            p.body
        );
        assert!(p.body.contains("<meta name=\"robots\" content=\"noindex"));
        assert!(!p.body.contains("<script"));
    }
    let p = page(&app, &forged, Some("ko")).await;
    assert!(p.body.contains("배송 조회 페이지를 찾을 수 없어요"));

    // A checkout draft has a token but no page.
    let draft: String = app
        .db()
        .query_row(
            "SELECT token FROM order_tracking WHERE order_id = 1003",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(page(&app, &format!("/t/{draft}"), None).await.status, 404);
    // A trashed order's page is gone, and back with the order.
    let path = page_path(&view(&app, 1001).await);
    assert_eq!(page(&app, &path, None).await.status, 200);
    app.deliver("order.deleted", &fixture("orders/deleted-1001.json"))
        .await;
    assert_eq!(page(&app, &path, None).await.status, 404);
    let (status, body) = app
        .deliver(
            "order.restored",
            &fixture("orders/registered-krw.updated.json"),
        )
        .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("accepted")));
    assert_eq!(
        page(&app, &path, None).await.status,
        200,
        "same token after restore"
    );
    app.stop().await;
}

pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .filter_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(name))
                    .find(|p| p.is_file())
            })
        })
        .next()
}

/// Draws the page at `target` (a URL, or a file as `file://…`) into `shot` at `width` ×
/// `height` with headless Chromium, and checks a PNG of that size came out.
pub async fn screenshot(binary: &Path, target: String, shot: &Path, width: u32, height: u32) {
    let _ = std::fs::remove_file(shot);
    let args = vec![
        format!("--window-size={width},{height}"),
        format!("--screenshot={}", shot.display()),
        target,
    ];
    let binary = binary.to_owned();
    let output = tokio::task::spawn_blocking(move || run_chromium(&binary, args))
        .await
        .unwrap();
    let bytes = std::fs::read(shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {}: {e}\n{}",
            shot.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(png_size(&bytes), (width, height), "{}", shot.display());
}

/// Width and height from a PNG's IHDR chunk.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

pub fn run_chromium(binary: &Path, args: Vec<String>) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_renders_the_page_at_phone_and_desktop_widths() {
    let Some(binary) = chromium() else {
        missing_tool("chromium", "chromium");
        return;
    };
    let app = TestApp::spawn_with(
        "[tracking.branding]\nstore_name = \"Nimbus & Tea Co.\"\nprimary_color = \"#0f766e\"\n\
         support_url = \"https://shop.example.kr/contact\"\n",
    )
    .await;
    // Without product photos: the shop's image host is not reachable from here.
    let mut order = fixture_json("orders/registered-krw.json");
    for item in order["line_items"].as_array_mut().unwrap() {
        item["image"] = json!({"id": "", "src": ""});
    }
    deliver_json(&app, &order).await;
    let v = view(&app, 1001).await;
    let (cj, custom) = (
        v["shipments"][0]["id"].as_u64().unwrap(),
        v["shipments"][1]["id"].as_u64().unwrap(),
    );
    let now = Timestamp::now();
    let ago = |hours: i64| woo_date(now - SignedDuration::from_mins(hours * 60 + 7)) + "Z";
    let ahead = |hours: i64| woo_date(now + SignedDuration::from_hours(hours)) + "Z";
    for (id, status, at, location, description, eta) in [
        (
            cj,
            "label_created",
            ago(50),
            "Seoul Gangnam",
            "Shipping label created",
            None,
        ),
        (
            cj,
            "in_transit",
            ago(40),
            "Gonjiam Hub",
            "Departed the sorting hub",
            Some(ahead(6)),
        ),
        (
            cj,
            "in_transit",
            ago(20),
            "Seoul Gangnam",
            "Arrived at the delivery branch",
            None,
        ),
        (
            cj,
            "out_for_delivery",
            ago(2),
            "Seoul Gangnam",
            "With the driver",
            None,
        ),
        (
            custom,
            "in_transit",
            ago(5),
            "Incheon",
            "Picked up by the courier",
            Some(ahead(30)),
        ),
    ] {
        post_event(
            &app,
            id,
            json!({"status": status, "occurred_at": at, "location": location,
                   "description": description, "eta": eta}),
        )
        .await;
    }
    // A second order that is late: paid a week ago, still not shipped.
    let mut late = plain_order(8001);
    late["date_created_gmt"] = woo_date(now - SignedDuration::from_hours(24 * 7)).into();
    late["date_paid_gmt"] = woo_date(now - SignedDuration::from_hours(24 * 7)).into();
    late["date_modified_gmt"] = woo_date(now - SignedDuration::from_hours(24 * 6)).into();
    for item in late["line_items"].as_array_mut().unwrap() {
        item["image"] = json!({"id": "", "src": ""});
    }
    deliver_json(&app, &late).await;
    app.run_jobs_until_idle().await;
    assert!(
        view(&app, 8001).await["alerts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "the late order's alert"
    );

    let url = app.url(&page_path(&v));
    let late_url = app.url(&page_path(&view(&app, 8001).await));
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tracking-screenshots");
    std::fs::create_dir_all(&out_dir).unwrap();

    for (name, page_url, width, height, lang) in [
        ("phone", &url, 390, 844, "en"),
        ("desktop", &url, 1280, 900, "en"),
        ("phone-ko", &url, 390, 844, "ko"),
        ("phone-full", &url, 390, 1900, "en"),
        ("desktop-late", &late_url, 1280, 900, "en"),
    ] {
        let shot = out_dir.join(format!("tracking-{name}.png"));
        screenshot(
            &binary,
            format!("{page_url}?lang={lang}"),
            &shot,
            width,
            height,
        )
        .await;
        eprintln!("screenshot: {}", shot.display());
    }
    // The DOM the browser built has the page's landmarks and content.
    let (binary2, target) = (binary.clone(), url.clone());
    let output = tokio::task::spawn_blocking(move || {
        run_chromium(&binary2, vec!["--dump-dom".into(), target])
    })
    .await
    .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("Out for delivery"), "{dom}");
    assert!(dom.contains("Nimbus &amp; Tea Co."));
    assert!(dom.contains("role=\"progressbar\""));
    app.stop().await;
}
