//! Soak benchmark: the real `aftercare serve` as its own process, on a fresh data dir, with
//! a local SMTP server (Python's aiosmtpd, as the tests use) and a local 17TRACK (wiremock,
//! accepting every registration), under a steady mixed load for `SOAK_MINUTES` (default 30):
//!
//! - new orders: signed `order.created` deliveries of the registered KRW fixture, each with
//!   two parcels shipped a minute ago (so each is registered with 17TRACK and announced);
//! - updates: signed `order.updated` deliveries of random existing orders, newer each time;
//! - order views (`GET /api/v1/customers/{c}/orders/{id}`) and customer order lists;
//! - 17TRACK pushes, signed: each new order's two parcels go out for delivery 30 s after the
//!   order and are delivered 90 s after it, so "out for delivery" and "delivered" messages
//!   go to the SMTP server besides "shipped".
//!
//! Every load is open loop (request i is due at start + i / rate, sent as its own task;
//! latency from the due time to the last byte). Each minute it samples the server's VmRSS
//! and VmHWM, its open files and threads, the database and WAL sizes, the requests of that
//! minute with their p50/p99 per kind and errors, messages received by the SMTP server and
//! the jobs waiting; at the end, a verdict on memory and open files.
//!
//! Run: `cargo bench --bench soak` (env: SOAK_MINUTES, SOAK_ORDERS_PER_MIN,
//! SOAK_UPDATES_PER_MIN, SOAK_VIEWS_PER_MIN, SOAK_LISTS_PER_MIN, SOAK_CUSTOMERS).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aftercare::webhook::signature::sign;
use common::{
    PySink, Rng, env_or, file_mb, free_port, load_average, open_fds, percentile, proc_status,
    rss_mb,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "soak-webhook-secret";
const API_KEY: &str = "soak-api-key-0123456789";
const KEY_17TRACK: &str = "SOAK_17TRACK_ACCESS_KEY";

/// What a request was, for the per-minute figures.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    NewOrder,
    Update,
    View,
    List,
    Push,
}

const KINDS: [Kind; 5] = [
    Kind::NewOrder,
    Kind::Update,
    Kind::View,
    Kind::List,
    Kind::Push,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::NewOrder => "new order",
            Kind::Update => "update",
            Kind::View => "view",
            Kind::List => "list",
            Kind::Push => "push",
        }
    }
}

/// The current minute's requests: latencies per kind, errors, and one error to show.
#[derive(Default)]
struct Minute {
    latencies: BTreeMap<Kind, Vec<Duration>>,
    errors: usize,
    example: Option<String>,
    unmatched_pushes: usize,
}

type Stats = Arc<Mutex<Minute>>;

fn record(stats: &Stats, kind: Kind, due: Instant, outcome: Result<(), String>) {
    let latency = due.elapsed();
    let mut m = stats.lock().unwrap();
    m.latencies.entry(kind).or_default().push(latency);
    if let Err(e) = outcome {
        m.errors += 1;
        m.example
            .get_or_insert_with(|| format!("{}: {e}", kind.label()));
    }
}

/// The registered KRW fixture as any order of the soak.
struct Orders {
    template: Value,
    /// When each order's parcels were shipped (unix seconds), by order id - 1: updates
    /// repeat it, as WooCommerce does.
    shipped: Mutex<Vec<i64>>,
    /// The orders WooCommerce's delivery of was acknowledged: the ones to view and update.
    acked: Mutex<Vec<u64>>,
    customers: u64,
}

