//! Surveys end to end: the real service and SQLite file, the notification engine (and a
//! real SMTP server for the email), and a mock WooCommerce for the order note.

use std::time::Duration;

use aftercare::ids::{OrderId, StoreId, SurveyId};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::crash::free_port;
use crate::helpers::*;
use crate::notify::{Sink, header};
use crate::notify_digest::decoded_part;

const META: &str = "_wc_shipment_tracking_items";
const EVENTS_TOML: &str = "[[events.stores.default.endpoints]]\n\
    url = \"http://127.0.0.1:9/hook\"\n\
    secret = \"whsec_YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=\"\n";

/// The Korean fixture as order `id` with `status` and billing `email`, parcels only from the
/// API, modified `minutes_ago`.
fn order(id: u64, status: &str, email: &str, minutes_ago: i64) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["status"] = status.into();
    order["billing"]["email"] = email.into();
    order["refunds"] = json!([]);
    order["date_modified_gmt"] =
        aftercare::woo::client::woo_date(Timestamp::now() - SignedDuration::from_mins(minutes_ago))
            .into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != META);
    serde_json::to_vec(&order).unwrap()
}

fn ago(minutes: i64) -> Timestamp {
    (Timestamp::now() - SignedDuration::from_mins(minutes))
        .round(jiff::Unit::Second)
        .unwrap()
}

async fn deliver_ok(app: &TestApp, topic: &str, body: &[u8]) {
    let (status, answer) = app.deliver(topic, body).await;
    assert_eq!(status, 200, "{answer}");
}

async fn ship(app: &TestApp, order_id: u64, number: &str, items: Value, minutes_ago: i64) -> u64 {
    let mut request = json!({"carrier": "cj-logistics", "tracking_number": number,
                             "shipped_at": ago(minutes_ago).to_string()});
    if items != json!([]) {
        request["items"] = items;
    }
    let (status, body) = app
        .post_json(&format!("/api/v1/orders/{order_id}/shipments"), &request)
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().unwrap()
}

async fn event(app: &TestApp, shipment: u64, status: &str, at: Timestamp) {
    let (code, body) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": status, "occurred_at": at.to_string()}),
        )
        .await;
    assert!(code == 201 || code == 200, "{code} {body}");
}

/// Order `id` mirrored as processing, in one parcel delivered `minutes_ago`.
pub(crate) async fn delivered_order(app: &TestApp, id: u64, email: &str, minutes_ago: i64) {
    deliver_ok(app, "order.created", &order(id, "processing", email, 90)).await;
    let parcel = ship(app, id, &format!("6001-{id}"), json!([]), minutes_ago + 60).await;
    event(app, parcel, "delivered", ago(minutes_ago)).await;
}

/// (state, reason) of the survey of `order_id` from `source`, if decided.
fn survey_of(app: &TestApp, order_id: u64, source: &str) -> Option<(String, String)> {
    use rusqlite::OptionalExtension as _;
    app.db()
        .query_row(
            "SELECT state, reason FROM surveys WHERE order_id = ?1 AND source = ?2",
            (order_id as i64, source),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap()
}

pub(crate) fn token_of(app: &TestApp, order_id: u64) -> String {
    app.db()
        .query_row(
            "SELECT token FROM surveys WHERE order_id = ?1 AND state = 'asked'",
            [order_id as i64],
            |r| r.get(0),
        )
        .unwrap()
}

/// A read-write connection beside the running service, as another process would open one.
fn writable(app: &TestApp) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c
}

