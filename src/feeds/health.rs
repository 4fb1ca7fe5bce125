//! The feeds' part of `GET /api/v1/store/health`: per provider account, what this month
//! cost against its quota, when the quota renews, how many parcels wait for it, and the
//! account's last error; and the problems worth a sentence.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::FeedSettings;
use super::adapter::Provider;
use super::store;
use super::usage;
use crate::ids::StoreId;
use crate::store::{Db, StoreError};
use crate::time;

/// One provider account of the store.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedHealth {
    /// `17track` or `delivery-tracker`.
    pub provider: String,
    /// What the provider bills and `used` counts: `registrations` (17TRACK: numbers it
    /// newly accepted) or `requests` (Delivery Tracker, which publishes no billing unit).
    pub unit: &'static str,
    /// This calendar month (UTC), so far.
    pub used: u64,
    /// The monthly quota (`monthly_quota` in the config); null without one.
    pub limit: Option<u64>,
    /// The month counted, `YYYY-MM`.
    pub month: String,
    /// When the count starts again: the 1st of next month, 00:00 UTC.
    pub resets_at: String,
    /// Every request sent this month.
    pub requests: u64,
    /// Parcels waiting to be registered (for the quota to renew, or for a retry).
    pub waiting: u64,
    /// The last failed request's error, and when.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// When a request last succeeded.
    pub last_success_at: Option<String>,
}

/// The store's provider accounts as they stand at `now`.
pub async fn report(
    db: &Db,
    settings: &FeedSettings,
    store_id: &StoreId,
    now: Timestamp,
) -> Result<Vec<FeedHealth>, StoreError> {
    // Each account, with its monthly quota where the provider bills one.
    let mut accounts: Vec<(Provider, Option<u32>)> = Vec::new();
    if let Some(a) = settings.seventeen_track(store_id) {
        accounts.push((Provider::SeventeenTrack, Some(a.monthly_quota)));
    }
    if settings.delivery_tracker(store_id).is_some() {
        accounts.push((Provider::DeliveryTracker, None));
    }
    let store_id = store_id.clone();
    let month = usage::month(now);
    let resets_at = time::seconds(usage::resets_at(now));
    db.read(move |c| {
        let mut out = Vec::new();
        for &(provider, quota) in &accounts {
            let used = usage::used(c, &store_id, provider, &month)?;
            let last = usage::account(c, &store_id, provider)?;
            out.push(FeedHealth {
                provider: provider.as_str().to_owned(),
                unit: if quota.is_some() {
                    "registrations"
                } else {
                    "requests"
                },
                used: usage::billed(used, quota),
                limit: quota.map(u64::from),
                month: month.clone(),
                resets_at: resets_at.clone(),
                requests: used.requests,
                waiting: store::pending_count(c, &store_id, provider)?,
                last_error: last.last_error,
                last_error_at: last.last_error_at.as_deref().and_then(seconds),
                last_success_at: last.last_success_at.as_deref().and_then(seconds),
            });
        }
        out.sort_by(|a, b| a.provider.cmp(&b.provider));
        Ok(out)
    })
    .await
}

/// What needs the store owner's attention, one sentence each.
pub fn problems(accounts: &[FeedHealth]) -> Vec<String> {
    let mut out = Vec::new();
    for a in accounts {
        let name = provider_name(&a.provider);
        if let Some(limit) = a.limit
            && a.used >= limit
        {
            out.push(format!(
                "{name}'s monthly quota is used up ({} of {limit} {}): {} new parcel{} wait{} until it renews on {}, or raise monthly_quota after adding quota to the account. Parcels already followed keep updating.",
                a.used,
                a.unit,
                a.waiting,
                if a.waiting == 1 { "" } else { "s" },
                if a.waiting == 1 { "s" } else { "" },
                a.resets_at
            ));
        }
        if let (Some(error), Some(at)) = (&a.last_error, &a.last_error_at)
            && a.last_success_at
                .as_deref()
                .is_none_or(|ok| ok < at.as_str())
        {
            out.push(format!(
                "The last request to {name} failed at {at}: {error}."
            ));
        }
    }
    out
}

fn provider_name(code: &str) -> &str {
    match code {
        "17track" => "17TRACK",
        "delivery-tracker" => "Delivery Tracker",
        other => other,
    }
}

fn seconds(stamp: &str) -> Option<String> {
    time::parse(stamp).map(time::seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(used: u64, waiting: u64) -> FeedHealth {
        FeedHealth {
            provider: "17track".into(),
            unit: "registrations",
            used,
            limit: Some(100),
            month: "2026-12".into(),
            resets_at: "2027-01-01T00:00:00Z".into(),
            requests: 7,
            waiting,
            last_error: None,
            last_error_at: None,
            last_success_at: None,
        }
    }

    #[test]
    fn a_spent_quota_and_a_failing_account_are_spelled_out() {
        assert!(problems(&[account(37, 0)]).is_empty());
        assert_eq!(
            problems(&[account(100, 3)]),
            [
                "17TRACK's monthly quota is used up (100 of 100 registrations): 3 new parcels wait until it renews on 2027-01-01T00:00:00Z, or raise monthly_quota after adding quota to the account. Parcels already followed keep updating."
            ]
        );
        let failing = FeedHealth {
            last_error: Some("the provider answered HTTP 503".into()),
            last_error_at: Some("2026-12-03T10:00:00Z".into()),
            last_success_at: Some("2026-12-03T09:00:00Z".into()),
            ..account(3, 0)
        };
        assert_eq!(
            problems(std::slice::from_ref(&failing)),
            [
                "The last request to 17TRACK failed at 2026-12-03T10:00:00Z: the provider answered HTTP 503."
            ]
        );
        let recovered = FeedHealth {
            last_success_at: Some("2026-12-03T11:00:00Z".into()),
            ..failing
        };
        assert!(problems(&[recovered]).is_empty(), "succeeded since");
    }
}
