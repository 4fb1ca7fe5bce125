//! A page of orders from the REST API into the mirror, through the webhooks' ingest path.
//!
//! Before writing, each order is compared with the mirror: an order the mirror holds in a
//! newer version is stale, one whose content is the same (ignoring `_links`) is a
//! duplicate, and neither is written or logged. Everything else (missing, older, or the
//! same `date_modified` with different content, as meta-only saves under the legacy post
//! storage leave it) goes through [`ingest::ingest`], which applies the same rules again
//! inside the write transaction, so a webhook arriving meanwhile still wins.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use super::SyncServices;
use crate::ids::{OrderId, StoreId};
use crate::ingest::{self, Incoming, Outcome, Payload};
use crate::orders::store::{self as orders, Snapshot, Source};
use crate::store::StoreError;
use crate::time;
use crate::tracking::ParcelFeed;
use crate::woo::FetchedOrder;
use crate::woo::client::describe_json_error;

/// What became of the orders of one or more pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub fetched: u64,
    /// Written to the mirror: the mirror lacked the order or held an older version.
    pub accepted: u64,
    /// The mirror already held this version.
    pub duplicate: u64,
    /// The mirror holds a newer version (a webhook got there first).
    pub stale: u64,
    /// Not readable as an order; logged by id and skipped.
    pub invalid: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.fetched += other.fetched;
        self.accepted += other.accepted;
        self.duplicate += other.duplicate;
        self.stale += other.stale;
        self.invalid += other.invalid;
    }
}

/// Which walk the page comes from: names the delivery-log topic and the metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Backfill,
    Reconcile,
    /// The daily sweep; `trash` when walking `status=trash`.
    Sweep {
        trash: bool,
    },
}

impl Origin {
    pub fn topic(self) -> &'static str {
        match self {
            Origin::Backfill => super::TOPIC_BACKFILL,
            Origin::Reconcile => super::TOPIC_RECONCILE,
            Origin::Sweep { .. } => super::TOPIC_SWEEP,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Origin::Backfill => "backfill",
            Origin::Reconcile => "reconcile",
            Origin::Sweep { .. } => "sweep",
        }
    }
}

enum Verdict {
    Ingest,
    Duplicate,
    Stale,
}

/// Compares a page with the mirror and ingests what differs.
pub async fn apply_page(
    services: &SyncServices,
    store_id: &StoreId,
    origin: Origin,
    page: Vec<Value>,
) -> Result<Tally, StoreError> {
    let mut tally = Tally {
        fetched: page.len() as u64,
        ..Tally::default()
    };
    let mut fetched = Vec::with_capacity(page.len());
    for value in page {
        let id = value.get("id").and_then(Value::as_u64);
        match FetchedOrder::from_value(value) {
            Ok(order) => fetched.push(order),
            Err(e) => {
                tally.invalid += 1;
                tracing::warn!(
                    store = %store_id,
                    order_id = id,
                    error = %describe_json_error(&e),
                    "skipping an order the REST API returned in a shape aftercare cannot read"
                );
            }
        }
    }

    let ids: Vec<OrderId> = fetched.iter().map(|f| f.order.id).collect();
    let store = store_id.to_owned();
    let mirror: HashMap<OrderId, Snapshot> = services
        .db()
        .read(move |conn| orders::snapshots(conn, &store, &ids))
        .await?;

    let mut writes = JoinSet::new();
    for order in fetched {
        match verdict(&order, mirror.get(&order.order.id), origin) {
            Verdict::Duplicate => tally.duplicate += 1,
            Verdict::Stale => tally.stale += 1,
            Verdict::Ingest => {
                let incoming = Incoming {
                    store_id: store_id.to_owned(),
                    topic: origin.topic().to_owned(),
                    webhook_id: None,
                    body_sha256: Sha256::digest(order.raw.as_bytes()).into(),
                    received_at: Timestamp::now(),
                    payload: Payload::order(order.order, order.raw, Source::Update),
                };
                let writer = services.db().writer().clone();
                let invoices = services.config().invoices.clone();
                let feed = services
                    .config()
                    .store(store_id)
                    .map_or(ParcelFeed::Unfollowed, |s| s.parcel_feed);
                // Concurrent writes share the writer's group commit.
                writes
                    .spawn(async move { ingest::ingest(&writer, incoming, invoices, feed).await });
            }
        }
    }
    let mut failure = None;
    while let Some(joined) = writes.join_next().await {
        match joined.map_err(|_| StoreError::Panicked).and_then(|r| r) {
            Ok(ingested) => {
                match ingested.outcome {
                    Outcome::Accepted => tally.accepted += 1,
                    Outcome::Duplicate => tally.duplicate += 1,
                    Outcome::Stale => tally.stale += 1,
                    Outcome::Ignored => {}
                }
                if origin != Origin::Backfill && ingested.outcome == Outcome::Accepted {
                    tracing::info!(
                        store = %store_id,
                        walk = origin.label(),
                        order_id = ingested.order_id.map(OrderId::get),
                        "repaired an order the webhooks had missed"
                    );
                } else {
                    tracing::debug!(
                        store = %store_id,
                        walk = origin.label(),
                        order_id = ingested.order_id.map(OrderId::get),
                        outcome = ingested.logged_as,
                        "REST order"
                    );
                }
            }
            Err(e) => failure = Some(e),
        }
    }
    let metrics = services.metrics();
    metrics.rest_orders(store_id, origin.label(), "accepted", tally.accepted);
    metrics.rest_orders(store_id, origin.label(), "duplicate", tally.duplicate);
    metrics.rest_orders(store_id, origin.label(), "stale", tally.stale);
    metrics.rest_orders(store_id, origin.label(), "invalid", tally.invalid);
    match failure {
        Some(e) => Err(e),
        None => Ok(tally),
    }
}

