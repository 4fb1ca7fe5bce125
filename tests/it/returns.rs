//! Returns: eligibility, requests with photos, the lifecycle, races for the last unit, and
//! the money moved through a mock WooCommerce that checks every OAuth signature.

use aftercare::woo::client::woo_date;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use super::fake_woo::{API, FakeWoo};
use super::helpers::*;

/// The Korean fixture as order `id` of `customer`, completed `days_ago` days ago (or still
/// `processing` when `None`), without refunds. Line items: 201 (qty 1, SKU NB-MS-350),
/// 202 (qty 2), 203 (qty 1).
fn order(id: u64, customer: u64, completed_days_ago: Option<i64>) -> Vec<u8> {
    let mut order: Value =
        serde_json::from_slice(&fixture("orders/registered-krw.updated.json")).unwrap();
    let now = Timestamp::now();
    order["id"] = id.into();
    order["number"] = format!("R-{id}").into();
    order["customer_id"] = customer.into();
    order["order_key"] = format!("wc_order_key{id}").into();
    order["refunds"] = json!([]);
    match completed_days_ago {
        Some(days) => {
            let at = woo_date(now - SignedDuration::from_hours(24 * days));
            order["status"] = "completed".into();
            order["date_completed_gmt"] = at.clone().into();
            order["date_modified_gmt"] = at.into();
        }
        None => {
            order["status"] = "processing".into();
            order["date_completed_gmt"] = Value::Null;
            order["date_completed"] = Value::Null;
            order["date_modified_gmt"] = woo_date(now - SignedDuration::from_hours(1)).into();
        }
    }
    serde_json::to_vec(&order).unwrap()
}

fn item(line_item_id: u64, quantity: i64, reason: &str) -> Value {
    json!({"line_item_id": line_item_id, "quantity": quantity, "reason": reason})
}

fn request(items: Vec<Value>, resolution: &str) -> Value {
    json!({"items": items, "resolution": resolution, "comment": "Please take these back."})
}

fn returns_path(customer: u64, order: u64) -> String {
    format!("/api/v1/customers/{customer}/orders/{order}/returns")
}

/// The error's field names, in order.
fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

fn field_message(body: &Value, field: &str) -> String {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {field} in {body}"))
}

fn eligibility(view: &Value, line_item_id: u64) -> Value {
    view["return_eligibility"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["line_item_id"] == line_item_id)
        .cloned()
        .unwrap_or_else(|| panic!("no eligibility for {line_item_id} in {view}"))
}

async fn deliver_order(app: &TestApp, body: &[u8]) {
    let (status, answer) = app.deliver("order.updated", body).await;
    assert_eq!(status, 200, "{answer}");
}

const POLICY: &str = "[returns]\nwindow_days = 14\nnon_returnable_skus = [\"nb-ms-350\"]\n";

