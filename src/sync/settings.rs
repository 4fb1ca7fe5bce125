//! `[sync]`: when `serve` reconciles the mirror with WooCommerce and checks the webhooks.

use std::time::Duration;

use serde::Deserialize;

use crate::invalid::Invalid;

pub const DEFAULT_RECONCILE_SECONDS: u64 = 300;
pub const DEFAULT_OVERLAP_SECONDS: u64 = 600;
pub const DEFAULT_FULL_SWEEP_SECONDS: u64 = 86_400;
pub const DEFAULT_WEBHOOK_CHECK_SECONDS: u64 = 3_600;

/// The schedules of reconciliation and the webhook watch. `None` switches one off.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Fetch the orders modified since the last run this often.
    pub reconcile_interval: Option<Duration>,
    /// Each run starts this far before the newest modification it saw last time.
    pub reconcile_overlap: Duration,
    /// Walk every order this often (catches meta-only changes that keep `date_modified`).
    pub full_sweep_interval: Option<Duration>,
    /// Check (and re-activate) the order webhooks this often.
    pub webhook_check_interval: Option<Duration>,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            reconcile_interval: Some(Duration::from_secs(DEFAULT_RECONCILE_SECONDS)),
            reconcile_overlap: Duration::from_secs(DEFAULT_OVERLAP_SECONDS),
            full_sweep_interval: Some(Duration::from_secs(DEFAULT_FULL_SWEEP_SECONDS)),
            webhook_check_interval: Some(Duration::from_secs(DEFAULT_WEBHOOK_CHECK_SECONDS)),
        }
    }
}

/// `[sync]` as written in the file (the environment may override the reconcile interval).
/// Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSync {
    pub reconcile_interval_seconds: Option<u64>,
    reconcile_overlap_seconds: Option<u64>,
    full_sweep_interval_seconds: Option<u64>,
    webhook_check_interval_seconds: Option<u64>,
}

/// Validates `[sync]` over the defaults; 0 seconds switches a schedule off.
pub fn build(file: &FileSync) -> Result<SyncSettings, Invalid> {
    let every = |seconds: u64| (seconds > 0).then(|| Duration::from_secs(seconds));
    let overlap = file
        .reconcile_overlap_seconds
        .unwrap_or(DEFAULT_OVERLAP_SECONDS);
    if overlap > 7 * 86_400 {
        return Err(Invalid::new(
            "sync.reconcile_overlap_seconds",
            "must be at most a week (604800)",
        ));
    }
    Ok(SyncSettings {
        reconcile_interval: every(
            file.reconcile_interval_seconds
                .unwrap_or(DEFAULT_RECONCILE_SECONDS),
        ),
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
