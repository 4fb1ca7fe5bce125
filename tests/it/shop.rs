//! The shop's profile (`PUT`/`GET /api/v1/store/profile`): invoices wait for the seller's
//! name and address and are issued as soon as the shop sends them; the tracking page
//! names the shop and links back to it; wrong profiles change nothing.

use std::io::Write as _;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::*;

const SHOP_URL: &str = "http://127.0.0.1:8123/";
const LOGO_URL: &str = "http://127.0.0.1:8123/wp-content/uploads/logo.png";

/// A small real PNG (the renderer decodes it).
fn tiny_png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend([20, (x * 4) as u8, (y * 8) as u8]);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let idat = z.finish().unwrap();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// The real-store shop's profile as the plugin sends it, with WooCommerce 10's formats
/// for the countries used here.
fn profile(logo: &[u8]) -> Value {
    json!({
        "name": "Aftercare Test Shop",
        "url": SHOP_URL,
        "address": {"address_1": "1 Harbor Way", "address_2": "", "city": "San Francisco",
                    "state": "CA", "postcode": "94107", "country": "US"},
        "tax_id": "US-12-3456789",
        "email": "shop@example.com",
        "phone": "+1 415 555 0100",
        "logo_url": LOGO_URL,
        "logo_png": base64::engine::general_purpose::STANDARD.encode(logo),
        "timezone": "America/Los_Angeles",
        "locale": "en_US",
        "name_format": "%1$s %2$s",
        "address_formats": {
            "default": "{name}\n{company}\n{address_1}\n{address_2}\n{city}\n{state}\n{postcode}\n{country}",
            "US": "{name}\n{company}\n{address_1}\n{address_2}\n{city}, {state_code} {postcode}\n{country}",
        },
        "countries": {"US": "United States (US)", "KR": "South Korea"},
        "states": {"US": {"CA": "California"}, "KR": []},
    })
}

/// The Korean fixture order, billed to 김민준 in Gangnam.
fn korean_order() -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    for part in ["billing", "shipping"] {
        let address = &mut order[part];
        address["first_name"] = "민준".into();
        address["last_name"] = "김".into();
        address["address_1"] = "테헤란로 152".into();
        address["address_2"] = "".into();
        address["city"] = "강남구".into();
    }
    serde_json::to_vec(&order).unwrap()
}

fn pdftotext(pdf: &[u8]) -> Option<String> {
    let mut child = std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    Some(String::from_utf8(out.stdout).unwrap())
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} missing from:\n{text}"))
}

async fn problems(app: &TestApp) -> String {
    let (status, health) = app.get("/api/v1/store/health").await;
    assert_eq!(status, 200, "{health}");
    health["problems"].to_string()
}

