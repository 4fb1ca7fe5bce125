//! Configuration: command-line flags > environment > config file > embedded defaults.
//!
//! Everything is read and validated once, at start, into [`Config`]; the rest of the
//! program never looks at the environment or the file again.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use serde::{Deserialize, Serialize};

/// Id of the store configured from `AFTERCARE_*` variables.
pub const DEFAULT_STORE: &str = "default";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_DATA_DIR: &str = "./aftercare-data";
/// The config file read when neither `--config` nor `AFTERCARE_CONFIG` names one.
pub const DEFAULT_CONFIG_FILE: &str = "aftercare.toml";
pub const DEFAULT_MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// File in the data dir holding generated secrets of the default store.
pub const SECRETS_FILE: &str = "secrets.toml";

/// A credential that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    fn generate() -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How hard SQLite flushes each commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync the WAL on every commit: an acknowledged delivery survives power loss.
    #[default]
    Full,
    /// Survives a crash of the process, may lose the last commits on power loss.
    Normal,
}

impl Synchronous {
    pub fn pragma(self) -> &'static str {
        match self {
            Self::Full => "FULL",
            Self::Normal => "NORMAL",
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub id: String,
    /// One or two secrets; two are valid at once while a secret is rotated.
    pub webhook_secrets: Vec<Secret>,
    pub api_key: Secret,
    pub url: Option<String>,
    pub consumer_key: Option<Secret>,
    pub consumer_secret: Option<Secret>,
}

/// Who issues the invoices: printed at the top of every invoice and credit note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Seller {
    pub name: String,
    /// Address lines, in print order.
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A PNG logo file.
    pub logo: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct InvoiceSettings {
    /// An order with one of these statuses (or with `date_paid` set) is paid.
    pub paid_statuses: Vec<String>,
    /// Issue invoices for orders whose total is zero.
    pub free_orders: bool,
    /// How long a signed download link stays valid.
    pub link_ttl: jiff::SignedDuration,
    pub numbering: crate::invoice::numbering::NumberFormat,
    pub credit_note_numbering: crate::invoice::numbering::NumberFormat,
    pub seller: Seller,
    pub logo_png: Option<Vec<u8>>,
    /// Fonts tried, in order, for characters the embedded font lacks (CJK and more), with
    /// the face index inside a `.ttc` collection (`path#1` in the config).
    pub fallback_fonts: Vec<(PathBuf, usize)>,
}

#[derive(Debug, Clone)]
pub struct ReturnSettings {
    pub policy: crate::returns::eligibility::Policy,
    /// Sent as `api_refund` with every WooCommerce refund: `true` asks the payment gateway
    /// to pay the money back; `false` (the default) only records the refund.
    pub api_refund: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Where the service is reachable from WooCommerce, if it differs from `listen`.
    pub public_url: Option<String>,
    pub max_body_bytes: usize,
    pub synchronous: Synchronous,
    /// The shop's time zone: the calendar of invoice dates, yearly number resets and
    /// business days. UTC unless configured.
    pub timezone: jiff::tz::TimeZone,
    pub stores: Vec<StoreConfig>,
    pub invoices: std::sync::Arc<InvoiceSettings>,
    pub returns: ReturnSettings,
    /// `[tracking]`: calendar, transit times, delay rules, tracking page branding.
    pub tracking: std::sync::Arc<crate::tracking::TrackingSettings>,
    /// The default store's generated secrets, when they are used (nothing configured them).
    pub generated_secrets: Option<SecretsFile>,
    /// Reconciliation with the WooCommerce REST API and the webhook watch.
    pub sync: SyncSettings,
    /// Timeouts and retries of every WooCommerce REST call.
    pub woocommerce: crate::woo::ClientSettings,
}

/// When `serve` reconciles the mirror with WooCommerce and checks the webhooks. `None`
/// switches a schedule off.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Fetch the orders modified since the last run this often.
    pub reconcile_interval: Option<std::time::Duration>,
    /// Each run starts this far before the newest modification it saw last time.
    pub reconcile_overlap: std::time::Duration,
    /// Walk every order this often (catches meta-only changes that keep `date_modified`).
    pub full_sweep_interval: Option<std::time::Duration>,
    /// Check (and re-activate) the order webhooks this often.
    pub webhook_check_interval: Option<std::time::Duration>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        use std::time::Duration;
        Self {
            reconcile_interval: Some(Duration::from_secs(DEFAULT_RECONCILE_SECONDS)),
            reconcile_overlap: Duration::from_secs(DEFAULT_OVERLAP_SECONDS),
            full_sweep_interval: Some(Duration::from_secs(DEFAULT_FULL_SWEEP_SECONDS)),
            webhook_check_interval: Some(Duration::from_secs(DEFAULT_WEBHOOK_CHECK_SECONDS)),
        }
    }
}

