//! The feeds in operation, against local mock providers replaying the reference's
//! payloads: 17TRACK's monthly quota counted, shown in the store health and respected (new
//! parcels wait, followed ones go on, a restart keeps the count and a raised quota lets
//! them through); a provider that cannot find a parcel for days raising one
//! `carrier_silent` alert that a newer event clears; the feed metrics moving; Delivery
//! Tracker's callback registered with the documented mutation when aftercare has a public
//! URL, and not without one.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const KEY: &str = "TEST_17TRACK_ACCESS_KEY";
const DT_KEY: &str = "test-client:test-secret";
const CJ: &str = "568912340017";
const CUSTOM: &str = "BG2026111600731";
const UPS: &str = "1Z999AA10123456784";
const WAIT: Duration = Duration::from_secs(25);

fn seventeen_toml(uri: &str, poll_seconds: u64, extra: &str) -> String {
    format!(
        "[feeds]\npoll_seconds = {poll_seconds}\n{extra}\
         [feeds.stores.default.17track]\napi_key = \"{KEY}\"\nurl = \"{uri}\"\n"
    )
}

fn sign(body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(body);
    hash.update(format!("/{KEY}").as_bytes());
    hex::encode(hash.finalize())
}

async fn push(app: &TestApp, body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).unwrap();
    let (status, answer) = read(
        app.client
            .post(app.url("/feeds/17track"))
            .header("content-type", "application/json")
            .header("sign", sign(&bytes))
            .body(bytes)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// `/register` accepting every number.
async fn mock_register(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/register"))
        .respond_with(|request: &Request| {
            let items: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
            let accepted: Vec<Value> = items
                .iter()
                .map(|i| json!({"number": i["number"], "carrier": 100116}))
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"accepted": accepted, "rejected": []}}))
        })
        .mount(server)
        .await;
}

