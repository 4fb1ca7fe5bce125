//! What every handler may reach: the config, the database, the configured stores, the
//! metrics and the guest limiter. Only handlers see it; domain code takes narrow parts.

use std::collections::HashMap;
use std::sync::Arc;

use super::auth::key_digest;
use super::guest::GuestLimiter;
use crate::config::{Config, StoreConfig};
use crate::ids::StoreId;
use crate::invoice::links::LinkKey;
use crate::metrics::Metrics;
use crate::shop::timezone::Zones;
use crate::store::Db;
use crate::webhook::signature::Verifier;

/// A configured store and what is derived from its config once, at start.
pub struct Store {
    pub config: StoreConfig,
    pub verifier: Verifier,
    /// Signs public document download links.
    pub link_key: LinkKey,
    api_key_digest: [u8; 32],
}

/// Everything a request handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Db,
    stores: HashMap<StoreId, Store>,
    metrics: Arc<Metrics>,
    guest_limiter: GuestLimiter,
    token_limiter: super::limits::Limiter,
    zones: Zones,
}

impl AppState {
    pub fn new(config: Config, db: Db) -> Self {
        let stores = config
            .stores
            .iter()
            .map(|s| {
                let store = Store {
                    config: s.clone(),
                    verifier: Verifier::new(&s.webhook_secrets),
                    link_key: LinkKey::derive(s.api_key.expose()),
                    api_key_digest: key_digest(s.api_key.expose()),
                };
                (s.id.clone(), store)
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                zones: Zones::new(config.timezones.clone()),
                config,
                db,
                stores,
                metrics: Arc::new(Metrics::new()),
                guest_limiter: GuestLimiter::default(),
                token_limiter: super::limits::Limiter::new(
                    super::limits::MAX_FAILURES,
                    super::limits::WINDOW,
                ),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn store(&self, id: &str) -> Option<&Store> {
        self.inner.stores.get(id)
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    pub fn guest_limiter(&self) -> &GuestLimiter {
        &self.inner.guest_limiter
    }

    /// Failures at the public token addresses, feed pushes and API keys (`limits.rs`).
    pub fn token_limiter(&self) -> &super::limits::Limiter {
        &self.inner.token_limiter
    }

    /// Each store's time zone (the background services share it).
    pub fn zones(&self) -> &Zones {
        &self.inner.zones
    }

    /// The store whose API key this is. Compares digests in constant time and always
    /// looks at every store, so timing says nothing about which key was close.
    pub fn store_for_api_key(&self, key: &str) -> Option<StoreId> {
        if key.is_empty() {
            return None;
        }
        let digest = key_digest(key);
        let mut found = None;
        for (id, store) in &self.inner.stores {
            if constant_time_eq::constant_time_eq_32(&digest, &store.api_key_digest) {
                found = Some(id.clone());
            }
        }
        found
    }
}
