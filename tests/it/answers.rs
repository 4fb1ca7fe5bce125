//! Answers before the question end to end: FAQ entries kept through the API, chosen for an
//! order by its state as it changes (unshipped, travelling, delivered) with its live facts
//! filled in, per topic for customers and guests, and counted as shown.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::helpers::*;

const KEY: &str = "wc_order_Vq7Rk2mXp9LtZ";
const EMAIL: &str = "minji.kim@example.com";

/// The registered KRW order as order `id`, processing, parcels only from the API.
pub fn order(id: u64) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    serde_json::to_vec(&order).unwrap()
}

pub fn ago(minutes: i64) -> String {
    (Timestamp::now() - SignedDuration::from_mins(minutes))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string()
}

async fn add(app: &TestApp, body: Value) -> i64 {
    let (status, created) = app.post_json("/api/v1/answers", &body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

fn ids(answers: &Value) -> Vec<i64> {
    answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

async fn view(app: &TestApp) -> Value {
    let (status, view) = app.get("/api/v1/customers/42/orders/1001").await;
    assert_eq!(status, 200, "{view}");
    view
}

async fn for_topic(app: &TestApp, topic: &str) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/customers/42/orders/1001/answers?topic={topic}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    body["answers"].clone()
}

fn day() -> String {
    Timestamp::now().to_string()[..10].to_owned()
}

#[tokio::test]
async fn faq_entries_follow_the_order_state_with_live_facts_and_are_counted_once_a_day() {
    let first_day = day();
    let app = TestApp::spawn_with("timezone = \"UTC\"\n").await;
    let (status, body) = app.deliver("order.created", &order(1001)).await;
    assert_eq!(status, 200, "{body}");

    let wismo = add(&app, json!({
        "question": "Where is order {order_number}?",
        "answer": "<p>Your parcel is <strong>{parcel_status}</strong> at {parcel_location}; expected {eta}. <a href=\"{tracking_url}\">Follow it</a></p>",
        "lang": "en",
        "when": {"delivery_states": ["shipped", "out_for_delivery"], "topics": ["where_is_my_order"]}
    })).await;
    let packing = add(
        &app,
        json!({
            "question": "When will it ship?",
            "answer": "<p>We pack orders within two working days.</p>",
            "lang": "en",
            "when": {"delivery_states": ["unfulfilled"], "order_statuses": ["processing"]}
        }),
    )
    .await;
    let invoice = add(
        &app,
        json!({
            "question": "Where is my invoice?",
            "answer": "<p><a href=\"{invoice_url}\">Download invoice {invoice_number}</a></p>",
            "lang": "en",
            "when": {"topics": ["invoice_and_billing"]}
        }),
    )
    .await;
    let returns = add(
        &app,
        json!({
            "question": "Can I return it?",
            "answer": "<p>You can return items until {return_window_ends}.</p>",
            "lang": "en",
            "when": {"delivery_states": ["delivered"], "topics": ["return_or_exchange"]}
        }),
    )
    .await;
    let korean = add(
        &app,
        json!({
            "question": "주문은 어디쯤 있나요?",
            "answer": "<p>배송 중입니다.</p>",
            "lang": "ko",
            "when": {"delivery_states": ["shipped"]}
        }),
    )
    .await;
    let mouse = add(
        &app,
        json!({
            "question": "How do I pair the mouse?",
            "answer": "<p>Hold the button for three seconds.</p>",
            "lang": "en",
            "when": {"product_ids": [311], "order_statuses": ["completed"]}
        }),
    )
    .await;
    app.run_jobs_until_idle().await;

    // Not shipped yet: the packing answer (it meets two conditions) before the invoice's.
    let v = view(&app).await;
    let invoice_url = v["invoice"]["download_url"]
        .as_str()
        .expect("invoiced")
        .to_owned();
    assert_eq!(ids(&v["answers"]), [packing, invoice], "{}", v["answers"]);
    let shown = &v["answers"][1];
    assert_eq!(shown["question"], "Where is my invoice?");
    assert_eq!(
        shown["answer"],
        format!(
            "<p><a href=\"{}\" rel=\"noopener noreferrer nofollow\">Download invoice {}</a></p>",
            invoice_url.replace('&', "&amp;"),
            v["invoice"]["number"].as_str().unwrap()
        )
    );

    // On its way: where the parcel is and when it arrives, escaped.
    let (status, parcel) = app
        .post_json(
            "/api/v1/orders/1001/shipments",
            &json!({"carrier": "cj-logistics", "tracking_number": "6001-0000-0001",
                    "shipped_at": ago(120)}),
        )
        .await;
    assert_eq!(status, 201, "{parcel}");
    let parcel = parcel["id"].as_u64().unwrap();
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{parcel}/events"),
            &json!({"status": "in_transit", "occurred_at": ago(60), "location": "Incheon <Hub> & Co"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let v = view(&app).await;
    assert_eq!(v["delivery_state"], "shipped");
    assert_eq!(ids(&v["answers"]), [wismo, invoice], "{}", v["answers"]);
    let eta = &v["shipments"][0]["eta"].as_str().expect("an expected date")[..10];
    let tracking_url = v["tracking_url"].as_str().unwrap();
    assert_eq!(v["answers"][0]["question"], "Where is order 1001?");
    assert_eq!(
        v["answers"][0]["answer"],
        format!(
            "<p>Your parcel is <strong>In transit</strong> at Incheon &lt;Hub&gt; &amp; Co; expected {eta}. <a href=\"{tracking_url}\" rel=\"noopener noreferrer nofollow\">Follow it</a></p>"
        )
    );
    // The public tracking page shows them too, in the page's language.
    let page = app.text(tracking_url).await;
    assert!(page.contains("Answers to common questions"), "{page}");
    assert!(page.contains("<summary>Where is order 1001?</summary>"));
    assert!(page.contains("at Incheon &lt;Hub&gt; &amp; Co; expected"));
    assert!(!page.contains("주문은 어디쯤 있나요?"));
    let korean_page = app.text(format!("{tracking_url}?lang=ko")).await;
    assert!(korean_page.contains("<summary>주문은 어디쯤 있나요?</summary>"));
    assert!(korean_page.contains("<p>배송 중입니다.</p>"));
    // A chosen topic narrows the entries that name topics.
    assert_eq!(ids(&for_topic(&app, "where_is_my_order").await), [wismo]);
    assert_eq!(
        ids(&for_topic(&app, "invoice_and_billing").await),
        [invoice]
    );
    assert_eq!(
        ids(&for_topic(&app, "something_else").await),
        Vec::<i64>::new()
    );

    // Delivered: the return window, as the order's eligibility has it.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{parcel}/events"),
            &json!({"status": "delivered", "occurred_at": ago(5)}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let v = view(&app).await;
    assert_eq!(v["delivery_state"], "delivered");
    assert_eq!(ids(&v["answers"]), [returns, invoice], "{}", v["answers"]);
    let until = v["return_eligibility"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["returnable_until"].as_str())
        .max()
        .expect("a return window")[..10]
        .to_owned();
    assert_eq!(
        v["answers"][0]["answer"],
        format!("<p>You can return items until {until}.</p>")
    );

    // The guest sees the same entries, with the signed invoice link.
    let (status, guest) = app
        .get(&format!(
            "/api/v1/guest/orders/1001/answers?key={KEY}&email={EMAIL}&topic=invoice_and_billing"
        ))
        .await;
    assert_eq!(status, 200, "{guest}");
    assert_eq!(ids(&guest["answers"]), [invoice]);
    assert!(
        guest["answers"][0]["answer"]
            .as_str()
            .unwrap()
            .contains("/documents/"),
        "{guest}"
    );
    // Isolation: another customer, a wrong key, another store.
    let (status, body) = app.get("/api/v1/customers/43/orders/1001/answers").await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    let (status, _) = app
        .get(&format!(
            "/api/v1/guest/orders/1001/answers?key=wc_order_wrong&email={EMAIL}"
        ))
        .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .get("/api/v1/customers/42/orders/1001/answers?topic=shipping")
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_query");
    let (status, other) = app.get_as("/api/v1/answers", SECOND_API_KEY).await;
    assert_eq!(status, 200);
    assert_eq!(other["answers"], json!([]));

    // Deflection: each entry counted once per order and day however often it was shown.
    let (status, list) = app.get("/api/v1/answers").await;
    assert_eq!(status, 200, "{list}");
    let days = if day() == first_day { 1 } else { 2 };
    let figures = |id: i64| -> (i64, i64, i64) {
        let e = list["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap();
        (
            e["shown"].as_i64().unwrap(),
            e["orders"].as_i64().unwrap(),
            e["followed_by_request"].as_i64().unwrap(),
        )
    };
    for id in [wismo, packing, invoice, returns] {
        let (shown, orders, followed) = figures(id);
        assert!((1..=days).contains(&shown), "{id}: {shown}");
        assert_eq!((orders, followed), (1, 0), "{id}");
    }
    assert_eq!(figures(korean), (0, 0, 0));
    assert_eq!(figures(mouse), (0, 0, 0));
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT answer_id) FROM answer_impressions WHERE order_id = 1001"),
        4
    );

    // Once support requests exist (their own domain's table), a request within seven days
    // of an answer counts as following it.
    let has_requests = app.count(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'support_requests'",
    ) == 1;
    if has_requests {
        let c = rusqlite::Connection::open(app.db_path()).unwrap();
        c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let columns: Vec<(String, bool)> = c
            .prepare("SELECT name, \"notnull\" FROM pragma_table_info('support_requests')")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? == 1)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // Only when the three columns suffice for a row (a test-only insert, no migration).
        let insertable = columns.iter().all(|(n, required)| {
            !required || ["store_id", "order_id", "created_at"].contains(&n.as_str()) || n == "id"
        });
        if insertable {
            c.execute(
                "INSERT INTO support_requests (store_id, order_id, created_at) VALUES ('default', 1001, ?1)",
                [aftercare::time::millis(Timestamp::now() + SignedDuration::from_mins(1)).as_str()],
            )
            .unwrap();
            let (_, list) = app.get("/api/v1/answers").await;
            let followed = list["answers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["id"] == wismo)
                .unwrap()["followed_by_request"]
                .clone();
            assert_eq!(followed, 1);
        }
    }
    app.stop().await;
}

fn answers_rows(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM answers")
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    read(response).await
}

#[tokio::test]
async fn hostile_entries_are_sanitised_or_refused_and_refusals_store_nothing() {
    let app = TestApp::spawn().await;
    let good = json!({"question": "Q", "answer": "<p>A</p>", "lang": "en"});
    // A script and event handlers are removed; what is left is stored and served.
    let (status, created) = app
        .post_json(
            "/api/v1/answers",
            &json!({"question": "Is it safe?",
                    "answer": "<p onmouseover=\"steal()\">Yes<script>steal()</script><img src=x onerror=steal()><iframe src=\"https://evil.example\"></iframe></p>",
                    "lang": "en"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["answer"], "<p>Yes</p>");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(answers_rows(&app), 1);

    let refused: Vec<(Value, &str)> = vec![
        (
            json!({"question": "Q", "answer": "<a href=\"javascript:steal()\">x</a>", "lang": "en"}),
            "answer",
        ),
        (
            json!({"question": "Q", "answer": "<a href=\" JaVaScRiPt:steal()\">x</a>", "lang": "en"}),
            "answer",
        ),
        (
            json!({"question": "Q", "answer": "<script>steal()</script>", "lang": "en"}),
            "answer",
        ),
        (
            json!({"question": "Q", "answer": "<p>By {tomorrow}</p>", "lang": "en"}),
            "answer",
        ),
        (
            json!({"question": "Q", "answer": "a".repeat(20_001), "lang": "en"}),
            "answer",
        ),
        (
            json!({"question": "Q".repeat(301), "answer": "<p>A</p>", "lang": "en"}),
            "question",
        ),
        (
            json!({"question": "Q", "answer": "<p>A</p>", "lang": "fr"}),
            "lang",
        ),
        (
            json!({"question": "Q", "answer": "<p>A</p>", "lang": "en", "when": {"order_statuses": ["shipped"]}}),
            "when.order_statuses[0]",
        ),
        (
            json!({"question": "Q", "answer": "<p>A</p>", "lang": "en", "when": {"delivery_states": ["lost"]}}),
            "when.delivery_states[0]",
        ),
        (
            json!({"question": "Q", "answer": "<p>A</p>", "lang": "en", "when": {"product_ids": [0]}}),
            "when.product_ids[0]",
        ),
    ];
    for (body, field) in &refused {
        let (status, answer) = app.post_json("/api/v1/answers", body).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_error(&answer, "validation_failed");
        assert_eq!(answer["error"]["fields"][0]["field"], *field, "{answer}");
        // Replacing the entry with it changes nothing either.
        let (status, _) = app.put_json(&format!("/api/v1/answers/{id}"), body).await;
        assert_eq!(status, 422);
    }
    // An unknown topic is a mistyped field; an unknown field is malformed.
    let (status, answer) = app
        .post_json(
            "/api/v1/answers",
            &json!({"question": "Q", "answer": "<p>A</p>", "lang": "en", "when": {"topics": ["shipping"]}}),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    let (status, answer) = app
        .post_json(
            "/api/v1/answers",
            &json!({"question": "Q", "answer": "<p>A</p>", "lang": "en", "position": 1}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_error(&answer, "unknown_field");
    // Over the body limit: 413 before anything is read.
    let huge =
        serde_json::to_vec(&json!({"question": "Q", "answer": "a".repeat(70_000), "lang": "en"}))
            .unwrap();
    let (status, answer) = send(&app, reqwest::Method::POST, "/api/v1/answers", huge).await;
    assert_eq!(status, 413, "{answer}");
    assert_error(&answer, "payload_too_large");

    assert_eq!(answers_rows(&app), 1, "no refusal stored anything");
    let (_, list) = app.get("/api/v1/answers").await;
    assert_eq!(
        list["answers"][0]["answer"], "<p>Yes</p>",
        "and changed nothing"
    );

    // Another store's key cannot touch it; deleting twice is 404 the second time.
    let response = app
        .client
        .put(app.url(&format!("/api/v1/answers/{id}")))
        .bearer_auth(SECOND_API_KEY)
        .json(&good)
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 404);
    assert_error(&body, "answer_not_found");
    let (status, _) = app.put_json(&format!("/api/v1/answers/{id}"), &good).await;
    assert_eq!(status, 200);
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/answers/{id}")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/answers/{id}")))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 404);
    assert_error(&body, "answer_not_found");
    assert_eq!(answers_rows(&app), 0);
    app.stop().await;
}