#[tokio::test]
async fn every_eligibility_rule_refuses_with_its_field() {
    let app = TestApp::spawn_with(POLICY).await;
    deliver_order(&app, &order(5001, 42, Some(2))).await;
    deliver_order(&app, &order(5002, 42, None)).await;
    deliver_order(&app, &order(5003, 42, Some(20))).await;
    deliver_order(&app, &fixture("orders/pending-eur.json")).await;
    let mut cancelled: Value = serde_json::from_slice(&order(5004, 42, Some(2))).unwrap();
    cancelled["status"] = "cancelled".into();
    deliver_order(&app, &serde_json::to_vec(&cancelled).unwrap()).await;

    // The order view tells the page what can be returned, and until when.
    let (_, view) = app.get("/api/v1/customers/42/orders/5001").await;
    assert_eq!(eligibility(&view, 201)["reason"], "non_returnable");
    assert_eq!(eligibility(&view, 201)["returnable_quantity"], 0);
    assert_eq!(eligibility(&view, 202)["returnable_quantity"], 2);
    assert_eq!(eligibility(&view, 202)["reason"], Value::Null);
    let until: Timestamp = eligibility(&view, 202)["returnable_until"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let days = (until - Timestamp::now()).get_seconds() as f64 / 86_400.0;
    assert!((11.9..=12.0).contains(&days), "window ends in {days} days");

    // Each rule refuses with the field it is about, a sentence and a code to translate.
    // (customer, order, items, field, the sentence says, reason)
    type Case = (
        u64,
        u64,
        Vec<Value>,
        &'static str,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            42,
            5001,
            vec![item(201, 1, "damaged")],
            "items[0].line_item_id",
            "cannot be returned",
            "non_returnable",
        ),
        (
            42,
            5001,
            vec![item(202, 3, "too_small")],
            "items[0].quantity",
            "Only 2",
            "too_many",
        ),
        (
            42,
            5001,
            vec![item(999, 1, "damaged")],
            "items[0].line_item_id",
            "no such item",
            "unknown_item",
        ),
        (
            42,
            5002,
            vec![item(202, 1, "damaged")],
            "items[0].line_item_id",
            "once they have been delivered",
            "not_delivered",
        ),
        (
            42,
            5003,
            vec![item(202, 1, "damaged")],
            "items[0].line_item_id",
            "return period",
            "window_closed",
        ),
        (
            42,
            5004,
            vec![item(202, 1, "damaged")],
            "items[0].line_item_id",
            "cancelled",
            "order_closed",
        ),
        (
            43,
            1004,
            vec![item(921, 1, "damaged")],
            "items[0].line_item_id",
            "paid",
            "not_paid",
        ),
    ];
    for (customer, order, items, field, says, reason) in cases {
        let (status, body) = app
            .post_json(&returns_path(customer, order), &request(items, "refund"))
            .await;
        assert_eq!(status, 422, "order {order}: {body}");
        assert_error(&body, "validation_failed");
        assert!(
            field_message(&body, field).contains(says),
            "order {order}: {body}"
        );
        let reasons: Vec<&Value> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["field"] == field)
            .map(|f| &f["reason"])
            .collect();
        assert_eq!(reasons, [reason], "order {order}: {body}");
    }
    let (_, unpaid) = app.get("/api/v1/customers/43/orders/1004").await;
    assert!(
        unpaid["return_eligibility"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reason"] == "not_paid")
    );

    // Malformed requests: every problem at once, by field; nothing is recorded.
    let (status, body) = app
        .post_json(
            &returns_path(42, 5001),
            &json!({"items": [{"line_item_id": 202, "quantity": 0, "reason": "meh"},
                              {"line_item_id": 203, "quantity": 1, "reason": "other"}],
                    "resolution": "cash"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&body),
        [
            "items[0].quantity",
            "items[0].reason",
            "items[1].reason_text",
            "resolution"
        ]
    );
    let (status, body) = app
        .post_json(
            &returns_path(42, 5001),
            &json!({"items": [], "resolution": "refund", "colour": "red"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "unknown_field");
    let response = app
        .client
        .post(app.url(&returns_path(42, 5001)))
        .bearer_auth(API_KEY)
        .header("content-type", "text/plain")
        .body("items=202")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    // Another customer's order, a guest's id 0, another store's key: all "no such order".
    for (path, key) in [
        (returns_path(43, 5001), API_KEY),
        (returns_path(0, 5001), API_KEY),
        (returns_path(42, 5001), SECOND_API_KEY),
    ] {
        let (status, body) = app
            .post_json_as(
                &path,
                &request(vec![item(202, 1, "damaged")], "refund"),
                key,
            )
            .await;
        assert_eq!(status, 404, "{path}");
        assert_error(&body, "order_not_found");
    }
    assert_eq!(app.count("SELECT count(*) FROM returns"), 0);

    // A good request is recorded, and what it holds is no longer returnable.
    let (status, created) = app
        .post_json(
            &returns_path(42, 5001),
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "too_small"},
                              {"line_item_id": 203, "quantity": 1, "reason": "other", "reason_text": "A duplicate gift"}],
                    "resolution": "exchange", "comment": "  Size M instead, please.  "}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "requested");
    assert_eq!(created["resolution"], "exchange");
    assert_eq!(created["comment"], "Size M instead, please.");
    assert_eq!(created["order_number"], "R-5001");
    assert_eq!(created["items"][0]["name"], "오버핏 후드 티셔츠 - 블랙, L");
    assert_eq!(created["items"][1]["reason_text"], "A duplicate gift");
    assert_eq!(created["can_cancel"], true);
    assert!(
        created.get("settlement").is_none(),
        "customers see no settlement"
    );
    assert_eq!(created["history"][0]["to"], "requested");
    assert_eq!(created["history"][0]["by"], "customer");
    let (_, view) = app.get("/api/v1/customers/42/orders/5001").await;
    assert_eq!(
        view["status"], "completed",
        "the order's own status never changes"
    );
    assert_eq!(view["returns"][0]["id"], created["id"]);
    assert_eq!(eligibility(&view, 202)["returnable_quantity"], 1);
    assert_eq!(eligibility(&view, 203)["reason"], "nothing_left");
    let (status, body) = app
        .post_json(
            &returns_path(42, 5001),
            &request(vec![item(202, 2, "damaged")], "refund"),
        )
        .await;
    assert_eq!(status, 422);
    assert!(field_message(&body, "items[0].quantity").contains("Only 1"));
    app.stop().await;
}

