//! The `surveys` table: one row per survey decision (asked or skipped, and why), the
//! customer's answer on the same row.

use rusqlite::{Connection, OptionalExtension, Row};

use super::model::{Kind, Source, State, Topic};
use crate::ids::{OrderId, StoreId, SurveyId};
use crate::store::StoreError;
use crate::time::Stamp;

/// One survey as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub id: SurveyId,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub kind: Kind,
    pub source: Source,
    pub subject: u64,
    pub recipient: String,
    pub first_name: String,
    pub locale: Option<String>,
    pub state: State,
    pub reason: String,
    pub anchor_at: String,
    pub token: Option<String>,
    pub expires_at: Option<String>,
    pub score: Option<i64>,
    pub topic: Option<Topic>,
    pub comment: Option<String>,
    pub answered_at: Option<String>,
    pub changed_at: Option<String>,
    pub revision: i64,
    pub follow_up: bool,
    pub follow_up_request_id: Option<u64>,
    pub noted_revision: i64,
    pub created_at: String,
}

const COLUMNS: &str =
    "id, store_id, order_id, kind, source, subject, recipient, first_name, locale,
    state, reason, anchor_at, token, expires_at, score, topic, comment, answered_at, changed_at,
    revision, follow_up, follow_up_request_id, noted_revision, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<SurveyRow> {
    Ok(SurveyRow {
        id: r.get(0)?,
        store_id: r.get(1)?,
        order_id: r.get(2)?,
        kind: r.get(3)?,
        source: r.get(4)?,
        subject: r.get::<_, i64>(5)? as u64,
        recipient: r.get(6)?,
        first_name: r.get(7)?,
        locale: r.get(8)?,
        state: r.get(9)?,
        reason: r.get(10)?,
        anchor_at: r.get(11)?,
        token: r.get(12)?,
        expires_at: r.get(13)?,
        score: r.get(14)?,
        topic: r.get(15)?,
        comment: r.get(16)?,
        answered_at: r.get(17)?,
        changed_at: r.get(18)?,
        revision: r.get(19)?,
        follow_up: r.get(20)?,
        follow_up_request_id: r.get::<_, Option<i64>>(21)?.map(|v| v as u64),
        noted_revision: r.get(22)?,
        created_at: r.get(23)?,
    })
}

pub fn get(
    conn: &Connection,
    store_id: &StoreId,
    id: SurveyId,
) -> Result<Option<SurveyRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM surveys WHERE id = ?1 AND store_id = ?2"
        ))?
        .query_row((id, store_id), row)
        .optional()?)
}

/// Whether the survey following (`source`, `order`, `subject`) was decided already.
pub fn decided(
    conn: &Connection,
    store_id: &StoreId,
    source: Source,
    order_id: OrderId,
    subject: u64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM surveys
             WHERE store_id = ?1 AND source = ?2 AND order_id = ?3 AND subject = ?4
               AND state != 'planned'",
        )?
        .query_row((store_id, source, order_id, subject as i64), |_| Ok(()))
        .optional()?
        .is_some())
}

/// When `recipient` was last asked a survey at or after `since`, if they were.
pub fn asked_since(
    conn: &Connection,
    store_id: &StoreId,
    recipient: &str,
    since: &Stamp,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(created_at) FROM surveys
             WHERE store_id = ?1 AND recipient = ?2 AND state = 'asked' AND created_at >= ?3",
        )?
        .query_row((store_id, recipient, since), |r| r.get(0))?)
}

pub struct NewSurvey<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub source: Source,
    pub subject: u64,
    pub recipient: &'a str,
    pub first_name: &'a str,
    pub state: State,
    pub reason: &'a str,
    pub anchor_at: &'a str,
    pub now: &'a Stamp,
}

/// Records a decision (or a plan, over which the decision is written later); `None` when
/// this survey was decided before.
pub fn insert(conn: &Connection, new: &NewSurvey<'_>) -> Result<Option<SurveyId>, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO surveys (store_id, order_id, kind, source, subject, recipient, first_name,
                state, reason, anchor_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT (store_id, source, order_id, subject) DO UPDATE SET
                recipient = excluded.recipient, first_name = excluded.first_name,
                state = excluded.state, reason = excluded.reason, anchor_at = excluded.anchor_at,
                created_at = excluded.created_at, updated_at = excluded.updated_at
             WHERE surveys.state = 'planned'
             RETURNING id",
        )?
        .query_row(
            rusqlite::params![
                new.store_id,
                new.order_id,
                new.source.kind(),
                new.source,
                new.subject as i64,
                new.recipient,
                new.first_name,
                new.state,
                new.reason,
                new.anchor_at,
                new.now,
            ],
            |r| r.get(0),
        )
        .optional()?)
}

