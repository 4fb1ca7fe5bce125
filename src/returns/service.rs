//! Making and moving returns. Each function runs inside one writer transaction, so the
//! eligibility it checks is the eligibility it records against: two requests racing for
//! the last returnable unit are serialised, and exactly one wins.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::Connection;

use super::eligibility::{self, Facts, Policy};
use super::error::ReturnError;
use super::model::{Actor, Status};
use super::money;
use super::photos::{self, Staged};
use super::request::{self, Checked, ReturnRequest};
use super::store::{self, ItemRecord, NewReturn, PhotoRecord, ReturnRecord};
use crate::ids::CustomerId;
use crate::ids::{OrderId, ReturnId, StoreId};
use crate::jobs::{self, JobKind};
use crate::orders::store as orders;
use crate::store::{Db, StoreError};
use crate::time;
use crate::validation::FieldError;
use crate::woo::Order;

/// Who the order must belong to for the caller to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A registered customer.
    Customer(CustomerId),
    /// Whoever proved the order key and billing email; checked by the caller.
    Guest,
    /// Staff act on any order of the store.
    Staff,
}

/// The mirrored order if it is visible to `owner`.
fn visible_order(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    owner: Owner,
) -> Result<Option<Order>, StoreError> {
    let Some(found) = orders::find_visible(conn, store_id, order_id)? else {
        return Ok(None);
    };
    if let Owner::Customer(customer) = owner
        && found.customer_id != customer.get()
    {
        return Ok(None);
    }
    Ok(Some(found.order()?))
}

/// Whether `order` counts as paid: `date_paid` set, or one of the paid statuses.
pub fn is_paid(order: &Order, paid_statuses: &[String]) -> bool {
    order.date_paid_gmt.is_some() || paid_statuses.contains(&order.status)
}

/// What aftercare has recorded about an order beyond its WooCommerce record: deliveries,
/// refunded units, units in other returns. `paid` is left false and `in_transit_items` empty:
/// they need the order (see [`facts`]).
pub fn recorded_facts(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Facts, StoreError> {
    let delivered = store::delivery_times(conn, store_id, order_id)?;
    Ok(Facts {
        paid: false,
        delivered_items: delivered.items,
        delivered: delivered.order,
        in_transit_items: Default::default(),
        refunded: store::refunded_quantities(conn, store_id, order_id)?,
        in_returns: store::held_quantities(conn, store_id, order_id)?,
    })
}

/// Everything eligibility needs to know about `order`.
pub fn facts(
    conn: &Connection,
    store_id: &StoreId,
    order: &Order,
    paid_statuses: &[String],
) -> Result<Facts, StoreError> {
    let mut facts = recorded_facts(conn, store_id, order.id)?;
    facts.paid = is_paid(order, paid_statuses);
    let lines: Vec<u64> = order.line_items.iter().map(|l| l.id).collect();
    facts.in_transit_items = store::in_transit_items(conn, store_id, order.id, &lines)?;
    Ok(facts)
}

/// Everything `create` needs besides the connection.
pub struct Creation<'a> {
    pub store_id: &'a StoreId,
    pub order_id: OrderId,
    pub owner: Owner,
    pub request: &'a Checked,
    pub photos: &'a [Staged],
    pub data_dir: &'a Path,
    pub policy: &'a Policy,
    pub paid_statuses: &'a [String],
    pub now: Timestamp,
}

