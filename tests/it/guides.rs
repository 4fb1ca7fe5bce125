//! Product guides end to end: kept per product and variation, shown in My Account from
//! the moment the item ships, linked from the `delivered` message, sent once as the
//! `product_guide` message N days after the order's last parcel was delivered (over a real
//! SMTP server), and every link counted through `/g/{token}` and redirected safely.
//!
//! The clock is never waited on: deliveries are recorded as having happened days ago, as
//! a carrier reporting late would, and the guide job's due time is read back.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::answers::{ago, order};
use crate::crash::free_port;
use crate::helpers::*;
use crate::notify::{Sink, header};

const FROM: &str = "Nimbus Test Shop <shop@nimbus.example>";
const DAY: i64 = 24 * 60;

fn toml(port: u16) -> String {
    format!(
        "timezone = \"UTC\"\n\
         [notify]\n\
         channel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"{FROM}\"\n\
         quiet_hours = \"off\"\n"
    )
}

async fn ship(app: &TestApp, order_id: u64, number: &str, shipped: &str, items: Value) -> u64 {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/orders/{order_id}/shipments"),
            &json!({"carrier": "cj-logistics", "tracking_number": number,
                    "shipped_at": shipped, "items": items}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().unwrap()
}

async fn event(app: &TestApp, parcel: u64, status: &str, at: &str) {
    let (code, body) = app
        .post_json(
            &format!("/api/v1/shipments/{parcel}/events"),
            &json!({"status": status, "occurred_at": at}),
        )
        .await;
    assert!(code == 201 || code == 200, "{code} {body}");
}

async fn guides_of(app: &TestApp, order_id: u64) -> Value {
    let (status, view) = app
        .get(&format!("/api/v1/customers/42/orders/{order_id}"))
        .await;
    assert_eq!(status, 200, "{view}");
    view["guides"].clone()
}

fn sent(sink: &Sink, kind: &str, order_id: u64) -> Vec<String> {
    sink.messages()
        .into_iter()
        .filter(|m| {
            header(m, "X-Aftercare-Message").as_deref() == Some(kind)
                && header(m, "X-Aftercare-Order").as_deref() == Some(&order_id.to_string())
        })
        .collect()
}

fn guide_job(app: &TestApp, order_id: u64) -> Option<String> {
    use rusqlite::OptionalExtension as _;
    app.db()
        .query_row(
            "SELECT run_after FROM jobs WHERE kind = 'notify_guide' AND order_id = ?1 AND done_at IS NULL",
            [order_id as i64],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
}

/// The text part of a message, quoted-printable soft breaks undone.
fn text_of(message: &str) -> String {
    message.replace("=\r\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn guides_show_once_shipped_and_their_message_goes_once_n_days_after_the_last_delivery() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&toml(sink.port)).await;
    // The mouse (product 311) and one variation of the hoodie (418) have guides.
    let (status, mouse) = app
        .put_json(
            "/api/v1/products/311/guide",
            &json!({"text": "Charge it for an hour.\nThen hold the button to pair.",
                    "links": [{"title": "Pairing video", "url": "https://video.example/pair?t=10"},
                              {"title": "Manual", "url": "https://nimbus.example/m/mouse.pdf"}]}),
        )
        .await;
    assert_eq!(status, 201, "{mouse}");
    let (status, hoodie) = app
        .put_json(
            "/api/v1/products/402/variations/418/guide",
            &json!({"text": "Wash cold, inside out.", "links": []}),
        )
        .await;
    assert_eq!(status, 201, "{hoodie}");

    // Order 2001: nothing shipped, no guide; the mouse ships, its guide appears (the
    // hoodie's waits for its own parcel).
    let (status, _) = app.deliver("order.created", &order(2001)).await;
    assert_eq!(status, 200);
    assert_eq!(guides_of(&app, 2001).await, json!([]));
    let first = ship(
        &app,
        2001,
        "6001-0000-2001",
        &ago(6 * DAY),
        json!([{"line_item_id": 201, "quantity": 1}]),
    )
    .await;
    let shown = guides_of(&app, 2001).await;
    assert_eq!(shown.as_array().unwrap().len(), 1, "{shown}");
    assert_eq!(shown[0]["line_item_id"], 201);
    assert_eq!(
        shown[0]["text"],
        "Charge it for an hour.\nThen hold the button to pair."
    );
    let tracked = shown[0]["links"][0]["url"].as_str().unwrap().to_owned();
    assert!(
        tracked.starts_with(&format!("http://{}/g/", app.addr)),
        "{tracked}"
    );
    assert_eq!(shown[0]["links"][0]["title"], "Pairing video");
    let second = ship(
        &app,
        2001,
        "6001-0000-2002",
        &ago(6 * DAY),
        json!([{"line_item_id": 202, "quantity": 2}, {"line_item_id": 203, "quantity": 1}]),
    )
    .await;
    let shown = guides_of(&app, 2001).await;
    let items: Vec<u64> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["line_item_id"].as_u64().unwrap())
        .collect();
    assert_eq!(items, [201, 202], "{shown}");
    assert_eq!(shown[1]["text"], "Wash cold, inside out.");

    // Delivered five days ago and (the last parcel) three days and an hour ago: with the
    // default delay of three days the guide message is due, and goes once.
    event(&app, first, "delivered", &ago(5 * DAY)).await;
    event(&app, second, "delivered", &ago(3 * DAY + 60)).await;
    app.run_jobs_until_idle().await;
    sink.wait_for(1).await;
    app.run_jobs_until_idle().await;
    let (status, _) = app.deliver("order.updated", &order(2001)).await;
    assert_eq!(status, 200);
    event(&app, second, "delivered", &ago(3 * DAY + 60)).await;
    app.run_jobs_until_idle().await;
    let guide_mail = sent(&sink, "product_guide", 2001);
    assert_eq!(guide_mail.len(), 1, "once per order");
    let m = &guide_mail[0];
    assert_eq!(
        header(m, "Subject").unwrap(),
        "[Nimbus Test Shop] Getting started with your order 2001"
    );
    let text = text_of(m);
    assert!(text.contains("Charge it for an hour."), "{text}");
    assert!(text.contains("Wash cold, inside out."), "{text}");
    assert!(
        text.contains(&format!("Pairing video: {tracked}")),
        "{text}"
    );
    assert!(
        header(m, "List-Unsubscribe").is_some(),
        "a status update: unsubscribable"
    );
    // Its "delivered" news was three days old: history, not sent.
    assert!(sent(&sink, "delivered", 2001).is_empty());

    // Order 2002: the first parcel arrived five days ago, the last ten minutes ago. The
    // delivered message links to the guides; the guide message waits three days from the
    // last delivery, not the first.
    let (status, _) = app.deliver("order.created", &order(2002)).await;
    assert_eq!(status, 200);
    let a = ship(
        &app,
        2002,
        "6001-0000-2003",
        &ago(6 * DAY),
        json!([{"line_item_id": 201, "quantity": 1}]),
    )
    .await;
    let b = ship(
        &app,
        2002,
        "6001-0000-2004",
        &ago(6 * DAY),
        json!([{"line_item_id": 202, "quantity": 2}, {"line_item_id": 203, "quantity": 1}]),
    )
    .await;
    event(&app, a, "delivered", &ago(5 * DAY)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(guide_job(&app, 2002), None, "a parcel is still travelling");
    let last = (Timestamp::now() - SignedDuration::from_mins(10))
        .round(jiff::Unit::Second)
        .unwrap();
    event(&app, b, "delivered", &last.to_string()).await;
    app.run_jobs_until_idle().await;
    let delivered = sent(&sink, "delivered", 2002);
    assert_eq!(delivered.len(), 1);
    let text = text_of(&delivered[0]);
    assert!(text.contains("Getting started"), "{text}");
    assert!(
        text.contains(&format!("Pairing video: {tracked}")),
        "{text}"
    );
    assert_eq!(
        guide_job(&app, 2002).as_deref(),
        Some(aftercare::time::millis(last + SignedDuration::from_hours(72)).as_str()),
        "due three days after the last delivery"
    );
    assert!(sent(&sink, "product_guide", 2002).is_empty());
    let decided =
        app.count("SELECT COUNT(*) FROM messages WHERE type = 'product_guide' AND order_id = 2002");
    assert_eq!(decided, 0);
    app.stop().await;
}

#[tokio::test]
async fn guide_links_count_clicks_and_redirect_only_to_their_web_address() {
    let app = TestApp::spawn().await;
    let (status, guide) = app
        .put_json(
            "/api/v1/skus/NB-MS-350/guide",
            &json!({"text": "Quick start.",
                    "links": [{"title": "Video", "url": "https://video.example/a b?x=1&y=<2>"},
                              {"title": "FAQ", "url": "https://nimbus.example/faq"}]}),
        )
        .await;
    assert_eq!(status, 201, "{guide}");
    let video = guide["links"][0]["tracked_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let faq = guide["links"][1]["tracked_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        let response = no_redirects.get(&video).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302);
        assert_eq!(
            response.headers()["location"].to_str().unwrap(),
            "https://video.example/a%20b?x=1&y=%3C2%3E"
        );
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    let (status, list) = app.get("/api/v1/guides").await;
    assert_eq!(status, 200);
    assert_eq!(list["guides"][0]["scope"], "sku");
    assert_eq!(list["guides"][0]["links"][0]["clicks"], 2);
    assert_eq!(list["guides"][0]["links"][1]["clicks"], 0);

    // Hostile links are refused and change nothing.
    for url in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "//evil.example/x",
        "/g/other",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example/m.pdf",
    ] {
        let (status, body) = app
            .put_json(
                "/api/v1/skus/NB-MS-350/guide",
                &json!({"text": "Changed.", "links": [{"title": "Evil", "url": url}]}),
            )
            .await;
        assert_eq!(status, 422, "{url}: {body}");
        assert_error(&body, "validation_failed");
    }
    let (_, list) = app.get("/api/v1/guides").await;
    assert_eq!(list["guides"][0]["text"], "Quick start.");
    assert_eq!(list["guides"][0]["links"].as_array().unwrap().len(), 2);
    let (status, body) = app
        .put_json("/api/v1/products/0/guide", &json!({"text": "x"}))
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app
        .put_json(
            "/api/v1/products/311/guide",
            &json!({"text": "x".repeat(2001)}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM guides"), 1);

    // Unknown and malformed tokens: 404; a link staff removed: 410, never a redirect.
    for path in [
        "/g/AAAAAAAAAAAAAAAAAAAAAA",
        "/g/short",
        "/g/..%2F..%2Fetc%2Fpasswd",
    ] {
        let response = no_redirects.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{path}");
        assert!(response.headers().get("location").is_none());
    }
    let (status, _) = app
        .put_json(
            "/api/v1/skus/NB-MS-350/guide",
            &json!({"text": "Quick start.", "links": [{"title": "FAQ", "url": "https://nimbus.example/faq"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let response = no_redirects.get(&video).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    assert!(response.headers().get("location").is_none());
    let response = no_redirects.get(&faq).send().await.unwrap();
    assert_eq!(
        response.status().as_u16(),
        302,
        "a kept link keeps its address"
    );
    let response = app
        .client
        .delete(app.url("/api/v1/skus/NB-MS-350/guide"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let response = no_redirects.get(&faq).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    let response = app
        .client
        .delete(app.url("/api/v1/skus/NB-MS-350/guide"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 404);
    assert_error(&body, "guide_not_found");
    app.stop().await;
}

#[tokio::test]
async fn one_guide_reads_back_with_its_click_counts_as_the_list_shows_it() {
    let app = TestApp::spawn().await;
    let (status, saved) = app
        .put_json(
            "/api/v1/products/311/guide",
            &json!({"text": "Charge it first.",
                    "links": [{"title": "Video", "url": "https://video.example/pair"}]}),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let (status, _) = app
        .put_json(
            "/api/v1/products/402/variations/418/guide",
            &json!({"text": "Wash cold.", "links": []}),
        )
        .await;
    assert_eq!(status, 201);
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let tracked = saved["links"][0]["tracked_url"].as_str().unwrap();
    let response = no_redirects.get(tracked).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);

    let (status, one) = app.get("/api/v1/products/311/guide").await;
    assert_eq!(status, 200, "{one}");
    let (_, list) = app.get("/api/v1/guides").await;
    assert_eq!(one, list["guides"][0], "one entry of the list");
    assert_eq!(one["scope"], "product");
    assert_eq!(one["key"], "311");
    assert_eq!(one["links"][0]["clicks"], 1);
    let (status, variation) = app.get("/api/v1/products/402/variations/418/guide").await;
    assert_eq!(status, 200, "{variation}");
    assert_eq!(variation, list["guides"][1]);
    assert_eq!(variation["scope"], "variation");
    assert_eq!(variation["text"], "Wash cold.");

    // Only exactly that scope: the variation's parent and other products have none.
    for path in [
        "/api/v1/products/402/guide",
        "/api/v1/products/312/guide",
        "/api/v1/products/402/variations/419/guide",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_error(&body, "guide_not_found");
    }
    for path in [
        "/api/v1/products/0/guide",
        "/api/v1/products/abc/guide",
        "/api/v1/products/-1/guide",
        "/api/v1/products/99999999999999999999/guide",
        "/api/v1/products/0/variations/418/guide",
        "/api/v1/products/402/variations/0/guide",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    for path in [
        "/api/v1/products/311/guide",
        "/api/v1/products/402/variations/418/guide",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let (status, body) = read(response).await;
        assert_eq!(status, 401, "{path}");
        assert_error(&body, "missing_api_key");
        let (status, body) = app.get_as(path, "not-the-key-0123456789").await;
        assert_eq!(status, 401, "{path}");
        assert_error(&body, "invalid_api_key");
    }
    // Reading counts nothing and changes nothing.
    let (_, again) = app.get("/api/v1/products/311/guide").await;
    assert_eq!(again, one);
    app.stop().await;
}
