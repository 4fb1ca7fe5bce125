//! The insight tables: pending records, contributions, counters and duration lists.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::contribution::{Contribution, ValChange};
use super::day::{Day, Range};
use super::measure::{Entity, Measure, ValueMeasure};
use crate::ids::StoreId;
use crate::store::StoreError;

const DAY: i64 = 0;
const MONTH: i64 = 1;

/// Up to `limit` records waiting to be folded.
pub fn pending(
    conn: &Connection,
    store: &StoreId,
    limit: usize,
) -> Result<Vec<(Entity, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity, entity_id FROM insight_pending WHERE store_id = ?1 LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![store, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(entity, id)| {
            Entity::parse(&entity)
                .map(|e| (e, id))
                .ok_or_else(|| StoreError::Corrupt(format!("unknown insight entity {entity}")))
        })
        .collect()
}

pub fn done(conn: &Connection, store: &StoreId, entity: Entity, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM insight_pending WHERE store_id = ?1 AND entity = ?2 AND entity_id = ?3",
    )?
    .execute(params![store, entity.as_str(), id])?;
    Ok(())
}

pub fn contribution(
    conn: &Connection,
    store: &StoreId,
    entity: Entity,
    id: &str,
) -> Result<Contribution, StoreError> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT counts, vals FROM insight_contributions
             WHERE store_id = ?1 AND entity = ?2 AND entity_id = ?3",
        )?
        .query_row(params![store, entity.as_str(), id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((counts, vals)) = found else {
        return Ok(Contribution::default());
    };
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("insight contribution: {e}"));
    Ok(Contribution {
        counts: serde_json::from_str(&counts).map_err(corrupt)?,
        vals: serde_json::from_str(&vals).map_err(corrupt)?,
    })
}

pub fn save_contribution(
    conn: &Connection,
    store: &StoreId,
    entity: Entity,
    id: &str,
    c: &Contribution,
) -> Result<(), StoreError> {
    if c.is_empty() {
        conn.prepare_cached(
            "DELETE FROM insight_contributions
             WHERE store_id = ?1 AND entity = ?2 AND entity_id = ?3",
        )?
        .execute(params![store, entity.as_str(), id])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO insight_contributions (store_id, entity, entity_id, counts, vals)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (store_id, entity, entity_id)
         DO UPDATE SET counts = excluded.counts, vals = excluded.vals",
    )?
    .execute(params![
        store,
        entity.as_str(),
        id,
        json(&c.counts),
        json(&c.vals)
    ])?;
    Ok(())
}

/// Lists of plain tuples: serialising them cannot fail.
fn json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

/// Adds `delta` to a counter's day row and its month row.
pub fn add_count(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    key: &str,
    day: Day,
    delta: i64,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO insight_counts (store_id, measure, grain, key, period, n)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (store_id, measure, grain, period, key) DO UPDATE SET n = n + excluded.n",
    )?;
    stmt.execute(params![store, measure.as_str(), DAY, key, day.0, delta])?;
    stmt.execute(params![
        store,
        measure.as_str(),
        MONTH,
        key,
        day.month_start().0,
        delta
    ])?;
    Ok(())
}

