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

/// `aftercare invoices audit` on `data_dir` (its config beside it) exits 0.
fn audit_passes(data_dir: &std::path::Path) {
    let audit = Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["invoices", "audit", "--data-dir"])
        .arg(data_dir)
        .arg("--config")
        .arg(data_dir.with_file_name("aftercare.toml"))
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
    audit_passes(&data_dir);
}

/// Order `id`, paid, with one CJ parcel of its own number (shipped weeks ago: no message for
/// that; the pushes' fresh scans are what the customer hears of).
fn parcel_order(id: u64) -> Vec<u8> {
    let mut order: serde_json::Value =
        serde_json::from_slice(&order_body(id, id % 7 + 1, "2026-11-20T10:00:00")).unwrap();
    order["refunds"] = serde_json::json!([]);
    for meta in order["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == "_wc_shipment_tracking_items" {
            let mut item = meta["value"][0].clone();
            item["tracking_number"] = parcel_number(id).into();
            meta["value"] = serde_json::json!([item]);
        }
    }
    serde_json::to_vec(&order).unwrap()
}

fn parcel_number(id: u64) -> String {
    format!("5{id:011}")
}

/// 17TRACK's push for the parcel of order `id`: out for delivery a minute before the test
/// began, and delivered then too when `delivered` (the whole history, as 17TRACK sends it).
fn scan_push(id: u64, delivered: bool) -> Vec<u8> {
    let mut push: serde_json::Value =
        serde_json::from_slice(&crate::helpers::fixture("17track/push-updated.json")).unwrap();
    // One scan time per parcel whichever round pushes it: 17TRACK resends the same history.
    static STARTED: std::sync::OnceLock<jiff::Timestamp> = std::sync::OnceLock::new();
    let now = *STARTED.get_or_init(jiff::Timestamp::now);
    let at = |secs: i64| aftercare::time::seconds(now - jiff::SignedDuration::from_secs(secs));
    let data = &mut push["data"];
    data["number"] = parcel_number(id).into();
    let mut scan = data["track_info"]["tracking"]["providers"][0]["events"][0].clone();
    scan["time_iso"] = serde_json::Value::Null;
    scan["time_utc"] = at(60).into();
    let mut events = vec![scan.clone()];
    if delivered {
        let mut done = scan;
        done["time_utc"] = at(1).into();
        done["stage"] = "Delivered".into();
        done["sub_status"] = "Delivered_Other".into();
        done["description"] = "배송완료 (Delivered)".into();
        events.insert(0, done);
    }
    data["track_info"]["latest_status"]["status"] = if delivered {
        "Delivered"
    } else {
        "OutForDelivery"
    }
    .into();
    data["track_info"]["latest_event"] = events[0].clone();
    data["track_info"]["tracking"]["providers"][0]["events"] = events.into();
    serde_json::to_vec(&push).unwrap()
}

/// One round of load: new orders, and 17TRACK pushes for the orders already acknowledged.
/// Returns (acknowledged order ids, acknowledged pushes as (order id, delivered)).
async fn mixed_load(
    client: &reqwest::Client,
    port: u16,
    first_id: u64,
    known: &[u64],
    kill_after: Duration,
    child: &mut Child,
) -> (BTreeSet<u64>, BTreeSet<(u64, bool)>) {
    let orders = Arc::new(Mutex::new(BTreeSet::new()));
    let pushes = Arc::new(Mutex::new(BTreeSet::new()));
    let mut tasks = Vec::new();
    for worker in 0..4u64 {
        let (client, orders) = (client.clone(), orders.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..5_000u64 {
                let id = first_id + worker * 5_000 + n;
                let body = parcel_order(id);
                let sent = client
                    .post(format!("http://127.0.0.1:{port}/webhooks/woocommerce"))
                    .header("x-wc-webhook-topic", "order.created")
                    .header("x-wc-webhook-signature", sign(&body, SECRET))
                    .body(body)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        orders.lock().unwrap().insert(id);
                    }
                    _ => break,
                }
            }
        }));
    }
    for worker in 0..2usize {
        let (client, pushes) = (client.clone(), pushes.clone());
        let known: Vec<u64> = known.iter().copied().skip(worker).step_by(2).collect();
        tasks.push(tokio::spawn(async move {
            for delivered in [false, true] {
                for &id in &known {
                    let body = scan_push(id, delivered);
                    let sent = client
                        .post(format!("http://127.0.0.1:{port}/feeds/17track"))
                        .header("sign", crate::feeds::sign(&body))
                        .body(body)
                        .send()
                        .await;
                    let Ok(r) = sent else { return };
                    if !r.status().is_success() {
                        return;
                    }
                    // A number not followed yet (its registration still queued) is
                    // `ignored`, as 17TRACK would not push it; `applied` is a promise.
                    let answer: serde_json::Value = match r.json().await {
                        Ok(answer) => answer,
                        Err(_) => return,
                    };
                    if answer["status"] == "applied" {
                        pushes.lock().unwrap().insert((id, delivered));
                    }
                }
            }
        }));
    }
    tokio::time::sleep(kill_after).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let orders = orders.lock().unwrap().clone();
    let pushes = pushes.lock().unwrap().clone();
    (orders, pushes)
}

