//! The configured stores as background work reaches them: each store's REST client, made
//! when needed from its credentials and the shared client settings.

use std::sync::Arc;

use super::{ClientSettings, WooClient, WooError};
use crate::config::StoreConfig;

#[derive(Clone)]
pub struct WooClients {
    stores: Arc<[StoreConfig]>,
    settings: ClientSettings,
}

impl WooClients {
    pub fn new(stores: &[StoreConfig], settings: &ClientSettings) -> Self {
        Self {
            stores: stores.into(),
            settings: settings.clone(),
        }
    }

    /// The store's configuration, if it is configured.
    pub fn store(&self, id: &str) -> Option<&StoreConfig> {
        self.stores.iter().find(|s| s.id == id)
    }

    /// The store's REST client: `None` for a store that is not configured,
    /// [`WooError::NotConfigured`] for one without REST credentials.
    pub fn client(&self, id: &str) -> Option<Result<WooClient, WooError>> {
        self.store(id).map(|s| WooClient::new(s, &self.settings))
    }
}