#[tokio::test]
async fn invoices_wait_for_the_shops_name_and_address_and_are_issued_when_it_sends_them() {
    let app = TestApp::spawn_without_seller("").await;
    let (status, _) = app.deliver("order.created", &korean_order()).await;
    assert_eq!(status, 200);
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents"),
        0,
        "no document with a placeholder seller"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND attempts = 0 \
             AND kind IN ('issue_invoice', 'issue_credit_note')"
        ),
        2,
        "the invoice and the credit note wait, without failing"
    );
    assert!(
        problems(&app)
            .await
            .contains("Invoices are waiting: aftercare does not know the shop's name and address. Press Connect in the aftercare plugin"),
        "{}",
        problems(&app).await
    );
    let (status, before) = app.get("/api/v1/store/profile").await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["received_at"], Value::Null);
    assert_eq!(before["name"], Value::Null);
    assert_eq!(before["seller"]["missing"], json!(["name", "address"]));

    let logo = tiny_png(40, 16);
    let (status, answer) = app.put_json("/api/v1/store/profile", &profile(&logo)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["name"], "Aftercare Test Shop");
    assert_eq!(
        answer["seller"],
        json!({
            "name": "Aftercare Test Shop",
            "lines": ["1 Harbor Way", "San Francisco, CA 94107", "Tax ID: US-12-3456789",
                      "shop@example.com", "+1 415 555 0100"],
            "source": "shop",
            "missing": [],
        })
    );
    assert!(answer["received_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        answer["timezone"],
        json!({"name": "America/Los_Angeles", "source": "shop"})
    );
    let (_, again) = app.get("/api/v1/store/profile").await;
    assert_eq!(again, answer, "GET answers what PUT did");

    // The waiting documents go now, not at their next look minutes later.
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'"),
        1
    );
    // The credit note may have looked before its invoice was in: it follows within seconds.
    app.wait_for_count(
        "SELECT COUNT(*) FROM documents WHERE kind = 'credit_note'",
        1,
        std::time::Duration::from_secs(60),
    )
    .await;
    assert!(!problems(&app).await.contains("Invoices are waiting"));

    let settings: Value = app
        .db()
        .query_row(
            "SELECT settings FROM documents WHERE kind = 'invoice'",
            [],
            |r| r.get::<_, String>(0),
        )
        .map(|s| serde_json::from_str(&s).unwrap())
        .unwrap();
    assert_eq!(settings["seller"]["source"], "shop");
    assert_eq!(settings["seller"]["name"], "Aftercare Test Shop");
    assert_eq!(
        settings["seller"]["logo_sha256"],
        hex::encode(Sha256::digest(&logo)),
        "the shop's logo is on the invoice"
    );

    let response = app
        .client
        .get(app.url("/api/v1/customers/42/orders/1001/invoice.pdf"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let pdf = response.bytes().await.unwrap();
    let Some(text) = pdftotext(&pdf) else {
        missing_tool("pdftotext", "poppler-utils");
        return;
    };
    let name = position(&text, "Aftercare Test Shop");
    let street = position(&text, "1 Harbor Way");
    let city = position(&text, "San Francisco, CA 94107");
    assert!(name < street && street < city, "{text}");
    // The buyer is in Korea: the shop's country is named under its address.
    position(&text, "United States (US)");
    position(&text, "Tax ID: US-12-3456789");
    assert!(!text.contains("127.0.0.1"), "never the store URL:\n{text}");
    // The buyer as the shop writes a Korean address (CJK fallback font: CI installs fonts-nanum).
    if std::path::Path::new("/usr/share/fonts/truetype/nanum/NanumGothic.ttf").exists() {
        let buyer = position(&text, "김민준");
        assert!(buyer < position(&text, "테헤란로 152"), "{text}");
        assert!(!text.contains("민준 김"), "{text}");
        position(&text, "South Korea");
        assert!(!text.contains("06236 강남구"), "{text}");
    } else {
        missing_tool("the Nanum Korean font", "fonts-nanum");
    }
    app.stop().await;
}

#[tokio::test]
async fn configured_seller_fields_win_over_the_shops_field_by_field() {
    // The harness configures [seller] with a name and an address.
    let app = TestApp::spawn().await;
    let (_, before) = app.get("/api/v1/store/profile").await;
    assert_eq!(before["seller"]["source"], "config");
    assert_eq!(before["seller"]["name"], SELLER_NAME);
    assert_eq!(before["name"], SELLER_NAME);
    let (status, answer) = app
        .put_json("/api/v1/store/profile", &profile(&tiny_png(8, 8)))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["seller"]["source"], "shop+config");
    assert_eq!(answer["seller"]["name"], SELLER_NAME);
    assert_eq!(
        answer["seller"]["lines"],
        json!([
            "1 Harbor Way",
            "San Francisco, CA 94107",
            "Tax ID: US-12-3456789",
            "shop@example.com",
            "+1 415 555 0100"
        ])
    );
    assert_eq!(
        answer["name"], "Aftercare Test Shop",
        "the shop's own name for shoppers"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_profile_is_refused_field_by_field_and_nothing_is_stored() {
    let app = TestApp::spawn_without_seller("").await;
    let mut wrong = profile(&tiny_png(601, 1));
    wrong["name"] = " ".into();
    wrong["url"] = "ftp://shop.example/".into();
    wrong["timezone"] = "Mars/Olympus_Mons".into();
    wrong["address"]["country"] = "USA".into();
    let (status, body) = app.put_json("/api/v1/store/profile", &wrong).await;
    assert_eq!(status, 422, "{body}");
    assert_error(&body, "validation_failed");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["name", "url", "logo_png", "timezone", "address.country"]
    );

    let mut not_png = profile(b"GIF89a not a png at all.....");
    not_png["logo_url"] = "data:image/png;base64,AAAA".into();
    let (status, body) = app.put_json("/api/v1/store/profile", &not_png).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "logo_url");
    assert_eq!(body["error"]["fields"][1]["field"], "logo_png");

    let mut mistyped = profile(&tiny_png(8, 8));
    mistyped["name"] = 5.into();
    let (status, body) = app.put_json("/api/v1/store/profile", &mistyped).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "name");

    let send = |body: Vec<u8>, content_type: &str, key: Option<&str>| {
        let mut request = app
            .client
            .put(app.url("/api/v1/store/profile"))
            .header("content-type", content_type)
            .body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        async move {
            let response = request.send().await.unwrap();
            read(response).await
        }
    };
    let (status, body) = send(b"{\"name\": ".to_vec(), "application/json", Some(API_KEY)).await;
    assert_eq!(status, 400, "{body}");
    assert_error(&body, "invalid_json");
    let (status, body) = send(b"name=Shop".to_vec(), "text/plain", Some(API_KEY)).await;
    assert_eq!(status, 415, "{body}");
    let valid = serde_json::to_vec(&profile(&tiny_png(8, 8))).unwrap();
    let (status, body) = send(valid.clone(), "application/json", None).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = send(valid, "application/json", Some("not-the-key")).await;
    assert_eq!(status, 401, "{body}");
    let mut huge = profile(&tiny_png(8, 8));
    huge["countries"]["XX"] = "x".repeat(3 * 1024 * 1024).into();
    let (status, body) = send(
        serde_json::to_vec(&huge).unwrap(),
        "application/json",
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_error(&body, "payload_too_large");

    assert_eq!(app.count("SELECT COUNT(*) FROM shop_profiles"), 0);
    let (_, answer) = app.get("/api/v1/store/profile").await;
    assert_eq!(answer["received_at"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn the_tracking_page_names_the_shop_shows_its_logo_and_links_back() {
    let app = TestApp::spawn_without_seller("").await;
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["meta_data"] = json!([]);
    app.deliver("order.created", &serde_json::to_vec(&order).unwrap())
        .await;
    let (_, view) = app.get("/api/v1/customers/42/orders/1001").await;
    let url = view["tracking_url"].as_str().unwrap();
    let path = format!("/t/{}", url.rsplit_once("/t/").unwrap().1);
    let page = || async {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };

    // Nothing names the shop yet: the page still renders, without an empty or made-up
    // name, and the health says so.
    let html = page().await;
    let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
    assert!(!header.contains("class=\"shop\""), "{header}");
    assert!(!header.contains("<span></span>"), "{header}");
    assert!(
        problems(&app)
            .await
            .contains("The tracking page has no shop name"),
        "{}",
        problems(&app).await
    );

    let (status, body) = app
        .put_json("/api/v1/store/profile", &profile(&tiny_png(8, 8)))
        .await;
    assert_eq!(status, 200, "{body}");
    let html = page().await;
    assert!(
        html.contains(&format!(r#"<a class="shop" href="{SHOP_URL}">"#)),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<img class="logo" src="{LOGO_URL}""#)),
        "{html}"
    );
    assert!(html.contains(r#"<span class="store">Aftercare Test Shop</span>"#));
    assert!(html.contains("<title>") && html.contains("· Aftercare Test Shop</title>"));
    assert!(!problems(&app).await.contains("no shop name"));
    app.stop().await;
}
