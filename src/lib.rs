//! aftercare: a self-hosted post-purchase support sidecar for WooCommerce.
//!
//! WooCommerce posts signed order webhooks; aftercare verifies each one and mirrors the
//! order into SQLite before acknowledging it. [`app`] builds the whole HTTP surface so
//! tests run the real router; [`Application`] binds it and runs until told to stop.

pub mod api;
pub mod config;
pub mod ingest;
pub mod invalid;
pub mod invoice;
pub mod jobs;
pub mod metrics;
pub mod money;
pub mod orders;
pub mod returns;
pub mod secret;
mod server;
pub mod startup;
pub mod store;
pub mod sync;
pub mod time;
pub mod tracking;
pub mod webhook;
pub mod woo;

use std::collections::HashMap;
use std::sync::Arc;

pub use server::{Application, app};

use api::guest_limit::GuestLimiter;
use config::{Config, StoreConfig};
use metrics::Metrics;
use store::Db;
use webhook::signature::Verifier;

/// A configured store and what is derived from its config once, at start.
pub struct Store {
    pub config: StoreConfig,
    pub verifier: Verifier,
    /// Signs public document download links.
    pub link_key: invoice::links::LinkKey,
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
    stores: HashMap<String, Store>,
    metrics: Metrics,
    guest_limiter: GuestLimiter,
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
                    link_key: invoice::links::LinkKey::derive(s.api_key.expose()),
                    api_key_digest: api::auth::key_digest(s.api_key.expose()),
                };
                (s.id.clone(), store)
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                config,
                db,
                stores,
                metrics: Metrics::new(),
                guest_limiter: GuestLimiter::default(),
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

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn guest_limiter(&self) -> &GuestLimiter {
        &self.inner.guest_limiter
    }

    /// The store whose API key this is. Compares digests in constant time and always
    /// looks at every store, so timing says nothing about which key was close.
    pub fn store_for_api_key(&self, key: &str) -> Option<String> {
        if key.is_empty() {
            return None;
        }
        let digest = api::auth::key_digest(key);
        let mut found = None;
        for (id, store) in &self.inner.stores {
            if constant_time_eq::constant_time_eq_32(&digest, &store.api_key_digest) {
                found = Some(id.clone());
            }
        }
        found
    }
}
