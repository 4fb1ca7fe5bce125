//! Spawning the real application and talking to it like WooCommerce does.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aftercare::Application;
use aftercare::config::{Flags, env_from};
use aftercare::webhook::signature::sign;
use tokio::sync::oneshot;

pub const SECRET: &str = "test-webhook-secret-default";
pub const OLD_SECRET: &str = "test-webhook-secret-previous";
pub const API_KEY: &str = "test-api-key-default-0123456789";
pub const SECOND_STORE: &str = "second";
pub const SECOND_SECRET: &str = "test-webhook-secret-second";
pub const SECOND_API_KEY: &str = "test-api-key-second-0123456789";

/// Set to `1` to let a test skip a check whose tool or font is missing, instead of failing.
/// For a machine that cannot install them; CI never sets it, and it counts for nothing there.
pub const ALLOW_MISSING_TOOLS: &str = "AFTERCARE_ALLOW_MISSING_TOOLS";

/// Called when `what` (from the Debian package `package`) is missing: fails the test so that
/// `cargo test` cannot report a check as passed without running it, unless the opt-out above
/// is set outside CI. Returns only when the caller may skip.
pub fn missing_tool(what: &str, package: &str) {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let allowed = !in_ci && std::env::var(ALLOW_MISSING_TOOLS).is_ok_and(|v| v == "1");
    assert!(
        allowed,
        "{what} is not installed: apt-get install {package} \
         (or set {ALLOW_MISSING_TOOLS}=1 to skip this check on this machine)"
    );
    eprintln!(
        "\n!!! SKIPPED: {what} is not installed ({package}); {ALLOW_MISSING_TOOLS}=1 is set\n"
    );
}

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The registered-customer fixture as a template for generated orders.
pub fn order_body(id: u64, customer_id: u64, modified: &str) -> Vec<u8> {
    let mut order: serde_json::Value =
        serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["customer_id"] = customer_id.into();
    order["date_modified_gmt"] = modified.into();
    serde_json::to_vec(&order).unwrap()
}

/// A generated order of `customer` with its own billing email and creation time.
pub fn customer_order(id: u64, customer_id: u64, created: &str) -> Vec<u8> {
    let mut order: serde_json::Value =
        serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = format!("A-{id}").into();
    order["customer_id"] = customer_id.into();
    order["billing"]["email"] = format!("customer{customer_id}@example.com").into();
    order["order_key"] = format!("wc_order_key{id}").into();
    order["date_created_gmt"] = created.into();
    serde_json::to_vec(&order).unwrap()
}

/// Polls `check` until it holds, for work the application does on its own clock (a job a
/// lane is busy with, a deferred job, a scheduled reconciliation); fails after `within`.
pub async fn eventually<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `[seller]` of the test shop: invoices are issued only for a named, addressed seller.
pub const SELLER_NAME: &str = "Nimbus Test Shop";
pub const SELLER_TOML: &str = "[seller]\n\
    name = \"Nimbus Test Shop\"\n\
    address = [\"1 Harbor Way\", \"San Francisco, CA 94107\"]\n";

pub struct TestApp {
    pub addr: SocketAddr,
    /// The running application's background services, for calling into the library
    /// (reconcile now, run the outbox until idle).
    pub services: aftercare::background::Services,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// The default store (two valid secrets), a second store from the config file, and the
    /// seller configured ([`SELLER_TOML`]).
    pub async fn spawn() -> TestApp {
        Self::spawn_with("").await
    }

    /// As [`spawn`], with extra top-level TOML prepended to the config file.
    pub async fn spawn_with(extra_toml: &str) -> TestApp {
        Self::spawn_configured(&format!(
            "{extra_toml}
{SELLER_TOML}"
        ))
        .await
    }

    /// As [`spawn_with`], but nothing configures the seller: invoices wait for the shop's
    /// profile.
    pub async fn spawn_without_seller(extra_toml: &str) -> TestApp {
        Self::spawn_configured(extra_toml).await
    }

