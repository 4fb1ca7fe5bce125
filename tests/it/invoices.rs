//! Invoices and credit notes: issued proactively by the worker, numbered without gaps,
//! archived immutably, served as PDF, read back as text.

use aftercare::ids::StoreId;
use std::collections::BTreeSet;
use std::time::Duration;

use crate::helpers::*;

/// The shop's zone for tests whose numbers carry this year as [`year`] reads it.
const UTC: &str = "timezone = \"UTC\"";

/// This year in UTC: the `{year}` of numbers issued now in a shop configured with [`UTC`].
fn year() -> i16 {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year()
}

/// Waits until the order view shows its invoice, and returns it.
pub async fn wait_for_invoice(app: &TestApp, customer: u64, order: u64) -> serde_json::Value {
    let path = format!("/api/v1/customers/{customer}/orders/{order}");
    let invoice = || async {
        let (status, view) = app.get(&path).await;
        assert_eq!(status, 200, "{view}");
        view["invoice"].clone()
    };
    eventually(
        &format!("order {order} invoiced"),
        Duration::from_secs(20),
        || async { !invoice().await.is_null() },
    )
    .await;
    invoice().await
}

/// Issuing a whole batch can take a while on a loaded machine.
const ISSUED_WITHIN: Duration = Duration::from_secs(60);

async fn wait_for_count(app: &TestApp, sql: &str, expected: i64) {
    app.wait_for_count(sql, expected, ISSUED_WITHIN).await;
}

/// The Korean order (it carries a refund) delivered, and its invoice and credit note issued;
/// returns the order view's `invoice`.
async fn invoiced_with_credit_note(app: &TestApp) -> serde_json::Value {
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    let invoice = wait_for_invoice(app, 42, 1001).await;
    wait_for_count(
        app,
        "SELECT COUNT(*) FROM documents WHERE kind = 'credit_note'",
        1,
    )
    .await;
    invoice
}

pub fn pdf_text(bytes: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(bytes).expect("a readable PDF")
}

