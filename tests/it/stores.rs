//! A hundred stores in one process, each with its own secrets, API key, time zone,
//! branding and 17TRACK account, all delivering the same order ids at once: every store sees
//! its own orders only, signs only for itself, and its feed registrations go out under its
//! own key.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

const STORES: usize = 100;
const ORDERS: u64 = 5;
const ZONES: [&str; 4] = ["Asia/Seoul", "America/Los_Angeles", "Europe/Berlin", "UTC"];

fn id(n: usize) -> String {
    format!("shop{n:03}")
}

fn secret(n: usize) -> String {
    format!("webhook-secret-of-shop-{n:03}-0123456789")
}

fn key(n: usize) -> String {
    format!("api-key-of-shop-{n:03}-0123456789")
}

/// Odd stores speak Korean to customers whose order names no language, even ones English.
fn language(n: usize) -> &'static str {
    if n % 2 == 1 { "ko" } else { "en" }
}

fn tracker_key(n: usize) -> String {
    format!("17track-key-{n:03}")
}

/// Store `n`'s parcel of order `order`: a CJ number no other store has.
fn number(n: usize, order: u64) -> String {
    format!("5{n:03}{order:08}")
}

fn order(n: usize, order: u64) -> Vec<u8> {
    let mut o: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    o["id"] = order.into();
    o["number"] = format!("{}-{order}", id(n)).into();
    o["customer_id"] = 42.into();
    o["billing"]["email"] = format!("customer@{}.example", id(n)).into();
    o["refunds"] = json!([]);
    // Not paid yet: no invoice to render, this test is about the stores, not the PDFs.
    o["status"] = "on-hold".into();
    o["date_paid"] = Value::Null;
    o["date_paid_gmt"] = Value::Null;
    for meta in o["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == "_wc_shipment_tracking_items" {
            let mut item = meta["value"][0].clone();
            item["tracking_number"] = number(n, order).into();
            meta["value"] = json!([item]);
        }
    }
    serde_json::to_vec(&o).unwrap()
}

/// 17TRACK's `/register`: accepts everything and remembers which key asked for which number.
#[derive(Clone, Default)]
struct Registrations(std::sync::Arc<std::sync::Mutex<HashMap<String, String>>>);

