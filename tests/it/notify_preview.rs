//! The staff preview of customer messages: real orders, real parcels, the real templates,
//! nothing recorded or sent; and the screenshots of every message type in Chromium.
//!
//! Screenshots go under the target directory so a test run leaves the tree clean; to refresh
//! the ones in the docs, run it with `AFTERCARE_SCREENSHOTS_DIR=docs/screenshots`.

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::tracking::{chromium, screenshot};

const META: &str = "_wc_shipment_tracking_items";

fn at(hours_from_now: i64) -> String {
    (Timestamp::now() + SignedDuration::from_hours(hours_from_now))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string()
}

/// A paid order of 김민준 in Korean (KRW), or of Emily Carter in English (USD).
fn order(id: u64, korean: bool) -> Value {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != META);
    let (first, last, email, locale) = if korean {
        ("민준", "김", "minjun.kim@example.com", "ko_KR")
    } else {
        ("Emily", "Carter", "emily.carter@example.com", "en_US")
    };
    order["billing"]["first_name"] = first.into();
    order["billing"]["last_name"] = last.into();
    order["billing"]["email"] = email.into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 9900, "key": "_aftercare_locale", "value": locale}));
    // Placed this morning: not late yet.
    for key in ["date_created_gmt", "date_paid_gmt", "date_modified_gmt"] {
        order[key] = at(-3).trim_end_matches('Z').into();
    }
    if !korean {
        order["currency"] = "USD".into();
        order["total"] = "89.50".into();
    }
    order
}

async fn ship(app: &TestApp, order_id: u64, carrier: &str, number: &str) -> u64 {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/orders/{order_id}/shipments"),
            &json!({"carrier": carrier, "tracking_number": number, "shipped_at": at(-1)}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().unwrap()
}

async fn scan(app: &TestApp, shipment: u64, status: &str, location: &str, eta_hours: i64) {
    let (code, body) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": status, "occurred_at": at(-2), "location": location,
                    "description": "Departed hub", "eta": at(eta_hours)}),
        )
        .await;
    assert!(code == 201 || code == 200, "{code} {body}");
}