fn decode(blob: &[u8]) -> Vec<i64> {
    blob.chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

fn encode(values: &[i64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Takes `change.remove` out of a duration list and puts `change.add` in, keeping it sorted.
pub fn change_values(
    conn: &Connection,
    store: &StoreId,
    measure: ValueMeasure,
    key: &str,
    day: Day,
    change: &ValChange,
) -> Result<(), StoreError> {
    let blob: Option<Vec<u8>> = conn
        .prepare_cached(
            "SELECT vals FROM insight_values
             WHERE store_id = ?1 AND measure = ?2 AND day = ?3 AND key = ?4",
        )?
        .query_row(params![store, measure.as_str(), day.0, key], |r| r.get(0))
        .optional()?;
    let mut list = blob.as_deref().map(decode).unwrap_or_default();
    for v in &change.remove {
        if let Ok(at) = list.binary_search(v) {
            list.remove(at);
        }
    }
    for v in &change.add {
        let at = list.binary_search(v).unwrap_or_else(|at| at);
        list.insert(at, *v);
    }
    if list.is_empty() {
        conn.prepare_cached(
            "DELETE FROM insight_values
             WHERE store_id = ?1 AND measure = ?2 AND day = ?3 AND key = ?4",
        )?
        .execute(params![store, measure.as_str(), day.0, key])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO insight_values (store_id, measure, key, day, vals)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (store_id, measure, day, key) DO UPDATE SET vals = excluded.vals",
        )?
        .execute(params![store, measure.as_str(), key, day.0, encode(&list)])?;
    }
    Ok(())
}

fn sum_grain(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    grain: i64,
    range: Range,
    into: &mut BTreeMap<String, i64>,
) -> Result<(), StoreError> {
    if range.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT key, SUM(n) FROM insight_counts
         WHERE store_id = ?1 AND measure = ?2 AND grain = ?3 AND period >= ?4 AND period < ?5
         GROUP BY key",
    )?;
    let rows = stmt.query_map(
        params![store, measure.as_str(), grain, range.from.0, range.until.0],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    for row in rows {
        let (key, n) = row?;
        *into.entry(key).or_default() += n;
    }
    Ok(())
}

/// A counter's total per key over `range` (keys whose total is zero left out).
pub fn totals(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    range: Range,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let (head, months, tail) = range.split_months();
    let mut out = BTreeMap::new();
    sum_grain(conn, store, measure, DAY, head, &mut out)?;
    sum_grain(conn, store, measure, MONTH, months, &mut out)?;
    sum_grain(conn, store, measure, DAY, tail, &mut out)?;
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// A counter's total over every key.
pub fn total(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    range: Range,
) -> Result<i64, StoreError> {
    Ok(totals(conn, store, measure, range)?.values().sum())
}

/// A counter's total over everything before `day`.
pub fn total_before(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    day: Day,
) -> Result<i64, StoreError> {
    let mut out = BTreeMap::new();
    let month = day.month_start();
    sum_grain(
        conn,
        store,
        measure,
        MONTH,
        Range {
            from: Day(i32::MIN),
            until: month,
        },
        &mut out,
    )?;
    sum_grain(
        conn,
        store,
        measure,
        DAY,
        Range {
            from: month,
            until: day,
        },
        &mut out,
    )?;
    Ok(out.values().sum())
}

/// A counter's rows of one grain with periods in `[from, until)`.
fn rows(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    grain: i64,
    from: Day,
    until: Day,
) -> Result<Vec<(Day, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT period, key, n FROM insight_counts
         WHERE store_id = ?1 AND measure = ?2 AND grain = ?3 AND period >= ?4 AND period < ?5
           AND n != 0",
    )?;
    let rows = stmt
        .query_map(
            params![store, measure.as_str(), grain, from.0, until.0],
            |r| Ok((Day(r.get(0)?), r.get(1)?, r.get(2)?)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// A counter per day and key over `range`.
pub fn by_day(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    range: Range,
) -> Result<Vec<(Day, String, i64)>, StoreError> {
    rows(conn, store, measure, DAY, range.from, range.until)
}

/// A counter per month (the first day of each) and key, for the months `range` touches.
pub fn by_month(
    conn: &Connection,
    store: &StoreId,
    measure: Measure,
    range: Range,
) -> Result<Vec<(Day, String, i64)>, StoreError> {
    rows(
        conn,
        store,
        measure,
        MONTH,
        range.from.month_start(),
        range.until,
    )
}

/// Every listed duration per key over `range`, each list sorted.
pub fn values(
    conn: &Connection,
    store: &StoreId,
    measure: ValueMeasure,
    range: Range,
) -> Result<BTreeMap<String, Vec<i64>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, vals FROM insight_values
         WHERE store_id = ?1 AND measure = ?2 AND day >= ?3 AND day < ?4",
    )?;
    let mut rows = stmt.query(params![
        store,
        measure.as_str(),
        range.from.0,
        range.until.0
    ])?;
    let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let blob = r.get_ref(1)?.as_blob().unwrap_or_default();
        out.entry(key).or_default().extend(decode(blob));
    }
    for list in out.values_mut() {
        list.sort_unstable();
    }
    Ok(out)
}

/// The basis the store's aggregates were computed with.
pub fn basis(conn: &Connection, store: &StoreId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT basis FROM insight_state WHERE store_id = ?1")?
        .query_row([store], |r| r.get(0))
        .optional()?)
}

/// Forgets the store's aggregates and notes every record again, under a new basis.
pub fn start_over(conn: &Connection, store: &StoreId, basis: &str) -> Result<(), StoreError> {
    for table in [
        "insight_counts",
        "insight_values",
        "insight_contributions",
        "insight_orders",
        "insight_products",
        "insight_pending",
    ] {
        conn.execute(&format!("DELETE FROM {table} WHERE store_id = ?1"), [store])?;
    }
    for (entity, id, table) in [
        (Entity::Order, "order_id", "orders"),
        (Entity::Survey, "id", "surveys"),
        (Entity::Request, "id", "support_requests"),
        (Entity::Deflection, "order_id", "answer_impressions"),
        (Entity::Shipment, "id", "shipments"),
        (Entity::Return, "id", "returns"),
    ] {
        conn.execute(
            &format!(
                "INSERT OR IGNORE INTO insight_pending (store_id, entity, entity_id)
                 SELECT store_id, ?2, {id} FROM {table} WHERE store_id = ?1"
            ),
            params![store, entity.as_str()],
        )?;
    }
    conn.execute(
        "INSERT INTO insight_state (store_id, basis) VALUES (?1, ?2)
         ON CONFLICT (store_id) DO UPDATE SET basis = excluded.basis",
        params![store, basis],
    )?;
    Ok(())
}

/// Remembers the name a product had on a returned item.
pub fn name_product(
    conn: &Connection,
    store: &StoreId,
    product: i64,
    name: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO insight_products (store_id, product_id, name) VALUES (?1, ?2, ?3)
         ON CONFLICT (store_id, product_id) DO UPDATE SET name = excluded.name",
    )?
    .execute(params![store, product, name])?;
    Ok(())
}

pub fn product_name(
    conn: &Connection,
    store: &StoreId,
    product: i64,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT name FROM insight_products WHERE store_id = ?1 AND product_id = ?2",
        )?
        .query_row(params![store, product], |r| r.get(0))
        .optional()?)
}

/// The currency of the store's most recently changed order.
pub fn currency(conn: &Connection, store: &StoreId) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT currency FROM orders WHERE store_id = ?1 ORDER BY date_modified DESC LIMIT 1",
        )?
        .query_row([store], |r| r.get(0))
        .optional()?)
}

/// How many changed records are waiting to be folded.
pub fn pending_count(conn: &Connection, store: &StoreId) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM insight_pending WHERE store_id = ?1")?
        .query_row([store], |r| r.get(0))?)
}
