//! Opening, answering and moving requests. Each function runs inside one writer
//! transaction: the order check, the thread and the history are written together or not
//! at all, and a public staff reply enqueues the job that tells the customer in the same
//! transaction.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use rusqlite::Connection;

use super::error::SupportError;
use super::model::{Author, Event, Status};
use super::request::{self, Checked, OpenRequest};
use super::store::{self, Change, NewRequest, PhotoRecord, RequestRecord};
use crate::ids::{CustomerId, OrderId, RequestId, StoreId};
use crate::jobs::{self, JobKind};
use crate::orders::store as orders;
use crate::photos::{self, Staged};
use crate::store::{Db, StoreError};
use crate::surveys::triggers as surveys;
use crate::time;
use crate::validation::FieldError;

/// The support requests' folder under the data dir.
pub const DIR: &str = "support";

/// Who the order must belong to for the caller to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A registered customer.
    Customer(CustomerId),
    /// Whoever proved the order key and billing email (checked by the caller) for this
    /// order.
    Guest(OrderId),
    /// Staff act on any request of the store.
    Staff,
}

/// The request `id` if `owner` may see it (on an order that is still visible).
pub fn visible(
    conn: &Connection,
    store_id: &StoreId,
    id: RequestId,
    owner: Owner,
) -> Result<RequestRecord, SupportError> {
    let record = store::get(conn, store_id, id)?.ok_or(SupportError::NotFound)?;
    let mine = match owner {
        Owner::Customer(c) => record.customer_id == c.get() && record.shown_to_customer(),
        Owner::Guest(order) => record.order_id == order && record.shown_to_customer(),
        Owner::Staff => true,
    };
    if !mine || orders::find_visible(conn, store_id, record.order_id)?.is_none() {
        return Err(SupportError::NotFound);
    }
    Ok(record)
}

/// Where a request's photo lives, relative to the data dir.
pub fn photo_path(store_id: &StoreId, id: RequestId, position: i64, extension: &str) -> String {
    format!("{DIR}/{store_id}/{id}/{position}.{extension}")
}

/// Everything [`open`] needs besides the connection.
pub struct Opening<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub owner: Owner,
    pub request: &'a Checked,
    pub photos: &'a [Staged],
    pub data_dir: &'a Path,
    pub now: Timestamp,
}

/// Records a request on the order with the customer's first message and photos.
pub fn open(conn: &Connection, o: &Opening<'_>) -> Result<RequestRecord, SupportError> {
    let Some(found) = orders::find_visible(conn, o.store_id, o.order_id)? else {
        return Err(SupportError::OrderNotFound);
    };
    if let Owner::Customer(c) = o.owner
        && found.customer_id != c.get()
    {
        return Err(SupportError::OrderNotFound);
    }
    let order = found.order()?;
    let item = match o.request.line_item_id {
        None => None,
        Some(id) => Some(
            order
                .line_items
                .iter()
                .find(|l| l.id == id)
                .ok_or_else(|| {
                    SupportError::Refused(vec![
                        FieldError::new("line_item_id", "This order has no such item.")
                            .because("unknown_item"),
                    ])
                })?,
        ),
    };
    let now = time::millis(o.now);
    let id = store::insert(
        conn,
        &NewRequest {
            store_id: o.store_id,
            order_id: o.order_id,
            customer_id: order.customer_id,
            topic: o.request.topic,
            line_item_id: item.map(|l| l.id),
            product_id: item.map(|l| l.product_id).filter(|p| *p != 0),
            item_name: item.map(|l| l.name.as_str()).filter(|n| !n.is_empty()),
            now: &now,
        },
    )?;
    let message = store::add_message(conn, id, Author::Customer, None, &o.request.body, &now)?;
    store::record_change(
        conn,
        &Change {
            request: id,
            kind: "opened",
            to: Status::Open,
            actor: "customer",
            actor_name: None,
            assignee: None,
            now: &now,
        },
    )?;
    // Recorded, then moved, so a recorded photo always has its file (a failed move rolls
    // the request back).
    for (position, staged) in o.photos.iter().enumerate() {
        let position = position as i64 + 1;
        let path = photo_path(o.store_id, id, position, staged.extension);
        store::add_photo(
            conn,
            id,
            &PhotoRecord {
                message_id: message,
                position,
                content_type: staged.content_type.to_owned(),
                bytes: staged.bytes,
                sha256: staged.sha256.clone(),
                path: path.clone(),
            },
        )?;
        photos::publish(o.data_dir, staged, &path)
            .map_err(|e| StoreError::Commit(format!("storing photo {path}: {e}")))?;
    }
    reread(conn, o.store_id, id)
}

fn reread(
    conn: &Connection,
    store_id: &StoreId,
    id: RequestId,
) -> Result<RequestRecord, SupportError> {
    Ok(store::get(conn, store_id, id)?
        .ok_or_else(|| StoreError::Corrupt("a request vanished while it was written".into()))?)
}

