//! Sync state: where the REST walks have got to, how reconciliation went, and the order
//! webhooks as last seen in WooCommerce.

use rusqlite::{Connection, OptionalExtension};

use crate::ids::StoreId;
use crate::store::StoreError;
use crate::time::Stamp;

pub const BACKFILL: &str = "backfill";
pub const RECONCILE: &str = "reconcile";
pub const SWEEP: &str = "sweep";

/// A walk's resume point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The lower bound the walk was started with (backfill `--since`).
    pub since: Option<String>,
    /// The next query asks for orders modified after this (RFC 3339).
    pub cursor: String,
    pub complete: bool,
}

pub fn cursor(
    conn: &Connection,
    store_id: &StoreId,
    walk: &str,
) -> Result<Option<Cursor>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT since, cursor, complete FROM sync_cursors WHERE store_id = ?1 AND walk = ?2",
        )?
        .query_row((store_id, walk), |row| {
            Ok(Cursor {
                since: row.get(0)?,
                cursor: row.get(1)?,
                complete: row.get(2)?,
            })
        })
        .optional()?)
}

pub fn save_cursor(
    conn: &Connection,
    store_id: &StoreId,
    walk: &str,
    cursor: &Cursor,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_cursors (store_id, walk, since, cursor, complete, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (store_id, walk) DO UPDATE SET
            since = excluded.since, cursor = excluded.cursor,
            complete = excluded.complete, updated_at = excluded.updated_at",
    )?
    .execute((
        store_id,
        walk,
        &cursor.since,
        &cursor.cursor,
        cursor.complete,
        now,
    ))?;
    Ok(())
}

/// Reconciliation state of one store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub started_at: Option<String>,
    pub last_reconciliation_at: Option<String>,
    pub last_full_sweep_at: Option<String>,
    pub repaired_orders_total: u64,
    pub repaired_orders_last_run: Option<u64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub webhooks_checked_at: Option<String>,
    pub webhooks_error: Option<String>,
}

