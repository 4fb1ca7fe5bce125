//! An order's shown answers: each answer counts once for the order, on the day it was
//! first shown, and as followed when a request was opened on the order within seven days.

use rusqlite::{Connection, params};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::Measure;
use crate::store::StoreError;

pub fn contribution(
    conn: &Connection,
    ctx: &Context,
    order_id: i64,
) -> Result<Contribution, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.first,
                EXISTS (SELECT 1 FROM support_requests r
                         WHERE r.store_id = ?1 AND r.order_id = ?2
                           AND julianday(r.created_at) >= julianday(f.first)
                           AND julianday(r.created_at) < julianday(f.first) + 7)
         FROM (SELECT MIN(first_shown_at) AS first FROM answer_impressions
                WHERE store_id = ?1 AND order_id = ?2 GROUP BY answer_id) f",
    )?;
    let rows = stmt.query_map(params![ctx.store, order_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
    })?;
    let mut c = Contribution::default();
    for row in rows {
        let (first, followed) = row?;
        let Some(day) = Day::of_text(&first, &ctx.calendar) else {
            continue;
        };
        c.count(Measure::AnswersShown, "", day, 1);
        if followed {
            c.count(Measure::AnswersFollowed, "", day, 1);
        }
    }
    Ok(c)
}