/// Checks a customer's or guest's opening, stages its photos and records the request in
/// one writer transaction. `owner` must already be proven (a guest by key and email).
pub async fn request<B>(
    db: &Db,
    data_dir: &Path,
    store_id: &StoreId,
    order_id: OrderId,
    owner: Owner,
    request: &OpenRequest,
    photos: Vec<B>,
) -> Result<RequestRecord, SupportError>
where
    B: AsRef<[u8]> + Send + 'static,
{
    let images: Vec<&[u8]> = photos.iter().map(AsRef::as_ref).collect();
    let checked = request::check(request, &images).map_err(SupportError::Refused)?;
    let data_dir: PathBuf = data_dir.to_owned();
    let staged = Arc::new(photos::stage_all(data_dir.clone(), DIR, photos).await?);
    let (in_txn, store) = (staged.clone(), store_id.to_owned());
    let created = db
        .writer()
        .write(move |conn| {
            SupportError::in_transaction(open(
                conn,
                &Opening {
                    store_id: &store,
                    order_id,
                    owner,
                    request: &checked,
                    photos: &in_txn,
                    data_dir: &data_dir,
                    now: Timestamp::now(),
                },
            ))
        })
        .await;
    // Published photos have moved; what is left in staging belongs to no request.
    photos::discard(&staged);
    created?
}

/// A message added to a request's thread.
#[derive(Debug, Clone)]
pub struct Post {
    pub store_id: StoreId,
    pub request: RequestId,
    pub owner: Owner,
    pub author: Author,
    /// The staff member's name (staff replies and notes).
    pub name: Option<String>,
    /// Already checked ([`request::body`]).
    pub body: String,
}

/// Adds `p` to the thread. A customer's message on a solved request reopens it; a public
/// staff reply enqueues the `support_reply` message.
pub fn post(conn: &Connection, p: &Post, now: Timestamp) -> Result<RequestRecord, SupportError> {
    let record = visible(conn, &p.store_id, p.request, p.owner)?;
    let event = match p.author {
        Author::Customer => Event::CustomerMessage,
        Author::Staff => Event::StaffReply,
        Author::Note => Event::InternalNote,
    };
    let to = record
        .status
        .after(event)
        .ok_or(SupportError::InvalidTransition {
            from: record.status,
            to: record.status,
        })?;
    let now = time::millis(now);
    let message = store::add_message(conn, record.id, p.author, p.name.as_deref(), &p.body, &now)?;
    if to != record.status {
        // A reopened request's satisfaction survey, if still only planned, is dropped.
        surveys::request_reopened(conn, &p.store_id, record.order_id, record.id.get() as u64)?;
        store::record_change(
            conn,
            &Change {
                request: record.id,
                kind: "reopened",
                to,
                actor: "customer",
                actor_name: None,
                assignee: None,
                now: &now,
            },
        )?;
    }
    if p.author == Author::Staff {
        jobs::enqueue(
            conn,
            &p.store_id,
            JobKind::NotifySupport,
            record.order_id,
            message as u64,
            &now,
        )?;
    }
    reread(conn, &p.store_id, record.id)
}

/// Staff move a request to `to` (`solved`, or `open` again).
pub fn transition(
    conn: &Connection,
    store_id: &StoreId,
    id: RequestId,
    to: Status,
    by: Option<&str>,
    now: Timestamp,
) -> Result<RequestRecord, SupportError> {
    let record = visible(conn, store_id, id, Owner::Staff)?;
    let (event, kind) = match to {
        Status::Solved => (Event::Solve, "solved"),
        Status::Open => (Event::Reopen, "reopened"),
    };
    if record.status.after(event) != Some(to) {
        return Err(SupportError::InvalidTransition {
            from: record.status,
            to,
        });
    }
    // Solved: its satisfaction survey is planned; reopened: a plan not yet sent is dropped.
    match to {
        Status::Solved => {
            surveys::request_solved(conn, store_id, record.order_id, id.get() as u64, now)?
        }
        Status::Open => {
            surveys::request_reopened(conn, store_id, record.order_id, id.get() as u64)?;
        }
    }
    let now = time::millis(now);
    store::record_change(
        conn,
        &Change {
            request: id,
            kind,
            to,
            actor: "staff",
            actor_name: by,
            assignee: None,
            now: &now,
        },
    )?;
    reread(conn, store_id, id)
}

/// Staff hand the request to `assignee` (`None`: to nobody).
pub fn assign(
    conn: &Connection,
    store_id: &StoreId,
    id: RequestId,
    assignee: Option<&str>,
    by: Option<&str>,
    now: Timestamp,
) -> Result<RequestRecord, SupportError> {
    let record = visible(conn, store_id, id, Owner::Staff)?;
    let to = record
        .status
        .after(Event::Assign)
        .ok_or(SupportError::InvalidTransition {
            from: record.status,
            to: record.status,
        })?;
    let now = time::millis(now);
    store::record_change(
        conn,
        &Change {
            request: id,
            kind: "assigned",
            to,
            actor: "staff",
            actor_name: by,
            assignee,
            now: &now,
        },
    )?;
    reread(conn, store_id, id)
}

/// Runs `f` in one writer transaction; refusals are answers, storage failures roll back.
pub async fn write<T, F>(db: &Db, f: F) -> Result<T, SupportError>
where
    T: Send + 'static,
    F: FnOnce(&Connection, Timestamp) -> Result<T, SupportError> + Send + 'static,
{
    db.writer()
        .write(move |conn| SupportError::in_transaction(f(conn, Timestamp::now())))
        .await?
}
