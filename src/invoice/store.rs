//! Issued invoices and credit notes, and the per-store sequences that number them.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension};

use super::document::DocumentKind;
use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;

impl ToSql for DocumentKind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for DocumentKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let kind = value.as_str()?;
        Self::parse(kind)
            .ok_or_else(|| FromSqlError::Other(format!("document kind `{kind}`").into()))
    }
}

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: i64,
    pub store_id: StoreId,
    pub kind: DocumentKind,
    pub order_id: OrderId,
    pub refund_id: u64,
    pub number: String,
    /// Credit notes: the invoice they correct.
    pub reference: Option<String>,
    pub issued_at: String,
    /// Invoices: the order total; credit notes: the amount credited (positive).
    pub total: String,
    pub currency: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A document ready to be recorded; its number is checked against the sequence.
pub struct NewDocument<'a> {
    pub store_id: &'a StoreId,
    pub kind: DocumentKind,
    pub order_id: OrderId,
    pub refund_id: u64,
    pub period: &'a str,
    pub sequence: u64,
    pub number: &'a str,
    pub reference: Option<&'a str>,
    pub issued_at: &'a str,
    pub total: &'a str,
    pub currency: &'a str,
    pub path: &'a str,
    pub sha256: &'a str,
    pub bytes: u64,
    pub settings: &'a str,
}

/// The number the next document of this series and period gets.
pub fn next_sequence(
    conn: &Connection,
    store_id: &StoreId,
    series: DocumentKind,
    period: &str,
    start: u64,
) -> Result<u64, StoreError> {
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT last_number FROM document_sequences
             WHERE store_id = ?1 AND series = ?2 AND period = ?3",
        )?
        .query_row((store_id, series, period), |r| r.get(0))
        .optional()?;
    Ok(match last {
        Some(n) => (n as u64 + 1).max(start),
        None => start,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    Issued(i64),
    /// Another document took this number first; render again with the next one.
    NumberTaken,
    /// This order (or refund) already has its document.
    AlreadyIssued,
}

/// Advances the sequence and records the document, in the caller's transaction. The
/// number is assigned only if it is still the next one: no duplicates, no gaps.
pub fn record(
    conn: &Connection,
    doc: &NewDocument<'_>,
    start: u64,
) -> Result<Recorded, StoreError> {
    if find(conn, doc.store_id, doc.kind, doc.order_id, doc.refund_id)?.is_some() {
        return Ok(Recorded::AlreadyIssued);
    }
    if next_sequence(conn, doc.store_id, doc.kind, doc.period, start)? != doc.sequence {
        return Ok(Recorded::NumberTaken);
    }
    conn.prepare_cached(
        "INSERT INTO document_sequences (store_id, series, period, last_number)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (store_id, series, period) DO UPDATE SET last_number = excluded.last_number",
    )?
    .execute((doc.store_id, doc.kind, doc.period, doc.sequence as i64))?;
    conn.prepare_cached(
        "INSERT INTO documents (store_id, kind, order_id, refund_id, period, sequence, number,
             reference, issued_at, total, currency, path, sha256, bytes, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(rusqlite::params![
        doc.store_id,
        doc.kind,
        doc.order_id,
        doc.refund_id as i64,
        doc.period,
        doc.sequence as i64,
        doc.number,
        doc.reference,
        doc.issued_at,
        doc.total,
        doc.currency,
        doc.path,
        doc.sha256,
        doc.bytes as i64,
        doc.settings,
    ])?;
    Ok(Recorded::Issued(conn.last_insert_rowid()))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        kind: r.get(2)?,
        order_id: r.get(3)?,
        refund_id: r.get::<_, i64>(4)? as u64,
        number: r.get(5)?,
        reference: r.get(6)?,
        issued_at: r.get(7)?,
        total: r.get(8)?,
        currency: r.get(9)?,
        path: r.get(10)?,
        sha256: r.get(11)?,
        bytes: r.get::<_, i64>(12)? as u64,
    })
}

const COLUMNS: &str = "id, store_id, kind, order_id, refund_id, number, reference, issued_at, \
                       total, currency, path, sha256, bytes";

/// One document by its id, whichever store it belongs to.
pub fn by_id(conn: &Connection, id: i64) -> Result<Option<DocumentRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM documents WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?)
}

pub fn find(
    conn: &Connection,
    store_id: &StoreId,
    kind: DocumentKind,
    order_id: OrderId,
    refund_id: u64,
) -> Result<Option<DocumentRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM documents
             WHERE store_id = ?1 AND kind = ?2 AND order_id = ?3 AND refund_id = ?4"
        ))?
        .query_row((store_id, kind, order_id, refund_id as i64), row)
        .optional()?)
}

/// An order's documents: its invoice first, then credit notes in issue order.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<DocumentRow>, StoreError> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM documents WHERE store_id = ?1 AND order_id = ?2
             ORDER BY kind = 'credit_note', id"
        ))?
        .query_map((store_id, order_id), row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What the audit needs of every issued document.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub store_id: StoreId,
    pub kind: DocumentKind,
    pub period: String,
    pub sequence: u64,
    /// The start number of the numbering settings the document was issued under.
    pub start: Option<u64>,
    pub number: String,
    pub path: String,
    pub sha256: String,
}

