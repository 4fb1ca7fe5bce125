//! Deliveries as staff read them (`GET /api/v1/events/deliveries`): the endpoint by id and
//! host (never its URL), the state, and every attempt.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::{Attempt, DeliveryRecord};

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    #[schema(value_type = i64)]
    pub id: crate::ids::EventDeliveryId,
    /// The `webhook-id` header: the same on every attempt.
    pub event_id: String,
    /// The event's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    pub endpoint: EndpointView,
    /// `pending` (waiting for its next attempt), `delivered` or `failed` (given up).
    pub status: &'static str,
    /// When the next attempt is due; null unless pending.
    pub next_attempt_at: Option<String>,
    /// The HTTP status of the last answer, if one came.
    pub last_status: Option<u16>,
    /// Why the last attempt did not deliver.
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    /// `ep_` and 12 hex digits derived from the configured URL.
    pub id: String,
    /// The URL's host; null when the endpoint is no longer configured.
    pub host: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub attempted_at: String,
    /// The HTTP status; null when no answer came (refused, timed out).
    pub status: Option<u16>,
    pub duration_ms: u64,
    /// What went wrong, without secrets or the URL.
    pub error: Option<String>,
    /// The first KiB of the answer.
    pub response_body: Option<String>,
}

impl From<DeliveryRecord> for DeliveryView {
    fn from(r: DeliveryRecord) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            kind: r.kind,
            endpoint: EndpointView {
                id: r.endpoint_id,
                host: r.endpoint_host,
            },
            status: r.state.as_str(),
            next_attempt_at: r.next_attempt_at.map(String::from),
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            attempts: r.attempts.into_iter().map(AttemptView::from).collect(),
        }
    }
}

impl From<Attempt> for AttemptView {
    fn from(a: Attempt) -> Self {
        Self {
            attempted_at: a.attempted_at.into(),
            status: a.status,
            duration_ms: a.duration_ms,
            error: a.error,
            response_body: a.response_body,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// Newest first.
    pub deliveries: Vec<DeliveryView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// What `POST /api/v1/events/test` queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestEvent {
    /// The ping's `webhook-id`.
    pub event_id: String,
    /// One delivery per endpoint of the store (0 when it has none).
    pub queued: usize,
}
