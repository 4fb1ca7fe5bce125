//! Anonymising a set of orders and what hangs on them, in the caller's transaction: the
//! one code path behind an erasure request and the retention period.
//!
//! Names, addresses, phones, comments and message bodies become [`MARKER`]; IP addresses
//! and user agents become empty; photos are unlinked from their records (the caller
//! deletes the files once the transaction committed). An e-mail address becomes a
//! pseudonym drawn at random, the same for every record of that address in one run: the
//! unique keys that include the address stay unique, and the store's figures still count
//! one customer's orders as one customer's, without anyone being able to say whose.

use std::collections::HashMap;

use rand::RngExt as _;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::MARKER;
use super::subject::id_list;
use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

/// Why an order was anonymised, as `privacy_erasures.cause` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The customer asked (the store's privacy tools).
    Request,
    /// The order is older than the retention period.
    Retention,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Request => "request",
            Cause::Retention => "retention",
        }
    }
}

/// How many records of each kind were anonymised (or, for photos and unsubscribes,
/// deleted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    pub orders: u64,
    pub returns: u64,
    pub return_photos: u64,
    pub requests: u64,
    pub request_messages: u64,
    pub request_photos: u64,
    pub surveys: u64,
    pub messages: u64,
    pub subscriptions: u64,
    pub feed_subscriptions: u64,
    pub event_deliveries: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.orders
            + self.returns
            + self.return_photos
            + self.requests
            + self.request_messages
            + self.request_photos
            + self.surveys
            + self.messages
            + self.subscriptions
            + self.feed_subscriptions
            + self.event_deliveries
    }
}

/// What a run changed, and the photo files (relative to the data dir) to delete once it
/// is committed.
#[derive(Debug, Default)]
pub struct Anonymised {
    pub counts: Counts,
    pub files: Vec<String>,
}

/// Pseudonyms by lower-cased address, drawn as addresses are met.
#[derive(Default)]
struct Pseudonyms(HashMap<String, String>);

impl Pseudonyms {
    fn of(&mut self, email: &str) -> String {
        let key = email.trim().to_lowercase();
        self.0
            .entry(key)
            .or_insert_with(|| {
                let bytes: [u8; 8] = rand::rng().random();
                format!("erased-{}@erased.invalid", hex::encode(bytes))
            })
            .clone()
    }
}

/// Order meta aftercare reads (parcels, the customer's language, VAT exemption): kept.
/// Every other entry may be anything a plugin stored about the buyer, so it goes.
fn meta_kept(key: &str) -> bool {
    matches!(
        key,
        "_wc_shipment_tracking_items"
            | "is_vat_exempt"
            | "_aftercare_locale"
            | "wpml_language"
            | "_locale"
    ) || key.starts_with("_aftercare")
}

fn blank_address(address: &mut Value, email: Option<&str>) {
    let Some(fields) = address.as_object_mut() else {
        return;
    };
    for (name, value) in fields.iter_mut() {
        match name.as_str() {
            // The country decides tax and address format; alone it names nobody.
            "country" => {}
            "email" => {
                if let Some(email) = email {
                    *value = Value::String(email.to_owned());
                }
            }
            _ => {
                if value.as_str().is_some_and(|s| !s.is_empty()) {
                    *value = Value::String(MARKER.to_owned());
                }
            }
        }
    }
}

/// The order as WooCommerce sent it, without what identifies the buyer.
pub fn scrub_order(raw: &mut Value, pseudonym: &str) {
    let Some(order) = raw.as_object_mut() else {
        return;
    };
    if let Some(billing) = order.get_mut("billing") {
        blank_address(billing, Some(pseudonym));
    }
    if let Some(shipping) = order.get_mut("shipping") {
        blank_address(shipping, None);
    }
    for field in [
        "customer_ip_address",
        "customer_user_agent",
        "transaction_id",
    ] {
        if order.contains_key(field) {
            order.insert(field.to_owned(), Value::String(String::new()));
        }
    }
    if order
        .get("customer_note")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
    {
        order.insert("customer_note".to_owned(), Value::String(MARKER.to_owned()));
    }
    if order.contains_key("customer_id") {
        order.insert("customer_id".to_owned(), json!(0));
    }
    if let Some(meta) = order.get_mut("meta_data").and_then(Value::as_array_mut) {
        meta.retain(|m| m["key"].as_str().is_some_and(meta_kept));
    }
}

