//! The configured stores as background work reaches them: each store's REST client, made
//! when needed from its credentials and the shared client settings.

use std::sync::Arc;

use super::{ClientSettings, RestAccess, WooClient, WooError};
use crate::ids::StoreId;
use crate::secret::Secret;

/// A store's REST access, owned: what [`WooClients`] keeps of each store.
#[derive(Debug, Clone)]
pub struct StoreAccess {
    pub id: StoreId,
    pub url: Option<String>,
    pub consumer_key: Option<Secret>,
    pub consumer_secret: Option<Secret>,
}

impl From<RestAccess<'_>> for StoreAccess {
    fn from(access: RestAccess<'_>) -> Self {
        StoreAccess {
            id: access.store.clone(),
            url: access.url.map(str::to_owned),
            consumer_key: access.consumer_key.cloned(),
            consumer_secret: access.consumer_secret.cloned(),
        }
    }
}

impl<'a> From<&'a StoreAccess> for RestAccess<'a> {
    fn from(store: &'a StoreAccess) -> Self {
        RestAccess {
            store: &store.id,
            url: store.url.as_deref(),
            consumer_key: store.consumer_key.as_ref(),
            consumer_secret: store.consumer_secret.as_ref(),
        }
    }
}

#[derive(Clone)]
pub struct WooClients {
    stores: Arc<[StoreAccess]>,
    settings: ClientSettings,
}

impl WooClients {
    /// From each store's REST access (a store's configuration converts into it).
    pub fn new<'a, S: Into<RestAccess<'a>>>(
        stores: impl IntoIterator<Item = S>,
        settings: &ClientSettings,
    ) -> Self {
        Self {
            stores: stores
                .into_iter()
                .map(|s| StoreAccess::from(s.into()))
                .collect(),
            settings: settings.clone(),
        }
    }

    /// The store's REST access, if it is configured.
    pub fn store(&self, id: &str) -> Option<&StoreAccess> {
        self.stores.iter().find(|s| s.id == id)
    }

    /// The store's REST client: `None` for a store that is not configured,
    /// [`WooError::NotConfigured`] for one without REST credentials.
    pub fn client(&self, id: &str) -> Option<Result<WooClient, WooError>> {
        self.store(id).map(|s| WooClient::new(s, &self.settings))
    }
}
