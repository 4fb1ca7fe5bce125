//! Everything aftercare holds of an e-mail address, grouped the way WordPress's personal
//! data exporter takes it: groups of items, each item a list of name/value pairs. Each
//! pair also carries a stable `key` the plugin translates its name by.

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::subject::{self, id_list};
use crate::ids::StoreId;
use crate::store::StoreError;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Export {
    /// The address asked about, trimmed and lower-cased.
    pub email: String,
    /// Only groups with something in them.
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    /// `aftercare-orders`, `aftercare-returns`, `aftercare-requests`, `aftercare-surveys`,
    /// `aftercare-messages`, `aftercare-subscriptions`, `aftercare-documents`.
    pub group_id: &'static str,
    pub group_label: &'static str,
    pub group_description: &'static str,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Item {
    /// Unique within the export (`order-1001`, `return-3`…).
    pub item_id: String,
    pub data: Vec<Field>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Field {
    /// Stable name of the field (`billing_email`), for translation.
    pub key: &'static str,
    /// The field's name in English.
    pub name: &'static str,
    pub value: String,
}

#[derive(Default)]
struct Fields(Vec<Field>);

impl Fields {
    /// Adds the field unless it is empty: the export lists what is held, not blanks.
    fn add(&mut self, key: &'static str, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        if !value.trim().is_empty() {
            self.0.push(Field { key, name, value });
        }
    }
}

