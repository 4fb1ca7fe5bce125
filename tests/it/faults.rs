//! Faults while deliveries arrive. The rule every time: a 2xx only for what was committed,
//! nothing acknowledged lost, nothing done twice, recovery by itself when the fault ends,
//! and `/readyz` and the metrics saying what is wrong meanwhile.

use std::collections::BTreeSet;

use crate::helpers::{API_KEY, SECRET, TestApp, order_body};

/// Sets SQLite's page limit on the service's own writer connection: at the current size
/// the database cannot grow, as on a full disk (SQLITE_FULL); a high limit frees it again.
async fn page_limit(app: &TestApp, pages: i64) {
    app.services
        .db()
        .writer()
        .write(move |conn| {
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(())
        })
        .await
        .expect("set the page limit");
}

async fn readyz(app: &TestApp) -> (u16, serde_json::Value) {
    app.get("/readyz").await
}

fn metric(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {line_start} in:\n{text}"))
}

fn invoice_audit(app: &TestApp) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(["invoices", "audit", "--data-dir"])
        .arg(app.dir.path().join("data"))
        .arg("--config")
        .arg(app.dir.path().join("aftercare.toml"))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .output()
        .unwrap()
}

/// Deliveries of new orders (from id 100) while the disk is full, until 20 were refused:
/// each answered 200 or 503 `storage_unavailable`, nothing else. Returns `acked` with the
/// acknowledged ones added, and the refused ones.
async fn deliver_while_full(
    app: &TestApp,
    mut acked: BTreeSet<u64>,
) -> (BTreeSet<u64>, BTreeSet<u64>) {
    let mut refused = BTreeSet::new();
    for id in 100..2000u64 {
        let (status, body) = app
            .deliver("order.created", &order_body(id, 42, MODIFIED))
            .await;
        match status {
            200 => {
                acked.insert(id);
            }
            503 => {
                assert_eq!(body["error"]["code"], "storage_unavailable", "{body}");
                refused.insert(id);
            }
            other => panic!("delivery {id} answered {other}: {body}"),
        }
        if refused.len() >= 20 {
            return (acked, refused);
        }
    }
    panic!("a full disk refused only {} deliveries", refused.len());
}

/// While full: `/readyz` and the metrics say so, and the mirror holds exactly what was
/// acknowledged (a 2xx only for what was committed, nothing of a refused delivery kept).
async fn says_full_and_kept_only_the_acknowledged(app: &TestApp, acked: &BTreeSet<u64>) {
    let (status, body) = readyz(app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("full"),
        "{body}"
    );
    let metrics = app.metrics().await;
    assert!(
        metric(
            &metrics,
            "aftercare_database_write_failures_total{kind=\"full\"}"
        ) >= 20.0,
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "aftercare_database_fault "), 1.0);
    assert_eq!(
        &mirrored(app),
        acked,
        "the mirror holds exactly what was acknowledged"
    );
}

/// The order ids in the mirror, read by another connection (as after a crash).
fn mirrored(app: &TestApp) -> BTreeSet<u64> {
    let db = app.db();
    let mut stmt = db.prepare("SELECT order_id FROM orders").unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|id| id.unwrap() as u64)
        .collect()
}

/// WooCommerce retries everything, the acknowledged too: each lands exactly once.
async fn redeliver_each_once(app: &TestApp, acked: &BTreeSet<u64>, refused: &BTreeSet<u64>) {
    for &id in acked.iter().chain(refused) {
        let (status, body) = app
            .deliver("order.created", &order_body(id, 42, MODIFIED))
            .await;
        assert_eq!(status, 200, "{body}");
        let expected = if refused.contains(&id) {
            "accepted"
        } else {
            "duplicate"
        };
        assert_eq!(body["status"], expected, "delivery {id}");
    }
}

