//! AfterShip against a local API (wiremock) replaying payloads written for this project
//! from the reference: a tracking created once per parcel, signed webhooks (and refused ones
//! that store nothing), polling when no webhook comes, duplicate and out-of-order events,
//! delivered and expired stopping, a changed number deleting the old tracking, 429 and 5xx
//! backing off and being retried.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

const API_KEY: &str = "asat_test_api_key";
const SECRET: &str = "test_webhook_secret";
const UPS: &str = "1Z999AA10123456784";
const CJ: &str = "568912340017";
const CUSTOM: &str = "BG2026111600731";
const WAIT: Duration = Duration::from_secs(25);

fn feed_toml(uri: &str, poll_seconds: u64, grace_hours: u64) -> String {
    format!(
        "[feeds]\npoll_seconds = {poll_seconds}\nstop_after_delivery_hours = {grace_hours}\n\
         [feeds.stores.default.aftership]\napi_key = \"{API_KEY}\"\n\
         webhook_secret = \"{SECRET}\"\nurl = \"{uri}/tracking/2025-01\"\n"
    )
}

/// AfterShip's `aftership-hmac-sha256`, computed here independently of the service's code.
fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn update() -> Value {
    serde_json::from_slice(&fixture("aftership/webhook-update.json")).unwrap()
}

/// `POST /trackings` creating whatever is asked (the fixture's answer for the UPS number),
/// and "already exists" for the CJ number, which the account tracks already.
struct Create;

impl Respond for Create {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let number = body["tracking_number"].as_str().unwrap();
        if number == CJ {
            return ResponseTemplate::new(400)
                .set_body_raw(fixture("aftership/already-exists.json"), "application/json");
        }
        let mut answer: Value =
            serde_json::from_slice(&fixture("aftership/create-tracking.json")).unwrap();
        answer["data"]["tracking_number"] = number.into();
        answer["data"]["id"] = format!("as-{number}").into();
        answer["data"]["slug"] = body.get("slug").cloned().unwrap_or("unrecognized".into());
        ResponseTemplate::new(201).set_body_json(answer)
    }
}

async fn mock_create(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/tracking/2025-01/trackings"))
        .and(header("as-api-key", API_KEY))
        .respond_with(Create)
        .mount(server)
        .await;
}

/// `GET /trackings` answering with these trackings.
async fn mock_list(server: &MockServer, trackings: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path("/tracking/2025-01/trackings"))
        .and(header("as-api-key", API_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200, "message": "OK", "type": "OK"},
            "data": {"pagination": {"total": trackings.len(), "page": 1, "limit": 200,
                                    "has_next_page": false},
                     "trackings": trackings}})))
        .mount(server)
        .await;
}

async fn mock_delete(server: &MockServer) {
    Mock::given(method("DELETE"))
        .and(path_regex("^/tracking/2025-01/trackings/[^/]+$"))
        .and(header("as-api-key", API_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "meta": {"code": 200, "message": "OK", "type": "OK"}, "data": {}})))
        .mount(server)
        .await;
}

/// The requests the mock received, as (method, path, query, JSON body).
async fn received(server: &MockServer) -> Vec<(String, String, String, Value)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                r.url.query().unwrap_or_default().to_owned(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

async fn created(server: &MockServer) -> Vec<Value> {
    received(server)
        .await
        .into_iter()
        .filter(|(m, p, _, _)| m == "POST" && p.ends_with("/trackings"))
        .map(|(_, _, _, body)| body)
        .collect()
}

async fn listed(server: &MockServer) -> Vec<String> {
    received(server)
        .await
        .into_iter()
        .filter(|(m, _, _, _)| m == "GET")
        .map(|(_, _, query, _)| query)
        .collect()
}

async fn post_push(
    app: &TestApp,
    url_path: &str,
    body: &[u8],
    signature: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url(url_path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("aftership-hmac-sha256", signature);
    }
    read(request.send().await.unwrap()).await
}

async fn push(app: &TestApp, body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).unwrap();
    let (status, answer) = post_push(app, "/feeds/aftership", &bytes, Some(&sign(&bytes))).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn view(app: &TestApp) -> Value {
    let (status, view) = app.get("/api/v1/customers/42/orders/1001").await;
    assert_eq!(status, 200, "{view}");
    view
}

fn parcel<'a>(view: &'a Value, number: &str) -> &'a Value {
    view["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tracking_number"] == number)
        .unwrap_or_else(|| panic!("no parcel {number} in {view}"))
}

