//! Ingest: one verified delivery (or REST fetch) into the mirror, in one transaction
//! with its delivery-log row. Shared by webhooks and, later, backfill/reconciliation.

pub mod deliveries;

use jiff::Timestamp;
use serde::Serialize;

use std::sync::Arc;

use crate::ids::{OrderId, StoreId};
use crate::invoice;
use crate::invoice::settings::InvoiceSettings;
use crate::orders::store::{self as orders, Applied, Source};
use crate::store::{StoreError, Writer};
use crate::time;
use crate::tracking;
use crate::woo::Order;
use deliveries::DeliveryRecord;

/// What became of a delivery, as the webhook response reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Accepted,
    Duplicate,
    Stale,
    Ignored,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Duplicate => "duplicate",
            Outcome::Stale => "stale",
            Outcome::Ignored => "ignored",
        }
    }
}

#[derive(Debug)]
pub enum Payload {
    /// A full order: `order.created`, `order.updated` or `order.restored` (see
    /// [`Payload::order`]).
    Order {
        order: Box<Order>,
        raw: String,
        source: Source,
        tracking: tracking::derive::Derivable,
    },
    /// `order.deleted`: `{"id": N}`.
    Deleted { id: OrderId },
    /// WooCommerce sent a REST error object where the order should be.
    Error { code: String },
    /// A topic aftercare does not mirror.
    OtherTopic,
}

impl Payload {
    /// A full order, with what tracking derives from it that needs no database worked out
    /// now, by the caller, rather than by the writer.
    pub fn order(order: Order, raw: String, source: Source) -> Payload {
        let tracking = tracking::derive::Derivable::of(&order);
        Payload::Order {
            order: Box::new(order),
            raw,
            source,
            tracking,
        }
    }
}

#[derive(Debug)]
pub struct Incoming {
    pub store_id: StoreId,
    pub topic: String,
    pub webhook_id: Option<i64>,
    pub body_sha256: [u8; 32],
    pub received_at: Timestamp,
    pub payload: Payload,
}

/// The result of ingesting, with the delivery-log outcome (finer than [`Outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    pub outcome: Outcome,
    pub logged_as: &'static str,
    pub order_id: Option<OrderId>,
}

/// Applies a delivery and enqueues the documents it makes due, in one transaction
/// (`feed`: whether a tracking feed follows the store's parcels).
pub async fn ingest(
    writer: &Writer,
    incoming: Incoming,
    invoices: Arc<InvoiceSettings>,
    feed: tracking::ParcelFeed,
) -> Result<Ingested, StoreError> {
    let (ingested, incoming) = writer
        .acknowledge(move |conn| Ok((apply(conn, &incoming, &invoices, feed)?, incoming)))
        .await?;
    // Freeing a parsed order is no work for the writer, which everyone waits on.
    drop(incoming);
    Ok(ingested)
}

fn apply(
    conn: &rusqlite::Connection,
    incoming: &Incoming,
    invoices: &InvoiceSettings,
    feed: tracking::ParcelFeed,
) -> Result<Ingested, StoreError> {
    let now = time::millis(incoming.received_at);
    let store = &incoming.store_id;
    let (outcome, logged_as, order_id, error_code) = match &incoming.payload {
        Payload::Order {
            order,
            raw,
            source,
            tracking: derivable,
        } => {
            let applied = orders::apply(
                conn,
                store,
                order,
                raw,
                &incoming.body_sha256,
                *source,
                &now,
            )?;
            if matches!(applied, Applied::Inserted | Applied::Updated) {
                invoice::order_mirrored(conn, store, order, invoices, &now)?;
                let first = applied == Applied::Inserted;
                tracking::derive::order_mirrored(conn, store, order, derivable, first, feed, &now)?;
                if *source == Source::Restore {
                    tracking::derive::reevaluate(conn, store, order.id, &now)?;
                }
            }
            let (outcome, logged) = match applied {
                Applied::Inserted | Applied::Updated => (Outcome::Accepted, "accepted"),
                Applied::Duplicate => (Outcome::Duplicate, "duplicate"),
                Applied::Stale => (Outcome::Stale, "stale"),
            };
            (outcome, logged, Some(order.id), None)
        }
        Payload::Deleted { id } => {
            if orders::trash(conn, store, *id, &now)? {
                tracking::derive::reevaluate(conn, store, *id, &now)?;
                (Outcome::Accepted, "trashed", Some(*id), None)
            } else {
                (Outcome::Ignored, "unknown_order", Some(*id), None)
            }
        }
        Payload::Error { code } => (Outcome::Ignored, "error_payload", None, Some(code.as_str())),
        Payload::OtherTopic => (Outcome::Ignored, "ignored_topic", None, None),
    };
    deliveries::record(
        conn,
        &DeliveryRecord {
            received_at: &now,
            store_id: store,
            webhook_id: incoming.webhook_id,
            topic: &incoming.topic,
            order_id,
            body_sha256: &incoming.body_sha256,
            outcome: logged_as,
            error_code,
        },
    )?;
    Ok(Ingested {
        outcome,
        logged_as,
        order_id,
    })
}
