//! Notification benchmark, in process on a real SQLite file (WAL, synchronous=FULL).
//!
//! 1. Decisions: 100,000 orders, one parcel each in mixed states (in transit, out for
//!    delivery, delivered, exception; one order in ten cancelled), written through the
//!    mirror's and tracking's own store functions, which enqueue the `notify_parcel` jobs.
//!    Every open job is then decided with `triggers::decide` (the handler's step) in its own
//!    write through the single writer, one after the other, as the local lane runs them.
//!    A second pass over the same jobs finds every decision made: all duplicates.
//! 2. Sending: the decided SMTP messages go through `send::run` (claim, render, send over
//!    the pooled lettre transport, record) to a local
//!    SMTP server: Python's aiosmtpd (`tests/it/smtp_sink.py`, as the tests use) and a
//!    minimal in-process responder, to tell the server's cost from aftercare's: one at a
//!    time, four at once, and as many at once as the mail lane sends (`jobs::MAIL_WIDTH`),
//!    with the pool at that size and at 1.
//!
//! Run: `cargo bench --bench notify` (env: NOTIFY_ORDERS, NOTIFY_MESSAGES).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;

use aftercare::ids::{OrderId, StoreId};
use aftercare::jobs::{Job, JobKind};
use aftercare::notify::decide::Decision;
use aftercare::notify::settings::FileNotify;
use aftercare::notify::{Notifier, State, send, smtp, triggers, unsubscribe};
use aftercare::orders::store as orders;
use aftercare::shop::settings::SellerOverrides;
use aftercare::shop::timezone::{ZoneSettings, Zones};
use aftercare::store::Db;
use aftercare::store::Synchronous;
use aftercare::tracking::TrackingSettings;
use aftercare::tracking::store::shipments::{self, NewEvent, NewShipment};
use common::{PySink, env_or, load_average, percentile};
use jiff::{SignedDuration, Timestamp};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const STORE: &str = "default";
const API_KEY: &str = "bench-api-key-0123456789";

fn template() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/guest-usd.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Writes `count` orders with one parcel each, in transactions of 2,000.
async fn populate(db: &Db, count: u64) {
    let template = Arc::new(template());
    let store = StoreId::parse(STORE).unwrap();
    let now = Timestamp::now();
    for chunk in (0..count).collect::<Vec<_>>().chunks(2_000) {
        let (chunk, template, store) = (chunk.to_vec(), template.clone(), store.clone());
        db.writer()
            .write(move |c| {
                let stamp = aftercare::time::millis(now);
                for n in chunk {
                    let id = 10_000 + n;
                    let mut order = (*template).clone();
                    order["id"] = id.into();
                    order["number"] = id.to_string().into();
                    order["status"] = if n % 10 == 9 {
                        "cancelled"
                    } else {
                        "processing"
                    }
                    .into();
                    order["billing"]["email"] =
                        format!("customer{}@example.net", n % 20_000).into();
                    let modified = now - SignedDuration::from_hours(2);
                    order["date_modified_gmt"] =
                        modified.strftime("%Y-%m-%dT%H:%M:%S").to_string().into();
                    let raw = order.to_string();
                    let parsed: aftercare::woo::Order = serde_json::from_str(&raw).unwrap();
                    let sha = [n as u8; 32];
                    orders::apply(
                        c,
                        &store,
                        &parsed,
                        &raw,
                        &sha,
                        orders::Source::Update,
                        &stamp,
                    )?;
                    let number = format!("1Z{id:014}");
                    let shipped = aftercare::time::seconds(now - SignedDuration::from_hours(3));
                    let parcel = shipments::insert(
                        c,
                        &NewShipment {
                            store_id: &store,
                            order_id: OrderId::new(id),
                            source: shipments::SOURCE_WOOCOMMERCE,
                            number_key: &number,
                            carrier: "ups",
                            carrier_name: "UPS",
                            tracking_number: &number,
                            tracking_url: None,
                            shipped_at: Some(&shipped),
                            items: &[],
                        },
                        &stamp,
                    )?
                    .expect("a new parcel");
                    let status = match n % 10 {
                        0..=3 | 9 => "in_transit",
                        4 | 5 => "out_for_delivery",
                        6 | 7 => "delivered",
                        _ => "exception",
                    };
                    let at = aftercare::time::seconds(now - SignedDuration::from_hours(1));
                    shipments::add_event(
                        c,
                        parcel,
                        &NewEvent {
                            status,
                            occurred_at: &at,
                            location: "Louisville, KY",
                            description: status,
                            eta: None,
                        },
                        &stamp,
                    )?;
                }
                Ok(())
            })
            .await
            .unwrap();
    }
}

fn notify_settings(port: u16) -> Arc<aftercare::notify::NotifySettings> {
    let file: FileNotify = toml::from_str(&format!(
        "channel = \"smtp\"\nsmtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"Bench Shop <shop@bench.example>\"\nquiet_hours = \"off\"\n"
    ))
    .unwrap();
    let store = StoreId::parse(STORE).unwrap();
    Arc::new(aftercare::notify::settings::build(file, &[&store]).unwrap())
}

