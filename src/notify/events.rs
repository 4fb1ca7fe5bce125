//! The hand-off to signed event endpoints: every message-worthy event is also published
//! as `{"type", "timestamp", "data"}` to the store's endpoints.

use jiff::Timestamp;

use crate::ids::StoreId;
use crate::store::StoreError;

/// Queues the event for the store's endpoints in the caller's transaction; idempotent per
/// `event_id`.
pub fn publish(
    conn: &rusqlite::Connection,
    store: &StoreId,
    event_id: &str,
    kind: &str,
    data: &serde_json::Value,
    now: Timestamp,
) -> Result<usize, StoreError> {
    Ok(shim::publish(conn, store, event_id, kind, data, now)?)
}

// wired to signed_events once it lands
mod shim {
    use crate::ids::StoreId;

    /// Stands in for `signed_events::publish`: no endpoints exist yet, nothing is queued.
    pub fn publish(
        _tx: &rusqlite::Connection,
        _store: &StoreId,
        _event_id: &str,
        _kind: &str,
        _data: &serde_json::Value,
        _now: jiff::Timestamp,
    ) -> rusqlite::Result<usize> {
        Ok(0)
    }
}
