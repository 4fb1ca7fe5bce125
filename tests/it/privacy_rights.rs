//! The customer's rights through the API the plugin's privacy tools call: the export
//! gathers everything held for an address, the erasure anonymises it in one transaction
//! (photos deleted from disk, issued invoices kept and reported), asking again changes
//! nothing, hostile input changes nothing; and the retention period anonymises old orders
//! by itself. Real router, real SQLite file, real photo files.

use std::path::Path;

use aftercare::woo::client::woo_date;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::helpers::*;

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";

/// Customer 42's Korean order as order `id`, completed yesterday (returnable), billed to
/// `email`.
fn order(id: u64, customer: u64, email: &str) -> Vec<u8> {
    let mut order: Value =
        serde_json::from_slice(&fixture("orders/registered-krw.updated.json")).unwrap();
    let at = woo_date(Timestamp::now() - SignedDuration::from_hours(24));
    order["id"] = id.into();
    order["number"] = format!("P-{id}").into();
    order["customer_id"] = customer.into();
    order["order_key"] = format!("wc_order_key{id}").into();
    order["billing"]["email"] = email.into();
    order["refunds"] = json!([]);
    order["status"] = "completed".into();
    order["date_completed_gmt"] = at.clone().into();
    order["date_modified_gmt"] = at.into();
    serde_json::to_vec(&order).unwrap()
}

/// Someone else entirely: a guest in Boston.
fn other_order(id: u64) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["order_key"] = format!("wc_order_other{id}").into();
    serde_json::to_vec(&order).unwrap()
}

fn form(request: &Value) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "request",
            reqwest::multipart::Part::text(request.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "photos",
            reqwest::multipart::Part::bytes(PNG.to_vec())
                .file_name("photo.png")
                .mime_str("image/png")
                .unwrap(),
        )
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

/// Photo files kept under the data dir (staging excluded).
fn photo_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".staging") {
                continue;
            }
            if path.is_dir() {
                walk(&path, into);
            } else {
                into.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for folder in ["returns", "support"] {
        walk(&app.dir.path().join("data").join(folder), &mut files);
    }
    files
}

/// Every text value in every table, with where it is.
fn every_text(app: &TestApp) -> Vec<(String, String)> {
    let db = app.db();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let mut stmt = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns: Vec<String> = stmt.column_names().iter().map(|c| c.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, column) in columns.iter().enumerate() {
                if let Ok(rusqlite::types::ValueRef::Text(text)) = row.get_ref(i) {
                    found.push((
                        format!("{table}.{column}"),
                        String::from_utf8_lossy(text).into_owned(),
                    ));
                }
            }
        }
    }
    found
}

fn group<'a>(export: &'a Value, id: &str) -> &'a Vec<Value> {
    export["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_id"] == id)
        .unwrap_or_else(|| panic!("no group {id} in {export}"))["items"]
        .as_array()
        .unwrap()
}

fn value<'a>(item: &'a Value, key: &str) -> &'a str {
    item["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .and_then(|f| f["value"].as_str())
        .unwrap_or_else(|| panic!("no {key} in {item}"))
}

