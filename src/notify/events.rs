//! The hand-off to signed event endpoints: every message-worthy event is also published
//! as `{"type", "timestamp", "data"}` to the store's endpoints.

use jiff::Timestamp;

use crate::ids::StoreId;
use crate::store::StoreError;

/// Queues the event for the store's endpoints in the caller's transaction; idempotent per
/// `event_id`. Answers how many deliveries were queued.
pub fn publish(
    conn: &rusqlite::Connection,
    store: &StoreId,
    event_id: &str,
    kind: &str,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<usize, StoreError> {
    Ok(crate::signed_events::publish(
        conn, store, event_id, kind, data, now,
    )?)
}
