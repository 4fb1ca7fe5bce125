//! Ingest benchmark: signed ~3 KB `order.updated` deliveries over loopback from concurrent
//! clients to the real `aftercare` binary, each acknowledged only after its commit; beside
//! it, in the same run, a raw rusqlite baseline of one upsert per transaction, and the ceiling
//! (the same upserts group-committed from as many producers), with the same
//! durability settings (WAL, synchronous=FULL); and the HTTP floor: the same clients against
//! a server that verifies and parses each delivery as aftercare does and writes nothing, what
//! HTTP alone allows on this machine.
//!
//! Run: `cargo bench --bench ingest` (env: INGEST_DELIVERIES, INGEST_CLIENTS, INGEST_INVOICES;
//! INGEST_BESIDE=path/to/another/aftercare measures that build too, first, in the same run,
//! for a before/after on this noisy machine).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aftercare::webhook::signature::sign;

const SECRET: &str = "bench-webhook-secret";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A ~3 KB order body (the guest fixture without attribution meta and links).
fn template() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/guest-usd.json"
    );
    let mut order: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let object = order.as_object_mut().unwrap();
    object.remove("_links");
    object["meta_data"].as_array_mut().unwrap().retain(|m| {
        !m["key"]
            .as_str()
            .unwrap()
            .starts_with("_wc_order_attribution")
    });
    order
}

fn body(template: &serde_json::Value, id: u64, customer: u64, minute: u64) -> Vec<u8> {
    let mut order = template.clone();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["customer_id"] = customer.into();
    order["date_modified_gmt"] =
        format!("2026-11-22T{:02}:{:02}:00", 10 + minute / 60, minute % 60).into();
    serde_json::to_vec(&order).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The baselines' database: the mirror's key and customer index, WAL + FULL.
fn baseline_db(dir: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(dir.join("baseline.sqlite3")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE orders (store_id TEXT NOT NULL, order_id INTEGER NOT NULL,
             customer_id INTEGER NOT NULL, date_modified TEXT NOT NULL, raw TEXT NOT NULL,
             PRIMARY KEY (store_id, order_id));
         CREATE INDEX by_customer ON orders (store_id, customer_id);",
    )
    .unwrap();
    conn
}

/// The baselines' one write: the order's upsert, newer versions only.
fn upsert(conn: &rusqlite::Connection, id: u64, customer: u64, body: &[u8]) {
    conn.prepare_cached(
        "INSERT INTO orders VALUES ('default', ?1, ?2, '2026-11-22T10:00:00Z', ?3)
         ON CONFLICT (store_id, order_id) DO UPDATE SET raw = excluded.raw,
             date_modified = excluded.date_modified
         WHERE excluded.date_modified >= orders.date_modified",
    )
    .unwrap()
    .execute((
        id as i64,
        customer as i64,
        std::str::from_utf8(body).unwrap(),
    ))
    .unwrap();
}

/// One connection, one upsert per transaction, WAL + FULL: the classic way.
fn raw_baseline(bodies: &[(u64, u64, Vec<u8>)]) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let conn = baseline_db(dir.path());
    let started = Instant::now();
    for (id, customer, body) in bodies {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        upsert(&conn, *id, *customer, body);
        conn.execute_batch("COMMIT").unwrap();
    }
    bodies.len() as f64 / started.elapsed().as_secs_f64()
}

/// The ceiling for this disk and schema: the same upserts from 32 concurrent producers, each
/// waiting for its commit, with one writer thread committing everything queued in one
/// transaction (group commit, as aftercare's writer does), but nothing else: no HTTP, no
/// signature, no parsing beyond the upsert.
fn batching_ceiling(bodies: &[(u64, u64, Vec<u8>)], producers: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let conn = baseline_db(dir.path());
    type Request = (usize, std::sync::mpsc::SyncSender<()>);
    let (queue, queued) = std::sync::mpsc::channel::<Request>();
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(first) = queued.recv() {
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match queued.try_recv() {
                        Ok(more) => batch.push(more),
                        Err(_) => break,
                    }
                }
                conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                for (i, _) in &batch {
                    let (id, customer, body) = &bodies[*i];
                    upsert(&conn, *id, *customer, body);
                }
                conn.execute_batch("COMMIT").unwrap();
                for (_, done) in batch {
                    let _ = done.send(());
                }
            }
        });
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|producers_scope| {
            for _ in 0..producers {
                let (queue, next) = (queue.clone(), &next);
                producers_scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= bodies.len() {
                            break;
                        }
                        let (done, wait) = std::sync::mpsc::sync_channel(1);
                        queue.send((i, done)).unwrap();
                        wait.recv().unwrap();
                    }
                });
            }
        });
        drop(queue);
    });
    bodies.len() as f64 / started.elapsed().as_secs_f64()
}