/// What a customer leaves behind in every corner of aftercare: two orders (one under an
/// older address), a return and a request with photos, a survey answer, a message, an
/// unsubscribe and a signed event.
async fn customer_with_history(app: &TestApp) {
    for body in [
        order(7101, 42, "Minji.Kim@Example.com"),
        order(7102, 42, "old-address@example.org"),
        other_order(7103),
    ] {
        let (status, answer) = app.deliver("order.updated", &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    app.run_jobs_until_idle().await;
    let (status, created) = post_form(
        app,
        "/api/v1/customers/42/orders/7101/returns",
        form(
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "other",
                                 "reason_text": "My neighbour Jisoo says it runs small"}],
                     "resolution": "refund", "comment": "Call me on 010-9999-1234"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, created) = post_form(
        app,
        "/api/v1/customers/42/orders/7101/requests",
        form(&json!({"topic": "something_else",
                     "body": "I moved to 88 Seongsu-ro, please update the address"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    // What the survey, message and event flows would have written, written here directly.
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db.execute(
        "INSERT INTO surveys (store_id, order_id, kind, source, subject, recipient, first_name,
             state, reason, anchor_at, score, comment, answered_at, changed_at, created_at, updated_at)
         VALUES ('default', 7101, 'nps', 'delivery', 0, 'minji.kim@example.com', '민지',
             'asked', 'due', '2026-11-20T10:00:00Z', 3, 'The courier Mr Park was rude',
             '2026-11-21T10:00:00Z', '2026-11-21T10:00:00Z', '2026-11-20T10:00:00Z',
             '2026-11-21T10:00:00Z')",
        [],
    )
    .unwrap();
    db.execute(
        "INSERT INTO messages (store_id, order_id, type, recipient, locale, dedupe_key, channel,
             state, due_at, reason, data, created_at, updated_at)
         VALUES ('default', 7101, 'shipped', 'minji.kim@example.com', 'ko_KR', 'erasure-test:7101',
             'wordpress', 'pending', '2026-11-20T10:00:00Z', 'due',
             '{\"order\": {\"id\": 7101}, \"customer\": {\"name\": \"김민지\", \"email\": \"minji.kim@example.com\"}}',
             '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')",
        [],
    )
    .unwrap();
    // The shop's digest quoting the unhappy answer.
    db.execute(
        "INSERT INTO messages (store_id, order_id, type, recipient, locale, dedupe_key, channel,
             state, due_at, reason, data, created_at, updated_at)
         VALUES ('default', 0, 'staff_digest', 'shop@nimbus.example', 'en_US', 'digest:2026-11-22',
             'wordpress', 'sent', '2026-11-22T09:00:00Z', 'sent',
             '{\"date\": \"2026-11-22\", \"late\": [], \"returns\": [], \"failed\": [],
               \"surveys\": [{\"order_id\": 7101, \"score\": 3, \"comment\": \"The courier Mr Park was rude\"},
                             {\"order_id\": 7103, \"score\": 2, \"comment\": \"Another customer: slow\"}]}',
             '2026-11-22T09:00:00Z', '2026-11-22T09:00:00Z')",
        [],
    )
    .unwrap();
    db.execute(
        "INSERT INTO message_subscriptions (token, store_id, recipient, class, unsubscribed_at, created_at)
         VALUES ('tok-minji', 'default', 'minji.kim@example.com', 'status_update',
             '2026-11-22T10:00:00Z', '2026-11-20T10:00:00Z')
         ON CONFLICT (store_id, recipient, class) DO UPDATE SET unsubscribed_at = excluded.unsubscribed_at",
        [],
    )
    .unwrap();
    db.execute(
        "INSERT INTO event_deliveries (store_id, endpoint_id, event_id, type, body, state,
             created_at, updated_at)
         VALUES ('default', 'ep_1', 'evt_erasure_test', 'shipped',
             '{\"type\": \"shipped\", \"timestamp\": \"2026-11-20T10:00:00Z\",
               \"data\": {\"order\": {\"id\": 7101}, \"customer\": {\"name\": \"김민지\"}}}',
             'pending', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')",
        [],
    )
    .unwrap();
}

/// What identifies the customer, wherever it was written.
const PERSONAL: [&str; 14] = [
    "minji",
    "민지",
    "테헤란로",
    "010-2345-6789",
    "010-9999-1234",
    "203.0.113.42",
    "KAKAOTALK",
    "경비실",
    "T7a91c3e5b2d4f6081aa",
    "Jisoo",
    "Seongsu-ro",
    "Mr Park",
    "old-address",
    "instagram",
];

#[tokio::test]
async fn export_gathers_everything_and_erase_leaves_nothing_but_the_invoices() {
    let app = TestApp::spawn().await;
    customer_with_history(&app).await;
    let invoices = app.count(
        "SELECT COUNT(*) FROM documents WHERE order_id IN (7101, 7102) AND kind = 'invoice'",
    );
    assert_eq!(invoices, 2, "both orders are invoiced");
    assert_eq!(
        photo_files(&app).len(),
        2,
        "a return photo and a request photo"
    );

    // The export: by address, without case; the registered customer's other order too.
    let (status, export) = app
        .get("/api/v1/privacy/export?email=MINJI.KIM%40example.com")
        .await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["email"], "minji.kim@example.com");
    let orders = group(&export, "aftercare-orders");
    let numbers: Vec<&str> = orders.iter().map(|o| value(o, "order_number")).collect();
    assert_eq!(numbers, ["P-7101", "P-7102"]);
    assert_eq!(value(&orders[0], "ip_address"), "203.0.113.42");
    assert!(value(&orders[0], "billing_address").contains("테헤란로"));
    assert_eq!(value(&orders[0], "billing_phone"), "010-2345-6789");
    assert!(value(&orders[0], "customer_note").contains("경비실"));
    let returns = group(&export, "aftercare-returns");
    assert_eq!(value(&returns[0], "comment"), "Call me on 010-9999-1234");
    assert!(value(&returns[0], "reasons").contains("Jisoo"));
    assert_eq!(value(&returns[0], "photos"), "1");
    let requests = group(&export, "aftercare-requests");
    assert!(value(&requests[0], "messages").contains("Seongsu-ro"));
    let surveys = group(&export, "aftercare-surveys");
    assert_eq!(
        value(&surveys[0], "comment"),
        "The courier Mr Park was rude"
    );
    assert_eq!(value(&surveys[0], "first_name"), "민지");
    // The one written above and those the order's own flow decided.
    let logged = app.count(
        "SELECT COUNT(*) FROM messages WHERE type != 'staff_digest' AND order_id IN (7101, 7102)",
    );
    assert!(logged >= 1);
    assert_eq!(group(&export, "aftercare-messages").len() as i64, logged);
    let unsubscribed = group(&export, "aftercare-subscriptions")
        .iter()
        .find(|s| value(s, "class") == "status_update")
        .unwrap_or_else(|| panic!("no status_update subscription in {export}"));
    assert_eq!(
        value(unsubscribed, "unsubscribed_at"),
        "2026-11-22T10:00:00Z"
    );
    let documents = group(&export, "aftercare-documents");
    assert_eq!(documents.len(), 2);
    for g in export["groups"].as_array().unwrap() {
        assert!(g["group_label"].as_str().is_some_and(|l| !l.is_empty()));
    }
    assert!(
        !export.to_string().contains("Boston"),
        "another customer's order is not in the export"
    );

    // The erasure.
    let before = every_text(&app);
    let thread = app.count("SELECT COUNT(*) FROM support_messages");
    // The one written above and those the order's messages published.
    let events = app.count(
        "SELECT COUNT(*) FROM event_deliveries
         WHERE json_extract(body, '$.data.order.id') IN (7101, 7102)",
    );
    assert!(events >= 1);
    // The unsubscribe written above and the links the messages carry.
    let subscriptions = app.count(
        "SELECT COUNT(*) FROM message_subscriptions
         WHERE lower(recipient) IN ('minji.kim@example.com', 'old-address@example.org')",
    );
    assert!(subscriptions >= 1);
    assert!(thread >= 1);
    assert!(before.iter().any(|(_, v)| v.contains("minji")));
    let (status, erased) = app
        .post_json(
            "/api/v1/privacy/erase",
            &json!({"email": " Minji.Kim@example.com "}),
        )
        .await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["email"], "minji.kim@example.com");
    let counts = &erased["erased"];
    assert_eq!(counts["orders"], 2, "{erased}");
    assert_eq!(counts["returns"], 1);
    assert_eq!(counts["return_photos"], 1);
    assert_eq!(counts["requests"], 1);
    assert_eq!(counts["request_messages"], thread);
    assert_eq!(counts["request_photos"], 1);
    assert_eq!(counts["surveys"], 1);
    assert_eq!(
        counts["messages"],
        logged + 1,
        "the customer's messages and the digest"
    );
    assert_eq!(counts["subscriptions"], subscriptions);
    assert_eq!(counts["event_deliveries"], events);
    let retained = erased["retained"].as_array().unwrap();
    assert_eq!(retained.len(), 2, "{erased}");
    for doc in retained {
        assert_eq!(doc["kind"], "invoice");
        assert!(doc["number"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(doc["reason"].as_str().unwrap().contains("tax law"));
    }

    // Not one personal value is left in any table…
    for (place, text) in every_text(&app) {
        for needle in PERSONAL {
            assert!(
                !text.to_lowercase().contains(&needle.to_lowercase()),
                "`{needle}` is still in {place}: {text}"
            );
        }
    }
    // …the photos are gone from disk, the invoices are not.
    assert_eq!(photo_files(&app), Vec::<std::path::PathBuf>::new());
    assert_eq!(app.count("SELECT COUNT(*) FROM return_photos"), 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM support_photos"), 0);
    let db = app.db();
    let paths: Vec<String> = db
        .prepare("SELECT path FROM documents WHERE order_id IN (7101, 7102)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(paths.len(), 2);
    for path in paths {
        assert!(app.dir.path().join("data").join(&path).is_file(), "{path}");
    }
    // The figures no longer know the customer by account or by address.
    let old_key = aftercare::insights::customer_key(0, "minji.kim@example.com").unwrap();
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM insight_orders WHERE customer IN ('c42', '{old_key}')"
        )),
        0
    );
    // The message not yet sent will not be; the event not yet delivered will not be.
    assert!(
        app.count("SELECT COUNT(*) FROM messages WHERE state = 'skipped' AND reason = 'erased'")
            >= 1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM messages WHERE order_id IN (7101, 7102)
             AND state IN ('pending', 'deferred', 'failed')"
        ),
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_deliveries WHERE state = 'pending'"),
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM event_deliveries WHERE body LIKE '%\"erased\":true%'"),
        events
    );
    // The customer's account no longer finds the orders; the order itself still answers
    // for the shop (its totals, its parcels).
    let (status, body) = app.get("/api/v1/customers/42/orders/7101").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM orders WHERE order_id IN (7101, 7102) AND total != ''"),
        2
    );
    // The digest keeps the other customer's comment.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM messages WHERE type = 'staff_digest' AND data LIKE '%Another customer: slow%'"),
        1
    );
    // The other customer is untouched.
    let other: String = db
        .query_row(
            "SELECT billing_email FROM orders WHERE order_id = 7103",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(other, "zoe.obrien@example.net");
    let (status, export) = app
        .get("/api/v1/privacy/export?email=zoe.obrien%40example.net")
        .await;
    assert_eq!(status, 200);
    assert!(export.to_string().contains("Boston"));

    // Asking again: nothing left, nothing changed.
    let snapshot = every_text(&app);
    let (status, again) = app
        .post_json(
            "/api/v1/privacy/erase",
            &json!({"email": "minji.kim@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    for (kind, n) in again["erased"].as_object().unwrap() {
        assert_eq!(n, 0, "{kind} erased twice");
    }
    assert_eq!(again["retained"], json!([]));
    assert_eq!(every_text(&app), snapshot);
    let (status, export) = app
        .get("/api/v1/privacy/export?email=minji.kim%40example.com")
        .await;
    assert_eq!(status, 200);
    assert_eq!(export["groups"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_change_nothing_and_an_unknown_address_is_an_empty_answer() {
    let app = TestApp::spawn().await;
    let (status, answer) = app
        .deliver("order.updated", &order(7201, 42, "a@example.com"))
        .await;
    assert_eq!(status, 200, "{answer}");
    app.run_jobs_until_idle().await;
    let snapshot = every_text(&app);

    // No key, a wrong key.
    let (status, body) = app
        .get_as("/api/v1/privacy/export?email=a%40example.com", "")
        .await;
    assert_eq!(status, 401);
    assert!(body["error"]["code"].is_string(), "{body}");
    let (status, body) = app
        .post_json_as(
            "/api/v1/privacy/erase",
            &json!({"email": "a@example.com"}),
            "not-the-key-at-all-0123456789",
        )
        .await;
    assert_eq!(status, 401);
    assert_error(&body, "invalid_api_key");

    // Not an address, no address, an unknown field, not JSON at all.
    for body in [
        json!({"email": "not-an-address"}),
        json!({"email": ""}),
        json!({"email": 42}),
        json!({}),
    ] {
        let (status, answer) = app.post_json("/api/v1/privacy/erase", &body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_error(&answer, "validation_failed");
        assert_eq!(answer["error"]["fields"][0]["field"], "email", "{answer}");
    }
    let (status, answer) = app
        .post_json(
            "/api/v1/privacy/erase",
            &json!({"email": "a@example.com", "everything": true}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["code"].is_string());
    let response = app
        .client
        .post(app.url("/api/v1/privacy/erase"))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    let (status, answer) = read(response).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["message"].is_string());
    for query in ["", "?email=", "?email=nobody", "?email=a%40b%40c"] {
        let (status, answer) = app.get(&format!("/api/v1/privacy/export{query}")).await;
        assert_eq!(status, 422, "{query}: {answer}");
        assert_error(&answer, "validation_failed");
    }
    assert_eq!(
        every_text(&app),
        snapshot,
        "a refused request changed nothing"
    );

    // An address aftercare does not know: nothing to export or erase, and no error.
    let (status, export) = app
        .get("/api/v1/privacy/export?email=stranger%40example.com")
        .await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["groups"], json!([]));
    let (status, erased) = app
        .post_json(
            "/api/v1/privacy/erase",
            &json!({"email": "stranger@example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["erased"]["orders"], 0);
    assert_eq!(erased["retained"], json!([]));
    assert_eq!(every_text(&app), snapshot);
    app.stop().await;
}

/// An order of a guest created `years_ago` years (and a day) ago.
fn aged_order(id: u64, email: &str, years_ago: i64) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    let created = Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(jiff::Span::new().years(years_ago).days(1))
        .unwrap()
        .timestamp();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["order_key"] = format!("wc_order_aged{id}").into();
    order["billing"]["email"] = email.into();
    order["date_created_gmt"] = woo_date(created).into();
    order["date_paid_gmt"] = woo_date(created).into();
    serde_json::to_vec(&order).unwrap()
}

#[tokio::test]
async fn the_retention_period_anonymises_old_orders_once_a_day() {
    let app = TestApp::spawn_with("[privacy]\nretain_years = 3\n").await;
    for body in [
        aged_order(7301, "old.buyer@example.net", 4),
        aged_order(7302, "recent.buyer@example.net", 1),
    ] {
        let (status, answer) = app.deliver("order.updated", &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    app.run_jobs_until_idle().await;
    // The pass scheduled at start ran before these orders arrived; today's is made due.
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    let made_due = db
        .execute(
            "UPDATE jobs SET run_after = '2000-01-01T00:00:00.000Z'
             WHERE kind = 'privacy_retention' AND done_at IS NULL",
            [],
        )
        .unwrap();
    assert_eq!(
        made_due, 2,
        "one retention job waits per store (two stores)"
    );
    app.run_jobs_until_idle().await;
    let email = |id: i64| -> String {
        db.query_row(
            "SELECT billing_email FROM orders WHERE order_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(
        email(7301).starts_with("erased-") && email(7301).ends_with("@erased.invalid"),
        "{}",
        email(7301)
    );
    assert_eq!(email(7302), "recent.buyer@example.net");
    let raw: String = db
        .query_row("SELECT raw FROM orders WHERE order_id = 7301", [], |r| {
            r.get(0)
        })
        .unwrap();
    for needle in [
        "O'Brien",
        "Harbor View",
        "555-0142",
        "2001:db8",
        "concierge",
    ] {
        assert!(!raw.contains(needle), "`{needle}` kept: {raw}");
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM privacy_erasures WHERE order_id = 7301 AND cause = 'retention'"
        ),
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_erasures WHERE order_id = 7302"),
        0
    );
    // The old order's invoice is kept.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE order_id = 7301 AND kind = 'invoice'"),
        1
    );
    // The job waits for tomorrow.
    let next: String = db
        .query_row(
            "SELECT run_after FROM jobs WHERE kind = 'privacy_retention' AND done_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let next: Timestamp = next.parse().unwrap();
    let wait = next.duration_since(Timestamp::now());
    assert!(
        wait > SignedDuration::from_hours(23) && wait <= SignedDuration::from_hours(24),
        "{wait:?}"
    );
    app.stop().await;

    // Off (the default): no retention job at all.
    let app = TestApp::spawn().await;
    let (status, _) = app
        .deliver(
            "order.updated",
            &aged_order(7303, "old.buyer@example.net", 40),
        )
        .await;
    assert_eq!(status, 200);
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'privacy_retention'"),
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM privacy_erasures"), 0);
    app.stop().await;
}