fn notifier(db: &Db, port: u16, pool_size: u32) -> Notifier {
    let store = StoreId::parse(STORE).unwrap();
    let settings = notify_settings(port);
    let mailer = smtp::Mailer::with_pool_size(&settings, std::slice::from_ref(&store), pool_size);
    Notifier {
        db: db.clone(),
        settings,
        tracking: Arc::new(TrackingSettings::default()),
        seller: Arc::new(SellerOverrides::default()),
        zones: Zones::new(ZoneSettings::default()),
        base_url: "https://help.bench.example".into(),
        keys: unsubscribe::Keys::derive([(&store, API_KEY)]),
        mailer: Arc::new(mailer),
        guides: Arc::new(aftercare::guides::GuideSettings::default()),
    }
}

async fn open_jobs(db: &Db, kind: JobKind, limit: usize) -> Vec<Job> {
    db.read(move |c| {
        let mut stmt = c.prepare(
            "SELECT id, store_id, order_id, subject, attempts, run_after FROM jobs
             WHERE done_at IS NULL AND kind = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt
            .query_map((kind, limit as i64), |r| {
                Ok(Job {
                    id: r.get(0)?,
                    store_id: r.get(1)?,
                    kind,
                    order_id: r.get(2)?,
                    subject: r.get::<_, i64>(3)? as u64,
                    attempts: r.get(4)?,
                    run_after: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
    .await
    .unwrap()
}

#[derive(Default)]
struct Tally {
    recorded: usize,
    pending: usize,
    skipped: usize,
    duplicate: usize,
    none: usize,
}

/// Decides every job in its own write, one after the other; per-decision times.
async fn sweep(n: &Notifier, jobs: &[Job]) -> (Duration, Vec<Duration>, Tally) {
    let mut times = Vec::with_capacity(jobs.len());
    let mut tally = Tally::default();
    let started = Instant::now();
    for job in jobs {
        let t = Instant::now();
        let (n2, job) = (n.clone(), job.clone());
        let decision =
            n.db.writer()
                .write(move |c| {
                    let zone = n2.zones.zone(c, &job.store_id).tz;
                    let ctx = n2.context(&zone);
                    triggers::decide(
                        c,
                        &job.store_id,
                        &ctx,
                        job.kind,
                        job.order_id,
                        job.subject,
                        Timestamp::now(),
                    )
                })
                .await
                .unwrap();
        times.push(t.elapsed());
        match decision {
            None => tally.none += 1,
            Some(Decision::Duplicate) => tally.duplicate += 1,
            Some(Decision::Recorded { state, .. }) => {
                tally.recorded += 1;
                match state {
                    State::Pending => tally.pending += 1,
                    _ => tally.skipped += 1,
                }
            }
        }
    }
    let total = started.elapsed();
    times.sort();
    (total, times, tally)
}

fn print_sweep(label: &str, total: Duration, times: &[Duration], t: &Tally) {
    println!(
        "{label}: {} decisions in {:.2} s = {:.0} decisions/s; p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms \
         (recorded {}: {} pending, {} skipped; duplicates {}; no message {}) [load {}]",
        times.len(),
        total.as_secs_f64(),
        times.len() as f64 / total.as_secs_f64(),
        percentile(times, 0.50),
        percentile(times, 0.99),
        times.last().unwrap().as_secs_f64() * 1e3,
        t.recorded,
        t.pending,
        t.skipped,
        t.duplicate,
        t.none,
        load_average(),
    );
}

/// A minimal SMTP responder: accepts everything, keeps only a count.
async fn rust_sink() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 bench ESMTP\r\n").await;
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let reply: &[u8] = if in_data {
                        if line != ".\r\n" {
                            continue;
                        }
                        in_data = false;
                        counter.fetch_add(1, Ordering::Relaxed);
                        b"250 OK\r\n"
                    } else {
                        match line.get(..4).map(|v| v.to_ascii_uppercase()).as_deref() {
                            Some("EHLO") => b"250-bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                            Some("DATA") => {
                                in_data = true;
                                b"354 go ahead\r\n"
                            }
                            Some("QUIT") => {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            }
                            _ => b"250 OK\r\n",
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, count)
}

/// Sends `jobs` through `send::run` with `senders` at once; messages/s and latencies.
async fn send_all(n: &Notifier, jobs: Vec<Job>, senders: usize) -> (f64, Vec<Duration>) {
    let queue = Arc::new(std::sync::Mutex::new(jobs));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..senders {
        let (n, queue) = (n.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let Some(job) = queue.lock().unwrap().pop() else {
                    return times;
                };
                let t = Instant::now();
                let outcome = send::run(&n, &job).await;
                assert!(
                    matches!(outcome, aftercare::jobs::Outcome::Done),
                    "{outcome:?}"
                );
                times.push(t.elapsed());
            }
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let rate = times.len() as f64 / started.elapsed().as_secs_f64();
    times.sort();
    (rate, times)
}

fn print_send(label: &str, rate: f64, times: &[Duration], received: usize) {
    println!(
        "{label}: {} messages, {rate:.0} messages/s; p50 {:.3} ms, p99 {:.3} ms; server received {received} [load {}]",
        times.len(),
        percentile(times, 0.50),
        percentile(times, 0.99),
        load_average(),
    );
}

/// The mean time of the runner's query for the mail lane's next due job.
async fn next_mail_job(db: &Db) -> f64 {
    db.read(|c| {
        let now = aftercare::time::millis(Timestamp::now());
        let plan: Vec<String> = c
            .prepare(
                "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE done_at IS NULL AND run_after <= ?1
                 AND kind IN ('send_message') ORDER BY run_after, id LIMIT 1",
            )?
            .query_map([&now], |r| r.get(3))?
            .collect::<Result<_, _>>()?;
        println!("  plan: {}", plan.join("; "));
        let started = Instant::now();
        for _ in 0..20 {
            aftercare::jobs::store::next_due(c, &now, aftercare::jobs::Lane::Mail)?;
        }
        Ok(started.elapsed().as_secs_f64() * 1e3 / 20.0)
    })
    .await
    .unwrap()
}

async fn sent_count(db: &Db) -> i64 {
    db.read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM messages WHERE state = 'sent'",
            [],
            |r| r.get(0),
        )?)
    })
    .await
    .unwrap()
}

fn main() {
    let count = env_or("NOTIFY_ORDERS", 100_000) as u64;
    let per_run = env_or("NOTIFY_MESSAGES", 2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(
            &dir.path().join("aftercare.sqlite3"),
            Synchronous::Full,
            &[STORE],
        )
        .unwrap();
        println!("start [load {}]", load_average());

        let started = Instant::now();
        populate(&db, count).await;
        let jobs = open_jobs(&db, JobKind::NotifyParcel, usize::MAX >> 2).await;
        println!(
            "populated {count} orders with one parcel each in {:.1} s; {} open notify_parcel jobs",
            started.elapsed().as_secs_f64(),
            jobs.len()
        );

        let py = PySink::start();
        let n = notifier(&db, py.port, smtp::POOL_SIZE);
        let (total, times, tally) = sweep(&n, &jobs).await;
        print_sweep("first pass (new decisions)", total, &times, &tally);
        let (total, times, tally) = sweep(&n, &jobs).await;
        print_sweep("second pass (all duplicates)", total, &times, &tally);

        // The mail lane picks its next job among all open jobs: time that pick with the
        // swept notify_parcel jobs still open (a backlog) and once they are done.
        println!(
            "mail lane's pick, {} other jobs open: {:.3} ms",
            jobs.len(),
            next_mail_job(&db).await
        );
        db.writer()
            .write(|c| {
                Ok(c.execute(
                    "UPDATE jobs SET done_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE kind = 'notify_parcel'",
                    [],
                )?)
            })
            .await
            .unwrap();
        println!(
            "mail lane's pick, those done: {:.3} ms",
            next_mail_job(&db).await
        );

        let mut sends = open_jobs(&db, JobKind::SendMessage, per_run * 6).await;
        sends.reverse(); // popped from the end: oldest first
        let mut take = |k: usize| sends.split_off(sends.len().saturating_sub(k));
        // Warm-up: connects, fills statement caches.
        let _ = send_all(&n, take(50), 1).await;

        let width = aftercare::jobs::MAIL_WIDTH;
        let before = py.received();
        let (rate, times) = send_all(&n, take(per_run), 1).await;
        print_send(
            "aiosmtpd, one at a time",
            rate,
            &times,
            py.received() - before,
        );
        let before = py.received();
        let (rate, times) = send_all(&n, take(per_run), 4).await;
        print_send("aiosmtpd, four at once", rate, &times, py.received() - before);
        let before = py.received();
        let (rate, times) = send_all(&n, take(per_run), width).await;
        print_send(
            &format!(
                "aiosmtpd, {width} at once (the mail lane), pool {}",
                smtp::POOL_SIZE
            ),
            rate,
            &times,
            py.received() - before,
        );
        let one = notifier(&db, py.port, 1);
        let before = py.received();
        let (rate, times) = send_all(&one, take(per_run), width).await;
        print_send(
            &format!("aiosmtpd, {width} at once, pool 1"),
            rate,
            &times,
            py.received() - before,
        );

        let (port, received) = rust_sink().await;
        let fast = notifier(&db, port, smtp::POOL_SIZE);
        let _ = send_all(&fast, take(50), width).await;
        let before = received.load(Ordering::Relaxed);
        let (rate, times) = send_all(&fast, take(per_run), width).await;
        print_send(
            &format!("in-process responder, {width} at once (the mail lane)"),
            rate,
            &times,
            received.load(Ordering::Relaxed) - before,
        );
        println!("messages recorded sent: {}", sent_count(&db).await);
        db.close().await;
    });
}
