//! Kill -9 in the middle of a stream of deliveries: every delivery that was acknowledged
//! with a 2xx must be in the mirror after a restart on the same data dir.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aftercare::webhook::signature::sign;

use crate::helpers::{SECRET, order_body};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary on `data_dir`; an `aftercare.toml` beside the data dir is its config file.
pub fn start(data_dir: &std::path::Path, port: u16) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aftercare"));
    let config = data_dir.with_file_name("aftercare.toml");
    if config.exists() {
        command.arg("--config").arg(config);
    }
    command
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", "crash-test-api-key-0123456789")
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the aftercare binary")
}

pub async fn wait_ready(client: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ok = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if ok {
            return;
        }
        assert!(Instant::now() < deadline, "service did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// 16 workers posting signed `order.created` deliveries until the first failure (at most
/// 2,000 each); the ids answered 2xx are collected in `acked`.
fn stream(
    client: &reqwest::Client,
    port: u16,
    acked: &Arc<Mutex<BTreeSet<u64>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let url = format!("http://127.0.0.1:{port}/webhooks/woocommerce");
    (0..16u64)
        .map(|worker| {
            let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
            tokio::spawn(async move {
                for n in 0..2_000u64 {
                    let id = 100_000 + worker * 10_000 + n;
                    let body = order_body(id, worker, "2026-11-20T10:00:00");
                    let sent = client
                        .post(&url)
                        .header("x-wc-webhook-topic", "order.created")
                        .header("x-wc-webhook-signature", sign(&body, SECRET))
                        .body(body)
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().is_success() => {
                            acked.lock().unwrap().insert(id);
                        }
                        _ => break,
                    }
                }
            })
        })
        .collect()
}

/// The binary on `data_dir`, with a few hundred deliveries acknowledged and more in flight.
struct Streaming {
    child: Child,
    client: reqwest::Client,
    port: u16,
    acked: Arc<Mutex<BTreeSet<u64>>>,
    senders: Vec<tokio::task::JoinHandle<()>>,
}

async fn streaming(data_dir: &std::path::Path) -> Streaming {
    let port = free_port();
    let child = start(data_dir, port);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    wait_ready(&client, port).await;
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let senders = stream(&client, port, &acked);
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Streaming {
        child,
        client,
        port,
        acked,
        senders,
    }
}

/// Order ids in the mirror of `data_dir`.
fn mirrored(data_dir: &std::path::Path) -> BTreeSet<u64> {
    let db = rusqlite::Connection::open_with_flags(
        data_dir.join("aftercare.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = db.prepare("SELECT order_id FROM orders").unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|id| id.unwrap() as u64)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_finishes_what_it_acknowledges_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let Streaming {
        mut child,
        acked,
        senders,
        ..
    } = streaming(&data_dir).await;

    // Stop while deliveries are in flight: it exits 0, and everything it answered 2xx to
    // (including what was in flight) is committed.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "clean shutdown exits 0, got {status}");
    for sender in senders {
        sender.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 300, "only {} acknowledged", acked.len());
    let committed = mirrored(&data_dir);
    let lost: Vec<_> = acked.difference(&committed).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost",
        lost.len()
    );
    // Closed cleanly: the WAL was checkpointed into the database.
    let wal = data_dir.join("aftercare.sqlite3-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(
        wal_bytes, 0,
        "the WAL is checkpointed and truncated on shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_deliveries_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let Streaming {
        mut child,
        client,
        port,
        acked,
        senders,
    } = streaming(&data_dir).await;
    // A few hundred deliveries are through: pull the plug.
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for sender in senders {
        sender.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 300,
        "only {} deliveries acknowledged before the kill",
        acked.len()
    );

    // Restart on the same data dir; the service recovers the WAL and serves again.
    let mut child = start(&data_dir, port);
    wait_ready(&client, port).await;
    let mirrored = mirrored(&data_dir);
    let lost: Vec<_> = acked.difference(&mirrored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost: {:?}",
        lost.len(),
        &lost[..lost.len().min(10)]
    );

    // SIGTERM stops it cleanly.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "clean shutdown exits 0, got {status}");
}

/// Kill -9 while deliveries, order views and invoice issuing run together: after a restart
/// every acknowledged delivery is mirrored, each order has at most one invoice, and the
/// invoice numbering passes the audit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_mixed_load_keeps_deliveries_and_invoice_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // The seller is known, so the outbox issues invoices during the load.
    std::fs::write(
        dir.path().join("aftercare.toml"),
        crate::helpers::SELLER_TOML,
    )
    .unwrap();
    let Streaming {
        mut child,
        client,
        port,
        acked,
        senders,
    } = streaming(&data_dir).await;
    // Order views beside the deliveries, while the outbox issues invoices.
    let viewers: Vec<_> = (0..4u64)
        .map(|customer| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..200 {
                    let sent = client
                        .get(format!(
                            "http://127.0.0.1:{port}/api/v1/customers/{customer}/orders?per_page=20"
                        ))
                        .bearer_auth("crash-test-api-key-0123456789")
                        .send()
                        .await;
                    match sent {
                        Ok(r) => assert!(
                            r.status() == 200 || r.status() == 429,
                            "order views answer 200 while serving: {}",
                            r.status()
                        ),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for task in senders.into_iter().chain(viewers) {
        task.await.unwrap();
    }

    let mut child = start(&data_dir, port);
    wait_ready(&client, port).await;
    let acked = acked.lock().unwrap().clone();
    let committed = mirrored(&data_dir);
    let lost: Vec<_> = acked.difference(&committed).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost",
        lost.len()
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    let db = rusqlite::Connection::open_with_flags(
        data_dir.join("aftercare.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let twice: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM (SELECT order_id FROM documents WHERE kind = 'invoice'
             GROUP BY store_id, order_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "an order invoiced twice");
    let issued: i64 = db
        .query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert!(issued > 0, "invoices were being issued when it was killed");
    let audit = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["invoices", "audit", "--data-dir"])
        .arg(&data_dir)
        .arg("--config")
        .arg(dir.path().join("aftercare.toml"))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", "crash-test-api-key-0123456789")
        .output()
        .unwrap();
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}