#[tokio::test]
async fn a_paid_order_gets_its_invoice_without_being_asked() {
    let app = TestApp::spawn_with(UTC).await;
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
        "152,130 KRW",
        "147,000 KRW",
        "-14,700 KRW",
        "welcome10",
        "13,830 KRW",
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
        missing_tool("the Nanum Korean font", "fonts-nanum");
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
    let app = TestApp::spawn_with(UTC).await;
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
    app.run_jobs_until_idle().await; // nothing more may appear
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
    // Every job the payments caused is done; the staff digest always waits for its hour.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND kind != 'staff_digest'"),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn issued_documents_are_immutable_and_refunds_get_credit_notes() {
    let app = TestApp::spawn_with(UTC).await;
    let invoice = invoiced_with_credit_note(&app).await;
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
    // The settings it was issued under are recorded with it.
    let settings: serde_json::Value = app
        .db()
        .query_row(
            "SELECT settings FROM documents WHERE kind = 'invoice'",
            [],
            |r| r.get::<_, String>(0),
        )
        .map(|s| serde_json::from_str(&s).unwrap())
        .unwrap();
    assert_eq!(settings["numbering"]["prefix"], "INV-{year}-");
    assert!(
        settings["seller"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert!(settings["seller"]["lines"].is_array());
    assert_eq!(settings["renderer"]["engine"], "krilla");
    assert!(settings["renderer"]["fallback_fonts"].is_array());
    assert!(settings["timezone"].is_string());

    // The order changes (completed); its invoice does not.
    app.deliver(
        "order.updated",
        &fixture("orders/registered-krw.updated.json"),
    )
    .await;
    app.run_jobs_until_idle().await;
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
    for expected in [number.as_str(), reference.as_str(), "-15,000", "1101"] {
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

/// GET without any API key, as a guest's browser or an email link would.
async fn fetch_public(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(url).send().await.unwrap()
}

/// `url` with one query parameter replaced.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

#[tokio::test]
async fn signed_links_work_until_they_expire_and_reject_tampering() {
    let app = TestApp::spawn().await;
    let invoice = invoiced_with_credit_note(&app).await;
    let (invoice_id, invoice_sha, cn_id): (i64, String, i64) = app
        .db()
        .query_row(
            "SELECT i.id, i.sha256, c.id FROM documents i, documents c
             WHERE i.kind = 'invoice' AND c.kind = 'credit_note'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();

    // The customer's view carries a public link besides the API address.
    let link = invoice["download_url"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&app.url(&format!("/documents/{invoice_id}?expires="))),
        "{link}"
    );
    let expires = jiff::Timestamp::from_second(
        reqwest::Url::parse(&link)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "expires")
            .unwrap()
            .1
            .parse()
            .unwrap(),
    )
    .unwrap();
    let days = (expires - jiff::Timestamp::now()).get_seconds() as f64 / 86_400.0;
    assert!((30.0..=31.0).contains(&days), "link valid for {days} days");
    assert_eq!(
        expires.as_second() % 86_400,
        0,
        "expiry rounded to midnight UTC"
    );
    assert_eq!(
        invoice["download_expires_at"],
        aftercare::time::seconds(expires)
    );
    let response = fetch_public(&app, &link).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        hex_sha256(&response.bytes().await.unwrap()),
        invoice_sha,
        "the link serves the archived bytes"
    );

    // Any change to the link breaks it, and the answer says nothing about what changed.
    let signature = reqwest::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "signature")
        .unwrap()
        .1
        .into_owned();
    let mut flipped = signature.clone().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    let tampered = [
        with_param(&link, "signature", std::str::from_utf8(&flipped).unwrap()),
        with_param(
            &link,
            "expires",
            &(expires.as_second() + 86_400).to_string(),
        ),
        link.replace(
            &format!("/documents/{invoice_id}?"),
            &format!("/documents/{cn_id}?"),
        ),
        link.replace(&format!("/documents/{invoice_id}?"), "/documents/999999?"),
        // Cut short or garbled: as forged as a wrong signature.
        link.split('?').next().unwrap().to_owned(),
        with_param(&link, "expires", "soon"),
        link.split("&signature=").next().unwrap().to_owned(),
    ];
    for url in tampered {
        let response = fetch_public(&app, &url).await;
        assert_eq!(response.status(), 403, "{url}");
        let (_, body) = read(response).await;
        assert_error(&body, "invalid_link");
    }

    // A genuine link past its expiry is gone, not forbidden.
    let key = aftercare::invoice::links::LinkKey::derive(API_KEY);
    let past = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(60);
    let expired =
        aftercare::invoice::links::link(&key, "", &StoreId::default_store(), invoice_id, past);
    let (status, body) = read(fetch_public(&app, &app.url(&expired.url)).await).await;
    assert_eq!(status, 410);
    assert_error(&body, "link_expired");
    // The second store's key cannot sign the default store's documents.
    let foreign = aftercare::invoice::links::LinkKey::derive(SECOND_API_KEY);
    let future = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let forged = aftercare::invoice::links::link(
        &foreign,
        "",
        &StoreId::default_store(),
        invoice_id,
        future,
    );
    assert_eq!(
        fetch_public(&app, &app.url(&forged.url)).await.status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn credit_notes_guests_and_staff_get_their_documents() {
    let app = TestApp::spawn_with(UTC).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.deliver("order.created", &fixture("orders/guest-usd.json"))
        .await;
    wait_for_invoice(&app, 42, 1001).await;
    wait_for_count(&app, "SELECT COUNT(*) FROM documents", 3).await;

    // The customer's view lists the credit note; its PDF is served by id.
    let (_, view) = app.get("/api/v1/customers/42/orders/1001").await;
    let notes = view["credit_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{view}");
    let note = &notes[0];
    assert_eq!(note["number"], format!("CN-{}-00001", year()));
    assert_eq!(note["invoice_number"], view["invoice"]["number"]);
    assert_eq!(note["total"], "15000");
    let cn_id = note["id"].as_i64().unwrap();
    let api_url = app.url(&format!(
        "/api/v1/customers/42/orders/1001/documents/{cn_id}"
    ));
    assert_eq!(note["url"], api_url);
    let response = app
        .client
        .get(&api_url)
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = pdf_text(&response.bytes().await.unwrap());
    assert!(
        text.contains("CREDIT NOTE") && text.contains("-15,000"),
        "{text}"
    );
    // Not without the key, not for another customer, not an id of another order.
    assert_eq!(app.client.get(&api_url).send().await.unwrap().status(), 401);
    let (status, body) = app
        .get(&format!(
            "/api/v1/customers/43/orders/1001/documents/{cn_id}"
        ))
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "order_not_found");
    let guest_invoice_id: i64 = app
        .db()
        .query_row("SELECT id FROM documents WHERE order_id = 1002", [], |r| {
            r.get(0)
        })
        .unwrap();
    let (status, body) = app
        .get(&format!(
            "/api/v1/customers/42/orders/1001/documents/{guest_invoice_id}"
        ))
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "document_not_found");
    let (status, body) = app
        .get("/api/v1/customers/42/orders/1001/documents/abc")
        .await;
    assert_eq!(status, 400);
    assert_error(&body, "invalid_path");

    // A guest's view points straight at signed links: a browser needs no API key.
    let (status, guest) = app
        .get("/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=ZOE.OBRIEN@example.net")
        .await;
    assert_eq!(status, 200, "{guest}");
    let url = guest["invoice"]["url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/documents/{guest_invoice_id}?")),
        "{url}"
    );
    assert_eq!(guest["invoice"]["url"], guest["invoice"]["download_url"]);
    let response = fetch_public(&app, url).await;
    assert_eq!(response.status(), 200);
    let text = pdf_text(&response.bytes().await.unwrap());
    assert!(text.contains("68.72 USD"), "{text}");

    // Staff get every document of an order with fresh links for emails.
    let (status, list) = app.get("/api/v1/orders/1001/documents").await;
    assert_eq!(status, 200);
    let docs = list["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{list}");
    assert_eq!(docs[0]["kind"], "invoice");
    assert_eq!(docs[0]["total"], "152130");
    assert_eq!(docs[0]["currency"], "KRW");
    assert_eq!(docs[1]["kind"], "credit_note");
    assert_eq!(docs[1]["refund_id"], 1101);
    for doc in docs {
        let response = fetch_public(&app, doc["download_url"].as_str().unwrap()).await;
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.unwrap();
        assert_eq!(hex_sha256(&bytes), doc["sha256"].as_str().unwrap());
        assert_eq!(bytes.len() as u64, doc["bytes"].as_u64().unwrap());
    }
    // Another store's key does not see this store's order.
    let (status, _) = app
        .get_as("/api/v1/orders/1001/documents", SECOND_API_KEY)
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// Runs `aftercare invoices ...` against the test app's data dir.
fn invoices_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("invoices")
        .args(args)
        .arg("--data-dir")
        .arg(app.dir.path().join("data"))
        .arg("--config")
        .arg(app.dir.path().join("aftercare.toml"))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .output()
        .unwrap()
}

