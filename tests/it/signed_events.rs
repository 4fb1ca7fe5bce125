//! Signed events: what an endpoint receives, checked by an independent Standard Webhooks
//! verifier (`standard_webhooks_verify.py`, Python's standard library only), retries with
//! backoff driven through the database's clock columns, restarts, and the staff API.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use aftercare::ids::StoreId;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{SECOND_API_KEY, TestApp, assert_error};

/// Two keys, as while rotating: the current one and the previous one.
fn secret(byte: u8) -> String {
    format!("whsec_{}", STANDARD.encode([byte; 32]))
}

fn endpoint_toml(url: &str, extra: &str) -> String {
    format!(
        "[[events.stores.default.endpoints]]\nurl = \"{url}\"\nsecret = \"{}\"\n{extra}\n",
        secret(1)
    )
}

/// Queues an event the way the notifier does: `publish` inside a transaction of its own.
fn publish(app: &TestApp, event_id: &str, kind: &str, data: &Value) -> usize {
    let mut conn = rusqlite::Connection::open(app.db_path()).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let tx = conn.transaction().unwrap();
    let queued = aftercare::signed_events::publish(
        &tx,
        &StoreId::default_store(),
        event_id,
        kind,
        data,
        jiff::Timestamp::now(),
    )
    .unwrap();
    tx.commit().unwrap();
    queued
}

/// Makes every pending delivery and the delivery job due now: the backoff's waits pass
/// without waiting.
fn pass_time(app: &TestApp) {
    let conn = rusqlite::Connection::open(app.db_path()).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE event_deliveries SET next_attempt_at = '2000-01-01T00:00:00.000Z'
         WHERE state = 'pending'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE jobs SET run_after = '2000-01-01T00:00:00.000Z'
         WHERE kind = 'deliver_events' AND done_at IS NULL",
        [],
    )
    .unwrap();
}

/// A request as the endpoint received it: its headers and its exact body.
type Captured = (Vec<(String, String)>, Vec<u8>);

/// What the independent verifier says of each request under `secrets`.
fn verify(requests: &[Captured], secrets: &[String]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/standard_webhooks_verify.py");
    let input = json!({
        "secrets": secrets,
        "now": jiff::Timestamp::now().as_second(),
        "requests": requests.iter().map(|(headers, body)| json!({
            "headers": headers
                .iter()
                .map(|(name, value)| (name.clone(), Value::from(value.clone())))
                .collect::<serde_json::Map<_, _>>(),
            "body_b64": STANDARD.encode(body),
        })).collect::<Vec<_>>(),
    });
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the verifier (apt-get install python3)");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.to_string().as_bytes()).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "verifier failed: {output:?}");
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

fn captured(request: &wiremock::Request) -> Captured {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (headers, request.body.clone())
}

fn header<'a>(request: &'a wiremock::Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

async fn received(server: &MockServer, at: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == at)
        .collect()
}

fn data() -> Value {
    json!({
        "order": {"id": 123, "number": "123", "status": "processing", "currency": "KRW"},
        "customer": {"name": "김민준", "email": "minjun@example.com"},
        "parcel": null,
    })
}

