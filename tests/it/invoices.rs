//! Invoices and credit notes: issued proactively by the worker, numbered without gaps,
//! archived immutably, served as PDF, read back as text.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::helpers::*;

fn year() -> i16 {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year()
}

/// Polls the order view until its invoice is issued.
pub async fn wait_for_invoice(app: &TestApp, customer: u64, order: u64) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, view) = app
            .get(&format!("/api/v1/customers/{customer}/orders/{order}"))
            .await;
        assert_eq!(status, 200, "{view}");
        if !view["invoice"].is_null() {
            return view["invoice"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "order {order} was not invoiced in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_count(app: &TestApp, sql: &str, expected: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.count(sql) < expected {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {expected}: {sql}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("a readable PDF")
}

#[tokio::test]
async fn a_paid_order_gets_its_invoice_without_being_asked() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let invoice = wait_for_invoice(&app, 42, 1001).await;
    let number = format!("INV-{}-00001", year());
    assert_eq!(invoice["number"], number);
    assert!(
        invoice["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/customers/42/orders/1001/invoice.pdf")
    );

    let response = app
        .client
        .get(app.url("/api/v1/customers/42/orders/1001/invoice.pdf"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    for expected in [
        number.as_str(),
        "1001",
        "152130",
        "147000",
        "14700",
        "welcome10",
        "13830",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // Korean names and address come through (CJK fallback font: CI installs fonts-nanum).
    if std::path::Path::new("/usr/share/fonts/truetype/nanum/NanumGothic.ttf").exists() {
        for korean in ["민지", "서울특별시", "오버핏 후드 티셔츠", "카카오페이"]
        {
            assert!(text.contains(korean), "{korean} missing from:\n{text}");
        }
    } else {
        eprintln!("NOTICE: fonts-nanum is not installed; Korean text checks skipped");
    }

    // Another customer sees neither the order nor its invoice.
    let (status, body) = app
        .get("/api/v1/customers/43/orders/1001/invoice.pdf")
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    app.stop().await;
}

#[tokio::test]
async fn unpaid_orders_and_drafts_get_no_invoice() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/pending-eur.json"))
        .await;
    app.deliver("order.created", &fixture("orders/checkout-draft.json"))
        .await;
    // A paid order issued after them proves the worker has run past them.
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    wait_for_invoice(&app, 42, 1001).await;
    let (status, body) = app
        .get("/api/v1/customers/43/orders/1004/invoice.pdf")
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "invoice_not_found");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'"),
        1
    );

    // Once it is paid, it is invoiced.
    let mut paid: serde_json::Value =
        serde_json::from_slice(&fixture("orders/pending-eur.json")).unwrap();
    paid["status"] = "processing".into();
    paid["date_paid_gmt"] = "2026-11-21T09:00:00".into();
    paid["date_modified_gmt"] = "2026-11-21T09:00:00".into();
    app.deliver("order.updated", &serde_json::to_vec(&paid).unwrap())
        .await;
    let invoice = wait_for_invoice(&app, 43, 1004).await;
    assert_eq!(invoice["number"], format!("INV-{}-00002", year()));
    app.stop().await;
}

#[tokio::test]
async fn numbering_is_exactly_one_to_n_under_concurrent_payments() {
    let app = TestApp::spawn().await;
    const ORDERS: u64 = 40;
    let mut tasks = Vec::new();
    for id in 0..ORDERS {
        let client = app.client.clone();
        let url = app.url("/webhooks/woocommerce");
        tasks.push(tokio::spawn(async move {
            let mut order: serde_json::Value = serde_json::from_slice(&customer_order(
                5000 + id,
                1 + id % 5,
                "2026-11-20T10:00:00",
            ))
            .unwrap();
            order["refunds"] = serde_json::json!([]);
            // created, then the same body again, then a newer update: three deliveries.
            let first = serde_json::to_vec(&order).unwrap();
            order["date_modified_gmt"] = "2026-11-20T11:00:00".into();
            let second = serde_json::to_vec(&order).unwrap();
            for (topic, body) in [
                ("order.created", &first),
                ("order.updated", &first),
                ("order.updated", &second),
            ] {
                let status = client
                    .post(&url)
                    .header("x-wc-webhook-topic", topic)
                    .header(
                        "x-wc-webhook-signature",
                        aftercare::webhook::signature::sign(body, SECRET),
                    )
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 200);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM documents WHERE kind = 'invoice'",
        ORDERS as i64,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await; // nothing more may appear
    let db = app.db();
    let sequences: Vec<i64> = db
        .prepare("SELECT sequence FROM documents WHERE kind = 'invoice' ORDER BY sequence")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sequences, (1..=ORDERS as i64).collect::<Vec<_>>());
    let orders: BTreeSet<i64> = db
        .prepare("SELECT order_id FROM documents WHERE kind = 'invoice'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(orders.len(), ORDERS as usize, "one invoice per order");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL"),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn issued_documents_are_immutable_and_refunds_get_credit_notes() {
    let app = TestApp::spawn().await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let invoice = wait_for_invoice(&app, 42, 1001).await;
    wait_for_count(
        &app,
        "SELECT COUNT(*) FROM documents WHERE kind = 'credit_note'",
        1,
    )
    .await;
    let (path, sha): (String, String) = app
        .db()
        .query_row(
            "SELECT path, sha256 FROM documents WHERE kind = 'invoice'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let file = app.dir.path().join("data").join(&path);
    let before = std::fs::read(&file).unwrap();
    assert_eq!(hex_sha256(&before), sha, "the recorded hash is the file's");

    // The order changes (completed); its invoice does not.
    app.deliver(
        "order.updated",
        &fixture("orders/registered-krw.updated.json"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(app.count("SELECT COUNT(*) FROM documents"), 2);
    let (_, view) = app.get("/api/v1/customers/42/orders/1001").await;
    assert_eq!(view["invoice"], invoice);

    // The credit note references the invoice and carries the refunded amount.
    let (number, reference, cn_path): (String, String, String) = app
        .db()
        .query_row(
            "SELECT number, reference, path FROM documents WHERE kind = 'credit_note'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(number, format!("CN-{}-00001", year()));
    assert_eq!(reference, invoice["number"].as_str().unwrap());
    let text = pdf_text(&std::fs::read(app.dir.path().join("data").join(cn_path)).unwrap());
    for expected in [number.as_str(), reference.as_str(), "-15000", "1101"] {
        assert!(
            text.contains(expected),
            "{expected} missing from credit note:\n{text}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_hundred_line_order_paginates() {
    let app = TestApp::spawn().await;
    let mut order: serde_json::Value =
        serde_json::from_slice(&fixture("orders/guest-usd.json")).unwrap();
    let template = order["line_items"][0].clone();
    let mut items = Vec::new();
    for i in 0..100u64 {
        let mut item = template.clone();
        item["id"] = (9000 + i).into();
        item["name"] = format!("Widget number {i}").into();
        item["quantity"] = 1.into();
        item["subtotal"] = "1.00".into();
        item["total"] = "1.00".into();
        items.push(item);
    }
    order["line_items"] = items.into();
    order["customer_id"] = 77.into();
    app.deliver("order.created", &serde_json::to_vec(&order).unwrap())
        .await;
    wait_for_invoice(&app, 77, 1002).await;
    let response = app
        .client
        .get(app.url("/api/v1/customers/77/orders/1002/invoice.pdf"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    let pdf = response.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("Widget number 0") && text.contains("Widget number 99"));
    assert!(
        text.contains("Page 1 of") && text.contains("Page 2 of"),
        "{text}"
    );
    app.stop().await;
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
