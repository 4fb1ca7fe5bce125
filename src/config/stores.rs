//! The stores aftercare serves: ids validated once, each store's secrets and WooCommerce
//! access. The default store is configured from `AFTERCARE_*` variables (or its
//! `[[stores]]` entry); what nothing configures for it comes from the generated secrets
//! file, which the start-up step reads or writes.

use std::collections::HashSet;
use std::path::PathBuf;

use super::file::FileStore;
use super::{ConfigError, invalid};
use crate::ids::StoreId;
use crate::secret::Secret;
use crate::woo::RestAccess;

#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub id: StoreId,
    /// One or two secrets; two are valid at once while a secret is rotated.
    pub webhook_secrets: Vec<Secret>,
    pub api_key: Secret,
    pub url: Option<String>,
    pub consumer_key: Option<Secret>,
    pub consumer_secret: Option<Secret>,
}

impl<'a> From<&'a StoreConfig> for RestAccess<'a> {
    fn from(store: &'a StoreConfig) -> Self {
        RestAccess {
            store: &store.id,
            url: store.url.as_deref(),
            consumer_key: store.consumer_key.as_ref(),
            consumer_secret: store.consumer_secret.as_ref(),
        }
    }
}

/// Where the default store's generated secrets are kept (mode 0600).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsFile {
    pub path: PathBuf,
    /// This start created them.
    pub fresh: bool,
}

/// The default store's secrets as generated on first start, and the file they are kept in.
#[derive(Debug, Clone)]
pub struct GeneratedSecrets {
    pub webhook_secret: Secret,
    pub api_key: Secret,
    pub file: SecretsFile,
}

/// The default store as configured, before the generated secrets fill its gaps.
#[derive(Debug)]
pub(super) struct DefaultStore {
    webhook_secrets: Vec<Secret>,
    api_key: Option<Secret>,
    url: Option<String>,
    consumer_key: Option<Secret>,
    consumer_secret: Option<Secret>,
}

impl DefaultStore {
    /// Nothing configures its webhook secret or its API key.
    pub fn needs_generated_secrets(&self) -> bool {
        self.webhook_secrets.is_empty() || self.api_key.is_none()
    }

    /// The default store, its gaps filled from `generated` (which start-up supplies
    /// whenever [`Self::needs_generated_secrets`]).
    pub fn complete(self, generated: Option<&GeneratedSecrets>) -> StoreConfig {
        let mut webhook_secrets = self.webhook_secrets;
        let mut api_key = self.api_key;
        if let Some(generated) = generated {
            if webhook_secrets.is_empty() {
                webhook_secrets.push(generated.webhook_secret.clone());
            }
            api_key = api_key.or_else(|| Some(generated.api_key.clone()));
        }
        StoreConfig {
            id: StoreId::default_store(),
            webhook_secrets,
            api_key: api_key.expect("start-up supplies the generated secrets the store needs"),
            url: self.url,
            consumer_key: self.consumer_key,
            consumer_secret: self.consumer_secret,
        }
    }
}

/// The file's stores (the environment already laid over the default one): the further
/// stores, complete and checked, and the default store.
pub(super) fn build(
    file_stores: Vec<FileStore>,
) -> Result<(Vec<StoreConfig>, DefaultStore), ConfigError> {
    let mut seen = HashSet::new();
    let mut default = None;
    let mut stores = Vec::new();
    for fs in file_stores {
        let id = StoreId::parse(&fs.id).map_err(|message| invalid("stores.id", message))?;
        if !seen.insert(id.clone()) {
            return Err(invalid(
                "stores.id",
                format!("store `{}` is listed twice", fs.id),
            ));
        }
        if id.is_default() {
            if fs.webhook_secrets.len() > 2 {
                return Err(invalid(
                    "stores.default.webhook_secrets",
                    "list one secret, or two while rotating",
                ));
            }
            default = Some(DefaultStore {
                webhook_secrets: fs.webhook_secrets.into_iter().map(Secret::new).collect(),
                api_key: fs.api_key.map(Secret::new),
                url: fs.url,
                consumer_key: fs.consumer_key.map(Secret::new),
                consumer_secret: fs.consumer_secret.map(Secret::new),
            });
            continue;
        }
        let field = |name: &str| format!("stores.{}.{name}", fs.id);
        if fs.webhook_secrets.is_empty() || fs.webhook_secrets.len() > 2 {
            return Err(invalid(
                field("webhook_secrets"),
                "list one secret, or two while rotating",
            ));
        }
        let api_key = fs
            .api_key
            .ok_or_else(|| invalid(field("api_key"), "is required for every listed store"))?;
        let store = StoreConfig {
            id,
            webhook_secrets: fs.webhook_secrets.into_iter().map(Secret::new).collect(),
            api_key: Secret::new(api_key),
            url: fs.url,
            consumer_key: fs.consumer_key.map(Secret::new),
            consumer_secret: fs.consumer_secret.map(Secret::new),
        };
        check(&store)?;
        stores.push(store);
    }
    let default = default.expect("the environment overlay always lists the default store");
    Ok((stores, default))
}

/// What every store must satisfy, the default one included.
pub(super) fn check(store: &StoreConfig) -> Result<(), ConfigError> {
    let field = |name: &str| format!("stores.{}.{name}", store.id);
    if let Some(url) = &store.url {
        super::validate_url(&field("url"), url)?;
    }
    if store.consumer_key.is_some() != store.consumer_secret.is_some() {
        return Err(invalid(
            field("consumer_key"),
            "consumer key and consumer secret go together",
        ));
    }
    for secret in &store.webhook_secrets {
        if secret.expose().trim().is_empty() {
            return Err(invalid(field("webhook_secrets"), "must not be empty"));
        }
    }
    if store.api_key.expose().len() < 16 {
        return Err(invalid(
            field("api_key"),
            "must be at least 16 characters long",
        ));
    }
    Ok(())
}

/// An API key names its store: no two stores may share one.
pub(super) fn check_unique_keys(stores: &[StoreConfig]) -> Result<(), ConfigError> {
    let mut keys = HashSet::new();
    for store in stores {
        if !keys.insert(store.api_key.expose()) {
            return Err(invalid(
                format!("stores.{}.api_key", store.id),
                "is already the key of another store; each store needs its own",
            ));
        }
    }
    Ok(())
}