#[tokio::test]
async fn endpoints_receive_standard_webhooks_that_an_independent_verifier_accepts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let rotating = format!(
        "[[events.stores.default.endpoints]]\nurl = \"{}/all\"\nsecret = \"{}\"\n\
         previous_secret = \"{}\"\nauthorization = \"Bearer token-123\"\n",
        server.uri(),
        secret(1),
        secret(2)
    );
    let filtered = format!(
        "[[events.stores.default.endpoints]]\nurl = \"{}/delivered-only\"\nsecret = \"{}\"\n\
         types = [\"delivered\"]\n",
        server.uri(),
        secret(3)
    );
    let app = TestApp::spawn_with(&format!("{rotating}{filtered}")).await;

    assert_eq!(publish(&app, "evt_msg_1", "shipped", &data()), 1);
    assert_eq!(publish(&app, "evt_msg_2", "delivered", &data()), 2);
    assert_eq!(
        publish(&app, "evt_msg_1", "shipped", &data()),
        0,
        "a second publish of one event queues nothing"
    );
    let (status, ping) = app.post_json("/api/v1/events/test", &json!({})).await;
    assert_eq!(status, 202, "{ping}");
    assert_eq!(ping["queued"], 2, "a ping goes to every endpoint: {ping}");
    app.run_jobs_until_idle().await;

    let all = received(&server, "/all").await;
    let only = received(&server, "/delivered-only").await;
    assert_eq!(all.len(), 3, "shipped, delivered and the ping");
    assert_eq!(only.len(), 2, "delivered and the ping, not shipped");

    // Both keys sign while rotating: each alone verifies the request.
    let requests: Vec<_> = all.iter().map(captured).collect();
    for result in verify(&requests, &[secret(1), secret(2)]) {
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["matched"], json!([0, 1]), "{result}");
    }
    for result in verify(&requests, &[secret(2)]) {
        assert_eq!(result["ok"], true, "the previous key alone: {result}");
    }
    for result in verify(&requests, &[secret(3)]) {
        assert_eq!(result["ok"], false, "another endpoint's key: {result}");
    }
    let only_requests: Vec<_> = only.iter().map(captured).collect();
    for result in verify(&only_requests, &[secret(3)]) {
        assert_eq!(result["ok"], true, "{result}");
        assert_eq!(result["matched"], json!([0]), "one key, one signature");
    }

    // A body changed on the way fails verification; so does a changed id.
    let mut tampered = requests[0].clone();
    let text = String::from_utf8(tampered.1.clone()).unwrap();
    tampered.1 = text.replace("123", "124").into_bytes();
    let mut renamed = requests[0].clone();
    for (name, value) in &mut renamed.0 {
        if name == "webhook-id" {
            *value = "evt_other".into();
        }
    }
    for result in verify(&[tampered, renamed], &[secret(1), secret(2)]) {
        assert_eq!(result["ok"], false, "{result}");
        assert_eq!(result["error"], "no signature matches");
    }

    // Headers and body as documented.
    let shipped = all
        .iter()
        .find(|r| header(r, "webhook-id") == "evt_msg_1")
        .expect("the shipped event");
    assert_eq!(header(shipped, "content-type"), "application/json");
    assert_eq!(header(shipped, "authorization"), "Bearer token-123");
    assert!(header(shipped, "user-agent").starts_with("aftercare/"));
    assert_eq!(header(shipped, "webhook-signature").split(' ').count(), 2);
    assert!(
        header(shipped, "webhook-signature")
            .split(' ')
            .all(|s| s.starts_with("v1,"))
    );
    let stamp: i64 = header(shipped, "webhook-timestamp").parse().unwrap();
    assert!((jiff::Timestamp::now().as_second() - stamp).abs() < 120);
    let body: Value = serde_json::from_slice(&shipped.body).unwrap();
    assert_eq!(body["type"], "shipped");
    assert_eq!(body["data"], data());
    let at = body["timestamp"].as_str().unwrap();
    assert!(
        at.ends_with('Z') && at.parse::<jiff::Timestamp>().is_ok(),
        "RFC 3339 in UTC: {at}"
    );
    let ping_request = only
        .iter()
        .find(|r| header(r, "webhook-id") == ping["event_id"].as_str().unwrap())
        .expect("the ping");
    assert_eq!(
        serde_json::from_slice::<Value>(&ping_request.body).unwrap()["type"],
        "ping"
    );
    assert_eq!(
        header(ping_request, "authorization"),
        "",
        "only the endpoint that configures it sends an authorization"
    );

    let (status, list) = app.get("/api/v1/events/deliveries?status=delivered").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["deliveries"].as_array().unwrap().len(), 5);
    let text = list.to_string();
    assert!(text.contains("127.0.0.1"), "endpoints show by host");
    for secret in [secret(1), secret(2), "token-123".into(), "/all".into()] {
        assert!(!text.contains(&secret), "{secret} shown: {text}");
    }
    assert!(
        app.metrics().await.contains(
            "aftercare_event_deliveries_total{store=\"default\",outcome=\"delivered\"} 5"
        )
    );
    app.stop().await;
}

