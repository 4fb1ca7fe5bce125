//! Insights benchmark over a generated mirror of `INSIGHTS_ORDERS` orders (default
//! 1,000,000 over three years), `INSIGHTS_REQUESTS` support requests (default 200,000) and
//! `INSIGHTS_ANSWERS` answered surveys (default 100,000), in a real SQLite file:
//!
//! 1. The mirror (`insights/mirror.rs`), generated once per parameters into
//!    `target/insights-bench/` and reused (`INSIGHTS_SEED` picks another one).
//! 2. The fold: a copy of the mirror opened by the application (the migration adds the
//!    insight tables and triggers), then `insights::maintain::catch_up` in writer
//!    transactions until nothing is pending (the first call notes every record). Records/s,
//!    the database's size with and without the insight tables, the process's peak memory.
//!    Runs in a child process, so that its memory is its own.
//! 3. Requests: the real application on a random port over the folded file;
//!    `GET /api/v1/insights` for a year (`INSIGHTS_SAMPLES` requests after a warm-up,
//!    default 300), each chart and each CSV table (`INSIGHTS_CHART_SAMPLES`, default 60),
//!    and `report::build` alone; the server's RSS.
//! 4. Keeping the figures: `INSIGHTS_WRITES` new orders (default 10,000) through the real
//!    ingest and as many status changes, with the triggers and, on the same file, without
//!    them; the fold of what they noted.
//!
//! Run: `cargo bench --bench insights`. `INSIGHTS_SKIP_FOLD=1` reuses the last folded
//! copy (for repeating the requests only); `INSIGHTS_STAGE=report` only builds the year's
//! report in a loop over it (to profile; `INSIGHTS_READ_PRAGMA` tries a setting of its
//! read connection).

#[path = "insights/mirror.rs"]
mod mirror;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aftercare::Application;
use aftercare::config::{Config, Flags, env_from};
use aftercare::ids::StoreId;
use aftercare::ingest::{self, Incoming, Payload};
use aftercare::insights::{Context, Range, maintain, report};
use aftercare::orders::store::Source;
use aftercare::store::Db;
use aftercare::tracking::ParcelFeed;
use aftercare::woo::Order;
use mirror::Params;
use sha2::{Digest, Sha256};

const API_KEY: &str = "bench-api-key-0123456789";
/// The year the requests ask for: the mirror's last twelve months.
const FROM: &str = "2025-12-01";
const TO: &str = "2026-11-30";
const CHARTS: [&str; 9] = [
    "nps-weekly",
    "csat-sources",
    "support-times",
    "support-topics",
    "delivery-times",
    "carrier-rates",
    "return-products",
    "return-reasons",
    "cohorts",
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// (VmRSS, VmHWM) of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Where generated mirrors and the working copy are kept between runs.
fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("insights-bench")
}

fn params() -> Params {
    Params {
        orders: env_or("INSIGHTS_ORDERS", 1_000_000),
        requests: env_or("INSIGHTS_REQUESTS", 200_000),
        answers: env_or("INSIGHTS_ANSWERS", 100_000),
        seed: env_or("INSIGHTS_SEED", 0x05EE_D1A5) as u64,
    }
}

/// The mirror for `params`, generated first if no earlier run left it.
fn mirror(params: &Params) -> PathBuf {
    let dir = cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(params.file_name());
    if path.exists() {
        println!("mirror: reusing {}", path.display());
        return path;
    }
    // Written beside and renamed: an interrupted run leaves no half mirror to reuse.
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    println!("mirror: generating {params:?}");
    let started = Instant::now();
    let counts = mirror::generate(&partial, params).unwrap();
    std::fs::rename(&partial, &path).unwrap();
    println!(
        "mirror: generated in {:.1} s ({} customers): {counts:?}, {:.0} MiB",
        started.elapsed().as_secs_f64(),
        counts.customers,
        mib(std::fs::metadata(&path).unwrap().len())
    );
    path
}

/// The application's configuration over `dir/data` (the working copy).
fn config(dir: &Path) -> Config {
    let config_path = dir.join("aftercare.toml");
    std::fs::write(
        &config_path,
        "timezone = \"Asia/Seoul\"\n[database]\nsynchronous = \"normal\"\n",
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
            ("AFTERCARE_API_KEY".into(), API_KEY.into()),
        ])),
    )
    .unwrap()
}

/// The default store's context, as the application builds it for a shop in Seoul.
fn context(config: &Config) -> Context {
    let zone = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
    Context {
        store: StoreId::default_store(),
        calendar: config.tracking.calendar(&zone),
        hours: config.support.hours,
        active_days: config.insights.active_days,
    }
}