#[tokio::test]
async fn audit_proves_the_sequence_and_export_streams_a_zip() {
    use std::io::Read as _;
    // Exported by the shop's calendar day: configured as UTC so "today" below is its day.
    let app = TestApp::spawn_with(UTC).await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.deliver("order.created", &fixture("orders/guest-usd.json"))
        .await;
    wait_for_count(&app, "SELECT COUNT(*) FROM documents", 3).await;

    let audit = invoices_cli(&app, &["audit"]);
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success(), "{stdout}");
    assert!(
        stdout.contains("OK: 3 document(s) in 2 sequence(s)"),
        "{stdout}"
    );

    let out = app.dir.path().join("export.zip");
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let export = invoices_cli(
        &app,
        &[
            "export",
            "--from",
            &today,
            "--to",
            &today,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!(zip.len(), 4, "three PDFs and the manifest");
    let mut manifest = String::new();
    zip.by_name("manifest.csv")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let rows: Vec<&str> = manifest.lines().collect();
    assert_eq!(rows.len(), 4, "{manifest}");
    for row in &rows[1..] {
        let fields: Vec<&str> = row.split(',').collect();
        let mut bytes = Vec::new();
        zip.by_name(fields[0])
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        assert_eq!(hex_sha256(&bytes), fields[10], "{row}");
    }
    // An empty range is an empty archive, a reversed one an error.
    let empty = invoices_cli(
        &app,
        &[
            "export",
            "--from",
            "2001-01-01",
            "--to",
            "2001-12-31",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(empty.status.success());
    assert_eq!(
        zip::ZipArchive::new(std::fs::File::open(&out).unwrap())
            .unwrap()
            .len(),
        1
    );
    let reversed = invoices_cli(
        &app,
        &[
            "export",
            "--from",
            "2026-12-31",
            "--to",
            "2026-01-01",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!reversed.status.success());

    // A changed archive file is caught by both.
    let path: String = app
        .db()
        .query_row(
            "SELECT path FROM documents WHERE order_id = 1002",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let file = app.dir.path().join("data").join(&path);
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(b"%% appended");
    std::fs::write(&file, bytes).unwrap();
    let audit = invoices_cli(&app, &["audit"]);
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(audit.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("no longer matches its recorded SHA-256"),
        "{stdout}"
    );
    let broken = app.dir.path().join("broken.zip");
    let export = invoices_cli(
        &app,
        &[
            "export",
            "--from",
            &today,
            "--to",
            &today,
            "--out",
            broken.to_str().unwrap(),
        ],
    );
    assert!(!export.status.success());
    assert!(!broken.exists(), "no partial archive is left behind");

    // A sequence with a hole fails the audit too.
    std::fs::remove_file(&file).unwrap();
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.execute("DELETE FROM documents WHERE order_id = 1002", [])
        .unwrap();
    let audit = invoices_cli(&app, &["audit"]);
    let stdout = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(audit.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("the counter is at 2"), "{stdout}");
    app.stop().await;
}
