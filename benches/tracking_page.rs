//! Tracking page benchmark: server time of `GET /t/{token}`.
//!
//! Mirrors `TRACKING_ORDERS` orders (default 10,000; the registered KRW fixture: 3 line
//! items, 2 parcels from the tracking meta) with 6 carrier events on the first parcel, then
//! sends `TRACKING_REQUESTS` page requests for random orders (default 20,000) straight into
//! the real router (`tower::ServiceExt::oneshot`, no socket): the time from request to the
//! last byte of the HTML body is the server time, database read and rendering included.
//! Beside it: the template alone on preloaded data, the 404 page, and the same requests 8
//! at a time for throughput.
//!
//! Run: `cargo bench --bench tracking_page`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aftercare::config::{Flags, env_from};
use aftercare::ids::ShipmentId;
use aftercare::ingest::{self, Incoming, Payload};
use aftercare::orders::store::Source;
use aftercare::shop::Storefront;
use aftercare::store::Db;
use aftercare::tracking::ParcelFeed;
use aftercare::tracking::i18n::Lang;
use aftercare::tracking::page::{Brand, render_html, render_model};
use aftercare::tracking::store::shipments;
use aftercare::tracking::token::TrackingToken;
use aftercare::tracking::view::OrderTracking;
use aftercare::woo::Order;
use aftercare::{AppState, app};
use axum::body::Body;
use axum::http::Request;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

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

fn report(name: &str, latencies: &mut [Duration], elapsed: Duration) {
    latencies.sort();
    println!(
        "{name:<28} n={:>6}  p50={:.3} ms  p90={:.3} ms  p99={:.3} ms  max={:.3} ms  {:.0}/s",
        latencies.len(),
        percentile(latencies, 0.50),
        percentile(latencies, 0.90),
        percentile(latencies, 0.99),
        percentile(latencies, 1.0),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
}

async fn fetch(router: &axum::Router, path: &str) -> (u16, usize) {
    let request = Request::get(path)
        .header("accept-language", "ko-KR,ko;q=0.9,en;q=0.8")
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, body.len())
}