pub const DEFAULT_RECONCILE_SECONDS: u64 = 300;
pub const DEFAULT_OVERLAP_SECONDS: u64 = 600;
pub const DEFAULT_FULL_SWEEP_SECONDS: u64 = 86_400;
pub const DEFAULT_WEBHOOK_CHECK_SECONDS: u64 = 3_600;

impl Config {
    pub fn store(&self, id: &str) -> Option<&StoreConfig> {
        self.stores.iter().find(|s| s.id == id)
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

    /// The path of a store's webhook endpoint, relative to the public URL.
    pub fn webhook_path(store: &str) -> String {
        if store == DEFAULT_STORE {
            "/webhooks/woocommerce".to_owned()
        } else {
            format!("/webhooks/woocommerce/{store}")
        }
    }

    pub fn webhook_url(&self, store: &str) -> String {
        if store == DEFAULT_STORE {
            format!("{}/webhooks/woocommerce", self.base_url())
        } else {
            format!("{}/webhooks/woocommerce/{store}", self.base_url())
        }
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
    #[error("cannot prepare data dir {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The config file, `aftercare.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    public_url: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    webhooks: FileWebhooks,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    stores: Vec<FileStore>,
    #[serde(default)]
    invoices: FileInvoices,
    #[serde(default)]
    seller: Seller,
    #[serde(default)]
    returns: FileReturns,
    #[serde(default)]
    sync: FileSync,
    #[serde(default)]
    woocommerce: FileWoocommerce,
    #[serde(default)]
    tracking: crate::tracking::settings::FileTracking,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileReturns {
    window_days: Option<u32>,
    #[serde(default)]
    non_returnable_skus: Vec<String>,
    api_refund: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSync {
    reconcile_interval_seconds: Option<u64>,
    reconcile_overlap_seconds: Option<u64>,
    full_sweep_interval_seconds: Option<u64>,
    webhook_check_interval_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWoocommerce {
    timeout_seconds: Option<u64>,
    max_retries: Option<u32>,
    max_retry_wait_seconds: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInvoices {
    paid_statuses: Option<Vec<String>>,
    free_orders: Option<bool>,
    link_ttl_days: Option<u32>,
    numbering: Option<crate::invoice::numbering::NumberFormat>,
    credit_note_numbering: Option<crate::invoice::numbering::NumberFormat>,
    #[serde(default)]
    fallback_fonts: Vec<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWebhooks {
    max_body_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    synchronous: Option<Synchronous>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStore {
    id: String,
    #[serde(default)]
    webhook_secrets: Vec<String>,
    api_key: Option<String>,
    url: Option<String>,
    consumer_key: Option<String>,
    consumer_secret: Option<String>,
}

/// Secrets generated on first start, kept in the data dir with mode 0600.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GeneratedSecrets {
    webhook_secret: String,
    api_key: String,
}

/// Reads an environment variable; injected so tests need not touch the process environment.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Builds the configuration from flags, environment, file and defaults, creating the data
    /// dir and generating the default store's secrets when none are configured anywhere.
    pub fn load(flags: &Flags, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
        // Like the other defaults, the file has one: `./aftercare.toml`, when it exists.
        let file_path = flags
            .config
            .clone()
            .or_else(|| env("AFTERCARE_CONFIG").map(PathBuf::from))
            .or_else(|| {
                let default = PathBuf::from(DEFAULT_CONFIG_FILE);
                default.is_file().then_some(default)
            });
        let file = match &file_path {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };

        let listen = match (flags.listen, env("AFTERCARE_LISTEN"), &file.listen) {
            (Some(addr), _, _) => addr,
            (None, Some(text), _) => parse_listen("AFTERCARE_LISTEN", &text)?,
            (None, None, Some(text)) => parse_listen("listen", text)?,
            (None, None, None) => DEFAULT_LISTEN.parse().expect("valid default"),
        };
        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env("AFTERCARE_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let public_url = env("AFTERCARE_PUBLIC_URL").or(file.public_url.clone());
        if let Some(url) = &public_url {
            validate_url("public_url", url)?;
        }
        let max_body_bytes = match env("AFTERCARE_MAX_BODY_BYTES") {
            Some(text) => text.parse().map_err(|_| {
                invalid(
                    "AFTERCARE_MAX_BODY_BYTES",
                    "must be a whole number of bytes",
                )
            })?,
            None => file
                .webhooks
                .max_body_bytes
                .unwrap_or(DEFAULT_MAX_BODY_BYTES),
        };
        if max_body_bytes < 1024 {
            return Err(invalid(
                "webhooks.max_body_bytes",
                "must be at least 1024 bytes",
            ));
        }
        let synchronous = match env("AFTERCARE_SQLITE_SYNCHRONOUS") {
            Some(text) => match text.to_ascii_lowercase().as_str() {
                "full" => Synchronous::Full,
                "normal" => Synchronous::Normal,
                _ => {
                    return Err(invalid(
                        "AFTERCARE_SQLITE_SYNCHRONOUS",
                        "must be `full` or `normal`",
                    ));
                }
            },
            None => file.database.synchronous.unwrap_or_default(),
        };

        let timezone = match env("AFTERCARE_TIMEZONE").or(file.timezone.clone()) {
            Some(name) => jiff::tz::TimeZone::get(&name).map_err(|_| {
                invalid(
                    "timezone",
                    format!(
                        "`{name}` is not an IANA time zone such as Asia/Seoul or Europe/Berlin"
                    ),
                )
            })?,
            None => jiff::tz::TimeZone::UTC,
        };
        let sync = build_sync(&file.sync, env)?;
        let woocommerce = build_woocommerce(&file.woocommerce)?;
        let invoices = build_invoices(file.invoices, file.seller, env)?;
        let returns = build_returns(file.returns, env)?;
        prepare_data_dir(&data_dir)?;
        let (stores, generated_secrets) = build_stores(file.stores, &data_dir, env)?;
        let store_ids: Vec<&str> = stores.iter().map(|s| s.id.as_str()).collect();
        let tracking = crate::tracking::settings::build(file.tracking, &store_ids, &timezone)
            .map_err(|(field, message)| invalid(field, message))?;

        Ok(Config {
            listen,
            data_dir,
            public_url,
            max_body_bytes,
            synchronous,
            timezone,
            stores,
            invoices: std::sync::Arc::new(invoices),
            returns,
            tracking: std::sync::Arc::new(tracking),
            generated_secrets,
            sync,
            woocommerce,
        })
    }
}

fn build_sync(file: &FileSync, env: EnvLookup<'_>) -> Result<SyncSettings, ConfigError> {
    use std::time::Duration;
    // 0 switches a schedule off.
    let every = |seconds: u64| (seconds > 0).then(|| Duration::from_secs(seconds));
    let reconcile = match env("AFTERCARE_RECONCILE_INTERVAL_SECONDS") {
        Some(text) => text.trim().parse().map_err(|_| {
            invalid(
                "AFTERCARE_RECONCILE_INTERVAL_SECONDS",
                "must be a whole number of seconds (0 switches reconciliation off)",
            )
        })?,
        None => file
            .reconcile_interval_seconds
            .unwrap_or(DEFAULT_RECONCILE_SECONDS),
    };
    let overlap = file
        .reconcile_overlap_seconds
        .unwrap_or(DEFAULT_OVERLAP_SECONDS);
    if overlap > 7 * 86_400 {
        return Err(invalid(
            "sync.reconcile_overlap_seconds",
            "must be at most a week (604800)",
        ));
    }
    Ok(SyncSettings {
        reconcile_interval: every(reconcile),
        reconcile_overlap: Duration::from_secs(overlap),
        full_sweep_interval: every(
            file.full_sweep_interval_seconds
                .unwrap_or(DEFAULT_FULL_SWEEP_SECONDS),
        ),
        webhook_check_interval: every(
            file.webhook_check_interval_seconds
                .unwrap_or(DEFAULT_WEBHOOK_CHECK_SECONDS),
        ),
    })
}

fn build_woocommerce(file: &FileWoocommerce) -> Result<crate::woo::ClientSettings, ConfigError> {
    use std::time::Duration;
    let mut settings = crate::woo::ClientSettings::default();
    if let Some(seconds) = file.timeout_seconds {
        if !(1..=600).contains(&seconds) {
            return Err(invalid(
                "woocommerce.timeout_seconds",
                "must be between 1 and 600",
            ));
        }
        settings.timeout = Duration::from_secs(seconds);
        settings.connect_timeout = settings.connect_timeout.min(settings.timeout);
    }
    if let Some(retries) = file.max_retries {
        if retries > 10 {
            return Err(invalid("woocommerce.max_retries", "must be at most 10"));
        }
        settings.max_retries = retries;
    }
    if let Some(seconds) = file.max_retry_wait_seconds {
        if !(1..=3600).contains(&seconds) {
            return Err(invalid(
                "woocommerce.max_retry_wait_seconds",
                "must be between 1 and 3600",
            ));
        }
        settings.max_retry_wait = Duration::from_secs(seconds);
    }
    Ok(settings)
}

fn build_invoices(
    file: FileInvoices,
    mut seller: Seller,
    env: EnvLookup<'_>,
) -> Result<InvoiceSettings, ConfigError> {
    use crate::invoice::numbering::NumberFormat;
    let numbering = file.numbering.unwrap_or_else(NumberFormat::invoices);
    numbering
        .validate("invoices.numbering")
        .map_err(|m| invalid("invoices.numbering", m))?;
    let credit_note_numbering = file
        .credit_note_numbering
        .unwrap_or_else(NumberFormat::credit_notes);
    credit_note_numbering
        .validate("invoices.credit_note_numbering")
        .map_err(|m| invalid("invoices.credit_note_numbering", m))?;
    if let Some(name) = env("AFTERCARE_SELLER_NAME") {
        seller.name = name;
    }
    let logo_png = match &seller.logo {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| ConfigError::ReadFile {
                path: path.clone(),
                source,
            })?;
            if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err(invalid("seller.logo", "must be a PNG file"));
            }
            Some(bytes)
        }
        None => None,
    };
    let link_ttl_days = file.link_ttl_days.unwrap_or(30);
    if !(1..=3650).contains(&link_ttl_days) {
        return Err(invalid(
            "invoices.link_ttl_days",
            "must be between 1 and 3650 days",
        ));
    }
    let mut fallback_fonts = file.fallback_fonts;
    if let Some(paths) = env("AFTERCARE_FALLBACK_FONTS") {
        fallback_fonts = std::env::split_paths(&paths).collect();
    }
    let mut fonts = Vec::new();
    for font in fallback_fonts {
        let text = font.to_string_lossy().into_owned();
        let (path, face) = match text.rsplit_once('#') {
            Some((path, face)) if face.parse::<usize>().is_ok() => {
                (PathBuf::from(path), face.parse().expect("checked"))
            }
            _ => (font, 0),
        };
        if !path.is_file() {
            return Err(invalid(
                "invoices.fallback_fonts",
                format!("{} is not a font file", path.display()),
            ));
        }
        fonts.push((path, face));
    }
    Ok(InvoiceSettings {
        paid_statuses: file
            .paid_statuses
            .unwrap_or_else(|| vec!["processing".into(), "completed".into()]),
        free_orders: file.free_orders.unwrap_or(false),
        link_ttl: jiff::SignedDuration::from_hours(24 * i64::from(link_ttl_days)),
        numbering,
        credit_note_numbering,
        seller,
        logo_png,
        fallback_fonts: fonts,
    })
}

fn build_returns(file: FileReturns, env: EnvLookup<'_>) -> Result<ReturnSettings, ConfigError> {
    let window_days = match env("AFTERCARE_RETURN_WINDOW_DAYS") {
        Some(text) => text.parse().map_err(|_| {
            invalid(
                "AFTERCARE_RETURN_WINDOW_DAYS",
                "must be a whole number of days",
            )
        })?,
        None => file.window_days.unwrap_or(30),
    };
    if !(1..=3650).contains(&window_days) {
        return Err(invalid(
            "returns.window_days",
            "must be between 1 and 3650 days",
        ));
    }
    let api_refund = match env("AFTERCARE_RETURN_API_REFUND") {
        Some(text) => match text.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(invalid(
                    "AFTERCARE_RETURN_API_REFUND",
                    "must be `true` or `false`",
                ));
            }
        },
        None => file.api_refund.unwrap_or(false),
    };
    Ok(ReturnSettings {
        policy: crate::returns::eligibility::Policy {
            window_days,
            non_returnable_skus: file
                .non_returnable_skus
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        },
        api_refund,
    })
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::ParseFile {
        path: path.to_owned(),
        message: e.to_string(),
    })
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

fn validate_store_id(id: &str) -> Result<(), ConfigError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "stores.id",
            format!("`{id}` must be 1-64 characters of a-z, 0-9, `-` or `_`"),
        ))
    }
}

