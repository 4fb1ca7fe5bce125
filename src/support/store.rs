//! Support requests, their threads, photos and history (its SQL).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::model::{Author, Status, Topic};
use crate::ids::{OrderId, RequestId, StoreId, SurveyId};
use crate::store::StoreError;
use crate::time::Stamp;

/// A request as stored, with its thread, photos and history.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub id: RequestId,
    pub store_id: StoreId,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer_id: u64,
    pub topic: Topic,
    pub line_item_id: Option<u64>,
    pub product_id: Option<u64>,
    pub item_name: Option<String>,
    pub status: Status,
    pub assignee: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The unhappy survey answer this request was opened for, if aftercare opened it.
    pub follow_up_survey: Option<SurveyId>,
    pub messages: Vec<MessageRecord>,
    pub photos: Vec<PhotoRecord>,
    pub events: Vec<EventRecord>,
}

impl RequestRecord {
    /// Whether the customer sees the request: one aftercare opened for an unhappy survey
    /// answer holds only a staff note until staff write to the customer.
    pub fn shown_to_customer(&self) -> bool {
        self.messages.iter().any(|m| m.author.is_public())
    }
}

#[derive(Debug, Clone)]
pub struct MessageRecord {
    pub id: i64,
    pub author: Author,
    pub name: Option<String>,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct PhotoRecord {
    pub message_id: i64,
    pub position: i64,
    pub content_type: String,
    pub bytes: u64,
    pub sha256: String,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    /// `opened`, `solved`, `reopened` or `assigned`.
    pub kind: String,
    pub to_status: String,
    pub actor: String,
    pub actor_name: Option<String>,
    pub assignee: Option<String>,
    pub at: String,
}

fn status_of(text: String) -> Result<Status, StoreError> {
    Status::parse(&text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown request status {text}")))
}

/// A new request, already checked.
pub struct NewRequest<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub customer_id: u64,
    pub topic: Topic,
    pub line_item_id: Option<u64>,
    pub product_id: Option<u64>,
    pub item_name: Option<&'a str>,
    pub now: &'a Stamp,
}

pub fn insert(conn: &Connection, new: &NewRequest<'_>) -> Result<RequestId, StoreError> {
    conn.prepare_cached(
        "INSERT INTO support_requests (store_id, order_id, customer_id, topic, line_item_id,
                                       product_id, item_name, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?8)",
    )?
    .execute(params![
        new.store_id,
        new.order_id,
        new.customer_id as i64,
        new.topic.as_str(),
        new.line_item_id.map(|i| i as i64),
        new.product_id.map(|i| i as i64),
        new.item_name,
        new.now
    ])?;
    Ok(RequestId::new(conn.last_insert_rowid()))
}

/// Flags the request as opened for the unhappy answer to `survey`.
pub fn set_follow_up(conn: &Connection, id: RequestId, survey: SurveyId) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE support_requests SET follow_up_survey = ?2 WHERE id = ?1")?
        .execute(params![id, survey])?;
    Ok(())
}

/// Adds a message to the thread and answers its id.
pub fn add_message(
    conn: &Connection,
    request: RequestId,
    author: Author,
    name: Option<&str>,
    body: &str,
    now: &Stamp,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO support_messages (request_id, author, name, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![request, author.as_str(), name, body, now])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE support_requests SET updated_at = ?2 WHERE id = ?1")?
        .execute(params![request, now])?;
    Ok(id)
}

pub fn add_photo(conn: &Connection, request: RequestId, p: &PhotoRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO support_photos (request_id, message_id, position, content_type, bytes,
                                     sha256, path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        request,
        p.message_id,
        p.position,
        p.content_type,
        p.bytes as i64,
        p.sha256,
        p.path
    ])?;
    Ok(())
}

/// A change of the request's status or assignee, recorded in its history.
pub struct Change<'a> {
    pub request: RequestId,
    pub kind: &'a str,
    pub to: Status,
    pub actor: &'a str,
    pub actor_name: Option<&'a str>,
    /// For `assigned`: the new assignee.
    pub assignee: Option<&'a str>,
    pub now: &'a Stamp,
}