/// The planned survey following (`source`, `order`, `subject`), if one waits.
pub fn planned(
    conn: &Connection,
    store_id: &StoreId,
    source: Source,
    order_id: OrderId,
    subject: u64,
) -> Result<Option<SurveyRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM surveys
             WHERE store_id = ?1 AND source = ?2 AND order_id = ?3 AND subject = ?4
               AND state = 'planned'"
        ))?
        .query_row((store_id, source, order_id, subject as i64), row)
        .optional()?)
}

/// Drops a plan (a reopened request); decided surveys stay.
pub fn unplan(
    conn: &Connection,
    store_id: &StoreId,
    source: Source,
    order_id: OrderId,
    subject: u64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM surveys
             WHERE store_id = ?1 AND source = ?2 AND order_id = ?3 AND subject = ?4
               AND state = 'planned'",
        )?
        .execute((store_id, source, order_id, subject as i64))?
        == 1)
}

/// Gives an asked survey its link (the token names the row id, so it comes after the insert).
pub fn set_link(
    conn: &Connection,
    id: SurveyId,
    token: &str,
    expires_at: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE surveys SET token = ?2, expires_at = ?3 WHERE id = ?1")?
        .execute((id, token, expires_at))?;
    Ok(())
}

/// The language the survey's message was written in: the page speaks it too.
pub fn set_locale(conn: &Connection, id: SurveyId, locale: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE surveys SET locale = ?2 WHERE id = ?1")?
        .execute((id, locale))?;
    Ok(())
}

pub struct Answer<'a> {
    pub score: i64,
    pub topic: Option<Topic>,
    pub comment: Option<&'a str>,
    /// Whether this answer calls for a follow-up (kept once support took it on).
    pub follow_up: bool,
    pub now: &'a Stamp,
}

/// Records an answer (the first or a change); answers the new revision.
pub fn answer(conn: &Connection, id: SurveyId, a: &Answer<'_>) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE surveys SET score = ?2, topic = ?3, comment = ?4,
                answered_at = coalesce(answered_at, ?5), changed_at = ?5,
                revision = revision + 1,
                follow_up = CASE WHEN follow_up_request_id IS NULL THEN ?6 ELSE follow_up END,
                updated_at = ?5
             WHERE id = ?1 RETURNING revision",
        )?
        .query_row(
            rusqlite::params![id, a.score, a.topic, a.comment, a.now, a.follow_up],
            |r| r.get(0),
        )?)
}

/// The answer up to `revision` is on the WooCommerce order.
pub fn noted(conn: &Connection, id: SurveyId, revision: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE surveys SET noted_revision = max(noted_revision, ?2) WHERE id = ?1",
    )?
    .execute((id, revision))?;
    Ok(())
}

/// Answered surveys of `store`, newest answer first, optionally of one kind and with the
/// first answer in [`from`, `to`); with the total.
pub fn answered(
    conn: &Connection,
    store_id: &StoreId,
    kind: Option<Kind>,
    from: Option<&Stamp>,
    to: Option<&Stamp>,
    limit: u32,
    offset: u64,
) -> Result<(Vec<SurveyRow>, u64), StoreError> {
    let filter = "store_id = ?1 AND answered_at IS NOT NULL
        AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR answered_at >= ?3)
        AND (?4 IS NULL OR answered_at < ?4)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM surveys WHERE {filter}"))?
        .query_row((store_id, kind, from, to), |r| r.get(0))?;
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM surveys WHERE {filter}
             ORDER BY answered_at DESC, id DESC LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            rusqlite::params![store_id, kind, from, to, limit, offset as i64],
            row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total as u64))
}

/// Unhappy answers (flagged for follow-up) given or changed at or after `since`: the staff
/// digest lists them.
pub fn unhappy_since(
    conn: &Connection,
    store_id: &StoreId,
    since: &Stamp,
) -> Result<Vec<SurveyRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM surveys
             WHERE store_id = ?1 AND follow_up = 1 AND changed_at >= ?2 ORDER BY changed_at"
        ))?
        .query_map((store_id, since), row)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Flagged answers no support request was opened for yet, oldest first.
pub fn open_follow_ups(
    conn: &Connection,
    store_id: &StoreId,
) -> Result<Vec<SurveyRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM surveys
             WHERE store_id = ?1 AND follow_up = 1 AND follow_up_request_id IS NULL
             ORDER BY changed_at"
        ))?
        .query_map([store_id], row)?
        .collect::<Result<Vec<_>, _>>()?)
}

/// Links the support request opened for a flagged answer; false when the survey is not
/// flagged or already has one.
pub fn follow_up_opened(
    conn: &Connection,
    store_id: &StoreId,
    id: SurveyId,
    request_id: u64,
    now: &Stamp,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE surveys SET follow_up_request_id = ?3, updated_at = ?4
             WHERE id = ?1 AND store_id = ?2 AND follow_up = 1 AND follow_up_request_id IS NULL",
        )?
        .execute((id, store_id, request_id as i64, now))?
        == 1)
}
