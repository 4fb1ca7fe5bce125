//! Configuration: command-line flags > environment > config file > embedded defaults.
//!
//! Reading and validating is pure: [`Draft::parse`] takes the flags, an environment lookup
//! and the file's text. Each domain builds its own settings from its section
//! (`invoice::settings`, `returns::settings`, `sync::settings`, `woo::settings`,
//! `tracking::settings`, `feeds::settings`, `signed_events::settings`, `support::settings`,
//! `surveys::settings`); this module only weighs the sources and assembles. What needs
//! the disk (the data dir, the generated secrets, the logo and font files) is the start-up
//! step's ([`crate::startup`]), which turns a [`Draft`] into the [`Config`] the rest of the
//! program reads; nothing looks at the environment or the file again.

pub mod env;
pub mod file;
pub mod stores;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use env::{EnvLookup, env_from, process_env};
pub use file::SourceFile;
pub use stores::{GeneratedSecrets, SecretsFile, StoreConfig};

use crate::feeds::FeedSettings;
use crate::ids::StoreId;
use crate::invalid::Invalid;
use crate::invoice::settings::InvoiceSettings;
use crate::notify::NotifySettings;
use crate::returns::settings::ReturnSettings;
use crate::shop::timezone::ZoneSettings;
use crate::signed_events::EventSettings;
use crate::store::Synchronous;
use crate::support::settings::SupportSettings;
use crate::surveys::SurveySettings;
use crate::sync::settings::SyncSettings;
use crate::tracking::TrackingSettings;
use crate::woo::ClientSettings;
use file::FileConfig;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_DATA_DIR: &str = "./aftercare-data";
/// The config file read when neither `--config` nor `AFTERCARE_CONFIG` names one.
pub const DEFAULT_CONFIG_FILE: &str = "aftercare.toml";
pub const DEFAULT_MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Where the service is reachable from WooCommerce, if it differs from `listen`.
    pub public_url: Option<String>,
    /// The header a reverse proxy in front of aftercare puts the client's address in
    /// (`X-Forwarded-For`, `X-Real-IP`, `CF-Connecting-IP`); without it, the peer address.
    /// Limits on guessing count per client.
    pub client_ip_header: Option<axum::http::HeaderName>,
    pub max_body_bytes: usize,
    pub synchronous: Synchronous,
    /// The time zones the configuration sets (`timezone`, `[[stores]] timezone`); a store
    /// without one takes the shop's own (see `shop::timezone`).
    pub timezones: ZoneSettings,
    pub stores: Vec<StoreConfig>,
    pub invoices: Arc<InvoiceSettings>,
    pub returns: ReturnSettings,
    /// `[tracking]`: calendar, transit times, delay rules, tracking page branding.
    pub tracking: Arc<TrackingSettings>,
    /// `[feeds]`: each store's tracking provider and the polling schedule.
    pub feeds: Arc<FeedSettings>,
    /// `[events]`: each store's signed event endpoints and the retry schedule.
    pub events: Arc<EventSettings>,
    /// `[notify]`: channels, quiet hours, what counts as stale.
    pub notify: Arc<NotifySettings>,
    /// `[support]`: the support hours business-hours metrics count.
    pub support: SupportSettings,
    /// `[surveys]`: when NPS and CSAT surveys go, the throttle, links and edits.
    pub surveys: Arc<SurveySettings>,
    /// `[guides]`: when the `product_guide` message goes after delivery.
    pub guides: Arc<crate::guides::GuideSettings>,
    /// `[insights]`: what counts as an active customer.
    pub insights: crate::insights::InsightSettings,
    /// `[privacy]`: how long orders keep their personal data (off: as long as they exist).
    pub privacy: crate::privacy::PrivacySettings,
    /// The default store's generated secrets, when they are used (nothing configured them).
    pub generated_secrets: Option<SecretsFile>,
    /// Reconciliation with the WooCommerce REST API and the webhook watch.
    pub sync: SyncSettings,
    /// Timeouts and retries of every WooCommerce REST call.
    pub woocommerce: ClientSettings,
}

impl Config {
    pub fn store(&self, id: &str) -> Option<&StoreConfig> {
        self.stores.iter().find(|s| s.id == id)
    }

