//! WooCommerce's order webhooks: the headers they come with, their signature and their
//! payload. The receiver (`POST /webhooks/woocommerce[/{store}]`) lives with the other
//! routes in the HTTP edge.

pub mod payload;
pub mod signature;
pub mod url;

pub const SIGNATURE_HEADER: &str = "x-wc-webhook-signature";
pub const TOPIC_HEADER: &str = "x-wc-webhook-topic";
pub const WEBHOOK_ID_HEADER: &str = "x-wc-webhook-id";