impl Respond for Registrations {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let token = request
            .headers
            .get("17token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let items: Vec<Value> = serde_json::from_slice(&request.body).unwrap_or_default();
        let mut seen = self.0.lock().unwrap();
        for item in &items {
            seen.insert(
                item["number"].as_str().unwrap_or_default().to_owned(),
                token.clone(),
            );
        }
        let accepted: Vec<Value> = items
            .iter()
            .map(|i| json!({"origin": 1, "number": i["number"], "carrier": 100116}))
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "data": {"accepted": accepted, "rejected": []}}))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_stores_in_one_process_stay_apart_under_concurrent_load() {
    let tracker = MockServer::start().await;
    let registrations = Registrations::default();
    Mock::given(method("POST"))
        .and(path("/register"))
        .respond_with(registrations.clone())
        .mount(&tracker)
        .await;
    let mut toml = String::from("[feeds]\npoll_seconds = 3600\n");
    for n in 1..=STORES {
        toml.push_str(&format!(
            "[[stores]]\nid = \"{}\"\nwebhook_secrets = [\"{}\"]\napi_key = \"{}\"\ntimezone = \"{}\"\n\
             [tracking.stores.{}]\nstore_name = \"Shop number {n}\"\ndefault_language = \"{}\"\n\
             [feeds.stores.{}.17track]\napi_key = \"{}\"\nurl = \"{}\"\n",
            id(n),
            secret(n),
            key(n),
            ZONES[n % ZONES.len()],
            id(n),
            language(n),
            id(n),
            tracker_key(n),
            tracker.uri()
        ));
    }
    let app = TestApp::spawn_with(&toml).await;

    // Every store delivers orders 1..=5 at once: the same ids, 500 deliveries, 32 in flight.
    let deliveries: Vec<(usize, u64)> = (1..=STORES)
        .flat_map(|n| (1..=ORDERS).map(move |o| (n, o)))
        .collect();
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let mut sending = tokio::task::JoinSet::new();
    for (n, o) in deliveries {
        let (client, url, slots) = (
            app.client.clone(),
            app.url(&format!("/webhooks/woocommerce/{}", id(n))),
            slots.clone(),
        );
        sending.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            let body = order(n, o);
            client
                .post(url)
                .header("x-wc-webhook-topic", "order.created")
                .header(
                    "x-wc-webhook-signature",
                    aftercare::webhook::signature::sign(&body, &secret(n)),
                )
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let statuses: Vec<u16> = sending.join_all().await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // A store's secret signs for that store only.
    let forged = app
        .deliver_signed(
            &format!("/webhooks/woocommerce/{}", id(1)),
            "order.created",
            &order(1, 99),
            &secret(2),
        )
        .await;
    assert_eq!(forged.status(), 401);
    app.run_jobs_until_idle().await;

    for n in 1..=STORES {
        // Its key sees its orders, never another store's of the same id.
        let (status, list) = app
            .get_as("/api/v1/customers/42/orders?per_page=20", &key(n))
            .await;
        assert_eq!(status, 200, "{list}");
        let mut numbers: Vec<String> = list["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["number"].as_str().unwrap().to_owned())
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=ORDERS).map(|o| format!("{}-{o}", id(n))).collect();
        assert_eq!(numbers, expected, "store {}", id(n));
        // Its messages speak its language to a customer whose order names none.
        let (status, preview) = app
            .get_as("/api/v1/orders/3/messages/preview?type=shipped", &key(n))
            .await;
        assert_eq!(status, 200, "{preview}");
        let hangul = preview["subject"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        assert_eq!(hangul, language(n) == "ko", "{}: {preview}", id(n));
        // Its tracking page wears its own name.
        let (_, view) = app.get_as("/api/v1/customers/42/orders/3", &key(n)).await;
        let page = app.text(view["tracking_url"].as_str().unwrap()).await;
        assert!(
            page.contains(&format!("Shop number {n}<")),
            "store {}",
            id(n)
        );
        // ... and, to a browser that names no language, speaks the store's.
        assert!(
            page.contains(&format!("<html lang=\"{}\">", language(n))),
            "store {}",
            id(n)
        );
        for other in [n % STORES + 1, (n + 49) % STORES + 1] {
            assert!(!page.contains(&format!("Shop number {other}<")));
        }
    }
    // An unsubscribe link speaks its store's language to a browser that names none.
    for n in [1, 2] {
        let token = format!("{n:032x}");
        // A link as a status message to the store's customer would carry (written beside
        // the running service, as a second connection may in WAL mode).
        let db = rusqlite::Connection::open(app.db_path()).unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db.execute(
            "INSERT INTO message_subscriptions (token, store_id, recipient, class, created_at)
                 VALUES (?1, ?2, 'minji@example.com', 'status_update', '2026-12-04T10:00:00.000Z')",
            (&token, id(n)),
        )
        .unwrap();
        let page = app.text(app.url(&format!("/unsubscribe/{token}"))).await;
        assert!(
            page.contains(&format!("<html lang=\"{}\">", language(n))),
            "unsubscribe page of {}",
            id(n)
        );
    }
    // Each parcel was registered with 17TRACK under its own store's key.
    crate::helpers::eventually(
        "every parcel registered",
        Duration::from_secs(60),
        || async {
            app.run_jobs_until_idle().await;
            registrations.0.lock().unwrap().len() == STORES * ORDERS as usize
        },
    )
    .await;
    let seen = registrations.0.lock().unwrap().clone();
    for n in 1..=STORES {
        for o in 1..=ORDERS {
            assert_eq!(
                seen.get(&number(n, o)).map(String::as_str),
                Some(tracker_key(n).as_str()),
                "parcel {o} of {}",
                id(n)
            );
        }
    }
    let metrics = app.metrics().await;
    for n in [1, 50, 100] {
        assert!(
            metrics.contains(&format!(
                "aftercare_webhook_deliveries_total{{store=\"{}\",outcome=\"accepted\"}} {ORDERS}",
                id(n)
            )),
            "{}",
            id(n)
        );
    }
    app.stop().await;
}