    /// What the configuration says about `store`'s own facts (`[seller]`, its tracking
    /// page's name), to be weighed against the shop's profile. Its time zone is
    /// [`Self::timezones`]'.
    pub fn shop(&self, store: &StoreId) -> crate::shop::Configured<'_> {
        crate::shop::Configured {
            seller: &self.invoices.seller,
            logo_png: self.invoices.logo_png.as_deref(),
            page_name: self.tracking.branding(store).store_name,
        }
    }

    /// What sync reads of the configuration.
    pub fn sync_config(&self) -> crate::sync::SyncConfig {
        crate::sync::SyncConfig {
            sync: self.sync.clone(),
            woocommerce: self.woocommerce.clone(),
            stores: self
                .stores
                .iter()
                .map(|s| crate::sync::SyncStore {
                    access: crate::woo::RestAccess::from(s).into(),
                    webhook_secret: s.webhook_secrets.first().cloned(),
                    parcel_feed: self.feeds.parcel_feed(&s.id),
                })
                .collect(),
            public_base_url: self.public_url.as_ref().map(|_| self.base_url()),
            base_url: self.base_url(),
            invoices: self.invoices.clone(),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("aftercare.sqlite3")
    }

    /// The base URL WooCommerce should deliver to.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Overrides the public URL (`aftercare connect --public-url`).
    pub fn set_public_url(&mut self, url: &str) -> Result<(), ConfigError> {
        validate_url("--public-url", url)?;
        self.public_url = Some(url.trim_end_matches('/').to_owned());
        Ok(())
    }
}

/// Values given on the command line (highest precedence).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    ParseFile { path: PathBuf, message: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl From<Invalid> for ConfigError {
    fn from(e: Invalid) -> Self {
        ConfigError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    Invalid::new(field, message).into()
}

/// Reads the config file the flags or the environment name (or `./aftercare.toml`, when
/// it exists) and parses everything into a [`Draft`]. Reading that file is all it does
/// with the disk.
pub fn load(flags: &Flags, env: EnvLookup<'_>) -> Result<Draft, ConfigError> {
    // Like the other defaults, the file has one: `./aftercare.toml`, when it exists.
    let path = flags
        .config
        .clone()
        .or_else(|| env(env::CONFIG).map(PathBuf::from))
        .or_else(|| {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            default.is_file().then_some(default)
        });
    let file = path.as_deref().map(SourceFile::read).transpose()?;
    Draft::parse(flags, env, file.as_ref())
}

/// The configuration as flags, environment and file give it, validated. The start-up step
/// completes it with what lives on disk: the default store's generated secrets (when
/// nothing configures them) and the seller's logo.
#[derive(Debug)]
pub struct Draft {
    /// Complete but for the default store (added by [`Draft::complete`]) and the logo.
    config: Config,
    default_store: stores::DefaultStore,
}