fn verdict(fetched: &FetchedOrder, mirror: Option<&Snapshot>, origin: Origin) -> Verdict {
    let Some(mirror) = mirror else {
        return Verdict::Ingest;
    };
    let Some(mirrored_at) = time::parse(&mirror.date_modified) else {
        return Verdict::Ingest;
    };
    if fetched.order.date_modified_gmt.0 < mirrored_at {
        return Verdict::Stale;
    }
    // The trash walk only has to tell the mirror about trashing it missed.
    if origin == (Origin::Sweep { trash: true }) && mirror.trashed {
        return Verdict::Duplicate;
    }
    if fetched.order.date_modified_gmt.0 == mirrored_at && same_content(&fetched.value, &mirror.raw)
    {
        return Verdict::Duplicate;
    }
    Verdict::Ingest
}

/// Whether two order bodies say the same, whatever their byte form (webhook bodies escape
/// `/` and non-ASCII, REST pages come re-encoded) and their `_links`.
fn same_content(fetched: &Value, mirrored_raw: &str) -> bool {
    let Ok(mut mirrored) = serde_json::from_str::<Value>(mirrored_raw) else {
        return false;
    };
    let mut fetched = fetched.clone();
    for body in [&mut mirrored, &mut fetched] {
        if let Some(object) = body.as_object_mut() {
            object.remove("_links");
        }
    }
    mirrored == fetched
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(modified: &str, status: &str) -> FetchedOrder {
        FetchedOrder::from_value(json!({
            "id": 7, "status": status, "currency": "EUR", "customer_id": 0, "total": "1.00",
            "date_created_gmt": "2026-11-01T10:00:00", "date_modified_gmt": modified,
            "meta_data": [], "_links": {"self": [{"href": "https://shop.example/wp-json/wc/v3/orders/7"}]}
        }))
        .unwrap()
    }

    fn snapshot(body: &FetchedOrder, trashed: bool) -> Snapshot {
        Snapshot {
            date_modified: time::seconds(body.order.date_modified_gmt.0),
            raw: body.raw.clone(),
            trashed,
        }
    }

    #[test]
    fn verdicts_follow_the_mirror_rules() {
        let current = order("2026-11-02T10:00:00", "processing");
        let older = order("2026-11-02T09:00:00", "processing");
        let reconcile = Origin::Reconcile;
        assert!(matches!(
            verdict(&current, None, reconcile),
            Verdict::Ingest
        ));
        assert!(matches!(
            verdict(&older, Some(&snapshot(&current, false)), reconcile),
            Verdict::Stale
        ));
        assert!(matches!(
            verdict(&current, Some(&snapshot(&older, false)), reconcile),
            Verdict::Ingest
        ));
        assert!(matches!(
            verdict(&current, Some(&snapshot(&current, false)), reconcile),
            Verdict::Duplicate
        ));

        // The same date with other content: a meta-only save under the legacy storage.
        let mut tracked = current.value.clone();
        tracked["meta_data"] =
            json!([{"id": 1, "key": "_wc_shipment_tracking_items", "value": []}]);
        let tracked = FetchedOrder::from_value(tracked).unwrap();
        assert!(matches!(
            verdict(&tracked, Some(&snapshot(&current, false)), reconcile),
            Verdict::Ingest
        ));

        let trashed = order("2026-11-03T10:00:00", "trash");
        let sweep_trash = Origin::Sweep { trash: true };
        assert!(matches!(
            verdict(&trashed, Some(&snapshot(&current, true)), sweep_trash),
            Verdict::Duplicate
        ));
        assert!(matches!(
            verdict(&trashed, Some(&snapshot(&current, false)), sweep_trash),
            Verdict::Ingest
        ));
    }

    #[test]
    fn content_ignores_encoding_and_links() {
        let webhook_body =
            r#"{"id":7,"name":"Caf\u00e9 \/ bar","_links":{"self":[{"href":"https:\/\/a"}]}}"#;
        let rest =
            json!({"id": 7, "name": "Café / bar", "_links": {"self": [{"href": "https://b"}]}});
        assert!(same_content(&rest, webhook_body));
        let changed = json!({"id": 7, "name": "Café / baz"});
        assert!(!same_content(&changed, webhook_body));
        assert!(!same_content(&rest, "not json"));
    }
}
