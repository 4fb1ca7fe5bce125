//! Memory and ingest with 1, 10 and 100 stores in one process: the release binary started
//! with N stores (each with its secrets, key, time zone, branding and 17TRACK account),
//! its resident memory when idle, then 32 clients delivering 4,000 new orders spread over
//! the stores, and its memory after.
//!
//!   cargo bench --bench stores
//!   STORES_ORDERS=8000 STORES_COUNTS=1,10,100,200 cargo bench --bench stores

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aftercare::webhook::signature::sign;
use common::{env_or, free_port, load_average, percentile, rss_mb};
use serde_json::{Value, json};

const CLIENTS: usize = 32;

fn secret(n: usize) -> String {
    format!("webhook-secret-of-shop-{n:03}-0123456789")
}

fn config(dir: &Path, stores: usize, tracker: &str) -> std::path::PathBuf {
    let zones = ["Asia/Seoul", "America/Los_Angeles", "Europe/Berlin", "UTC"];
    let mut toml = String::from("[feeds]\npoll_seconds = 3600\n");
    for n in 1..=stores {
        toml.push_str(&format!(
            "[[stores]]\nid = \"shop{n:03}\"\nwebhook_secrets = [\"{}\"]\n\
             api_key = \"api-key-of-shop-{n:03}-0123456789\"\ntimezone = \"{}\"\n\
             [tracking.stores.shop{n:03}]\nstore_name = \"Shop {n}\"\n\
             [feeds.stores.shop{n:03}.17track]\napi_key = \"key-{n:03}\"\nurl = \"{tracker}\"\n",
            secret(n),
            zones[n % zones.len()],
        ));
    }
    let path = dir.join("aftercare.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn start(dir: &Path, port: u16, config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir.join("data"))
        .env("AFTERCARE_CONFIG", config)
        .env(
            "AFTERCARE_WEBHOOK_SECRET",
            "bench-default-webhook-secret-0123",
        )
        .env("AFTERCARE_API_KEY", "bench-default-api-key-0123456789")
        .env("AFTERCARE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aftercare")
}

/// A new, unpaid order (no invoice: the figures are the stores' cost, not the PDFs').
fn body(template: &Value, store: usize, id: u64) -> Vec<u8> {
    let mut o = template.clone();
    o["id"] = id.into();
    o["number"] = format!("{store}-{id}").into();
    o["status"] = "on-hold".into();
    o["date_paid"] = Value::Null;
    o["date_paid_gmt"] = Value::Null;
    o["refunds"] = json!([]);
    for meta in o["meta_data"].as_array_mut().unwrap() {
        if meta["key"] == "_wc_shipment_tracking_items" {
            let mut item = meta["value"][0].clone();
            item["tracking_number"] = format!("5{store:03}{id:08}").into();
            meta["value"] = json!([item]);
        }
    }
    serde_json::to_vec(&o).unwrap()
}

struct Row {
    stores: usize,
    idle_mb: f64,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    loaded_mb: f64,
    peak_mb: f64,
}

async fn measure(stores: usize, orders: usize, tracker: &str, template: &Value) -> Row {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), stores, tracker);
    let port = free_port();
    let mut server = start(dir.path(), port, &config);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let started = Instant::now();
    while client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .map_or(true, |r| r.status() != 200)
    {
        assert!(started.elapsed() < Duration::from_secs(60), "not ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (idle_mb, _) = rss_mb(server.id());

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let template = Arc::new(template.clone());
    let begun = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, next, template) = (client.clone(), next.clone(), template.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= orders {
                        return latencies;
                    }
                    let store = i % stores + 1;
                    let body = body(&template, store, 100_000 + i as u64);
                    let sent = Instant::now();
                    let status = client
                        .post(format!(
                            "http://127.0.0.1:{port}/webhooks/woocommerce/shop{store:03}"
                        ))
                        .header("x-wc-webhook-topic", "order.created")
                        .header("x-wc-webhook-signature", sign(&body, &secret(store)))
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16());
                    assert_eq!(status.ok(), Some(200), "delivery {i}");
                    latencies.push(sent.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let took = begun.elapsed();
    latencies.sort();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (loaded_mb, peak_mb) = rss_mb(server.id());
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    let _ = server.wait();
    Row {
        stores,
        idle_mb,
        per_second: orders as f64 / took.as_secs_f64(),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        loaded_mb,
        peak_mb,
    }
}

fn main() {
    let orders = env_or("STORES_ORDERS", 4000);
    let counts: Vec<usize> = std::env::var("STORES_COUNTS")
        .unwrap_or_else(|_| "1,10,100".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let template: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/orders/registered-krw.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "stores: {orders} new orders from {CLIENTS} clients per run; {} cores [load {}]",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    println!("| stores | RSS idle | deliveries/s | p50 | p99 | RSS after | RSS peak |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let rows = runtime.block_on(async {
        let tracker = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_json(json!({"code": 0, "data": {"accepted": [], "rejected": []}})),
            )
            .mount(&tracker)
            .await;
        let mut rows = Vec::new();
        for &stores in &counts {
            let row = measure(stores, orders, &tracker.uri(), &template).await;
            println!(
                "| {} | {:.1} MB | {:.0} | {:.2} ms | {:.2} ms | {:.1} MB | {:.1} MB |",
                row.stores,
                row.idle_mb,
                row.per_second,
                row.p50_ms,
                row.p99_ms,
                row.loaded_mb,
                row.peak_mb
            );
            rows.push(row);
        }
        rows
    });
    if let (Some(first), Some(last)) = (rows.first(), rows.last())
        && last.stores > first.stores
    {
        println!(
            "memory per added store: {:.2} MB idle, {:.2} MB after the load; \
             throughput {:.2}x of {} store(s) [load {}]",
            (last.idle_mb - first.idle_mb) / (last.stores - first.stores) as f64,
            (last.loaded_mb - first.loaded_mb) / (last.stores - first.stores) as f64,
            last.per_second / first.per_second,
            first.stores,
            load_average()
        );
    }
}