impl Draft {
    /// Weighs flags over the environment over `file` over the defaults, and validates.
    /// Pure: `file` is the config file's text, already read.
    pub fn parse(
        flags: &Flags,
        env: EnvLookup<'_>,
        file: Option<&SourceFile>,
    ) -> Result<Draft, ConfigError> {
        let mut values = match file {
            Some(file) => FileConfig::parse(file)?,
            None => FileConfig::default(),
        };
        env::overlay(&mut values, env)?;

        let listen = match (flags.listen, env(env::LISTEN), &values.listen) {
            (Some(addr), _, _) => addr,
            (None, Some(text), _) => parse_listen(env::LISTEN, &text)?,
            (None, None, Some(text)) => parse_listen("listen", text)?,
            (None, None, None) => DEFAULT_LISTEN.parse().expect("valid default"),
        };
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env(env::DATA_DIR).map(PathBuf::from))
            .or(values.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        if let Some(url) = &values.public_url {
            validate_url("public_url", url)?;
        }
        let client_ip_header = match values.client_ip_header.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(name) => Some(axum::http::HeaderName::try_from(name).map_err(|_| {
                invalid(
                    "client_ip_header (AFTERCARE_CLIENT_IP_HEADER)",
                    "must be a header name, such as X-Forwarded-For",
                )
            })?),
        };
        let max_body_bytes = values
            .webhooks
            .max_body_bytes
            .unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes < 1024 {
            return Err(invalid(
                "webhooks.max_body_bytes",
                "must be at least 1024 bytes",
            ));
        }
        let mut timezones = ZoneSettings {
            global: values
                .timezone
                .as_deref()
                .map(|name| ZoneSettings::configured("timezone", name))
                .transpose()?,
            ..ZoneSettings::default()
        };
        let store_zones: Vec<(String, String)> = values
            .stores
            .iter()
            .filter_map(|s| Some((s.id.clone(), s.timezone.clone()?)))
            .collect();
        let sync = crate::sync::settings::build(&values.sync)?;
        let woocommerce = crate::woo::settings::build(&values.woocommerce)?;
        let invoices = crate::invoice::settings::build(values.invoices, values.seller)?;
        let returns = crate::returns::settings::build(values.returns)?;
        let (stores, default_store) = stores::build(values.stores)?;
        let default = StoreId::default_store();
        let store_ids: Vec<&StoreId> = std::iter::once(&default)
            .chain(stores.iter().map(|s| &s.id))
            .collect();
        for (id, name) in store_zones {
            let zone = ZoneSettings::configured(&format!("stores.{id}.timezone"), &name)?;
            let id = StoreId::parse(&id).map_err(|message| invalid("stores.id", message))?;
            timezones.stores.insert(id, zone);
        }
        let tracking = crate::tracking::settings::build(values.tracking, &store_ids)?;
        let feeds =
            crate::feeds::settings::build(values.feeds, &store_ids, values.public_url.as_deref())?;
        let events = crate::signed_events::settings::build(values.events, &store_ids)?;
        let notify = crate::notify::settings::build(values.notify, &store_ids)?;
        let support = crate::support::settings::build(values.support)?;
        let surveys = crate::surveys::settings::build(values.surveys, &store_ids)?;
        let guides = crate::guides::settings::build(values.guides, &store_ids)?;
        let insights = crate::insights::settings::build(values.insights)?;
        let privacy = crate::privacy::settings::build(values.privacy)?;

        Ok(Draft {
            config: Config {
                listen,
                data_dir,
                public_url: values.public_url,
                client_ip_header,
                max_body_bytes,
                synchronous: values.database.synchronous.unwrap_or_default(),
                timezones,
                stores,
                invoices: Arc::new(invoices),
                returns,
                tracking: Arc::new(tracking),
                feeds: Arc::new(feeds),
                events: Arc::new(events),
                notify: Arc::new(notify),
                support,
                surveys: Arc::new(surveys),
                guides: Arc::new(guides),
                insights,
                privacy,
                generated_secrets: None,
                sync,
                woocommerce,
            },
            default_store,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// Nothing configures the default store's webhook secret or API key: start-up must
    /// read (or, on first start, generate) the secrets file.
    pub fn needs_generated_secrets(&self) -> bool {
        self.default_store.needs_generated_secrets()
    }

    /// The seller's logo file, for start-up to read.
    pub fn logo(&self) -> Option<&Path> {
        self.config.invoices.seller.logo.as_deref()
    }

    /// The invoice fallback fonts, for start-up to check.
    pub fn fallback_fonts(&self) -> &[(PathBuf, usize)] {
        &self.config.invoices.fallback_fonts
    }

    /// The finished configuration. `generated` must be given when
    /// [`Self::needs_generated_secrets`]; `logo_png` is the logo file's content.
    pub fn complete(
        self,
        generated: Option<GeneratedSecrets>,
        logo_png: Option<Vec<u8>>,
    ) -> Result<Config, ConfigError> {
        let Draft {
            mut config,
            default_store,
        } = self;
        let default = default_store.complete(generated.as_ref());
        // The secrets file may have been edited by hand: its values are checked too.
        stores::check(&default)?;
        config.stores.insert(0, default);
        stores::check_unique_keys(&config.stores)?;
        config.generated_secrets = generated.map(|g| g.file);
        if let Some(png) = logo_png {
            Arc::make_mut(&mut config.invoices).logo_png = Some(png);
        }
        Ok(config)
    }
}

fn parse_listen(field: &str, text: &str) -> Result<SocketAddr, ConfigError> {
    text.parse().map_err(|_| {
        invalid(
            field,
            format!("`{text}` is not an address like 127.0.0.1:8787"),
        )
    })
}

fn validate_url(field: &str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(invalid(field, "must start with http:// or https://"))
    }
}

#[cfg(test)]
mod tests;