const MODIFIED: &str = "2026-11-20T10:00:00";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_full_refuses_deliveries_with_503_and_recovers_exactly_once() {
    let app = TestApp::spawn().await;
    let modified = "2026-11-20T10:00:00";
    for id in 1..=3u64 {
        let (status, _) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200);
    }
    assert_eq!(readyz(&app).await.0, 200);

    // The disk fills up while deliveries keep arriving.
    page_limit(&app, 1).await;
    let (acked, refused) = deliver_while_full(&app, BTreeSet::from([1u64, 2, 3])).await;

    says_full_and_kept_only_the_acknowledged(&app, &acked).await;

    // Space is freed: it is ready again without a restart.
    page_limit(&app, 1 << 30).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        metric(&app.metrics().await, "aftercare_database_fault "),
        0.0
    );

    // WooCommerce retries everything (what was acknowledged too): each lands exactly once.
    redeliver_each_once(&app, &acked, &refused).await;
    let all = acked.len() + refused.len();
    assert_eq!(app.count("SELECT COUNT(*) FROM orders") as usize, all);

    // Invoice jobs that failed while full were put off; an hour later they are due.
    app.services
        .db()
        .writer()
        .write(|conn| {
            conn.execute(
                "UPDATE jobs SET run_after = '2000-01-01T00:00:00Z' WHERE done_at IS NULL",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'") as usize,
        all,
        "one invoice per order"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM (SELECT order_id FROM documents WHERE kind = 'invoice'
             GROUP BY store_id, order_id HAVING COUNT(*) > 1)"
        ),
        0,
        "no order invoiced twice"
    );
    let audit = invoice_audit(&app);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}

/// Makes every job due now, as if the backoff's wait had passed.
async fn jobs_due_now(app: &TestApp) {
    app.services
        .db()
        .writer()
        .write(|conn| {
            conn.execute(
                "UPDATE jobs SET run_after = '2000-01-01T00:00:00Z' WHERE done_at IS NULL",
                [],
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archive_not_writable_holds_invoices_and_issues_each_once_after() {
    let app = TestApp::spawn().await;
    // The archive's staging folder is replaced by a file: no document can be written.
    let staging = app.dir.path().join("data/documents/.staging");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(staging.parent().unwrap()).unwrap();
    std::fs::write(&staging, b"in the way").unwrap();

    let modified = "2026-11-20T10:00:00";
    for id in 1..=5u64 {
        let (status, body) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200, "deliveries do not need the archive: {body}");
    }
    app.run_jobs_until_idle().await;
    assert_eq!(app.count("SELECT COUNT(*) FROM documents"), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'issue_invoice' AND done_at IS NULL"),
        5,
        "every invoice waits"
    );
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("archive"),
        "{body}"
    );

    // The folder is back: ready again, and each invoice is issued exactly once.
    std::fs::remove_file(&staging).unwrap();
    assert_eq!(readyz(&app).await.0, 200);
    jobs_due_now(&app).await;
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'"),
        5
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM (SELECT order_id FROM documents WHERE kind = 'invoice'
             GROUP BY store_id, order_id HAVING COUNT(*) > 1)"
        ),
        0
    );
    let audit = invoice_audit(&app);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
}

