//! The daily staff digest end to end: the real service with a store in Seoul, a late
//! parcel, a waiting return and a failed message, and a real SMTP server (`smtp_sink.py`).
//! The clock is never waited on: the digest job is made due at its hour by moving its
//! `run_after`, as time passing would.

use aftercare::notify::digest::{next_after, slot};
use aftercare::woo::client::woo_date;
use base64::Engine as _;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::crash::free_port;
use crate::helpers::*;
use crate::notify::{Sink, header};

const FROM: &str = "Nimbus Test Shop <shop@nimbus.example>";
const SHOP_URL: &str = "https://nimbus.example/";

/// The Korean fixture as order `id` of customer 42: `completed_days_ago` or processing.
fn order(id: u64, email: &str, completed_days_ago: Option<i64>) -> Vec<u8> {
    let mut order: Value =
        serde_json::from_slice(&fixture("orders/registered-krw.updated.json")).unwrap();
    let now = Timestamp::now();
    order["id"] = id.into();
    order["number"] = format!("N-{id}").into();
    order["customer_id"] = 42.into();
    order["order_key"] = format!("wc_order_key{id}").into();
    order["refunds"] = json!([]);
    order["billing"]["email"] = email.into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    match completed_days_ago {
        Some(days) => {
            let at = woo_date(now - SignedDuration::from_hours(24 * days));
            order["status"] = "completed".into();
            order["date_completed_gmt"] = at.clone().into();
            order["date_modified_gmt"] = at.into();
        }
        None => {
            order["status"] = "processing".into();
            order["date_completed_gmt"] = Value::Null;
            order["date_completed"] = Value::Null;
            order["date_modified_gmt"] = woo_date(now - SignedDuration::from_hours(1)).into();
        }
    }
    serde_json::to_vec(&order).unwrap()
}

async fn deliver_ok(app: &TestApp, body: &[u8]) {
    let (status, answer) = app.deliver("order.updated", body).await;
    assert_eq!(status, 200, "{answer}");
}

