//! Proactive messages: aftercare tells the customer when a parcel ships, is out for
//! delivery, arrives or runs late, when a return moves, and when staff answer a support
//! request.
//!
//! Domain code only enqueues jobs (`notify_parcel`, `notify_return`, `notify_delay`,
//! `notify_support`);
//! [`triggers`] reads the facts as they are and [`decide`] records at most one message per
//! recipient and dedupe key, with the reason it goes now, later or not at all (the
//! `messages` table, [`store`]). The channel then carries it: [`send`] over SMTP
//! ([`smtp`]), or the plugin pulls it through [`pull`] and sends it with WooCommerce's
//! mailer. Templates: [`render`] and [`texts`]; unsubscribe links: [`unsubscribe`], and
//! per customer for My Account: [`preferences`];
//! every message-worthy event also goes to the signed event endpoints ([`events`]); staff
//! see any message for a real order without sending it through [`preview`]. The shop's
//! staff get a daily digest of what needs them ([`digest`]).

pub mod data;
pub mod decide;
pub mod digest;
pub mod events;
pub mod guide;
pub mod model;
pub mod page;
pub mod preferences;
pub mod preview;
pub mod pull;
pub mod render;
pub mod send;
pub mod settings;
pub mod smtp;
pub mod store;
pub mod texts;
pub mod triggers;
pub mod unsubscribe;
pub mod view;

use std::sync::Arc;

pub use model::{Channel, Class, MessageType, State};
pub use settings::NotifySettings;

use crate::guides::GuideSettings;
use crate::jobs::{Job, JobKind, Registry};
use crate::shop::settings::SellerOverrides;
use crate::shop::timezone::Zones;
use crate::store::Db;
use crate::tracking::TrackingSettings;

/// Everything the notification jobs use; cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    pub db: Db,
    pub settings: Arc<NotifySettings>,
    pub tracking: Arc<TrackingSettings>,
    pub seller: Arc<SellerOverrides>,
    pub zones: Zones,
    /// Where links in messages point (tracking pages, unsubscribe).
    pub base_url: Arc<str>,
    pub keys: unsubscribe::Keys,
    pub mailer: Arc<smtp::Mailer>,
    /// When the `product_guide` message goes.
    pub guides: Arc<GuideSettings>,
}

impl Notifier {
    /// What the decision engine needs, for a store in `zone`.
    pub fn context<'a>(&'a self, zone: &'a jiff::tz::TimeZone) -> decide::Context<'a> {
        decide::Context {
            settings: &self.settings,
            tracking: &self.tracking,
            seller: &self.seller,
            zone,
            base_url: &self.base_url,
            keys: &self.keys,
            guides: &self.guides,
        }
    }

    /// Registers the handlers of notification's job kinds.
    pub fn register(self, registry: &mut Registry) {
        // The triggers come several per order (confirmed, each parcel shipped): a run of
        // them is decided in one write.
        let n = self.clone();
        registry.register_batch_of(
            &[
                JobKind::NotifyParcel,
                JobKind::NotifyReturn,
                JobKind::NotifyDelay,
                JobKind::NotifyOrder,
                JobKind::NotifySupport,
                JobKind::NotifySurvey,
            ],
            move |jobs: Vec<Job>| {
                let n = n.clone();
                async move { triggers::run(&n, jobs).await }
            },
        );
        let n = self.clone();
        registry.register(JobKind::NotifyGuide, move |job: Job| {
            let n = n.clone();
            async move { guide::run(&n, &job).await }
        });
        let n = self.clone();
        registry.register(JobKind::StaffDigest, move |job: Job| {
            let n = n.clone();
            async move { digest::run(&n, &job).await }
        });
        let n = self;
        registry.register(JobKind::SendMessage, move |job: Job| {
            let n = n.clone();
            async move { send::run(&n, &job).await }
        });
    }
}