async fn registered_numbers(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/register")
        .flat_map(|r| {
            let items: Vec<Value> = serde_json::from_slice(&r.body).unwrap();
            items
                .into_iter()
                .map(|i| i["number"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
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

/// A metric's value in the Prometheus text (0 when absent).
fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn add_ups_parcel(app: &TestApp) {
    let (status, body) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "ups", "tracking_number": UPS,
                    "shipped_at": "2026-11-16T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_monthly_quota_is_counted_shown_and_new_parcels_wait_when_it_is_used_up() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let quota = |n: u32| {
        format!(
            "{}monthly_quota = {n}\n",
            seventeen_toml(&server.uri(), 3600, "")
        )
    };
    let app = TestApp::spawn_with(&quota(2)).await;
    let (status, body) = app
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(status, 200, "{body}");
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
        2,
        WAIT,
    )
    .await;

    let (status, health) = app.get("/api/v1/store/health").await;
    assert_eq!(status, 200, "{health}");
    let feed = &health["feeds"][0];
    assert_eq!(feed["provider"], "17track", "{health}");
    assert_eq!(feed["unit"], "registrations");
    assert_eq!(
        (feed["used"].as_u64(), feed["limit"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(feed["requests"], 1);
    assert_eq!(feed["waiting"], 0);
    let resets_at = feed["resets_at"].as_str().unwrap();
    assert!(resets_at.ends_with("-01T00:00:00Z"), "{resets_at}");
    assert!(feed["last_error"].is_null());
    // The health's own keys are all still there.
    for key in ["store", "version", "webhooks", "timezone", "problems"] {
        assert!(health.get(key).is_some(), "{key} in {health}");
    }

    // The quota is spent: a third parcel waits, and says why.
    add_ups_parcel(&app).await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'pending' AND last_error LIKE '%monthly quota is used up%'",
        1,
        WAIT,
    )
    .await;
    app.run_jobs_until_idle().await;
    assert_eq!(registered_numbers(&server).await.len(), 2, "not registered");
    let v = view(&app).await;
    let ups = &parcel(&v, UPS)["feed"];
    assert_eq!(ups["state"], "pending", "{v}");
    assert!(
        ups["last_error"]
            .as_str()
            .unwrap()
            .contains("(2 of 2 registrations)"),
        "{ups}"
    );
    assert_eq!(
        parcel(&v, CJ)["feed"]["state"],
        "subscribed",
        "followed ones go on"
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(health["feeds"][0]["waiting"], 1);
    let problems = health["problems"].to_string();
    assert!(
        problems.contains(
            "17TRACK's monthly quota is used up (2 of 2 registrations): 1 new parcel waits"
        ),
        "{problems}"
    );
    let metrics = app.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "aftercare_feed_quota_used{store=\"default\",provider=\"17track\"}"
        ),
        2.0,
        "{metrics}"
    );
    assert_eq!(
        metric(
            &metrics,
            "aftercare_feed_quota_limit{store=\"default\",provider=\"17track\"}"
        ),
        2.0
    );
    assert_eq!(
        metric(
            &metrics,
            "aftercare_feed_requests_total{store=\"default\",provider=\"17track\",operation=\"register\"}"
        ),
        1.0
    );

    // A restart keeps the count; with the quota raised, the waiting parcel goes through.
    let app = app.restart(&quota(3)).await;
    app.wait_for_count(
        &format!(
            "SELECT COUNT(*) FROM feed_subscriptions WHERE number = '{UPS}' AND state = 'subscribed'"
        ),
        1,
        WAIT,
    )
    .await;
    let mut numbers = registered_numbers(&server).await;
    numbers.sort();
    assert_eq!(numbers, [UPS, CJ, CUSTOM], "each registered once");
    let (_, health) = app.get("/api/v1/store/health").await;
    assert_eq!(health["feeds"][0]["used"], 3, "{health}");
    assert_eq!(health["feeds"][0]["waiting"], 0);
    app.stop().await;
}

/// 17TRACK's answer for a number it has nothing on.
fn not_found(number: &str) -> Value {
    json!({"number": number, "carrier": 100116, "param": null, "tag": "",
           "track_info": {"latest_status": {"status": "NotFound", "sub_status": "NotFound_Other"},
                          "latest_event": null,
                          "tracking": {"providers_hash": 0, "providers": []}}})
}

fn alerts_of(app: &TestApp, code: &str) -> Vec<(i64, Option<String>)> {
    let db = app.db();
    let mut stmt = db
        .prepare("SELECT shipment_id, resolved_at FROM delay_alerts WHERE code = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn a_parcel_the_provider_cannot_find_for_days_raises_one_alert_until_the_carrier_speaks() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {
            "accepted": [not_found(CJ), not_found(CUSTOM)], "rejected": []}})),
        )
        .mount(&server)
        .await;

    // Under the threshold (3 days by default): awaiting the carrier, no alert.
    let patient = TestApp::spawn_with(&seventeen_toml(&server.uri(), 1, "")).await;
    patient
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    patient
        .wait_for_count(
            "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'awaiting_carrier' AND silent_since IS NOT NULL",
            2,
            WAIT,
        )
        .await;
    assert!(alerts_of(&patient, "carrier_silent").is_empty());
    patient.stop().await;

    // Past it (0 days: the first "not found" is already too long).
    let app =
        TestApp::spawn_with(&seventeen_toml(&server.uri(), 1, "stale_after_days = 0\n")).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'stale'",
        2,
        WAIT,
    )
    .await;
    app.run_jobs_until_idle().await;
    let raised = alerts_of(&app, "carrier_silent");
    assert_eq!(raised.len(), 2, "one per parcel: {raised:?}");
    assert!(raised.iter().all(|(_, resolved)| resolved.is_none()));
    let v = view(&app).await;
    let cj_id = parcel(&v, CJ)["id"].as_i64().unwrap();
    assert_eq!(parcel(&v, CJ)["feed"]["state"], "stale");
    let codes: Vec<&str> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["carrier_silent", "carrier_silent"], "{v}");
    let (status, staff) = app.get("/api/v1/alerts").await;
    assert_eq!(status, 200, "{staff}");
    assert!(staff.to_string().contains("carrier_silent"), "{staff}");

    // The same "not found" pushed again: still one alert each, one notification job each.
    let again = json!({"event": "TRACKING_UPDATED", "data": not_found(CJ)});
    push(&app, &again).await;
    push(&app, &again).await;
    app.run_jobs_until_idle().await;
    assert_eq!(alerts_of(&app, "carrier_silent").len(), 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify_delay'"),
        2
    );

    // The carrier speaks: its alert resolves (the ordinary rules take over), the feed is live.
    let update: Value = serde_json::from_slice(&fixture("17track/push-updated.json")).unwrap();
    assert_eq!(push(&app, &update).await["new_events"], 3);
    let after = alerts_of(&app, "carrier_silent");
    let cj_alert = after.iter().find(|(s, _)| *s == cj_id).unwrap();
    assert!(cj_alert.1.is_some(), "resolved: {after:?}");
    assert_eq!(
        after.iter().filter(|(_, r)| r.is_none()).count(),
        1,
        "the other parcel's stays"
    );
    let v = view(&app).await;
    assert_eq!(parcel(&v, CJ)["feed"]["state"], "subscribed");
    assert!(
        !v["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["code"] == "carrier_silent" && a["shipment_id"] == cj_id),
        "{v}"
    );
    app.stop().await;
}

