//! Order view API benchmark: 100,000 mirrored orders across 10,000 customers, then the
//! order view (`GET /api/v1/customers/{customer_id}/orders/{order_id}`) at a fixed rate of
//! 1,000 requests/s over loopback, first alone (phase A), then while a webhook load of
//! 1,000 signed `order.updated` deliveries/s writes to the same mirror (phase B).
//!
//! Both loads are open loop: request i is scheduled at `start + i / rate` and sent as its
//! own task, so a slow answer never delays the next request (no coordinated omission);
//! latency runs from the scheduled time to the last byte of the body received.
//!
//! Run: `cargo bench --bench api` (env: API_ORDERS, API_CUSTOMERS, API_RATE, API_SECONDS,
//! API_WEBHOOK_RATE, API_CLIENTS, API_DRAIN_SECONDS).

use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod common;

use aftercare::webhook::signature::sign;
use common::{Rng, dir_size_mb, env_or, percentile, rss_mb};
use tokio::time::Instant;

const SECRET: &str = "bench-webhook-secret";
const API_KEY: &str = "bench-api-key-0123456789";

const ID: &str = "987654321";
const CUSTOMER: &str = "876543219";
const MODIFIED: &str = "2099-12-31T23:59:59";

/// The registered KRW fixture (~7 KB, 3 line items) serialized once with sentinels in
/// place of the id, number, customer id and (for updates) `date_modified_gmt`.
struct Template {
    json: String,
    date_modified_gmt: String,
}

impl Template {
    fn load() -> Template {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/orders/registered-krw.json"
        );
        let mut order: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let date_modified_gmt = order["date_modified_gmt"].as_str().unwrap().to_owned();
        order["id"] = ID.parse::<u64>().unwrap().into();
        order["number"] = ID.into();
        order["customer_id"] = CUSTOMER.parse::<u64>().unwrap().into();
        order["date_modified_gmt"] = MODIFIED.into();
        // Most orders are never refunded: without this, every order would also queue a
        // credit note behind its invoice.
        order["refunds"] = serde_json::json!([]);
        let json = serde_json::to_string(&order).unwrap();
        assert_eq!(json.matches(MODIFIED).count(), 1);
        assert_eq!(json.matches(CUSTOMER).count(), 1);
        Template {
            json,
            date_modified_gmt,
        }
    }

    /// The order body with this id and customer, modified at `modified` (or as in the
    /// fixture), and its signature.
    fn signed(&self, id: u64, customer: u64, modified: Option<&str>) -> (Vec<u8>, String) {
        let body = self
            .json
            .replace(ID, &id.to_string())
            .replace(CUSTOMER, &customer.to_string())
            .replace(MODIFIED, modified.unwrap_or(&self.date_modified_gmt))
            .into_bytes();
        let signature = sign(&body, SECRET);
        (body, signature)
    }
}

/// `2026-11-22T00:00:00` plus `k` seconds: every update is newer than the one before it
/// (and than the fixture's 2026-11-16), so each is a real write.
fn modified_at(k: u64) -> String {
    assert!(k < 8 * 86_400, "too many updates for the date scheme");
    let (day, s) = (22 + k / 86_400, k % 86_400);
    format!(
        "2026-11-{day:02}T{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// A config file naming the seller, beside the data dir: invoices are issued only for a
/// known seller, and the outbox's rendering is part of what is measured.
fn seller_config(data_dir: &std::path::Path) -> std::path::PathBuf {
    let path = data_dir.with_extension("toml");
    std::fs::write(
        &path,
        "[seller]\nname = \"Bench Shop\"\naddress = [\"1 Harbor Way\", \"San Francisco, CA 94107\"]\n",
    )
    .expect("write the bench config");
    path
}

fn start_server(data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir)
        .env("AFTERCARE_CONFIG", seller_config(data_dir))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start aftercare")
}

/// What one request ended with: the HTTP status (0 when the request itself failed) and
/// the body.
type Outcome = (u16, Vec<u8>);

async fn post_delivery(
    client: &reqwest::Client,
    url: &str,
    (body, signature): (Vec<u8>, String),
) -> Outcome {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-wc-webhook-topic", "order.updated")
        .header("x-wc-webhook-signature", signature)
        .body(body)
        .send()
        .await;
    read(response).await
}

async fn get_view(client: &reqwest::Client, url: &str) -> Outcome {
    read(client.get(url).bearer_auth(API_KEY).send().await).await
}

async fn read(response: reqwest::Result<reqwest::Response>) -> Outcome {
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(body) => (status, body.to_vec()),
                Err(e) => (0, e.to_string().into_bytes()),
            }
        }
        Err(e) => (0, e.to_string().into_bytes()),
    }
}