/// (state, attempts, next_attempt_at - the last attempt, in seconds)
fn delivery_state(app: &TestApp, event_id: &str) -> (String, i64, Option<f64>) {
    app.db()
        .query_row(
            "SELECT d.state, d.attempts,
                    (julianday(d.next_attempt_at) - julianday(MAX(a.attempted_at))) * 86400.0
             FROM event_deliveries d JOIN event_delivery_attempts a ON a.delivery_id = d.id
             WHERE d.event_id = ?1 GROUP BY d.id",
            [event_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_backoff_until_it_answers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("x".repeat(5000)))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("thanks"))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&endpoint_toml(&format!("{}/in", server.uri()), "")).await;
    assert_eq!(publish(&app, "evt_retry", "delayed", &data()), 1);
    app.run_jobs_until_idle().await;

    let (state, attempts, wait) = delivery_state(&app, "evt_retry");
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    let wait = wait.unwrap();
    assert!(
        (4.9..=5.6).contains(&wait),
        "first wait 5 s + jitter, got {wait}"
    );
    app.run_jobs_until_idle().await;
    assert_eq!(
        received(&server, "/in").await.len(),
        1,
        "nothing before its time"
    );

    pass_time(&app);
    app.run_jobs_until_idle().await;
    let (state, attempts, wait) = delivery_state(&app, "evt_retry");
    assert_eq!((state.as_str(), attempts), ("pending", 2));
    let wait = wait.unwrap();
    assert!(
        (299.0..=330.5).contains(&wait),
        "second wait 5 min + jitter, got {wait}"
    );

    pass_time(&app);
    app.run_jobs_until_idle().await;
    let (state, attempts, _) = delivery_state(&app, "evt_retry");
    assert_eq!((state.as_str(), attempts), ("delivered", 3));

    // One event id on every attempt, each attempt signed at its own time.
    let requests = received(&server, "/in").await;
    assert_eq!(requests.len(), 3);
    assert!(
        requests
            .iter()
            .all(|r| header(r, "webhook-id") == "evt_retry")
    );
    let captured: Vec<_> = requests.iter().map(captured).collect();
    for result in verify(&captured, &[secret(1)]) {
        assert_eq!(result["ok"], true, "{result}");
    }

    let (status, list) = app.get("/api/v1/events/deliveries").await;
    assert_eq!(status, 200);
    let delivery = &list["deliveries"][0];
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["event_id"], "evt_retry");
    assert_eq!(delivery["type"], "delayed");
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    let log = delivery["attempts"].as_array().unwrap();
    let statuses: Vec<_> = log.iter().map(|a| a["status"].clone()).collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
    assert_eq!(
        log[0]["response_body"].as_str().unwrap().len(),
        1024,
        "the log keeps the first KiB of an answer"
    );
    assert_eq!(log[2]["response_body"], "thanks");
    assert!(log.iter().all(|a| a["duration_ms"].is_u64()));
    let metrics = app.metrics().await;
    assert!(
        metrics
            .contains("aftercare_event_deliveries_total{store=\"default\",outcome=\"retrying\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("aftercare_event_attempt_seconds_count 3"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test]
async fn deliveries_fail_after_the_schedule_or_on_410_and_staff_can_send_them_again() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/down"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/down"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(410))
        .mount(&server)
        .await;
    // No waits between attempts: the schedule's length is what is tested here.
    let app = TestApp::spawn_with(&format!(
        "[events]\nretry_schedule_seconds = [0, 0]\n{}{}",
        endpoint_toml(&format!("{}/down", server.uri()), "types = [\"shipped\"]"),
        endpoint_toml(&format!("{}/gone", server.uri()), "types = [\"delivered\"]"),
    ))
    .await;
    publish(&app, "evt_down", "shipped", &data());
    publish(&app, "evt_gone", "delivered", &data());
    app.run_jobs_until_idle().await;
    assert_eq!(
        received(&server, "/down").await.len(),
        3,
        "three attempts, then failed"
    );
    assert_eq!(
        received(&server, "/gone").await.len(),
        1,
        "410 ends the delivery"
    );

    let (status, failed) = app.get("/api/v1/events/deliveries?status=failed").await;
    assert_eq!(status, 200, "{failed}");
    let failed = failed["deliveries"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    let down = failed.iter().find(|d| d["event_id"] == "evt_down").unwrap();
    assert_eq!(down["last_status"], 503);
    assert_eq!(down["last_error"], "HTTP 503");
    assert_eq!(down["attempts"].as_array().unwrap().len(), 3);
    let gone = failed.iter().find(|d| d["event_id"] == "evt_gone").unwrap();
    assert_eq!(gone["last_status"], 410);
    // One endpoint's log.
    let endpoint = gone["endpoint"]["id"].as_str().unwrap();
    let (status, log) = app
        .get(&format!("/api/v1/events/deliveries?endpoint={endpoint}"))
        .await;
    assert_eq!(status, 200, "{log}");
    let log = log["deliveries"].as_array().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_id"], "evt_gone");
    assert_ne!(down["endpoint"]["id"], endpoint);

    // The endpoint is back: staff send it again, once.
    let id = down["id"].as_i64().unwrap();
    let (status, retried) = app
        .post_json(&format!("/api/v1/events/deliveries/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["status"], "pending");
    app.run_jobs_until_idle().await;
    let (_, page) = app.get("/api/v1/events/deliveries?status=delivered").await;
    assert_eq!(page["deliveries"][0]["event_id"], "evt_down");
    assert_eq!(
        page["deliveries"][0]["attempts"].as_array().unwrap().len(),
        4
    );

    // Only a failed delivery can be sent again; 404 for unknown and other stores' ids.
    let (status, body) = app
        .post_json(&format!("/api/v1/events/deliveries/{id}/retry"), &json!({}))
        .await;
    assert_eq!(status, 409);
    assert_error(&body, "invalid_transition");
    let (status, body) = app
        .post_json("/api/v1/events/deliveries/999999/retry", &json!({}))
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "delivery_not_found");
    let gone_id = gone["id"].as_i64().unwrap();
    let (status, body) = app
        .post_json_as(
            &format!("/api/v1/events/deliveries/{gone_id}/retry"),
            &json!({}),
            SECOND_API_KEY,
        )
        .await;
    assert_eq!(status, 404, "another store's delivery");
    assert_error(&body, "delivery_not_found");
    let (status, body) = app
        .get_as("/api/v1/events/deliveries", SECOND_API_KEY)
        .await;
    assert_eq!(
        (status, body["deliveries"].as_array().unwrap().len()),
        (200, 0)
    );
    let (status, body) = app
        .post_json("/api/v1/events/deliveries/abc/retry", &json!({}))
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_path");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_delivery_attempts"),
        5,
        "the refused requests changed nothing"
    );

    // Pages follow the cursor, newest first.
    let (status, first) = app.get("/api/v1/events/deliveries?limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(first["deliveries"][0]["event_id"], "evt_gone");
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = app
        .get(&format!(
            "/api/v1/events/deliveries?limit=1&cursor={cursor}"
        ))
        .await;
    assert_eq!(second["deliveries"][0]["event_id"], "evt_down");
    assert_eq!(second["next_cursor"], Value::Null);

    // Bad parameters: 422 naming each.
    for (query, fields) in [
        ("status=lost", vec!["status"]),
        ("limit=0", vec!["limit"]),
        ("limit=101", vec!["limit"]),
        ("limit=ten&cursor=x", vec!["limit", "cursor"]),
        ("cursor=-3", vec!["cursor"]),
        ("endpoint=https://x.example/", vec!["endpoint"]),
        ("status=lost&endpoint=ep_ABC", vec!["status", "endpoint"]),
    ] {
        let (status, body) = app.get(&format!("/api/v1/events/deliveries?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_error(&body, "validation_failed");
        let named: Vec<_> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(named, fields, "{query}");
    }

    // Without the key: 401, nothing said.
    for (verb, url) in [
        ("GET", "/api/v1/events/deliveries"),
        ("POST", "/api/v1/events/test"),
        ("POST", &format!("/api/v1/events/deliveries/{id}/retry")),
    ] {
        let response = app
            .client
            .request(verb.parse().unwrap(), app.url(url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{verb} {url}");
        let (_, body) = crate::helpers::read(response).await;
        assert_error(&body, "missing_api_key");
    }
    app.stop().await;
}

#[tokio::test]
async fn queued_deliveries_survive_a_restart_and_go_out_once() {
    // A port with nobody listening yet: the endpoint is down.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let config = endpoint_toml(&format!("http://{addr}/in"), "");
    let app = TestApp::spawn_with(&config).await;
    for n in 1..=3 {
        assert_eq!(publish(&app, &format!("evt_{n}"), "shipped", &data()), 1);
    }
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending' AND attempts = 1"),
        3
    );
    let error: String = app
        .db()
        .query_row(
            "SELECT error FROM event_delivery_attempts LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(error.starts_with("could not connect"), "{error}");
    assert!(
        !error.contains("/in"),
        "the URL stays out of the log: {error}"
    );

    let app = app.restart(&config).await;
    let server = MockServer::builder()
        .listener(std::net::TcpListener::bind(addr).unwrap())
        .start()
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    assert_eq!(
        publish(&app, "evt_2", "shipped", &data()),
        0,
        "the restart remembers what was queued"
    );
    pass_time(&app);
    app.run_jobs_until_idle().await;
    let requests = received(&server, "/in").await;
    let mut ids: Vec<_> = requests
        .iter()
        .map(|r| header(r, "webhook-id").to_owned())
        .collect();
    ids.sort();
    assert_eq!(ids, ["evt_1", "evt_2", "evt_3"]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_deliveries WHERE state = 'delivered'"),
        3
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_endpoint_settings_stop_the_start_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("aftercare.toml");
    std::fs::write(
        &config,
        "[[events.stores.default.endpoints]]\nurl = \"https://hooks.example.com/x\"\n\
         secret = \"not-a-whsec-secret-value\"\n",
    )
    .unwrap();
    let flags = aftercare::config::Flags {
        listen: None,
        data_dir: Some(dir.path().join("data")),
        config: Some(config),
    };
    let env = std::collections::BTreeMap::new();
    let error = aftercare::config::load(&flags, &aftercare::config::env_from(env)).unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("events.stores.default.endpoints[0].secret: must start with `whsec_`"),
        "{text}"
    );
    assert!(
        !text.contains("not-a-whsec"),
        "the secret is not repeated: {text}"
    );
}

/// The registered KRW order as order `id`, its parcels only from the staff API.
fn order_without_parcels(id: u64) -> Vec<u8> {
    let mut order: Value =
        serde_json::from_slice(&crate::helpers::fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    serde_json::to_vec(&order).unwrap()
}

#[tokio::test]
async fn a_shipment_reaches_the_store_endpoint_as_a_signed_shipped_event() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/aftercare"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with(&endpoint_toml(
        &format!("{}/hooks/aftercare", server.uri()),
        "",
    ))
    .await;
    let (status, answer) = app
        .deliver("order.created", &order_without_parcels(6101))
        .await;
    assert_eq!(status, 200, "{answer}");
    let shipped_at = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(30))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string();
    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/6101/shipments",
            &json!({"carrier": "cj-logistics", "tracking_number": "6001-0000-6101",
                    "shipped_at": shipped_at}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    app.run_jobs_until_idle().await;
    crate::helpers::eventually(
        "the shipped event at the endpoint",
        Duration::from_secs(20),
        || async { !received(&server, "/hooks/aftercare").await.is_empty() },
    )
    .await;
    app.run_jobs_until_idle().await;

    let requests = received(&server, "/hooks/aftercare").await;
    assert_eq!(requests.len(), 1, "one event for one new parcel");
    let request = &requests[0];
    // Checked by the verifier written from the specification, not by aftercare's signer.
    let results = verify(&[captured(request)], &[secret(1)]);
    assert_eq!(results[0]["ok"], true, "{}", results[0]);
    assert_eq!(
        verify(&[captured(request)], &[secret(9)])[0]["ok"],
        false,
        "another key does not verify it"
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["type"], "shipped");
    assert_eq!(body["data"]["order"]["id"], 6101);
    assert_eq!(body["data"]["parcel"]["number"], "6001-0000-6101");
    assert_eq!(body["data"]["parcel"]["carrier"], "cj-logistics");
    let event_id = header(request, "webhook-id");
    assert!(event_id.starts_with("evt_msg_"), "{event_id}");
    // The message it mirrors is the one in the staff's order view.
    let (_, view) = app.get("/api/v1/customers/42/orders/6101").await;
    let message = &view["messages"][0];
    assert_eq!(message["type"], "shipped");
    assert_eq!(
        event_id,
        format!("evt_{}", message["id"].as_str().unwrap()),
        "{view}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_endpoint_down_for_an_hour_gets_each_event_once_when_it_is_back() {
    // Down: nothing listens on the endpoint's port; each attempt is refused.
    let port = crate::crash::free_port();
    let app = TestApp::spawn_with(&endpoint_toml(&format!("http://127.0.0.1:{port}/in"), "")).await;
    let ids = ["evt_down_1", "evt_down_2", "evt_down_3"];
    for id in ids {
        assert_eq!(publish(&app, id, "delayed", &data()), 1);
    }
    app.run_jobs_until_idle().await;
    // Attempts at 0 s, 5 s, 5 min 5 s and 35 min 5 s fail: the hour passes with the endpoint
    // down, and nothing is given up; the next attempt waits 2 h.
    for attempt in 1..=4 {
        if attempt > 1 {
            pass_time(&app);
            app.run_jobs_until_idle().await;
        }
        for id in ids {
            let (state, attempts, _) = delivery_state(&app, id);
            assert_eq!((state.as_str(), attempts), ("pending", attempt), "{id}");
        }
    }
    let wait = delivery_state(&app, ids[0]).2.unwrap();
    assert!(
        (7199.0..=7921.0).contains(&wait),
        "fifth attempt 2 h + jitter later, got {wait}"
    );
    // Meanwhile the operator sees what waits.
    let (status, ready) = app.get("/readyz").await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["backlog"]["events_retrying"], 3, "{ready}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("aftercare_event_deliveries_retrying 3"),
        "{metrics}"
    );
    let (_, list) = app.get("/api/v1/events/deliveries").await;
    let attempts = &list["deliveries"][0]["attempts"];
    assert!(
        attempts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"].is_null() && a["error"].is_string()),
        "a refused connection is logged without a status: {attempts}"
    );

    // The endpoint is back on its port: the next retry delivers each event once.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    pass_time(&app);
    app.run_jobs_until_idle().await;
    for id in ids {
        let (state, attempts, _) = delivery_state(&app, id);
        assert_eq!((state.as_str(), attempts), ("delivered", 5), "{id}");
    }
    pass_time(&app);
    app.run_jobs_until_idle().await;
    let requests = received(&server, "/in").await;
    let mut delivered: Vec<_> = requests
        .iter()
        .map(|r| header(r, "webhook-id").to_owned())
        .collect();
    delivered.sort();
    assert_eq!(delivered, ids, "each event once");
    let captured: Vec<_> = requests.iter().map(captured).collect();
    for result in verify(&captured, &[secret(1)]) {
        assert_eq!(result["ok"], true, "{result}");
    }
    let (_, ready) = app.get("/readyz").await;
    assert_eq!(ready["backlog"]["events_retrying"], 0, "{ready}");
    assert!(
        app.metrics()
            .await
            .contains("aftercare_event_deliveries_retrying 0")
    );
    app.stop().await;
}
