//! Backfill throughput: orders per second from a WooCommerce order list into the mirror.
//!
//! A lean stand-in for `GET /wp-json/wc/v3/orders` (pre-sorted, pre-serialized orders, no
//! signature check, so it costs little next to aftercare) serves SYNC_ORDERS orders (default
//! 20,000) of the registered-customer fixture, each with its own id and modification minute.
//! Three passes, same process, same data dir:
//!
//! 1. `fetch only`: the client reads every page and parses it, nothing is applied (the floor
//!    set by HTTP and JSON);
//! 2. `backfill, empty mirror`: every order is compared, ingested and committed (SQLite WAL,
//!    `synchronous=FULL`), delivery-log row and invoice job included;
//! 3. `backfill again`: the same orders, all already mirrored: compared, never written (what
//!    reconciliation and the daily sweep mostly do).
//!
//! ```sh
//! cargo bench --bench sync                 # SYNC_ORDERS=20000
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use aftercare::config::{Flags, env_from};
use aftercare::store::Db;
use aftercare::sync::SyncServices;
use aftercare::sync::backfill::{self, Quiet};
use aftercare::woo::client::{OrderQuery, woo_date};
use aftercare::woo::{ClientSettings, WooClient};
use jiff::{SignedDuration, Timestamp};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Orders sorted by `date_modified_gmt`, with their JSON text.
struct Shop {
    dates: Vec<String>,
    bodies: Vec<String>,
}

struct ListOrders(Arc<Shop>);

impl Respond for ListOrders {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let get = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let after = get("modified_after").unwrap_or_default();
        let per_page: usize = get("per_page").and_then(|v| v.parse().ok()).unwrap_or(10);
        let page: usize = get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
        let start = self
            .0
            .dates
            .partition_point(|d| d.as_str() <= after.as_str());
        let remaining = self.0.dates.len() - start;
        let from = (start + (page - 1) * per_page).min(self.0.dates.len());
        let to = (from + per_page).min(self.0.dates.len());
        let body = format!("[{}]", self.0.bodies[from..to].join(","));
        ResponseTemplate::new(200)
            .insert_header("X-WP-Total", remaining.to_string())
            .insert_header("X-WP-TotalPages", remaining.div_ceil(per_page).to_string())
            .set_body_raw(body, "application/json")
    }
}

fn main() {
    let orders: usize = std::env::var("SYNC_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(orders));
}

async fn run(orders: usize) {
    let fixture = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/orders/registered-krw.json"),
    )
    .unwrap();
    let template: serde_json::Value = serde_json::from_slice(&fixture).unwrap();
    let base: Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
    let mut dates = Vec::with_capacity(orders);
    let mut bodies = Vec::with_capacity(orders);
    for i in 0..orders {
        let mut order = template.clone();
        let date = woo_date(base + SignedDuration::from_mins(i as i64));
        order["id"] = (100_000 + i as u64).into();
        order["number"] = (100_000 + i).to_string().into();
        order["date_modified_gmt"] = date.clone().into();
        dates.push(date);
        bodies.push(serde_json::to_string(&order).unwrap());
    }
    let bytes: usize = bodies.iter().map(String::len).sum();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wp-json/wc/v3/orders"))
        .respond_with(ListOrders(Arc::new(Shop { dates, bodies })))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let env = BTreeMap::from([
        (
            "AFTERCARE_WEBHOOK_SECRET".to_owned(),
            "bench-secret".to_owned(),
        ),
        (
            "AFTERCARE_API_KEY".to_owned(),
            "bench-api-key-0123456789".to_owned(),
        ),
        ("AFTERCARE_STORE_URL".to_owned(), server.uri()),
        (
            "AFTERCARE_WC_CONSUMER_KEY".to_owned(),
            "ck_bench".to_owned(),
        ),
        (
            "AFTERCARE_WC_CONSUMER_SECRET".to_owned(),
            "cs_bench".to_owned(),
        ),
    ]);
    let flags = Flags {
        listen: None,
        data_dir: Some(dir.path().join("data")),
        config: None,
    };
    let config = aftercare::startup::load(&flags, &env_from(env)).unwrap();
    let client = WooClient::new(&config.stores[0], &ClientSettings::default()).unwrap();
    let db = Db::open(&config.database_path(), config.synchronous, &["default"]).unwrap();
    let services = SyncServices::new(
        db.clone(),
        std::sync::Arc::new(config.sync_config()),
        std::sync::Arc::new(aftercare::metrics::Metrics::new()),
    );

    println!(
        "{orders} orders ({:.1} MB of JSON), pages of 100, one process\n",
        bytes as f64 / 1e6
    );
    println!("| pass | seconds | orders/s | accepted | duplicate |");
    println!("|---|---|---|---|---|");

    let started = Instant::now();
    let mut after = Timestamp::UNIX_EPOCH;
    let mut fetched = 0;
    loop {
        let query = OrderQuery {
            modified_after: Some(after),
            ..OrderQuery::default()
        };
        let page = client.list_orders(&query, 1).await.unwrap();
        for value in &page.items {
            aftercare::woo::FetchedOrder::from_value(value.clone()).unwrap();
        }
        fetched += page.items.len();
        match page.items.last() {
            Some(last) if page.has_more(100) => {
                after =
                    aftercare::sync::walk::modified(last).unwrap() - SignedDuration::from_secs(1);
            }
            _ => break,
        }
    }
    row("fetch only", started, fetched as u64, 0, 0);

    let since = Some(Timestamp::UNIX_EPOCH + SignedDuration::from_secs(1));
    for name in ["backfill, empty mirror", "backfill again (all mirrored)"] {
        let started = Instant::now();
        let summary = backfill::run(&services, &client, since, &Quiet)
            .await
            .unwrap();
        let t = summary.tally;
        row(name, started, t.fetched, t.accepted, t.duplicate);
    }
    db.close().await;
}

fn row(name: &str, started: Instant, fetched: u64, accepted: u64, duplicate: u64) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "| {name} | {seconds:.2} | {:.0} | {accepted} | {duplicate} |",
        fetched as f64 / seconds
    );
}
