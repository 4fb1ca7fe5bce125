//! `aftercare doctor` against a broken installation and a good one: the real binary, a real
//! SMTP server, a local WooCommerce (wiremock, OAuth 1.0a checked) and a local 17TRACK.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::crash::free_port;
use crate::fake_woo::{CONSUMER_KEY, CONSUMER_SECRET, FakeWoo};
use crate::helpers::order_body;

/// The binary's `doctor` on `config`: its exit code and what it printed.
fn doctor(config: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("--config")
        .arg(config)
        .arg("doctor")
        .env_remove("AFTERCARE_DATA_DIR")
        .env("AFTERCARE_WEBHOOK_SECRET", crate::helpers::SECRET)
        .env("AFTERCARE_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

/// What the report says of `check` at `level`: its lines up to the next finding.
fn line<'a>(report: &'a str, level: &str, check: &str) -> &'a str {
    let start = report
        .find(&format!("{level:<4}  {check} "))
        .unwrap_or_else(|| panic!("no `{level} {check}` in:\n{report}"));
    let rest = &report[start..];
    let end = ["\nok  ", "\nWARN", "\nFAIL", "\n\n"]
        .iter()
        .filter_map(|next| rest.find(next))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

async fn seventeen_track(code: i64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/gettrackinfo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"code": code, "data": {"accepted": [], "rejected": []}}),
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_installation_is_told_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    // A mistyped key: the configuration itself is refused, naming it.
    let config = dir.path().join("aftercare.toml");
    std::fs::write(&config, "[notify]\nquiet_hourz = \"21:00-08:00\"\n").unwrap();
    let (code, report) = doctor(&config);
    assert_eq!(code, 1, "{report}");
    assert!(
        line(&report, "FAIL", "configuration").contains("quiet_hourz"),
        "{report}"
    );

    // A readable configuration in a bad place: everything it names is wrong.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let secrets = data.join("secrets.toml");
    std::fs::write(&secrets, "webhook_secret = \"generated-webhook-secret-0123\"\napi_key = \"ack_generated-api-key-0123\"\n").unwrap();
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        data.join("aftercare.sqlite3"),
        b"not a database, some other file",
    )
    .unwrap();
    let tracker = seventeen_track(-18010002).await;
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n\
             [notify]\nchannel = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{}\"\n\
             mail_from = \"Shop <shop@example.com>\"\n\
             [feeds.stores.default.17track]\napi_key = \"WRONG_KEY\"\nurl = \"{}\"\n\
             [[stores]]\nid = \"default\"\nurl = \"http://127.0.0.1:{}\"\n\
             consumer_key = \"{CONSUMER_KEY}\"\nconsumer_secret = \"{CONSUMER_SECRET}\"\n",
            data.display(),
            free_port(),
            tracker.uri(),
            free_port()
        ),
    )
    .unwrap();
    let (code, report) = doctor(&config);
    assert_eq!(code, 1, "{report}");
    assert!(
        line(&report, "WARN", "data dir").contains("chmod 700"),
        "{report}"
    );
    assert!(
        line(&report, "FAIL", "secrets").contains("chmod 600"),
        "{report}"
    );
    assert!(
        line(&report, "FAIL", "database").contains("restore"),
        "{report}"
    );
    assert!(
        line(&report, "FAIL", "WooCommerce (default)").contains("cannot be reached"),
        "{report}"
    );
    assert!(
        line(&report, "FAIL", "SMTP (default)").contains("smtp_url"),
        "{report}"
    );
    assert!(
        line(&report, "FAIL", "17TRACK (default)").contains("refused the key"),
        "{report}"
    );
    assert!(report.contains("problem(s) to fix"), "{report}");
    // Looking changed nothing, and printed no secret.
    assert_eq!(
        std::fs::read(data.join("aftercare.sqlite3")).unwrap(),
        b"not a database, some other file"
    );
    for secret in [CONSUMER_SECRET, "WRONG_KEY", crate::helpers::SECRET] {
        assert!(!report.contains(secret), "`{secret}` printed:\n{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_installation_is_in_order() {
    // A database with an order in it, as a running service left it.
    let keep = tempfile::tempdir().unwrap();
    let data = keep.path().join("data");
    let port = free_port();
    let mut service = crate::crash::start(&data, port);
    let client = reqwest::Client::new();
    crate::crash::wait_ready(&client, port).await;
    let body = order_body(1001, 42, "2026-11-20T10:00:00");
    let delivered = client
        .post(format!("http://127.0.0.1:{port}/webhooks/woocommerce"))
        .header("x-wc-webhook-topic", "order.created")
        .header(
            "x-wc-webhook-signature",
            aftercare::webhook::signature::sign(&body, crate::helpers::SECRET),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status(), 200);
    unsafe { libc::kill(service.id() as i32, libc::SIGTERM) };
    assert!(service.wait().unwrap().success());

    let public = "https://aftercare.shop.example";
    let woo = FakeWoo::start().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"name": "Shop", "namespaces": ["wc/v3"]})),
        )
        .mount(&woo.server)
        .await;
    for (id, topic) in [
        (1, "order.created"),
        (2, "order.updated"),
        (3, "order.deleted"),
        (4, "order.restored"),
    ] {
        woo.add_webhook(
            id,
            topic,
            "active",
            &format!("{public}/webhooks/woocommerce"),
            "aftercare",
        );
    }
    let sink = crate::notify::Sink::start(free_port(), false).expect("an SMTP server");
    let tracker = seventeen_track(0).await;
    let config = keep.path().join("aftercare.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\npublic_url = \"{public}\"\n\
             [notify]\nchannel = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{}\"\n\
             mail_from = \"Shop <shop@example.com>\"\n\
             [feeds.stores.default.17track]\napi_key = \"GOOD_KEY\"\nurl = \"{}\"\n{}",
            data.display(),
            sink.port,
            tracker.uri(),
            woo.config_toml()
        ),
    )
    .unwrap();
    let (code, report) = doctor(&config);
    assert_eq!(code, 0, "{report}");
    assert!(
        !report.contains("FAIL") && !report.contains("WARN"),
        "{report}"
    );
    assert!(
        line(&report, "ok", "database").contains("intact, 1 orders mirrored"),
        "{report}"
    );
    assert!(
        line(&report, "ok", "WooCommerce (default)").contains("order webhooks deliver"),
        "{report}"
    );
    assert!(
        line(&report, "ok", "clock (default)").contains("differ by"),
        "{report}"
    );
    assert!(
        line(&report, "ok", "SMTP (default)").contains("answers"),
        "{report}"
    );
    assert!(
        line(&report, "ok", "17TRACK (default)").contains("accepted"),
        "{report}"
    );
    assert!(
        report.contains("Everything looked at is in order."),
        "{report}"
    );
    assert!(sink.messages().is_empty(), "the doctor sent mail");
}