fn count(app: &TestApp, table: &str) -> i64 {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// What a preview leaves behind: nothing, in any of these.
fn footprint(app: &TestApp) -> Vec<i64> {
    [
        "messages",
        "message_subscriptions",
        "event_deliveries",
        "jobs",
    ]
    .iter()
    .map(|t| count(app, t))
    .collect()
}

async fn preview(app: &TestApp, order_id: u64, query: &str) -> (u16, Value) {
    app.get(&format!(
        "/api/v1/orders/{order_id}/messages/preview?{query}"
    ))
    .await
}

#[tokio::test]
async fn staff_preview_renders_any_message_from_the_orders_facts_and_records_nothing() {
    let app = TestApp::spawn().await;
    let body = serde_json::to_vec(&order(5001, true)).unwrap();
    let (status, answer) = app.deliver("order.created", &body).await;
    assert_eq!(status, 200, "{answer}");
    let parcel = ship(&app, 5001, "cj-logistics", "568912340017").await;
    scan(&app, parcel, "in_transit", "곤지암 허브", 30).await;
    app.run_jobs_until_idle().await;
    let before = footprint(&app);

    // The order's language by default, its real parcel, a marked unsubscribe link.
    let (status, shipped) = preview(&app, 5001, "type=shipped").await;
    assert_eq!(status, 200, "{shipped}");
    assert_eq!(shipped["type"], "shipped");
    assert_eq!(shipped["lang"], "ko");
    assert_eq!(shipped["subject"], "[Nimbus Test Shop] 주문 5001 발송 안내");
    let (html, text) = (
        shipped["html"].as_str().unwrap(),
        shipped["text"].as_str().unwrap(),
    );
    assert!(html.contains("김민준님, 안녕하세요."), "{html}");
    assert!(html.contains("CJ대한통운") && html.contains("568912340017"));
    assert!(text.contains("송장번호: 568912340017"), "{text}");
    assert!(
        text.contains("/unsubscribe/preview-not-a-real-link"),
        "{text}"
    );
    assert!(text.contains("/t/"), "the order's tracking page: {text}");

    // Another language on request, every customer type, transactional ones without unsubscribe.
    let (status, en) = preview(&app, 5001, "type=shipped&lang=en").await;
    assert_eq!(status, 200, "{en}");
    assert_eq!(en["lang"], "en");
    assert_eq!(en["subject"], "[Nimbus Test Shop] Order 5001 has shipped");
    for kind in [
        "order_confirmation",
        "out_for_delivery",
        "delivered",
        "delayed",
        "return_update",
        "survey",
    ] {
        let (status, m) = preview(&app, 5001, &format!("type={kind}&lang=en")).await;
        assert_eq!(status, 200, "{kind}: {m}");
        assert_eq!(m["type"], kind);
        let unsubscribable = !matches!(kind, "order_confirmation" | "return_update");
        assert_eq!(
            m["text"].as_str().unwrap().contains("/unsubscribe/"),
            unsubscribable,
            "{kind}: {}",
            m["text"]
        );
    }
    let (_, delayed) = preview(&app, 5001, "type=delayed&lang=ko").await;
    assert!(
        delayed["text"].as_str().unwrap().contains("새 예정일: "),
        "{delayed}"
    );

    // The HTML part itself, for a browser.
    let response = app
        .client
        .get(app.url("/api/v1/orders/5001/messages/preview?type=delivered&lang=ko&format=html"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("배송 완료"),
        "{page}"
    );

    // Nothing was recorded, queued, published or remembered.
    app.run_jobs_until_idle().await;
    assert_eq!(footprint(&app), before);

    // Errors in the house shape.
    let (status, missing) = preview(&app, 999_999, "type=shipped").await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["code"], "order_not_found");
    for query in [
        "type=bogus",
        "type=staff_digest",
        "",
        "type=shipped&lang=fr",
        "type=shipped&format=pdf",
    ] {
        let (status, bad) = preview(&app, 5001, query).await;
        assert_eq!(status, 422, "{query}: {bad}");
        assert_eq!(bad["error"]["code"], "validation_failed", "{query}");
    }
    let (status, _) = app
        .get_as("/api/v1/orders/5001/messages/preview?type=shipped", "wrong")
        .await;
    assert_eq!(status, 401);
    // Another store's key does not see this store's order.
    let (status, _) = app
        .get_as(
            "/api/v1/orders/5001/messages/preview?type=shipped",
            SECOND_API_KEY,
        )
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// Every customer message type in English and Korean at a desktop and a phone width, from
/// the preview of a realistic order, drawn by headless Chromium.
#[tokio::test(flavor = "multi_thread")]
async fn chromium_renders_every_message_type_in_english_and_korean() {
    let Some(binary) = chromium() else {
        missing_tool("chromium", "chromium");
        return;
    };
    let app = TestApp::spawn_with(
        "[tracking.branding]\nstore_name = \"Nimbus & Tea Co.\"\nprimary_color = \"#0f766e\"\n",
    )
    .await;
    let orders = [
        (5102, "en", "ups", "1Z999AA10123456784", "Louisville, KY"),
        (5101, "ko", "cj-logistics", "568912340017", "곤지암 허브"),
    ];
    for (id, lang, ..) in orders {
        let body = serde_json::to_vec(&order(id, lang == "ko")).unwrap();
        let (status, answer) = app.deliver("order.created", &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let out: PathBuf = std::env::var_os("AFTERCARE_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("message-screenshots"));
    std::fs::create_dir_all(&out).unwrap();
    let pages = tempfile::tempdir().unwrap();
    let mut parcels = [0u64; 2];
    // Each message is drawn when the order is where that message would be sent.
    for kind in [
        "order_confirmation",
        "shipped",
        "delayed",
        "out_for_delivery",
        "delivered",
        "return_update",
        "survey",
    ] {
        for (n, (order_id, lang, carrier, number, location)) in orders.into_iter().enumerate() {
            match kind {
                "shipped" => {
                    parcels[n] = ship(&app, order_id, carrier, number).await;
                    scan(&app, parcels[n], "in_transit", location, 40).await;
                }
                "out_for_delivery" => {
                    scan(&app, parcels[n], "out_for_delivery", location, 6).await;
                }
                "delivered" => scan(&app, parcels[n], "delivered", location, 0).await,
                "return_update" => approved_return(&app, order_id, lang).await,
                _ => {}
            }
            let (status, m) = preview(&app, order_id, &format!("type={kind}&lang={lang}")).await;
            assert_eq!(status, 200, "{kind} {lang}: {m}");
            let page = pages.path().join(format!("{kind}-{lang}.html"));
            std::fs::write(&page, m["html"].as_str().unwrap()).unwrap();
            for (width, height) in [(1280, 760), (390, 860)] {
                let shot = out.join(format!(
                    "message-{}-{lang}-{width}.png",
                    kind.replace('_', "-")
                ));
                screenshot(
                    &binary,
                    format!("file://{}", page.display()),
                    &shot,
                    width,
                    height,
                )
                .await;
            }
        }
    }
    app.stop().await;
}

/// The order completed, a hoodie returned for a refund, and the return approved with a note.
async fn approved_return(app: &TestApp, order_id: u64, lang: &str) {
    let mut done = order(order_id, lang == "ko");
    done["status"] = "completed".into();
    done["date_completed_gmt"] = at(-1).trim_end_matches('Z').into();
    done["date_modified_gmt"] = at(-1).trim_end_matches('Z').into();
    let (status, answer) = app
        .deliver("order.updated", &serde_json::to_vec(&done).unwrap())
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, created) = app
        .post_json(
            &format!("/api/v1/customers/42/orders/{order_id}/returns"),
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "too_small"}],
                    "resolution": "refund", "comment": "Too small."}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let note = if lang == "ko" {
        "반품 라벨을 메일로 보내 드렸습니다. 7일 이내에 CJ대한통운 편의점 택배로 보내 주세요."
    } else {
        "We emailed you a prepaid UPS label; please drop the parcel off within 7 days."
    };
    let (status, moved) = app
        .post_json(
            &format!("/api/v1/returns/{}/transitions", created["id"]),
            &json!({"to": "approved", "note": note, "by": "Jae (support)"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
}