impl Orders {
    fn new(customers: u64) -> Orders {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/orders/registered-krw.json"
        );
        let mut template: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        // Most orders are never refunded: no credit note behind every invoice.
        template["refunds"] = json!([]);
        Orders {
            template,
            shipped: Mutex::new(Vec::new()),
            acked: Mutex::new(Vec::new()),
            customers,
        }
    }

    /// A random acknowledged order.
    fn pick(&self, rng: &mut Rng) -> Option<u64> {
        let acked = self.acked.lock().unwrap();
        (!acked.is_empty()).then(|| acked[rng.below(acked.len() as u64) as usize])
    }

    fn customer(&self, id: u64) -> u64 {
        id % self.customers + 1
    }

    /// A new order: its id, body and signature.
    fn create(&self) -> (u64, Vec<u8>, String) {
        let shipped = jiff::Timestamp::now().as_second() - 60;
        let id = {
            let mut all = self.shipped.lock().unwrap();
            all.push(shipped);
            all.len() as u64
        };
        let (body, signature) = self.body(id, shipped);
        (id, body, signature)
    }

    /// An update of order `id`, modified now.
    fn update(&self, id: u64) -> (Vec<u8>, String) {
        let shipped = self.shipped.lock().unwrap()[id as usize - 1];
        self.body(id, shipped)
    }

    fn body(&self, id: u64, shipped: i64) -> (Vec<u8>, String) {
        let mut order = self.template.clone();
        order["id"] = id.into();
        order["number"] = id.to_string().into();
        order["customer_id"] = self.customer(id).into();
        order["billing"]["email"] = format!("customer{}@example.net", self.customer(id)).into();
        order["date_modified_gmt"] = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%S")
            .to_string()
            .into();
        for meta in order["meta_data"].as_array_mut().unwrap() {
            if meta["key"] == "_wc_shipment_tracking_items" {
                for (item, number) in meta["value"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .zip(numbers(id))
                {
                    item["tracking_number"] = number.into();
                    item["date_shipped"] = shipped.to_string().into();
                }
            }
        }
        let body = serde_json::to_vec(&order).unwrap();
        let signature = sign(&body, SECRET);
        (body, signature)
    }
}

/// The two tracking numbers of order `id` (a CJ number and a local courier's).
fn numbers(id: u64) -> [String; 2] {
    [format!("5{:011}", id * 2), format!("BG{:013}", id * 2 + 1)]
}

/// A 17TRACK `TRACKING_UPDATED` push for `number`: out for delivery a minute ago, and
/// when `delivered`, delivered just now too (17TRACK sends the whole history).
fn push_body(number: &str, delivered: bool) -> Vec<u8> {
    let now = jiff::Timestamp::now();
    let at =
        |secs_ago: i64| aftercare::time::seconds(now - jiff::SignedDuration::from_secs(secs_ago));
    let mut events = vec![json!({"time_iso": null, "time_utc": at(60),
        "time_raw": {"date": null, "time": null, "timezone": null},
        "description": "배송출발 (Out for delivery)", "location": "서울 강남",
        "stage": "OutForDelivery", "sub_status": "OutForDelivery_Other"})];
    let mut status = "OutForDelivery";
    if delivered {
        events.insert(
            0,
            json!({"time_iso": null, "time_utc": at(1),
            "time_raw": {"date": null, "time": null, "timezone": null},
            "description": "배송완료 (Delivered)", "location": "서울 강남",
            "stage": "Delivered", "sub_status": "Delivered_Other"}),
        );
        status = "Delivered";
    }
    serde_json::to_vec(&json!({"event": "TRACKING_UPDATED", "data": {
    "number": number, "carrier": 100116, "param": null, "tag": "",
    "track_info": {
        "latest_status": {"status": status, "sub_status": null, "sub_status_descr": null},
        "time_metrics": {"estimated_delivery_date": {"source": null, "from": null, "to": null}},
        "tracking": {"providers_hash": 0, "providers": [{
            "provider": {"key": 100116, "name": "CJ Korea Express", "country": "KR"},
            "latest_sync_status": "Success", "events_hash": 0, "events": events}]}
    }}}))
    .unwrap()
}

/// 17TRACK's `sign` header.
fn sign_17track(body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(body);
    hash.update(format!("/{KEY_17TRACK}").as_bytes());
    hex::encode(hash.finalize())
}

/// A local 17TRACK: every registration accepted, every other call answered empty.
struct Fake17Track;

impl Respond for Fake17Track {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let items: Vec<Value> = serde_json::from_slice(&request.body).unwrap_or_default();
        let data = if request.url.path() == "/register" {
            let accepted: Vec<Value> = items
                .iter()
                .map(|i| json!({"origin": 1, "number": i["number"], "carrier": 100116}))
                .collect();
            json!({"accepted": accepted, "rejected": []})
        } else {
            json!({"accepted": [], "rejected": []})
        };
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": data}))
    }
}

fn config(dir: &Path, smtp_port: u16, tracker: &str) -> std::path::PathBuf {
    let path = dir.join("aftercare.toml");
    std::fs::write(
        &path,
        format!(
            "timezone = \"UTC\"\n\
             [seller]\nname = \"Soak Shop\"\naddress = [\"1 Harbor Way\", \"San Francisco, CA 94107\"]\n\
             [notify]\nchannel = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{smtp_port}\"\n\
             mail_from = \"Soak Shop <shop@soak.example>\"\nquiet_hours = \"off\"\n\
             [feeds]\npoll_seconds = 3600\nstop_after_delivery_hours = 0\n\
             [feeds.stores.default.17track]\napi_key = \"{KEY_17TRACK}\"\nurl = \"{tracker}\"\n\
             monthly_quota = 1000000\n"
        ),
    )
    .expect("write the soak config");
    path
}