#[tokio::test]
async fn the_window_of_an_item_starts_when_its_parcel_is_delivered() {
    let app = TestApp::spawn_with(POLICY).await;
    deliver_order(&app, &order(5004, 42, None)).await;
    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/5004/shipments",
            &json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": woo_date(Timestamp::now() - SignedDuration::from_hours(72)) + "Z",
                    "items": [{"line_item_id": 202, "quantity": 2}]}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let delivered_at: Timestamp = (woo_date(Timestamp::now() - SignedDuration::from_hours(24))
        + "Z")
        .parse()
        .unwrap();
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{}/events", parcel["id"]),
            &json!({"status": "delivered", "occurred_at": woo_date(delivered_at) + "Z",
                    "location": "Seoul", "description": "Delivered"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, view) = app.get("/api/v1/customers/42/orders/5004").await;
    let hoodie = eligibility(&view, 202);
    assert_eq!(hoodie["returnable_quantity"], 2, "{view}");
    let until: Timestamp = hoodie["returnable_until"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        (until - delivered_at).get_seconds(),
        14 * 86_400,
        "14 days from the parcel's delivery"
    );
    // The other items' parcels have not arrived.
    assert_eq!(eligibility(&view, 203)["reason"], "not_delivered");
    let (status, _) = app
        .post_json(
            &returns_path(42, 5004),
            &request(vec![item(202, 2, "damaged")], "refund"),
        )
        .await;
    assert_eq!(status, 201);
    app.stop().await;
}

/// Posts a staff transition.
async fn move_to(app: &TestApp, id: &Value, to: &str, note: Option<&str>) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/returns/{id}/transitions"),
        &json!({"to": to, "note": note, "by": "Jae (support)"}),
    )
    .await
}

async fn new_return(app: &TestApp, order: u64, items: Vec<Value>, resolution: &str) -> Value {
    let (status, created) = app
        .post_json(&returns_path(42, order), &request(items, resolution))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].clone()
}