fn state_of(app: &TestApp, number: &str) -> String {
    app.db()
        .query_row(
            "SELECT state FROM feed_subscriptions WHERE number = ?1 ORDER BY id DESC LIMIT 1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

/// The order's two parcels from its tracking meta, and a UPS parcel from the staff API.
async fn ship(app: &TestApp) {
    let (status, body) = app
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(status, 200, "{body}");
    let ups = json!({"carrier": "ups", "tracking_number": UPS,
                     "shipped_at": "2026-11-14T02:00:00Z"});
    let (status, body) = app.post_json("/api/v1/orders/1001/shipments", &ups).await;
    assert_eq!(status, 201, "{body}");
}

async fn subscribed(app: &TestApp, n: i64) {
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
        n,
        WAIT,
    )
    .await;
}

#[tokio::test]
async fn every_parcel_becomes_one_aftership_tracking() {
    let server = MockServer::start().await;
    mock_create(&server).await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    ship(&app).await;
    subscribed(&app, 3).await;

    let bodies = created(&server).await;
    let mut numbers: Vec<&str> = bodies
        .iter()
        .map(|b| b["tracking_number"].as_str().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, [UPS, CJ, CUSTOM], "each number created once");
    let ups = bodies.iter().find(|b| b["tracking_number"] == UPS).unwrap();
    assert_eq!(ups["slug"], "ups", "the registry carrier's AfterShip slug");
    let cj = bodies.iter().find(|b| b["tracking_number"] == CJ).unwrap();
    assert!(cj.get("slug").is_none(), "left to AfterShip's detection");
    let carrier: Option<String> = app
        .db()
        .query_row(
            "SELECT carrier_code FROM feed_subscriptions WHERE number = ?1",
            [UPS],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(carrier.as_deref(), Some("ups"));
    assert_eq!(
        state_of(&app, CJ),
        "subscribed",
        "already tracked in the account counts as followed"
    );

    // A re-delivery and the outbox running again create nothing more.
    let (status, _) = app
        .deliver("order.updated", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(status, 200);
    app.run_jobs_until_idle().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(created(&server).await.len(), 3);
    let v = view(&app).await;
    assert_eq!(parcel(&v, UPS)["feed"]["provider"], "aftership", "{v}");
    assert_eq!(parcel(&v, UPS)["feed"]["state"], "subscribed");
    app.stop().await;
}

#[tokio::test]
async fn signed_webhooks_update_parcels_and_refused_ones_store_nothing() {
    let server = MockServer::start().await;
    mock_create(&server).await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    ship(&app).await;
    subscribed(&app, 3).await;

    // The fixture's bytes as they are, signed.
    let raw = fixture("aftership/webhook-update.json");
    let raw = raw.trim_ascii_end();
    let (status, answer) = post_push(&app, "/feeds/aftership", raw, Some(&sign(raw))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"status": "applied", "new_events": 3}));
    let v = view(&app).await;
    let ups = parcel(&v, UPS);
    assert_eq!(ups["status"], "out_for_delivery", "{ups}");
    assert_eq!(
        ups["eta"], "2026-11-18T01:00:00Z",
        "AfterShip's latest estimate"
    );
    let events = ups["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["location"], "New York, NY, US");
    assert_eq!(events[0]["description"], "Out For Delivery Today");
    assert_eq!(events[2]["status"], "label_created");
    assert_eq!(ups["feed"]["last_event_at"], "2026-11-17T13:05:00Z");

    // The same webhook again (AfterShip retries): nothing new; the number is found however
    // AfterShip writes it.
    let update = update();
    assert_eq!(push(&app, &update).await["new_events"], 0);
    let mut spaced = update.clone();
    spaced["msg"]["tracking_number"] = "1z999aa1-0123456784".into();
    assert_eq!(
        push(&app, &spaced).await,
        json!({"status": "applied", "new_events": 0})
    );

    // An older checkpoint arriving late joins the history and moves nothing back.
    let mut late = update.clone();
    late["msg"]["tag"] = "InTransit".into();
    late["msg"]["checkpoints"] = json!([{"checkpoint_time": "2026-11-15T11:00:00-05:00",
        "location": "Atlanta, GA, US", "message": "Arrived at Facility",
        "tag": "InTransit", "subtag": "InTransit_003"}]);
    assert_eq!(push(&app, &late).await["new_events"], 1);
    let v = view(&app).await;
    let ups = parcel(&v, UPS);
    assert_eq!(ups["status"], "out_for_delivery");
    assert_eq!(ups["events"].as_array().unwrap().len(), 4);
    assert_eq!(ups["feed"]["last_event_at"], "2026-11-17T13:05:00Z");

    // A failed attempt: an exception with its flag; ready for pickup: its own flag.
    let mut failed = update.clone();
    failed["msg"]["tag"] = "AttemptFail".into();
    failed["msg"]["checkpoints"] = json!([
        {"checkpoint_time": "2026-11-17T15:00:00-05:00", "location": "New York, NY, US",
         "message": "The receiver was not available for delivery", "tag": "AttemptFail",
         "subtag": "AttemptFail_001"},
        {"checkpoint_time": "2026-11-17T17:00:00-05:00", "location": "UPS Access Point, New York",
         "message": "Delivered to UPS Access Point", "tag": "AvailableForPickup",
         "subtag": "AvailableForPickup_001"}]);
    assert_eq!(push(&app, &failed).await["new_events"], 2);
    assert_eq!(parcel(&view(&app).await, UPS)["status"], "out_for_delivery");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feed_event_flags WHERE attempt_failed = 1"),
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feed_event_flags WHERE pickup_ready = 1"),
        1
    );

    // Refused: nothing stored, the subscriptions untouched.
    let events = app.count("SELECT COUNT(*) FROM shipment_events");
    let before: String = app
        .db()
        .query_row(
            "SELECT group_concat(state || coalesce(last_checked_at, '')) FROM feed_subscriptions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut newer = update.clone();
    newer["msg"]["tag"] = "Delivered".into();
    newer["msg"]["checkpoints"] = json!([{"checkpoint_time": "2026-11-18T10:00:00-05:00",
        "message": "Delivered", "tag": "Delivered", "subtag": "Delivered_001"}]);
    let bytes = serde_json::to_vec(&newer).unwrap();
    let (status, body) = post_push(&app, "/feeds/aftership", &bytes, None).await;
    assert_eq!(status, 401);
    assert_error(&body, "missing_signature");
    let (status, body) = post_push(
        &app,
        "/feeds/aftership",
        &bytes,
        Some(&sign(b"something else")),
    )
    .await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_signature");
    // The 17TRACK scheme (hex SHA-256) is not AfterShip's.
    let (status, body) = post_push(
        &app,
        "/feeds/aftership",
        &bytes,
        Some("8cbd78ef46c8c7ba0b6aaeacc7dd1720718a8d91c03b7741cd10ed3ac5979b5c"),
    )
    .await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_signature");
    // Signed over the bytes as sent: re-serialised with a space, the signature fails.
    let spaced = String::from_utf8(bytes.clone())
        .unwrap()
        .replacen(",", ", ", 1);
    let (status, body) = post_push(
        &app,
        "/feeds/aftership",
        spaced.as_bytes(),
        Some(&sign(&bytes)),
    )
    .await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_signature");
    for junk in [
        &br#"{"event":"tracking_update","msg":[]}"#[..],
        br#"{"event":"tracking_update"}"#,
        b"{not json",
    ] {
        let (status, body) = post_push(&app, "/feeds/aftership", junk, Some(&sign(junk))).await;
        assert_eq!(status, 400, "{body}");
        assert_error(&body, "invalid_payload");
    }
    let huge = vec![b' '; 5 * 1024 * 1024 + 1];
    let (status, body) = post_push(&app, "/feeds/aftership", &huge, Some(&sign(&huge))).await;
    assert_eq!(status, 413);
    assert_error(&body, "payload_too_large");
    let (status, body) = post_push(
        &app,
        "/feeds/aftership/nowhere",
        &bytes,
        Some(&sign(&bytes)),
    )
    .await;
    assert_eq!(status, 404);
    assert_error(&body, "unknown_store");
    let (status, body) = post_push(
        &app,
        &format!("/feeds/aftership/{SECOND_STORE}"),
        &bytes,
        Some(&sign(&bytes)),
    )
    .await;
    assert_eq!(status, 404);
    assert_error(&body, "feed_not_configured");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), events);
    let after: String = app
        .db()
        .query_row(
            "SELECT group_concat(state || coalesce(last_checked_at, '')) FROM feed_subscriptions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after, before);

    // A number aftercare does not follow is acknowledged and ignored.
    let mut stranger = update.clone();
    stranger["msg"]["tracking_number"] = "9405511202575421535949".into();
    assert_eq!(
        push(&app, &stranger).await,
        json!({"status": "ignored", "new_events": 0})
    );
    app.stop().await;
}

#[tokio::test]
async fn polling_brings_the_events_when_no_webhook_comes() {
    let server = MockServer::start().await;
    mock_create(&server).await;
    mock_list(&server, vec![update()["msg"].clone()]).await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 72)).await;
    ship(&app).await;
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 3, WAIT)
        .await;
    let polls = listed(&server).await;
    let first = url::form_urlencoded::parse(polls[0].as_bytes())
        .find(|(k, _)| k == "tracking_numbers")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let mut asked: Vec<&str> = first.split(',').collect();
    asked.sort();
    assert!(asked.contains(&UPS), "{polls:?}");
    let v = view(&app).await;
    let ups = parcel(&v, UPS);
    assert_eq!(ups["status"], "out_for_delivery");
    assert!(ups["feed"]["last_checked_at"].is_string());
    // The parcels AfterShip has no tracking for are looked at, nothing new.
    assert_eq!(parcel(&v, CJ)["events"].as_array().unwrap().len(), 0);
    // Polled again (out for delivery: every shortest interval), never duplicated.
    let seen = listed(&server).await.len();
    eventually("another poll", WAIT, || async {
        listed(&server).await.len() > seen
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 3);
    app.stop().await;
}

