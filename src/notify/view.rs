//! Message decisions as the staff's order view shows them.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::MessageRow;

/// One message decision about the order: sent, deferred until when, skipped and why,
/// failed and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    /// `msg_<n>`.
    pub id: String,
    /// `order_confirmation`, `shipped`, `out_for_delivery`, `delivered`, `delayed`,
    /// `return_update`, `support_reply`, `survey`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `wordpress`, `smtp` or `none`.
    pub channel: String,
    /// `pending`, `deferred`, `sending`, `sent`, `skipped` or `failed`.
    pub state: String,
    /// Why, in a sentence: "quiet hours until …", "the order is cancelled", the server's refusal.
    pub reason: String,
    /// Not before this time (quiet hours, the next retry).
    pub due_at: String,
    pub attempts: i64,
    pub locale: String,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
}

impl From<&MessageRow> for MessageView {
    fn from(m: &MessageRow) -> Self {
        MessageView {
            id: m.id.to_string(),
            kind: m.kind.as_str().to_owned(),
            channel: m.channel.as_str().to_owned(),
            state: m.state.as_str().to_owned(),
            reason: m.reason.clone(),
            due_at: m.due_at.clone(),
            attempts: m.attempts,
            locale: m.locale.clone(),
            created_at: m.created_at.clone(),
            updated_at: m.updated_at.clone(),
            sent_at: m.sent_at.clone(),
        }
    }
}
