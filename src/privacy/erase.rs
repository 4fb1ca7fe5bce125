//! An erasure request: every order of the address and what hangs on it anonymised in one
//! transaction, photos deleted once it committed, issued documents kept and reported.
//! Asking again finds nothing left to erase (the address is gone from every record) and
//! answers so.

use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::RETAINED_REASON;
use super::anonymise::{self, Cause, Counts};
use super::subject::{self, id_list};
use crate::ids::{OrderId, StoreId};
use crate::store::{Db, StoreError};
use crate::time;

/// What an erasure did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Erasure {
    /// The address erased, trimmed and lower-cased.
    pub email: String,
    /// Records anonymised (photos and unsubscribes: deleted), by kind.
    pub erased: Counts,
    /// Issued documents kept, each with why.
    pub retained: Vec<Retained>,
}

/// An issued invoice or credit note the erasure left as it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Retained {
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub number: String,
    pub order_id: u64,
    pub issued_at: String,
    pub total: String,
    pub currency: String,
    pub reason: &'static str,
}

/// The issued documents of `orders`.
pub fn documents(
    conn: &Connection,
    store: &StoreId,
    orders: &[OrderId],
) -> Result<Vec<Retained>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT kind, number, order_id, issued_at, total, currency FROM documents
             WHERE store_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))
             ORDER BY issued_at, id",
        )?
        .query_map(params![store, id_list(orders)], |r| {
            Ok(Retained {
                kind: r.get(0)?,
                number: r.get(1)?,
                order_id: r.get::<_, i64>(2)? as u64,
                issued_at: r.get(3)?,
                total: r.get(4)?,
                currency: r.get(5)?,
                reason: RETAINED_REASON,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// Erases `email` (normalised) in `store`, in the caller's transaction. Answers the photo
/// files to delete once it committed.
pub fn erase(
    conn: &Connection,
    store: &StoreId,
    email: &str,
    now: &time::Stamp,
) -> Result<(Erasure, Vec<String>), StoreError> {
    let who = subject::find(conn, store, email)?;
    // Every address the orders were placed under is the person's too (a registered
    // customer may have changed theirs).
    let mut addresses: Vec<String> = conn
        .prepare_cached(
            "SELECT DISTINCT lower(trim(billing_email)) FROM orders
             WHERE store_id = ?1 AND order_id IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![store, id_list(&who.orders)], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !addresses.iter().any(|a| a == email) {
        addresses.push(email.to_owned());
    }
    let retained = documents(conn, store, &who.orders)?;
    let done = anonymise::run(conn, store, &who.orders, &addresses, Cause::Request, now)?;
    Ok((
        Erasure {
            email: who.email,
            erased: done.counts,
            retained,
        },
        done.files,
    ))
}

/// Deletes photo files (relative to `data_dir`) of records already gone. A file that is
/// already missing is fine: an earlier attempt got to it.
pub fn delete_files(data_dir: &Path, files: &[String]) {
    for file in files {
        let path = data_dir.join(file);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(file = %file, error = %e, "an erased photo could not be deleted")
            }
        }
    }
}

/// The whole request: the transaction, then the files.
pub async fn run(
    db: &Db,
    data_dir: &Path,
    store: StoreId,
    email: String,
) -> Result<Erasure, StoreError> {
    let now = time::millis(jiff::Timestamp::now());
    let (erasure, files) = db
        .writer()
        .write(move |c| erase(c, &store, &email, &now))
        .await?;
    delete_files(data_dir, &files);
    tracing::info!(
        erased = erasure.erased.total(),
        retained = erasure.retained.len(),
        "personal data erased"
    );
    Ok(erasure)
}
