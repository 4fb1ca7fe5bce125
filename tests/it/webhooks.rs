//! Every rule of `POST /webhooks/woocommerce`, observed through the real SQLite file.

use crate::helpers::*;

const NOTHING_STORED: &str = "SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM deliveries) + (SELECT COUNT(*) FROM line_items)";

fn order_field(app: &TestApp, store: &str, id: i64, column: &str) -> Option<String> {
    app.db()
        .query_row(
            &format!("SELECT {column} FROM orders WHERE store_id = ?1 AND order_id = ?2"),
            (store, id),
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn creation_ping_is_acknowledged_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/webhooks/woocommerce"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(fixture("webhooks/ping.txt"))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ignored");
    assert_eq!(app.count(NOTHING_STORED), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_full_order_is_mirrored_with_typed_columns_and_raw_bytes() {
    let app = TestApp::spawn().await;
    let body = fixture("orders/registered-krw.json");
    let (status, json) = app.deliver("order.created", &body).await;
    assert_eq!((status, &json["status"]), (200, &"accepted".into()));

    let db = app.db();
    let row: (
        String,
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
    ) = db
        .query_row(
            "SELECT status, customer_id, billing_email, currency, total, discount_total,
                    date_modified, date_paid, is_draft
             FROM orders WHERE store_id = 'default' AND order_id = 1001",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(row.0, "processing");
    assert_eq!(row.1, 42);
    assert_eq!(row.2, "minji.kim@example.com");
    assert_eq!(row.3, "KRW");
    assert_eq!(row.4, "152130");
    assert_eq!(row.5, "14700");
    assert_eq!(row.6, "2026-11-16T06:30:12Z");
    assert_eq!(row.7.as_deref(), Some("2026-11-14T01:12:41Z"));
    assert_eq!(row.8, 0);

    // The raw JSON is the exact bytes received, escapes and all.
    let raw: String = db
        .query_row("SELECT raw FROM orders WHERE order_id = 1001", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(raw.as_bytes(), &body[..]);
    assert!(raw.contains("\\/") && raw.contains("\\u"));

    // Line items, including the variation's attributes and a Korean name.
    let items: Vec<(i64, String, i64, String)> = db
        .prepare("SELECT variation_id, name, quantity, meta FROM line_items WHERE order_id = 1001 ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(items.len(), 3);
    let variation = items.iter().find(|i| i.0 != 0).expect("a variation line");
    assert!(
        variation.3.contains("pa_"),
        "variation attributes kept: {}",
        variation.3
    );
    assert!(
        items
            .iter()
            .any(|i| i.1.chars().any(|c| ('가'..='힣').contains(&c)))
    );

    // The delivery log has the hash, not the body.
    let (outcome, topic, webhook_id, hash): (String, String, i64, Vec<u8>) = db
        .query_row(
            "SELECT outcome, topic, webhook_id, body_sha256 FROM deliveries",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (outcome.as_str(), topic.as_str(), webhook_id),
        ("accepted", "order.created", 16)
    );
    assert_eq!(hash.len(), 32);
    app.stop().await;
}

#[tokio::test]
async fn every_rejection_stores_nothing() {
    let app = TestApp::spawn_with("[webhooks]\nmax_body_bytes = 16384").await;
    let path = "/webhooks/woocommerce";
    let order = fixture("orders/guest-usd.json");

    // No signature.
    let response = app
        .client
        .post(app.url(path))
        .header("x-wc-webhook-topic", "order.updated")
        .body(order.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 401);
    assert_error(&body, "missing_signature");

    // Wrong secret; another store's secret; a signature of other bytes.
    for secret in ["not-the-secret", SECOND_SECRET] {
        let (status, body) = read(
            app.deliver_signed(path, "order.updated", &order, secret)
                .await,
        )
        .await;
        assert_eq!(status, 401);
        assert_error(&body, "invalid_signature");
    }
    let response = app
        .client
        .post(app.url(path))
        .header("x-wc-webhook-topic", "order.updated")
        .header(
            "x-wc-webhook-signature",
            aftercare::webhook::signature::sign(b"{}", SECRET),
        )
        .body(order.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // Signed but broken: invalid JSON, invalid UTF-8, wrong field types, missing fields.
    let cases: [(&[u8], &str); 5] = [
        (b"{\"id\": 1001,", "invalid_json"),
        (b"{\"id\": 1001, \"status\": \"\xff\xfe\"}", "invalid_utf8"),
        (
            br#"{"id": "1001", "status": "processing"}"#,
            "invalid_payload",
        ),
        (br#"[1, 2, 3]"#, "invalid_payload"),
        (br#"{"id": 1001}"#, "invalid_payload"),
    ];
    for (bad, code) in cases {
        let (status, body) = app.deliver("order.updated", bad).await;
        assert_eq!(status, 400, "{code}: {body}");
        assert_error(&body, code);
    }
    // A total of the wrong type in an otherwise genuine order.
    let mut wrong: serde_json::Value = serde_json::from_slice(&order).unwrap();
    wrong["total"] = true.into();
    let (status, body) = app
        .deliver("order.updated", &serde_json::to_vec(&wrong).unwrap())
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_payload");

    // Signed, but no topic header.
    let response = app
        .client
        .post(app.url(path))
        .header(
            "x-wc-webhook-signature",
            aftercare::webhook::signature::sign(&order, SECRET),
        )
        .body(order.clone())
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 400);
    assert_error(&body, "missing_topic");

    // Over the configured body limit, signed or not.
    let big = vec![b' '; 20_000];
    let (status, body) = app.deliver("order.updated", &big).await;
    assert_eq!(status, 413);
    assert_error(&body, "payload_too_large");

    // An unknown store.
    let (status, body) = read(
        app.deliver_signed(
            "/webhooks/woocommerce/nope",
            "order.updated",
            &order,
            SECRET,
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    assert_error(&body, "unknown_store");

    assert_eq!(app.count(NOTHING_STORED), 0);

    // Rejections are counted.
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(
            r#"aftercare_webhook_deliveries_total{store="default",outcome="unauthorized"} 4"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"outcome="too_large"} 1"#), "{metrics}");
    app.stop().await;
}

#[tokio::test]
async fn both_rotation_secrets_are_accepted() {
    let app = TestApp::spawn().await;
    let body = fixture("orders/guest-usd.json");
    let (status, _) = read(
        app.deliver_signed("/webhooks/woocommerce", "order.created", &body, OLD_SECRET)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    let updated = fixture("orders/pending-eur.json");
    let (status, _) = app.deliver("order.created", &updated).await;
    assert_eq!(status, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders"), 2);
    app.stop().await;
}

#[tokio::test]
async fn an_update_writes_only_the_lines_that_changed() {
    let app = TestApp::spawn().await;
    let (_, first) = app
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(first["status"], "accepted");
    // Every write to a mirrored line from here on, as the database sees it.
    let watcher = rusqlite::Connection::open(app.db_path()).unwrap();
    watcher
        .busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    watcher
        .execute_batch(
            "CREATE TABLE line_writes (what TEXT, line INTEGER);
             CREATE TRIGGER lw_in AFTER INSERT ON line_items
                 BEGIN INSERT INTO line_writes VALUES ('insert', NEW.line_item_id); END;
             CREATE TRIGGER lw_up AFTER UPDATE ON line_items
                 BEGIN INSERT INTO line_writes VALUES ('update', NEW.line_item_id); END;
             CREATE TRIGGER lw_out AFTER DELETE ON line_items
                 BEGIN INSERT INTO line_writes VALUES ('delete', OLD.line_item_id); END;",
        )
        .unwrap();
    let mut order: serde_json::Value =
        serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["date_modified_gmt"] = "2026-11-16T07:00:00".into();
    order["status"] = "completed".into();
    let lines = order["line_items"].as_array_mut().unwrap();
    lines[1]["quantity"] = 3.into(); // 202 changes
    lines.remove(2); // 203 goes
    let mut added = lines[0].clone();
    added["id"] = 204.into();
    added["name"] = "새 상품".into();
    lines.push(added);
    let (_, update) = app
        .deliver("order.updated", &serde_json::to_vec(&order).unwrap())
        .await;
    assert_eq!(update["status"], "accepted");

    let db = app.db();
    let mut writes: Vec<(String, i64)> = db
        .prepare("SELECT what, line FROM line_writes")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    writes.sort();
    assert_eq!(
        writes,
        [
            ("delete".to_owned(), 203),
            ("insert".to_owned(), 204),
            ("update".to_owned(), 202)
        ],
        "line 201 did not change and was not written"
    );
    let mirrored: Vec<(i64, i64, i64, String)> = db
        .prepare(
            "SELECT line_item_id, position, quantity, name FROM line_items
             WHERE order_id = 1001 ORDER BY position",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let ids: Vec<(i64, i64, i64)> = mirrored.iter().map(|m| (m.0, m.1, m.2)).collect();
    assert_eq!(ids, [(201, 0, 1), (202, 1, 3), (204, 2, 1)]);
    assert_eq!(mirrored[2].3, "새 상품");
    app.stop().await;
}

#[tokio::test]
async fn an_update_that_moves_the_order_to_another_customer_moves_it_in_every_index() {
    let app = TestApp::spawn().await;
    let mut order: serde_json::Value =
        serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    let (_, first) = app
        .deliver("order.created", &serde_json::to_vec(&order).unwrap())
        .await;
    assert_eq!(first["status"], "accepted");
    // A status change alone, then the shop reassigns the order and corrects its date.
    for (modified, customer, created) in [
        ("2026-11-16T07:00:00", 42, None),
        ("2026-11-16T08:00:00", 77, Some("2026-11-13T23:00:00")),
    ] {
        order["date_modified_gmt"] = modified.into();
        order["customer_id"] = customer.into();
        if let Some(created) = created {
            order["date_created_gmt"] = created.into();
        }
        let (_, update) = app
            .deliver("order.updated", &serde_json::to_vec(&order).unwrap())
            .await;
        assert_eq!(update["status"], "accepted");
    }
    let db = app.db();
    let by_customer = |customer: i64| -> Vec<i64> {
        db.prepare(
            "SELECT order_id FROM orders INDEXED BY orders_by_customer
             WHERE store_id = 'default' AND customer_id = ?1",
        )
        .unwrap()
        .query_map([customer], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert_eq!(by_customer(77), [1001]);
    assert!(by_customer(42).is_empty());
    let created: Vec<String> = db
        .prepare(
            "SELECT date_created FROM orders INDEXED BY orders_by_created
             WHERE store_id = 'default' AND date_created > '2026-11-13'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(created, ["2026-11-13T23:00:00Z"]);
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    app.stop().await;
}

#[tokio::test]
async fn out_of_order_deliveries_keep_the_newest() {
    let app = TestApp::spawn().await;
    let newer = fixture("orders/registered-krw.updated.json");
    let older = fixture("orders/registered-krw.json");
    let (_, first) = app.deliver("order.updated", &newer).await;
    assert_eq!(first["status"], "accepted");
    let (status, late) = app.deliver("order.created", &older).await;
    assert_eq!((status, &late["status"]), (200, &"stale".into()));
    assert_eq!(
        order_field(&app, "default", 1001, "status").as_deref(),
        Some("completed")
    );
    assert_eq!(
        order_field(&app, "default", 1001, "date_completed").as_deref(),
        Some("2026-11-16T06:40:12Z")
    );
    app.stop().await;
}

#[tokio::test]
async fn duplicates_are_no_ops_and_delivery_id_is_not_a_key() {
    let app = TestApp::spawn().await;
    let body = fixture("orders/registered-krw.json");
    assert_eq!(
        app.deliver("order.created", &body).await.1["status"],
        "accepted"
    );
    let mirrored_at = order_field(&app, "default", 1001, "mirrored_at");
    assert_eq!(
        app.deliver("order.updated", &body).await.1["status"],
        "duplicate"
    );
    assert_eq!(
        order_field(&app, "default", 1001, "mirrored_at"),
        mirrored_at
    );

    // Same Delivery-ID header (the helper always sends one), different body: both count.
    let newer = fixture("orders/registered-krw.updated.json");
    assert_eq!(
        app.deliver("order.updated", &newer).await.1["status"],
        "accepted"
    );
    // Same date_modified but different content (a meta-only save): newer-or-equal wins.
    let mut same_time: serde_json::Value = serde_json::from_slice(&newer).unwrap();
    same_time["customer_note"] = "changed".into();
    let same_time = serde_json::to_vec(&same_time).unwrap();
    assert_eq!(
        app.deliver("order.updated", &same_time).await.1["status"],
        "accepted"
    );
    let outcomes: Vec<String> = app
        .db()
        .prepare("SELECT outcome FROM deliveries ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(outcomes, ["accepted", "duplicate", "accepted", "accepted"]);
    app.stop().await;
}

#[tokio::test]
async fn delete_marks_trashed_and_restore_brings_back() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let (status, json) = app
        .deliver("order.deleted", &fixture("orders/deleted-1001.json"))
        .await;
    assert_eq!((status, &json["status"]), (200, &"accepted".into()));
    assert!(order_field(&app, "default", 1001, "trashed_at").is_some());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM line_items WHERE order_id = 1001"),
        3,
        "never erased"
    );

    // A late order.updated carrying the pre-trash state does not resurrect it.
    let (_, json) = app
        .deliver("order.updated", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(json["status"], "duplicate");
    assert!(order_field(&app, "default", 1001, "trashed_at").is_some());

    let (_, json) = app
        .deliver(
            "order.restored",
            &fixture("orders/registered-krw.updated.json"),
        )
        .await;
    assert_eq!(json["status"], "accepted");
    assert_eq!(order_field(&app, "default", 1001, "trashed_at"), None);
    assert_eq!(
        order_field(&app, "default", 1001, "status").as_deref(),
        Some("completed")
    );

    // Deleting an order never mirrored is acknowledged and logged.
    let (status, json) = app.deliver("order.deleted", br#"{"id":999999}"#).await;
    assert_eq!((status, &json["status"]), (200, &"ignored".into()));
    app.stop().await;
}

#[tokio::test]
async fn a_delete_delivered_before_the_create_keeps_the_order_in_the_trash() {
    let app = TestApp::spawn().await;
    // WooCommerce does not keep delivery order: the deletion arrives first.
    let (status, json) = app
        .deliver("order.deleted", &fixture("orders/deleted-1001.json"))
        .await;
    assert_eq!((status, &json["status"]), (200, &"ignored".into()));
    assert_eq!(app.count("SELECT COUNT(*) FROM orders"), 0);

    let (_, json) = app
        .deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    assert_eq!(json["status"], "accepted");
    assert!(
        order_field(&app, "default", 1001, "trashed_at").is_some(),
        "the late create must not bring a deleted order back"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM order_tombstones"), 0);

    // A restore is what brings it back.
    let (_, json) = app
        .deliver(
            "order.restored",
            &fixture("orders/registered-krw.updated.json"),
        )
        .await;
    assert_eq!(json["status"], "accepted");
    assert_eq!(order_field(&app, "default", 1001, "trashed_at"), None);
    app.stop().await;
}

#[tokio::test]
async fn error_objects_are_logged_not_mirrored() {
    let app = TestApp::spawn().await;
    for (file, code) in [
        (
            "orders/error-invalid-id.json",
            "woocommerce_rest_shop_order_invalid_id",
        ),
        (
            "orders/error-cannot-view.json",
            "woocommerce_rest_cannot_view",
        ),
    ] {
        let (status, json) = app.deliver("order.updated", &fixture(file)).await;
        assert_eq!((status, &json["status"]), (200, &"ignored".into()));
        let logged: i64 = app.db().query_row(
            "SELECT COUNT(*) FROM deliveries WHERE outcome = 'error_payload' AND error_code = ?1",
            [code],
            |r| r.get(0),
        ).unwrap();
        assert_eq!(logged, 1, "{code}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM orders"), 0);
    app.stop().await;
}

#[tokio::test]
async fn other_topics_are_ignored_and_drafts_flagged() {
    let app = TestApp::spawn().await;
    let (status, json) = app
        .deliver("product.updated", br#"{"id":5,"name":"x"}"#)
        .await;
    assert_eq!((status, &json["status"]), (200, &"ignored".into()));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM deliveries WHERE outcome = 'ignored_topic'"),
        1
    );

    let (_, json) = app
        .deliver("order.created", &fixture("orders/checkout-draft.json"))
        .await;
    assert_eq!(json["status"], "accepted");
    let draft: i64 = app
        .db()
        .query_row(
            "SELECT is_draft FROM orders WHERE order_id = 1003",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(draft, 1);
    app.stop().await;
}

#[tokio::test]
async fn two_stores_with_the_same_order_id_never_collide() {
    let app = TestApp::spawn().await;
    let krw = fixture("orders/registered-krw.json");
    let mut other: serde_json::Value =
        serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    other["id"] = 1001.into();
    let other = serde_json::to_vec(&other).unwrap();

    assert_eq!(
        app.deliver("order.created", &krw).await.1["status"],
        "accepted"
    );
    let (status, json) = read(
        app.deliver_signed(
            "/webhooks/woocommerce/second",
            "order.created",
            &other,
            SECOND_SECRET,
        )
        .await,
    )
    .await;
    assert_eq!((status, &json["status"]), (200, &"accepted".into()));
    // The default store's secret does not open the second store.
    let (status, _) = read(
        app.deliver_signed(
            "/webhooks/woocommerce/second",
            "order.created",
            &other,
            SECRET,
        )
        .await,
    )
    .await;
    assert_eq!(status, 401);

    assert_eq!(
        order_field(&app, "default", 1001, "currency").as_deref(),
        Some("KRW")
    );
    assert_eq!(
        order_field(&app, SECOND_STORE, 1001, "currency").as_deref(),
        Some("USD")
    );
    read(
        app.deliver_signed(
            "/webhooks/woocommerce/second",
            "order.deleted",
            br#"{"id":1001}"#,
            SECOND_SECRET,
        )
        .await,
    )
    .await;
    assert!(order_field(&app, SECOND_STORE, 1001, "trashed_at").is_some());
    assert_eq!(order_field(&app, "default", 1001, "trashed_at"), None);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_deliveries_are_all_committed() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for id in 0..200u64 {
        let client = app.client.clone();
        let url = app.url("/webhooks/woocommerce");
        tasks.push(tokio::spawn(async move {
            let body = order_body(10_000 + id, id % 7, "2026-11-20T10:00:00");
            client
                .post(url)
                .header("x-wc-webhook-topic", "order.updated")
                .header(
                    "x-wc-webhook-signature",
                    aftercare::webhook::signature::sign(&body, SECRET),
                )
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM orders"), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM line_items"), 600);
    app.stop().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let (status, health) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    // The commit this checkout is at, as `git` tells it.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(
        health["build"],
        String::from_utf8(head.stdout).unwrap().trim(),
        "{health}"
    );
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.deliver("order.created", &fixture("orders/guest-usd.json"))
        .await;
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(
            r#"aftercare_webhook_deliveries_total{store="default",outcome="accepted"} 1"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("aftercare_webhook_ingest_seconds_count 1"),
        "{metrics}"
    );
    let (status, body) = read(app.client.get(app.url("/nope")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_error(&body, "not_found");
    app.stop().await;
}