/// Makes every waiting job due now, as if that much time had passed.
fn time_passes(app: &TestApp) {
    writable(app)
        .execute(
            "UPDATE jobs SET run_after = '2000-01-01T00:00:00.000Z' WHERE done_at IS NULL",
            [],
        )
        .unwrap();
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    (status, r.text().await.unwrap())
}

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    origin: Option<&str>,
) -> (u16, String) {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The form nonce the page carries.
pub(crate) fn nonce(html: &str) -> String {
    let at = html.find("name=\"form\" value=\"").expect("a form nonce") + 19;
    html[at..at + 32].to_owned()
}

#[tokio::test]
async fn nps_waits_n_days_after_the_last_delivery_and_a_later_delivery_moves_it() {
    let app = TestApp::spawn_with("timezone = \"UTC\"\n[surveys]\nnps_delay_days = 7\n").await;
    deliver_ok(
        &app,
        "order.created",
        &order(501, "processing", "a@example.com", 90),
    )
    .await;
    let a = ship(
        &app,
        501,
        "6001-0000-0501",
        json!([{"line_item_id": 201, "quantity": 1}, {"line_item_id": 202, "quantity": 2}]),
        20_000,
    )
    .await;
    let b = ship(
        &app,
        501,
        "6001-0000-0502",
        json!([{"line_item_id": 203, "quantity": 1}]),
        20_000,
    )
    .await;
    event(&app, a, "delivered", ago(10 * 1440)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 501, "delivery"), None, "one parcel of two");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'survey_delivery' AND done_at IS NULL"),
        0,
        "nothing waits while a parcel is on its way"
    );

    let last = ago(3 * 1440);
    event(&app, b, "delivered", last).await;
    app.run_jobs_until_idle().await;
    assert_eq!(
        survey_of(&app, 501, "delivery"),
        None,
        "7 days have not passed"
    );
    let due: String = app
        .db()
        .query_row(
            "SELECT run_after FROM jobs WHERE kind = 'survey_delivery' AND done_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let due: Timestamp = due.parse().unwrap();
    let expected = last + SignedDuration::from_hours(7 * 24);
    assert!(
        (due - expected).abs().get_seconds() <= 5,
        "due {due}, expected 7 days after the last delivery {expected}"
    );

    // With a 2-day delay the same facts are due: the survey follows the last delivery.
    let app = app
        .restart("timezone = \"UTC\"\n[surveys]\nnps_delay_days = 2\n")
        .await;
    time_passes(&app);
    app.run_jobs_until_idle().await;
    let (state, reason) = survey_of(&app, 501, "delivery").expect("decided");
    assert_eq!(state, "asked", "{reason}");
    let anchor: String = app
        .db()
        .query_row(
            "SELECT anchor_at FROM surveys WHERE order_id = 501",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(anchor.parse::<Timestamp>().unwrap(), last);
    assert_eq!(
        app.count("SELECT count(*) FROM messages WHERE order_id = 501 AND type = 'survey'"),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn one_survey_per_customer_and_none_for_cancelled_refunded_or_undelivered_orders() {
    let app = TestApp::spawn_with(
        "timezone = \"UTC\"\n[surveys]\nnps_delay_days = 0\ncsat_delay_hours = 0\n",
    )
    .await;
    delivered_order(&app, 601, "same@example.com", 1440).await;
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 601, "delivery").unwrap().0, "asked");
    // The same customer again within 30 days: dropped, not retried.
    delivered_order(&app, 602, "Same@Example.com", 1440).await;
    app.run_jobs_until_idle().await;
    let (state, reason) = survey_of(&app, 602, "delivery").unwrap();
    assert_eq!(state, "skipped");
    assert!(reason.starts_with("throttled"), "{reason}");
    // Delivered, then cancelled or refunded before the survey was due: never asked.
    for (id, status) in [(603, "cancelled"), (604, "refunded")] {
        delivered_order(&app, id, &format!("c{id}@example.com"), 1440).await;
        deliver_ok(
            &app,
            "order.updated",
            &order(id, status, &format!("c{id}@example.com"), 1),
        )
        .await;
        app.run_jobs_until_idle().await;
        let (state, reason) = survey_of(&app, id, "delivery").unwrap();
        assert_eq!(state, "skipped");
        assert_eq!(reason, format!("the order is {status}"));
    }
    // Delivered long ago (a backfill, a feed connected late): history, not asked.
    delivered_order(&app, 608, "g@example.com", 5 * 1440).await;
    app.run_jobs_until_idle().await;
    let (state, reason) = survey_of(&app, 608, "delivery").unwrap();
    assert_eq!(state, "skipped");
    assert!(reason.starts_with("too late"), "{reason}");
    // Shipped, never delivered: nothing.
    deliver_ok(
        &app,
        "order.created",
        &order(605, "processing", "d@example.com", 90),
    )
    .await;
    let p = ship(&app, 605, "6001-0605", json!([]), 5000).await;
    event(&app, p, "in_transit", ago(4000)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 605, "delivery"), None);
    aftercare::surveys::triggers::request_solved(
        &writable(&app),
        &StoreId::default_store(),
        OrderId::new(605),
        77,
        Timestamp::now(),
    )
    .unwrap();
    app.run_jobs_until_idle().await;
    let (state, reason) = survey_of(&app, 605, "request").unwrap();
    assert_eq!(
        (state.as_str(), reason.as_str()),
        ("skipped", "the order's parcels are not all delivered")
    );

    // A solved request is asked about (CSAT) and then counts for the throttle across kinds.
    deliver_ok(
        &app,
        "order.created",
        &order(606, "processing", "e@example.com", 90),
    )
    .await;
    let p = ship(&app, 606, "6001-0606", json!([]), 3000).await;
    aftercare::surveys::triggers::request_solved(
        &writable(&app),
        &StoreId::default_store(),
        OrderId::new(606),
        78,
        Timestamp::now() - SignedDuration::from_mins(1),
    )
    .unwrap();
    event(&app, p, "delivered", ago(2000)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 606, "request").unwrap().0, "asked");
    let (state, reason) = survey_of(&app, 606, "delivery").unwrap();
    assert_eq!(state, "skipped");
    assert!(reason.starts_with("throttled"), "{reason}");
    let kinds: Vec<(String, String)> = {
        let db = app.db();
        let mut stmt = db
            .prepare("SELECT kind, source FROM surveys WHERE state = 'asked' ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        kinds,
        [
            ("nps".to_owned(), "delivery".to_owned()),
            ("csat".to_owned(), "request".to_owned())
        ]
    );

    // A closed return is asked about too (an order collected without parcels).
    let mut collected: Value =
        serde_json::from_slice(&order(607, "completed", "f@example.com", 60)).unwrap();
    collected["date_completed_gmt"] = aftercare::woo::client::woo_date(ago(60)).into();
    deliver_ok(
        &app,
        "order.created",
        &serde_json::to_vec(&collected).unwrap(),
    )
    .await;
    let (status, ret) = app
        .post_json(
            "/api/v1/customers/42/orders/607/returns",
            &json!({"items": [{"line_item_id": 203, "quantity": 1, "reason": "damaged"}],
                    "resolution": "exchange"}),
        )
        .await;
    assert_eq!(status, 201, "{ret}");
    let id = ret["id"].as_i64().unwrap();
    for to in ["approved", "received"] {
        let (status, body) = app
            .post_json(
                &format!("/api/v1/returns/{id}/transitions"),
                &json!({"to": to}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 607, "return"), None, "not closed yet");
    let (status, body) = app
        .post_json(
            &format!("/api/v1/returns/{id}/transitions"),
            &json!({"to": "exchanged"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 607, "return").unwrap().0, "asked");
    app.stop().await;
}

#[tokio::test]
async fn the_link_only_preselects_a_post_records_and_changes_until_locked() {
    let app = TestApp::spawn_with(&format!(
        "timezone = \"UTC\"\n[surveys]\nnps_delay_days = 0\nedit_days = 1\n\
         review_url = \"https://reviews.example/nimbus\"\n{EVENTS_TOML}"
    ))
    .await;
    delivered_order(&app, 701, "minji@example.com", 1440).await;
    app.run_jobs_until_idle().await;
    let token = token_of(&app, 701);
    let link = format!("/s/{token}");
    let answers = |app: &TestApp| {
        app.db()
            .query_row(
                "SELECT score, revision, follow_up FROM surveys WHERE order_id = 701",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<i64>>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                },
            )
            .unwrap()
    };
    let answered_events = |app: &TestApp| {
        app.count("SELECT count(*) FROM event_deliveries WHERE type = 'survey_answered'")
    };

    // A scanner (or the customer) opening the score link: pre-selected, nothing recorded.
    for _ in 0..3 {
        let (status, html) = page(&app, &format!("{link}?score=9")).await;
        assert_eq!(status, 200);
        assert!(html.contains("value=\"9\" checked"), "{html}");
        assert_eq!(html.matches(" checked").count(), 1);
        assert!(html.contains("민지"), "greeted by first name");
        assert!(!html.contains("minji@example.com") && !html.contains("김민지"));
    }
    let (_, html) = page(&app, &format!("{link}?score=99")).await;
    assert!(
        !html.contains(" checked"),
        "an off-scale score selects nothing"
    );
    assert_eq!(answers(&app), (None, 0, false));
    assert_eq!(answered_events(&app), 0);
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE kind = 'survey_note'"),
        0
    );

    // Only the page's own form is taken.
    let form = nonce(&html);
    let (status, _) = post_form(&app, &link, &[("score", "3")], None).await;
    assert_eq!(status, 403, "no form nonce");
    let (status, _) = post_form(
        &app,
        &link,
        &[("score", "3"), ("form", &form)],
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(status, 403, "another site's form");
    assert_eq!(answers(&app), (None, 0, false));

    // A detractor: recorded once, flagged, and staff hear of it.
    let (status, html) = post_form(
        &app,
        &link,
        &[
            ("score", "3"),
            ("topic", "delivery"),
            ("comment", "Box was crushed"),
            ("form", &form),
        ],
        Some(&app.url("")),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        !html.contains("reviews.example"),
        "no review ask for a detractor"
    );
    assert_eq!(answers(&app), (Some(3), 1, true));
    assert_eq!(answered_events(&app), 1);
    let store = StoreId::default_store();
    let conn = writable(&app);
    // Support opened a request for it in the same transaction: none is left waiting.
    assert!(
        aftercare::surveys::follow_up::open(&conn, &store)
            .unwrap()
            .is_empty()
    );
    let follow_ups = |app: &TestApp| {
        let conn = app.db();
        let mut stmt = conn
            .prepare(
                "SELECT r.id, s.follow_up_request_id FROM support_requests r
                 JOIN surveys s ON s.id = r.follow_up_survey WHERE r.order_id = 701",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
    };
    let linked = follow_ups(&app);
    assert_eq!(linked.len(), 1, "one request, linked from the survey");
    assert_eq!(Some(linked[0].0), linked[0].1);
    let (status, inbox) = app.get("/api/v1/requests?status=open").await;
    assert_eq!(status, 200, "{inbox}");
    assert_eq!(inbox["total"], 1, "{inbox}");
    let request = &inbox["requests"][0];
    assert_eq!(request["id"], linked[0].0);
    assert_eq!(request["order_id"], 701);
    assert_eq!(request["follow_up"], true);
    assert_eq!(
        request["topic"], "where_is_my_order",
        "the answer was about delivery"
    );
    assert_eq!(request["messages"][0]["from"], "note");
    assert_eq!(request["messages"][0]["author"], "aftercare");
    let opening = request["messages"][0]["body"].as_str().unwrap();
    assert!(
        opening.contains("NPS 3/10") && opening.contains("Box was crushed"),
        "{opening}"
    );
    assert!(
        request.get("waiting_since").is_none(),
        "the customer did not write to support"
    );
    // The customer sees no request holding only a staff note, until staff write to them.
    let (status, mine) = app.get("/api/v1/customers/42/requests").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["requests"], json!([]), "{mine}");
    let (_, view) = app.get("/api/v1/customers/42/orders/701").await;
    assert_eq!(view["requests"], json!([]), "{view}");
    let (status, hidden) = app
        .get(&format!("/api/v1/customers/42/requests/{}", linked[0].0))
        .await;
    assert_eq!(status, 404, "{hidden}");
    let (status, replied) = app
        .post_json(
            &format!("/api/v1/requests/{}/replies", linked[0].0),
            &json!({"body": "Sorry about the box. What happened?", "internal": false, "author": "Jane"}),
        )
        .await;
    assert_eq!(status, 201, "{replied}");
    let (_, mine) = app.get("/api/v1/customers/42/requests").await;
    assert_eq!(mine["requests"][0]["id"], linked[0].0, "{mine}");
    assert_eq!(
        mine["requests"][0]["messages"][0]["body"], "Sorry about the box. What happened?",
        "the note stays the staff's"
    );
    let digest =
        aftercare::notify::digest::gather(&conn, &store, &aftercare::time::millis(ago(60)))
            .unwrap();
    assert_eq!(digest.unhappy.len(), 1, "the staff digest lists it");
    let (status, list) = app.get("/api/v1/surveys?kind=nps").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["surveys"][0]["group"], "detractor");
    assert_eq!(list["surveys"][0]["topic"], "delivery");
    assert_eq!(list["surveys"][0]["follow_up"], true);
    let (_, none) = app.get("/api/v1/surveys?kind=csat").await;
    assert_eq!(none["total"], 0);
    // The day of the answer itself (not the clock's, which may have passed midnight).
    let today: String = app
        .db()
        .query_row(
            "SELECT substr(answered_at, 1, 10) FROM surveys WHERE order_id = 701",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_, from_today) = app
        .get(&format!("/api/v1/surveys?from={today}&to={today}"))
        .await;
    assert_eq!(from_today["total"], 1, "{from_today}");
    let (_, before) = app
        .get(&format!(
            "/api/v1/surveys?to={}",
            ago(2 * 1440).strftime("%Y-%m-%d")
        ))
        .await;
    assert_eq!(before["total"], 0, "{before}");
    let (status, bad) = app.get("/api/v1/surveys?from=yesterday").await;
    assert_eq!(status, 400);
    assert_error(&bad, "invalid_query");

    // Changed while open: a promoter now, with the review invitation.
    let (status, html) = post_form(&app, &link, &[("score", "10"), ("form", &form)], None).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("href=\"https://reviews.example/nimbus\""),
        "{html}"
    );
    assert_eq!(answers(&app), (Some(10), 2, true));
    assert_eq!(answered_events(&app), 2);
    // Unhappy again: the survey already has its request, no second one.
    let (status, _) = post_form(&app, &link, &[("score", "2"), ("form", &form)], None).await;
    assert_eq!(status, 200);
    assert_eq!(answers(&app), (Some(2), 3, true));
    assert_eq!(follow_ups(&app), linked);
    let (_, inbox) = app.get("/api/v1/requests").await;
    assert_eq!(inbox["total"], 1, "{inbox}");
    let (status, _) = post_form(&app, &link, &[("score", "11"), ("form", &form)], None).await;
    assert_eq!(status, 422);
    assert_eq!(answers(&app).0, Some(2));

    // After the edit window: locked, and said so kindly.
    conn.execute(
        "UPDATE surveys SET answered_at = ?1 WHERE order_id = 701",
        [aftercare::time::millis(ago(2 * 1440)).to_string()],
    )
    .unwrap();
    let (status, html) = page(&app, &link).await;
    assert_eq!(status, 410);
    assert!(html.contains("Your answer is final"), "{html}");
    let (status, _) = post_form(&app, &link, &[("score", "1"), ("form", &form)], None).await;
    assert_eq!(status, 409);
    assert_eq!(answers(&app), (Some(2), 3, true));

    // Forged and expired links: a friendly page, never the survey.
    let mut forged = token.clone().into_bytes();
    forged[40] = if forged[40] == b'a' { b'b' } else { b'a' };
    let forged = format!("/s/{}", String::from_utf8(forged).unwrap());
    let (status, html) = page(&app, &forged).await;
    assert_eq!(status, 404);
    assert!(html.contains("This link is not valid"), "{html}");
    let (status, _) = post_form(&app, &forged, &[("score", "1")], None).await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, "/s/not-a-token").await;
    assert_eq!(status, 404);
    let keys = aftercare::surveys::token::Keys::derive([(&store, API_KEY)]);
    let survey: i64 = app
        .db()
        .query_row("SELECT id FROM surveys WHERE order_id = 701", [], |r| {
            r.get(0)
        })
        .unwrap();
    let expired = keys.token(&store, SurveyId::new(survey as u64), ago(1));
    let (status, html) = page(&app, &format!("/s/{expired}?lang=ko")).await;
    assert_eq!(status, 410);
    assert!(html.contains("설문이 종료되었습니다"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_survey_email_carries_score_links_and_the_answer_becomes_an_order_note() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let woo = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wc/v3/orders/801/notes"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&woo)
        .await;
    Mock::given(method("POST"))
        .and(path("/wp-json/wc/v3/orders/801/notes"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": 9001})))
        .mount(&woo)
        .await;
    let app = TestApp::spawn_with(&format!(
        "timezone = \"UTC\"\n[notify]\nchannel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{}\"\nmail_from = \"Shop <shop@nimbus.example>\"\n\
         quiet_hours = \"off\"\n[surveys]\nnps_delay_days = 0\n\
         [[stores]]\nid = \"default\"\nurl = \"{}\"\nconsumer_key = \"ck_test\"\nconsumer_secret = \"cs_test\"\n",
        sink.port,
        woo.uri()
    ))
    .await;
    delivered_order(&app, 801, "buyer@example.com", 600).await;
    app.run_jobs_until_idle().await;
    // The parcel's news is "delivered" (it arrived before "shipped" was told), then the survey.
    sink.wait_for(2).await;
    let mail = sink
        .messages()
        .into_iter()
        .find(|m| header(m, "X-Aftercare-Message").as_deref() == Some("survey"))
        .expect("a survey message");
    let token = token_of(&app, 801);
    let text = decoded_part(&mail, "text/plain");
    let html = decoded_part(&mail, "text/html");
    for score in 0..=10 {
        let link = app.url(&format!("/s/{token}?score={score}"));
        assert!(text.contains(&link), "{score} in {text}");
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "{score} in {html}"
        );
    }
    assert!(
        header(&mail, "List-Unsubscribe").is_some(),
        "a status-class message"
    );

    // The customer picks 9 on the page and sends it: a note on the order, retried once.
    let (_, page_html) = page(&app, &format!("/s/{token}?score=9")).await;
    let form = nonce(&page_html);
    let (status, _) = post_form(
        &app,
        &format!("/s/{token}"),
        &[("score", "9"), ("form", &form)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    app.run_jobs_until_idle().await;
    time_passes(&app);
    app.run_jobs_until_idle().await;
    let notes: Vec<Value> = woo
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/wp-json/wc/v3/orders/801/notes")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "a 503, then the note");
    assert_eq!(
        notes[1],
        json!({"note": "aftercare survey (after delivery): NPS 9/10 (promoter)", "customer_note": false})
    );
    assert_eq!(
        app.count("SELECT noted_revision FROM surveys WHERE order_id = 801"),
        1
    );
    app.stop().await;
}

/// The survey page (the form with a pre-selected score, the thank-you page, a closed link)
/// in English and Korean at a desktop and a phone width, drawn by headless Chromium. To
/// refresh the ones in the docs, run with `AFTERCARE_SCREENSHOTS_DIR=docs/screenshots`.
#[tokio::test(flavor = "multi_thread")]
async fn chromium_draws_the_survey_page_in_english_and_korean() {
    use crate::tracking::{chromium, screenshot};
    use std::path::{Path, PathBuf};

    let Some(binary) = chromium() else {
        missing_tool("chromium", "chromium");
        return;
    };
    let app = TestApp::spawn_with(
        "timezone = \"UTC\"\n[tracking.branding]\nstore_name = \"Nimbus & Tea Co.\"\n\
         primary_color = \"#0f766e\"\n[surveys]\nnps_delay_days = 0\n\
         review_url = \"https://reviews.example/nimbus\"\n",
    )
    .await;
    delivered_order(&app, 901, "minji@example.com", 1440).await;
    app.run_jobs_until_idle().await;
    let token = token_of(&app, 901);
    let out: PathBuf = std::env::var_os("AFTERCARE_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("survey-screenshots"));
    std::fs::create_dir_all(&out).unwrap();
    let files = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for lang in ["en", "ko"] {
        let (status, html) = page(&app, &format!("/s/{token}?score=9&lang={lang}")).await;
        assert_eq!(status, 200);
        pages.push((format!("survey-form-{lang}"), html));
    }
    let (_, form_page) = page(&app, &format!("/s/{token}")).await;
    let (status, thanks) = post_form(
        &app,
        &format!("/s/{token}?lang=en"),
        &[
            ("score", "10"),
            ("topic", "product"),
            ("form", &nonce(&form_page)),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    pages.push(("survey-thanks-en".to_owned(), thanks));
    let (status, forged) = page(&app, "/s/0000?lang=ko").await;
    assert_eq!(status, 404);
    pages.push(("survey-invalid-ko".to_owned(), forged));
    for (name, html) in pages {
        let file = files.path().join(format!("{name}.html"));
        std::fs::write(&file, html).unwrap();
        for (width, height) in [(1280, 900), (390, 1100)] {
            let shot = out.join(format!("{name}-{width}.png"));
            screenshot(
                &binary,
                format!("file://{}", file.display()),
                &shot,
                width,
                height,
            )
            .await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_survey_is_a_status_update_the_unsubscribe_stops_it() {
    let app = TestApp::spawn_with(
        "timezone = \"UTC\"\n[notify]\nquiet_hours = \"off\"\n\
         [surveys]\nnps_delay_days = 0\nthrottle_days = 0\n",
    )
    .await;
    delivered_order(&app, 1001, "once@example.com", 600).await;
    app.run_jobs_until_idle().await;
    let survey_message = |order: i64| -> (String, String) {
        app.db()
            .query_row(
                "SELECT state, reason FROM messages WHERE order_id = ?1 AND type = 'survey'",
                [order],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    assert_eq!(survey_message(1001).0, "pending", "to the plugin");
    let token: String = app
        .db()
        .query_row(
            "SELECT token FROM message_subscriptions WHERE recipient = 'once@example.com'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (status, _) = post_form(&app, &format!("/unsubscribe/{token}"), &[], None).await;
    assert_eq!(status, 200);
    delivered_order(&app, 1002, "once@example.com", 600).await;
    app.run_jobs_until_idle().await;
    assert_eq!(survey_of(&app, 1002, "delivery").unwrap().0, "asked");
    assert_eq!(
        survey_message(1002),
        (
            "skipped".to_owned(),
            "the customer unsubscribed from status_update".to_owned()
        )
    );
    app.stop().await;
}
