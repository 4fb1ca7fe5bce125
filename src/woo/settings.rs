//! `[woocommerce]`: timeouts and retries of every WooCommerce REST call.

use std::time::Duration;

use serde::Deserialize;

use crate::invalid::Invalid;

/// Timeouts and retry bounds. `[woocommerce]` in the config file sets the first three.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Whole request, connect to last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubles per retry, with jitter.
    pub retry_base: Duration,
    /// Upper bound for any single wait, `Retry-After` included.
    pub max_retry_wait: Duration,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            retry_base: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

/// `[woocommerce]` as written in the file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileWoocommerce {
    timeout_seconds: Option<u64>,
    max_retries: Option<u32>,
    max_retry_wait_seconds: Option<u64>,
}

/// Validates `[woocommerce]` over the defaults.
pub fn build(file: &FileWoocommerce) -> Result<ClientSettings, Invalid> {
    let mut settings = ClientSettings::default();
    if let Some(seconds) = file.timeout_seconds {
        if !(1..=600).contains(&seconds) {
            return Err(Invalid::new(
                "woocommerce.timeout_seconds",
                "must be between 1 and 600",
            ));
        }
        settings.timeout = Duration::from_secs(seconds);
        settings.connect_timeout = settings.connect_timeout.min(settings.timeout);
    }
    if let Some(retries) = file.max_retries {
        if retries > 10 {
            return Err(Invalid::new(
                "woocommerce.max_retries",
                "must be at most 10",
            ));
        }
        settings.max_retries = retries;
    }
    if let Some(seconds) = file.max_retry_wait_seconds {
        if !(1..=3600).contains(&seconds) {
            return Err(Invalid::new(
                "woocommerce.max_retry_wait_seconds",
                "must be between 1 and 3600",
            ));
        }
        settings.max_retry_wait = Duration::from_secs(seconds);
    }
    Ok(settings)
}
