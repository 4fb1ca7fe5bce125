//! The `answers` and `answer_impressions` tables, and the one query that looks at support
//! requests (`followed_by_request`).

use rusqlite::{Connection, OptionalExtension};

use super::model::{Entry, NewAnswer, When};
use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;
use crate::tracking::i18n::Lang;

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Entry, String)> {
    let lang: String = r.get(3)?;
    Ok((
        Entry {
            id: r.get(0)?,
            question: r.get(1)?,
            answer: r.get(2)?,
            lang: Lang::from_tag(&lang).unwrap_or(Lang::En),
            when: When::default(),
            created_at: r.get(5)?,
            updated_at: r.get(6)?,
        },
        r.get(4)?,
    ))
}

fn with_when((mut e, when): (Entry, String)) -> Result<Entry, StoreError> {
    e.when = serde_json::from_str(&when)
        .map_err(|err| StoreError::Corrupt(format!("answer {}: {err}", e.id)))?;
    Ok(e)
}

const COLUMNS: &str = "id, question, answer, lang, conditions, created_at, updated_at";

pub fn insert(
    c: &Connection,
    store: &StoreId,
    a: &NewAnswer,
    now: &Stamp,
) -> Result<Entry, StoreError> {
    let when = serde_json::to_string(&a.when).expect("conditions serialise");
    c.prepare_cached(
        "INSERT INTO answers (store_id, question, answer, lang, conditions, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute((store, &a.question, &a.answer, a.lang.code(), &when, now))?;
    let id = c.last_insert_rowid();
    get(c, store, id)?.ok_or_else(|| StoreError::Corrupt("inserted answer vanished".into()))
}

/// Replaces entry `id`; `None` when the store has no such entry.
pub fn update(
    c: &Connection,
    store: &StoreId,
    id: i64,
    a: &NewAnswer,
    now: &Stamp,
) -> Result<Option<Entry>, StoreError> {
    let when = serde_json::to_string(&a.when).expect("conditions serialise");
    let changed = c
        .prepare_cached(
            "UPDATE answers SET question = ?3, answer = ?4, lang = ?5, conditions = ?6, updated_at = ?7
             WHERE store_id = ?1 AND id = ?2",
        )?
        .execute((store, id, &a.question, &a.answer, a.lang.code(), &when, now))?;
    if changed == 0 {
        return Ok(None);
    }
    get(c, store, id)
}

/// Deletes entry `id` and its impressions; whether it existed.
pub fn delete(c: &Connection, store: &StoreId, id: i64) -> Result<bool, StoreError> {
    let gone = c
        .prepare_cached("DELETE FROM answers WHERE store_id = ?1 AND id = ?2")?
        .execute((store, id))?;
    c.prepare_cached("DELETE FROM answer_impressions WHERE store_id = ?1 AND answer_id = ?2")?
        .execute((store, id))?;
    Ok(gone > 0)
}

pub fn get(c: &Connection, store: &StoreId, id: i64) -> Result<Option<Entry>, StoreError> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM answers WHERE store_id = ?1 AND id = ?2"
    ))?
    .query_row((store, id), entry)
    .optional()?
    .map(with_when)
    .transpose()
}

/// The store's entries, oldest first; only those in `lang` when given.
pub fn list(c: &Connection, store: &StoreId, lang: Option<Lang>) -> Result<Vec<Entry>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM answers WHERE store_id = ?1 AND (?2 IS NULL OR lang = ?2) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map((store, lang.map(Lang::code)), entry)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(with_when).collect()
}

/// Records that these entries were shown for `order` now; once per entry, order and UTC
/// day (`now` is an RFC 3339 UTC stamp, so its first ten characters are the day).
pub fn record_impressions(
    c: &Connection,
    store: &StoreId,
    order: OrderId,
    answer_ids: &[i64],
    now: &Stamp,
) -> Result<(), StoreError> {
    let day = &now.as_str()[..10];
    let mut stmt = c.prepare_cached(
        "INSERT INTO answer_impressions (store_id, answer_id, order_id, day, first_shown_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?;
    for id in answer_ids {
        stmt.execute((store, id, order, day, now))?;
    }
    Ok(())
}

/// What customers did after seeing one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deflection {
    /// Impressions: (order, day) pairs the entry was shown on.
    pub shown: i64,
    /// Distinct orders it was shown for.
    pub orders: i64,
    /// Of those orders, how many had a support request opened within seven days after the
    /// entry was first shown for the order.
    pub followed_by_request: i64,
}

/// The name of the support domain's table of requests, read here and nowhere else.
const REQUESTS_TABLE: &str = "support_requests";

/// Whether the support requests table exists in this database.
fn has_requests(c: &Connection) -> Result<bool, StoreError> {
    Ok(
        c.prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
            .query_row([REQUESTS_TABLE], |_| Ok(()))
            .optional()?
            .is_some(),
    )
}

