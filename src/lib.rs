//! aftercare: a self-hosted post-purchase support sidecar for WooCommerce.
//!
//! WooCommerce posts signed order webhooks; aftercare verifies each one and mirrors the
//! order into SQLite before acknowledging it. [`app`] builds the whole HTTP surface so
//! tests run the real router; [`Application`] binds it and runs until told to stop.

pub mod api;
pub mod config;
pub mod ingest;
pub mod metrics;
mod server;
pub mod store;
pub mod time;
pub mod webhook;
pub mod woo;

use std::collections::HashMap;
use std::sync::Arc;

pub use server::{Application, app};

use config::{Config, StoreConfig};
use metrics::Metrics;
use store::Db;
use webhook::signature::Verifier;

/// A configured store and what is derived from its config once, at start.
pub struct Store {
    pub config: StoreConfig,
    pub verifier: Verifier,
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
}