/// The result of one open-loop run.
struct Run {
    latencies: Vec<Duration>,
    outcomes: Vec<Outcome>,
    elapsed: Duration,
    max_send_lag: Duration,
}

impl Run {
    fn count_status(&self, status: u16) -> usize {
        self.outcomes.iter().filter(|(s, _)| *s == status).count()
    }

    fn count_body(&self, needle: &str) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, b)| std::str::from_utf8(b).is_ok_and(|b| b.contains(needle)))
            .count()
    }

    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn ms(&self, p: f64) -> f64 {
        percentile(&self.latencies, p)
    }
}

/// Open loop: request `i` is due at `start + i / rate`; each is spawned as its own task the
/// moment it is due, whatever the earlier ones are doing. Latency runs from the due time,
/// so time a request spends waiting behind the generator counts too.
async fn open_loop<F, Fut>(start: Instant, rate: f64, count: usize, mut request: F) -> Run
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let mut tasks = Vec::with_capacity(count);
    let mut max_send_lag = Duration::ZERO;
    for i in 0..count {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        max_send_lag = max_send_lag.max(due.elapsed());
        let future = request(i);
        tasks.push(tokio::spawn(async move {
            let outcome = future.await;
            (due.elapsed(), Instant::now(), outcome)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    let mut outcomes = Vec::with_capacity(count);
    let mut last = start;
    for task in tasks {
        let (latency, done, outcome) = task.await.unwrap();
        latencies.push(latency);
        outcomes.push(outcome);
        last = last.max(done);
    }
    latencies.sort();
    Run {
        latencies,
        outcomes,
        elapsed: last - start,
        max_send_lag,
    }
}

/// Views of random existing orders, each with its own customer's id.
async fn view_load(
    client: &reqwest::Client,
    base: &str,
    start: Instant,
    rate: f64,
    count: usize,
    (orders, customers): (u64, u64),
    seed: u64,
) -> Run {
    let mut rng = Rng::new(seed);
    open_loop(start, rate, count, |_| {
        let id = 1 + rng.below(orders);
        let url = format!("{base}/api/v1/customers/{}/orders/{id}", id % customers + 1);
        let client = client.clone();
        async move { get_view(&client, &url).await }
    })
    .await
}

/// `order.updated` deliveries of random existing orders, each with a newer
/// `date_modified_gmt` than every delivery before it.
async fn webhook_load(
    client: &reqwest::Client,
    base: &str,
    template: &Arc<Template>,
    start: Instant,
    rate: f64,
    count: usize,
    (orders, customers): (u64, u64),
) -> Run {
    let mut rng = Rng::new(4);
    let url = format!("{base}/webhooks/woocommerce");
    open_loop(start, rate, count, |k| {
        let id = 1 + rng.below(orders);
        let (client, url, template) = (client.clone(), url.clone(), template.clone());
        async move {
            let signed = template.signed(id, id % customers + 1, Some(&modified_at(k as u64)));
            post_delivery(&client, &url, signed).await
        }
    })
    .await
}

fn check_views(phase: &str, run: &Run) {
    let ok = run.count_status(200);
    if ok != run.outcomes.len() {
        let mut statuses = std::collections::BTreeMap::new();
        for (status, _) in &run.outcomes {
            *statuses.entry(*status).or_insert(0usize) += 1;
        }
        let example = run
            .outcomes
            .iter()
            .find(|(s, _)| *s != 200)
            .map(|(s, b)| format!("{s}: {}", String::from_utf8_lossy(b)))
            .unwrap_or_default();
        panic!(
            "{phase}: {ok} of {} order views answered 200; statuses {statuses:?} (0: no answer); e.g. {example}",
            run.outcomes.len()
        );
    }
}

fn main() {
    let orders = env_or("API_ORDERS", 100_000) as u64;
    let customers = env_or("API_CUSTOMERS", 10_000) as u64;
    let rate = env_or("API_RATE", 1_000) as f64;
    let seconds = env_or("API_SECONDS", 20) as f64;
    let webhook_rate = env_or("API_WEBHOOK_RATE", 1_000) as f64;
    let clients = env_or("API_CLIENTS", 32);
    let views = (rate * seconds) as usize;
    let updates = (webhook_rate * seconds) as usize;
    let template = Arc::new(Template::load());
    let size = template.signed(orders, 1, None).0.len();

    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(&data_dir, port);
    let pid = server.id();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (populate, (drain, invoices), populated_rss, warm, a, a_rss, b, b_rss, hooks) =
        runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while client.get(format!("{base}/readyz")).send().await.is_err() {
            assert!(std::time::Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // Population: `clients` closed-loop clients, each order once.
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let populate_started = jiff::Timestamp::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (client, url, template, next) = (
                client.clone(),
                format!("{base}/webhooks/woocommerce"),
                template.clone(),
                next.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut accepted = 0usize;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed) as u64;
                    if n >= orders {
                        break;
                    }
                    let id = n + 1;
                    let signed = template.signed(id, id % customers + 1, None);
                    let (status, body) = post_delivery(&client, &url, signed).await;
                    assert_eq!(status, 200, "populating order {id}");
                    accepted += usize::from(body.windows(8).any(|w| w == b"accepted"));
                }
                accepted
            }));
        }
        let mut accepted = 0;
        for task in tasks {
            accepted += task.await.unwrap();
        }
        assert_eq!(accepted as u64, orders, "every order mirrored once");
        let populate = started.elapsed();
        let populated_rss = rss_mb(pid);

        // Every paid order gets its invoice rendered proactively from the outbox. Measure the
        // views once that backlog is done, as a shop would see them: a population of 100,000
        // orders in one go is not what the order page competes with day to day.
        let drain_started = Instant::now();
        let db = rusqlite::Connection::open_with_flags(
            data_dir.join("aftercare.sqlite3"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let open_jobs = |db: &rusqlite::Connection| -> i64 {
            db.query_row(
                "SELECT count(*) FROM jobs WHERE done_at IS NULL AND run_after <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                [],
                |r| r.get(0),
            )
            .unwrap_or(i64::MAX)
        };
        while open_jobs(&db) > 0 {
            assert!(
                drain_started.elapsed() < Duration::from_secs(env_or("API_DRAIN_SECONDS", 1800) as u64),
                "the outbox did not drain"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // From the first delivery: the worker renders while population runs, too.
        let drain = started.elapsed();
        let (invoices, last_issued): (i64, String) = db
            .query_row(
                "SELECT count(*), max(issued_at) FROM documents WHERE kind = 'invoice'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        // The invoices alone: from the first delivery to the last invoice recorded (the
        // drain above also waits for the other lanes' jobs, order confirmations and more).
        let last_issued: jiff::Timestamp = last_issued.parse().unwrap();
        let invoicing = Duration::try_from(last_issued.duration_since(populate_started)).unwrap();
        let drain = (drain, invoicing);

        // Sanity: one view and one list answer what was mirrored.
        let view: serde_json::Value = serde_json::from_slice(
            &get_view(&client, &format!("{base}/api/v1/customers/8/orders/7"))
                .await
                .1,
        )
        .unwrap();
        assert_eq!(view["id"], 7);
        assert_eq!(view["line_items"].as_array().unwrap().len(), 3);
        let list: serde_json::Value = serde_json::from_slice(
            &get_view(&client, &format!("{base}/api/v1/customers/1/orders"))
                .await
                .1,
        )
        .unwrap();
        assert_eq!(list["total"], orders / customers);

        // Warm-up (not counted): opens connections, fills caches.
        let warm_count = (rate as usize).min(views);
        let warm = view_load(
            &client,
            &base,
            Instant::now(),
            rate,
            warm_count,
            (orders, customers),
            1,
        )
        .await;
        check_views("warm-up", &warm);

        // Phase A: views only.
        let a = view_load(
            &client,
            &base,
            Instant::now() + Duration::from_millis(10),
            rate,
            views,
            (orders, customers),
            2,
        )
        .await;
        check_views("phase A", &a);
        let a_rss = rss_mb(pid);

        // Phase B: the same views while webhooks write, both open loop, same start.
        let start = Instant::now() + Duration::from_millis(10);
        let (b, hooks) = tokio::join!(
            view_load(&client, &base, start, rate, views, (orders, customers), 3),
            webhook_load(
                &client,
                &base,
                &template,
                start,
                webhook_rate,
                updates,
                (orders, customers)
            ),
        );
        check_views("phase B", &b);
        let b_rss = rss_mb(pid);
        (populate, (drain, invoices), populated_rss, warm, a, a_rss, b, b_rss, hooks)
    });
    let db_mb = dir_size_mb(&data_dir);
    let _ = server.kill();
    let _ = server.wait();

    let hooks_ok = hooks.count_status(200);
    let hooks_accepted = hooks.count_body("\"accepted\"");
    let hooks_stale = hooks.count_body("\"stale\"");
    assert_eq!(
        hooks_ok,
        hooks.outcomes.len(),
        "phase B: {hooks_ok} of {} deliveries answered 200",
        hooks.outcomes.len()
    );

    println!(
        "populated {orders} orders ({size}-byte order.updated bodies) across {customers} customers \
         with {clients} clients in {:.1} s: {:.0} deliveries/s; database + WAL {db_mb:.0} MB at the end",
        populate.as_secs_f64(),
        orders as f64 / populate.as_secs_f64(),
    );
    let (drain, invoicing) = drain;
    println!(
        "the outbox issued {invoices} invoices (rendered, archived, recorded), the last {:.1} s after the first delivery: {:.0} invoices/s; every job done after {:.1} s",
        invoicing.as_secs_f64(),
        invoices as f64 / invoicing.as_secs_f64().max(1e-9),
        drain.as_secs_f64(),
    );
    println!(
        "warm-up: {} views, p99 {:.2} ms; generator's largest send lag: A {:.2} ms, B views {:.2} ms, B webhooks {:.2} ms",
        warm.latencies.len(),
        warm.ms(0.99),
        a.max_send_lag.as_secs_f64() * 1e3,
        b.max_send_lag.as_secs_f64() * 1e3,
        hooks.max_send_lag.as_secs_f64() * 1e3,
    );
    println!(
        "order view: open loop {rate:.0} requests/s for {seconds:.0} s ({views} per phase); \
         phase B adds {webhook_rate:.0} order.updated deliveries/s ({updates}), open loop"
    );
    println!("| measure | A: views only | B: views + webhooks | target |");
    println!("|---|---|---|---|");
    println!(
        "| view requests answered 200 / achieved rate (req/s) | {} / {:.0} | {} / {:.0} | {rate:.0}/s |",
        a.count_status(200),
        a.rate(),
        b.count_status(200),
        b.rate()
    );
    println!(
        "| view latency p50 / p90 / p99 / max (ms) | {:.2} / {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} / {:.2} | p99 ≤ 5 |",
        a.ms(0.5),
        a.ms(0.9),
        a.ms(0.99),
        a.ms(1.0),
        b.ms(0.5),
        b.ms(0.9),
        b.ms(0.99),
        b.ms(1.0)
    );
    println!(
        "| ratio of view p99, B / A | – | {:.2} | no degradation |",
        b.ms(0.99) / a.ms(0.99)
    );
    println!(
        "| webhook deliveries achieved/s (accepted / stale of {}) | – | {:.0} ({hooks_accepted} / {hooks_stale}) | {webhook_rate:.0}/s |",
        hooks.outcomes.len(),
        hooks.rate()
    );
    println!(
        "| webhook latency p50 / p99 / max (ms) | – | {:.2} / {:.2} / {:.2} | – |",
        hooks.ms(0.5),
        hooks.ms(0.99),
        hooks.ms(1.0)
    );
    println!(
        "| server RSS after the phase / peak VmHWM (MB) | {:.1} / {:.1} | {:.1} / {:.1} | ≤ 100 |",
        a_rss.0, a_rss.1, b_rss.0, b_rss.1
    );
    println!(
        "| server RSS / VmHWM after population (MB) | {:.1} / {:.1} | | |",
        populated_rss.0, populated_rss.1
    );
}