#[tokio::test]
async fn delivered_stops_tracking_and_expired_is_stale() {
    let server = MockServer::start().await;
    mock_create(&server).await;
    mock_delete(&server).await;
    let mut delivered = update();
    delivered["msg"]["tag"] = "Delivered".into();
    delivered["msg"]["subtag"] = "Delivered_001".into();
    // AfterShip ended the tracking itself when it saw the delivery.
    delivered["msg"]["active"] = false.into();
    delivered["msg"]["checkpoints"]
        .as_array_mut()
        .unwrap()
        .push(json!({"checkpoint_time": "2026-11-17T14:20:00-05:00",
            "location": "New York, NY, US", "message": "Delivered, Front Door",
            "tag": "Delivered", "subtag": "Delivered_001"}));
    // Polls see the tracking as AfterShip has it after the delivery, without checkpoints
    // (the webhook brings those).
    let mut listed_delivered = delivered["msg"].clone();
    listed_delivered["checkpoints"] = json!([]);
    mock_list(&server, vec![listed_delivered]).await;
    // No grace period: delivered means done; "expired" is stale at once.
    let toml =
        feed_toml(&server.uri(), 1, 0).replacen("[feeds]\n", "[feeds]\nstale_after_days = 0\n", 1);
    let app = TestApp::spawn_with(&toml).await;
    ship(&app).await;
    subscribed(&app, 3).await;

    assert_eq!(push(&app, &delivered).await["new_events"], 4);
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'stopped'",
        1,
        WAIT,
    )
    .await;
    assert_eq!(state_of(&app, UPS), "stopped");
    let v = view(&app).await;
    assert_eq!(parcel(&v, UPS)["status"], "delivered");
    assert_eq!(parcel(&v, UPS)["feed"]["state"], "stopped");
    let deletes: Vec<String> = received(&server)
        .await
        .into_iter()
        .filter(|(m, _, _, _)| m == "DELETE")
        .map(|(_, p, _, _)| p)
        .collect();
    assert!(
        deletes.is_empty(),
        "a tracking AfterShip ended stays in the account: {deletes:?}"
    );

    // AfterShip gave up on the custom carrier's parcel: stale, no event, never polled.
    let expired = json!({"event": "tracking_update", "event_id": "e-expired",
        "msg": {"id": "as-custom", "tracking_number": CUSTOM, "slug": "unrecognized",
                "active": false, "tag": "Expired", "subtag": "Expired_001", "checkpoints": []},
        "ts": 1794928320});
    assert_eq!(
        push(&app, &expired).await,
        json!({"status": "applied", "new_events": 0})
    );
    assert_eq!(state_of(&app, CUSTOM), "stale");
    let next: Option<String> = app
        .db()
        .query_row(
            "SELECT next_poll_at FROM feed_subscriptions WHERE number = ?1",
            [CUSTOM],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(next, None);
    app.stop().await;
}

