//! The work `serve` does beside answering requests, wired once at start-up: the outbox
//! with every domain's job handlers, the reconciliation with WooCommerce and the tracking
//! sweep, the tracking feeds' poller and the insights keeper. Each gets what it uses (the database, the store clients, its settings, the
//! metrics), never the HTTP state.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::watch;

use crate::config::Config;
use crate::feeds::Feeds;
use crate::ids::StoreId;
use crate::invoice::issue::Issuer;
use crate::invoice::links::LinkKey;
use crate::invoice::pool::RenderPool;
use crate::invoice::render::Renderer;
use crate::jobs::{self, Registry};
use crate::metrics::Metrics;
use crate::returns::settle::Settler;
use crate::shop::timezone::Zones;
use crate::signed_events::deliver::Deliverer;
use crate::store::{Db, StoreError};
use crate::sync::SyncServices;
use crate::tracking::{self, TrackingSettings};
use crate::woo::WooClients;

/// The background services; cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub jobs: Arc<jobs::Runner>,
    pub sync: SyncServices,
    db: Db,
    tracking: Arc<TrackingSettings>,
    zones: Zones,
    feeds: Arc<Feeds>,
    events: Arc<Deliverer>,
    notifier: crate::notify::Notifier,
    insights: crate::insights::keeper::Keeper,
    retention: crate::privacy::retention::Retention,
    stores: Vec<StoreId>,
}

impl Services {
    /// `zones` is the stores' time zones, shared with the HTTP edge (which learns of new
    /// shop profiles).
    pub fn new(
        config: &Config,
        db: Db,
        zones: Zones,
        metrics: Arc<Metrics>,
        renderer: Arc<dyn Renderer>,
    ) -> Self {
        let woo = WooClients::new(&config.stores, &config.woocommerce);
        let mut registry = Registry::default();
        Arc::new(Issuer {
            db: db.clone(),
            renderer,
            settings: config.invoices.clone(),
            zones: zones.clone(),
            renders: RenderPool::start(),
            data_dir: config.data_dir.clone(),
            woo: woo.clone(),
            waiting_for_seller: Default::default(),
        })
        .register(&mut registry);
        // The coupon of a return is derived from the store's signature of it, so every
        // attempt (and every restart) names the same coupon.
        let link_keys: HashMap<StoreId, LinkKey> = config
            .stores
            .iter()
            .map(|s| (s.id.clone(), LinkKey::derive(s.api_key.expose())))
            .collect();
        Arc::new(Settler {
            db: db.clone(),
            woo,
            settings: config.returns.clone(),
            coupon_secret: Box::new(move |store, return_id| {
                link_keys
                    .get(store)
                    .map(|key| key.sign(store, return_id.get(), 0))
                    .unwrap_or_default()
            }),
        })
        .register(&mut registry);
        tracking::outbox::register(
            &mut registry,
            db.clone(),
            config.tracking.clone(),
            zones.clone(),
        );
        let feeds = Arc::new(Feeds::new(
            config.feeds.clone(),
            config.tracking.clone(),
            zones.clone(),
            db.clone(),
            metrics.clone(),
        ));
        crate::feeds::follow::register(&mut registry, db.clone(), feeds.clone());
        let events = Arc::new(Deliverer::new(
            db.clone(),
            config.events.clone(),
            metrics.clone(),
        ));
        events.clone().register(&mut registry);
        let store_ids: Vec<StoreId> = config.stores.iter().map(|s| s.id.clone()).collect();
        let notifier = crate::notify::Notifier {
            db: db.clone(),
            settings: config.notify.clone(),
            tracking: config.tracking.clone(),
            seller: Arc::new(config.invoices.seller.clone()),
            zones: zones.clone(),
            base_url: config.base_url().into(),
            keys: crate::notify::unsubscribe::Keys::derive(
                config.stores.iter().map(|s| (&s.id, s.api_key.expose())),
            ),
            mailer: Arc::new(crate::notify::smtp::Mailer::new(&config.notify, &store_ids)),
            guides: config.guides.clone(),
        };
        notifier.clone().register(&mut registry);
        crate::surveys::Surveyor {
            db: db.clone(),
            settings: config.surveys.clone(),
            keys: crate::surveys::token::Keys::derive(
                config.stores.iter().map(|s| (&s.id, s.api_key.expose())),
            ),
            woo: WooClients::new(&config.stores, &config.woocommerce),
        }
        .register(&mut registry);
        let retention = crate::privacy::retention::Retention {
            db: db.clone(),
            settings: config.privacy,
            data_dir: config.data_dir.clone(),
        };
        retention.clone().register(&mut registry);
        let insights = crate::insights::keeper::Keeper {
            db: db.clone(),
            tracking: config.tracking.clone(),
            zones: zones.clone(),
            hours: config.support.hours,
            settings: config.insights,
        };
        Self {
            jobs: Arc::new(jobs::Runner::new(db.clone(), registry)),
            sync: SyncServices::new(db.clone(), Arc::new(config.sync_config()), metrics),
            db,
            tracking: config.tracking.clone(),
            zones,
            feeds,
            events,
            notifier,
            insights,
            retention,
            stores: store_ids,
        }
    }

    /// What must be in the database before the first request: the signed event endpoints
    /// the configuration lists (events are queued only for those), and each store's staff
    /// digest on its next hour, and (when a retention period is set) each store's retention
    /// pass.
    pub async fn prepare(&self) -> Result<(), StoreError> {
        self.events.configure().await?;
        crate::notify::digest::schedule_all(&self.notifier, &self.stores).await?;
        self.retention.schedule_all(&self.stores).await
    }

    /// Runs the outbox, the reconciler, the sweep and the feed poller until `stop` turns true, then returns
    /// once each has finished what it had in hand.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let reconciler = tokio::spawn(crate::sync::reconcile::run(self.sync.clone(), stop.clone()));
        let sweep = tokio::spawn(tracking::sweep::run(
            self.db.clone(),
            self.tracking.clone(),
            self.zones.clone(),
            stop.clone(),
        ));
        let poller = tokio::spawn(crate::feeds::poll::run(
            self.db.clone(),
            self.feeds.clone(),
            stop.clone(),
        ));
        let insights = tokio::spawn(self.insights.run(self.stores.clone(), stop.clone()));
        self.jobs.clone().run(stop).await;
        let _ = insights.await;
        let _ = reconciler.await;
        let _ = sweep.await;
        let _ = poller.await;
    }

    /// Carries out every due job now (see [`jobs::Runner::run_until_idle`]).
    /// The database the services write to (tests use it to put the writer in a fault).
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn run_jobs_until_idle(&self) -> Result<(), StoreError> {
        self.jobs.run_until_idle().await
    }
}
