//! Tracking's tables: the parcels and their events, the per-order tracking state, and the
//! delay alerts.

pub mod delay_alerts;
pub mod order_tracking;
pub mod shipments;
