//! Prometheus metrics, served as text at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub store: String,
    pub outcome: String,
}

pub struct Metrics {
    registry: Registry,
    deliveries: Family<DeliveryLabels, Counter>,
    ingest_seconds: Histogram,
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
        Self {
            registry,
            deliveries,
            ingest_seconds,
        }
    }

    pub fn delivery(&self, store: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                store: store.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn ingest_latency(&self, seconds: f64) {
        self.ingest_seconds.observe(seconds);
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
