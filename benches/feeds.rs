//! Feeds benchmark, with `FEEDS_PARCELS` active parcels (default 100,000: 50,000 orders of
//! the registered KRW fixture, 2 parcels each, every parcel subscribed to 17TRACK) in a real
//! SQLite file:
//!
//! 1. The scheduler's pass: what the poller decides at each tick over the whole population,
//!    i.e. the due subscriptions read through `feeds::store::due` (with their parcels'
//!    columns, in the same statement) and, for each, whether to stop or fetch it
//!    (`feeds::poll::over`), with `FEEDS_DUE_PERMILLE` of the parcels due (default 20, i.e.
//!    2%). Repeated `FEEDS_PASSES` times (default 50); median and p99, for the due query
//!    alone, whole, and for one batch of 40 (what the poller decides before each request).
//!    Beside it, the due query's plan.
//! 2. Pushes: the real application on a random port, `FEEDS_PUSHES` signed 17TRACK v2.2
//!    `TRACKING_UPDATED` pushes (default 20,000, each a new event for a random parcel) from
//!    `FEEDS_CLIENTS` concurrent clients (default 32), each acknowledged after its commit;
//!    events/s and latency percentiles.
//!
//! Run: `cargo bench --bench feeds`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aftercare::Application;
use aftercare::config::{Flags, env_from};
use aftercare::feeds::poll;
use aftercare::feeds::seventeen::signature;
use aftercare::feeds::store;
use aftercare::feeds::{FeedSettings, Provider};
use aftercare::ids::StoreId;
use aftercare::ingest::{self, Incoming, Payload};
use aftercare::orders::store::Source;
use aftercare::store::Db;
use aftercare::tracking::ParcelFeed;
use aftercare::tracking::TrackingSettings;
use aftercare::woo::Order;
use sha2::{Digest, Sha256};

const KEY: &str = "BENCH_17TRACK_ACCESS_KEY";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// xorshift64*: reproducible random picks without another crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

/// The two tracking numbers of order `id`.
fn numbers(id: u64) -> [String; 2] {
    [format!("5{:011}", id * 2), format!("BG{:013}", id * 2 + 1)]
}

fn config(dir: &std::path::Path) -> aftercare::config::Config {
    let config_path = dir.join("aftercare.toml");
    // An unreachable 17TRACK: nothing is due while the pushes run, so nothing is asked.
    std::fs::write(
        &config_path,
        format!(
            "[feeds]\npoll_seconds = 3600\n\
             [feeds.stores.default.17track]\napi_key = \"{KEY}\"\nurl = \"http://127.0.0.1:9\"\n"
        ),
    )
    .unwrap();
    aftercare::startup::load(
        &Flags {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            data_dir: Some(dir.join("data")),
            config: Some(config_path),
        },
        &env_from(BTreeMap::from([
            ("AFTERCARE_WEBHOOK_SECRET".into(), "bench-secret".into()),
            (
                "AFTERCARE_API_KEY".into(),
                "bench-api-key-0123456789".into(),
            ),
        ])),
    )
    .unwrap()
}

/// Mirrors `orders` orders through the real ingest (group commit), then subscribes every
/// parcel, `due_permille` of them due now and the rest spread over the next six hours.
async fn populate(db: &Db, config: &aftercare::config::Config, orders: u64, due_permille: usize) {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/registered-krw.json"
    );
    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in 1..=orders {
        let mut order = template.clone();
        order["id"] = id.into();
        order["number"] = id.to_string().into();
        for meta in order["meta_data"].as_array_mut().unwrap() {
            if meta["key"] == "_wc_shipment_tracking_items" {
                let [a, b] = numbers(id);
                meta["value"][0]["tracking_number"] = a.into();
                meta["value"][1]["tracking_number"] = b.into();
            }
        }
        let raw = serde_json::to_string(&order).unwrap();
        let parsed: Order = serde_json::from_str(&raw).unwrap();
        let incoming = Incoming {
            store_id: StoreId::default_store(),
            topic: "order.created".into(),
            webhook_id: None,
            body_sha256: Sha256::digest(raw.as_bytes()).into(),
            received_at: jiff::Timestamp::now(),
            payload: Payload::order(parsed, raw, Source::Update),
        };
        let (writer, invoices) = (db.writer().clone(), config.invoices.clone());
        tasks.push(tokio::spawn(async move {
            ingest::ingest(&writer, incoming, invoices, ParcelFeed::Unfollowed)
                .await
                .unwrap()
        }));
        if tasks.len() == 256 {
            for t in tasks.drain(..) {
                t.await.unwrap();
            }
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mirrored = started.elapsed();
    let due_permille = due_permille as i64;
    db.writer()
        .write(move |c| {
            c.execute(
                "INSERT INTO feed_subscriptions (store_id, order_id, shipment_id, provider, number,
                     number_key, carrier_code, state, next_poll_at, failures, created_at, updated_at)
                 SELECT store_id, order_id, id, '17track', tracking_number, number_key, NULL,
                     'subscribed',
                     CASE WHEN (id * 7919) % 1000 < ?1
                          THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (id % 3600) || ' seconds')
                          ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || (60 + id % 21600) || ' seconds')
                     END,
                     0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 FROM shipments",
                [due_permille],
            )?;
            c.execute_batch("ANALYZE")?;
            Ok(())
        })
        .await
        .unwrap();
    println!(
        "populated {} parcels of {orders} orders in {:.1} s (mirror {:.1} s)",
        orders * 2,
        started.elapsed().as_secs_f64(),
        mirrored.as_secs_f64()
    );
}

