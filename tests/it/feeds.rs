//! Live carrier tracking against a local 17TRACK (wiremock) replaying payloads written for
//! this project from the reference: registration on shipment creation in batches, signed
//! pushes (and refused ones that store nothing), polling when no push comes, duplicate and
//! out-of-order events, a changed number, stopping after delivery, 429 backoff, and a
//! registration that survives a restart.

use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

pub(crate) const KEY: &str = "TEST_17TRACK_ACCESS_KEY";
const CJ: &str = "568912340017";
const CUSTOM: &str = "BG2026111600731";
const WAIT: Duration = Duration::from_secs(20);

pub(crate) fn feed_toml(uri: &str, poll_seconds: u64, grace_hours: u64) -> String {
    format!(
        "[feeds]\npoll_seconds = {poll_seconds}\nstop_after_delivery_hours = {grace_hours}\n\
         [feeds.stores.default.17track]\napi_key = \"{KEY}\"\nurl = \"{uri}\"\n"
    )
}

/// 17TRACK's `sign`, computed here independently of the service's code.
pub(crate) fn sign(body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(body);
    hash.update(format!("/{KEY}").as_bytes());
    hex::encode(hash.finalize())
}

fn push_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(&format!("17track/{name}"))).unwrap()
}

/// `/register` answering every number as accepted (under the carrier asked for, else CJ).
struct AcceptAll;

impl Respond for AcceptAll {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let items: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
        assert!(items.len() <= 40, "at most 40 numbers a request");
        let accepted: Vec<Value> = items
            .iter()
            .map(|i| json!({"origin": 1, "number": i["number"], "carrier": i.get("carrier").cloned().unwrap_or(100116.into())}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "data": {"accepted": accepted, "rejected": []}}))
    }
}

pub(crate) async fn mock_register(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/register"))
        .and(header("17token", KEY))
        .respond_with(AcceptAll)
        .mount(server)
        .await;
}

async fn mock_ok(server: &MockServer, endpoint: &str, data: Value) {
    Mock::given(method("POST"))
        .and(path(endpoint))
        .and(header("17token", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": data})))
        .mount(server)
        .await;
}

/// The numbers of each request the mock received at `endpoint`.
async fn requests(server: &MockServer, endpoint: &str) -> Vec<Vec<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == endpoint)
        .map(|r| {
            let items: Vec<Value> = serde_json::from_slice(&r.body).unwrap();
            items
                .iter()
                .map(|i| i["number"].as_str().unwrap().to_owned())
                .collect()
        })
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
        request = request.header("sign", signature);
    }
    read(request.send().await.unwrap()).await
}