/// Applies `change` (status, and the assignee for `assigned`) and records it.
pub fn record_change(conn: &Connection, change: &Change<'_>) -> Result<(), StoreError> {
    if change.kind == "assigned" {
        conn.prepare_cached(
            "UPDATE support_requests SET assignee = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![change.request, change.assignee, change.now])?;
    } else {
        conn.prepare_cached(
            "UPDATE support_requests SET status = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(params![change.request, change.to.as_str(), change.now])?;
    }
    conn.prepare_cached(
        "INSERT INTO support_events (request_id, kind, to_status, actor, actor_name, assignee, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        change.request,
        change.kind,
        change.to.as_str(),
        change.actor,
        change.actor_name,
        change.assignee,
        change.now
    ])?;
    Ok(())
}

const COLUMNS: &str = "r.id, r.store_id, r.order_id, COALESCE(o.number, ''), r.customer_id,
    r.topic, r.line_item_id, r.product_id, r.item_name, r.status, r.assignee, r.created_at,
    r.updated_at, r.follow_up_survey";

const FROM: &str = "support_requests r
    LEFT JOIN orders o ON o.store_id = r.store_id AND o.order_id = r.order_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(RequestRecord, String, String)> {
    Ok((
        RequestRecord {
            id: r.get(0)?,
            store_id: r.get(1)?,
            order_id: r.get(2)?,
            order_number: r.get(3)?,
            customer_id: r.get::<_, i64>(4)? as u64,
            // Read and checked below.
            topic: Topic::SomethingElse,
            line_item_id: r.get::<_, Option<i64>>(6)?.map(|i| i as u64),
            product_id: r.get::<_, Option<i64>>(7)?.map(|i| i as u64),
            item_name: r.get(8)?,
            status: Status::Open,
            assignee: r.get(10)?,
            created_at: r.get(11)?,
            updated_at: r.get(12)?,
            follow_up_survey: r.get(13)?,
            messages: Vec::new(),
            photos: Vec::new(),
            events: Vec::new(),
        },
        r.get(5)?,
        r.get(9)?,
    ))
}

/// Requests matching `filter` (a `WHERE` over `r`) with `args`, complete with their threads.
fn select(
    conn: &Connection,
    filter: &str,
    args: Vec<Value>,
    tail: &str,
) -> Result<Vec<RequestRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {filter} {tail}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(args), row)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut records = Vec::with_capacity(rows.len());
    for (mut record, topic, status) in rows {
        record.topic = Topic::parse(&topic)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown request topic {topic}")))?;
        record.status = status_of(status)?;
        fill(conn, &mut record)?;
        records.push(record);
    }
    Ok(records)
}