/// How much of a pass to run: the due query only (with the parcel columns the schedule
/// reads), or whole.
#[derive(Clone, Copy, Debug)]
enum Stage {
    Query,
    Whole,
    /// What the poller decides before each request: the first 40 due, stop or fetch.
    Batch,
}

/// One scheduling pass: the due subscriptions, and for each whether to stop or fetch it.
fn pass(
    c: &rusqlite::Connection,
    feeds: &FeedSettings,
    tracking: &TrackingSettings,
    zone: &jiff::tz::TimeZone,
    stage: Stage,
) -> (usize, usize) {
    let now = jiff::Timestamp::now();
    let stamp = aftercare::time::millis(now);
    let cal = tracking.calendar(zone);
    let due = store::due(
        c,
        &StoreId::default_store(),
        Provider::SeventeenTrack,
        &stamp,
        if matches!(stage, Stage::Batch) {
            40
        } else {
            usize::MAX >> 1
        },
    )
    .unwrap();
    if matches!(stage, Stage::Query) {
        return (due.len(), 0);
    }
    let stop = due
        .iter()
        .filter(|d| poll::over(d, feeds, tracking, &cal, now))
        .count();
    (due.len(), stop)
}

fn push_body(number: &str, n: usize) -> Vec<u8> {
    // A new scan each time: a distinct minute after a fixed start.
    let at = jiff::Timestamp::from_second(1_794_800_000 + n as i64 * 60).unwrap();
    let utc = aftercare::time::seconds(at);
    serde_json::to_vec(&serde_json::json!({"event": "TRACKING_UPDATED", "data": {
        "number": number, "carrier": 100116, "param": null, "tag": "",
        "track_info": {
            "latest_status": {"status": "InTransit", "sub_status": "InTransit_Arrival", "sub_status_descr": null},
            "time_metrics": {"estimated_delivery_date": {"source": null, "from": null, "to": null}},
            "tracking": {"providers_hash": 0, "providers": [{
                "provider": {"key": 100116, "name": "CJ Korea Express", "country": "KR"},
                "latest_sync_status": "Success", "events_hash": 0,
                "events": [{"time_iso": null, "time_utc": utc,
                    "time_raw": {"date": null, "time": null, "timezone": null},
                    "description": "간선하차 (Arrived at hub)", "location": "대전 Hub",
                    "stage": "Arrival", "sub_status": "InTransit_Arrival"}]}]}
        }}}))
    .unwrap()
}