#[tokio::test]
async fn feed_metrics_count_requests_errors_and_the_lag_of_polled_and_pushed_events() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    // The first poll is refused (429), the next ones answer.
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let data =
        serde_json::from_slice::<Value>(&fixture("17track/push-updated.json")).unwrap()["data"]
            .clone();
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"accepted": [data], "rejected": []}})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&seventeen_toml(&server.uri(), 1, "")).await;
    let before = app.metrics().await;
    assert_eq!(
        metric(
            &before,
            "aftercare_feed_requests_total{store=\"default\",provider=\"17track\",operation=\"fetch\"}"
        ),
        0.0
    );
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 3, WAIT)
        .await;
    let text = app.metrics().await;
    assert!(
        metric(
            &text,
            "aftercare_feed_requests_total{store=\"default\",provider=\"17track\",operation=\"fetch\"}"
        ) >= 2.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "aftercare_feed_errors_total{store=\"default\",provider=\"17track\",kind=\"rate_limited\"}"
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "aftercare_feed_event_lag_seconds_count{provider=\"17track\",via=\"poll\"}"
        ),
        3.0,
        "{text}"
    );
    // Events from mid-November arrive weeks later.
    assert!(
        metric(
            &text,
            "aftercare_feed_event_lag_seconds_sum{provider=\"17track\",via=\"poll\"}"
        ) > 3.0 * 86_400.0
    );

    let mut pushed: Value = serde_json::from_slice(&fixture("17track/push-updated.json")).unwrap();
    pushed["data"]["track_info"]["tracking"]["providers"][0]["events"] = json!([{
        "time_utc": "2026-11-17T06:00:00Z", "description": "배송완료 (Delivered)",
        "location": "서울 강남", "stage": "Delivered", "sub_status": "Delivered_Other"}]);
    assert_eq!(push(&app, &pushed).await["new_events"], 1);
    let text = app.metrics().await;
    assert_eq!(
        metric(
            &text,
            "aftercare_feed_event_lag_seconds_count{provider=\"17track\",via=\"push\"}"
        ),
        1.0,
        "{text}"
    );
    app.stop().await;
}

fn dt_toml(uri: &str, public_url: Option<&str>) -> String {
    let public = public_url
        .map(|u| format!("public_url = \"{u}\"\n"))
        .unwrap_or_default();
    format!(
        "{public}[feeds]\npoll_seconds = 3600\n\
         [feeds.stores.default.delivery_tracker]\nkey = \"{DT_KEY}\"\nurl = \"{uri}/graphql\"\n"
    )
}

async fn mutations(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| {
            b["query"]
                .as_str()
                .is_some_and(|q| q.contains("registerTrackWebhook"))
        })
        .collect()
}