    /// Stops the application and starts a new one on the same data dir with
    /// [`spawn_with`]'s configuration, as a restart of the service would.
    pub async fn restart(mut self, extra_toml: &str) -> TestApp {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap().unwrap();
        }
        Self::spawn_in(
            self.dir,
            &format!(
                "{extra_toml}
{SELLER_TOML}"
            ),
        )
        .await
    }

    /// [`spawn_with`] on a folder the test prepared (its `data` may be a mount of its own).
    pub async fn spawn_with_in(dir: tempfile::TempDir, extra_toml: &str) -> TestApp {
        Self::spawn_in(
            dir,
            &format!(
                "{extra_toml}
{SELLER_TOML}"
            ),
        )
        .await
    }

    async fn spawn_configured(extra_toml: &str) -> TestApp {
        Self::spawn_in(tempfile::tempdir().unwrap(), extra_toml).await
    }

    async fn spawn_in(dir: tempfile::TempDir, extra_toml: &str) -> TestApp {
        let config_path = dir.path().join("aftercare.toml");
        std::fs::write(
            &config_path,
            format!(
                "{extra_toml}\n\
                 [[stores]]\n\
                 id = \"{SECOND_STORE}\"\n\
                 webhook_secrets = [\"{SECOND_SECRET}\"]\n\
                 api_key = \"{SECOND_API_KEY}\"\n"
            ),
        )
        .unwrap();
        let env = BTreeMap::from([
            ("AFTERCARE_WEBHOOK_SECRET".to_owned(), SECRET.to_owned()),
            (
                "AFTERCARE_WEBHOOK_SECRET_PREVIOUS".to_owned(),
                OLD_SECRET.to_owned(),
            ),
            ("AFTERCARE_API_KEY".to_owned(), API_KEY.to_owned()),
        ]);
        let flags = Flags {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            data_dir: Some(dir.path().join("data")),
            config: Some(config_path),
        };
        let config = aftercare::startup::load(&flags, &env_from(env)).unwrap();
        let app = Application::build(config).await.unwrap();
        let addr = app.local_addr();
        let services = app.services().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            services,
            client: reqwest::Client::new(),
            dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("data").join("aftercare.sqlite3")
    }

    /// A read-only look at the mirror, as an independent observer.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.db_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Waits until `sql` counts at least `expected`, for work the outbox does on its own.
    pub async fn wait_for_count(&self, sql: &str, expected: i64, within: Duration) {
        eventually(&format!("{expected}: {sql}"), within, || async {
            self.count(sql) >= expected
        })
        .await;
    }

    /// Carries out every job that is due now, and those they enqueue, alongside the
    /// application's own worker; returns when none is due and none is in flight. What
    /// must not happen can be asserted right after.
    pub async fn run_jobs_until_idle(&self) {
        self.services
            .run_jobs_until_idle()
            .await
            .expect("the outbox runs");
    }

    /// The body of a GET without credentials (a page a browser opens), as text.
    pub async fn text(&self, url: impl reqwest::IntoUrl) -> String {
        self.client
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        self.text(self.url("/metrics")).await
    }

    /// Posts `body` as WooCommerce would, signed with `secret`.
    pub async fn deliver_signed(
        &self,
        path: &str,
        topic: &str,
        body: &[u8],
        secret: &str,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .header(
                "user-agent",
                "WooCommerce/10.3.4 Hookshot (WordPress/6.8.3)",
            )
            .header("x-wc-webhook-source", "https://shop.example.kr/")
            .header("x-wc-webhook-topic", topic)
            .header("x-wc-webhook-resource", "order")
            .header("x-wc-webhook-event", topic.split('.').nth(1).unwrap_or(""))
            .header("x-wc-webhook-id", "16")
            .header(
                "x-wc-webhook-delivery-id",
                "039f3155b209b1c591c26f60004d889f",
            )
            .header("x-wc-webhook-signature", sign(body, secret))
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    /// Delivers to the default store and returns (status code, JSON body).
    pub async fn deliver(&self, topic: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let response = self
            .deliver_signed("/webhooks/woocommerce", topic, body, SECRET)
            .await;
        read(response).await
    }

    /// GET with the default store's API key.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.get_as(path, API_KEY).await
    }

    pub async fn get_as(&self, path: &str, api_key: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(api_key)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// POST a JSON body with the default store's API key.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.post_json_as(path, body, API_KEY).await
    }

    pub async fn post_json_as(
        &self,
        path: &str,
        body: &serde_json::Value,
        api_key: &str,
    ) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(api_key)
            .json(body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// PUT a JSON body with the default store's API key.
    pub async fn put_json(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .put(self.url(path))
            .bearer_auth(API_KEY)
            .json(body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap().unwrap();
        }
    }
}

pub async fn read(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("expected a JSON body, got {status}: {text}"));
    (status, json)
}

/// Asserts the standard error body and its code.
pub fn assert_error(body: &serde_json::Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "body: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "error without a message: {body}");
}