#[tokio::test]
async fn every_transition_is_recorded_and_the_others_are_409() {
    let app = TestApp::spawn().await;
    deliver_order(&app, &order(5010, 42, Some(1))).await;

    // requested -> approved -> received -> exchanged, each with who, when and a note.
    let id = new_return(&app, 5010, vec![item(202, 1, "too_large")], "exchange").await;
    for (to, note) in [
        ("approved", Some("Send it back with the label.")),
        ("received", None),
        ("exchanged", Some("Size M shipped")),
    ] {
        let (status, body) = move_to(&app, &id, to, note).await;
        assert_eq!(status, 200, "{to}: {body}");
        assert_eq!(body["status"], to);
    }
    let (_, staff_view) = app.get(&format!("/api/v1/returns/{id}")).await;
    let history: Vec<(String, String, String)> = staff_view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from"].as_str().unwrap_or("").to_owned(),
                h["to"].as_str().unwrap().to_owned(),
                h["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("".into(), "requested".into(), "customer".into()),
            ("requested".into(), "approved".into(), "staff".into()),
            ("approved".into(), "received".into(), "staff".into()),
            ("received".into(), "exchanged".into(), "staff".into()),
        ]
    );
    assert_eq!(staff_view["history"][1]["by_name"], "Jae (support)");
    assert_eq!(
        staff_view["history"][1]["note"],
        "Send it back with the label."
    );
    assert_eq!(staff_view["history"][3]["note"], "Size M shipped");
    assert!(
        staff_view["history"][1]["at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(staff_view["can_cancel"], false);

    // A final state goes nowhere; the message says where it could go.
    for to in ["approved", "refunded", "cancelled", "requested"] {
        let (status, body) = move_to(&app, &id, to, None).await;
        assert_eq!(status, 409, "{to}");
        assert_error(&body, "invalid_transition");
        assert!(body["error"]["message"].as_str().unwrap().contains("final"));
    }

    // Skipping a step is refused; rejecting and cancelling are final too.
    let second = new_return(&app, 5010, vec![item(203, 1, "damaged")], "refund").await;
    let (status, body) = move_to(&app, &second, "received", None).await;
    assert_eq!(status, 409);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`approved`, `rejected`, `cancelled`"),
        "{body}"
    );
    let (status, body) = move_to(&app, &second, "rejected", Some("Outside our policy")).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("rejected")));
    // A rejected return frees its units.
    let third = new_return(&app, 5010, vec![item(203, 1, "damaged")], "refund").await;

    // The customer may withdraw while requested, not after approval; nor someone else's.
    let cancel =
        |customer: u64, id: &Value| format!("/api/v1/customers/{customer}/returns/{id}/cancel");
    let (status, body) = app
        .post_json(&cancel(43, &third), &json!({"note": "mine?"}))
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "return_not_found");
    let (status, body) = app
        .post_json(
            &cancel(42, &third),
            &json!({"note": "Changed my mind again"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["history"][1]["by"], "customer");
    let fourth = new_return(&app, 5010, vec![item(203, 1, "damaged")], "refund").await;
    move_to(&app, &fourth, "approved", None).await;
    let (status, body) = app.post_json(&cancel(42, &fourth), &json!({})).await;
    assert_eq!(status, 409);
    assert_error(&body, "invalid_transition");
    // Staff may still call off an approved return.
    let (status, _) = move_to(&app, &fourth, "cancelled", Some("Customer phoned")).await;
    assert_eq!(status, 200);

    // Bad bodies and unknown ids.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/returns/{id}/transitions"),
            &json!({"to": "lost"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["to"]);
    let (status, body) = app
        .post_json(
            &format!("/api/v1/returns/{id}/transitions"),
            &json!({"to": "approved", "why": 1}),
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "unknown_field");
    let (status, _) = move_to(&app, &json!(99999), "approved", None).await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post_json_as(
            &format!("/api/v1/returns/{second}/transitions"),
            &json!({"to": "approved"}),
            SECOND_API_KEY,
        )
        .await;
    assert_eq!(
        status, 404,
        "another store's key does not see this store's returns"
    );

    // The staff queue filters by state; the customer's list has all of theirs.
    let (_, rejected) = app.get("/api/v1/returns?status=rejected").await;
    assert_eq!(rejected["total"], 1);
    assert_eq!(rejected["returns"][0]["id"], second);
    let (_, all) = app.get("/api/v1/returns?per_page=2").await;
    assert_eq!(
        (
            all["total"].as_u64(),
            all["returns"].as_array().unwrap().len()
        ),
        (Some(4), 2)
    );
    assert_eq!(all["returns"][0]["id"], fourth, "newest first");
    let (status, body) = app.get("/api/v1/returns?status=lost").await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_query");
    let (_, mine) = app.get("/api/v1/customers/42/returns").await;
    assert_eq!(mine["returns"].as_array().unwrap().len(), 4);
    let (_, theirs) = app.get("/api/v1/customers/43/returns").await;
    assert_eq!(theirs["returns"].as_array().unwrap().len(), 0);
    app.stop().await;
}

#[tokio::test]
async fn two_requests_racing_for_the_last_unit_one_wins() {
    let app = TestApp::spawn().await;
    deliver_order(&app, &order(5020, 42, Some(1))).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = app.url(&returns_path(42, 5020));
        tasks.push(tokio::spawn(async move {
            let body = request(
                vec![item(
                    203,
                    1,
                    if i % 2 == 0 {
                        "damaged"
                    } else {
                        "changed_mind"
                    },
                )],
                "refund",
            );
            client
                .post(url)
                .bearer_auth(API_KEY)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        11,
        "{statuses:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM return_items WHERE line_item_id = 203"),
        1
    );
    app.stop().await;
}

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";

fn form(request: &Value, photos: &[(&str, &str, Vec<u8>)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "request",
        reqwest::multipart::Part::text(request.to_string())
            .mime_str("application/json")
            .unwrap(),
    );
    for (name, mime, bytes) in photos {
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    }
    form
}

async fn post_form(app: &TestApp, path: &str, form: reqwest::multipart::Form) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(API_KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    read(response).await
}

fn staged_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("data/returns/.staging"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn photos_are_recognised_by_their_bytes_and_kept() {
    let app = TestApp::spawn().await;
    deliver_order(&app, &order(5030, 42, Some(1))).await;
    let body = request(vec![item(202, 1, "damaged")], "refund");

    // A PHP script named like a photo, with an image type claimed, is refused by its bytes.
    let php = b"<?php system($_GET['c']); ?>".to_vec();
    let (status, answer) = post_form(
        &app,
        &returns_path(42, 5030),
        form(
            &body,
            &[
                ("front.jpg", "image/jpeg", JPEG.to_vec()),
                ("photo.jpg", "image/jpeg", php),
            ],
        ),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(fields(&answer), ["photos[1]"]);
    assert!(field_message(&answer, "photos[1]").contains("JPEG, PNG or WebP"));
    // Too many, too big.
    let mut big = JPEG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let four: Vec<(&str, &str, Vec<u8>)> = (0..4)
        .map(|_| ("a.png", "image/png", PNG.to_vec()))
        .collect();
    let (status, answer) = post_form(&app, &returns_path(42, 5030), form(&body, &four)).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&answer), ["photos"]);
    let (status, answer) = post_form(
        &app,
        &returns_path(42, 5030),
        form(&body, &[("big.jpg", "image/jpeg", big)]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(field_message(&answer, "photos[0]").contains("5 MB"));
    // A form without its request part, and a part nobody asked for.
    let (status, answer) = post_form(
        &app,
        &returns_path(42, 5030),
        reqwest::multipart::Form::new()
            .part("photos", reqwest::multipart::Part::bytes(PNG.to_vec())),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&answer), ["request"]);
    let (status, answer) = post_form(
        &app,
        &returns_path(42, 5030),
        form(&body, &[]).text("sneaky", "1"),
    )
    .await;
    assert_eq!(status, 400);
    assert_error(&answer, "unknown_part");
    assert_eq!(app.count("SELECT count(*) FROM returns"), 0);
    assert_eq!(staged_files(&app), 0, "refused photos leave nothing behind");

    // Accepted: stored under the return, served to staff byte for byte, never as HTML.
    let (status, created) = post_form(
        &app,
        &returns_path(42, 5030),
        form(
            &body,
            &[
                ("front.jpg", "image/jpeg", JPEG.to_vec()),
                ("box.png", "image/png", PNG.to_vec()),
            ],
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let photos = created["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    assert_eq!(photos[0]["content_type"], "image/jpeg");
    assert_eq!(photos[1]["content_type"], "image/png");
    assert_eq!(staged_files(&app), 0);
    for (photo, bytes) in photos.iter().zip([JPEG, PNG]) {
        let response = app
            .client
            .get(photo["url"].as_str().unwrap())
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            response.headers()["content-type"],
            photo["content_type"].as_str().unwrap()
        );
        assert_eq!(response.bytes().await.unwrap().as_ref(), bytes);
        let unauthenticated = app
            .client
            .get(photo["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(unauthenticated.status(), 401);
    }
    let stored: String = app
        .db()
        .query_row(
            "SELECT path FROM return_photos WHERE position = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        stored.starts_with("returns/default/") && stored.ends_with("/1.jpg"),
        "{stored}"
    );
    assert_eq!(
        std::fs::read(app.dir.path().join("data").join(stored)).unwrap(),
        JPEG
    );
    let (status, _) = app
        .get(&format!("/api/v1/returns/{}/photos/3", created["id"]))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn guests_return_and_withdraw_with_their_order_key_and_email() {
    let app = TestApp::spawn().await;
    let mut guest: Value = serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    let completed = woo_date(Timestamp::now() - SignedDuration::from_hours(48));
    guest["date_completed_gmt"] = completed.clone().into();
    guest["date_modified_gmt"] = completed.into();
    deliver_order(&app, &serde_json::to_vec(&guest).unwrap()).await;
    let line = guest["line_items"][0]["id"].as_u64().unwrap();
    let query = "key=wc_order_h3JdN8wYc5QeB&email=Zoe.OBrien@example.net";

    let (status, body) = app
        .post_json(
            "/api/v1/guest/orders/1002/returns?key=wc_order_h3JdN8wYc5QeB&email=someone@else.com",
            &request(vec![item(line, 1, "damaged")], "store_credit"),
        )
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    let (status, created) = app
        .post_json(
            &format!("/api/v1/guest/orders/1002/returns?{query}"),
            &request(vec![item(line, 1, "damaged")], "store_credit"),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, view) = app.get(&format!("/api/v1/guest/orders/1002?{query}")).await;
    assert_eq!(view["returns"][0]["id"], created["id"]);
    let (status, body) = app
        .post_json(
            &format!(
                "/api/v1/guest/orders/1002/returns/{}/cancel?{query}",
                created["id"]
            ),
            &json!({"note": "Found the missing part"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    app.stop().await;
}

// ---- money through WooCommerce ----------------------------------------------------------------

/// WooCommerce's refunds of one order: POST creates one (keeping its meta data, as
/// WooCommerce does) and can be told to answer too late; GET lists them.
#[derive(Clone, Default)]
pub(super) struct Refunds {
    pub(super) created: Arc<Mutex<Vec<Value>>>,
    answer_after: Arc<Mutex<Duration>>,
}

impl Respond for Refunds {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method.as_str() == "POST" {
            let mut body: Value = serde_json::from_slice(&request.body).unwrap();
            let mut created = self.created.lock().unwrap();
            body["id"] = (900 + created.len() as u64).into();
            created.push(body.clone());
            let delay = *self.answer_after.lock().unwrap();
            ResponseTemplate::new(201)
                .set_body_json(body)
                .set_delay(delay)
        } else {
            let list: Vec<Value> = self.created.lock().unwrap().iter().map(as_listed).collect();
            ResponseTemplate::new(200)
                .insert_header("X-WP-Total", list.len().to_string())
                .insert_header("X-WP-TotalPages", "1")
                .set_body_json(list)
        }
    }
}

/// A created refund as WooCommerce lists it: negative line quantities and totals, each
/// line pointing at the order line it refunds through `_refunded_item_id`.
fn as_listed(request: &Value) -> Value {
    let lines: Vec<Value> = request["line_items"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let tax: i64 = line["refund_tax"][0]["refund_total"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            json!({
                "id": 700 + n as u64,
                "quantity": -line["quantity"].as_i64().unwrap(),
                "total": format!("-{}", line["refund_total"].as_str().unwrap()),
                "total_tax": format!("-{tax}"),
                "meta_data": [{"key": "_refunded_item_id", "value": line["id"].to_string()}],
            })
        })
        .collect();
    json!({
        "id": request["id"],
        "amount": request["amount"],
        "reason": request["reason"],
        "line_items": lines,
        "meta_data": request["meta_data"],
    })
}

async fn woo_app(woo: &FakeWoo, extra: &str) -> TestApp {
    TestApp::spawn_with(&format!(
        "[sync]\nreconcile_interval_seconds = 0\nfull_sweep_interval_seconds = 0\nwebhook_check_interval_seconds = 0\n\
         [woocommerce]\ntimeout_seconds = 1\nmax_retries = 0\n{extra}\n{}",
        woo.config_toml()
    ))
    .await
}

/// Waits until the staff view of a return shows `done`, and returns that view.
pub(super) async fn wait_for(app: &TestApp, id: &Value, done: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/api/v1/returns/{id}");
    eventually(&format!("return {id}"), Duration::from_secs(30), || async {
        done(&app.get(&path).await.1)
    })
    .await;
    app.get(&path).await.1
}

async fn received_return(
    app: &TestApp,
    order_id: u64,
    items: Vec<Value>,
    resolution: &str,
) -> Value {
    deliver_order(app, &order(order_id, 42, Some(1))).await;
    let id = new_return(app, order_id, items, resolution).await;
    for to in ["approved", "received"] {
        let (status, _) = move_to(app, &id, to, None).await;
        assert_eq!(status, 200);
    }
    id
}

#[tokio::test]
async fn a_refund_is_made_once_even_when_the_first_answer_times_out() {
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    *refunds.answer_after.lock().unwrap() = Duration::from_secs(3);
    Mock::given(path(format!("{API}/orders/5040/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "").await;
    let id = received_return(
        &app,
        5040,
        vec![item(202, 1, "too_small"), item(203, 1, "damaged")],
        "refund",
    )
    .await;
    let (status, moved) = move_to(&app, &id, "refunded", Some("Refunded to card")).await;
    assert_eq!(status, 200, "{moved}");
    // Half the hoodie line (81000 after the coupon, 8100 tax) and all of the tea (16200, 1620).
    assert_eq!(moved["amount"], "62370");
    assert_eq!(moved["settlement"]["status"], "pending");

    // The first attempt times out after WooCommerce made the refund; the retry finds it.
    let failed = wait_for(&app, &id, |v| v["settlement"]["status"] == "failed").await;
    assert!(
        failed["settlement"]["error"]
            .as_str()
            .unwrap()
            .contains("creating the refund"),
        "{failed}"
    );
    let done = wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    assert_eq!(done["settlement"]["wc_refund_id"], 900);
    assert_eq!(
        refunds.created.lock().unwrap().len(),
        1,
        "never a second refund"
    );
    let sent = refunds.created.lock().unwrap()[0].clone();
    assert_eq!(
        sent,
        json!({
            "id": 900,
            "amount": "62370",
            "reason": format!("Return #{id}"),
            "api_refund": false,
            "api_restock": true,
            "line_items": [
                {"id": 202, "quantity": 1, "refund_total": "40500", "refund_tax": [{"id": 1, "refund_total": "4050"}]},
                {"id": 203, "quantity": 1, "refund_total": "16200", "refund_tax": [{"id": 1, "refund_total": "1620"}]},
            ],
            "meta_data": [{"key": "_aftercare_return", "value": format!("default:{id}")}],
        })
    );
    // The settlement is written by the job's handler, the job's completion by the runner
    // after it: let the runner settle before counting.
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'settle_return' AND done_at IS NULL"),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn units_refunded_through_a_return_are_counted_once() {
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    Mock::given(path(format!("{API}/orders/5045/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "").await;
    let id = received_return(&app, 5045, vec![item(202, 1, "too_small")], "refund").await;
    let (status, _) = move_to(&app, &id, "refunded", None).await;
    assert_eq!(status, 200);
    let done = wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    let refund_id = done["settlement"]["wc_refund_id"].as_u64().unwrap();

    // WooCommerce tells of the refund in the order's next webhook; its credit note fetches
    // the refunded lines.
    let mut updated: Value = serde_json::from_slice(&order(5045, 42, Some(1))).unwrap();
    updated["refunds"] =
        json!([{"id": refund_id, "reason": format!("Return #{id}"), "total": "-44550"}]);
    updated["date_modified_gmt"] = woo_date(Timestamp::now()).into();
    deliver_order(&app, &serde_json::to_vec(&updated).unwrap()).await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM refund_lines WHERE order_id = 5045",
        1,
        Duration::from_secs(20),
    )
    .await;

    // Two hoodies bought, one returned and refunded: one is still returnable, not zero.
    let (_, view) = app.get("/api/v1/customers/42/orders/5045").await;
    assert_eq!(eligibility(&view, 202)["returnable_quantity"], 1, "{view}");
    app.stop().await;
}

#[tokio::test]
async fn api_refund_follows_the_configuration() {
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    Mock::given(path(format!("{API}/orders/5041/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "[returns]\napi_refund = true\n").await;
    let id = received_return(&app, 5041, vec![item(202, 2, "damaged")], "refund").await;
    move_to(&app, &id, "refunded", None).await;
    let done = wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    assert_eq!(done["amount"], "89100");
    let sent = refunds.created.lock().unwrap()[0].clone();
    assert_eq!(sent["api_refund"], true);
    assert_eq!(
        sent["line_items"][0]["refund_total"], "81000",
        "all units: exactly what was paid"
    );
    app.stop().await;
}

#[tokio::test]
async fn store_credit_is_a_one_use_coupon_for_the_customers_email() {
    let woo = FakeWoo::start().await;
    let coupons: Arc<Mutex<Vec<Value>>> = Arc::default();
    let store = coupons.clone();
    Mock::given(method("POST"))
        .and(path(format!("{API}/coupons")))
        .and(woo.signed())
        .respond_with(move |request: &Request| {
            let mut body: Value = serde_json::from_slice(&request.body).unwrap();
            body["id"] = 77.into();
            store.lock().unwrap().push(body.clone());
            ResponseTemplate::new(201).set_body_json(body)
        })
        .mount(&woo.server)
        .await;
    let listed = coupons.clone();
    Mock::given(method("GET"))
        .and(path(format!("{API}/coupons")))
        .and(woo.signed())
        .respond_with(move |request: &Request| {
            let code = super::fake_woo::param(request, "code").unwrap_or_default();
            let found: Vec<Value> = listed
                .lock()
                .unwrap()
                .iter()
                .filter(|c| c["code"] == code.as_str())
                .cloned()
                .collect();
            ResponseTemplate::new(200)
                .insert_header("X-WP-TotalPages", "1")
                .set_body_json(found)
        })
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "").await;
    let id = received_return(
        &app,
        5042,
        vec![item(203, 1, "changed_mind")],
        "store_credit",
    )
    .await;
    let (status, moved) = move_to(&app, &id, "credited", None).await;
    assert_eq!(status, 200);
    assert_eq!(moved["amount"], "17820");
    let done = wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    let code = done["store_credit_code"].as_str().unwrap().to_owned();
    assert!(
        code.starts_with(&format!("RETURN-{id}-")) && code.len() > 12,
        "{code}"
    );
    let sent = coupons.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["code"], code.as_str());
    assert_eq!(sent[0]["discount_type"], "fixed_cart");
    assert_eq!(sent[0]["amount"], "17820");
    assert_eq!(sent[0]["usage_limit"], 1);
    assert_eq!(
        sent[0]["email_restrictions"],
        json!(["minji.kim@example.com"])
    );
    // The customer sees the code on their order.
    let (_, view) = app.get("/api/v1/customers/42/orders/5042").await;
    assert_eq!(view["returns"][0]["store_credit_code"], code.as_str());
    assert!(view["returns"][0].get("settlement").is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_failing_refund_is_retried_and_shown_to_staff() {
    let woo = FakeWoo::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/5043/refunds")))
        .and(woo.signed())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-WP-TotalPages", "1")
                .set_body_json(json!([])),
        )
        .mount(&woo.server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/orders/5043/refunds")))
        .and(woo.signed())
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "code": "woocommerce_rest_cannot_create_order_refund",
            "message": "The payment gateway declined the refund.",
            "data": {"status": 500}
        })))
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "").await;
    let id = received_return(&app, 5043, vec![item(202, 1, "damaged")], "refund").await;
    move_to(&app, &id, "refunded", None).await;
    let failed = wait_for(&app, &id, |v| {
        v["settlement"]["attempts"].as_i64() >= Some(1)
    })
    .await;
    assert_eq!(
        failed["status"], "refunded",
        "the decision stands while the money is retried"
    );
    assert_eq!(failed["settlement"]["status"], "failed");
    assert!(
        failed["settlement"]["error"]
            .as_str()
            .unwrap()
            .contains("declined"),
        "{failed}"
    );
    // The worker records the job's attempt just after the return's settlement.
    let job = || -> (String, i64) {
        app.db()
            .query_row(
                "SELECT run_after, attempts FROM jobs WHERE kind = 'settle_return'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    eventually("the job's attempt", Duration::from_secs(10), || async {
        job().1 > 0
    })
    .await;
    let (run_after, attempts) = job();
    assert_eq!(attempts, 1);
    assert!(
        run_after.as_str() > aftercare::time::millis(Timestamp::now()).as_str(),
        "retried later, with backoff"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_rest_keys_the_refund_waits_and_says_why() {
    let app = TestApp::spawn().await;
    deliver_order(&app, &order(5044, 42, Some(1))).await;
    let id = new_return(&app, 5044, vec![item(202, 1, "damaged")], "refund").await;
    for to in ["approved", "received", "refunded"] {
        move_to(&app, &id, to, None).await;
    }
    let failed = wait_for(&app, &id, |v| v["settlement"]["status"] == "failed").await;
    assert!(
        failed["settlement"]["error"]
            .as_str()
            .unwrap()
            .contains("REST API keys")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_slow_woocommerce_never_holds_up_invoices() {
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    *refunds.answer_after.lock().unwrap() = Duration::from_secs(30);
    Mock::given(path(format!("{API}/orders/5050/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    let app = TestApp::spawn_with(&format!(
        "[sync]\nreconcile_interval_seconds = 0\nfull_sweep_interval_seconds = 0\nwebhook_check_interval_seconds = 0\n\
         [woocommerce]\ntimeout_seconds = 5\nmax_retries = 0\n{}",
        woo.config_toml()
    ))
    .await;
    let id = received_return(&app, 5050, vec![item(202, 1, "damaged")], "refund").await;
    move_to(&app, &id, "refunded", None).await;
    // The refund is now waiting on WooCommerce; a newly paid order still gets its invoice.
    eventually("the refund attempted", Duration::from_secs(3), || async {
        !refunds.created.lock().unwrap().is_empty()
    })
    .await;
    deliver_order(&app, &order(5051, 42, Some(1))).await;
    super::invoices::wait_for_invoice(&app, 42, 5051).await;
    let (_, view) = app.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(
        view["settlement"]["status"], "pending",
        "the invoice was issued while the refund was still waiting: {view}"
    );
    app.stop().await;
}

#[tokio::test]
async fn refunds_made_in_woocommerce_list_their_lines_on_the_credit_note_and_are_not_returnable() {
    let woo = FakeWoo::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/5060/refunds")))
        .and(woo.signed())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-WP-TotalPages", "1")
                .set_body_json(json!([{
                    "id": 1101, "amount": "15000", "reason": "배송 지연 보상",
                    "line_items": [{
                        "id": 601, "name": "오버핏 후드 티셔츠 - 블랙, L", "quantity": -1,
                        "total": "-13636", "total_tax": "-1364",
                        "meta_data": [{"id": 9001, "key": "_refunded_item_id", "value": "202"}]
                    }]
                }])),
        )
        .mount(&woo.server)
        .await;
    let app = woo_app(&woo, "").await;
    let mut refunded: Value = serde_json::from_slice(&order(5060, 42, Some(1))).unwrap();
    refunded["refunds"] = json!([{"id": 1101, "reason": "배송 지연 보상", "total": "-15000"}]);
    deliver_order(&app, &serde_json::to_vec(&refunded).unwrap()).await;
    let credit_note = || -> Option<String> {
        app.db()
            .query_row(
                "SELECT path FROM documents WHERE kind = 'credit_note' AND order_id = 5060",
                [],
                |r| r.get(0),
            )
            .ok()
    };
    eventually("a credit note", Duration::from_secs(20), || async {
        credit_note().is_some()
    })
    .await;
    let path = credit_note().unwrap();
    let text =
        super::invoices::pdf_text(&std::fs::read(app.dir.path().join("data").join(path)).unwrap());
    for expected in [
        "CREDIT NOTE",
        "HD-OVR-BLK-L",
        "-13,636",
        "-1,364 KRW",
        "-15,000 KRW",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        !text.contains("Other refunded"),
        "the lines add up to the refund:\n{text}"
    );
    // The refunded hoodie is no longer offered for return: one of two units is left.
    let (_, view) = app.get("/api/v1/customers/42/orders/5060").await;
    assert_eq!(eligibility(&view, 202)["returnable_quantity"], 1, "{view}");
    app.stop().await;
}
