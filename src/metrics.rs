//! Prometheus metrics, served as text at `/metrics`.

use crate::ids::StoreId;
use crate::store::{WriteFault, WriteHealth};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub store: String,
    pub outcome: String,
}

/// Orders fetched through the REST API, by walk (backfill, reconcile, sweep) and outcome.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RestOrderLabels {
    pub store: String,
    pub walk: String,
    pub outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StoreLabels {
    pub store: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RunLabels {
    pub store: String,
    pub kind: String,
    pub result: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WalkLabels {
    pub store: String,
    pub walk: String,
}

/// A tracking provider's requests, by store, provider and operation (or error kind).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedLabels {
    pub store: String,
    pub provider: String,
    pub operation: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedErrorLabels {
    pub store: String,
    pub provider: String,
    pub kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedAccountLabels {
    pub store: String,
    pub provider: String,
}

/// How a carrier event arrived: `push` or `poll`.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedLagLabels {
    pub provider: String,
    pub via: String,
}

/// Why a database write failed (`full`, `read_only`, `io`, `other`).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FaultLabels {
    pub kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MessageLabels {
    pub channel: String,
    pub state: String,
}

fn lag_histogram() -> Histogram {
    // 1 minute .. ~23 days
    Histogram::new(exponential_buckets(60.0, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    deliveries: Family<DeliveryLabels, Counter>,
    ingest_seconds: Histogram,
    rest_orders: Family<RestOrderLabels, Counter>,
    repaired_orders: Family<StoreLabels, Counter>,
    reconciliations: Family<RunLabels, Counter>,
    woo_requests: Family<WalkLabels, Counter>,
    webhooks_ok: Family<StoreLabels, Gauge>,
    event_deliveries: Family<DeliveryLabels, Counter>,
    event_attempt_seconds: Histogram,
    feed_requests: Family<FeedLabels, Counter>,
    feed_errors: Family<FeedErrorLabels, Counter>,
    feed_quota_used: Family<FeedAccountLabels, Gauge>,
    feed_quota_limit: Family<FeedAccountLabels, Gauge>,
    feed_event_lag: Family<FeedLagLabels, Histogram, fn() -> Histogram>,
    database_write_failures: Family<FaultLabels, Counter>,
    database_fault: Gauge,
    jobs_open: Family<JobLabels, Gauge>,
    jobs_retrying: Family<JobLabels, Gauge>,
    messages_waiting: Family<MessageLabels, Gauge>,
    event_deliveries_retrying: Gauge,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("aftercare");
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries by store and outcome (accepted, duplicate, stale, ignored, trashed, error_payload, ping, and the rejections)",
            deliveries.clone(),
        );
        // 0.25 ms .. ~1 s
        let ingest_seconds = Histogram::new(exponential_buckets(0.000_25, 2.0, 13));
        registry.register(
            "webhook_ingest_seconds",
            "Time from a delivery's arrival to its committed acknowledgement",
            ingest_seconds.clone(),
        );
        let rest_orders = Family::<RestOrderLabels, Counter>::default();
        registry.register(
            "rest_orders",
            "Orders fetched through the WooCommerce REST API by walk (backfill, reconcile, sweep) and outcome (accepted, duplicate, stale, invalid)",
            rest_orders.clone(),
        );
        let repaired_orders = Family::<StoreLabels, Counter>::default();
        registry.register(
            "repaired_orders",
            "Orders reconciliation found missing or out of date in the mirror and repaired",
            repaired_orders.clone(),
        );
        let reconciliations = Family::<RunLabels, Counter>::default();
        registry.register(
            "reconciliations",
            "Reconciliation runs by kind (incremental, full) and result (ok, error)",
            reconciliations.clone(),
        );
        let woo_requests = Family::<WalkLabels, Counter>::default();
        registry.register(
            "woocommerce_list_requests",
            "Pages requested from GET /wc/v3/orders, by walk",
            woo_requests.clone(),
        );
        let webhooks_ok = Family::<StoreLabels, Gauge>::default();
        registry.register(
            "webhook_topics_ok",
            "Order topics (of 4) with an active webhook delivering to aftercare, as last checked",
            webhooks_ok.clone(),
        );
        let event_deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "event_deliveries",
            "Signed event delivery attempts by store and outcome (delivered, retrying, failed, gone)",
            event_deliveries.clone(),
        );
        // 5 ms .. ~20 s
        let event_attempt_seconds = Histogram::new(exponential_buckets(0.005, 2.0, 13));
        registry.register(
            "event_attempt_seconds",
            "Time one signed event request took, answer or error",
            event_attempt_seconds.clone(),
        );
        let feed_requests = Family::<FeedLabels, Counter>::default();
        registry.register(
            "feed_requests",
            "Requests to tracking providers by store, provider and operation (register, fetch, stop, webhook)",
            feed_requests.clone(),
        );
        let feed_errors = Family::<FeedErrorLabels, Counter>::default();
        registry.register(
            "feed_errors",
            "Failed tracking provider requests by store, provider and kind (rate_limited, unauthorized, status, api, transport, decode)",
            feed_errors.clone(),
        );
        let feed_quota_used = Family::<FeedAccountLabels, Gauge>::default();
        registry.register(
            "feed_quota_used",
            "What the provider bills this month (UTC), per store: 17TRACK registrations, Delivery Tracker requests",
            feed_quota_used.clone(),
        );
        let feed_quota_limit = Family::<FeedAccountLabels, Gauge>::default();
        registry.register(
            "feed_quota_limit",
            "The monthly quota configured for a provider account (only where the provider has one)",
            feed_quota_limit.clone(),
        );
        let feed_event_lag =
            Family::<FeedLagLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                lag_histogram,
            );
        registry.register(
            "feed_event_lag_seconds",
            "Time from a carrier event's occurred_at to its arrival in aftercare, by provider and via (push, poll)",
            feed_event_lag.clone(),
        );
        let database_write_failures = Family::<FaultLabels, Counter>::default();
        registry.register(
            "database_write_failures",
            "Database writes that could not be committed, by kind (full, read_only, io, other)",
            database_write_failures.clone(),
        );
        let database_fault = Gauge::default();
        registry.register(
            "database_fault",
            "1 while the last database write failed for want of space or permission (until a write commits)",
            database_fault.clone(),
        );
        let jobs_open = Family::<JobLabels, Gauge>::default();
        registry.register(
            "jobs_open",
            "Outbox jobs not yet done, by kind, as of this scrape",
            jobs_open.clone(),
        );
        let jobs_retrying = Family::<JobLabels, Gauge>::default();
        registry.register(
            "jobs_retrying",
            "Outbox jobs that failed at least once and wait for their retry, by kind",
            jobs_retrying.clone(),
        );
        let messages_waiting = Family::<MessageLabels, Gauge>::default();
        registry.register(
            "messages_waiting",
            "Messages not yet handed to their channel, by channel and state (pending, deferred, sending, failed)",
            messages_waiting.clone(),
        );
        let event_deliveries_retrying = Gauge::default();
        registry.register(
            "event_deliveries_retrying",
            "Signed event deliveries that failed at least once and wait for their retry",
            event_deliveries_retrying.clone(),
        );
        Self {
            event_deliveries_retrying,
            jobs_open,
            jobs_retrying,
            messages_waiting,
            database_write_failures,
            database_fault,
            registry,
            feed_requests,
            feed_errors,
            feed_quota_used,
            feed_quota_limit,
            feed_event_lag,
            deliveries,
            ingest_seconds,
            rest_orders,
            repaired_orders,
            reconciliations,
            woo_requests,
            webhooks_ok,
            event_deliveries,
            event_attempt_seconds,
        }
    }

    pub fn rest_orders(&self, store: &StoreId, walk: &str, outcome: &str, count: u64) {
        if count == 0 {
            return;
        }
        self.rest_orders
            .get_or_create(&RestOrderLabels {
                store: store.to_string(),
                walk: walk.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc_by(count);
    }

    pub fn repaired(&self, store: &StoreId, count: u64) {
        self.repaired_orders
            .get_or_create(&StoreLabels {
                store: store.to_string(),
            })
            .inc_by(count);
    }

    pub fn reconciliation(&self, store: &StoreId, kind: &str, ok: bool) {
        self.reconciliations
            .get_or_create(&RunLabels {
                store: store.to_string(),
                kind: kind.to_owned(),
                result: if ok { "ok" } else { "error" }.to_owned(),
            })
            .inc();
    }

    pub fn list_requests(&self, store: &StoreId, walk: &str, count: u64) {
        self.woo_requests
            .get_or_create(&WalkLabels {
                store: store.to_string(),
                walk: walk.to_owned(),
            })
            .inc_by(count);
    }

    pub fn webhook_topics_ok(&self, store: &StoreId, count: i64) {
        self.webhooks_ok
            .get_or_create(&StoreLabels {
                store: store.to_string(),
            })
            .set(count);
    }

    pub fn delivery(&self, store: &StoreId, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                store: store.to_string(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// A delivery to a path no configured store has.
    pub fn delivery_to_unknown_store(&self) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                store: "unknown".to_owned(),
                outcome: "unknown_store".to_owned(),
            })
            .inc();
    }

    /// One attempt at a signed event and what became of its delivery.
    pub fn event_delivery(&self, store: &StoreId, outcome: &str) {
        self.event_deliveries
            .get_or_create(&DeliveryLabels {
                store: store.to_string(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn event_attempt_latency(&self, seconds: f64) {
        self.event_attempt_seconds.observe(seconds);
    }

    pub fn feed_request(&self, store: &StoreId, provider: &str, operation: &str) {
        self.feed_requests
            .get_or_create(&FeedLabels {
                store: store.to_string(),
                provider: provider.to_owned(),
                operation: operation.to_owned(),
            })
            .inc();
    }

    pub fn feed_error(&self, store: &StoreId, provider: &str, kind: &str) {
        self.feed_errors
            .get_or_create(&FeedErrorLabels {
                store: store.to_string(),
                provider: provider.to_owned(),
                kind: kind.to_owned(),
            })
            .inc();
    }

    /// The month's billed use of an account, and its limit when it has one.
    pub fn feed_quota(&self, store: &StoreId, provider: &str, used: u64, limit: Option<u64>) {
        let labels = FeedAccountLabels {
            store: store.to_string(),
            provider: provider.to_owned(),
        };
        self.feed_quota_used.get_or_create(&labels).set(used as i64);
        if let Some(limit) = limit {
            self.feed_quota_limit
                .get_or_create(&labels)
                .set(limit as i64);
        }
    }

    /// A carrier event that arrived `seconds` after it happened, by `via` (push, poll).
    pub fn feed_event_lag(&self, provider: &str, via: &str, seconds: f64) {
        self.feed_event_lag
            .get_or_create(&FeedLagLabels {
                provider: provider.to_owned(),
                via: via.to_owned(),
            })
            .observe(seconds.max(0.0));
    }

    pub fn ingest_latency(&self, seconds: f64) {
        self.ingest_seconds.observe(seconds);
    }

    /// Brings the database figures up to what the writer has seen.
    pub fn database(&self, health: &WriteHealth) {
        for fault in WriteFault::ALL {
            let counter = self.database_write_failures.get_or_create(&FaultLabels {
                kind: fault.as_str().to_owned(),
            });
            // The writer counts; this only catches up, so concurrent scrapes never overshoot.
            counter
                .inner()
                .fetch_max(health.failures(fault), std::sync::atomic::Ordering::Relaxed);
        }
        self.database_fault
            .set(i64::from(health.current().is_some()));
    }

    /// The outbox's open jobs, replacing the last scrape's figures.
    pub fn jobs_backlog(&self, backlog: &[crate::jobs::store::Backlog]) {
        self.jobs_open.clear();
        self.jobs_retrying.clear();
        for b in backlog {
            let labels = JobLabels {
                kind: b.kind.clone(),
            };
            self.jobs_open.get_or_create(&labels).set(b.open);
            self.jobs_retrying.get_or_create(&labels).set(b.retrying);
        }
    }

    /// Messages waiting by (channel, state), replacing the last scrape's figures.
    pub fn messages_waiting(&self, waiting: &[(String, String, i64)]) {
        self.messages_waiting.clear();
        for (channel, state, count) in waiting {
            self.messages_waiting
                .get_or_create(&MessageLabels {
                    channel: channel.clone(),
                    state: state.clone(),
                })
                .set(*count);
        }
    }

    pub fn event_deliveries_retrying(&self, count: i64) {
        self.event_deliveries_retrying.set(count);
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
