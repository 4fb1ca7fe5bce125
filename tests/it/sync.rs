//! The WooCommerce REST client, backfill, reconciliation, the webhook watch and the store
//! health API, against a mock WooCommerce that checks every OAuth signature.

use aftercare::ids::{OrderId, StoreId};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aftercare::config::StoreConfig;
use aftercare::secret::Secret;
use aftercare::sync::reconcile::{self, Kind};
use aftercare::sync::webhooks;
use aftercare::woo::{ClientSettings, WooClient, WooError};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use aftercare::woo::client::woo_date;

use super::fake_woo::{API, CONSUMER_KEY, CONSUMER_SECRET, FakeWoo, order, param};
use super::helpers::{
    API_KEY, SECOND_API_KEY, SECOND_SECRET, SECRET, TestApp, assert_error, eventually,
};

fn store(url: &str, consumer_secret: &str) -> StoreConfig {
    StoreConfig {
        id: StoreId::default_store(),
        webhook_secrets: vec![Secret::new(SECRET)],
        api_key: Secret::new(API_KEY),
        url: Some(url.into()),
        consumer_key: Some(Secret::new(CONSUMER_KEY)),
        consumer_secret: Some(Secret::new(consumer_secret)),
    }
}

/// Short backoff so retries do not slow the tests; `Retry-After` still rules when given.
fn fast() -> ClientSettings {
    ClientSettings {
        retry_base: Duration::from_millis(10),
        max_retry_wait: Duration::from_secs(5),
        ..ClientSettings::default()
    }
}

fn client(url: &str) -> WooClient {
    WooClient::new(&store(url, CONSUMER_SECRET), &fast()).unwrap()
}

fn minutes_ago(now: Timestamp, minutes: i64) -> String {
    woo_date(now - SignedDuration::from_mins(minutes))
}

/// The app with the default store's REST API on `woo` and both schedules off (tests call
/// the library), plus top-level settings.
async fn spawn_app(woo: &FakeWoo, top_level: &str) -> TestApp {
    TestApp::spawn_with(&format!(
        "{top_level}\n[sync]\nreconcile_interval_seconds = 0\nwebhook_check_interval_seconds = 0\n{}",
        woo.config_toml()
    ))
    .await
}

fn only_client(app: &TestApp) -> WooClient {
    let clients = reconcile::clients(&app.services.sync);
    assert_eq!(clients.len(), 1, "only the default store has REST keys");
    clients.into_iter().next().unwrap()
}

// ---- the client -----------------------------------------------------------------------------

#[tokio::test]
async fn the_client_reads_every_page_by_x_wp_totalpages() {
    let woo = FakeWoo::start().await;
    woo.add_orders_a_minute_apart(1000, 250, "2026-10-01T00:00:00Z");
    let params = [
        ("orderby", "modified".to_owned()),
        ("order", "asc".to_owned()),
        ("dates_are_gmt", "true".to_owned()),
    ];
    let all: Vec<Value> = client(&woo.url()).get_all("orders", &params).await.unwrap();
    let ids: Vec<u64> = all.iter().map(|o| o["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1000..1250).collect::<Vec<_>>());
    let requests = woo.server.received_requests().await.unwrap();
    let pages: Vec<(String, String)> = requests
        .iter()
        .map(|r| (param(r, "page").unwrap(), param(r, "per_page").unwrap()))
        .collect();
    assert_eq!(
        pages,
        [("1", "100"), ("2", "100"), ("3", "100")].map(|(p, n)| (p.to_owned(), n.to_owned()))
    );
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get("authorization").is_none()),
        "over http the credentials travel as an OAuth signature, never as Basic auth"
    );
}