fn main() {
    let parcels = env_or("FEEDS_PARCELS", 100_000);
    let due_permille = env_or("FEEDS_DUE_PERMILLE", 20);
    let passes = env_or("FEEDS_PASSES", 50);
    let pushes = env_or("FEEDS_PUSHES", 20_000);
    let clients = env_or("FEEDS_CLIENTS", 32);
    let orders = (parcels / 2) as u64;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());

    // 1. The scheduler's pass, on the database alone (the poller is not running).
    runtime.block_on(async {
        let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
        populate(&db, &config, orders, due_permille).await;
        let plan: Vec<String> = db
            .read(|c| {
                let mut stmt = c.prepare(
                    "EXPLAIN QUERY PLAN SELECT d.id, s.status
                     FROM (SELECT id, shipment_id, store_id, next_poll_at FROM feed_subscriptions
                           WHERE next_poll_at <= ?3 AND store_id = ?1 AND provider = ?2
                             AND state IN ('subscribed', 'awaiting_carrier')
                           ORDER BY next_poll_at, id LIMIT ?4) d
                     LEFT JOIN shipments s ON s.id = d.shipment_id AND s.store_id = d.store_id
                     ORDER BY d.next_poll_at, d.id",
                )?;
                let rows = stmt
                    .query_map(rusqlite::params!["default", "17track", "9", 40], |r| {
                        r.get::<_, String>(3)
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await
            .unwrap();
        println!("due query plan: {}", plan.join(" | "));
        let feeds = config.feeds.clone();
        let tracking = config.tracking.clone();
        let zone = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
        for stage in [Stage::Query, Stage::Whole, Stage::Batch] {
            let mut times = Vec::new();
            let mut due = (0, 0);
            for _ in 0..passes {
                let (feeds, tracking, zone) = (feeds.clone(), tracking.clone(), zone.clone());
                let (took, counted) = db
                    .read(move |c| {
                        let started = Instant::now();
                        let counted = pass(c, &feeds, &tracking, &zone, stage);
                        Ok((started.elapsed(), counted))
                    })
                    .await
                    .unwrap();
                times.push(took);
                due = counted;
            }
            times.sort();
            println!(
                "scheduling pass ({stage:?}) over {parcels} parcels ({} due, {} to stop): n={passes}  median={:.2} ms  p99={:.2} ms  max={:.2} ms",
                due.0,
                due.1,
                percentile(&times, 0.5),
                percentile(&times, 0.99),
                percentile(&times, 1.0),
            );
        }
        // Nothing due while the pushes run.
        db.writer()
            .write(|c| {
                c.execute(
                    "UPDATE feed_subscriptions SET next_poll_at =
                         strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+6 hours')",
                    [],
                )?;
                Ok(())
            })
            .await
            .unwrap();
    });

    // 2. Pushes through the real router on a random port.
    runtime.block_on(async {
        let app = Application::build(config).await.unwrap();
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        // Let the start-up work settle (the poller lists the 100,000 travelling parcels
        // once to find any that were never followed).
        tokio::time::sleep(Duration::from_secs(
            env_or("FEEDS_SETTLE_SECONDS", 10) as u64,
        ))
        .await;
        let url = format!("http://{addr}/feeds/17track");
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let bodies: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
            (0..pushes)
                .map(|n| {
                    let order = 1 + rng.below(orders as usize) as u64;
                    let number = numbers(order)[rng.below(2)].clone();
                    let body = push_body(&number, n);
                    let sign = signature(&body, KEY);
                    (body, sign)
                })
                .collect(),
        );
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(clients)
            .build()
            .unwrap();
        let next = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..clients {
            let (client, url, bodies, next) =
                (client.clone(), url.clone(), bodies.clone(), next.clone());
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut new_events = 0;
                let mut refused = BTreeMap::<u16, usize>::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, sign)) = bodies.get(i) else {
                        return (latencies, new_events, refused);
                    };
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("sign", sign)
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    if status != 200 {
                        *refused.entry(status).or_default() += 1;
                        continue;
                    }
                    let answer: serde_json::Value = response.json().await.unwrap();
                    latencies.push(sent.elapsed());
                    new_events += answer["new_events"].as_u64().unwrap_or(0);
                }
            }));
        }
        let mut latencies = Vec::new();
        let mut new_events = 0;
        let mut refused = BTreeMap::<u16, usize>::new();
        for w in workers {
            let (l, n, r) = w.await.unwrap();
            latencies.extend(l);
            new_events += n;
            for (status, count) in r {
                *refused.entry(status).or_default() += count;
            }
        }
        let elapsed = started.elapsed();
        latencies.sort();
        println!(
            "pushes: {pushes} from {clients} clients in {:.2} s: {:.0} acknowledged events/s ({new_events} new, refused {refused:?})  p50={:.2} ms  p90={:.2} ms  p99={:.2} ms  max={:.2} ms",
            elapsed.as_secs_f64(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.9),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        );
        let _ = tx.send(());
        server.await.unwrap().unwrap();
    });
}