fn work_dir() -> PathBuf {
    cache_dir().join("work")
}

/// Bytes per table and index (`dbstat`), largest first.
fn sizes(c: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt =
        c.prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
        .collect()
}

/// Whether a table or index exists for the insights (the aggregates, their bookkeeping and
/// the two indexes their folds look records up by).
fn is_insight(name: &str) -> bool {
    name.starts_with("insight_")
        || name == "answer_impressions_by_order"
        || name == "delay_alerts_by_shipment"
}

/// Stage 2, in its own process: copy, migrate, fold everything.
fn fold_stage() {
    let params = params();
    let mirror = mirror(&params);
    let dir = work_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let config = config(&dir);
    let copied = Instant::now();
    std::fs::copy(&mirror, config.database_path()).unwrap();
    println!(
        "fold: copied the mirror in {:.1} s",
        copied.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let opened = Instant::now();
        let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
        println!(
            "fold: opened and migrated in {:.1} s",
            opened.elapsed().as_secs_f64()
        );
        let ctx = context(&config);
        let started = Instant::now();
        let mut folded = 0usize;
        let mut batches = Vec::new();
        loop {
            let c = ctx.clone();
            let batch = Instant::now();
            let n = db
                .writer()
                .write(move |conn| maintain::catch_up(conn, &c))
                .await
                .unwrap();
            if n == 0 {
                break;
            }
            batches.push(batch.elapsed());
            folded += n;
            if batches.len() % 1000 == 0 {
                println!(
                    "  {folded} records folded ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        let took = started.elapsed();
        batches.sort();
        let (rss, hwm) = memory();
        println!(
            "fold: {folded} records in {:.1} s = {:.0} records/s; {} batches of up to {}: median {:.1} ms, p99 {:.1} ms, max {:.1} ms; RSS {rss:.0} MiB, peak {hwm:.0} MiB",
            took.as_secs_f64(),
            folded as f64 / took.as_secs_f64(),
            batches.len(),
            maintain::BATCH,
            percentile(&batches, 0.5),
            percentile(&batches, 0.99),
            percentile(&batches, 1.0),
        );
        db.close().await;
        // Measured on a connection of its own: a checkpoint cannot run inside the writer's
        // transaction.
        let c = rusqlite::Connection::open(config.database_path()).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")
            .unwrap();
        let all = sizes(&c).unwrap();
        let insight: Vec<_> = all.iter().filter(|(n, _)| is_insight(n)).cloned().collect();
        let total: u64 = all.iter().map(|(_, b)| b).sum();
        let ours: u64 = insight.iter().map(|(_, b)| b).sum();
        println!(
            "size: file {:.0} MiB; pages in use {:.0} MiB, of which insights {:.0} MiB ({:.1}%); without them {:.0} MiB",
            mib(std::fs::metadata(config.database_path()).unwrap().len()),
            mib(total),
            mib(ours),
            100.0 * ours as f64 / total as f64,
            mib(total - ours),
        );
        for (name, bytes) in &insight {
            println!("  {name:<32} {:>8.1} MiB", mib(*bytes));
        }
        for (name, bytes) in all.iter().filter(|(n, _)| !is_insight(n)).take(8) {
            println!("  ({name:<30} {:>8.1} MiB)", mib(*bytes));
        }
    });
}

async fn timed_get(client: &reqwest::Client, url: &str) -> (Duration, usize, String) {
    let sent = Instant::now();
    let response = client.get(url).bearer_auth(API_KEY).send().await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.bytes().await.unwrap();
    let took = sent.elapsed();
    assert!(status.is_success(), "{url}: {status} {body:?}");
    (took, body.len(), kind)
}

/// `samples` requests after `warm` unmeasured ones; sorted times and the body size.
async fn measure(
    client: &reqwest::Client,
    url: &str,
    warm: usize,
    samples: usize,
) -> (Vec<Duration>, usize) {
    for _ in 0..warm {
        timed_get(client, url).await;
    }
    let mut times = Vec::with_capacity(samples);
    let mut size = 0;
    for _ in 0..samples {
        let (t, n, _) = timed_get(client, url).await;
        times.push(t);
        size = n;
    }
    times.sort();
    (times, size)
}

/// Stage 3: the application over the folded copy.
async fn requests_stage(config: Config) {
    let samples = env_or("INSIGHTS_SAMPLES", 300);
    let chart_samples = env_or("INSIGHTS_CHART_SAMPLES", 60);
    let (rss0, _) = memory();
    let ctx = context(&config);
    let app = Application::build(config).await.unwrap();
    let addr = app.local_addr();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = rx.await;
    }));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let base = format!("http://{addr}/api/v1/insights");
    let client = reqwest::Client::new();

    let year = format!("{base}?from={FROM}&to={TO}");
    let (first, size, _) = timed_get(&client, &year).await;
    println!(
        "requests: first GET /api/v1/insights (a year) {:.1} ms, {size} bytes",
        first.as_secs_f64() * 1e3
    );
    let (times, _) = measure(&client, &year, 20, samples).await;
    println!(
        "GET /api/v1/insights?from={FROM}&to={TO}: n={samples}  median={:.2} ms  p90={:.2} ms  p99={:.2} ms  max={:.2} ms  (target median ≤ 50 ms)",
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
    );
    for (label, from, to) in [
        ("30 days", "2026-11-01", TO),
        ("800 days", "2024-09-22", TO),
    ] {
        let (times, _) = measure(
            &client,
            &format!("{base}?from={from}&to={to}"),
            5,
            samples / 3,
        )
        .await;
        println!(
            "GET /api/v1/insights ({label}): n={}  median={:.2} ms  p90={:.2} ms  p99={:.2} ms",
            samples / 3,
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            percentile(&times, 0.99),
        );
    }

    println!("charts (a year), target ≤ 100 ms each:");
    println!("| chart | width | median ms | p99 ms | bytes |");
    for name in CHARTS {
        for (width, lang) in [(720, "en"), (390, "ko")] {
            let url =
                format!("{base}/charts/{name}.svg?from={FROM}&to={TO}&width={width}&lang={lang}");
            let (_, _, kind) = timed_get(&client, &url).await;
            assert!(kind.starts_with("image/svg+xml"), "{name}: {kind}");
            let (times, size) = measure(&client, &url, 3, chart_samples).await;
            println!(
                "| {name} | {width} {lang} | {:.2} | {:.2} | {size} |",
                percentile(&times, 0.5),
                percentile(&times, 0.99),
            );
        }
    }
    println!("tables as CSV (a year):");
    println!("| table | median ms | p99 ms | bytes |");
    for name in CHARTS {
        let url = format!("{base}/{name}.csv?from={FROM}&to={TO}");
        let (_, _, kind) = timed_get(&client, &url).await;
        assert!(kind.starts_with("text/csv"), "{name}: {kind}");
        let (times, size) = measure(&client, &url, 3, chart_samples).await;
        println!(
            "| {name} | {:.2} | {:.2} | {size} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
        );
    }
    let (rss, hwm) = memory();
    println!(
        "server process: RSS {rss0:.0} MiB before the application, {rss:.0} MiB after the requests; peak {hwm:.0} MiB"
    );
    let _ = tx.send(());
    server.await.unwrap().unwrap();

    // The report alone, on one read connection: what the figures cost without HTTP, the
    // catch-up look, JSON and the socket.
    let conn =
        aftercare::store::open_read_only(&work_dir().join("data/aftercare.sqlite3")).unwrap();
    let range = Range::days(FROM.parse().unwrap(), TO.parse().unwrap());
    let mut times = Vec::new();
    for i in 0..samples / 3 + 5 {
        let started = Instant::now();
        let insights = report::build(&conn, &ctx, range).unwrap();
        std::hint::black_box(&insights);
        if i >= 5 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    println!(
        "report::build (a year, no HTTP): n={}  median={:.2} ms  p99={:.2} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
    );
}