#[tokio::test]
async fn the_mock_rejects_a_wrong_signature() {
    let woo = FakeWoo::start().await;
    let wrong = WooClient::new(&store(&woo.url(), "cs_not_the_secret"), &fast()).unwrap();
    let error = wrong.list_webhooks().await.unwrap_err();
    match error {
        WooError::Api { status, code, .. } => {
            assert_eq!(status, 401);
            assert_eq!(code, "woocommerce_rest_authentication_error");
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    assert!(client(&woo.url()).list_webhooks().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = MockServer::start().await;
    let too_many = |retry_after: String| {
        ResponseTemplate::new(429)
            .insert_header("Retry-After", retry_after)
            .set_body_json(json!({"code": "too_many_requests", "message": "Slow down.", "data": {"status": 429}}))
    };
    for id in [5, 6] {
        Mock::given(method("GET"))
            .and(path(format!("{API}/orders/{id}")))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(order(id, "2026-11-01T10:00:00")),
            )
            .mount(&server)
            .await;
    }
    let client = client(&server.uri());
    for id in [5, 6] {
        // Delay-seconds for one, an HTTP date (whole seconds, so 1-2 s away) for the other.
        let retry_after = if id == 5 {
            "1".to_owned()
        } else {
            jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&(Timestamp::now() + SignedDuration::from_secs(2)))
                .unwrap()
        };
        Mock::given(method("GET"))
            .and(path(format!("{API}/orders/{id}")))
            .respond_with(too_many(retry_after))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        let started = Instant::now();
        let fetched = client.get_order(id).await.unwrap();
        assert_eq!(fetched.order.id.get(), id);
        // Backoff alone would have waited about 10 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "order {id}: retried after {:?}",
            started.elapsed()
        );
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_500_is_retried_for_reads_but_never_for_a_refund() {
    let server = MockServer::start().await;
    let broken = ResponseTemplate::new(500).set_body_json(json!({
        "code": "internal_server_error", "message": "There has been a critical error on this website.", "data": {"status": 500}
    }));
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/9/refunds")))
        .respond_with(broken.clone())
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/9/refunds")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-WP-TotalPages", "1")
                .set_body_json(json!([{"id": 71, "amount": "10.00", "reason": ""}])),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/orders/9/refunds")))
        .respond_with(broken.clone())
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let refunds = client.list_refunds(OrderId::new(9)).await.unwrap();
    assert_eq!(refunds[0]["id"], 71);

    let error = client
        .create_refund(
            OrderId::new(9),
            &json!({"amount": "10.00", "api_refund": false}),
        )
        .await
        .unwrap_err();
    assert!(
        error.may_have_been_applied(),
        "a 500 after a POST is ambiguous: {error}"
    );
    let requests = server.received_requests().await.unwrap();
    let count = |m: &str| requests.iter().filter(|r| r.method.as_str() == m).count();
    assert_eq!(count("GET"), 2, "the read was retried once");
    assert_eq!(count("POST"), 1, "the refund was not retried");
}

#[tokio::test]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/11")))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let settings = ClientSettings {
        max_retries: 2,
        ..fast()
    };
    let client = WooClient::new(&store(&server.uri(), CONSUMER_SECRET), &settings).unwrap();
    let error = client.get_order(11).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn refunds_coupons_and_single_orders() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/orders/1001")))
        .respond_with(ResponseTemplate::new(200).set_body_json(order(1001, "2026-11-16T06:30:12")))
        .mount(&server)
        .await;
    for page in ["1", "2"] {
        Mock::given(method("GET"))
            .and(path(format!("{API}/orders/1001/refunds")))
            .and(query_param("page", page))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("X-WP-Total", "2")
                    .insert_header("X-WP-TotalPages", "2")
                    .set_body_json(json!([{"id": format!("7{page}").parse::<u64>().unwrap(), "amount": "5.00"}])),
            )
            .mount(&server)
            .await;
    }
    let refund = json!({"amount": "5.00", "reason": "Return #12", "api_refund": false,
                        "line_items": [{"id": 2, "quantity": 1, "refund_total": "5.00"}]});
    Mock::given(method("POST"))
        .and(path(format!("{API}/orders/1001/refunds")))
        .and(body_json(&refund))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 80, "amount": "5.00", "refunded_payment": false})),
        )
        .mount(&server)
        .await;
    let coupon = json!({"code": "credit-12", "discount_type": "fixed_cart", "amount": "5.00", "usage_limit": 1});
    Mock::given(method("POST"))
        .and(path(format!("{API}/coupons")))
        .and(body_json(&coupon))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"id": 90, "code": "credit-12"})),
        )
        .mount(&server)
        .await;
    let client = client(&server.uri());

    let fetched = client.get_order(1001).await.unwrap();
    assert_eq!(fetched.order.id.get(), 1001);
    assert_eq!(fetched.order.total.0.to_string(), "152130");
    assert_eq!(
        serde_json::from_str::<Value>(&fetched.raw).unwrap(),
        fetched.value
    );
    let refunds = client.list_refunds(OrderId::new(1001)).await.unwrap();
    assert_eq!(
        refunds
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [71, 72]
    );
    assert_eq!(
        client
            .create_refund(OrderId::new(1001), &refund)
            .await
            .unwrap()["id"],
        80
    );
    assert_eq!(client.create_coupon(&coupon).await.unwrap()["id"], 90);
    let posts: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .collect();
    assert!(posts.iter().all(|r| {
        r.headers.get("content-type").unwrap() == "application/json"
            && param(r, "oauth_signature").is_some()
    }));
}