#[tokio::test]
async fn delivery_tracker_calls_back_about_followed_parcels_when_aftercare_has_a_public_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("delivery-tracker/register-webhook.json"),
            "application/json",
        ))
        .mount(&server)
        .await;

    // Without a public URL it only polls.
    let quiet = TestApp::spawn_with(&dt_toml(&server.uri(), None)).await;
    quiet
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    quiet
        .wait_for_count(
            "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
            1,
            WAIT,
        )
        .await;
    quiet.run_jobs_until_idle().await;
    assert!(mutations(&server).await.is_empty());
    quiet.stop().await;

    let app = TestApp::spawn_with(&dt_toml(&server.uri(), Some("https://care.example/"))).await;
    let started = jiff::Timestamp::now();
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE webhook_expires_at IS NOT NULL",
        1,
        WAIT,
    )
    .await;
    let sent = mutations(&server).await;
    assert_eq!(
        sent.len(),
        1,
        "the CJ parcel (the other has no carrier id): {sent:?}"
    );
    let input = &sent[0]["variables"]["input"];
    assert_eq!(
        sent[0]["query"],
        "mutation RegisterTrackWebhook($input: RegisterTrackWebhookInput!) { registerTrackWebhook(input: $input) }"
    );
    assert_eq!(input["carrierId"], "kr.cjlogistics");
    assert_eq!(input["trackingNumber"], CJ);
    assert_eq!(
        input["callbackUrl"],
        "https://care.example/feeds/delivery-tracker"
    );
    let expires: jiff::Timestamp = input["expirationTime"].as_str().unwrap().parse().unwrap();
    let ahead = expires.duration_since(started).as_hours();
    assert!((47..=48).contains(&ahead), "about 48 hours ahead: {ahead}");
    let (status, health) = app.get("/api/v1/store/health").await;
    assert_eq!(status, 200);
    let dt = &health["feeds"][0];
    assert_eq!(dt["provider"], "delivery-tracker", "{health}");
    assert_eq!(dt["unit"], "requests");
    assert!(dt["limit"].is_null());
    assert_eq!(dt["used"], 1, "the callback registration: {health}");

    // Two days ahead is not due for renewal: a restart registers nothing again.
    let app = app
        .restart(&dt_toml(&server.uri(), Some("https://care.example/")))
        .await;
    app.run_jobs_until_idle().await;
    assert_eq!(mutations(&server).await.len(), 1);

    // With less than a day left (time made to pass by moving the expiry closer), the
    // poller's look renews it for another two days.
    {
        let db = rusqlite::Connection::open(app.db_path()).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db.execute(
            "UPDATE feed_subscriptions SET webhook_expires_at =
                strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 hour') WHERE number = ?1",
            [CJ],
        )
        .unwrap();
    }
    let app = app
        .restart(&dt_toml(&server.uri(), Some("https://care.example/")))
        .await;
    eventually("the callback renewed", WAIT, || async {
        mutations(&server).await.len() == 2
    })
    .await;
    let renewed = &mutations(&server).await[1]["variables"]["input"];
    assert_eq!(renewed["trackingNumber"], CJ);
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions
         WHERE webhook_expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+47 hours')",
        1,
        WAIT,
    )
    .await;
    app.stop().await;
}

/// The threshold counts from the provider's first "not found": a day under it nothing is
/// raised, past it the feed turns stale and the alert is raised once. The days are made to
/// pass by moving the recorded start of the silence back, as a test cannot wait them out.
#[tokio::test]
async fn the_stale_threshold_counts_from_the_first_not_found() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let app = TestApp::spawn_with(&seventeen_toml(
        &server.uri(),
        3600,
        "stale_after_days = 2\n",
    ))
    .await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
        2,
        WAIT,
    )
    .await;
    let not_found_push = json!({"event": "TRACKING_UPDATED", "data": not_found(CJ)});
    push(&app, &not_found_push).await;
    let since: String = app
        .db()
        .query_row(
            "SELECT silent_since FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| r.get(0),
        )
        .unwrap();
    let move_back = |days: i64| {
        let db = rusqlite::Connection::open(app.db_path()).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db.execute(
            "UPDATE feed_subscriptions SET silent_since =
                strftime('%Y-%m-%dT%H:%M:%fZ', silent_since, ?2) WHERE number = ?1",
            rusqlite::params![CJ, format!("-{days} days")],
        )
        .unwrap();
    };

    // A day later: still under the threshold.
    move_back(1);
    push(&app, &not_found_push).await;
    assert_eq!(state_of(&app, CJ), "awaiting_carrier");
    assert!(alerts_of(&app, "carrier_silent").is_empty());
    let kept: String = app
        .db()
        .query_row(
            "SELECT silent_since FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        kept < since,
        "the start is kept, not restarted: {kept} {since}"
    );

    // Past it: stale, one alert, and another "not found" adds none.
    move_back(1);
    push(&app, &not_found_push).await;
    assert_eq!(state_of(&app, CJ), "stale");
    push(&app, &not_found_push).await;
    app.run_jobs_until_idle().await;
    assert_eq!(alerts_of(&app, "carrier_silent").len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify_delay'"),
        1
    );
    app.stop().await;
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