async fn push(app: &TestApp, body: &Value) -> Value {
    let bytes = serde_json::to_vec(body).unwrap();
    let (status, answer) = post_push(app, "/feeds/17track", &bytes, Some(&sign(&bytes))).await;
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

async fn subscribed(app: &TestApp, n: i64) {
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
        n,
        WAIT,
    )
    .await;
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

#[tokio::test]
async fn new_parcels_are_registered_once_in_batches_of_forty() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    let items: Vec<Value> = (0..45)
        .map(|i| {
            json!({"tracking_provider": "hanjin", "custom_tracking_provider": "",
                   "tracking_number": format!("4{i:011}"), "date_shipped": "1794668400",
                   "tracking_id": format!("t{i}")})
        })
        .collect();
    for meta in order["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == "_wc_shipment_tracking_items" {
            meta["value"] = items.clone().into();
        }
    }
    let body = serde_json::to_vec(&order).unwrap();
    let (status, answer) = app.deliver("order.created", &body).await;
    assert_eq!(status, 200, "{answer}");
    subscribed(&app, 45).await;

    let calls = requests(&server, "/register").await;
    let sizes: Vec<usize> = calls.iter().map(Vec::len).collect();
    assert_eq!(sizes, [40, 5], "45 parcels in two requests");
    let mut numbers: Vec<String> = calls.concat();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 45, "each number registered once");
    let hanjin: Vec<Value> =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        hanjin[0]["carrier"], 100266,
        "the registry slug's 17TRACK code"
    );

    // A re-delivery and the outbox running again register nothing more.
    let (status, _) = app.deliver("order.updated", &body).await;
    assert_eq!(status, 200);
    app.run_jobs_until_idle().await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(requests(&server, "/register").await.len(), 2);

    let v = view(&app).await;
    let feed = &v["shipments"][0]["feed"];
    assert_eq!(feed["provider"], "17track", "{v}");
    assert_eq!(feed["state"], "subscribed");
    assert!(feed["last_checked_at"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn signed_pushes_update_parcels_and_refused_ones_store_nothing() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    subscribed(&app, 2).await;

    let update = push_fixture("push-updated.json");
    let answer = push(&app, &update).await;
    assert_eq!(answer, json!({"status": "applied", "new_events": 3}));
    let v = view(&app).await;
    let cj = parcel(&v, CJ);
    assert_eq!(cj["status"], "out_for_delivery");
    assert_eq!(cj["eta"], "2026-11-17T15:00:00Z", "the provider's ETA");
    assert_eq!(cj["events"].as_array().unwrap().len(), 3);
    assert_eq!(cj["events"][0]["location"], "서울 강남");
    assert_eq!(
        cj["events"][0]["description"],
        "배송출발 (Out for delivery)"
    );
    assert_eq!(cj["feed"]["state"], "subscribed");
    assert_eq!(cj["feed"]["last_event_at"], "2026-11-17T00:10:00Z");
    assert!(cj["feed"]["last_checked_at"].is_string());

    // The same push again (17TRACK retries): nothing new. The number is found however the
    // provider writes it.
    assert_eq!(push(&app, &update).await["new_events"], 0);
    let mut spaced = update.clone();
    spaced["data"]["number"] = "5689-1234-0017".into();
    assert_eq!(
        push(&app, &spaced).await,
        json!({"status": "applied", "new_events": 0})
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 3);

    // An older event arriving late joins the history and moves nothing back.
    let mut late = update.clone();
    let events = &mut late["data"]["track_info"]["tracking"]["providers"][0]["events"];
    *events = json!([{"time_iso": "2026-11-14T22:00:00+09:00", "time_utc": "2026-11-14T13:00:00Z",
        "description": "송장출력 (Label printed)", "location": "", "stage": "InfoReceived",
        "sub_status": "InfoReceived"}]);
    late["data"]["track_info"]["latest_status"] = json!({"status": "InfoReceived"});
    assert_eq!(push(&app, &late).await["new_events"], 1);
    let v = view(&app).await;
    let cj = parcel(&v, CJ);
    assert_eq!(cj["status"], "out_for_delivery");
    assert_eq!(cj["events"].as_array().unwrap().len(), 4);
    assert_eq!(cj["events"][3]["status"], "label_created");
    assert_eq!(cj["feed"]["last_event_at"], "2026-11-17T00:10:00Z");

    // A failed attempt keeps its flag beside the event.
    let mut failed = update.clone();
    failed["data"]["track_info"]["tracking"]["providers"][0]["events"] = json!([{
        "time_utc": "2026-11-17T06:00:00Z", "description": "부재중 (Nobody home)",
        "location": "서울 강남", "stage": null, "sub_status": "DeliveryFailure_NoBody"}]);
    assert_eq!(push(&app, &failed).await["new_events"], 1);
    assert_eq!(parcel(&view(&app).await, CJ)["status"], "exception");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feed_event_flags WHERE attempt_failed = 1"),
        1
    );

    // Refused: nothing stored, the subscription untouched.
    let events = app.count("SELECT COUNT(*) FROM shipment_events");
    let subscriptions: String = app
        .db()
        .query_row(
            "SELECT group_concat(state || last_checked_at) FROM feed_subscriptions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut newer = update.clone();
    newer["data"]["track_info"]["tracking"]["providers"][0]["events"][0]["time_utc"] =
        "2026-11-17T07:00:00Z".into();
    let bytes = serde_json::to_vec(&newer).unwrap();
    let (status, body) = post_push(&app, "/feeds/17track", &bytes, None).await;
    assert_eq!(status, 401);
    assert_error(&body, "missing_signature");
    let wrong = sign(b"something else");
    let (status, body) = post_push(&app, "/feeds/17track", &bytes, Some(&wrong)).await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_signature");
    // Signed over the bytes as sent: re-serialised with a space, the signature fails.
    let spaced = String::from_utf8(bytes.clone())
        .unwrap()
        .replacen(",", ", ", 1);
    let (status, body) = post_push(
        &app,
        "/feeds/17track",
        spaced.as_bytes(),
        Some(&sign(&bytes)),
    )
    .await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_signature");
    let junk = br#"{"event":"TRACKING_UPDATED","data":[]}"#;
    let (status, body) = post_push(&app, "/feeds/17track", junk, Some(&sign(junk))).await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_payload");
    let huge = vec![b' '; 5 * 1024 * 1024 + 1];
    let (status, body) = post_push(&app, "/feeds/17track", &huge, Some(&sign(&huge))).await;
    assert_eq!(status, 413);
    assert_error(&body, "payload_too_large");
    let (status, body) =
        post_push(&app, "/feeds/17track/nowhere", &bytes, Some(&sign(&bytes))).await;
    assert_eq!(status, 404);
    assert_error(&body, "unknown_store");
    let (status, body) = post_push(
        &app,
        &format!("/feeds/17track/{SECOND_STORE}"),
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
            "SELECT group_concat(state || last_checked_at) FROM feed_subscriptions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after, subscriptions);

    // A number aftercare does not follow is acknowledged and ignored.
    let mut stranger = update.clone();
    stranger["data"]["number"] = "RR123456789CN".into();
    assert_eq!(
        push(&app, &stranger).await,
        json!({"status": "ignored", "new_events": 0})
    );
    app.stop().await;
}

#[tokio::test]
async fn polling_brings_the_events_when_no_push_comes() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let data = push_fixture("push-updated.json")["data"].clone();
    mock_ok(
        &server,
        "/gettrackinfo",
        json!({"accepted": [data], "rejected": [
        {"number": CUSTOM, "error": {"code": -18019902, "message": "not registered yet"}}]}),
    )
    .await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 72)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 3, WAIT)
        .await;
    let polls = requests(&server, "/gettrackinfo").await;
    assert!(
        polls[0].len() == 2,
        "both parcels in one request: {polls:?}"
    );
    let v = view(&app).await;
    let cj = parcel(&v, CJ);
    assert_eq!(cj["status"], "out_for_delivery");
    assert!(cj["feed"]["last_checked_at"].is_string());
    // The public page says when the feed last checked the parcel it follows.
    let url = v["tracking_url"].as_str().expect("tracking_url");
    let page_path = format!("/t/{}", url.rsplit_once("/t/").unwrap().1);
    let page = app.text(app.url(&format!("{page_path}?lang=en"))).await;
    assert!(page.contains("Last checked "), "{page}");
    // Polled again and again (out for delivery: every shortest interval), never duplicated.
    let seen = requests(&server, "/gettrackinfo").await.len();
    eventually("another poll", WAIT, || async {
        requests(&server, "/gettrackinfo").await.len() > seen
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_changed_tracking_number_moves_the_subscription() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    mock_ok(
        &server,
        "/stoptrack",
        json!({"accepted": [], "rejected": []}),
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
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'stopped'",
        1,
        WAIT,
    )
    .await;
    assert_eq!(state_of(&app, CJ), "stopped");
    assert_eq!(requests(&server, "/stoptrack").await, [vec![CJ.to_owned()]]);
    let registered = requests(&server, "/register").await.concat();
    assert_eq!(
        registered.iter().filter(|n| *n == "568912340099").count(),
        1
    );
    let v = view(&app).await;
    assert_eq!(parcel(&v, "568912340099")["feed"]["state"], "subscribed");
    app.stop().await;
}

#[tokio::test]
async fn tracking_stops_after_delivery_and_when_the_provider_gives_up() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    mock_ok(
        &server,
        "/stoptrack",
        json!({"accepted": [], "rejected": []}),
    )
    .await;
    mock_ok(
        &server,
        "/gettrackinfo",
        json!({"accepted": [], "rejected": []}),
    )
    .await;
    // No grace period: delivered means done.
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 0)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    subscribed(&app, 2).await;

    let mut delivered = push_fixture("push-updated.json");
    let events = delivered["data"]["track_info"]["tracking"]["providers"][0]["events"]
        .as_array_mut()
        .unwrap();
    events.insert(
        0,
        json!({"time_utc": "2026-11-17T05:40:00Z", "description": "배송완료 (Delivered)",
        "location": "서울 강남", "stage": "Delivered", "sub_status": "Delivered_Other"}),
    );
    delivered["data"]["track_info"]["latest_status"] = json!({"status": "Delivered"});
    assert_eq!(push(&app, &delivered).await["new_events"], 4);
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'stopped'",
        1,
        WAIT,
    )
    .await;
    assert_eq!(state_of(&app, CJ), "stopped");
    assert!(
        requests(&server, "/stoptrack")
            .await
            .concat()
            .contains(&CJ.to_owned())
    );
    let v = view(&app).await;
    assert_eq!(parcel(&v, CJ)["status"], "delivered");
    assert_eq!(parcel(&v, CJ)["feed"]["state"], "stopped");
    // Never polled after stopping.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let polled = requests(&server, "/gettrackinfo").await;
    let last = polled.last().cloned().unwrap_or_default();
    assert!(!last.contains(&CJ.to_owned()), "{polled:?}");

    // 17TRACK stopped the other parcel before it arrived: stale, no longer polled.
    let stopped = serde_json::to_vec(&json!({"event": "TRACKING_STOPPED",
        "data": {"number": CUSTOM, "carrier": 0, "param": null, "tag": ""}}))
    .unwrap();
    let (status, body) = post_push(&app, "/feeds/17track", &stopped, Some(&sign(&stopped))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(state_of(&app, CUSTOM), "stale");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feed_subscriptions WHERE next_poll_at IS NOT NULL"),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn a_rate_limited_poll_backs_off() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 72)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE failures >= 1",
        2,
        WAIT,
    )
    .await;
    let (error, wait): (String, f64) = app
        .db()
        .query_row(
            "SELECT last_error, (julianday(next_poll_at) - julianday('now')) * 86400
             FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(error.contains("rate"), "{error}");
    assert!(wait > 100.0, "waits as long as 17TRACK asked: {wait}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(requests(&server, "/gettrackinfo").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_registration_that_failed_is_retried_after_a_restart() {
    let down = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/register"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&down)
        .await;
    let app = TestApp::spawn_with(&feed_toml(&down.uri(), 3600, 72)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'follow_parcel' AND attempts >= 1",
        1,
        WAIT,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'pending' AND last_error LIKE '%503%'"),
        2
    );

    let up = MockServer::start().await;
    mock_register(&up).await;
    let app = app.restart(&feed_toml(&up.uri(), 3600, 72)).await;
    subscribed(&app, 2).await;
    let mut numbers = requests(&up, "/register").await.concat();
    numbers.sort();
    assert_eq!(numbers, [CJ, CUSTOM]);
    // The other parcel's job, still waiting out its backoff, finds its parcel registered.
    eventually("every follow job done", WAIT, || async {
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'follow_parcel' AND done_at IS NULL") == 0
    })
    .await;
    assert_eq!(requests(&up, "/register").await.len(), 1, "registered once");
    app.stop().await;
}

fn follow_jobs(app: &TestApp) -> i64 {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'follow_parcel'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Parcels are offered to a feed only when the store has one: without, a webhook with
/// tracking meta and a parcel from the staff API enqueue no `follow_parcel` job (no extra
/// row in the ingest transaction, no job run); with one, each new parcel gets its job.
#[tokio::test]
async fn parcels_are_offered_to_a_feed_only_when_the_store_has_one() {
    let order = fixture("orders/registered-krw.json");
    let parcel = json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                        "shipped_at": "2026-11-16T00:00:00Z"});

    let without = TestApp::spawn().await;
    let (status, body) = without.deliver("order.created", &order).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = without
        .post_json("/api/v1/orders/1001/shipments", &parcel)
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        view(&without).await["shipments"].as_array().unwrap().len(),
        3
    );
    assert_eq!(follow_jobs(&without), 0, "no feed, no follow jobs");
    without.stop().await;

    let server = MockServer::start().await;
    mock_register(&server).await;
    let with = TestApp::spawn_with(&feed_toml(&server.uri(), 3600, 72)).await;
    let (status, body) = with.deliver("order.created", &order).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = with
        .post_json("/api/v1/orders/1001/shipments", &parcel)
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(follow_jobs(&with), 3, "one follow job per new parcel");
    with.stop().await;
}