/// A small tmpfs mounted on a folder: a real file system that fills up (ENOSPC), for the
/// database and the document archive together. Mounting needs root, which CI has.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let out = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .expect("mount(8) is installed");
        assert!(
            out.status.success(),
            "mounting a tmpfs needs root (CI runs as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(dir.to_owned())
    }

    /// Makes it read-only or writable again (Linux allows it while no file is open for writing).
    fn remount(&self, how: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {how}");
    }

    /// Writes a file until the disk refuses the next byte with ENOSPC.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 16 * 1024];
        loop {
            match file
                .write(&block)
                .and_then(|n| file.sync_data().map(|()| n))
            {
                Ok(0) => panic!("a write of nothing"),
                Ok(_) => {}
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(28), "ENOSPC, not {e}");
                    return path;
                }
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
        // The test's temporary folder could not remove its mount point: it goes now.
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_full_disk_refuses_deliveries_and_recovers_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let disk = Tmpfs::mount(&root.join("data"), "48m");
    let app = TestApp::spawn_with_in(dir, "").await;
    let modified = "2026-11-20T10:00:00";
    for id in 1..=3u64 {
        let (status, _) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200);
    }
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'"),
        3
    );
    assert_eq!(readyz(&app).await.0, 200);

    // The disk fills up (another program's file) while deliveries keep arriving.
    let filler = disk.fill();
    let (acked, refused) = deliver_while_full(&app, BTreeSet::from([1u64, 2, 3])).await;
    app.run_jobs_until_idle().await;
    says_full_and_kept_only_the_acknowledged(&app, &acked).await;

    // Space is freed: ready again without a restart.
    std::fs::remove_file(filler).unwrap();
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    redeliver_each_once(&app, &acked, &refused).await;
    let all = acked.len() + refused.len();
    jobs_due_now(&app).await;
    app.run_jobs_until_idle().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'") as usize,
        all,
        "one invoice per order"
    );
    let audit = invoice_audit(&app);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
    app.stop().await;
    drop(disk);
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_full_or_read_only_archive_holds_invoices_and_issues_each_once_after() {
    let dir = tempfile::tempdir().unwrap();
    let archive = Tmpfs::mount(&dir.path().join("data").join("documents"), "2m");
    let app = TestApp::spawn_with_in(dir, "").await;
    let modified = "2026-11-20T10:00:00";
    let invoices = || app.count("SELECT COUNT(*) FROM documents WHERE kind = 'invoice'");
    for id in 1..=3u64 {
        let (status, _) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200);
    }
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 3);

    // The archive's disk fills up: orders are still taken, their invoices wait.
    let filler = archive.fill();
    for id in 10..20u64 {
        let (status, body) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 3, "no invoice without its file");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("document archive"),
        "{body}"
    );
    let metrics = app.metrics().await;
    assert_eq!(
        metric(&metrics, "aftercare_jobs_retrying{kind=\"issue_invoice\"}"),
        10.0,
        "{metrics}"
    );

    // Space is freed: each waiting invoice is issued once at its retry, numbered on.
    std::fs::remove_file(filler).unwrap();
    assert_eq!(readyz(&app).await.0, 200);
    jobs_due_now(&app).await;
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 13);
    jobs_due_now(&app).await;
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 13, "nothing twice");

    // The archive's file system turns read-only (EROFS): the same, until it is writable.
    archive.remount("ro");
    for id in 30..35u64 {
        let (status, body) = app
            .deliver("order.created", &order_body(id, 42, modified))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 13);
    assert_eq!(readyz(&app).await.0, 503);
    archive.remount("rw");
    assert_eq!(readyz(&app).await.0, 200);
    jobs_due_now(&app).await;
    app.run_jobs_until_idle().await;
    assert_eq!(invoices(), 18);
    let audit = invoice_audit(&app);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stdout)
    );
    app.stop().await;
    drop(archive);
}