/// Records a return if every item can still be returned in the quantity asked, and moves
/// its photos into place. On refusal nothing changes (the caller discards the photos).
pub fn create(conn: &Connection, c: &Creation<'_>) -> Result<ReturnRecord, ReturnError> {
    let Some(order) = visible_order(conn, c.store_id, c.order_id, c.owner)? else {
        return Err(ReturnError::OrderNotFound);
    };
    let facts = facts(conn, c.store_id, &order, c.paid_statuses)?;
    let assessed = eligibility::assess(&order, &facts, c.policy, c.now);
    let mut problems = Vec::new();
    for (i, item) in c.request.items.iter().enumerate() {
        let Some(e) = assessed
            .iter()
            .find(|e| e.line_item_id == item.line_item_id)
        else {
            problems.push(
                FieldError::new(
                    format!("items[{i}].line_item_id"),
                    "This order has no such item.",
                )
                .because("unknown_item"),
            );
            continue;
        };
        if let Some(refusal) = e.refusal {
            problems.push(
                FieldError::new(format!("items[{i}].line_item_id"), refusal.message())
                    .because(refusal.code()),
            );
        } else if item.quantity > e.returnable_quantity {
            problems.push(
                FieldError::new(
                    format!("items[{i}].quantity"),
                    format!(
                        "Only {} of this item can still be returned.",
                        e.returnable_quantity
                    ),
                )
                .because("too_many"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(ReturnError::Refused(problems));
    }
    let items: Vec<ItemRecord> = c
        .request
        .items
        .iter()
        .map(|i| ItemRecord {
            line_item_id: i.line_item_id,
            name: None,
            quantity: i.quantity,
            reason: i.reason.as_str().to_owned(),
            reason_text: i.reason_text.clone(),
        })
        .collect();
    let now = time::millis(c.now);
    let id = store::create(
        conn,
        &NewReturn {
            store_id: c.store_id,
            order_id: order.id,
            customer_id: order.customer_id,
            resolution: c.request.resolution.as_str(),
            comment: c.request.comment.as_deref(),
            items: &items,
            photos: &[],
            actor: Actor::Customer.as_str(),
            now: &now,
        },
    )?;
    // Photos get their final names from the return's id; recorded, then moved, so a
    // recorded photo always has its file (a failed move rolls the return back).
    for (position, staged) in c.photos.iter().enumerate() {
        let position = position as i64 + 1;
        let path = photos::relative_path(c.store_id, id, position, staged.extension);
        store::add_photo(
            conn,
            id,
            &PhotoRecord {
                position,
                content_type: staged.content_type.to_owned(),
                bytes: staged.bytes,
                sha256: staged.sha256.clone(),
                path: path.clone(),
            },
        )?;
        photos::publish(c.data_dir, staged, &path)
            .map_err(|e| StoreError::Commit(format!("storing photo {path}: {e}")))?;
    }
    let record = store::get(conn, c.store_id, id)?
        .ok_or_else(|| StoreError::Corrupt("a return vanished after it was recorded".into()))?;
    Ok(record)
}

/// Checks a customer's or guest's request, stages its photos, and records the return in
/// one writer transaction. `owner` must already be proven (a guest by key and email).
pub async fn request<B>(
    db: &Db,
    settings: &RequestSettings,
    store_id: &StoreId,
    order_id: OrderId,
    owner: Owner,
    request: &ReturnRequest,
    photos: Vec<B>,
) -> Result<ReturnRecord, ReturnError>
where
    B: AsRef<[u8]> + Send + 'static,
{
    let images: Vec<&[u8]> = photos.iter().map(AsRef::as_ref).collect();
    let checked = request::check(request, &images).map_err(ReturnError::Refused)?;
    let staged = crate::photos::stage_all(settings.data_dir.clone(), photos::DIR, photos).await?;
    let staged = std::sync::Arc::new(staged);
    let (in_txn, settings, store) = (staged.clone(), settings.clone(), store_id.to_owned());
    let created = db
        .writer()
        .write(move |conn| {
            ReturnError::in_transaction(create(
                conn,
                &Creation {
                    store_id: &store,
                    order_id,
                    owner,
                    request: &checked,
                    photos: &in_txn,
                    data_dir: &settings.data_dir,
                    policy: &settings.policy,
                    paid_statuses: &settings.paid_statuses,
                    now: Timestamp::now(),
                },
            ))
        })
        .await;
    // Published photos have moved; what is left in staging belongs to no return.
    photos::discard(&staged);
    created?
}

/// What a return request is checked against, from the service's settings.
#[derive(Debug, Clone)]
pub struct RequestSettings {
    pub data_dir: PathBuf,
    pub policy: Policy,
    pub paid_statuses: Vec<String>,
}

/// A requested change of state.
pub struct Move {
    pub store_id: StoreId,
    pub return_id: ReturnId,
    pub to: Status,
    pub actor: Actor,
    /// The return must be on an order this owner may see.
    pub owner: Owner,
    /// For guests: the order the return must belong to.
    pub order_id: Option<OrderId>,
    pub actor_name: Option<String>,
    pub note: Option<String>,
}

/// Moves a return if the lifecycle allows it. `refunded` and `credited` fix the amount
/// and enqueue the job that carries it out in WooCommerce, in the same transaction.
pub fn transition(
    conn: &Connection,
    m: &Move,
    now: Timestamp,
) -> Result<ReturnRecord, ReturnError> {
    let not_allowed = |from: Status| ReturnError::InvalidTransition {
        from,
        to: m.to,
        allowed: from.next(m.actor),
    };
    let store_id = &m.store_id;
    let Some(record) = store::get(conn, store_id, m.return_id)? else {
        return Err(ReturnError::NotFound);
    };
    if m.order_id.is_some_and(|o| o != record.order_id) {
        return Err(ReturnError::NotFound);
    }
    let Some(order) = visible_order(conn, store_id, record.order_id, m.owner)? else {
        return Err(ReturnError::NotFound);
    };
    let from = Status::parse(&record.status)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown return state {}", record.status)))?;
    if !from.can_move_to(m.to, m.actor) {
        return Err(not_allowed(from));
    }
    let amount = matches!(m.to, Status::Refunded | Status::Credited)
        .then(|| money::plan(&order, &record.units()).shown_amount(&order.currency));
    let now = time::millis(now);
    let moved = store::transition(
        conn,
        &store::Transition {
            return_id: record.id,
            from: from.as_str(),
            to: m.to.as_str(),
            actor: m.actor.as_str(),
            actor_name: m.actor_name.as_deref(),
            note: m.note.as_deref(),
            amount: amount.as_deref(),
            now: &now,
        },
    )?;
    if !moved {
        // Unreachable inside the single writer; kept as a guard.
        return Err(not_allowed(from));
    }
    if amount.is_some() {
        jobs::enqueue(
            conn,
            store_id,
            JobKind::SettleReturn,
            record.order_id,
            record.id.get() as u64,
            &now,
        )?;
    }
    // The customer may hear of the move; notifications decide. A refund is told only once
    // it exists in WooCommerce: the settling job enqueues that message when it succeeds.
    if m.to != Status::Refunded {
        jobs::enqueue(
            conn,
            store_id,
            JobKind::NotifyReturn,
            record.order_id,
            record.id.get() as u64,
            &now,
        )?;
    }
    if matches!(
        m.to,
        Status::Refunded | Status::Exchanged | Status::Credited | Status::Rejected
    ) {
        // A closed return may be asked about (surveys decide when and whether).
        jobs::enqueue(
            conn,
            store_id,
            JobKind::SurveyReturn,
            record.order_id,
            record.id.get() as u64,
            &now,
        )?;
    }
    let record = store::get(conn, store_id, m.return_id)?
        .ok_or_else(|| StoreError::Corrupt("a return vanished while it moved".into()))?;
    Ok(record)
}

/// Moves a return in one writer transaction.
pub async fn apply(db: &Db, m: Move) -> Result<ReturnRecord, ReturnError> {
    db.writer()
        .write(move |conn| ReturnError::in_transaction(transition(conn, &m, Timestamp::now())))
        .await?
}