fn start_server(dir: &Path, port: u16, config: &Path) -> Child {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .env("AFTERCARE_CONFIG", config)
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .env("AFTERCARE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start aftercare")
}

/// The status and body of a request, or what went wrong.
async fn answer(response: reqwest::Result<reqwest::Response>) -> Result<(u16, Vec<u8>), String> {
    let response = response.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, body.to_vec()))
}

fn expect(status: u16, body: &[u8], wanted: u16) -> Result<(), String> {
    if status == wanted {
        Ok(())
    } else {
        Err(format!(
            "{status} {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))
    }
}

#[derive(Clone)]
struct Load {
    client: reqwest::Client,
    base: String,
    orders: Arc<Orders>,
    stats: Stats,
}

impl Load {
    async fn deliver(
        &self,
        topic: &str,
        (body, signature): (Vec<u8>, String),
    ) -> Result<(), String> {
        let (status, body) = answer(
            self.client
                .post(format!("{}/webhooks/woocommerce", self.base))
                .header("content-type", "application/json")
                .header("x-wc-webhook-topic", topic)
                .header("x-wc-webhook-signature", signature)
                .body(body)
                .send()
                .await,
        )
        .await?;
        expect(status, &body, 200)
    }

    async fn get(&self, path: &str) -> Result<(), String> {
        let (status, body) = answer(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(API_KEY)
                .send()
                .await,
        )
        .await?;
        expect(status, &body, 200)
    }

    async fn push(&self, number: &str, delivered: bool) -> Result<bool, String> {
        let body = push_body(number, delivered);
        let (status, answer) = answer(
            self.client
                .post(format!("{}/feeds/17track", self.base))
                .header("content-type", "application/json")
                .header("sign", sign_17track(&body))
                .body(body)
                .send()
                .await,
        )
        .await?;
        expect(status, &answer, 200)?;
        let answer: Value = serde_json::from_slice(&answer).map_err(|e| e.to_string())?;
        Ok(answer["parcels"].as_u64().unwrap_or(1) > 0)
    }

    /// A new order, and its parcels' pushes 30 and 90 seconds later.
    async fn new_order(self, due: Instant) {
        let (id, body, signature) = self.orders.create();
        let outcome = self.deliver("order.created", (body, signature)).await;
        let created = outcome.is_ok();
        record(&self.stats, Kind::NewOrder, due, outcome);
        if !created {
            return;
        }
        self.orders.acked.lock().unwrap().push(id);
        for (after, delivered) in [(30, false), (90, true)] {
            let due = due + Duration::from_secs(after);
            tokio::time::sleep_until(due).await;
            for number in numbers(id) {
                let load = self.clone();
                tokio::spawn(async move {
                    let outcome = load.push(&number, delivered).await;
                    if outcome == Ok(false) {
                        load.stats.lock().unwrap().unmatched_pushes += 1;
                    }
                    record(&load.stats, Kind::Push, due, outcome.map(|_| ()));
                });
            }
        }
    }
}

/// Runs `request` `per_minute` times a minute, open loop, until `end`.
async fn steady<F, Fut>(per_minute: usize, end: Instant, mut request: F)
where
    F: FnMut(Instant) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if per_minute == 0 {
        return;
    }
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(60.0 / per_minute as f64));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    loop {
        let due = ticks.tick().await;
        if due >= end {
            return;
        }
        tokio::spawn(request(due));
    }
}

/// One minute's figures.
struct Sample {
    minute: usize,
    load: String,
    rss: f64,
    hwm: f64,
    fds: usize,
    threads: f64,
    db: f64,
    wal: f64,
    requests: usize,
    errors: usize,
    p: BTreeMap<Kind, (usize, f64, f64)>,
    unmatched: usize,
    mail: usize,
    waiting_jobs: i64,
    sent: i64,
}

fn db_counts(path: &Path) -> (i64, i64) {
    let Ok(c) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return (-1, -1);
    };
    let _ = c.busy_timeout(Duration::from_secs(5));
    let count = |sql: &str| c.query_row(sql, [], |r| r.get(0)).unwrap_or(-1);
    (
        count(
            "SELECT count(*) FROM jobs WHERE done_at IS NULL
             AND run_after <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        ),
        count("SELECT count(*) FROM messages WHERE state = 'sent'"),
    )
}

