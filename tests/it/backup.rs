//! `aftercare backup` while webhooks keep arriving, `aftercare restore` elsewhere: the copy
//! holds everything acknowledged before the backup began, row for row and file for file,
//! and passes the invoice audit; a damaged backup or a non-empty target is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::helpers::*;

fn cli(app: &TestApp, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aftercare"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--config")
        .arg(app.dir.path().join("aftercare.toml"))
        .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
        .env("AFTERCARE_API_KEY", API_KEY)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Relative paths of every file under `root` but the database's.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        for entry in std::fs::read_dir(root.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                dirs.push(path);
            } else if !path.to_string_lossy().starts_with("aftercare.sqlite3") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

async fn with_documents() -> TestApp {
    let app = TestApp::spawn_with("timezone = \"UTC\"").await;
    app.deliver("order.created", &fixture("orders/registered-krw.json"))
        .await;
    app.deliver("order.created", &fixture("orders/guest-usd.json"))
        .await;
    eventually("three documents", Duration::from_secs(60), || async {
        app.count("SELECT COUNT(*) FROM documents") == 3
    })
    .await;
    app
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_under_load_restores_row_for_row_and_file_for_file() {
    let app = Arc::new(with_documents().await);
    let data = app.dir.path().join("data");

    // Orders keep arriving while the backup is taken; `acked` is the highest id answered 2xx.
    let acked = Arc::new(AtomicU64::new(0));
    let load = {
        let (app, acked) = (app.clone(), acked.clone());
        tokio::spawn(async move {
            for id in 5001..=5300_u64 {
                let body = customer_order(id, 40 + id % 7, "2026-11-20T10:00:00");
                let (status, answer) = app.deliver("order.created", &body).await;
                assert_eq!(status, 200, "{answer}");
                acked.store(id, Ordering::SeqCst);
            }
        })
    };
    eventually("the load is under way", Duration::from_secs(30), || async {
        acked.load(Ordering::SeqCst) >= 5050
    })
    .await;
    let acked_before = acked.load(Ordering::SeqCst);
    let out = app.dir.path().join("backup.zip");
    let backup = {
        let (app, data, out) = (app.clone(), data.clone(), out.clone());
        tokio::task::spawn_blocking(move || {
            cli(&app, &data, &["backup", "--out", out.to_str().unwrap()])
        })
        .await
        .unwrap()
    };
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(
        acked.load(Ordering::SeqCst) < 5300,
        "the backup finished while orders were still arriving"
    );
    load.await.unwrap();

    let restored = app.dir.path().join("restored");
    let restore = cli(
        &app,
        &restored,
        &["restore", "--from", out.to_str().unwrap()],
    );
    assert!(restore.status.success(), "{}", text(&restore));
    assert!(
        text(&restore).contains("every checksum matches"),
        "{}",
        text(&restore)
    );

    // Everything acknowledged before the backup began is in the copy.
    let copy = rusqlite::Connection::open(restored.join("aftercare.sqlite3")).unwrap();
    let missing: i64 = copy
        .query_row(
            "SELECT ?1 - 5000 - COUNT(*) FROM orders WHERE order_id BETWEEN 5001 AND ?1",
            [acked_before as i64],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing, 0);
    // Row for row: what the copy holds is what the live database holds (these tables only
    // gain rows under this load; the sequences' counters move on).
    copy.execute(
        "ATTACH DATABASE ?1 AS live",
        [data.join("aftercare.sqlite3").to_str().unwrap()],
    )
    .unwrap();
    for table in ["orders", "line_items", "documents", "deliveries"] {
        let differ: i64 = copy
            .query_row(
                &format!(
                    "SELECT COUNT(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM live.{table})"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(differ, 0, "{table}");
        let rows: i64 = copy
            .query_row(&format!("SELECT COUNT(*) FROM main.{table}"), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(rows > 0, "{table} is empty");
    }
    // File for file: every document the copy lists is there, as the live one.
    let restored_files = files(&restored);
    let listed: Vec<PathBuf> = copy
        .prepare("SELECT path FROM main.documents ORDER BY path")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| PathBuf::from(p.unwrap()))
        .collect();
    assert!(listed.len() >= 3);
    for path in &listed {
        assert!(
            restored_files.contains(path),
            "{} is missing",
            path.display()
        );
    }
    for rel in &restored_files {
        assert_eq!(
            std::fs::read(restored.join(rel)).unwrap(),
            std::fs::read(data.join(rel)).unwrap(),
            "{}",
            rel.display()
        );
    }
    // The restored copy passes the invoice audit.
    let audit = cli(&app, &restored, &["invoices", "audit"]);
    assert!(audit.status.success(), "{}", text(&audit));
    assert!(
        text(&audit).contains(&format!("OK: {} document(s)", listed.len())),
        "{}",
        text(&audit)
    );
    // A second backup never overwrites the first.
    let again = cli(&app, &data, &["backup", "--out", out.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    Arc::try_unwrap(app).ok().unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_backup_or_a_full_target_is_refused() {
    let app = with_documents().await;
    let data = app.dir.path().join("data");
    let out = app.dir.path().join("backup.zip");
    let backup = cli(&app, &data, &["backup", "--out", out.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", text(&backup));

    // A target with anything in it is left alone.
    let full = app.dir.path().join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("keep.txt"), b"mine").unwrap();
    let refused = cli(&app, &full, &["restore", "--from", out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("is not empty"),
        "{}",
        text(&refused)
    );
    assert_eq!(files(&full), [PathBuf::from("keep.txt")]);

    // One byte of an archived PDF changed inside the backup: the restore stops and leaves
    // nothing behind.
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes
        .windows(5)
        .position(|w| w == b"%PDF-")
        .expect("a stored PDF");
    bytes[at + 100] ^= 0x20;
    let damaged = app.dir.path().join("damaged.zip");
    std::fs::write(&damaged, bytes).unwrap();
    let target = app.dir.path().join("target");
    let failed = cli(
        &app,
        &target,
        &["restore", "--from", damaged.to_str().unwrap()],
    );
    assert!(!failed.status.success());
    assert!(
        text(&failed).contains("checksum") || text(&failed).contains("Invalid checksum"),
        "{}",
        text(&failed)
    );
    assert!(!target.exists());
    app.stop().await;
}