/// Makes every waiting job and message due now: an hour passes without waiting for it.
async fn an_hour_passes(app: &TestApp) {
    app.services
        .db()
        .writer()
        .write(|conn| {
            conn.execute_batch(
                "UPDATE jobs SET run_after = '2000-01-01T00:00:00.000Z' WHERE done_at IS NULL;
                 UPDATE messages SET due_at = '2000-01-01T00:00:00.000Z'
                  WHERE state IN ('pending', 'deferred', 'failed');",
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

/// The registered KRW order as `id`, paid, its parcels given by the staff API only.
fn unshipped_order(id: u64) -> Vec<u8> {
    let mut order: serde_json::Value =
        serde_json::from_slice(&order_body(id, 42, "2026-11-20T10:00:00")).unwrap();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != "_wc_shipment_tracking_items");
    serde_json::to_vec(&order).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_for_hours_shows_the_backlog_then_sends_each_message_once() {
    let port = crate::crash::free_port();
    let app = TestApp::spawn_with(&format!(
        "timezone = \"UTC\"\n[notify]\nchannel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"Nimbus Test Shop <shop@nimbus.example>\"\nquiet_hours = \"off\"\n"
    ))
    .await;
    let shipped_at = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(30))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string();
    for id in [5001u64, 5002, 5003] {
        let (status, body) = app.deliver("order.created", &unshipped_order(id)).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = app
            .post_json(
                &format!("/api/v1/orders/{id}/shipments"),
                &serde_json::json!({"carrier": "cj-logistics",
                    "tracking_number": format!("6001-0000-{id}"), "shipped_at": shipped_at}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    // No mail server for hours: every retry fails, nothing is lost, the backlog shows.
    for _ in 0..6 {
        app.run_jobs_until_idle().await;
        an_hour_passes(&app).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM messages WHERE channel = 'smtp' AND state = 'failed'"),
        3
    );
    assert!(app.count("SELECT MIN(attempts) FROM messages WHERE channel = 'smtp'") >= 6);
    let metrics = app.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "aftercare_messages_waiting{channel=\"smtp\",state=\"failed\"}"
        ),
        3.0,
        "{metrics}"
    );
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "deliveries are still taken: {body}");
    assert_eq!(body["backlog"]["messages_failed"], 3, "{body}");

    // The server is back: each message arrives exactly once, and stays sent.
    let Some(sink) = crate::notify::Sink::start(port, false) else {
        return;
    };
    an_hour_passes(&app).await;
    app.run_jobs_until_idle().await;
    an_hour_passes(&app).await;
    app.run_jobs_until_idle().await;
    let ids: Vec<String> = sink
        .messages()
        .iter()
        .map(|m| crate::notify::header(m, "Message-ID").expect("a Message-ID"))
        .collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert_eq!(distinct.len(), 3, "a message sent twice: {ids:?}");
    let (_, body) = readyz(&app).await;
    assert_eq!(body["backlog"]["messages_failed"], 0, "{body}");
    let metrics = app.metrics().await;
    assert!(
        !metrics.contains("aftercare_messages_waiting{channel=\"smtp\",state=\"failed\"}"),
        "{metrics}"
    );
    app.stop().await;
}

/// WooCommerce's order list answering a fault instead of orders while one is set.
#[derive(Clone, Default)]
struct WooFault(std::sync::Arc<std::sync::Mutex<Option<wiremock::ResponseTemplate>>>);

impl WooFault {
    async fn mount(woo: &crate::fake_woo::FakeWoo) -> WooFault {
        let fault = WooFault::default();
        wiremock::Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(format!(
                "{}/orders",
                crate::fake_woo::API
            )))
            .and(fault.clone())
            .respond_with(fault.clone())
            .with_priority(1)
            .mount(&woo.server)
            .await;
        fault
    }

    fn set(&self, answer: Option<wiremock::ResponseTemplate>) {
        *self.0.lock().unwrap() = answer;
    }
}

impl wiremock::Match for WooFault {
    fn matches(&self, _: &wiremock::Request) -> bool {
        self.0.lock().unwrap().is_some()
    }
}

impl wiremock::Respond for WooFault {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        self.0.lock().unwrap().clone().expect("a fault is set")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_html_slow_5xx_or_cut_fails_the_sweep_cleanly_and_the_next_one_repairs_all() {
    use aftercare::sync::reconcile::{self, Kind};
    // aftercare reaches the fake shop through a relay that can cut the connection; the
    // shop's home URL is the relay's.
    let relay = Relay::start().await;
    let woo = crate::fake_woo::FakeWoo::start_at(Some(format!("http://{}", relay.address))).await;
    relay.pass_to(*woo.server.address());
    woo.add_orders_a_minute_apart(7000, 120, "2026-06-01T00:00:00Z");
    let app = TestApp::spawn_with(&format!(
        "[woocommerce]\ntimeout_seconds = 1\nmax_retries = 1\nmax_retry_wait_seconds = 1\n\
         [sync]\nreconcile_interval_seconds = 0\nwebhook_check_interval_seconds = 0\n{}",
        woo.config_toml()
    ))
    .await;

    let faults = [
        // A maintenance page or a PHP notice: HTML where JSON belongs.
        wiremock::ResponseTemplate::new(200)
            .insert_header("content-type", "text/html; charset=UTF-8")
            .set_body_string("<!DOCTYPE html><html><body>Briefly unavailable for scheduled maintenance.</body></html>"),
        // Slower than the client's timeout.
        wiremock::ResponseTemplate::new(200)
            .set_body_json(serde_json::json!([]))
            .set_delay(std::time::Duration::from_secs(3)),
        // A 5xx, every attempt.
        wiremock::ResponseTemplate::new(502).set_body_string("Bad Gateway"),
    ];
    let attempts = faults.len();
    let woo_fault = WooFault::mount(&woo).await;
    for fault in faults {
        let what = format!("{fault:?}");
        woo_fault.set(Some(fault));
        sweep_fails(&app, &what).await;
    }
    woo_fault.set(None);
    // The connection cut: before any answer, and halfway through a page of orders.
    let cuts = [Cut::BeforeAnswer, Cut::MidBody];
    for cut in cuts {
        relay.cut(Some(cut));
        sweep_fails(&app, &format!("{cut:?}")).await;
    }
    relay.cut(None);
    assert!(relay.cuts() >= 4, "each cut asked again: {}", relay.cuts());
    let attempts = attempts + cuts.len();
    let metrics = app.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "aftercare_reconciliations_total{store=\"default\",kind=\"full\",result=\"error\"}"
        ),
        attempts as f64,
        "{metrics}"
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(
        health["problems"]
            .to_string()
            .contains("The last reconciliation failed at"),
        "{health}"
    );

    // A slow or failing WooCommerce was asked again (with backoff) before the sweep gave up.
    let asked = woo.server.received_requests().await.unwrap().len();
    assert!(asked >= 5, "{asked} requests for three faults");

    // WooCommerce is healthy again: the next sweep brings every order, each once.
    let run = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    let done = run[0].as_ref().expect("the sweep succeeds");
    assert_eq!(done.tally.accepted, 120);
    assert_eq!(app.count("SELECT COUNT(*) FROM orders"), 120);
    let again = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    assert_eq!(
        again[0].as_ref().unwrap().tally.accepted,
        0,
        "nothing twice"
    );
    let (_, health) = app.get("/api/v1/store/health").await;
    assert!(
        !health["problems"].to_string().contains("failed"),
        "{health}"
    );
    app.stop().await;
}

/// A full sweep against a faulty WooCommerce fails, and nothing of it is written.
async fn sweep_fails(app: &TestApp, what: &str) {
    use aftercare::sync::reconcile::{self, Kind};
    let run = reconcile::reconcile_now(&app.services.sync, Kind::Full).await;
    assert!(run[0].is_err(), "{what}: {run:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM orders"),
        0,
        "nothing half-written after {what}"
    );
}

/// How the relay cuts WooCommerce's connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The request is read, then the connection closes without a byte.
    BeforeAnswer,
    /// A 200 promising a long JSON body closes after its first bytes.
    MidBody,
}

