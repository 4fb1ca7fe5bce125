//! The environment: `AFTERCARE_*` variables laid over the file's values. A variable that
//! is set wins over the file; one that cannot be parsed is reported under its own name.
//!
//! The lookup is injected ([`EnvLookup`]) so tests pass a map instead of touching the
//! process environment.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::file::{FileConfig, FileStore};
use super::{ConfigError, invalid};
use crate::ids::StoreId;
use crate::store::Synchronous;

/// Reads an environment variable; injected so tests need not touch the process environment.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment; an empty variable counts as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Environment lookup over a fixed map, for tests and embedding.
pub fn env_from(map: BTreeMap<String, String>) -> impl Fn(&str) -> Option<String> {
    move |name| map.get(name).cloned()
}

/// Names the config file (below `--config`).
pub const CONFIG: &str = "AFTERCARE_CONFIG";
/// The listen address and the data dir rank below their command-line flags, so
/// [`super::Draft::parse`] reads them where it weighs the flags.
pub const LISTEN: &str = "AFTERCARE_LISTEN";
pub const DATA_DIR: &str = "AFTERCARE_DATA_DIR";

/// Overrides the file's values with the variables that are set (all but the three above).
pub(super) fn overlay(file: &mut FileConfig, env: EnvLookup<'_>) -> Result<(), ConfigError> {
    if let Some(url) = env("AFTERCARE_PUBLIC_URL") {
        file.public_url = Some(url);
    }
    if let Some(name) = env("AFTERCARE_CLIENT_IP_HEADER") {
        file.client_ip_header = Some(name);
    }
    if let Some(text) = env("AFTERCARE_MAX_BODY_BYTES") {
        let bytes = text.parse().map_err(|_| {
            invalid(
                "AFTERCARE_MAX_BODY_BYTES",
                "must be a whole number of bytes",
            )
        })?;
        file.webhooks.max_body_bytes = Some(bytes);
    }
    if let Some(text) = env("AFTERCARE_SQLITE_SYNCHRONOUS") {
        file.database.synchronous = Some(match text.to_ascii_lowercase().as_str() {
            "full" => Synchronous::Full,
            "normal" => Synchronous::Normal,
            _ => {
                return Err(invalid(
                    "AFTERCARE_SQLITE_SYNCHRONOUS",
                    "must be `full` or `normal`",
                ));
            }
        });
    }
    if let Some(name) = env("AFTERCARE_TIMEZONE") {
        file.timezone = Some(name);
    }
    if let Some(text) = env("AFTERCARE_RECONCILE_INTERVAL_SECONDS") {
        let seconds = text.trim().parse().map_err(|_| {
            invalid(
                "AFTERCARE_RECONCILE_INTERVAL_SECONDS",
                "must be a whole number of seconds (0 switches reconciliation off)",
            )
        })?;
        file.sync.reconcile_interval_seconds = Some(seconds);
    }
    if let Some(name) = env("AFTERCARE_SELLER_NAME") {
        file.seller.name = name;
    }
    if let Some(paths) = env("AFTERCARE_FALLBACK_FONTS") {
        file.invoices.fallback_fonts = std::env::split_paths(&paths).collect::<Vec<PathBuf>>();
    }
    if let Some(text) = env("AFTERCARE_SUPPORT_HOURS") {
        file.support.hours = Some(text);
    }
    if let Some(text) = env("AFTERCARE_INSIGHTS_ACTIVE_DAYS") {
        file.insights.active_days_env = Some(text);
    }
    if let Some(text) = env("AFTERCARE_PRIVACY_RETAIN_YEARS") {
        file.privacy.retain_years_env = Some(text);
    }
    if let Some(text) = env("AFTERCARE_RETURN_WINDOW_DAYS") {
        let days = text.parse().map_err(|_| {
            invalid(
                "AFTERCARE_RETURN_WINDOW_DAYS",
                "must be a whole number of days",
            )
        })?;
        file.returns.window_days = Some(days);
    }
    if let Some(text) = env("AFTERCARE_RETURN_API_REFUND") {
        file.returns.api_refund = Some(match text.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => {
                return Err(invalid(
                    "AFTERCARE_RETURN_API_REFUND",
                    "must be `true` or `false`",
                ));
            }
        });
    }
    // AFTERCARE_17TRACK_*, AFTERCARE_FEED_POLL_SECONDS: the feeds' own variables.
    file.feeds.overlay_env(env)?;
    // AFTERCARE_EVENTS_URL, AFTERCARE_EVENTS_SECRET(_PREVIOUS): signed events' own.
    file.events.overlay_env(env)?;
    // AFTERCARE_NOTIFY_CHANNEL, AFTERCARE_SMTP_URL, AFTERCARE_MAIL_FROM, AFTERCARE_QUIET_HOURS,
    // AFTERCARE_DIGEST_HOUR, AFTERCARE_STAFF_EMAIL.
    file.notify.overlay_env(env);
    // AFTERCARE_NPS_DELAY_DAYS, AFTERCARE_SURVEY_THROTTLE_DAYS: the default store's.
    file.surveys.overlay_env(env);
    // AFTERCARE_GUIDE_DELAY_DAYS.
    file.guides.overlay_env(env);
    overlay_default_store(&mut file.stores, env);
    Ok(())
}

/// The default store is the one the variables configure; the file's entry for it (if
/// any) fills what they leave out.
fn overlay_default_store(stores: &mut Vec<FileStore>, env: EnvLookup<'_>) {
    let default = StoreId::default_store();
    let index = match stores.iter().position(|s| s.id == default.as_str()) {
        Some(index) => index,
        None => {
            stores.push(FileStore {
                id: default.to_string(),
                ..FileStore::default()
            });
            stores.len() - 1
        }
    };
    let store = &mut stores[index];
    if let Some(secret) = env("AFTERCARE_WEBHOOK_SECRET") {
        store.webhook_secrets = vec![secret];
    }
    // The previous secret stays valid beside the current one while WooCommerce switches.
    if let Some(previous) = env("AFTERCARE_WEBHOOK_SECRET_PREVIOUS") {
        store.webhook_secrets.truncate(1);
        store.webhook_secrets.push(previous);
    }
    let set = |value: &mut Option<String>, name: &str| {
        if let Some(v) = env(name) {
            *value = Some(v);
        }
    };
    set(&mut store.api_key, "AFTERCARE_API_KEY");
    set(&mut store.url, "AFTERCARE_STORE_URL");
    set(&mut store.consumer_key, "AFTERCARE_WC_CONSUMER_KEY");
    set(&mut store.consumer_secret, "AFTERCARE_WC_CONSUMER_SECRET");
}