/// 17TRACK answering garbage to the first polls: HTML, truncated JSON, the wrong types;
/// then the real answer.
struct GarbageFirst {
    asked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    good: Value,
}

impl Respond for GarbageFirst {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        match self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body><h1>502 Bad Gateway</h1></body></html>"),
            1 => ResponseTemplate::new(200).set_body_string(r#"{"code": 0, "data": {"accep"#),
            2 => ResponseTemplate::new(200)
                .set_body_json(json!({"code": "zero", "data": {"accepted": "all of them"}})),
            _ => ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": self.good})),
        }
    }
}

#[tokio::test]
async fn garbage_from_the_provider_is_refused_backed_off_and_records_nothing() {
    let server = MockServer::start().await;
    mock_register(&server).await;
    let data = push_fixture("push-updated.json")["data"].clone();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(GarbageFirst {
            asked: asked.clone(),
            good: json!({"accepted": [data], "rejected": []}),
        })
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&feed_toml(&server.uri(), 1, 72)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;

    // Pushes of garbage, correctly signed: a clear 400 each, nothing stored.
    for body in [
        b"<html><body>Bad Gateway</body></html>".to_vec(),
        br#"{"event": "TRACKING_UPDATED", "data": {"numb"#.to_vec(),
        br#"{"event": 7, "data": {"number": ["568912340017"], "track_info": "none"}}"#.to_vec(),
    ] {
        let (status, answer) = post_push(&app, "/feeds/17track", &body, Some(&sign(&body))).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"]["code"].is_string(), "{answer}");
    }

    // Three garbage polls: each is a failure that backs off, never an event.
    for failures in 1..=3 {
        app.wait_for_count(
            &format!(
                "SELECT COUNT(*) FROM feed_subscriptions WHERE number = '{CJ}' AND failures >= {failures}"
            ),
            1,
            WAIT,
        )
        .await;
        assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);
        let (error, wait): (String, f64) = app
            .db()
            .query_row(
                "SELECT last_error, (julianday(next_poll_at) - julianday('now')) * 86400
                 FROM feed_subscriptions WHERE number = ?1",
                [CJ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(wait > 1.5, "a failed poll backs off: {wait}");
        for personal in ["minji", "Minji", "010-2345", "테헤란로", "김"] {
            assert!(!error.contains(personal), "{error}");
        }
        // The backoff's wait passes.
        let c = rusqlite::Connection::open(app.db_path()).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        c.execute(
            "UPDATE feed_subscriptions SET next_poll_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    }
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("aftercare_feed_errors_total{store=\"default\",provider=\"17track\""),
        "{metrics}"
    );

    // The provider makes sense again: the events are recorded once.
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 3, WAIT)
        .await;
    let seen = asked.load(std::sync::atomic::Ordering::SeqCst);
    eventually("another poll", WAIT, || async {
        asked.load(std::sync::atomic::Ordering::SeqCst) > seen
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 3);
    app.stop().await;
}