/// A TCP relay in front of the fake shop that passes connections through, or cuts them.
/// Changing the mode closes the connections it holds, so none outlives its mode in a pool.
struct Relay {
    address: std::net::SocketAddr,
    upstream: std::sync::Arc<std::sync::OnceLock<std::net::SocketAddr>>,
    mode: tokio::sync::watch::Sender<Option<Cut>>,
    cuts: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Relay {
    async fn start() -> Relay {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (mode, watching) = tokio::sync::watch::channel(None);
        let cuts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let upstream = std::sync::Arc::new(std::sync::OnceLock::new());
        let (to, counted) = (upstream.clone(), cuts.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut watching = watching.clone();
                let cut = *watching.borrow_and_update();
                let counted = counted.clone();
                let to = to.get().copied();
                tokio::spawn(async move {
                    let Some(cut) = cut else {
                        let Some(to) = to else { return };
                        if let Ok(mut shop) = tokio::net::TcpStream::connect(to).await {
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut shop) => {}
                                _ = watching.changed() => {}
                            }
                        }
                        return;
                    };
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let mut request = [0; 8192];
                    let _ = client.read(&mut request).await;
                    if cut == Cut::MidBody {
                        let _ = client
                            .write_all(
                                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                  x-wp-total: 120\r\nx-wp-totalpages: 2\r\n\
                                  content-length: 100000\r\n\r\n[{\"id\": 1, \"status\": \"proc",
                            )
                            .await;
                    }
                    // Dropped: the shop's side closes.
                });
            }
        });
        Relay {
            address,
            upstream,
            mode,
            cuts,
        }
    }

    fn pass_to(&self, shop: std::net::SocketAddr) {
        self.upstream.set(shop).unwrap();
    }

    fn cut(&self, how: Option<Cut>) {
        self.mode.send_replace(how);
    }

    fn cuts(&self) -> usize {
        self.cuts.load(std::sync::atomic::Ordering::SeqCst)
    }
}