fn print_header() {
    let kinds: Vec<String> = KINDS
        .iter()
        .map(|k| format!("{} n / p50 / p99 ms", k.label()))
        .collect();
    println!(
        "| min | load | RSS MB | HWM MB | fds | threads | db MB | WAL MB | requests | errors | {} | unmatched pushes | mails | sent total | due jobs |",
        kinds.join(" | ")
    );
    println!("|{}", "---|".repeat(15 + KINDS.len()));
}

fn print_row(s: &Sample) {
    let kinds: Vec<String> = KINDS
        .iter()
        .map(|k| {
            let (n, p50, p99) = s.p.get(k).copied().unwrap_or((0, f64::NAN, f64::NAN));
            format!("{n} / {p50:.1} / {p99:.1}")
        })
        .collect();
    println!(
        "| {} | {} | {:.1} | {:.1} | {} | {} | {:.1} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
        s.minute,
        s.load,
        s.rss,
        s.hwm,
        s.fds,
        s.threads,
        s.db,
        s.wal,
        s.requests,
        s.errors,
        kinds.join(" | "),
        s.unmatched,
        s.mail,
        s.sent,
        s.waiting_jobs,
    );
}

/// Least-squares slope of `ys` against their minute, per minute.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

fn verdict(samples: &[Sample]) {
    let n = samples.len();
    if n < 3 {
        println!("{n} minute(s): too short for a verdict (SOAK_MINUTES >= 3)");
        return;
    }
    // The first third warms up (caches, pools, the allocator's arenas); the last two
    // thirds (minutes 11-30 of the full run) are where a leak would show as a slope.
    let head = (n / 3).max(1);
    let points = |range: &[Sample]| -> Vec<(f64, f64)> {
        range.iter().map(|s| (s.minute as f64, s.rss)).collect()
    };
    let (first, last) = (&samples[..head], &samples[head..]);
    let (first_slope, last_slope) = (slope(&points(first)), slope(&points(last)));
    let (lo, hi) = last.iter().fold((f64::MAX, f64::MIN), |(lo, hi), s| {
        (lo.min(s.rss), hi.max(s.rss))
    });
    let mean = last.iter().map(|s| s.rss).sum::<f64>() / last.len().max(1) as f64;
    let band = (hi - lo) / mean * 100.0;
    let per_hour = last_slope * 60.0;
    let flat = last_slope.abs() * 60.0 <= 0.05 * mean && band <= 10.0;
    println!(
        "memory: RSS slope {first_slope:+.3} MB/min over minutes 1-{head}, {last_slope:+.3} MB/min \
         over minutes {}-{n} ({per_hour:+.1} MB/hour); band {lo:.1}-{hi:.1} MB ({band:.1}% of \
         {mean:.1} MB); peak VmHWM {:.1} MB: {}",
        head + 1,
        samples.last().unwrap().hwm,
        if flat {
            "flat (|slope| <= 5% of RSS per hour, band <= 10%)"
        } else {
            "NOT flat"
        }
    );
    let fds_first = first.iter().map(|s| s.fds).max().unwrap_or(0);
    let fds_last = last.iter().map(|s| s.fds).max().unwrap_or(0);
    let fds_end = samples.last().unwrap().fds;
    println!(
        "open files: at most {fds_first} in minutes 1-{head}, at most {fds_last} after, {fds_end} at the end: {}",
        if fds_last <= fds_first + 4 {
            "no growth"
        } else {
            "GROWING"
        }
    );
}

