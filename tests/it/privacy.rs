//! Secrets and customers' personal data never reach the logs, even at `debug`: the real
//! binary, its real output, real deliveries and API calls that carry both, the privacy
//! tools' export and erasure included.

use std::process::{Command, Stdio};
use std::time::Duration;

use aftercare::webhook::signature::sign;

use crate::crash::{free_port, wait_ready};
use crate::helpers::{SECRET, eventually, fixture};

const KEY: &str = "privacy-test-api-key-0123456789";
const EVENTS_SECRET: &str = "whsec_cHJpdmFjeS10ZXN0LWV2ZW50cy1zZWNyZXQtMDEyMw==";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_secret_or_personal_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let port = free_port();
    // An event endpoint with credentials in its URL, where nobody listens: its attempts fail
    // and are logged, by host only.
    let events_url = format!(
        "http://hook-user:hook-password@127.0.0.1:{}/hook-token-xyz",
        free_port()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", KEY)
        .env("AFTERCARE_EVENTS_URL", &events_url)
        .env("AFTERCARE_EVENTS_SECRET", EVENTS_SECRET)
        .env("AFTERCARE_LOG", "debug")
        .env("AFTERCARE_CLIENT_IP_HEADER", "X-Forwarded-For")
        .stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()))
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    wait_ready(&client, port).await;
    let base = format!("http://127.0.0.1:{port}");

    // A genuine delivery, a forged one, a broken one.
    let body = fixture("orders/registered-krw.json");
    for signature in [sign(&body, SECRET), sign(&body, "not-the-secret")] {
        client
            .post(format!("{base}/webhooks/woocommerce"))
            .header("x-wc-webhook-topic", "order.created")
            .header("x-wc-webhook-signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
    }
    let broken = br#"{"id": 1001, "billing": {"email": "minji.kim@example.com"#.to_vec();
    client
        .post(format!("{base}/webhooks/woocommerce"))
        .header("x-wc-webhook-topic", "order.updated")
        .header("x-wc-webhook-signature", sign(&broken, SECRET))
        .body(broken)
        .send()
        .await
        .unwrap();
    // The customer's view, the guest view (key and email in the query), a wrong key.
    for (path, key) in [
        ("/api/v1/customers/42/orders/1001", KEY),
        (
            "/api/v1/guest/orders/1001?key=wc_order_Vq7Rk2mXp9LtZ&email=minji.kim%40example.com",
            KEY,
        ),
        ("/api/v1/customers/42/orders", "a-wrong-key-but-long-enough"),
    ] {
        client
            .get(format!("{base}{path}"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
    }
    // The shop's profile: the invoice waited for the seller's name and address (logged
    // once, by store id) and is issued now.
    let profile = serde_json::json!({
        "name": "Privacy Test Shop",
        "url": "https://shop.example.com/",
        "address": {"address_1": "1 Harbor Way", "city": "San Francisco", "state": "CA",
                    "postcode": "94107", "country": "US"},
        "tax_id": "TAX-PRIVATE-123",
        "email": "shop@example.com",
        "phone": "+1 415 555 0100",
    });
    let status = client
        .put(format!("{base}/api/v1/store/profile"))
        .bearer_auth(KEY)
        .json(&profile)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    // Wait for the invoice, so the worker's logging is covered too.
    eventually("an invoice issued", Duration::from_secs(20), || async {
        std::fs::read_to_string(&err_path)
            .unwrap()
            .contains("document issued")
    })
    .await;
    // A test event to the endpoint, which cannot be reached.
    let status = client
        .post(format!("{base}/api/v1/events/test"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 202);
    eventually(
        "an event attempt logged",
        Duration::from_secs(20),
        || async {
            std::fs::read_to_string(&err_path)
                .unwrap()
                .contains("event not delivered")
        },
    )
    .await;
    // The privacy tools: the address in a query and in a body, and an erasure with photos
    // and invoices to report.
    let (status, export) = crate::helpers::read(
        client
            .get(format!(
                "{base}/api/v1/privacy/export?email=Minji.Kim%40example.com"
            ))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{export}");
    assert!(export.to_string().contains("minji.kim@example.com"));
    for email in ["minji.kim@example.com", "not an address 010-2345-6789"] {
        client
            .post(format!("{base}/api/v1/privacy/erase"))
            .bearer_auth(KEY)
            .json(&serde_json::json!({ "email": email }))
            .send()
            .await
            .unwrap();
    }
    eventually("the erasure logged", Duration::from_secs(20), || async {
        std::fs::read_to_string(&err_path)
            .unwrap()
            .contains("personal data erased")
    })
    .await;
    // Someone guessing tracking links from behind the proxy until the limit answers 429:
    // the limit is logged, the guesser's address is not.
    for n in 0..31 {
        client
            .get(format!("{base}/t/guess-{n}"))
            .header("x-forwarded-for", "198.51.100.77")
            .send()
            .await
            .unwrap();
    }
    eventually("the limit logged", Duration::from_secs(20), || async {
        std::fs::read_to_string(&err_path)
            .unwrap()
            .contains("used up its failed attempts")
    })
    .await;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    let logged =
        std::fs::read_to_string(&out_path).unwrap() + &std::fs::read_to_string(&err_path).unwrap();
    assert!(
        logged.contains("webhook delivery"),
        "the logs are there:\n{logged}"
    );
    for private in [
        SECRET,
        KEY,
        "a-wrong-key-but-long-enough",
        "wc_order_Vq7Rk2mXp9LtZ",
        "minji.kim",
        "example.com",
        "010-2345-6789",
        "민지",
        "테헤란로",
        "203.0.113.42",
        "TAX-PRIVATE-123",
        "415 555",
        EVENTS_SECRET,
        "cHJpdmFjeS10ZXN0",
        "hook-password",
        "hook-user",
        "hook-token-xyz",
        "198.51.100.77",
        "guess-",
    ] {
        assert!(
            !logged.contains(private),
            "`{private}` reached the logs:\n{logged}"
        );
    }
}