#[tokio::main]
async fn main() {
    let orders = env_or("TRACKING_ORDERS", 10_000);
    let requests = env_or("TRACKING_REQUESTS", 20_000);

    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("aftercare.toml");
    std::fs::write(
        &config_path,
        "[database]\nsynchronous = \"normal\"\n[tracking]\ntimezone = \"Asia/Seoul\"\n\
         [tracking.branding]\nstore_name = \"Bench Shop\"\nprimary_color = \"#0f766e\"\n\
         support_url = \"https://shop.example/contact\"\n",
    )
    .unwrap();
    let config = aftercare::startup::load(
        &Flags {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            data_dir: Some(dir.path().join("data")),
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
    .unwrap();
    let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();

    // Mirror the orders through the real ingest, many at a time (group commit).
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/orders/registered-krw.json"
    );
    let template: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture).unwrap()).unwrap();
    let setup = Instant::now();
    let invoices = config.invoices.clone();
    let mut tasks = Vec::new();
    for id in 1..=orders as u64 {
        let mut order = template.clone();
        order["id"] = id.into();
        order["number"] = id.to_string().into();
        let raw = serde_json::to_string(&order).unwrap();
        let parsed: Order = serde_json::from_str(&raw).unwrap();
        let incoming = Incoming {
            store_id: aftercare::ids::StoreId::default_store(),
            topic: "order.created".into(),
            webhook_id: None,
            body_sha256: Sha256::digest(raw.as_bytes()).into(),
            received_at: jiff::Timestamp::now(),
            payload: Payload::order(parsed, raw, Source::Update),
        };
        let (writer, invoices) = (db.writer().clone(), invoices.clone());
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
    // Six carrier events on every first parcel.
    let events = [
        (
            "label_created",
            "2026-11-14T16:00:00Z",
            "Seoul Gangnam",
            "Shipping label created",
        ),
        (
            "in_transit",
            "2026-11-15T02:00:00Z",
            "Gonjiam Hub",
            "Departed the sorting hub",
        ),
        (
            "in_transit",
            "2026-11-15T09:30:00Z",
            "Daejeon Hub",
            "Arrived at the sorting hub",
        ),
        (
            "in_transit",
            "2026-11-16T01:10:00Z",
            "Daejeon Hub",
            "Departed the sorting hub",
        ),
        (
            "in_transit",
            "2026-11-16T08:45:00Z",
            "Seoul Gangnam",
            "Arrived at the delivery branch",
        ),
        (
            "out_for_delivery",
            "2026-11-16T23:30:00Z",
            "Seoul Gangnam",
            "With the driver",
        ),
    ];
    let first_parcels: Vec<ShipmentId> = db
        .read(|c| {
            let mut stmt = c.prepare("SELECT MIN(id) FROM shipments GROUP BY order_id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids)
        })
        .await
        .unwrap();
    for chunk in first_parcels.chunks(500) {
        let chunk = chunk.to_vec();
        db.writer()
            .write(move |c| {
                for id in chunk {
                    for (status, at, location, description) in events {
                        shipments::add_event(
                            c,
                            id,
                            &shipments::NewEvent {
                                status,
                                occurred_at: at,
                                location,
                                description,
                                eta: None,
                            },
                            &aftercare::time::millis(at.parse().expect("a timestamp")),
                        )?;
                    }
                }
                Ok(())
            })
            .await
            .unwrap();
    }
    let tokens: Vec<String> = db
        .read(|c| {
            let mut stmt = c.prepare("SELECT token FROM order_tracking ORDER BY order_id")?;
            let tokens = stmt
                .query_map([], |r| r.get(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(tokens)
        })
        .await
        .unwrap();
    assert_eq!(tokens.len(), orders);
    println!(
        "setup: {orders} orders, {} parcels, {} events in {:.1} s",
        first_parcels.len() * 2,
        first_parcels.len() * events.len(),
        setup.elapsed().as_secs_f64()
    );

    let settings = config.tracking.clone();
    let state = AppState::new(config, db.clone());
    let router = app(state);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    // Warm up the read pool and the statement caches.
    for token in tokens.iter().take(200) {
        fetch(&router, &format!("/t/{token}")).await;
    }

    // 1. Sequential: one request at a time, server time per request.
    let mut latencies = Vec::with_capacity(requests);
    let mut sizes = (usize::MAX, 0usize);
    let start = Instant::now();
    for _ in 0..requests {
        let path = format!("/t/{}", tokens[rng.below(tokens.len())]);
        let t = Instant::now();
        let (status, size) = fetch(&router, &path).await;
        latencies.push(t.elapsed());
        assert_eq!(status, 200);
        sizes = (sizes.0.min(size), sizes.1.max(size));
    }
    report("page, sequential", &mut latencies, start.elapsed());
    println!("page size: {} to {} bytes (limit 30720)", sizes.0, sizes.1);
    assert!(sizes.1 <= 30 * 1024, "page over 30 KB");

    // 2. The template alone, on data read once.
    let (page, tracking) = {
        let token = tokens[0].clone();
        db.read(move |c| {
            let token = TrackingToken::parse(&token).unwrap();
            let page = aftercare::tracking::store::order_tracking::by_token(c, &token)?.unwrap();
            let tracking = OrderTracking::load(c, &page.store_id, page.order_id)?;
            Ok((page, tracking))
        })
        .await
        .unwrap()
    };
    let order: Order = serde_json::from_str(&page.raw).unwrap();
    let branding = settings.branding(&aftercare::ids::StoreId::default_store());
    let mut latencies = Vec::with_capacity(requests);
    let start = Instant::now();
    for _ in 0..requests {
        let t = Instant::now();
        let brand = Brand::new(&branding, &Storefront::default(), Lang::Ko.t());
        let model = render_model(
            &order,
            &tracking,
            &settings,
            &jiff::tz::TimeZone::UTC,
            brand,
            Lang::Ko,
            jiff::Timestamp::now(),
        );
        let html = render_html(&model).unwrap();
        std::hint::black_box(html);
        latencies.push(t.elapsed());
    }
    report("model + template only", &mut latencies, start.elapsed());

    // 3. Well-formed tokens of rows that do not exist: a read, then the 404 page.
    let mut latencies = Vec::with_capacity(requests / 4);
    let start = Instant::now();
    for i in 0..requests / 4 {
        let path = format!("/t/{}", TrackingToken::new(10_000_000 + i as i64));
        let t = Instant::now();
        let (status, _) = fetch(&router, &path).await;
        latencies.push(t.elapsed());
        assert_eq!(status, 404);
    }
    report("404 page", &mut latencies, start.elapsed());

    // 4. Eight at a time, for throughput.
    let router = Arc::new(router);
    let tokens = Arc::new(tokens);
    let per_task = requests / 8;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for seed in 0..8u64 {
        let (router, tokens) = (router.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let path = format!("/t/{}", tokens[rng.below(tokens.len())]);
                let t = Instant::now();
                let (status, _) = fetch(&router, &path).await;
                latencies.push(t.elapsed());
                assert_eq!(status, 200);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    report("page, 8 concurrent", &mut latencies, start.elapsed());
    db.close().await;
}
