//! `[returns]`: the return window, what can never be returned, and how refunds are paid.

use serde::Deserialize;

use super::eligibility::Policy;
use crate::invalid::Invalid;

#[derive(Debug, Clone)]
pub struct ReturnSettings {
    pub policy: Policy,
    /// Sent as `api_refund` with every WooCommerce refund: `true` asks the payment gateway
    /// to pay the money back; `false` (the default) only records the refund.
    pub api_refund: bool,
}

/// `[returns]` as written in the file (the environment may override the window and
/// `api_refund`). Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileReturns {
    pub window_days: Option<u32>,
    #[serde(default)]
    non_returnable_skus: Vec<String>,
    pub api_refund: Option<bool>,
}

/// Validates `[returns]` over the defaults (a 30-day window, refunds only recorded).
pub fn build(file: FileReturns) -> Result<ReturnSettings, Invalid> {
    let window_days = file.window_days.unwrap_or(30);
    if !(1..=3650).contains(&window_days) {
        return Err(Invalid::new(
            "returns.window_days",
            "must be between 1 and 3650 days",
        ));
    }
    Ok(ReturnSettings {
        policy: Policy {
            window_days,
            non_returnable_skus: file
                .non_returnable_skus
                .into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        },
        api_refund: file.api_refund.unwrap_or(false),
    })
}
