//! A mirror that heals itself through the WooCommerce REST API.
//!
//! WooCommerce never retries a failed webhook, coalesces events and disables a webhook
//! after repeated failures, so a mirror fed only by webhooks drifts. Three things repair it,
//! all feeding orders through the same [`crate::ingest`] path as webhooks (newer
//! `date_modified` wins, the same content is a no-op, the outbox fires the same way):
//!
//! - [`backfill`]: `aftercare backfill`, history in, resumable;
//! - [`reconcile`]: inside `serve`, every few minutes the recently modified orders, once a
//!   day every order;
//! - [`webhooks`]: `aftercare connect` creates and repairs the four order webhooks, and
//!   `serve` checks (and re-activates) them.
//!
//! [`walk`] is how all of them read `GET /orders` without skipping rows while the store
//! keeps changing; [`apply`] compares a page with the mirror and ingests what differs.
//! [`store`] keeps the walks' cursors, the run status and the webhooks as last seen.

pub mod apply;
pub mod backfill;
pub mod health;
pub mod reconcile;
pub mod settings;
pub mod store;
pub mod walk;
pub mod webhooks;

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::ids::StoreId;
use crate::invoice::settings::InvoiceSettings;
use crate::metrics::Metrics;
use crate::secret::Secret;
use crate::store::{Db, StoreError};
use crate::tracking::ParcelFeed;
use crate::woo::{ClientSettings, StoreAccess, WooError};

/// What sync reads of the configuration (which builds it): the schedule, the client
/// settings, each store's REST access and webhook secret, where webhooks are delivered,
/// and the invoice settings ingest issues with.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub sync: settings::SyncSettings,
    pub woocommerce: ClientSettings,
    pub stores: Vec<SyncStore>,
    /// aftercare's base URL, when its public URL is configured: webhooks are delivered
    /// under it.
    pub public_base_url: Option<String>,
    /// The base URL the start-up banner prints: the public URL, else the listen address.
    pub base_url: String,
    pub invoices: Arc<InvoiceSettings>,
}

/// A store as sync reaches it.
#[derive(Debug, Clone)]
pub struct SyncStore {
    pub access: StoreAccess,
    /// The secret new webhooks get (the store's current one).
    pub webhook_secret: Option<Secret>,
    /// Whether a tracking feed follows the store's parcels.
    pub parcel_feed: ParcelFeed,
}

impl SyncConfig {
    pub fn store(&self, id: &str) -> Option<&SyncStore> {
        self.stores.iter().find(|s| s.access.id == id)
    }

    /// The full delivery URL of `store`'s webhooks, when the public URL is configured.
    pub fn webhook_url(&self, store: &StoreId) -> Option<String> {
        self.public_base_url
            .as_deref()
            .map(|base| crate::webhook::url::url(base, store))
    }
}

/// What the sync work uses: the database, what it reads of the configuration and the
/// metrics it reports. Built once at start-up; cheap to clone.
#[derive(Clone)]
pub struct SyncServices {
    db: Db,
    config: Arc<SyncConfig>,
    metrics: Arc<Metrics>,
}

impl SyncServices {
    pub fn new(db: Db, config: Arc<SyncConfig>, metrics: Arc<Metrics>) -> Self {
        Self {
            db,
            config,
            metrics,
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

/// Delivery-log topics of orders fetched through the REST API.
pub const TOPIC_BACKFILL: &str = "rest.backfill";
pub const TOPIC_RECONCILE: &str = "rest.reconcile";
pub const TOPIC_SWEEP: &str = "rest.sweep";

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Woo(#[from] WooError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `--since`: a date (`2026-01-31`, midnight UTC) or an RFC 3339 time
/// (`2026-01-31T12:00:00Z`, `2026-01-31T21:00:00+09:00`).
pub fn parse_since(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    // A bare date only: jiff would also read a date out of a time without offset, which
    // is ambiguous and refused.
    if text.len() == 10
        && let Ok(date) = text.parse::<Date>()
        && let Ok(zoned) = date.to_zoned(TimeZone::UTC)
    {
        return Ok(zoned.timestamp());
    }
    Err(format!(
        "`{text}` is not a date (2026-01-31) or an RFC 3339 time (2026-01-31T12:00:00Z)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_dates_and_rfc3339_times() {
        assert_eq!(
            parse_since("2026-01-31").unwrap().to_string(),
            "2026-01-31T00:00:00Z"
        );
        assert_eq!(
            parse_since("2026-01-31T21:00:00+09:00")
                .unwrap()
                .to_string(),
            "2026-01-31T12:00:00Z"
        );
        assert_eq!(
            parse_since(" 2026-01-31T12:00:00Z ").unwrap().to_string(),
            "2026-01-31T12:00:00Z"
        );
        for bad in ["yesterday", "2026-13-01", "2026-01-31T12:00:00", ""] {
            let err = parse_since(bad).unwrap_err();
            assert!(err.contains("RFC 3339"), "{bad}: {err}");
        }
    }
}