fn fill(conn: &Connection, record: &mut RequestRecord) -> Result<(), StoreError> {
    let mut messages = conn.prepare_cached(
        "SELECT id, author, name, body, created_at FROM support_messages
         WHERE request_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = messages
        .query_map([record.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    record.messages = rows
        .into_iter()
        .map(|(id, author, name, body, created_at)| {
            let author = Author::parse(&author)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown message author {author}")))?;
            Ok(MessageRecord {
                id,
                author,
                name,
                body,
                created_at,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    record.photos = conn
        .prepare_cached(
            "SELECT message_id, position, content_type, bytes, sha256, path FROM support_photos
             WHERE request_id = ?1 ORDER BY position",
        )?
        .query_map([record.id], |r| {
            Ok(PhotoRecord {
                message_id: r.get(0)?,
                position: r.get(1)?,
                content_type: r.get(2)?,
                bytes: r.get::<_, i64>(3)? as u64,
                sha256: r.get(4)?,
                path: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    record.events = conn
        .prepare_cached(
            "SELECT kind, to_status, actor, actor_name, assignee, at FROM support_events
             WHERE request_id = ?1 ORDER BY at, id",
        )?
        .query_map([record.id], |r| {
            Ok(EventRecord {
                kind: r.get(0)?,
                to_status: r.get(1)?,
                actor: r.get(2)?,
                actor_name: r.get(3)?,
                assignee: r.get(4)?,
                at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

pub fn get(
    conn: &Connection,
    store_id: &StoreId,
    id: RequestId,
) -> Result<Option<RequestRecord>, StoreError> {
    Ok(select(
        conn,
        "r.store_id = ?1 AND r.id = ?2",
        vec![text(store_id), Value::Integer(id.get())],
        "",
    )?
    .pop())
}

/// The order's requests, newest first.
pub fn for_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Vec<RequestRecord>, StoreError> {
    select(
        conn,
        "r.store_id = ?1 AND r.order_id = ?2",
        vec![text(store_id), Value::Integer(order_id.get() as i64)],
        "ORDER BY r.id DESC",
    )
}

/// A registered customer's requests across their visible orders (not trashed), newest
/// first.
pub fn for_customer(
    conn: &Connection,
    store_id: &StoreId,
    customer_id: u64,
) -> Result<Vec<RequestRecord>, StoreError> {
    select(
        conn,
        "r.store_id = ?1 AND r.customer_id = ?2 AND o.is_draft = 0 AND o.trashed_at IS NULL",
        vec![text(store_id), Value::Integer(customer_id as i64)],
        "ORDER BY r.id DESC",
    )
}

/// What staff filter the inbox by; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub topic: Option<Topic>,
    /// `Some(None)`: requests assigned to nobody.
    pub assignee: Option<Option<String>>,
    /// Opened before this time (older than an age).
    pub opened_before: Option<Stamp>,
    /// Opened at or after this time (younger than an age).
    pub opened_after: Option<Stamp>,
}

/// A page of the store's requests matching `filter`, newest first, and how many match.
pub fn list(
    conn: &Connection,
    store_id: &StoreId,
    filter: &Filter,
    limit: u32,
    offset: u64,
) -> Result<(Vec<RequestRecord>, u64), StoreError> {
    let mut clauses = vec!["r.store_id = ?".to_owned()];
    let mut args = vec![text(store_id)];
    if let Some(status) = filter.status {
        clauses.push("r.status = ?".into());
        args.push(text(status.as_str()));
    }
    if let Some(topic) = filter.topic {
        clauses.push("r.topic = ?".into());
        args.push(text(topic.as_str()));
    }
    match &filter.assignee {
        Some(Some(who)) => {
            clauses.push("r.assignee = ?".into());
            args.push(text(who));
        }
        Some(None) => clauses.push("r.assignee IS NULL".into()),
        None => {}
    }
    if let Some(before) = &filter.opened_before {
        clauses.push("r.created_at < ?".into());
        args.push(text(before));
    }
    if let Some(after) = &filter.opened_after {
        clauses.push("r.created_at >= ?".into());
        args.push(text(after));
    }
    let filter = clauses.join(" AND ");
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM support_requests r WHERE {filter}"
        ))?
        .query_row(params_from_iter(args.clone()), |r| r.get(0))?;
    let records = select(
        conn,
        &filter,
        args,
        &format!("ORDER BY r.id DESC LIMIT {limit} OFFSET {offset}"),
    )?;
    Ok((records, total as u64))
}

/// A public staff reply with its request, for the message that carries it.
pub fn reply(
    conn: &Connection,
    store_id: &StoreId,
    message_id: i64,
) -> Result<Option<(RequestRecord, MessageRecord)>, StoreError> {
    let request: Option<RequestId> = conn
        .prepare_cached(
            "SELECT m.request_id FROM support_messages m
             JOIN support_requests r ON r.id = m.request_id
             WHERE m.id = ?1 AND r.store_id = ?2",
        )?
        .query_row(params![message_id, store_id], |r| r.get(0))
        .optional()?;
    let Some(request) = request else {
        return Ok(None);
    };
    let Some(record) = get(conn, store_id, request)? else {
        return Ok(None);
    };
    let message = record.messages.iter().find(|m| m.id == message_id).cloned();
    Ok(message.map(|m| (record, m)))
}

/// The moments the metrics are taken from, for every request of the store opened before
/// `until`.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub id: RequestId,
    pub topic: Topic,
    pub product_id: Option<u64>,
    pub item_name: Option<String>,
    pub first_customer_message: String,
    pub first_response: Option<String>,
    /// The last solve, when the request is solved now.
    pub last_solve: Option<String>,
}

/// A request's topic and item and the moments its metrics are taken from.
const TIMELINE: &str = "SELECT r.id, r.topic, r.product_id, r.item_name,
        (SELECT MIN(m.created_at) FROM support_messages m
          WHERE m.request_id = r.id AND m.author = 'customer'),
        (SELECT MIN(m.created_at) FROM support_messages m
          WHERE m.request_id = r.id AND m.author = 'staff'),
        CASE WHEN r.status = 'solved' THEN
          (SELECT MAX(e.at) FROM support_events e
            WHERE e.request_id = r.id AND e.kind = 'solved') END
     FROM support_requests r";

type TimelineColumns = (
    RequestId,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn timeline_columns(r: &Row<'_>) -> rusqlite::Result<TimelineColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn timeline_row(columns: TimelineColumns) -> Result<Option<TimelineRow>, StoreError> {
    let (id, topic, product_id, item_name, first, response, solve) = columns;
    let topic = Topic::parse(&topic)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown request topic {topic}")))?;
    // A request the customer opened starts with their message; one aftercare opened
    // for an unhappy survey answer starts counting when the customer first writes in it.
    let Some(first) = first else { return Ok(None) };
    Ok(Some(TimelineRow {
        id,
        topic,
        product_id: product_id.map(|p| p as u64),
        item_name,
        first_customer_message: first,
        first_response: response,
        last_solve: solve,
    }))
}

pub fn timelines(
    conn: &Connection,
    store_id: &StoreId,
    until: &Stamp,
) -> Result<Vec<TimelineRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{TIMELINE} WHERE r.store_id = ?1 AND r.created_at < ?2"
    ))?;
    let rows = stmt
        .query_map(params![store_id, until], timeline_columns)?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for columns in rows {
        out.extend(timeline_row(columns)?);
    }
    Ok(out)
}

/// One request's timeline; `None` when it is gone or the customer has not written in it.
pub fn timeline(conn: &Connection, id: RequestId) -> Result<Option<TimelineRow>, StoreError> {
    let columns = conn
        .prepare_cached(&format!("{TIMELINE} WHERE r.id = ?1"))?
        .query_row([id], timeline_columns)
        .optional()?;
    match columns {
        Some(columns) => timeline_row(columns),
        None => Ok(None),
    }
}