/// A config file naming the seller, beside the data dir: the outbox issues invoices while
/// deliveries arrive, as a real shop's would.
/// `INGEST_INVOICES=0` leaves the seller out: invoices wait for it, and the figures are the
/// ingest path's alone, without the renderer taking a core beside it.
fn seller_config(data_dir: &std::path::Path) -> std::path::PathBuf {
    let path = data_dir.with_extension("toml");
    let seller = if env_or("INGEST_INVOICES", 1) == 0 {
        ""
    } else {
        "[seller]\nname = \"Bench Shop\"\naddress = [\"1 Harbor Way\", \"San Francisco, CA 94107\"]\n"
    };
    std::fs::write(&path, seller).expect("write the bench config");
    path
}

/// The HTTP floor's server, in a process of its own as aftercare is: verify the signature,
/// parse the order as aftercare does, answer; nothing is written. Runs when the bench is
/// started again with `INGEST_FLOOR_PORT` set.
fn serve_floor(port: u16) {
    use aftercare::secret::Secret;
    use aftercare::webhook::signature::Verifier;
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};

    let verifier = std::sync::Arc::new(Verifier::new(&[Secret::new(SECRET)]));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let app = axum::Router::new().route(
            "/webhooks/woocommerce",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let verifier = verifier.clone();
                async move {
                    let signature = headers
                        .get("x-wc-webhook-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let topic = headers
                        .get("x-wc-webhook-topic")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let parsed = aftercare::webhook::payload::parse(topic, &body);
                    if !verifier.verify(&body, signature) || parsed.is_err() {
                        return (StatusCode::BAD_REQUEST, "{}");
                    }
                    (StatusCode::OK, r#"{"status":"accepted"}"#)
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        axum::serve(listener, app).await.unwrap();
    });
}

fn start_floor(port: u16) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env("INGEST_FLOOR_PORT", port.to_string())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the floor server")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(binary: &std::path::Path, data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(binary)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("AFTERCARE_CONFIG", seller_config(data_dir))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", "bench-api-key-0123456789")
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start aftercare")
}

/// Drives `signed` deliveries from `clients` closed-loop clients at the server on `port`
/// (started already or starting); returns the elapsed time, every latency and how many
/// answers said `accepted`.
fn drive(
    port: u16,
    signed: &[(Vec<u8>, String)],
    clients: usize,
) -> (Duration, Vec<Duration>, usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let signed = std::sync::Arc::new(signed.to_vec());
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}/webhooks/woocommerce");
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (client, url, signed, next) =
                (client.clone(), url.clone(), signed.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut accepted = 0usize;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((body, signature)) = signed.get(i) else {
                        break;
                    };
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-wc-webhook-topic", "order.updated")
                        .header("x-wc-webhook-signature", signature)
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let text = response.text().await.unwrap();
                    latencies.push(sent.elapsed());
                    accepted += usize::from(text.contains("accepted"));
                }
                (latencies, accepted)
            }));
        }
        let mut all = Vec::new();
        let mut accepted = 0;
        for task in tasks {
            let (l, a) = task.await.unwrap();
            all.extend(l);
            accepted += a;
        }
        (started.elapsed(), all, accepted)
    })
}