fn address(value: &Value) -> String {
    let part = |k: &str| value[k].as_str().unwrap_or("").trim().to_owned();
    let name = [part("first_name"), part("last_name")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [
        name,
        part("company"),
        part("address_1"),
        part("address_2"),
        [part("postcode"), part("city"), part("state")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        part("country"),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// The export of `email` (normalised) in `store`.
pub fn gather(conn: &Connection, store: &StoreId, email: &str) -> Result<Export, StoreError> {
    let who = subject::find(conn, store, email)?;
    let ids = id_list(&who.orders);
    let addresses = serde_json::to_string(&[email]).unwrap_or_else(|_| "[]".into());
    let mut groups = Vec::new();
    let mut push = |group_id, group_label, group_description, items: Vec<Item>| {
        if !items.is_empty() {
            groups.push(Group {
                group_id,
                group_label,
                group_description,
                items,
            });
        }
    };

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT order_id, number, status, date_created, billing_email, raw FROM orders
         WHERE store_id = ?1 AND order_id IN (SELECT value FROM json_each(?2)) ORDER BY order_id",
    )?;
    let rows = stmt.query_map(params![store, ids], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (id, number, status, created, billing_email, raw) = row?;
        let raw: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
        let mut f = Fields::default();
        f.add("order_number", "Order number", number);
        f.add("status", "Status", status);
        f.add("date_created", "Date created", created);
        f.add("billing_email", "Billing e-mail", billing_email);
        f.add(
            "billing_address",
            "Billing address",
            address(&raw["billing"]),
        );
        f.add(
            "billing_phone",
            "Billing phone",
            raw["billing"]["phone"].as_str().unwrap_or(""),
        );
        f.add(
            "shipping_address",
            "Shipping address",
            address(&raw["shipping"]),
        );
        f.add(
            "shipping_phone",
            "Shipping phone",
            raw["shipping"]["phone"].as_str().unwrap_or(""),
        );
        f.add(
            "customer_note",
            "Customer note",
            raw["customer_note"].as_str().unwrap_or(""),
        );
        f.add(
            "ip_address",
            "IP address",
            raw["customer_ip_address"].as_str().unwrap_or(""),
        );
        f.add(
            "user_agent",
            "Browser",
            raw["customer_user_agent"].as_str().unwrap_or(""),
        );
        items.push(Item {
            item_id: format!("order-{id}"),
            data: f.0,
        });
    }
    push(
        "aftercare-orders",
        "Orders (aftercare)",
        "The orders aftercare mirrors from the shop to show their tracking, invoices, returns and support.",
        items,
    );

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT r.id, o.number, r.status, r.resolution, r.created_at, r.comment,
                (SELECT group_concat(i.reason || CASE WHEN i.reason_text IS NULL THEN ''
                                     ELSE ': ' || i.reason_text END, '; ')
                 FROM return_items i WHERE i.return_id = r.id),
                (SELECT COUNT(*) FROM return_photos p WHERE p.return_id = r.id)
         FROM returns r JOIN orders o ON o.store_id = r.store_id AND o.order_id = r.order_id
         WHERE r.store_id = ?1 AND r.order_id IN (SELECT value FROM json_each(?2)) ORDER BY r.id",
    )?;
    let rows = stmt.query_map(params![store, ids], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    for row in rows {
        let (id, number, status, resolution, created, comment, reasons, photos) = row?;
        let mut f = Fields::default();
        f.add("order_number", "Order number", number);
        f.add("status", "Status", status);
        f.add("resolution", "Resolution", resolution);
        f.add("date_created", "Date created", created);
        f.add("reasons", "Reasons", reasons.unwrap_or_default());
        f.add("comment", "Comment", comment.unwrap_or_default());
        if photos > 0 {
            f.add("photos", "Photos", photos.to_string());
        }
        items.push(Item {
            item_id: format!("return-{id}"),
            data: f.0,
        });
    }
    push(
        "aftercare-returns",
        "Returns (aftercare)",
        "Return requests, their reasons, comments and photos.",
        items,
    );

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT s.id, o.number, s.topic, s.status, s.created_at,
                (SELECT COUNT(*) FROM support_photos p WHERE p.request_id = s.id)
         FROM support_requests s
         JOIN orders o ON o.store_id = s.store_id AND o.order_id = s.order_id
         WHERE s.store_id = ?1 AND s.order_id IN (SELECT value FROM json_each(?2)) ORDER BY s.id",
    )?;
    let requests = stmt
        .query_map(params![store, ids], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, number, topic, status, created, photos) in requests {
        // The thread as the customer sees it: their messages and the shop's replies.
        let thread: Vec<String> = conn
            .prepare_cached(
                "SELECT created_at, author, body FROM support_messages
                 WHERE request_id = ?1 AND author IN ('customer', 'staff') ORDER BY id",
            )?
            .query_map([id], |r| {
                Ok(format!(
                    "{} ({}): {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut f = Fields::default();
        f.add("order_number", "Order number", number);
        f.add("topic", "Topic", topic);
        f.add("status", "Status", status);
        f.add("date_created", "Date created", created);
        f.add("messages", "Messages", thread.join("\n"));
        if photos > 0 {
            f.add("photos", "Photos", photos.to_string());
        }
        items.push(Item {
            item_id: format!("request-{id}"),
            data: f.0,
        });
    }
    push(
        "aftercare-requests",
        "Support requests (aftercare)",
        "Questions asked about an order, the shop's replies and the photos attached.",
        items,
    );

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, order_id, kind, recipient, first_name, state, score, topic, comment, answered_at
         FROM surveys
         WHERE store_id = ?1 AND (order_id IN (SELECT value FROM json_each(?2))
                                  OR lower(recipient) IN (SELECT value FROM json_each(?3)))
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![store, ids, addresses], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, Option<String>>(9)?,
        ))
    })?;
    for row in rows {
        let (id, order, kind, recipient, first_name, state, score, topic, comment, answered) = row?;
        let mut f = Fields::default();
        f.add("order_id", "Order", order.to_string());
        f.add("survey", "Survey", kind);
        f.add("recipient", "Sent to", recipient);
        f.add("first_name", "First name", first_name);
        f.add("state", "State", state);
        f.add(
            "score",
            "Score",
            score.map(|s| s.to_string()).unwrap_or_default(),
        );
        f.add("topic", "Topic", topic.unwrap_or_default());
        f.add("comment", "Comment", comment.unwrap_or_default());
        f.add("answered_at", "Answered", answered.unwrap_or_default());
        items.push(Item {
            item_id: format!("survey-{id}"),
            data: f.0,
        });
    }
    push(
        "aftercare-surveys",
        "Surveys (aftercare)",
        "Satisfaction surveys sent after a delivery, a return or a support request, and the answers.",
        items,
    );

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, order_id, type, recipient, channel, state, created_at, sent_at FROM messages
         WHERE store_id = ?1 AND type != 'staff_digest'
           AND (order_id IN (SELECT value FROM json_each(?2))
                OR lower(recipient) IN (SELECT value FROM json_each(?3)))
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![store, ids, addresses], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    for row in rows {
        let (id, order, kind, recipient, channel, state, created, sent) = row?;
        let mut f = Fields::default();
        f.add("order_id", "Order", order.to_string());
        f.add("message_type", "Message", kind);
        f.add("recipient", "Sent to", recipient);
        f.add("channel", "Channel", channel);
        f.add("state", "State", state);
        f.add("date_created", "Date created", created);
        f.add("sent_at", "Sent", sent.unwrap_or_default());
        items.push(Item {
            item_id: format!("message-{id}"),
            data: f.0,
        });
    }
    push(
        "aftercare-messages",
        "Messages (aftercare)",
        "The log of e-mails aftercare decided to send about orders.",
        items,
    );

    let mut items = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT class, recipient, unsubscribed_at, created_at FROM message_subscriptions
         WHERE store_id = ?1 AND lower(recipient) IN (SELECT value FROM json_each(?2))
         ORDER BY class",
    )?;
    let rows = stmt.query_map(params![store, addresses], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for row in rows {
        let (class, recipient, unsubscribed, created) = row?;
        let mut f = Fields::default();
        f.add("class", "Messages about", class.clone());
        f.add("recipient", "Address", recipient);
        f.add("date_created", "Date created", created);
        f.add(
            "unsubscribed_at",
            "Unsubscribed",
            unsubscribed.unwrap_or_default(),
        );
        items.push(Item {
            item_id: format!("subscription-{class}"),
            data: f.0,
        });
    }
    push(
        "aftercare-subscriptions",
        "E-mail preferences (aftercare)",
        "Which kinds of messages the address unsubscribed from.",
        items,
    );

    let mut items = Vec::new();
    for doc in super::erase::documents(conn, store, &who.orders)? {
        let mut f = Fields::default();
        f.add("document", "Document", doc.kind.clone());
        f.add("number", "Number", doc.number.clone());
        f.add("order_id", "Order", doc.order_id.to_string());
        f.add("issued_at", "Issued", doc.issued_at.clone());
        f.add("total", "Total", format!("{} {}", doc.total, doc.currency));
        items.push(Item {
            item_id: format!("{}-{}", doc.kind, doc.number),
            data: f.0,
        });
    }
    push(
        "aftercare-documents",
        "Invoices and credit notes (aftercare)",
        "Documents issued for the orders. The shop must keep them for the legal retention period.",
        items,
    );

    Ok(Export {
        email: who.email,
        groups,
    })
}