fn main() {
    let minutes = env_or("SOAK_MINUTES", 30);
    let orders_per_min = env_or("SOAK_ORDERS_PER_MIN", 60);
    let updates_per_min = env_or("SOAK_UPDATES_PER_MIN", 240);
    let views_per_min = env_or("SOAK_VIEWS_PER_MIN", 1200);
    let lists_per_min = env_or("SOAK_LISTS_PER_MIN", 300);
    let customers = env_or("SOAK_CUSTOMERS", 2000) as u64;

    let dir = tempfile::tempdir().unwrap();
    let sink = PySink::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let tracker = runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::header("17token", KEY_17TRACK))
            .respond_with(Fake17Track)
            .mount(&server)
            .await;
        server
    });
    let config = config(dir.path(), sink.port, &tracker.uri());
    let port = free_port();
    let mut server = start_server(dir.path(), port, &config);
    let pid = server.id();
    let db_path = dir.path().join("data/aftercare.sqlite3");
    let wal_path = dir.path().join("data/aftercare.sqlite3-wal");
    println!(
        "soak: {minutes} min; per minute {orders_per_min} new orders (2 parcels, 4 pushes each), \
         {updates_per_min} updates, {views_per_min} views, {lists_per_min} lists; \
         {customers} customers; {} cores; server pid {pid} [load {}]",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

    let samples = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while client.get(format!("{base}/readyz")).send().await.is_err() {
            assert!(std::time::Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (rss, hwm) = rss_mb(pid);
        println!(
            "started: RSS {rss:.1} MB, VmHWM {hwm:.1} MB, {} fds",
            open_fds(pid)
        );
        let load = Load {
            client,
            base,
            orders: Arc::new(Orders::new(customers)),
            stats: Stats::default(),
        };
        let start = Instant::now() + Duration::from_millis(100);
        let end = start + Duration::from_secs(60 * minutes as u64);
        let picks = Arc::new(AtomicU64::new(1));

        let l = load.clone();
        tokio::spawn(steady(orders_per_min, end, move |due| {
            l.clone().new_order(due)
        }));
        let l = load.clone();
        let p = picks.clone();
        tokio::spawn(steady(updates_per_min, end, move |due| {
            let l = l.clone();
            let mut rng = Rng::new(p.fetch_add(1, Ordering::Relaxed));
            async move {
                let Some(id) = l.orders.pick(&mut rng) else {
                    return;
                };
                let outcome = l.deliver("order.updated", l.orders.update(id)).await;
                record(&l.stats, Kind::Update, due, outcome);
            }
        }));
        let l = load.clone();
        let p = picks.clone();
        tokio::spawn(steady(views_per_min, end, move |due| {
            let l = l.clone();
            let mut rng = Rng::new(p.fetch_add(1, Ordering::Relaxed));
            async move {
                let Some(id) = l.orders.pick(&mut rng) else {
                    return;
                };
                let path = format!("/api/v1/customers/{}/orders/{id}", l.orders.customer(id));
                let outcome = l.get(&path).await;
                record(&l.stats, Kind::View, due, outcome);
            }
        }));
        let l = load.clone();
        let p = picks.clone();
        tokio::spawn(steady(lists_per_min, end, move |due| {
            let l = l.clone();
            let mut rng = Rng::new(p.fetch_add(1, Ordering::Relaxed));
            async move {
                let customer = 1 + rng.below(l.orders.customers);
                let outcome = l.get(&format!("/api/v1/customers/{customer}/orders")).await;
                record(&l.stats, Kind::List, due, outcome);
            }
        }));

        let mut samples = Vec::new();
        print_header();
        // One more minute than the load: the last pushes and their messages settle.
        for minute in 1..=minutes + 1 {
            tokio::time::sleep_until(start + Duration::from_secs(60 * minute as u64)).await;
            if let Ok(Some(status)) = server.try_wait() {
                panic!("the server exited: {status}");
            }
            let m = std::mem::take(&mut *load.stats.lock().unwrap());
            let (rss, hwm) = rss_mb(pid);
            let db = db_path.clone();
            let (waiting_jobs, sent) = tokio::task::spawn_blocking(move || db_counts(&db))
                .await
                .unwrap();
            let mut p = BTreeMap::new();
            let mut requests = 0;
            for (kind, mut l) in m.latencies {
                l.sort();
                requests += l.len();
                p.insert(kind, (l.len(), percentile(&l, 0.5), percentile(&l, 0.99)));
            }
            let sample = Sample {
                minute,
                load: load_average().split(' ').next().unwrap_or("").to_owned(),
                rss,
                hwm,
                fds: open_fds(pid),
                threads: proc_status(pid, "Threads"),
                db: file_mb(&db_path),
                wal: file_mb(&wal_path),
                requests,
                errors: m.errors,
                p,
                unmatched: m.unmatched_pushes,
                mail: sink.clear(),
                waiting_jobs,
                sent,
            };
            print_row(&sample);
            if let Some(e) = m.example {
                println!("  e.g. {e}");
            }
            if minute <= minutes {
                samples.push(sample);
            }
            if minute == minutes {
                verdict(&samples);
            }
        }
        samples
    });
    let _ = server.kill();
    let _ = server.wait();
    drop(tracker);
    drop(samples);
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    println!("server log: {} lines (warn and above)", lines.len());
    for line in lines.iter().take(5) {
        println!("  {}", &line[..line.len().min(300)]);
    }
    println!("end [load {}]", load_average());
}