async fn ship(app: &TestApp, order_id: u64, number: &str) -> u64 {
    let shipped = (Timestamp::now() - SignedDuration::from_hours(30))
        .round(jiff::Unit::Second)
        .unwrap();
    let (status, body) = app
        .post_json(
            &format!("/api/v1/orders/{order_id}/shipments"),
            &json!({"carrier": "cj-logistics", "tracking_number": number,
                    "shipped_at": shipped.to_string()}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().unwrap()
}

/// Makes `store`'s digest job due at `at`, as if the clock had reached it.
fn digest_due_at(app: &TestApp, store: &str, at: Timestamp) {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let n = c
        .execute(
            "UPDATE jobs SET run_after = ?2
             WHERE store_id = ?1 AND kind = 'staff_digest' AND done_at IS NULL",
            (store, aftercare::time::millis(at).as_str()),
        )
        .unwrap();
    assert_eq!(n, 1, "one digest job waits for {store}");
}

fn digest_job(app: &TestApp, store: &str) -> String {
    app.db()
        .query_row(
            "SELECT run_after FROM jobs
             WHERE store_id = ?1 AND kind = 'staff_digest' AND done_at IS NULL",
            [store],
            |r| r.get(0),
        )
        .unwrap()
}

fn digests(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    let c = app.db();
    let mut stmt = c
        .prepare(
            "SELECT store_id, recipient, dedupe_key, state, reason FROM messages
             WHERE type = 'staff_digest' ORDER BY id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The decoded text/plain part of a raw message (base64 or quoted-printable).
pub(super) fn plain_text(raw: &str) -> String {
    decoded_part(raw, "text/plain")
}

/// The decoded part of `content_type` of a raw message (base64 or quoted-printable).
pub fn decoded_part(raw: &str, content_type: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let part = raw
        .split("\n--")
        .find(|p| {
            p.to_ascii_lowercase()
                .contains(&format!("content-type: {content_type}"))
        })
        .expect("a part of that type");
    let (head, body) = part.split_once("\n\n").unwrap();
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let soft = body.replace("=\n", "");
        let bytes = soft.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 2 < bytes.len() {
                out.push(u8::from_str_radix(&soft[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_owned()
    }
}

#[tokio::test]
async fn one_digest_a_day_at_the_hour_listing_late_parcels_waiting_returns_and_failed_messages() {
    let port = free_port();
    let Some(sink) = Sink::start(port, false) else {
        return;
    };
    // The digest hour is the one twelve hours ago in Seoul: far from both days' hours, so
    // the real clock crosses neither while the test runs.
    let seoul = TimeZone::get("Asia/Seoul").unwrap();
    let now = Timestamp::now();
    let earlier = (now - SignedDuration::from_hours(12)).to_zoned(seoul.clone());
    let hour = earlier.hour();
    let today = slot(earlier.date(), hour, &seoul);
    let app = TestApp::spawn_with(&format!(
        "timezone = \"Asia/Seoul\"\n\
         [notify]\n\
         channel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"{FROM}\"\n\
         quiet_hours = \"off\"\n\
         digest_hour = {hour}\n\
         [returns]\n\
         window_days = 14\n"
    ))
    .await;
    // The shop's profile names its staff address and its URL (for the order links).
    let (status, body) = app
        .put_json(
            "/api/v1/store/profile",
            &json!({"name": "Nimbus Test Shop", "url": SHOP_URL,
                    "email": "Staff@Nimbus.example", "timezone": "Asia/Seoul",
                    "locale": "ko_KR"}),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {body}");

    // A parcel with a delivery problem (a delay alert), a message that cannot be sent
    // (the order's address is broken), a return waiting for approval.
    deliver_ok(&app, &order(8001, "minji.kim@example.com", None)).await;
    let late = ship(&app, 8001, "6001-0000-8001").await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/shipments/{late}/events"),
            &json!({"status": "exception",
                    "occurred_at": woo_date(now - SignedDuration::from_hours(2)) + "Z",
                    "description": "Recipient address not found"}),
        )
        .await;
    assert!(status == 201 || status == 200, "{status} {body}");
    deliver_ok(&app, &order(8002, "not-an-address", None)).await;
    ship(&app, 8002, "6001-0000-8002").await;
    deliver_ok(&app, &order(8003, "minji.kim@example.com", Some(2))).await;
    let (status, created) = app
        .post_json(
            "/api/v1/customers/42/orders/8003/returns",
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "damaged"}],
                    "resolution": "refund", "comment": "Broken."}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    app.run_jobs_until_idle().await;
    assert!(digests(&app).is_empty(), "not before the hour");
    let customer_mail = sink.messages().len();

    // Each store's digest waits for the next hour.
    assert_eq!(
        digest_job(&app, "default"),
        aftercare::time::millis(next_after(now, hour, &seoul)).as_str()
    );

    // The hour comes.
    digest_due_at(&app, "default", today);
    digest_due_at(&app, SECOND_STORE, today);
    app.run_jobs_until_idle().await;
    sink.wait_for(customer_mail + 1).await;
    let date = earlier.date().to_string();
    let decided = digests(&app);
    assert_eq!(decided.len(), 2, "{decided:?}");
    let key = format!("digest:{date}");
    assert_eq!(
        decided[0],
        (
            "default".to_owned(),
            "staff@nimbus.example".to_owned(),
            key.clone(),
            "sent".to_owned(),
            "sent by smtp".to_owned()
        )
    );
    // The other store has nothing to report: no digest, and why.
    assert_eq!(
        (&decided[1].0, &decided[1].2, &decided[1].3, &decided[1].4),
        (
            &SECOND_STORE.to_owned(),
            &key,
            &"skipped".to_owned(),
            &"nothing to report".to_owned()
        )
    );

    let mail = sink.messages();
    let sent: Vec<&String> = mail
        .iter()
        .filter(|m| header(m, "X-Aftercare-Message").as_deref() == Some("staff_digest"))
        .collect();
    assert_eq!(sent.len(), 1);
    let digest = sent[0];
    assert!(
        header(digest, "To")
            .unwrap()
            .contains("staff@nimbus.example")
    );
    assert_eq!(
        header(digest, "X-Aftercare-Order"),
        None,
        "about no one order"
    );
    assert_eq!(header(digest, "List-Unsubscribe"), None);
    let text = plain_text(digest);
    assert!(text.contains("주문 N-8001: 배송 문제 (shp_"), "{text}");
    assert!(text.contains("https://nimbus.example/wp-admin/post.php?post=8001&action=edit"));
    assert!(text.contains("주문 N-8003: ret_"), "{text}");
    assert!(text.contains("신청됨: 승인 또는 거절"));
    assert!(
        text.contains("주문 N-8002: msg_")
            && text.contains("the customer's email address is not valid"),
        "{text}"
    );
    assert!(
        text.contains("지연·문제 배송 1건, 처리 대기 반품 1건, 실패한 메시지 1건"),
        "{text}"
    );
    // The job waits for the next day's hour (deferred by the outbox: to the millisecond
    // or so).
    let next: Timestamp = digest_job(&app, "default").parse().unwrap();
    let drift = next.duration_since(next_after(today, hour, &seoul));
    assert!(drift.abs() < SignedDuration::from_secs(2), "{next}");

    // Later the same day, and after a restart: nothing more.
    digest_due_at(&app, "default", today + SignedDuration::from_hours(3));
    app.run_jobs_until_idle().await;
    let app = app
        .restart(&format!(
            "timezone = \"Asia/Seoul\"\n\
             [notify]\n\
             channel = \"smtp\"\n\
             smtp_url = \"smtp://127.0.0.1:{port}\"\n\
             mail_from = \"{FROM}\"\n\
             quiet_hours = \"off\"\n\
             digest_hour = {hour}\n"
        ))
        .await;
    digest_due_at(&app, "default", today + SignedDuration::from_hours(6));
    app.run_jobs_until_idle().await;
    assert_eq!(digests(&app).len(), 2);
    assert_eq!(
        sink.messages().len(),
        mail.len(),
        "no second digest that day"
    );
    app.stop().await;
}