#[tokio::test]
async fn a_changed_number_deletes_the_old_tracking() {
    let server = MockServer::start().await;
    mock_create(&server).await;
    mock_delete(&server).await;
    mock_list(
        &server,
        vec![
            json!({"id": "as-cj-old", "tracking_number": CJ, "slug": "cj-logistics",
                    "active": true, "tag": "InTransit", "checkpoints": []}),
        ],
    )
    .await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    app.deliver("order.created", &serde_json::to_vec(&order).unwrap())
        .await;
    subscribed(&app, 2).await;
    for meta in order["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == "_wc_shipment_tracking_items" {
            meta["value"][0]["tracking_number"] = "568912340099".into();
        }
    }
    order["date_modified_gmt"] = "2026-11-16T07:00:00".into();
    let (status, body) = app
        .deliver("order.updated", &serde_json::to_vec(&order).unwrap())
        .await;
    assert_eq!(status, 200, "{body}");
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE number = '568912340099' AND state = 'subscribed'",
        1,
        WAIT,
    )
    .await;
    assert_eq!(state_of(&app, CJ), "stopped");
    let deletes: Vec<String> = received(&server)
        .await
        .into_iter()
        .filter(|(m, _, _, _)| m == "DELETE")
        .map(|(_, p, _, _)| p)
        .collect();
    assert_eq!(deletes, ["/tracking/2025-01/trackings/as-cj-old"]);
    app.stop().await;
}

