//! Delivery Tracker against a local GraphQL endpoint (wiremock) replaying payloads written
//! for this project from the reference: Korean parcels followed through it while the rest
//! go to 17TRACK, its events applied through tracking, its unsigned callback only bringing
//! a fetch forward, and errors and 429 backing off.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const DT_KEY: &str = "test-client:test-secret";
const SEVENTEEN_KEY: &str = "TEST_17TRACK_ACCESS_KEY";
const CJ: &str = "568912340017";
const CUSTOM: &str = "BG2026111600731";
const WAIT: Duration = Duration::from_secs(25);

/// The fixture's CJ parcel was delivered on 1 December 2026: a ten-year grace after delivery
/// keeps it followed (and its callbacks queued) whatever day the suite runs.
fn dt_toml(uri: &str, poll_seconds: u64, with_17track: bool) -> String {
    let mut toml = format!(
        "[feeds]\npoll_seconds = {poll_seconds}\nstop_after_delivery_hours = 87600\n\
         [feeds.stores.default.delivery_tracker]\nkey = \"{DT_KEY}\"\nurl = \"{uri}/graphql\"\n"
    );
    if with_17track {
        toml.push_str(&format!(
            "[feeds.stores.default.17track]\napi_key = \"{SEVENTEEN_KEY}\"\nurl = \"{uri}/17track\"\n"
        ));
    }
    toml
}

/// The GraphQL answer for one CJ parcel asked as `t0`: the fixture's CJ대한통운 history.
fn cj_answer() -> Value {
    let mut answer: Value =
        serde_json::from_slice(&fixture("delivery-tracker/track-two.json")).unwrap();
    answer["data"].as_object_mut().unwrap().remove("t2");
    answer
}

async fn mock_track(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(header(
            "authorization",
            format!("TRACKQL-API-KEY {DT_KEY}").as_str(),
        ))
        .respond_with(response)
        .mount(server)
        .await;
}

fn graphql_requests(requests: &[Request]) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r.url.path() == "/graphql")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
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

async fn post(app: &TestApp, url_path: &str, body: &[u8]) -> (u16, Value) {
    let request = app
        .client
        .post(app.url(url_path))
        .header("content-type", "application/json")
        .body(body.to_vec());
    read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn korean_parcels_are_followed_through_delivery_tracker_and_the_rest_through_17track() {
    let server = MockServer::start().await;
    mock_track(
        &server,
        ResponseTemplate::new(200).set_body_json(cj_answer()),
    )
    .await;
    Mock::given(method("POST"))
        .and(path("/17track/register"))
        .respond_with(|request: &Request| {
            let items: Vec<Value> = serde_json::from_slice(&request.body).unwrap();
            let accepted: Vec<Value> = items
                .iter()
                .map(|i| json!({"number": i["number"], "carrier": 0}))
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"accepted": accepted, "rejected": []}}))
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/17track/gettrackinfo"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"accepted": [], "rejected": []}})),
        )
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&dt_toml(&server.uri(), 1, true)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 4, WAIT)
        .await;

    let requests = server.received_requests().await.unwrap();
    let asked = graphql_requests(&requests);
    assert!(!asked.is_empty());
    for body in &asked {
        assert_eq!(body["variables"]["c0"], "kr.cjlogistics", "{body}");
        assert_eq!(body["variables"]["n0"], CJ);
        assert!(
            !body.to_string().contains(CUSTOM),
            "a 17TRACK parcel is never sent to Delivery Tracker"
        );
    }
    let registered: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == "/17track/register")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        registered.iter().any(|b| b.contains(CUSTOM)),
        "{registered:?}"
    );
    assert!(
        registered.iter().all(|b| !b.contains(CJ)),
        "the Korean parcel is not registered with 17TRACK"
    );

    let v = view(&app).await;
    let cj = parcel(&v, CJ);
    assert_eq!(cj["status"], "delivered", "{cj}");
    assert_eq!(cj["feed"]["provider"], "delivery-tracker");
    assert!(cj["feed"]["last_checked_at"].is_string());
    assert_eq!(parcel(&v, CUSTOM)["feed"]["provider"], "17track");
    // Asked again (a callback brings the next look forward), never duplicated.
    let seen = asked.len();
    let callback = json!({"carrierId": "kr.cjlogistics", "trackingNumber": CJ});
    let (got, answer) = post(
        &app,
        "/feeds/delivery-tracker",
        &serde_json::to_vec(&callback).unwrap(),
    )
    .await;
    assert_eq!(
        (got, answer["status"].as_str()),
        (200, Some("queued")),
        "{answer}"
    );
    eventually("another poll", WAIT, || async {
        graphql_requests(&server.received_requests().await.unwrap()).len() > seen
    })
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 4);
    app.stop().await;
}