/// The two tracking numbers of a new order.
fn numbers(id: u64) -> [String; 2] {
    [format!("5{:011}", id * 2), format!("BG{:013}", id * 2 + 1)]
}

/// `ids` as `order.created` (or, with `completed`, `order.updated` completing them), placed
/// on 2026-11-2x by existing customers, through the real ingest.
async fn ingest_orders(db: &Db, config: &Config, ids: std::ops::Range<u64>, completed: bool) {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/registered-krw.json"
    );
    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let mut tasks = Vec::new();
    for id in ids {
        let mut order = template.clone();
        order["id"] = id.into();
        order["number"] = id.to_string().into();
        order["customer_id"] = (1 + id % 300_000).into();
        order["billing"]["email"] = format!("customer{}@example.com", id % 300_000).into();
        let (day, s) = (20 + id % 8, id % 86_400);
        let at = format!(
            "2026-11-{day:02}T{:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        );
        order["date_created_gmt"] = at.clone().into();
        order["date_created"] = at.clone().into();
        let modified = if completed {
            format!("2026-11-{:02}T12:00:00", day + 2)
        } else {
            at
        };
        order["date_modified_gmt"] = modified.clone().into();
        order["date_modified"] = modified.clone().into();
        if completed {
            order["status"] = "completed".into();
            order["date_completed_gmt"] = modified.clone().into();
            order["date_completed"] = modified.into();
        }
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
            topic: if completed {
                "order.updated"
            } else {
                "order.created"
            }
            .into(),
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
}

/// Folds until nothing is pending; records and time.
async fn fold_all(db: &Db, ctx: &Context) -> (usize, Duration) {
    let started = Instant::now();
    let mut folded = 0;
    loop {
        let c = ctx.clone();
        let n = db
            .writer()
            .write(move |conn| maintain::catch_up(conn, &c))
            .await
            .unwrap();
        if n == 0 {
            return (folded, started.elapsed());
        }
        folded += n;
    }
}

/// Stage 4: the cost of keeping the figures as records are written.
async fn writes_stage(config: Config) {
    let writes = env_or("INSIGHTS_WRITES", 10_000) as u64;
    let ctx = context(&config);
    let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
    let mut rows = Vec::new();
    let mut next = 5_000_000u64;
    for triggers in [true, false] {
        if !triggers {
            db.writer()
                .write(|c| {
                    let names: Vec<String> = c
                        .prepare(
                            "SELECT name FROM sqlite_master
                             WHERE type = 'trigger' AND name LIKE 'insight%'",
                        )?
                        .query_map([], |r| r.get(0))?
                        .collect::<Result<_, _>>()?;
                    for name in names {
                        c.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        let ids = next..next + writes;
        next += writes;
        let started = Instant::now();
        ingest_orders(&db, &config, ids.clone(), false).await;
        let created = started.elapsed();
        let (fold_created, created_folded) = fold_all(&db, &ctx).await;
        let started = Instant::now();
        ingest_orders(&db, &config, ids, true).await;
        let updated = started.elapsed();
        let (fold_updated, updated_folded) = fold_all(&db, &ctx).await;
        rows.push((
            triggers,
            created,
            updated,
            (fold_created, created_folded),
            (fold_updated, updated_folded),
        ));
    }
    println!(
        "| {writes} orders through ingest | created | completed (updated) | fold after create | fold after update |"
    );
    let fold = |(records, took): (usize, Duration)| {
        if records == 0 {
            "nothing noted".to_owned()
        } else {
            format!(
                "{records} records in {:.2} s ({:.0} µs each)",
                took.as_secs_f64(),
                took.as_secs_f64() * 1e6 / records as f64
            )
        }
    };
    for (triggers, created, updated, fc, fu) in rows {
        println!(
            "| {} | {:.2} s ({:.0}/s) | {:.2} s ({:.0}/s) | {} | {} |",
            if triggers {
                "with the insight triggers"
            } else {
                "without them"
            },
            created.as_secs_f64(),
            writes as f64 / created.as_secs_f64(),
            updated.as_secs_f64(),
            writes as f64 / updated.as_secs_f64(),
            fold(fc),
            fold(fu),
        );
    }
    db.close().await;
}

fn main() {
    if std::env::var("INSIGHTS_STAGE").as_deref() == Ok("fold") {
        fold_stage();
        return;
    }
    if std::env::var("INSIGHTS_STAGE").as_deref() == Ok("report") {
        // `report::build` alone in a loop over the folded copy: for `perf record`.
        let config = config(&work_dir());
        let ctx = context(&config);
        let conn = aftercare::store::open_read_only(&config.database_path()).unwrap();
        // A setting of the read connection to try (`PRAGMA mmap_size = ...`).
        if let Ok(pragma) = std::env::var("INSIGHTS_READ_PRAGMA") {
            conn.execute_batch(&pragma).unwrap();
        }
        let range = Range::days(FROM.parse().unwrap(), TO.parse().unwrap());
        let mut times = Vec::new();
        for _ in 0..env_or("INSIGHTS_SAMPLES", 300) {
            let started = Instant::now();
            std::hint::black_box(report::build(&conn, &ctx, range).unwrap());
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "report::build (a year): n={}  median={:.2} ms  p99={:.2} ms",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
        return;
    }
    let folded = work_dir().join("data/aftercare.sqlite3");
    if std::env::var("INSIGHTS_SKIP_FOLD").as_deref() == Ok("1") && folded.exists() {
        println!("fold: reusing {}", folded.display());
    } else {
        // A child process generates (once) and folds: its memory is not the server's.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("INSIGHTS_STAGE", "fold")
            .status()
            .unwrap();
        assert!(status.success(), "the fold stage failed");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(requests_stage(config(&work_dir())));
    if env_or("INSIGHTS_WRITES", 10_000) > 0 {
        runtime.block_on(writes_stage(config(&work_dir())));
    }
}