// ---- backfill -------------------------------------------------------------------------------

async fn run_cli(dir: &Path, woo_url: &str, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"));
    command
        .env_clear()
        .args(args)
        .env("AFTERCARE_DATA_DIR", dir.join("data"))
        .env("AFTERCARE_CONFIG", dir.join("aftercare.toml"))
        .env("AFTERCARE_STORE_URL", woo_url)
        .env("AFTERCARE_WC_CONSUMER_KEY", CONSUMER_KEY)
        .env("AFTERCARE_WC_CONSUMER_SECRET", CONSUMER_SECRET)
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .env("AFTERCARE_LOG", "warn");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_backfill_resumes_from_its_cursor() {
    let woo = FakeWoo::start().await;
    woo.add_orders_a_minute_apart(5000, 250, "2026-10-01T00:00:00Z");
    // The third request fails hard; without retries the run stops there.
    woo.shop.fail_list_request.store(3, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aftercare.toml"),
        "[woocommerce]\nmax_retries = 0\n",
    )
    .unwrap();
    let args = ["backfill", "--since", "2026-10-01"];

    let first = run_cli(dir.path(), &woo.url(), &args).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&first.stdout),
        String::from_utf8_lossy(&first.stderr),
    );
    assert!(
        !first.status.success(),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains(
            "Backfill of store `default` stopped: fetched 200, accepted 199, duplicate 1"
        ),
        "{stdout}"
    );
    assert!(stderr.contains("WooCommerce answered 500"), "{stderr}");
    assert!(stderr.contains("Run the same command again"), "{stderr}");
    let db_path = dir.path().join("data").join("aftercare.sqlite3");
    let db = rusqlite::Connection::open(&db_path).unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), 199);
    let cursor: (String, bool) = db
        .query_row(
            "SELECT cursor, complete FROM sync_cursors WHERE store_id = 'default' AND walk = 'backfill'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // One second before the last order of the second page (order 198, at 03:18).
    assert_eq!(cursor, ("2026-10-01T03:17:59Z".to_owned(), false));
    drop(db);

    let second = run_cli(dir.path(), &woo.url(), &args).await;
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        stdout
            .contains("complete (resumed): fetched 52, accepted 51, duplicate 1, stale 0; pages 1"),
        "{stdout}"
    );

    let after: Vec<String> = woo
        .list_queries()
        .await
        .into_iter()
        .map(|(after, ..)| after)
        .collect();
    assert_eq!(
        after,
        [
            "2026-09-30T23:59:59", // --since, exclusive
            "2026-10-01T01:38:59", // after page 1 (last order at 01:39)
            "2026-10-01T03:17:59", // after page 2: failed
            "2026-10-01T03:17:59", // the second run starts here, not at the beginning
        ]
    );
    let db = rusqlite::Connection::open(&db_path).unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders"), 250);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE topic = 'rest.backfill' AND outcome = 'accepted'"
        ),
        250
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'issue_invoice'"
        ),
        250,
        "paid orders from the REST API get their invoice through the same outbox"
    );
    assert_eq!(
        count(
            &db,
            "SELECT complete FROM sync_cursors WHERE walk = 'backfill'"
        ),
        1
    );
}

