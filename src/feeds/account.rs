//! One store's account with one provider, as everything else talks to it: the adapter
//! behind the account's request pace (shared by the poller and the follow jobs), each
//! request counted (in the metrics, and in the month's usage, which survives restarts)
//! and its outcome kept as the account's last error or success. 17TRACK's newly accepted
//! numbers are what its quota bills; they are counted as registrations.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::adapter::{
    FeedError, Inbound, Parcel, Provider, PushError, Registered, Snapshot, TrackingFeed,
};
use super::limit::Pace;
use super::usage::{self, Usage};
use super::{Feed, settings};
use crate::ids::StoreId;
use crate::metrics::Metrics;
use crate::store::Db;
use crate::time;

/// A store's provider account.
pub struct Account {
    pub store_id: StoreId,
    feed: Feed,
    pace: Pace,
    /// Registrations a month the plan includes (17TRACK); `None`: no billing unit known.
    pub monthly_quota: Option<u32>,
    /// Where Delivery Tracker calls back about the store's parcels, when it does.
    pub callback_url: Option<String>,
    /// Held from reading the month's count to recording a registration's answer, so that
    /// two follow jobs never spend the same remaining quota.
    pub registering: tokio::sync::Mutex<()>,
    db: Db,
    metrics: Arc<Metrics>,
}

impl Account {
    pub fn new(
        store_id: StoreId,
        feed: Feed,
        own: &settings::StoreFeeds,
        db: Db,
        metrics: Arc<Metrics>,
    ) -> Self {
        let (per_second, monthly_quota, callback_url) = match &feed {
            Feed::SeventeenTrack(_) => {
                let a = own.seventeen_track.as_ref();
                (
                    a.map_or(settings::DEFAULT_17TRACK_REQUESTS_PER_SECOND, |a| {
                        a.requests_per_second
                    }),
                    Some(a.map_or(settings::DEFAULT_17TRACK_MONTHLY_QUOTA, |a| a.monthly_quota)),
                    None,
                )
            }
            Feed::DeliveryTracker(_) => {
                let a = own.delivery_tracker.as_ref();
                (
                    a.map_or(
                        settings::DEFAULT_DELIVERY_TRACKER_REQUESTS_PER_SECOND,
                        |a| a.requests_per_second,
                    ),
                    None,
                    a.and_then(|a| a.callback_url.clone()),
                )
            }
            // Plans bill shipments a year, not a monthly quota aftercare could count.
            Feed::AfterShip(_) => (settings::AFTERSHIP_REQUESTS_PER_SECOND, None, None),
        };
        Self {
            store_id,
            feed,
            pace: Pace::per_second(per_second),
            monthly_quota,
            callback_url,
            registering: tokio::sync::Mutex::new(()),
            db,
            metrics,
        }
    }

    /// What the month's quota counts: registrations where the provider bills them,
    /// requests where it publishes no unit.
    pub fn billed(&self, usage: Usage) -> u64 {
        usage::billed(usage, self.monthly_quota)
    }

    /// Delivery Tracker's "subscribe" and "stop" ask nothing of it (its parcels are only
    /// polled): they take no request slot and cost nothing.
    fn asks_nothing(&self, operation: &str) -> bool {
        matches!(
            (&self.feed, operation),
            (Feed::DeliveryTracker(_), "register" | "stop")
        )
    }

    /// Waits for a request slot and counts the request.
    async fn start(&self, operation: &str) {
        self.pace.wait().await;
        self.metrics
            .feed_request(&self.store_id, self.provider().as_str(), operation);
    }

    /// Counts what a request cost and records how it ended. A failure to record is
    /// logged, never the request's own outcome.
    async fn finish(&self, registrations: u64, error: Option<&FeedError>) {
        let provider = self.provider();
        if let Some(error) = error {
            self.metrics
                .feed_error(&self.store_id, provider.as_str(), error.kind());
        }
        let store_id = self.store_id.clone();
        let text = error.map(|e| e.to_string());
        let recorded = self
            .db
            .writer()
            .write(move |c| {
                let now = Timestamp::now();
                let month = usage::month(now);
                usage::count(
                    c,
                    &store_id,
                    provider,
                    &month,
                    Usage {
                        registrations,
                        requests: 1,
                    },
                )?;
                usage::outcome(c, &store_id, provider, text.as_deref(), &time::millis(now))?;
                usage::used(c, &store_id, provider, &month)
            })
            .await;
        match recorded {
            Ok(used) => self.metrics.feed_quota(
                &self.store_id,
                provider.as_str(),
                self.billed(used),
                self.monthly_quota.map(u64::from),
            ),
            Err(error) => {
                tracing::warn!(store = %self.store_id, provider = provider.as_str(), %error, "cannot count a provider request")
            }
        }
    }

    /// Registers Delivery Tracker callbacks for the parcels, until `expires`; the parcels
    /// whose registration succeeded come back. Nothing for other providers or without a
    /// callback URL.
    pub async fn register_webhooks(&self, parcels: &[Parcel], expires: Timestamp) -> Vec<String> {
        let (Feed::DeliveryTracker(adapter), Some(url)) = (&self.feed, &self.callback_url) else {
            return Vec::new();
        };
        let mut done = Vec::new();
        for parcel in parcels.iter().filter(|p| p.carrier_code.is_some()) {
            self.start("webhook").await;
            let answer = adapter.register_webhook(parcel, url, expires).await;
            self.finish(0, answer.as_ref().err()).await;
            match answer {
                Ok(()) => done.push(parcel.number.clone()),
                // Polling still follows the parcel; the renewal pass tries again.
                Err(error) => {
                    tracing::warn!(store = %self.store_id, %error, "Delivery Tracker did not register the callback")
                }
            }
        }
        done
    }
}

impl TrackingFeed for Account {
    fn provider(&self) -> Provider {
        self.feed.provider()
    }

    fn batch_limit(&self) -> usize {
        self.feed.batch_limit()
    }

    fn carrier_code(&self, slug: &str) -> Option<String> {
        self.feed.carrier_code(slug)
    }

    fn carrier_slug(&self, code: &str) -> Option<&'static str> {
        self.feed.carrier_slug(code)
    }

    async fn subscribe(&self, parcels: &[Parcel]) -> Result<Vec<(String, Registered)>, FeedError> {
        if self.asks_nothing("register") {
            return self.feed.subscribe(parcels).await;
        }
        self.start("register").await;
        let answer = self.feed.subscribe(parcels).await;
        let billed = match (&answer, self.monthly_quota) {
            (Ok(answers), Some(_)) => answers
                .iter()
                .filter(|(_, r)| matches!(r, Registered::Accepted { .. }))
                .count() as u64,
            _ => 0,
        };
        self.finish(billed, answer.as_ref().err()).await;
        answer
    }

    async fn stop(&self, parcels: &[Parcel]) -> Result<(), FeedError> {
        if self.asks_nothing("stop") {
            return self.feed.stop(parcels).await;
        }
        self.start("stop").await;
        let answer = self.feed.stop(parcels).await;
        self.finish(0, answer.as_ref().err()).await;
        answer
    }

    async fn fetch(&self, parcels: &[Parcel], zone: &TimeZone) -> Result<Vec<Snapshot>, FeedError> {
        self.start("fetch").await;
        let answer = self.feed.fetch(parcels, zone).await;
        self.finish(0, answer.as_ref().err()).await;
        answer
    }

    fn verify_and_parse(
        &self,
        signature: Option<&str>,
        raw: &[u8],
        zone: &TimeZone,
    ) -> Result<Inbound, PushError> {
        self.feed.verify_and_parse(signature, raw, zone)
    }
}