/// Anonymises `orders` of `store` and every record of theirs, plus what is kept by
/// address alone for `addresses` (lower-cased): messages, unsubscribes, surveys.
pub fn run(
    conn: &Connection,
    store: &StoreId,
    orders: &[OrderId],
    addresses: &[String],
    cause: Cause,
    now: &Stamp,
) -> Result<Anonymised, StoreError> {
    let mut names = Pseudonyms::default();
    let mut done = Anonymised::default();
    let ids = id_list(orders);
    let addresses_json = serde_json::to_string(addresses).unwrap_or_else(|_| "[]".into());

    // The orders: the typed columns, the body as received, the customer figures' key.
    for &order in orders {
        let row: Option<(String, String)> = conn
            .prepare_cached(
                "SELECT billing_email, raw FROM orders WHERE store_id = ?1 AND order_id = ?2",
            )?
            .query_row(params![store, order], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((email, raw)) = row else { continue };
        let pseudonym = names.of(&email);
        let raw = match serde_json::from_str::<Value>(&raw) {
            Ok(mut value) => {
                scrub_order(&mut value, &pseudonym);
                value.to_string()
            }
            Err(_) => "{}".to_owned(),
        };
        conn.prepare_cached(
            "UPDATE orders SET billing_email = ?3, customer_id = 0, raw = ?4
             WHERE store_id = ?1 AND order_id = ?2",
        )?
        .execute(params![store, order, pseudonym, raw])?;
        // The figures would re-key the order when they next fold it; until then the old
        // key (a hash of the address) must not stay behind.
        if let Some(key) = crate::insights::customer_key(0, &pseudonym) {
            conn.prepare_cached(
                "UPDATE insight_orders SET customer = ?3 WHERE store_id = ?1 AND order_id = ?2",
            )?
            .execute(params![store, order, key])?;
        }
        conn.prepare_cached(
            "INSERT INTO privacy_erasures (store_id, order_id, cause, erased_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (store_id, order_id) DO UPDATE SET erased_at = excluded.erased_at",
        )?
        .execute(params![store, order, cause.as_str(), now.as_str()])?;
        done.counts.orders += 1;
    }

    // Returns: the customer's words and photos; staff notes may quote them.
    let in_orders = "SELECT value FROM json_each(?2)";
    done.counts.returns = conn.execute(
        &format!(
            "UPDATE returns SET customer_id = 0,
                 comment = CASE WHEN comment IS NULL THEN NULL ELSE ?3 END
             WHERE store_id = ?1 AND order_id IN ({in_orders})"
        ),
        params![store, ids, MARKER],
    )? as u64;
    let returns =
        format!("SELECT id FROM returns WHERE store_id = ?1 AND order_id IN ({in_orders})");
    conn.execute(
        &format!(
            "UPDATE return_items SET reason_text = ?3
             WHERE reason_text IS NOT NULL AND return_id IN ({returns})"
        ),
        params![store, ids, MARKER],
    )?;
    conn.execute(
        &format!(
            "UPDATE return_events SET note = ?3 WHERE note IS NOT NULL AND return_id IN ({returns})"
        ),
        params![store, ids, MARKER],
    )?;
    let photos: Vec<String> = conn
        .prepare(&format!(
            "SELECT path FROM return_photos WHERE return_id IN ({returns})"
        ))?
        .query_map(params![store, ids], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    conn.execute(
        &format!("DELETE FROM return_photos WHERE return_id IN ({returns})"),
        params![store, ids],
    )?;
    done.counts.return_photos = photos.len() as u64;
    done.files.extend(photos);

    // Support requests: every message of the thread (replies and notes quote the customer)
    // and the photos.
    done.counts.requests = conn.execute(
        &format!(
            "UPDATE support_requests SET customer_id = 0
             WHERE store_id = ?1 AND order_id IN ({in_orders})"
        ),
        params![store, ids],
    )? as u64;
    let requests = format!(
        "SELECT id FROM support_requests WHERE store_id = ?1 AND order_id IN ({in_orders})"
    );
    done.counts.request_messages = conn.execute(
        &format!("UPDATE support_messages SET body = ?3 WHERE request_id IN ({requests})"),
        params![store, ids, MARKER],
    )? as u64;
    let photos: Vec<String> = conn
        .prepare(&format!(
            "SELECT path FROM support_photos WHERE request_id IN ({requests})"
        ))?
        .query_map(params![store, ids], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    conn.execute(
        &format!("DELETE FROM support_photos WHERE request_id IN ({requests})"),
        params![store, ids],
    )?;
    done.counts.request_photos = photos.len() as u64;
    done.files.extend(photos);

    // Surveys: of the orders, or sent to the address.
    let surveys: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, recipient FROM surveys
             WHERE store_id = ?1
               AND (order_id IN (SELECT value FROM json_each(?2))
                    OR lower(recipient) IN (SELECT value FROM json_each(?3)))",
        )?
        .query_map(params![store, ids, addresses_json], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    for (id, recipient) in &surveys {
        conn.prepare_cached(
            "UPDATE surveys SET recipient = ?2, first_name = ?3,
                 comment = CASE WHEN comment IS NULL THEN NULL ELSE ?3 END
             WHERE id = ?1",
        )?
        .execute(params![id, names.of(recipient), MARKER])?;
    }
    done.counts.surveys = surveys.len() as u64;

    // Messages: the log keeps what was decided and when, not to whom or what it said.
    // One not yet sent is not sent any more.
    let messages: Vec<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT id, recipient, data FROM messages
             WHERE store_id = ?1 AND type != 'staff_digest'
               AND (order_id IN (SELECT value FROM json_each(?2))
                    OR lower(recipient) IN (SELECT value FROM json_each(?3)))",
        )?
        .query_map(params![store, ids, addresses_json], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    for (id, recipient, data) in &messages {
        let pseudonym = names.of(recipient);
        let order = serde_json::from_str::<Value>(data)
            .ok()
            .and_then(|d| d.get("order").cloned())
            .unwrap_or(Value::Null);
        let data = json!({
            "order": order,
            "customer": {"name": MARKER, "email": pseudonym},
        })
        .to_string();
        conn.prepare_cached(
            "UPDATE messages SET recipient = ?2, data = ?3,
                 state = CASE WHEN state IN ('pending', 'deferred', 'failed') THEN 'skipped' ELSE state END,
                 reason = CASE WHEN state IN ('pending', 'deferred', 'failed') THEN 'erased' ELSE reason END,
                 leased_until = NULL, updated_at = ?4
             WHERE id = ?1",
        )?
        .execute(params![id, pseudonym, data, now.as_str()])?;
    }
    done.counts.messages = messages.len() as u64;

    // The shop's daily digest quotes unhappy survey comments: those of these orders go too.
    if !orders.is_empty() {
        let digests: Vec<(i64, String)> = conn
            .prepare_cached(
                "SELECT id, data FROM messages
                 WHERE store_id = ?1 AND type = 'staff_digest' AND json_valid(data)
                   AND EXISTS (SELECT 1 FROM json_each(data, '$.surveys') s
                               WHERE json_extract(s.value, '$.order_id')
                                     IN (SELECT value FROM json_each(?2)))",
            )?
            .query_map(params![store, ids], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let wanted: Vec<u64> = orders.iter().map(|o| o.get()).collect();
        for (id, data) in &digests {
            let Ok(mut data) = serde_json::from_str::<Value>(data) else {
                continue;
            };
            if let Some(surveys) = data["surveys"].as_array_mut() {
                for survey in surveys {
                    let ours = survey["order_id"]
                        .as_u64()
                        .is_some_and(|o| wanted.contains(&o));
                    if ours && !survey["comment"].is_null() {
                        survey["comment"] = Value::String(MARKER.to_owned());
                    }
                }
            }
            conn.prepare_cached("UPDATE messages SET data = ?2 WHERE id = ?1")?
                .execute(params![id, data.to_string()])?;
            done.counts.messages += 1;
        }
    }

    // Unsubscribe links name the address: gone with it when the person asked. (Old orders
    // leave them be: the person may still be a customer who asked for no more mail.)
    done.counts.subscriptions = conn.execute(
        "DELETE FROM message_subscriptions
         WHERE store_id = ?1 AND lower(recipient) IN (SELECT value FROM json_each(?2))",
        params![store, addresses_json],
    )? as u64;

    // Tracking feeds: the provider is no longer asked about the parcels.
    done.counts.feed_subscriptions = conn.execute(
        &format!(
            "UPDATE feed_subscriptions
             SET number = ?3 || '-' || id, number_key = ?3 || '-' || id, state = 'stopped',
                 next_poll_at = NULL, last_error = NULL, updated_at = ?4
             WHERE store_id = ?1 AND order_id IN ({in_orders})"
        ),
        params![store, ids, MARKER, now.as_str()],
    )? as u64;

    // Signed events carry the customer's name and address: the log keeps their type and
    // time; one not yet delivered is not delivered any more.
    let events: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, body FROM event_deliveries
             WHERE store_id = ?1 AND json_valid(body)
               AND json_extract(body, '$.data.order.id') IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![store, ids], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, body) in &events {
        let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let body = json!({
            "type": body["type"],
            "timestamp": body["timestamp"],
            "data": {"erased": true},
        })
        .to_string();
        conn.prepare_cached(
            "UPDATE event_deliveries SET body = ?2,
                 state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END,
                 last_error = CASE WHEN state = 'pending' THEN 'personal data erased' ELSE last_error END,
                 next_attempt_at = NULL, updated_at = ?3
             WHERE id = ?1",
        )?
        .execute(params![id, body, now.as_str()])?;
        conn.prepare_cached(
            "UPDATE event_delivery_attempts SET response_body = NULL WHERE delivery_id = ?1",
        )?
        .execute([id])?;
    }
    done.counts.event_deliveries = events.len() as u64;

    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_keeps_what_aftercare_reads_and_loses_who_bought() {
        let mut raw = json!({
            "customer_id": 42,
            "billing": {"first_name": "Minji", "last_name": "", "email": "m@example.com",
                        "phone": "010", "country": "KR"},
            "shipping": {"address_1": "Teheran-ro 1", "country": "KR"},
            "customer_ip_address": "203.0.113.42",
            "customer_user_agent": "Mozilla",
            "customer_note": "Leave it with the guard",
            "meta_data": [{"key": "_wc_shipment_tracking_items", "value": []},
                          {"key": "_kakaopay_tid", "value": "T123"}],
        });
        scrub_order(&mut raw, "erased-1@erased.invalid");
        assert_eq!(raw["customer_id"], 0);
        assert_eq!(raw["billing"]["first_name"], MARKER);
        assert_eq!(raw["billing"]["last_name"], "");
        assert_eq!(raw["billing"]["email"], "erased-1@erased.invalid");
        assert_eq!(raw["billing"]["country"], "KR");
        assert_eq!(raw["shipping"]["address_1"], MARKER);
        assert_eq!(raw["customer_ip_address"], "");
        assert_eq!(raw["customer_user_agent"], "");
        assert_eq!(raw["customer_note"], MARKER);
        assert_eq!(raw["meta_data"].as_array().unwrap().len(), 1);
    }
}
