//! Live carrier tracking: parcels subscribed to a tracking provider, whose pushes and
//! polls feed the same event history the staff API writes.
//!
//! - [`adapter`]: what every provider offers (subscribe, stop, fetch, verify and parse a
//!   push) and the normalised shapes it answers with; [`seventeen`] is 17TRACK (API v2.2),
//!   [`delivery_tracker`] is Delivery Tracker (GraphQL, the Korean carriers).
//! - [`follow`]: the outbox handler that brings a parcel's subscription in line with the
//!   parcel (subscribe once, in batches; move it when the number changes; stop it when the
//!   parcel goes away).
//! - [`apply`]: a provider's picture of a parcel into tracking's events, through
//!   tracking's own recording and derivation, in one transaction.
//! - [`schedule`]: when to poll a parcel next; [`poll`]: the background loop that does.
//! - [`view`]: a parcel's feed as the order view shows it; [`settings`]; [`store`]: the
//!   `feed_subscriptions` table.

pub mod adapter;
pub mod apply;
pub mod delivery_tracker;
pub mod follow;
pub mod poll;
pub mod schedule;
pub mod settings;
pub mod seventeen;
pub mod store;
pub mod view;

pub use adapter::{FeedError, FeedState, NormalizedEvent, Provider, Snapshot};
pub use settings::FeedSettings;

use std::collections::HashMap;
use std::sync::Arc;

use crate::ids::StoreId;
use crate::shop::timezone::Zones;
use crate::tracking::TrackingSettings;
use seventeen::SeventeenTrack;

/// Each store's provider adapter, built once from the settings, with what applying their
/// answers needs.
pub struct Feeds {
    pub settings: Arc<FeedSettings>,
    pub tracking: Arc<TrackingSettings>,
    /// Each store's time zone: ETAs, "due today", delay rules and zone-less carrier times.
    pub zones: Zones,
    adapters: HashMap<StoreId, Arc<SeventeenTrack>>,
}

impl Feeds {
    pub fn new(settings: Arc<FeedSettings>, tracking: Arc<TrackingSettings>, zones: Zones) -> Self {
        let adapters = settings
            .stores()
            .map(|(id, account)| {
                let adapter = SeventeenTrack::new(account, settings.request_timeout);
                (id.clone(), Arc::new(adapter))
            })
            .collect();
        Self {
            settings,
            tracking,
            zones,
            adapters,
        }
    }

    /// The store's adapter, when it has a feed.
    pub fn adapter(&self, store_id: &StoreId) -> Option<&Arc<SeventeenTrack>> {
        self.adapters.get(store_id)
    }

    pub fn stores(&self) -> impl Iterator<Item = (&StoreId, &Arc<SeventeenTrack>)> {
        self.adapters.iter()
    }
}