/// Waits until the outbox has carried out every job the deliveries made due (messages
/// decided, delays evaluated; invoices too unless they wait for the seller), and returns
/// how long after `started` that was: the acknowledgements measure only the first part.
fn settled(db: &std::path::Path, started: Instant) -> Duration {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open aftercare's database");
    let waiting = if env_or("INGEST_INVOICES", 1) == 0 {
        "AND kind != 'issue_invoice'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL {waiting}
           AND run_after <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let open: i64 = conn.query_row(&sql, [], |r| r.get(0)).unwrap_or(1);
        if open == 0 {
            return started.elapsed();
        }
        assert!(Instant::now() < deadline, "the outbox did not settle");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One aftercare build's run: its acknowledgements and when the work they made due was done.
struct Run {
    rate: f64,
    latencies: Vec<Duration>,
    settled: Duration,
    rss: f64,
    accepted: usize,
}

impl Run {
    fn print(&self, name: &str, deliveries: usize) {
        let l = &self.latencies;
        println!(
            "| {name} deliveries/s (acked after commit) | {:.0} |",
            self.rate
        );
        println!(
            "| {name} latency p50 / p99 / max (ms) | {:.2} / {:.2} / {:.2} |",
            percentile(l, 0.5),
            percentile(l, 0.99),
            percentile(l, 1.0)
        );
        println!(
            "| {name}, everything the deliveries made due done (s from the first delivery) | {:.1} |",
            self.settled.as_secs_f64()
        );
        println!("| {name} peak RSS (MB) | {:.1} |", self.rss);
        println!(
            "| {name} accepted (written) deliveries | {} of {deliveries} |",
            self.accepted
        );
    }
}

/// Starts `binary` on a fresh data directory, drives every delivery at it, waits for the
/// outbox to settle and stops it.
fn measure(binary: &std::path::Path, signed: &[(Vec<u8>, String)], clients: usize) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start_server(binary, &dir.path().join("data"), port);
    let started = Instant::now();
    let (elapsed, mut latencies, accepted) = drive(port, signed, clients);
    let settled = settled(&dir.path().join("data/aftercare.sqlite3"), started);
    let rss = peak_rss_mb(server.id());
    let _ = server.kill();
    let _ = server.wait();
    latencies.sort();
    Run {
        rate: signed.len() as f64 / elapsed.as_secs_f64(),
        latencies,
        settled,
        rss,
        accepted,
    }
}

fn main() {
    if let Some(port) = std::env::var("INGEST_FLOOR_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
    {
        return serve_floor(port);
    }
    let deliveries = env_or("INGEST_DELIVERIES", 40_000);
    let clients = env_or("INGEST_CLIENTS", 32);
    let template = template();
    // Half new orders, half updates of earlier ones (newer date_modified): all get written.
    let bodies: Vec<(u64, u64, Vec<u8>)> = (0..deliveries as u64)
        .map(|n| {
            let id = 1 + n % (deliveries as u64 / 2).max(1);
            let customer = id % 1000;
            (
                id,
                customer,
                body(&template, id, customer, n / (deliveries as u64 / 2).max(1)),
            )
        })
        .collect();
    let size = bodies[0].2.len();
    let signed: Vec<(Vec<u8>, String)> = bodies
        .iter()
        .map(|(_, _, b)| (b.clone(), sign(b, SECRET)))
        .collect();

    let raw = raw_baseline(&bodies);
    let ceiling = batching_ceiling(&bodies, clients);

    let floor_port = free_port();
    let mut floor_server = start_floor(floor_port);
    let (floor_elapsed, _, floor_accepted) = drive(floor_port, &signed, clients);
    let _ = floor_server.kill();
    let _ = floor_server.wait();
    assert_eq!(
        floor_accepted, deliveries,
        "the floor server answers every delivery"
    );
    let floor = deliveries as f64 / floor_elapsed.as_secs_f64();

    let beside = std::env::var_os("INGEST_BESIDE").map(std::path::PathBuf::from);
    let before = beside
        .as_deref()
        .map(|binary| measure(binary, &signed, clients));
    let this = measure(
        std::path::Path::new(env!("CARGO_BIN_EXE_aftercare")),
        &signed,
        clients,
    );
    let rate = this.rate;
    println!(
        "ingest: {deliveries} signed order.updated deliveries of {size} bytes, {clients} concurrent clients, WAL + synchronous=FULL"
    );
    println!("| measure | value |");
    println!("|---|---|");
    if let (Some(binary), Some(run)) = (&beside, &before) {
        run.print(
            &format!("aftercare beside ({})", binary.display()),
            deliveries,
        );
    }
    this.print("aftercare", deliveries);
    println!("| raw rusqlite, one upsert per transaction (rows/s) | {raw:.0} |");
    println!(
        "| raw rusqlite, {clients} producers, group commit: the ceiling (rows/s) | {ceiling:.0} |"
    );
    println!("| HTTP floor: verify + parse, nothing written (deliveries/s) | {floor:.0} |");
    println!(
        "| ratio aftercare / one per transaction | {:.2} |",
        rate / raw
    );
    println!(
        "| aftercare as a share of the ceiling | {:.0}% |",
        100.0 * rate / ceiling
    );
    println!(
        "| aftercare as a share of the lesser of ceiling and HTTP floor | {:.0}% |",
        100.0 * rate / ceiling.min(floor)
    );
}
