//! Past one machine: two aftercare instances behind Debian's nginx on loopback, run with
//! `packaging/nginx/aftercare-shards.conf` as docs/scaling.md shows it. Webhooks and feed
//! pushes find their store's instance by the store in their path; the plugin's calls and
//! the customers' pages by the instance's prefix; nothing lands on the wrong instance.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aftercare::webhook::signature::sign;

use crate::crash::{free_port, wait_ready};
use crate::helpers::{missing_tool, order_body};

/// An instance with the given stores (each with its own secret, key and 17TRACK key),
/// reachable from outside at `public`.
fn instance(dir: &Path, port: u16, public: &str, stores: &[&str]) -> Child {
    let mut toml = format!(
        "listen = \"127.0.0.1:{port}\"\npublic_url = \"{public}\"\nclient_ip_header = \"X-Forwarded-For\"\n"
    );
    for store in stores {
        toml.push_str(&format!(
            "[[stores]]\nid = \"{store}\"\nwebhook_secrets = [\"{store}-webhook-secret-0123456789\"]\n\
             api_key = \"{store}-api-key-0123456789\"\n\
             [feeds.stores.{store}.17track]\napi_key = \"{store}-17track-key\"\nurl = \"http://127.0.0.1:9/\"\n"
        ));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("aftercare.toml"), toml).unwrap();
    Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .arg("--config")
        .arg(dir.join("aftercare.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("serve")
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aftercare")
}

/// nginx with the documented configuration, in the foreground.
struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, listen: u16, a: u16, b: u16) -> Nginx {
        let shards = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/nginx/aftercare-shards.conf"),
        )
        .unwrap()
        .replace("@LISTEN@", &format!("127.0.0.1:{listen}"))
        .replace("@INSTANCE_A@", &format!("127.0.0.1:{a}"))
        .replace("@INSTANCE_B@", &format!("127.0.0.1:{b}"));
        std::fs::write(dir.join("shards.conf"), shards).unwrap();
        // SAFETY: geteuid has no preconditions.
        let user = if unsafe { libc::geteuid() } == 0 {
            "user root;\n"
        } else {
            ""
        };
        let d = dir.display();
        std::fs::write(
            dir.join("nginx.conf"),
            format!(
                "{user}pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
                 events {{ worker_connections 256; }}\n\
                 http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
                 fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
                 include {d}/shards.conf;\n}}\n"
            ),
        )
        .unwrap();
        // Its own prefix, configuration and error log: nothing of the machine's nginx.
        let nginx = || {
            let mut command = Command::new("nginx");
            command
                .arg("-e")
                .arg(dir.join("error.log"))
                .arg("-p")
                .arg(dir)
                .arg("-c")
                .arg(dir.join("nginx.conf"));
            command
        };
        let check = nginx().arg("-t").output().unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        Nginx(
            nginx()
                .args(["-g", "daemon off;"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start nginx"),
        )
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: nginx's graceful stop.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGQUIT) };
        let _ = self.0.wait();
    }
}

fn orders_of(data: &Path) -> Vec<(String, i64)> {
    let db = rusqlite::Connection::open(data.join("aftercare.sqlite3")).unwrap();
    let mut stmt = db
        .prepare("SELECT store_id, order_id FROM orders ORDER BY store_id, order_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_each_get_their_own_stores() {
    if Command::new("nginx").arg("-v").output().is_err() {
        missing_tool("nginx", "nginx");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (front, a, b) = (free_port(), free_port(), free_port());
    let base = format!("http://127.0.0.1:{front}");
    let mut instance_a = instance(
        &dir.path().join("a"),
        a,
        &format!("{base}/a"),
        &["north", "east"],
    );
    let mut instance_b = instance(&dir.path().join("b"), b, &format!("{base}/b"), &["south"]);
    let client = reqwest::Client::new();
    wait_ready(&client, a).await;
    wait_ready(&client, b).await;
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let _nginx = Nginx::start(&nginx_dir, front, a, b);
    let deadline = Instant::now() + Duration::from_secs(10);
    while client
        .get(format!("{base}/a/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "nginx did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // WooCommerce's deliveries, to the URL that names the store.
    for (store, id) in [
        ("north", 1001u64),
        ("south", 2001),
        ("east", 3001),
        ("south", 2002),
    ] {
        let body = order_body(id, 42, "2026-11-20T10:00:00");
        let answer = client
            .post(format!("{base}/webhooks/woocommerce/{store}"))
            .header("x-wc-webhook-topic", "order.created")
            .header(
                "x-wc-webhook-signature",
                sign(&body, &format!("{store}-webhook-secret-0123456789")),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{store}");
    }
    let unknown = client
        .post(format!("{base}/webhooks/woocommerce/west"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404, "a store no instance has");
    // Each instance holds its own stores' orders, and only them.
    assert_eq!(
        orders_of(&dir.path().join("a/data")),
        [("east".to_owned(), 3001), ("north".to_owned(), 1001)]
    );
    assert_eq!(
        orders_of(&dir.path().join("b/data")),
        [("south".to_owned(), 2001), ("south".to_owned(), 2002)]
    );

    // A 17TRACK push names its store too: the right instance checks its signature.
    let push =
        br#"{"event": "TRACKING_STOPPED", "data": {"number": "RR000000000KR", "carrier": 0}}"#;
    for store in ["north", "south"] {
        let answer = client
            .post(format!("{base}/feeds/17track/{store}"))
            .header(
                "sign",
                aftercare::feeds::seventeen::signature(push, &format!("{store}-17track-key")),
            )
            .body(push.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            200,
            "{store}: {}",
            answer.text().await.unwrap()
        );
    }

    // The plugin's calls go to its instance's prefix; a key is known on its instance only.
    let view = |prefix: &str, store: &str, id: u64| {
        client
            .get(format!("{base}/{prefix}/api/v1/customers/42/orders/{id}"))
            .bearer_auth(format!("{store}-api-key-0123456789"))
            .send()
    };
    let north = view("a", "north", 1001).await.unwrap();
    assert_eq!(north.status(), 200);
    let north: serde_json::Value = north.json().await.unwrap();
    assert_eq!(view("b", "south", 2001).await.unwrap().status(), 200);
    assert_eq!(view("a", "south", 2001).await.unwrap().status(), 401);
    // The links an instance gives out lead back to it through nginx.
    let tracking = north["tracking_url"].as_str().unwrap();
    assert!(tracking.starts_with(&format!("{base}/a/t/")), "{tracking}");
    let page = client.get(tracking).send().await.unwrap();
    assert_eq!(page.status(), 200);

    for instance in [&mut instance_a, &mut instance_b] {
        unsafe { libc::kill(instance.id() as i32, libc::SIGTERM) };
        assert!(instance.wait().unwrap().success());
    }
}