/// Deflection figures of each of the store's entries, by entry id. The one place the
/// answers domain looks at support requests: it reads only `store_id`, `order_id` and
/// `created_at` of `support_requests`, and counts nothing as followed while that table
/// does not exist.
pub fn deflection(
    c: &Connection,
    store: &StoreId,
) -> Result<std::collections::HashMap<i64, Deflection>, StoreError> {
    let followed = if has_requests(c)? {
        format!(
            "(SELECT COUNT(*) FROM (
                SELECT i.order_id, MIN(i.first_shown_at) AS first FROM answer_impressions i
                WHERE i.store_id = a.store_id AND i.answer_id = a.id GROUP BY i.order_id) f
              WHERE EXISTS (SELECT 1 FROM {REQUESTS_TABLE} r
                 WHERE r.store_id = a.store_id AND r.order_id = f.order_id
                   AND julianday(r.created_at) >= julianday(f.first)
                   AND julianday(r.created_at) < julianday(f.first) + 7))"
        )
    } else {
        "0".to_owned()
    };
    let mut stmt = c.prepare(&format!(
        "SELECT a.id,
                (SELECT COUNT(*) FROM answer_impressions i
                  WHERE i.store_id = a.store_id AND i.answer_id = a.id),
                (SELECT COUNT(DISTINCT i.order_id) FROM answer_impressions i
                  WHERE i.store_id = a.store_id AND i.answer_id = a.id),
                {followed}
         FROM answers a WHERE a.store_id = ?1"
    ))?;
    let rows = stmt.query_map([store], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            Deflection {
                shown: r.get(1)?,
                orders: r.get(2)?,
                followed_by_request: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::model::AnswerRequest;

    fn stamp(text: &str) -> Stamp {
        crate::time::millis(text.parse().unwrap())
    }

    fn new_answer(q: &str) -> NewAnswer {
        AnswerRequest {
            question: q.into(),
            answer: "<p>Soon.</p>".into(),
            lang: "en".into(),
            when: When::default(),
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn impressions_count_once_a_day_and_requests_within_seven_days_follow() {
        let c = crate::store::in_memory();
        let store = StoreId::default_store();
        let other = StoreId::test("second");
        for s in [&store, &other] {
            c.execute("INSERT INTO stores (id, created_at) VALUES (?1, '')", [s])
                .unwrap();
        }
        let a = insert(&c, &store, &new_answer("A"), &stamp("2026-12-01T00:00:00Z")).unwrap();
        let b = insert(&c, &store, &new_answer("B"), &stamp("2026-12-01T00:00:00Z")).unwrap();
        let (o1, o2, o3) = (OrderId::new(1), OrderId::new(2), OrderId::new(3));
        // Shown three times on 1 December for order 1: one impression; again on the 2nd.
        for t in [
            "2026-12-01T08:00:00Z",
            "2026-12-01T09:00:00Z",
            "2026-12-01T23:59:59Z",
        ] {
            record_impressions(&c, &store, o1, &[a.id, b.id], &stamp(t)).unwrap();
        }
        record_impressions(&c, &store, o1, &[a.id], &stamp("2026-12-02T10:00:00Z")).unwrap();
        record_impressions(&c, &store, o2, &[a.id], &stamp("2026-12-01T10:00:00Z")).unwrap();
        record_impressions(&c, &store, o3, &[a.id], &stamp("2026-12-01T10:00:00Z")).unwrap();
        // Without requests nothing is counted as followed.
        let before = deflection(&c, &store).unwrap();
        assert_eq!(
            before[&a.id],
            Deflection {
                shown: 4,
                orders: 3,
                followed_by_request: 0
            }
        );
        // The support domain's table: order 1 asked six days after first seeing the answer
        // (followed), order 2 eight days after (not), order 3 before it (not); a request of
        // another store's order 3 is not this store's.
        for (store, order, at) in [
            ("default", 1, "2026-12-07T07:59:00.000Z"),
            ("default", 2, "2026-12-09T10:00:01.000Z"),
            ("default", 3, "2026-11-30T10:00:00.000Z"),
            ("second", 3, "2026-12-02T10:00:00.000Z"),
        ] {
            c.execute(
                "INSERT INTO support_requests (store_id, order_id, customer_id, topic, status,
                                               created_at, updated_at)
                 VALUES (?1, ?2, 0, 'where_is_my_order', 'open', ?3, ?3)",
                rusqlite::params![store, order, at],
            )
            .unwrap();
        }
        let after = deflection(&c, &store).unwrap();
        assert_eq!(
            after[&a.id],
            Deflection {
                shown: 4,
                orders: 3,
                followed_by_request: 1
            }
        );
        assert_eq!(
            after[&b.id],
            Deflection {
                shown: 1,
                orders: 1,
                followed_by_request: 1
            }
        );
        assert!(delete(&c, &store, b.id).unwrap());
        assert!(!delete(&c, &other, a.id).unwrap(), "another store's entry");
        assert_eq!(deflection(&c, &store).unwrap().len(), 1);
    }
}