#[tokio::test]
async fn rate_limits_and_server_errors_back_off_and_are_retried() {
    let server = MockServer::start().await;
    // The first creation fails with a 503; the follow job retries it.
    Mock::given(method("POST"))
        .and(path("/tracking/2025-01/trackings"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mock_create(&server).await;
    Mock::given(method("GET"))
        .and(path("/tracking/2025-01/trackings"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "120")
                .set_body_json(json!({"meta": {"code": 429, "message": "Too many requests",
                                               "type": "TooManyRequests"}, "data": {}})),
        )
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 72)).await;
    let (status, body) = app
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(status, 200, "{body}");
    subscribed(&app, 2).await;
    let mut numbers: Vec<String> = created(&server)
        .await
        .iter()
        .map(|b| b["tracking_number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        numbers.len(),
        3,
        "the failed request and the retried batch: {numbers:?}"
    );
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers, [CJ, CUSTOM], "both created after the retry");

    // The poll is rate limited: the parcels wait as long as AfterShip asked.
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE failures >= 1 AND last_error LIKE '%rate%'",
        2,
        WAIT,
    )
    .await;
    let wait: f64 = app
        .db()
        .query_row(
            "SELECT (julianday(next_poll_at) - julianday('now')) * 86400
             FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| r.get(0),
        )
        .unwrap();
    assert!(wait > 100.0, "waits as long as asked: {wait}");
    let polls = listed(&server).await.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(listed(&server).await.len(), polls, "no poll meanwhile");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);
    app.stop().await;
}