fn prepare_data_dir(dir: &Path) -> Result<(), ConfigError> {
    let fail = |source| ConfigError::DataDir {
        path: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        }
    }
    Ok(())
}

/// Where the default store's generated secrets are kept (mode 0600).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsFile {
    pub path: PathBuf,
    /// This start created them.
    pub fresh: bool,
}

fn build_stores(
    file_stores: Vec<FileStore>,
    data_dir: &Path,
    env: EnvLookup<'_>,
) -> Result<(Vec<StoreConfig>, Option<SecretsFile>), ConfigError> {
    let mut seen = HashSet::new();
    let mut file_default = None;
    let mut stores = Vec::new();
    for fs in file_stores {
        validate_store_id(&fs.id)?;
        if !seen.insert(fs.id.clone()) {
            return Err(invalid(
                "stores.id",
                format!("store `{}` is listed twice", fs.id),
            ));
        }
        if fs.id == DEFAULT_STORE {
            file_default = Some(fs);
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
        stores.push(StoreConfig {
            id: fs.id,
            webhook_secrets: fs.webhook_secrets.into_iter().map(Secret).collect(),
            api_key: Secret(api_key),
            url: fs.url,
            consumer_key: fs.consumer_key.map(Secret),
            consumer_secret: fs.consumer_secret.map(Secret),
        });
    }

    // The default store: environment over file, then generated secrets.
    let file_default = file_default.unwrap_or_else(|| FileStore {
        id: DEFAULT_STORE.into(),
        ..FileStore::default()
    });
    let mut secrets: Vec<Secret> = match env("AFTERCARE_WEBHOOK_SECRET") {
        Some(s) => vec![Secret(s)],
        None => file_default
            .webhook_secrets
            .into_iter()
            .map(Secret)
            .collect(),
    };
    if let Some(previous) = env("AFTERCARE_WEBHOOK_SECRET_PREVIOUS") {
        secrets.truncate(1);
        secrets.push(Secret(previous));
    }
    if secrets.len() > 2 {
        return Err(invalid(
            "stores.default.webhook_secrets",
            "list one secret, or two while rotating",
        ));
    }
    let mut api_key = env("AFTERCARE_API_KEY")
        .or(file_default.api_key)
        .map(Secret);
    let mut generated = None;
    if secrets.is_empty() || api_key.is_none() {
        let (stored, path, fresh) = load_or_generate_secrets(data_dir)?;
        generated = Some(SecretsFile { path, fresh });
        if secrets.is_empty() {
            secrets.push(Secret(stored.webhook_secret));
        }
        if api_key.is_none() {
            api_key = Some(Secret(stored.api_key));
        }
    }
    stores.insert(
        0,
        StoreConfig {
            id: DEFAULT_STORE.into(),
            webhook_secrets: secrets,
            api_key: api_key.expect("set above"),
            url: env("AFTERCARE_STORE_URL").or(file_default.url),
            consumer_key: env("AFTERCARE_WC_CONSUMER_KEY")
                .or(file_default.consumer_key)
                .map(Secret),
            consumer_secret: env("AFTERCARE_WC_CONSUMER_SECRET")
                .or(file_default.consumer_secret)
                .map(Secret),
        },
    );

    let mut keys = HashSet::new();
    for store in &stores {
        let field = |name: &str| format!("stores.{}.{name}", store.id);
        if let Some(url) = &store.url {
            validate_url(&field("url"), url)?;
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
        if !keys.insert(store.api_key.expose().to_owned()) {
            return Err(invalid(
                field("api_key"),
                "is already the key of another store; each store needs its own",
            ));
        }
    }
    Ok((stores, generated))
}

/// Returns the stored secrets, generating and saving them (mode 0600) on first start.
fn load_or_generate_secrets(
    data_dir: &Path,
) -> Result<(GeneratedSecrets, PathBuf, bool), ConfigError> {
    let path = data_dir.join(SECRETS_FILE);
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::ReadFile {
            path: path.clone(),
            source,
        })?;
        let secrets = toml::from_str(&text).map_err(|e| ConfigError::ParseFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        return Ok((secrets, path, false));
    }
    let secrets = GeneratedSecrets {
        webhook_secret: Secret::generate().0,
        api_key: format!("ack_{}", Secret::generate().0),
    };
    let mut text = String::from(
        "# Generated by aftercare on first start. Paste webhook_secret into WooCommerce\n\
         # (Settings > Advanced > Webhooks > Secret) and api_key into the aftercare plugin.\n",
    );
    text.push_str(&toml::to_string(&secrets).expect("plain strings serialize"));
    write_private(&path, text.as_bytes()).map_err(|source| ConfigError::DataDir {
        path: path.clone(),
        source,
    })?;
    Ok((secrets, path, true))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Environment lookup over a fixed map, for tests and embedding.
pub fn env_from(map: BTreeMap<String, String>) -> impl Fn(&str) -> Option<String> {
    move |name| map.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        env_from(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn flags(dir: &Path, config: Option<PathBuf>) -> Flags {
        Flags {
            listen: None,
            data_dir: Some(dir.join("data")),
            config,
        }
    }

    /// The example in docs/configuration.md is a config that loads (minus the files it names).
    #[test]
    fn the_documented_example_config_loads() {
        let page = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/configuration.md"
        ));
        let start = page.find("```toml\n").expect("a TOML example") + 8;
        let example = &page[start..start + page[start..].find("```").unwrap()];
        let example: String = example
            .lines()
            .filter(|l| !l.starts_with("logo =") && !l.starts_with("fallback_fonts ="))
            .map(|l| format!("{l}\n"))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aftercare.toml");
        std::fs::write(&file, example).unwrap();
        let config = Config::load(&flags(dir.path(), Some(file)), &env(&[])).unwrap();
        assert_eq!(config.stores.len(), 2);
        assert_eq!(config.timezone.iana_name(), Some("Asia/Seoul"));
        assert_eq!(config.invoices.numbering.padding, 6);
        assert_eq!(
            config.invoices.seller.tax_id.as_deref(),
            Some("123-45-67890")
        );
    }

    #[test]
    fn first_start_generates_private_secrets_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = Config::load(&flags(dir.path(), None), &env(&[])).unwrap();
        let generated = first
            .generated_secrets
            .clone()
            .expect("used on first start");
        assert!(generated.fresh, "generated on first start");
        let path = generated.path;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let store = first.store(DEFAULT_STORE).unwrap();
        assert!(store.api_key.expose().len() >= 32);
        assert!(
            !format!("{first:?}").contains(store.api_key.expose()),
            "secrets never print"
        );

        let second = Config::load(&flags(dir.path(), None), &env(&[])).unwrap();
        assert_eq!(
            second.generated_secrets,
            Some(SecretsFile {
                path: path.clone(),
                fresh: false
            }),
            "reused, not regenerated, and still said where"
        );
        assert_eq!(second.store(DEFAULT_STORE).unwrap().api_key, store.api_key);
        assert_eq!(second.listen.to_string(), DEFAULT_LISTEN);
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aftercare.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:1111\"\npublic_url = \"https://file.example\"\n\
             [database]\nsynchronous = \"normal\"\n\
             [[stores]]\nid = \"default\"\nwebhook_secrets = [\"file-secret\"]\n\
             api_key = \"file-api-key-0123456789\"\n",
        )
        .unwrap();
        let from_file = Config::load(&flags(dir.path(), Some(file.clone())), &env(&[])).unwrap();
        assert_eq!(from_file.listen.to_string(), "127.0.0.1:1111");
        assert_eq!(from_file.synchronous, Synchronous::Normal);
        let store = from_file.store(DEFAULT_STORE).unwrap();
        assert_eq!(store.webhook_secrets, [Secret::new("file-secret")]);
        assert!(from_file.generated_secrets.is_none());

        let e = env(&[
            ("AFTERCARE_LISTEN", "127.0.0.1:2222"),
            ("AFTERCARE_WEBHOOK_SECRET", "env-secret"),
            ("AFTERCARE_PUBLIC_URL", "https://env.example"),
        ]);
        let from_env = Config::load(&flags(dir.path(), Some(file.clone())), &e).unwrap();
        assert_eq!(from_env.listen.to_string(), "127.0.0.1:2222");
        assert_eq!(
            from_env.webhook_url(DEFAULT_STORE),
            "https://env.example/webhooks/woocommerce"
        );
        assert_eq!(
            from_env.store(DEFAULT_STORE).unwrap().webhook_secrets,
            [Secret::new("env-secret")]
        );
        assert_eq!(
            from_env.store(DEFAULT_STORE).unwrap().api_key,
            Secret::new("file-api-key-0123456789"),
            "the file still fills what the environment leaves out"
        );

        let mut f = flags(dir.path(), Some(file));
        f.listen = Some("127.0.0.1:3333".parse().unwrap());
        let from_flags = Config::load(&f, &e).unwrap();
        assert_eq!(from_flags.listen.to_string(), "127.0.0.1:3333");
    }

    #[test]
    fn invalid_settings_name_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("listen = \"nowhere\"", "listen"),
            ("bogus = 1", "unknown field"),
            ("[webhooks]\nmax_body_bytes = 10", "max_body_bytes"),
            (
                "[[stores]]\nid = \"Shop A\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"",
                "stores.id",
            ),
            (
                "[[stores]]\nid = \"b\"\napi_key = \"k123456789012345678\"",
                "stores.b.webhook_secrets",
            ),
            (
                "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]",
                "stores.b.api_key",
            ),
            (
                "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"short\"",
                "at least 16",
            ),
            (
                "[[stores]]\nid = \"b\"\nwebhook_secrets = [\"s\"]\napi_key = \"k123456789012345678\"\nurl = \"shop.example\"",
                "stores.b.url",
            ),
        ];
        for (toml, expected) in cases {
            let file = dir.path().join("bad.toml");
            std::fs::write(&file, toml).unwrap();
            let err = Config::load(&flags(dir.path(), Some(file)), &env(&[])).unwrap_err();
            assert!(err.to_string().contains(expected), "`{toml}` gave: {err}");
        }
        let err = Config::load(
            &flags(dir.path(), None),
            &env(&[("AFTERCARE_SQLITE_SYNCHRONOUS", "sometimes")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("AFTERCARE_SQLITE_SYNCHRONOUS"));
        let missing = Config::load(
            &flags(dir.path(), Some(dir.path().join("none.toml"))),
            &env(&[]),
        )
        .unwrap_err();
        assert!(missing.to_string().contains("cannot read config file"));
    }

    #[test]
    fn sync_schedules_have_defaults_and_zero_switches_them_off() {
        let dir = tempfile::tempdir().unwrap();
        let defaults = Config::load(&flags(dir.path(), None), &env(&[])).unwrap();
        assert_eq!(
            defaults.sync.reconcile_interval,
            Some(std::time::Duration::from_secs(300))
        );
        assert_eq!(
            defaults.sync.reconcile_overlap,
            std::time::Duration::from_secs(600)
        );
        assert_eq!(
            defaults.sync.full_sweep_interval,
            Some(std::time::Duration::from_secs(86_400))
        );
        assert_eq!(defaults.woocommerce.max_retries, 4);

        let file = dir.path().join("sync.toml");
        std::fs::write(
            &file,
            "[sync]\nreconcile_interval_seconds = 60\nfull_sweep_interval_seconds = 0\n\
             webhook_check_interval_seconds = 0\nreconcile_overlap_seconds = 30\n\
             [woocommerce]\ntimeout_seconds = 5\nmax_retries = 0\nmax_retry_wait_seconds = 9\n",
        )
        .unwrap();
        let config = Config::load(&flags(dir.path(), Some(file.clone())), &env(&[])).unwrap();
        assert_eq!(
            config.sync.reconcile_interval,
            Some(std::time::Duration::from_secs(60))
        );
        assert_eq!(config.sync.full_sweep_interval, None);
        assert_eq!(config.sync.webhook_check_interval, None);
        assert_eq!(
            config.woocommerce.timeout,
            std::time::Duration::from_secs(5)
        );
        assert_eq!(config.woocommerce.max_retries, 0);
        let off = Config::load(
            &flags(dir.path(), Some(file)),
            &env(&[("AFTERCARE_RECONCILE_INTERVAL_SECONDS", "0")]),
        )
        .unwrap();
        assert_eq!(off.sync.reconcile_interval, None, "the environment wins");

        for (toml, field) in [
            ("[woocommerce]\nmax_retries = 99", "woocommerce.max_retries"),
            (
                "[woocommerce]\ntimeout_seconds = 0",
                "woocommerce.timeout_seconds",
            ),
            (
                "[sync]\nreconcile_overlap_seconds = 9999999",
                "reconcile_overlap_seconds",
            ),
            ("[sync]\nreconcile_every = 5", "unknown field"),
        ] {
            let bad = dir.path().join("bad-sync.toml");
            std::fs::write(&bad, toml).unwrap();
            let err = Config::load(&flags(dir.path(), Some(bad)), &env(&[])).unwrap_err();
            assert!(err.to_string().contains(field), "`{toml}` gave: {err}");
        }
        let err = Config::load(
            &flags(dir.path(), None),
            &env(&[("AFTERCARE_RECONCILE_INTERVAL_SECONDS", "often")]),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("AFTERCARE_RECONCILE_INTERVAL_SECONDS")
        );
    }

    #[test]
    fn public_url_override_is_validated_and_webhook_paths_follow_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::load(&flags(dir.path(), None), &env(&[])).unwrap();
        assert!(config.set_public_url("aftercare.example").is_err());
        config.set_public_url("https://aftercare.example/").unwrap();
        assert_eq!(
            config.webhook_url(DEFAULT_STORE),
            "https://aftercare.example/webhooks/woocommerce"
        );
        assert_eq!(
            Config::webhook_path("outlet"),
            "/webhooks/woocommerce/outlet"
        );
    }

    #[test]
    fn a_second_secret_enables_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load(
            &flags(dir.path(), None),
            &env(&[
                ("AFTERCARE_WEBHOOK_SECRET", "new"),
                ("AFTERCARE_WEBHOOK_SECRET_PREVIOUS", "old"),
                ("AFTERCARE_API_KEY", "env-api-key-0123456789"),
            ]),
        )
        .unwrap();
        let store = config.store(DEFAULT_STORE).unwrap();
        assert_eq!(
            store.webhook_secrets,
            [Secret::new("new"), Secret::new("old")]
        );
        assert!(config.generated_secrets.is_none());
        assert!(!dir.path().join("data").join(SECRETS_FILE).exists());
    }
}
