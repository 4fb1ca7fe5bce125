//! Live carrier tracking: parcels subscribed to a tracking provider, whose pushes and
//! polls feed the same event history the staff API writes.
//!
//! - [`adapter`]: what every provider offers (subscribe, stop, fetch, verify and parse a
//!   push) and the normalised shapes it answers with; [`seventeen`] is 17TRACK (API v2.2),
//!   [`delivery_tracker`] is Delivery Tracker (GraphQL, the Korean carriers), [`aftership`]
//!   is AfterShip (API 2025-01, for stores that already pay for it).
//! - [`follow`]: the outbox handler that brings a parcel's subscription in line with the
//!   parcel (subscribe once, in batches; move it when the number changes; stop it when the
//!   parcel goes away).
//! - [`apply`]: a provider's picture of a parcel into tracking's events, through
//!   tracking's own recording and derivation, in one transaction.
//! - [`schedule`]: when to poll a parcel next; [`poll`]: the background loop that does.
//! - [`account`]: a store's account with a provider as the rest talks to it: paced within
//!   the provider's rate ([`limit`]), every request counted in the metrics and in the
//!   month's [`usage`] (17TRACK's quota), and [`health`] showing both.
//! - [`view`]: a parcel's feed as the order view shows it; [`settings`]; [`store`]: the
//!   `feed_subscriptions` table.

pub mod account;
pub mod adapter;
pub mod aftership;
pub mod apply;
pub mod delivery_tracker;
pub mod follow;
pub mod health;
pub mod limit;
pub mod poll;
pub mod schedule;
pub mod settings;
pub mod seventeen;
pub mod store;
pub mod usage;
pub mod view;

pub use adapter::{FeedError, FeedState, NormalizedEvent, Provider, Snapshot};
pub use settings::FeedSettings;

use std::collections::HashMap;
use std::sync::Arc;

use jiff::tz::TimeZone;

use crate::ids::StoreId;
use crate::metrics::Metrics;
use crate::shop::timezone::Zones;
use crate::store::Db;
use crate::tracking::TrackingSettings;
use account::Account;
use adapter::{Inbound, Parcel, PushError, Registered, TrackingFeed};
use aftership::AfterShip;
use delivery_tracker::DeliveryTracker;
use seventeen::SeventeenTrack;

/// One of a store's feeds.
#[derive(Clone)]
pub enum Feed {
    SeventeenTrack(Arc<SeventeenTrack>),
    DeliveryTracker(Arc<DeliveryTracker>),
    AfterShip(Arc<AfterShip>),
}

impl TrackingFeed for Feed {
    fn provider(&self) -> Provider {
        match self {
            Feed::SeventeenTrack(a) => a.provider(),
            Feed::DeliveryTracker(a) => a.provider(),
            Feed::AfterShip(a) => a.provider(),
        }
    }

    fn batch_limit(&self) -> usize {
        match self {
            Feed::SeventeenTrack(a) => a.batch_limit(),
            Feed::DeliveryTracker(a) => a.batch_limit(),
            Feed::AfterShip(a) => a.batch_limit(),
        }
    }

    fn carrier_code(&self, slug: &str) -> Option<String> {
        match self {
            Feed::SeventeenTrack(a) => a.carrier_code(slug),
            Feed::DeliveryTracker(a) => a.carrier_code(slug),
            Feed::AfterShip(a) => a.carrier_code(slug),
        }
    }

