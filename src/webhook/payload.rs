//! Telling apart what WooCommerce posts: the unsigned creation ping, REST error objects
//! in place of an order, `order.deleted`'s `{"id": N}`, and full orders.

use axum::http::HeaderMap;
use serde::{Deserialize, de};

use crate::ids::OrderId;
use crate::ingest::Payload;
use crate::orders::store::Source;
use crate::woo::Order;

/// The creation ping: form body `webhook_id=N`, unsigned, and no `X-WC-*` headers at all.
pub fn is_ping(headers: &HeaderMap, body: &[u8]) -> bool {
    let has_wc_header = headers
        .keys()
        .any(|name| name.as_str().starts_with("x-wc-"));
    if has_wc_header {
        return false;
    }
    match body.strip_prefix(b"webhook_id=") {
        Some(id) => !id.is_empty() && id.len() <= 20 && id.iter().all(u8::is_ascii_digit),
        None => false,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not valid UTF-8")]
    Utf8,
    #[error("the body is not valid JSON: {0}")]
    Json(serde_json::Error),
    #[error("the body is JSON but not an object")]
    NotAnObject,
    #[error("the {topic} body does not match a WooCommerce order: {source}")]
    Shape {
        topic: String,
        source: serde_json::Error,
    },
}

/// The two top-level keys of a REST error object (`{"code", "message", "data": {"status"}}`);
/// an order has neither. Everything else is skipped unparsed.
#[derive(Deserialize)]
struct Probe {
    code: Option<serde_json::Value>,
    data: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct DeletedBody {
    id: OrderId,
}

/// Parses a verified body according to its topic.
pub fn parse(topic: &str, body: &[u8]) -> Result<Payload, PayloadError> {
    let text = std::str::from_utf8(body).map_err(|_| PayloadError::Utf8)?;
    if !text.trim_start().starts_with('{') {
        // Valid JSON that is not an object is the wrong shape; anything else is not JSON.
        return Err(match serde_json::from_str::<de::IgnoredAny>(text) {
            Ok(_) => PayloadError::NotAnObject,
            Err(e) => PayloadError::Json(e),
        });
    }
    let shape = |source| PayloadError::Shape {
        topic: topic.to_owned(),
        source,
    };
    let order_topic = match topic {
        "order.created" | "order.updated" => Some(Source::Update),
        "order.restored" => Some(Source::Restore),
        _ => None,
    };
    // Nearly every body is an order: it is parsed as one at once, and only a body that is not
    // is read again for a REST error object (which has none of an order's fields).
    let not_an_order = match order_topic {
        Some(source) => match serde_json::from_str::<Order>(text) {
            Ok(order) => return Ok(Payload::order(order, text.to_owned(), source)),
            Err(e) => Some(e),
        },
        None => None,
    };
    let probe: Probe = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            shape(e)
        } else {
            PayloadError::Json(e)
        }
    })?;
    if let (Some(serde_json::Value::String(code)), Some(data)) = (&probe.code, &probe.data)
        && data.get("status").is_some()
    {
        return Ok(Payload::Error { code: code.clone() });
    }
    if let Some(e) = not_an_order {
        return Err(shape(e));
    }
    if topic == "order.deleted" {
        let deleted: DeletedBody = serde_json::from_str(text).map_err(shape)?;
        return Ok(Payload::Deleted { id: deleted.id });
    }
    Ok(Payload::OtherTopic)
}