pub fn status(conn: &Connection, store_id: &StoreId) -> Result<Status, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT started_at, last_reconciliation_at, last_full_sweep_at,
                    repaired_orders_total, repaired_orders_last_run, last_error, last_error_at,
                    webhooks_checked_at, webhooks_error
             FROM sync_status WHERE store_id = ?1",
        )?
        .query_row([store_id], |row| {
            Ok(Status {
                started_at: row.get(0)?,
                last_reconciliation_at: row.get(1)?,
                last_full_sweep_at: row.get(2)?,
                repaired_orders_total: row.get::<_, i64>(3)? as u64,
                repaired_orders_last_run: row.get::<_, Option<i64>>(4)?.map(|n| n as u64),
                last_error: row.get(5)?,
                last_error_at: row.get(6)?,
                webhooks_checked_at: row.get(7)?,
                webhooks_error: row.get(8)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// Creates the store's status row on the reconciler's first start; keeps an existing one.
pub fn ensure_status(conn: &Connection, store_id: &StoreId, now: &Stamp) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sync_status (store_id, started_at) VALUES (?1, ?2)
         ON CONFLICT (store_id) DO NOTHING",
    )?
    .execute((store_id, now))?;
    Ok(())
}

/// A successful reconciliation run; `full` for a sweep of every order.
pub fn record_run(
    conn: &Connection,
    store_id: &StoreId,
    full: bool,
    repaired: u64,
    now: &Stamp,
) -> Result<(), StoreError> {
    ensure_status(conn, store_id, now)?;
    let sql = if full {
        "UPDATE sync_status SET last_full_sweep_at = ?2, last_reconciliation_at = ?2,
            repaired_orders_total = repaired_orders_total + ?3, repaired_orders_last_run = ?3,
            last_error = NULL, last_error_at = NULL
         WHERE store_id = ?1"
    } else {
        "UPDATE sync_status SET last_reconciliation_at = ?2,
            repaired_orders_total = repaired_orders_total + ?3, repaired_orders_last_run = ?3,
            last_error = NULL, last_error_at = NULL
         WHERE store_id = ?1"
    };
    conn.prepare_cached(sql)?
        .execute((store_id, now, repaired as i64))?;
    Ok(())
}

/// A failed run: the error's sentence (never a body or a credential).
pub fn record_error(
    conn: &Connection,
    store_id: &StoreId,
    error: &str,
    now: &Stamp,
) -> Result<(), StoreError> {
    ensure_status(conn, store_id, now)?;
    conn.prepare_cached(
        "UPDATE sync_status SET last_error = ?2, last_error_at = ?3 WHERE store_id = ?1",
    )?
    .execute((store_id, error, now))?;
    Ok(())
}

/// One of the store's order webhooks that delivers (or should deliver) to aftercare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub webhook_id: u64,
    pub topic: String,
    pub status: String,
    pub delivery_url: String,
    pub ok: bool,
}

/// Replaces the recorded webhooks with what a check just saw.
pub fn record_webhooks(
    conn: &Connection,
    store_id: &StoreId,
    webhooks: &[WebhookRow],
    now: &Stamp,
) -> Result<(), StoreError> {
    ensure_status(conn, store_id, now)?;
    conn.prepare_cached("DELETE FROM woo_webhooks WHERE store_id = ?1")?
        .execute([store_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO woo_webhooks (store_id, webhook_id, topic, status, delivery_url, ok)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for w in webhooks {
        insert.execute((
            store_id,
            w.webhook_id as i64,
            &w.topic,
            &w.status,
            &w.delivery_url,
            w.ok,
        ))?;
    }
    conn.prepare_cached(
        "UPDATE sync_status SET webhooks_checked_at = ?2, webhooks_error = NULL
         WHERE store_id = ?1",
    )?
    .execute((store_id, now))?;
    Ok(())
}

/// A check that could not list the webhooks; the last good picture stays.
pub fn record_webhooks_error(
    conn: &Connection,
    store_id: &StoreId,
    error: &str,
    now: &Stamp,
) -> Result<(), StoreError> {
    ensure_status(conn, store_id, now)?;
    conn.prepare_cached("UPDATE sync_status SET webhooks_error = ?2 WHERE store_id = ?1")?
        .execute((store_id, error))?;
    Ok(())
}

pub fn webhooks(conn: &Connection, store_id: &StoreId) -> Result<Vec<WebhookRow>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT webhook_id, topic, status, delivery_url, ok FROM woo_webhooks
             WHERE store_id = ?1 ORDER BY topic, webhook_id",
        )?
        .query_map([store_id], |row| {
            Ok(WebhookRow {
                webhook_id: row.get::<_, i64>(0)? as u64,
                topic: row.get(1)?,
                status: row.get(2)?,
                delivery_url: row.get(3)?,
                ok: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        crate::store::in_memory()
    }

    #[test]
    fn cursors_are_per_store_and_walk() {
        let conn = db();
        assert_eq!(cursor(&conn, &StoreId::test("a"), BACKFILL).unwrap(), None);
        let c = Cursor {
            since: Some("2026-01-01T00:00:00Z".into()),
            cursor: "2026-02-01T00:00:00Z".into(),
            complete: false,
        };
        save_cursor(
            &conn,
            &StoreId::test("a"),
            BACKFILL,
            &c,
            &Stamp::test("now"),
        )
        .unwrap();
        assert_eq!(
            cursor(&conn, &StoreId::test("a"), BACKFILL).unwrap(),
            Some(c.clone())
        );
        assert_eq!(cursor(&conn, &StoreId::test("b"), BACKFILL).unwrap(), None);
        assert_eq!(cursor(&conn, &StoreId::test("a"), RECONCILE).unwrap(), None);
        let done = Cursor {
            complete: true,
            ..c
        };
        save_cursor(
            &conn,
            &StoreId::test("a"),
            BACKFILL,
            &done,
            &Stamp::test("later"),
        )
        .unwrap();
        assert!(
            cursor(&conn, &StoreId::test("a"), BACKFILL)
                .unwrap()
                .unwrap()
                .complete
        );
    }

    #[test]
    fn runs_add_up_and_errors_clear_on_success() {
        let conn = db();
        assert_eq!(
            status(&conn, &StoreId::test("a")).unwrap(),
            Status::default()
        );
        ensure_status(&conn, &StoreId::test("a"), &Stamp::test("t0")).unwrap();
        ensure_status(&conn, &StoreId::test("a"), &Stamp::test("t1")).unwrap();
        assert_eq!(
            status(&conn, &StoreId::test("a"))
                .unwrap()
                .started_at
                .as_deref(),
            Some("t0")
        );
        record_run(&conn, &StoreId::test("a"), false, 2, &Stamp::test("t2")).unwrap();
        record_error(
            &conn,
            &StoreId::test("a"),
            "WooCommerce answered 401",
            &Stamp::test("t3"),
        )
        .unwrap();
        let s = status(&conn, &StoreId::test("a")).unwrap();
        assert_eq!(s.last_error.as_deref(), Some("WooCommerce answered 401"));
        record_run(&conn, &StoreId::test("a"), true, 3, &Stamp::test("t4")).unwrap();
        let s = status(&conn, &StoreId::test("a")).unwrap();
        assert_eq!(s.repaired_orders_total, 5);
        assert_eq!(s.repaired_orders_last_run, Some(3));
        assert_eq!(s.last_reconciliation_at.as_deref(), Some("t4"));
        assert_eq!(s.last_full_sweep_at.as_deref(), Some("t4"));
        assert_eq!(s.last_error, None);
    }

    #[test]
    fn a_check_replaces_the_recorded_webhooks() {
        let conn = db();
        let row = |id, status: &str| WebhookRow {
            webhook_id: id,
            topic: "order.created".into(),
            status: status.into(),
            delivery_url: "https://a.example/webhooks/woocommerce".into(),
            ok: status == "active",
        };
        record_webhooks(
            &conn,
            &StoreId::test("a"),
            &[row(1, "disabled"), row(2, "active")],
            &Stamp::test("t1"),
        )
        .unwrap();
        record_webhooks(
            &conn,
            &StoreId::test("a"),
            &[row(2, "active")],
            &Stamp::test("t2"),
        )
        .unwrap();
        assert_eq!(
            webhooks(&conn, &StoreId::test("a")).unwrap(),
            vec![row(2, "active")]
        );
        record_webhooks_error(&conn, &StoreId::test("a"), "timed out", &Stamp::test("t3")).unwrap();
        let s = status(&conn, &StoreId::test("a")).unwrap();
        assert_eq!(s.webhooks_checked_at.as_deref(), Some("t2"));
        assert_eq!(s.webhooks_error.as_deref(), Some("timed out"));
    }
}
