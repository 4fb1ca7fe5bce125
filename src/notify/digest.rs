//! What a staff digest would list for one store: late and exception parcels, returns
//! waiting for the shop, messages that failed. Read-only; the digest's sending is a
//! separate piece built on this.

use rusqlite::Connection;

use super::store::{self, MessageRow};
use crate::ids::{OrderId, ReturnId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

#[derive(Debug, Clone)]
pub struct OpenAlert {
    pub order_id: OrderId,
    /// 0: the order as a whole.
    pub shipment_id: u64,
    pub code: String,
    pub raised_at: String,
}

#[derive(Debug, Clone)]
pub struct WaitingReturn {
    pub id: ReturnId,
    pub order_id: OrderId,
    /// `requested` (to approve) or `received` (to refund, exchange or credit).
    pub status: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct Digest {
    pub alerts: Vec<OpenAlert>,
    pub returns: Vec<WaitingReturn>,
    pub failed: Vec<MessageRow>,
}

/// The store's open delay alerts, returns waiting for action, and messages failed since
/// `since`.
pub fn gather(conn: &Connection, store_id: &StoreId, since: &Stamp) -> Result<Digest, StoreError> {
    let alerts = conn
        .prepare_cached(
            "SELECT order_id, shipment_id, code, raised_at FROM delay_alerts
             WHERE store_id = ?1 AND resolved_at IS NULL ORDER BY raised_at",
        )?
        .query_map([store_id], |r| {
            Ok(OpenAlert {
                order_id: r.get(0)?,
                shipment_id: r.get::<_, i64>(1)? as u64,
                code: r.get(2)?,
                raised_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let returns = conn
        .prepare_cached(
            "SELECT id, order_id, status, updated_at FROM returns
             WHERE store_id = ?1 AND status IN ('requested', 'received') ORDER BY updated_at",
        )?
        .query_map([store_id], |r| {
            Ok(WaitingReturn {
                id: r.get(0)?,
                order_id: r.get(1)?,
                status: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Digest {
        alerts,
        returns,
        failed: store::failed_since(conn, store_id, since)?,
    })
}