/// Every document, ordered by store, series, period and sequence.
pub fn audit_rows(conn: &Connection) -> Result<Vec<AuditRow>, StoreError> {
    let rows = conn
        .prepare(
            "SELECT store_id, kind, period, sequence, number, path, sha256,
                    json_extract(settings, '$.numbering.start')
             FROM documents
             ORDER BY store_id, kind, period, sequence",
        )?
        .query_map([], |r| {
            Ok(AuditRow {
                store_id: r.get(0)?,
                kind: r.get(1)?,
                period: r.get(2)?,
                sequence: r.get::<_, i64>(3)? as u64,
                start: r.get::<_, Option<i64>>(7)?.map(|s| s as u64),
                number: r.get(4)?,
                path: r.get(5)?,
                sha256: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The last number each sequence handed out.
pub fn sequence_heads(
    conn: &Connection,
) -> Result<Vec<(StoreId, DocumentKind, String, u64)>, StoreError> {
    let rows = conn
        .prepare("SELECT store_id, series, period, last_number FROM document_sequences")?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? as u64))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A document as the accountant's export lists it.
pub struct ExportRow {
    pub store_id: StoreId,
    pub kind: DocumentKind,
    pub number: String,
    pub order_id: OrderId,
    pub refund_id: i64,
    pub reference: Option<String>,
    pub issued_at: String,
    pub total: String,
    pub currency: String,
    pub path: String,
    pub sha256: String,
}

/// The stores that have documents, by id.
pub fn stores_with_documents(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    conn.prepare("SELECT DISTINCT store_id FROM documents ORDER BY store_id")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// How many documents were issued in `[from, to)`, in one store or all.
pub fn count_issued(
    conn: &Connection,
    from: &str,
    to: &str,
    store_id: Option<&str>,
) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM documents
         WHERE issued_at >= ?1 AND issued_at < ?2 AND (?3 IS NULL OR store_id = ?3)",
        (from, to, store_id),
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Calls `each` for every document issued in `[from, to)`, in one store or all, grouped
/// by store and kind. Rows come from a cursor, so memory stays flat however many match.
pub fn for_each_issued<E: From<rusqlite::Error>>(
    conn: &Connection,
    from: &str,
    to: &str,
    store_id: Option<&str>,
    mut each: impl FnMut(ExportRow) -> Result<(), E>,
) -> Result<(), E> {
    let mut statement = conn.prepare(
        "SELECT store_id, kind, number, order_id, refund_id, reference, issued_at, total,
                currency, path, sha256
         FROM documents
         WHERE issued_at >= ?1 AND issued_at < ?2 AND (?3 IS NULL OR store_id = ?3)
         ORDER BY store_id, kind, issued_at, id",
    )?;
    let mut rows = statement.query((from, to, store_id))?;
    while let Some(row) = rows.next()? {
        each(ExportRow {
            store_id: row.get(0)?,
            kind: row.get(1)?,
            number: row.get(2)?,
            order_id: row.get(3)?,
            refund_id: row.get(4)?,
            reference: row.get(5)?,
            issued_at: row.get(6)?,
            total: row.get(7)?,
            currency: row.get(8)?,
            path: row.get(9)?,
            sha256: row.get(10)?,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        crate::store::in_memory()
    }

    fn doc<'a>(
        store_id: &'a StoreId,
        order_id: u64,
        period: &'a str,
        sequence: u64,
        number: &'a str,
    ) -> NewDocument<'a> {
        NewDocument {
            store_id,
            kind: DocumentKind::Invoice,
            order_id: OrderId::new(order_id),
            refund_id: 0,
            period,
            sequence,
            number,
            reference: None,
            issued_at: "2026-11-23T00:00:00.000Z",
            total: "100",
            currency: "KRW",
            path: number,
            sha256: "00",
            bytes: 1,
            settings: "{}",
        }
    }

    /// Two issuers (say `serve` and a `backfill` running beside it) both read that 7 is
    /// next: the second to record loses the number and must take 8. No duplicate, no gap.
    #[test]
    fn a_number_read_by_two_issuers_goes_to_one() {
        let conn = db();
        let store = StoreId::test("default");
        let next = next_sequence(&conn, &store, DocumentKind::Invoice, "2026", 7).unwrap();
        assert_eq!(next, 7, "the configured start");
        assert_eq!(
            next_sequence(
                &conn,
                &StoreId::test("default"),
                DocumentKind::Invoice,
                "2026",
                7
            )
            .unwrap(),
            next
        );
        assert!(matches!(
            record(&conn, &doc(&store, 1, "2026", next, "INV-7"), 7).unwrap(),
            Recorded::Issued(_)
        ));
        assert_eq!(
            record(&conn, &doc(&store, 2, "2026", next, "INV-7"), 7).unwrap(),
            Recorded::NumberTaken
        );
        let retry = next_sequence(
            &conn,
            &StoreId::test("default"),
            DocumentKind::Invoice,
            "2026",
            7,
        )
        .unwrap();
        assert_eq!(retry, 8);
        assert!(matches!(
            record(&conn, &doc(&store, 2, "2026", retry, "INV-8"), 7).unwrap(),
            Recorded::Issued(_)
        ));
        // The order that has its invoice never gets a second one.
        assert_eq!(
            record(&conn, &doc(&store, 1, "2026", 9, "INV-9"), 7).unwrap(),
            Recorded::AlreadyIssued
        );
        // A new period (yearly reset) starts again from the start number.
        assert_eq!(
            next_sequence(
                &conn,
                &StoreId::test("default"),
                DocumentKind::Invoice,
                "2027",
                7
            )
            .unwrap(),
            7
        );
        let numbers: Vec<String> = conn
            .prepare("SELECT number FROM documents ORDER BY sequence")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(numbers, ["INV-7", "INV-8"]);
    }
}
