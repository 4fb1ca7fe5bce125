//! WooCommerce's webhook resource (`/wc/v3/webhooks`), as far as aftercare manages it.

use serde::{Deserialize, Serialize};

/// The topics aftercare mirrors orders from.
pub const ORDER_TOPICS: [&str; 4] = [
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
];

/// A webhook as WooCommerce lists it. It never returns the secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Webhook {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    /// `active`, `paused` (by an admin) or `disabled` (by WooCommerce, after failed deliveries).
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub delivery_url: String,
}

/// The body of `POST /webhooks`. Created through `/wc/v3`, WooCommerce gives it API
/// version `wp_api_v3`, so deliveries carry v3 orders.
#[derive(Clone, Serialize)]
pub struct NewWebhook {
    pub name: String,
    pub topic: String,
    pub delivery_url: String,
    pub secret: String,
    pub status: String,
}

/// The body of `PUT /webhooks/{id}`: absent fields stay as they are.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct WebhookUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

// The secret never prints.
impl std::fmt::Debug for NewWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewWebhook")
            .field("name", &self.name)
            .field("topic", &self.topic)
            .field("delivery_url", &self.delivery_url)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WebhookUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookUpdate")
            .field("status", &self.status)
            .field("delivery_url", &self.delivery_url)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}