fn triples(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, p)| (a.to_string(), b.to_string(), p.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_edit_second_is_read_page_by_page() {
    // 150 orders modified in the same second, then one more: the walk cannot advance by
    // date inside that second and reads it by page number instead.
    let woo = FakeWoo::start().await;
    for i in 0..150u64 {
        woo.add_order(order(7000 + i, "2026-10-02T08:00:00"));
    }
    woo.add_order(order(7200, "2026-10-02T08:00:05"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aftercare.toml"), "").unwrap();
    let output = run_cli(
        dir.path(),
        &woo.url(),
        &["backfill", "--since", "2026-10-02T07:00:00Z"],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("fetched 251, accepted 151, duplicate 100"),
        "{stdout}"
    );
    assert_eq!(
        woo.list_queries().await,
        triples(&[
            ("2026-10-02T06:59:59", "", "1"),
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "1"), // that second, by page
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "2"),
            ("2026-10-02T08:00:00", "", "1"), // then on by date
        ])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_a_second_starts_over_when_orders_leave_it() {
    let woo = FakeWoo::start().await;
    for i in 0..150u64 {
        woo.add_order(order(7000 + i, "2026-10-02T08:00:00"));
    }
    // While the second is paged, order 7000 is saved again: everything behind it moves up
    // one place, and order 7100 slides onto the page already read.
    woo.shop.before_list_request.lock().unwrap().push((
        3,
        Box::new(|orders: &mut Vec<Value>| {
            let moved = orders.iter_mut().find(|o| o["id"] == 7000).unwrap();
            moved["date_modified_gmt"] = "2026-10-02T08:00:09".into();
        }),
    ));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aftercare.toml"), "").unwrap();
    let output = run_cli(
        dir.path(),
        &woo.url(),
        &["backfill", "--since", "2026-10-02T07:00:00Z"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        woo.list_queries().await,
        triples(&[
            ("2026-10-02T06:59:59", "", "1"),
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "1"),
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "2"), // 149 left: start over
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "1"),
            ("2026-10-02T06:59:59", "2026-10-02T08:00:01", "2"),
            ("2026-10-02T08:00:00", "", "1"),
        ])
    );
    let db = rusqlite::Connection::open(dir.path().join("data").join("aftercare.sqlite3")).unwrap();
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM orders"),
        150,
        "order 7100 was not skipped"
    );
    let moved: String = db
        .query_row(
            "SELECT date_modified FROM orders WHERE order_id = 7000",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(moved, "2026-10-02T08:00:09Z");
}

// ---- reconciliation -------------------------------------------------------------------------

#[tokio::test]
async fn reconciliation_repairs_a_lost_webhook_and_never_regresses_a_newer_one() {
    let woo = FakeWoo::start().await;
    let now = Timestamp::now();
    // A: the store still lists an older version than the webhook already delivered.
    woo.add_order(order(2001, &minutes_ago(now, 120)));
    // B: its webhook was lost.
    woo.add_order(order(2002, &minutes_ago(now, 90)));
    // C: delivered, and unchanged since.
    let c = order(2003, &minutes_ago(now, 180));
    woo.add_order(c.clone());
    let app = spawn_app(&woo, "").await;
    let mut newer = order(2001, &minutes_ago(now, 60));
    newer["status"] = "completed".into();
    for body in [&newer, &c] {
        let (status, _) = app
            .deliver("order.updated", &serde_json::to_vec(body).unwrap())
            .await;
        assert_eq!(status, 200);
    }

    let reports = reconcile::reconcile_now(&app.services.sync, Kind::Incremental).await;
    let report = reports[0].as_ref().unwrap();
    assert_eq!(
        (
            report.tally.fetched,
            report.tally.accepted,
            report.tally.stale,
            report.tally.duplicate
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(report.repaired, 1);

    let db = app.db();
    let a: (String, String) = db
        .query_row(
            "SELECT status, date_modified FROM orders WHERE order_id = 2001",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        a,
        ("completed".to_owned(), format!("{}Z", minutes_ago(now, 60)))
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE topic = 'rest.reconcile' AND order_id = 2002 AND outcome = 'accepted'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE topic LIKE 'rest.%'"
        ),
        1,
        "the stale and the unchanged order were not written"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE order_id = 2002 AND kind = 'issue_invoice'"
        ),
        1
    );

    let metrics = app.metrics().await;
    assert!(
        metrics.contains("aftercare_repaired_orders_total{store=\"default\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "aftercare_rest_orders_total{store=\"default\",walk=\"reconcile\",outcome=\"stale\"} 1"
    ));

    let (status, health) = app.get("/api/v1/store/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["repaired_orders_total"], 1);
    assert_eq!(health["repaired_orders_last_run"], 1);
    assert!(health["last_reconciliation_at"].is_string());
    assert!(health["last_delivery_at"].is_string());
    assert!(
        health["webhooks_checked_at"].is_string(),
        "a repair makes the webhooks be checked at once: {health}"
    );
    let problems = health["problems"].to_string();
    assert!(
        problems.contains("repaired 1 order that webhooks had missed"),
        "{problems}"
    );
    assert!(
        problems.contains("No order.created webhook delivers to aftercare"),
        "{problems}"
    );

    // The next run starts near the newest modification it saw (B), minus the overlap.
    let report = reconcile::reconcile_now(&app.services.sync, Kind::Incremental).await;
    let report = report[0].as_ref().unwrap();
    assert_eq!(
        (
            report.tally.fetched,
            report.tally.duplicate,
            report.repaired
        ),
        (1, 1, 0)
    );
    let queries = woo.list_queries().await;
    assert_eq!(queries.last().unwrap().0, minutes_ago(now, 100));
    app.stop().await;
}

#[tokio::test]
async fn the_full_sweep_finds_meta_only_changes_and_missed_trashing() {
    let woo = FakeWoo::start().await;
    let now = Timestamp::now();
    let five_days = minutes_ago(now, 5 * 24 * 60);
    // D: tracking was added without moving date_modified (legacy post storage).
    let delivered = order(3001, &five_days);
    let mut tracked = delivered.clone();
    tracked["meta_data"] = json!([{"id": 901, "key": "_wc_shipment_tracking_items", "value": [
        {"tracking_provider": "ups", "tracking_number": "1Z999", "date_shipped": "1764000000", "tracking_id": "abc"}
    ]}]);
    woo.add_order(tracked);
    // E: trashed in WooCommerce; the order.deleted webhook never came.
    let e = order(3002, &minutes_ago(now, 4 * 24 * 60));
    let mut trashed = order(3002, &minutes_ago(now, 3 * 24 * 60));
    trashed["status"] = "trash".into();
    woo.add_order(trashed);
    let app = spawn_app(&woo, "").await;
    for body in [&delivered, &e] {
        let (status, _) = app
            .deliver("order.updated", &serde_json::to_vec(body).unwrap())
            .await;
        assert_eq!(status, 200);
    }

    let incremental = reconcile::reconcile_now(&app.services.sync, Kind::Incremental).await;
    assert_eq!(
        incremental[0].as_ref().unwrap().repaired,
        0,
        "both are older than a day"
    );

    let full = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    let full = full[0].as_ref().unwrap();
    assert_eq!((full.repaired, full.tally.accepted), (2, 2));
    let db = app.db();
    let raw: String = db
        .query_row("SELECT raw FROM orders WHERE order_id = 3001", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(raw.contains("1Z999"));
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE order_id = 3002 AND trashed_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE topic = 'rest.sweep'"
        ),
        2
    );
    let trash_walks = woo
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| param(r, "status").as_deref() == Some("trash"))
        .count();
    assert_eq!(trash_walks, 1);

    let again = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    assert_eq!(
        again[0].as_ref().unwrap().repaired,
        0,
        "nothing left to repair"
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(health["last_full_sweep_at"].is_string());
    assert_eq!(health["repaired_orders_total"], 2);
    assert_eq!(health["repaired_orders_last_run"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_failed_sweep_is_reported_and_continues_from_its_cursor() {
    let woo = FakeWoo::start().await;
    woo.add_orders_a_minute_apart(6000, 150, "2026-06-01T00:00:00Z");
    woo.shop.fail_list_request.store(2, Ordering::SeqCst);
    let app = spawn_app(&woo, "[woocommerce]\nmax_retries = 0").await;

    let failed = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    assert!(
        matches!(&failed[0], Err(e) if e.to_string().contains("500")),
        "{failed:?}"
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(health["last_full_sweep_at"].is_null());
    assert!(
        health["problems"]
            .to_string()
            .contains("The last reconciliation failed at"),
        "{health}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM orders"),
        100,
        "the first page is in"
    );

    let done = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    let done = done[0].as_ref().unwrap();
    assert_eq!((done.tally.fetched, done.tally.accepted), (51, 50));
    let queries: Vec<String> = woo
        .list_queries()
        .await
        .into_iter()
        .map(|(after, ..)| after)
        .collect();
    assert_eq!(
        queries,
        [
            "1970-01-01T00:00:00", // every order
            "2026-06-01T01:38:59", // failed
            "2026-06-01T01:38:59", // the next sweep continues here
            "1970-01-01T00:00:00", // then the trash
        ]
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(health["last_full_sweep_at"].is_string());
    assert!(
        !health["problems"].to_string().contains("failed"),
        "{health}"
    );
    app.stop().await;
}

#[tokio::test]
async fn serve_reconciles_and_checks_webhooks_on_its_own() {
    let woo = FakeWoo::start().await;
    woo.add_order(order(4001, &minutes_ago(Timestamp::now(), 30)));
    let app = TestApp::spawn_with(&format!(
        "[sync]\nreconcile_interval_seconds = 1\n{}",
        woo.config_toml()
    ))
    .await;
    eventually("a reconciliation", Duration::from_secs(30), || async {
        let (_, health) = app.get("/api/v1/store/health").await;
        health["repaired_orders_total"] == 1 && health["webhooks_checked_at"].is_string()
    })
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM orders WHERE order_id = 4001"),
        1
    );
    // Shutdown stops the reconciler too.
    app.stop().await;
}

// ---- webhooks -------------------------------------------------------------------------------

const PUBLIC: &str = "https://aftercare.example";
const OUR_URL: &str = "https://aftercare.example/webhooks/woocommerce";

#[tokio::test]
async fn connect_creates_reenables_repoints_and_deduplicates() {
    let woo = FakeWoo::start().await;
    woo.add_webhook(1, "order.created", "active", OUR_URL, "Order created");
    woo.add_webhook(
        2,
        "order.created",
        "active",
        "https://hooks.zapier.example/1",
        "Zapier",
    );
    woo.add_webhook(
        3,
        "order.created",
        "disabled",
        OUR_URL,
        "aftercare order.created",
    );
    woo.add_webhook(4, "order.updated", "disabled", OUR_URL, "Order updated");
    woo.add_webhook(
        5,
        "order.deleted",
        "paused",
        "https://old.example/webhooks/woocommerce",
        "aftercare order.deleted",
    );
    let app = spawn_app(&woo, &format!("public_url = \"{PUBLIC}\"")).await;
    let client = only_client(&app);

    let report = webhooks::connect(&app.services.sync, &client, OUR_URL)
        .await
        .unwrap();
    assert_eq!(report.failures, 0, "{:#?}", report.lines);
    let lines = report.lines.join("\n");
    for expected in [
        "updated order.created   webhook #1: secret set",
        "deleted order.created   webhook #3 (a duplicate delivering to https://aftercare.example/webhooks/woocommerce)",
        "updated order.updated   webhook #4: re-activated (was disabled), secret set",
        "updated order.deleted   webhook #5: re-activated (was paused), delivery URL changed from https://old.example/webhooks/woocommerce, secret set",
        "created order.restored  webhook #100 -> https://aftercare.example/webhooks/woocommerce",
        "left    order.created   webhook #2 (not aftercare's: delivers to https://hooks.zapier.example/1)",
    ] {
        assert!(
            lines.contains(expected),
            "missing `{expected}` in:\n{lines}"
        );
    }

    let hooks = woo.webhooks();
    let ids: Vec<u64> = hooks.iter().map(|h| h["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 4, 5, 100]);
    for hook in hooks.iter().filter(|h| h["id"] != 2) {
        assert_eq!(hook["status"], "active", "{hook}");
        assert_eq!(hook["delivery_url"], OUR_URL, "{hook}");
        assert_eq!(hook["secret"], SECRET, "{hook}");
    }
    assert_eq!(hooks[4]["topic"], "order.restored");
    assert_eq!(hooks[4]["name"], "aftercare order.restored");
    let zapier = &hooks[1];
    assert_eq!(
        (
            &zapier["status"],
            &zapier["delivery_url"],
            &zapier["secret"]
        ),
        (
            &json!("active"),
            &json!("https://hooks.zapier.example/1"),
            &json!("old-secret-2")
        ),
        "another tool's webhook is left alone"
    );

    let (_, health) = app.get("/api/v1/store/health").await;
    let states = health["webhooks"].as_array().unwrap();
    assert_eq!(states.len(), 4, "{health}");
    assert!(states.iter().all(|w| w["ok"] == true), "{health}");
    assert_eq!(
        states[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["delivery_url", "id", "ok", "status", "topic"]
    );
    assert!(
        !health["problems"].to_string().contains(" webhook ("),
        "{health}"
    );

    // Running it again changes nothing but re-setting the secrets.
    let again = webhooks::connect(&app.services.sync, &client, OUR_URL)
        .await
        .unwrap();
    assert_eq!(woo.webhooks().len(), 5);
    assert!(
        again
            .lines
            .iter()
            .all(|l| l.starts_with("updated") && l.ends_with(": secret set")
                || l.starts_with("left")),
        "{:#?}",
        again.lines
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_connect_command_prints_what_it_did() {
    let woo = FakeWoo::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("aftercare.toml"), "").unwrap();
    let without_url = run_cli(dir.path(), &woo.url(), &["connect"]).await;
    assert!(!without_url.status.success());
    assert!(String::from_utf8_lossy(&without_url.stderr).contains("--public-url"));
    assert!(woo.webhooks().is_empty(), "nothing happens without a URL");

    let output = run_cli(dir.path(), &woo.url(), &["connect", "--public-url", PUBLIC]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with(&format!("Store `default`, delivery URL {OUR_URL}\n")),
        "{stdout}"
    );
    assert_eq!(stdout.matches("  created order.").count(), 4, "{stdout}");
    assert!(
        stdout.contains("4 of 4 order webhooks are active and deliver to aftercare."),
        "{stdout}"
    );
    assert!(
        woo.webhooks()
            .iter()
            .all(|h| h["secret"] == SECRET && h["delivery_url"] == OUR_URL)
    );
    let db = rusqlite::Connection::open(dir.path().join("data").join("aftercare.sqlite3")).unwrap();
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM woo_webhooks WHERE ok = 1"),
        4,
        "recorded for the health report"
    );
}

#[tokio::test]
async fn serve_reactivates_disabled_webhooks_but_leaves_paused_ones() {
    let woo = FakeWoo::start().await;
    woo.add_webhook(1, "order.created", "disabled", OUR_URL, "Order created");
    woo.add_webhook(2, "order.updated", "paused", OUR_URL, "Order updated");
    woo.add_webhook(3, "order.deleted", "active", OUR_URL, "Order deleted");
    woo.add_webhook(
        4,
        "order.restored",
        "disabled",
        "https://elsewhere.example/hook",
        "Someone's",
    );
    // Without a public URL, aftercare's webhooks are recognised by their path.
    let app = spawn_app(&woo, "").await;
    webhooks::check_and_record(&app.services.sync, &only_client(&app)).await;

    let hooks = woo.webhooks();
    assert_eq!(hooks[0]["status"], "active", "re-activated");
    assert_eq!(
        hooks[0]["secret"], "old-secret-1",
        "a check never writes secrets"
    );
    assert_eq!(hooks[1]["status"], "paused", "an administrator paused it");
    assert_eq!(hooks[3]["status"], "disabled", "not aftercare's");

    let (_, health) = app.get("/api/v1/store/health").await;
    let ok: Vec<(u64, bool)> = health["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["id"].as_u64().unwrap(), w["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(ok, [(1, true), (3, true), (2, false)]);
    let problems = health["problems"].to_string();
    assert!(
        problems.contains("The order.updated webhook (#2) is paused in WooCommerce."),
        "{problems}"
    );
    assert!(
        problems.contains("No order.restored webhook delivers to aftercare"),
        "{problems}"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("aftercare_webhook_topics_ok{store=\"default\"} 2"),
        "{metrics}"
    );
    app.stop().await;
}

// ---- the store API --------------------------------------------------------------------------

#[tokio::test]
async fn store_health_and_connection_belong_to_the_key_holder() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/api/v1/store/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, body) = app.get_as("/api/v1/store/connection", "not-a-key").await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_api_key");

    let (status, health) = app.get("/api/v1/store/health").await;
    assert_eq!(status, 200);
    let keys: Vec<&String> = health.as_object().unwrap().keys().collect();
    // The connection's keys, and the tracking feeds' accounts beside them.
    assert_eq!(
        keys,
        [
            "feeds",
            "last_delivery_at",
            "last_full_sweep_at",
            "last_reconciliation_at",
            "problems",
            "repaired_orders_last_run",
            "repaired_orders_total",
            "rest_configured",
            "store",
            "timezone",
            "version",
            "webhooks",
            "webhooks_checked_at"
        ]
    );
    assert_eq!(health["store"], "default");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        health["feeds"],
        serde_json::json!([]),
        "no tracking provider configured"
    );
    assert_eq!(health["rest_configured"], false);
    assert_eq!(health["repaired_orders_total"], 0);
    for key in [
        "last_delivery_at",
        "last_reconciliation_at",
        "repaired_orders_last_run",
        "webhooks_checked_at",
    ] {
        assert!(health[key].is_null(), "{key}: {health}");
    }
    let problems = health["problems"].to_string();
    assert!(
        problems.contains("REST API keys are not configured"),
        "{problems}"
    );
    assert!(
        problems.contains("No webhook delivery has arrived yet"),
        "{problems}"
    );

    let (status, _) = app
        .deliver(
            "order.created",
            &super::helpers::fixture("orders/registered-krw.json"),
        )
        .await;
    assert_eq!(status, 200);
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(health["last_delivery_at"].as_str().unwrap().ends_with('Z'));
    assert!(
        !health["problems"]
            .to_string()
            .contains("No webhook delivery")
    );

    let (_, second) = app.get_as("/api/v1/store/health", SECOND_API_KEY).await;
    assert_eq!(second["store"], "second");
    assert!(
        second["last_delivery_at"].is_null(),
        "deliveries do not cross stores"
    );

    let (status, connection) = app.get("/api/v1/store/connection").await;
    assert_eq!(status, 200);
    assert_eq!(
        connection,
        json!({
            "store": "default",
            "version": env!("CARGO_PKG_VERSION"),
            "webhook_path": "/webhooks/woocommerce",
            // The URL the start-up banner prints (no public URL: the listen address).
            "webhook_url": app.url("/webhooks/woocommerce"),
            "webhook_url_public": false,
            "webhook_secret": SECRET,
            "topics": ["order.created", "order.updated", "order.deleted", "order.restored"],
        })
    );
    let (_, second) = app.get_as("/api/v1/store/connection", SECOND_API_KEY).await;
    assert_eq!(second["webhook_path"], "/webhooks/woocommerce/second");
    assert_eq!(second["webhook_secret"], SECOND_SECRET);
    app.stop().await;
}
