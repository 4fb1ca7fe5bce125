//! Reloading the configuration (SIGHUP, as `systemctl reload` sends it) while deliveries
//! stream in: a store is added and another removed without one delivery refused or lost,
//! and a configuration that does not load leaves the running one in place.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aftercare::webhook::signature::sign;

use crate::crash::{free_port, start, wait_ready};
use crate::helpers::order_body;

fn store(id: &str) -> String {
    format!(
        "[[stores]]\nid = \"{id}\"\nwebhook_secrets = [\"{id}-webhook-secret-0123456789\"]\n\
         api_key = \"{id}-api-key-0123456789\"\n"
    )
}

async fn deliver(client: &reqwest::Client, port: u16, store: &str, id: u64) -> Option<u16> {
    let body = order_body(id, 7, "2026-11-20T10:00:00");
    client
        .post(format!(
            "http://127.0.0.1:{port}/webhooks/woocommerce/{store}"
        ))
        .header("x-wc-webhook-topic", "order.created")
        .header(
            "x-wc-webhook-signature",
            sign(&body, &format!("{store}-webhook-secret-0123456789")),
        )
        .body(body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_adds_and_removes_stores_without_dropping_a_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("aftercare.toml");
    std::fs::write(&config, store("alpha") + &store("beta")).unwrap();
    let port = free_port();
    let mut child = start(&data, port);
    // A new connection for every delivery, as WordPress makes them.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    wait_ready(&client, port).await;
    assert_eq!(deliver(&client, port, "beta", 1).await, Some(200));

    // Deliveries to `alpha` stream in from eight senders through both reloads.
    let done = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(10_000));
    let senders: Vec<_> = (0..8)
        .map(|_| {
            let (client, done, acked, refused, next) = (
                client.clone(),
                done.clone(),
                acked.clone(),
                refused.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                while !done.load(Ordering::Relaxed) {
                    let id = next.fetch_add(1, Ordering::Relaxed) as u64;
                    match deliver(&client, port, "alpha", id).await {
                        Some(200) => {
                            acked.lock().unwrap().insert(id);
                        }
                        other => refused.lock().unwrap().push((id, other)),
                    }
                }
            })
        })
        .collect();
    let until = |n: usize| {
        let acked = acked.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(30);
            while acked.lock().unwrap().len() < n {
                assert!(Instant::now() < deadline, "deliveries stalled");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    until(200).await;

    // `gamma` joins, `beta` leaves.
    std::fs::write(&config, store("alpha") + &store("gamma")).unwrap();
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let deadline = Instant::now() + Duration::from_secs(20);
    while deliver(&client, port, "gamma", 1).await != Some(200) {
        assert!(Instant::now() < deadline, "gamma never joined");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(deliver(&client, port, "beta", 2).await, Some(404));
    let seen = acked.lock().unwrap().len();
    until(seen + 200).await;

    // A configuration with a mistake: refused, the running one stays.
    std::fs::write(
        &config,
        store("alpha") + "[[stores]]\nid = \"delta\"\nbroken = 1\n",
    )
    .unwrap();
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(deliver(&client, port, "gamma", 2).await, Some(200));
    let seen = acked.lock().unwrap().len();
    until(seen + 100).await;

    done.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.await.unwrap();
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(
        child.wait().unwrap().success(),
        "a clean stop after two reloads"
    );
    let refused = refused.lock().unwrap().clone();
    assert!(
        refused.is_empty(),
        "{} deliveries refused or dropped around the reloads: {:?}",
        refused.len(),
        &refused[..refused.len().min(5)]
    );
    // Everything acknowledged is there, each once, in its own store.
    let db = rusqlite::Connection::open(data.join("aftercare.sqlite3")).unwrap();
    let stored: BTreeSet<u64> = {
        let mut stmt = db
            .prepare("SELECT order_id FROM orders WHERE store_id = 'alpha'")
            .unwrap();
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|id| id.unwrap() as u64)
            .collect()
    };
    assert_eq!(stored, *acked.lock().unwrap());
    let per_store: Vec<(String, i64)> = {
        let mut stmt = db
            .prepare("SELECT store_id, COUNT(*) FROM orders WHERE store_id != 'alpha' GROUP BY store_id ORDER BY store_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(
        per_store,
        [("beta".to_owned(), 1), ("gamma".to_owned(), 2)],
        "beta's order stays; gamma's two arrived"
    );
}