/// Kill -9 at random points while deliveries, 17TRACK pushes, invoicing and mail to a real
/// SMTP server run together, three times over: nothing acknowledged is lost, no message is
/// decided twice, every message decided is mailed, and a copy mailed again (the kill fell
/// between the server's "250" and the record of it) carries the same Message-ID, follows an
/// attempt of its own (no message is mailed more often than it was claimed), and comes from a
/// send in flight at a kill: at most the mail lane's width of them per kill.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_of_orders_pushes_and_mail_loses_and_repeats_nothing() {
    let Some(sink) = crate::notify::Sink::start(free_port(), false) else {
        return;
    };
    let tracker = wiremock::MockServer::start().await;
    crate::feeds::mock_register(&tracker).await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"code": 0, "data": {"accepted": [], "rejected": []}}),
        ))
        .with_priority(10)
        .mount(&tracker)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    std::fs::write(
        dir.path().join("aftercare.toml"),
        format!(
            "timezone = \"UTC\"\n{}\n[notify]\nchannel = \"smtp\"\n\
             smtp_url = \"smtp://127.0.0.1:{}\"\nmail_from = \"Crash Shop <shop@crash.example>\"\n\
             quiet_hours = \"off\"\n{}",
            crate::helpers::SELLER_TOML,
            sink.port,
            crate::feeds::feed_toml(&tracker.uri(), 3600, 72)
        ),
    )
    .unwrap();
    // The kill points: random, and told, so that a failure can be replayed.
    let seed = std::env::var("AFTERCARE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond() as u64);
    eprintln!("kill points from AFTERCARE_CRASH_SEED={seed}");
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let (mut orders, mut pushes) = (BTreeSet::new(), BTreeSet::new());
    let kills = 3;
    for round in 0..kills {
        let port = free_port();
        let mut child = start(&data_dir, port);
        wait_ready(&client, port).await;
        let known: Vec<u64> = orders.iter().copied().collect();
        let kill_after = Duration::from_millis(300 + next() % 1_200);
        let (acked, pushed) = mixed_load(
            &client,
            port,
            1_000_000 * (round + 1),
            &known,
            kill_after,
            &mut child,
        )
        .await;
        assert!(
            !acked.is_empty(),
            "round {round}: no order got through in {kill_after:?}"
        );
        orders.extend(acked);
        pushes.extend(pushed);
    }
    assert!(!pushes.is_empty(), "no push got through before a kill");

    // The last start: it finishes what the kills interrupted.
    let port = free_port();
    let mut child = start(&data_dir, port);
    wait_ready(&client, port).await;
    let db_path = data_dir.join("aftercare.sqlite3");
    let open = || {
        let db = rusqlite::Connection::open_with_flags(
            &db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        db.busy_timeout(Duration::from_secs(5)).unwrap();
        db
    };
    let count = |sql: &str| -> i64 { open().query_row(sql, [], |r| r.get(0)).unwrap() };
    crate::helpers::eventually("every message mailed", Duration::from_secs(90), || async {
        count(
            "SELECT COUNT(*) FROM messages WHERE channel = 'smtp'
             AND state IN ('pending', 'deferred', 'sending', 'failed')",
        ) == 0
            && count("SELECT COUNT(*) FROM jobs WHERE done_at IS NULL AND run_after <= strftime('%Y-%m-%dT%H:%M:%fZ','now')") == 0
    })
    .await;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    // Nothing acknowledged lost.
    let committed = mirrored(&data_dir);
    let lost: Vec<_> = orders.difference(&committed).collect();
    assert!(lost.is_empty(), "{} acknowledged orders lost", lost.len());
    let db = open();
    for &(id, delivered) in &pushes {
        let status = if delivered {
            "delivered"
        } else {
            "out_for_delivery"
        };
        let events: i64 = db
            .query_row(
                "SELECT COUNT(*) FROM shipment_events e JOIN shipments s ON s.id = e.shipment_id
                 WHERE s.order_id = ?1 AND e.status = ?2",
                (id as i64, status),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(events, 1, "the acknowledged {status} scan of order {id}");
    }
    // Each scan told once, and every message told reached the mail server.
    let decided: BTreeSet<String> = {
        let mut stmt = db
            .prepare("SELECT id FROM messages WHERE state = 'sent'")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|id| format!("<msg_{}.default@crash.example>", id.unwrap()))
            .collect()
    };
    let told: i64 = db
        .query_row(
            "SELECT COUNT(DISTINCT order_id || '/' || type) FROM messages WHERE state = 'sent'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(told as usize, decided.len(), "a scan was told twice");
    assert!(!decided.is_empty(), "the pushed scans were told");
    let mailed: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| crate::notify::header(m, "Message-ID").expect("a Message-ID"))
        .collect();
    let distinct: BTreeSet<String> = mailed.iter().cloned().collect();
    assert_eq!(
        distinct, decided,
        "the mail server got exactly the messages told"
    );
    let repeats = mailed.len() - distinct.len();
    // Each attempt is claimed in a commit of its own before the message goes to the server.
    let attempts: std::collections::BTreeMap<String, i64> = {
        let mut stmt = db
            .prepare("SELECT id, attempts FROM messages WHERE state = 'sent'")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .unwrap()
            .map(|row| {
                let (id, attempts) = row.unwrap();
                (format!("<msg_{id}.default@crash.example>"), attempts)
            })
            .collect()
    };
    for id in &distinct {
        let copies = mailed.iter().filter(|m| *m == id).count() as i64;
        assert!(
            copies <= attempts[id],
            "{id} mailed {copies} times in {} attempts",
            attempts[id]
        );
    }
    assert!(
        repeats <= kills as usize * aftercare::jobs::MAIL_WIDTH,
        "{repeats} copies mailed again over {kills} kills, more than the sends in flight"
    );
    eprintln!(
        "{} orders, {} pushes acknowledged; {} messages mailed, {repeats} copies again",
        orders.len(),
        pushes.len(),
        decided.len()
    );
    let twice: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM (SELECT order_id FROM documents WHERE kind = 'invoice'
             GROUP BY store_id, order_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "an order invoiced twice");
    audit_passes(&data_dir);
}