#[tokio::test]
async fn an_unsigned_callback_only_brings_a_fetch_forward() {
    let server = MockServer::start().await;
    mock_track(
        &server,
        ResponseTemplate::new(200).set_body_json(cj_answer()),
    )
    .await;
    // Polls every 20 s at most: the first look waits for that, the callback does not.
    let app = TestApp::spawn_with(&dt_toml(&server.uri(), 20, false)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE state = 'subscribed'",
        1,
        WAIT,
    )
    .await;
    let next_poll = |app: &TestApp| -> String {
        app.db()
            .query_row(
                "SELECT next_poll_at FROM feed_subscriptions WHERE number = ?1",
                [CJ],
                |r| r.get(0),
            )
            .unwrap()
    };
    let planned = next_poll(&app);

    // Refused bodies change nothing.
    for (body, status, code) in [
        (&b"{not json"[..], 400, "invalid_payload"),
        (br#"{"carrierId":"kr.cjlogistics"}"#, 400, "invalid_payload"),
    ] {
        let (got, answer) = post(&app, "/feeds/delivery-tracker", body).await;
        assert_eq!(got, status, "{answer}");
        assert_error(&answer, code);
    }
    let huge = vec![b' '; 5 * 1024 * 1024 + 1];
    let (got, answer) = post(&app, "/feeds/delivery-tracker", &huge).await;
    assert_eq!(got, 413);
    assert_error(&answer, "payload_too_large");
    let (got, answer) = post(&app, "/feeds/delivery-tracker/nowhere", b"{}").await;
    assert_eq!(got, 404);
    assert_error(&answer, "unknown_store");
    assert_eq!(next_poll(&app), planned);
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);

    // A number aftercare does not follow: ignored.
    let (got, answer) = post(
        &app,
        "/feeds/delivery-tracker",
        br#"{"carrierId":"kr.hanjin","trackingNumber":"999999999999"}"#,
    )
    .await;
    assert_eq!((got, answer["status"].as_str()), (200, Some("ignored")));

    // The callback's own "events" are never read: what is stored is what the fetch says.
    let callback = json!({"carrierId": "kr.lotte", "trackingNumber": CJ,
        "events": [{"status": {"code": "EXCEPTION"}, "time": "2026-12-01T00:00:00+09:00",
                    "description": "forged"}]});
    let (got, answer) = post(
        &app,
        "/feeds/delivery-tracker",
        &serde_json::to_vec(&callback).unwrap(),
    )
    .await;
    assert_eq!(got, 200, "{answer}");
    assert_eq!(answer["status"], "queued");
    assert!(next_poll(&app) < planned, "the fetch comes forward");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shipment_events"),
        0,
        "nothing from the body"
    );
    app.wait_for_count("SELECT COUNT(*) FROM shipment_events", 4, WAIT)
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shipment_events WHERE description LIKE '%forged%'"),
        0
    );
    let asked = graphql_requests(&server.received_requests().await.unwrap());
    assert_eq!(
        asked[0]["variables"]["c0"], "kr.cjlogistics",
        "asked under the parcel's own carrier, not the callback's"
    );
    let (carrier,): (String,) = app
        .db()
        .query_row(
            "SELECT carrier_code FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| Ok((r.get(0)?,)),
        )
        .unwrap();
    assert_eq!(carrier, "kr.cjlogistics");
    app.stop().await;
}

#[tokio::test]
async fn delivery_tracker_errors_and_429_back_off() {
    let server = MockServer::start().await;
    mock_track(
        &server,
        ResponseTemplate::new(429).insert_header("retry-after", "120"),
    )
    .await;
    let app = TestApp::spawn_with(&dt_toml(&server.uri(), 1, false)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE failures >= 1",
        1,
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
    assert!(wait > 100.0, "waits as long as asked: {wait}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        graphql_requests(&server.received_requests().await.unwrap()).len(),
        1
    );
    app.stop().await;

    // A request-level GraphQL error (a refused key) backs off too, and stores no event.
    let server = MockServer::start().await;
    mock_track(
        &server,
        ResponseTemplate::new(200).set_body_json(json!({"data": null,
            "errors": [{"message": "invalid api key", "extensions": {"code": "UNAUTHENTICATED"}}]})),
    )
    .await;
    let app = TestApp::spawn_with(&dt_toml(&server.uri(), 1, false)).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.wait_for_count(
        "SELECT COUNT(*) FROM feed_subscriptions WHERE failures >= 1",
        1,
        WAIT,
    )
    .await;
    let error: String = app
        .db()
        .query_row(
            "SELECT last_error FROM feed_subscriptions WHERE number = ?1",
            [CJ],
            |r| r.get(0),
        )
        .unwrap();
    assert!(error.contains("UNAUTHENTICATED"), "{error}");
    assert_eq!(app.count("SELECT COUNT(*) FROM shipment_events"), 0);
    app.stop().await;
}