    fn carrier_slug(&self, code: &str) -> Option<&'static str> {
        match self {
            Feed::SeventeenTrack(a) => a.carrier_slug(code),
            Feed::DeliveryTracker(a) => a.carrier_slug(code),
            Feed::AfterShip(a) => a.carrier_slug(code),
        }
    }

    async fn subscribe(&self, parcels: &[Parcel]) -> Result<Vec<(String, Registered)>, FeedError> {
        match self {
            Feed::SeventeenTrack(a) => a.subscribe(parcels).await,
            Feed::DeliveryTracker(a) => a.subscribe(parcels).await,
            Feed::AfterShip(a) => a.subscribe(parcels).await,
        }
    }

    async fn stop(&self, parcels: &[Parcel]) -> Result<(), FeedError> {
        match self {
            Feed::SeventeenTrack(a) => a.stop(parcels).await,
            Feed::DeliveryTracker(a) => a.stop(parcels).await,
            Feed::AfterShip(a) => a.stop(parcels).await,
        }
    }

    async fn fetch(&self, parcels: &[Parcel], zone: &TimeZone) -> Result<Vec<Snapshot>, FeedError> {
        match self {
            Feed::SeventeenTrack(a) => a.fetch(parcels, zone).await,
            Feed::DeliveryTracker(a) => a.fetch(parcels, zone).await,
            Feed::AfterShip(a) => a.fetch(parcels, zone).await,
        }
    }

    fn verify_and_parse(
        &self,
        signature: Option<&str>,
        raw: &[u8],
        zone: &TimeZone,
    ) -> Result<Inbound, PushError> {
        match self {
            Feed::SeventeenTrack(a) => a.verify_and_parse(signature, raw, zone),
            Feed::DeliveryTracker(a) => a.verify_and_parse(signature, raw, zone),
            Feed::AfterShip(a) => a.verify_and_parse(signature, raw, zone),
        }
    }
}

/// A store's feeds, and which of them follows which carrier.
struct StoreAdapters {
    feeds: Vec<Arc<Account>>,
    settings: settings::StoreFeeds,
}

/// Each store's provider adapters, built once from the settings, with what applying their
/// answers needs.
pub struct Feeds {
    pub settings: Arc<FeedSettings>,
    pub tracking: Arc<TrackingSettings>,
    /// Each store's time zone: ETAs, "due today", delay rules and zone-less carrier times.
    pub zones: Zones,
    pub metrics: Arc<Metrics>,
    adapters: HashMap<StoreId, StoreAdapters>,
}

impl Feeds {
    pub fn new(
        settings: Arc<FeedSettings>,
        tracking: Arc<TrackingSettings>,
        zones: Zones,
        db: Db,
        metrics: Arc<Metrics>,
    ) -> Self {
        let timeout = settings.request_timeout;
        let adapters = settings
            .stores()
            .map(|(id, own)| {
                let mut feeds = Vec::new();
                if let Some(account) = &own.seventeen_track {
                    feeds.push(Feed::SeventeenTrack(Arc::new(SeventeenTrack::new(
                        account, timeout,
                    ))));
                }
                if let Some(account) = &own.delivery_tracker {
                    feeds.push(Feed::DeliveryTracker(Arc::new(DeliveryTracker::new(
                        account, timeout,
                    ))));
                }
                if let Some(account) = &own.aftership {
                    feeds.push(Feed::AfterShip(Arc::new(AfterShip::new(account, timeout))));
                }
                let feeds = feeds
                    .into_iter()
                    .map(|feed| {
                        Arc::new(Account::new(
                            id.clone(),
                            feed,
                            own,
                            db.clone(),
                            metrics.clone(),
                        ))
                    })
                    .collect();
                let adapters = StoreAdapters {
                    feeds,
                    settings: own.clone(),
                };
                (id.clone(), adapters)
            })
            .collect();
        Self {
            settings,
            tracking,
            zones,
            metrics,
            adapters,
        }
    }

    /// The store's feed of `provider`, when it has that one.
    pub fn feed(&self, store_id: &StoreId, provider: Provider) -> Option<&Arc<Account>> {
        self.adapters
            .get(store_id)?
            .feeds
            .iter()
            .find(|f| f.provider() == provider)
    }

    /// The store's feed that follows parcels of `carrier` (a registry slug).
    pub fn feed_for(&self, store_id: &StoreId, carrier: &str) -> Option<&Arc<Account>> {
        let store = self.adapters.get(store_id)?;
        let provider = store.settings.provider_for(carrier)?;
        store.feeds.iter().find(|f| f.provider() == provider)
    }

    /// The stores with feeds, and their feeds.
    pub fn stores(&self) -> impl Iterator<Item = (&StoreId, &[Arc<Account>])> {
        self.adapters.iter().map(|(id, a)| (id, a.feeds.as_slice()))
    }
}
