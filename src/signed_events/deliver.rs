//! The delivery job: sends a store's due deliveries, one request each, signs every attempt
//! afresh, logs it, and schedules the next one with backoff until the schedule runs out.
//!
//! A 2xx answer delivers. 410 Gone ends that delivery at once (the endpoint says it is
//! gone; nothing is switched off: the next event is tried again). Any other answer, a
//! refused connection or a timeout is retried after the next wait of the schedule
//! (`[events] retry_schedule_seconds`) plus up to 10 % of jitter; after the last wait's
//! attempt the delivery is failed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use rand::RngExt as _;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use super::settings::{Endpoint, EventSettings};
use super::sign;
use super::store::{self, Attempt, DeliveryState, Due};
use crate::ids::StoreId;
use crate::jobs::{Job, JobKind, Outcome, Registry};
use crate::metrics::Metrics;
use crate::store::{Db, StoreError};
use crate::time;

/// Deliveries taken per run of the job; more due ones run right after, so that other
/// remote jobs get their turn between batches.
const BATCH: u32 = 50;
/// How long one run keeps sending before it yields the lane.
const RUN_BUDGET: Duration = Duration::from_secs(30);
/// How much of an answer's body the log keeps.
const MAX_LOGGED_BODY: usize = 1024;
const USER_AGENT: &str = concat!("aftercare/", env!("CARGO_PKG_VERSION"), " (signed events)");

pub struct Deliverer {
    db: Db,
    settings: Arc<EventSettings>,
    http: reqwest::Client,
    metrics: Arc<Metrics>,
}

impl Deliverer {
    pub fn new(db: Db, settings: Arc<EventSettings>, metrics: Arc<Metrics>) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout.min(Duration::from_secs(10)))
            // A redirect would carry the signed POST somewhere the store never configured.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds with rustls");
        Self {
            db,
            settings,
            http,
            metrics,
        }
    }

    /// Records the configured endpoints (start-up calls it once, before serving).
    pub async fn configure(&self) -> Result<(), StoreError> {
        let settings = self.settings.clone();
        let now = time::millis(Timestamp::now());
        self.db
            .writer()
            .write(move |c| store::configure(c, &settings, &now))
            .await
    }

    pub fn register(self: Arc<Self>, registry: &mut Registry) {
        registry.register(JobKind::DeliverEvents, move |job: Job| {
            let deliverer = self.clone();
            async move {
                match deliverer.run(&job.store_id).await {
                    Ok(outcome) => outcome,
                    Err(error) => Outcome::Retry(error.into()),
                }
            }
        });
    }

    /// Sends what is due, then sleeps until the next delivery is due (or ends, when none
    /// is pending: `publish` enqueues the job again).
    async fn run(&self, store_id: &StoreId) -> Result<Outcome, StoreError> {
        let now = time::millis(Timestamp::now());
        let due = {
            let store_id = store_id.clone();
            self.db
                .read(move |c| store::due(c, &store_id, &now, BATCH))
                .await?
        };
        let started = Instant::now();
        for delivery in &due {
            // A slow endpoint must not hold the Remote lane: after the budget, the rest
            // waits behind the other remote jobs already due.
            if started.elapsed() > RUN_BUDGET {
                return Ok(Outcome::Defer(Duration::ZERO));
            }
            self.attempt(store_id, delivery).await?;
        }
        if due.len() == BATCH as usize {
            return Ok(Outcome::Defer(Duration::ZERO));
        }
        let next = {
            let store_id = store_id.clone();
            self.db
                .read(move |c| store::next_due_at(c, &store_id))
                .await?
        };
        Ok(match next.as_deref().and_then(time::parse) {
            None => Outcome::Done,
            Some(at) => Outcome::Defer(
                Duration::try_from(at.duration_since(Timestamp::now())).unwrap_or(Duration::ZERO),
            ),
        })
    }

    async fn attempt(&self, store_id: &StoreId, delivery: &Due) -> Result<(), StoreError> {
        let Some(endpoint) = self.settings.endpoint(store_id, &delivery.endpoint_id) else {
            tracing::warn!(store = %store_id, delivery = %delivery.id, endpoint = %delivery.endpoint_id, "event endpoint no longer configured; delivery failed");
            let (id, now) = (delivery.id, time::millis(Timestamp::now()));
            self.metrics.event_delivery(store_id, "failed");
            return self
                .db
                .writer()
                .write(move |c| store::abandon(c, id, "the endpoint is no longer configured", &now))
                .await;
        };
        let attempt = self.send(endpoint, delivery).await;
        let made = delivery.attempts + 1;
        let (state, next, outcome) = match attempt.status {
            Some(status) if (200..300).contains(&status) => {
                (DeliveryState::Delivered, None, "delivered")
            }
            Some(410) => (DeliveryState::Failed, None, "gone"),
            _ => match self.wait_after(made, delivery.last_chance) {
                Some(wait) => (
                    DeliveryState::Pending,
                    Some(time::millis(Timestamp::now() + wait)),
                    "retrying",
                ),
                None => (DeliveryState::Failed, None, "failed"),
            },
        };
        self.metrics.event_delivery(store_id, outcome);
        self.metrics
            .event_attempt_latency(attempt.duration_ms as f64 / 1000.0);
        match outcome {
            "delivered" => {
                tracing::info!(store = %store_id, delivery = %delivery.id, host = %endpoint.host, status = attempt.status, "event delivered")
            }
            _ => {
                tracing::warn!(store = %store_id, delivery = %delivery.id, host = %endpoint.host, status = attempt.status, error = attempt.error.as_deref().unwrap_or(""), attempts = made, outcome, "event not delivered")
            }
        }
        let (store_id, delivery) = (store_id.clone(), delivery.clone());
        self.db
            .writer()
            .write(move |c| store::record(c, &store_id, &delivery, &attempt, state, next.as_ref()))
            .await
    }

    /// The wait before the attempt after the `made`th, or `None` when that was the last.
    fn wait_after(&self, made: u32, last_chance: bool) -> Option<SignedDuration> {
        if last_chance {
            return None;
        }
        let base = *self.settings.retry_schedule.get(made as usize - 1)?;
        Some(with_jitter(base))
    }

    /// One signed POST; never fails, the answer or the error is the attempt's record.
    async fn send(&self, endpoint: &Endpoint, delivery: &Due) -> Attempt {
        let at = Timestamp::now();
        let timestamp = at.as_second();
        let signature = sign::signature(
            &endpoint.keys,
            &delivery.event_id,
            timestamp,
            delivery.body.as_bytes(),
        );
        let mut request = self
            .http
            .post(&endpoint.url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone());
        if let Some(authorization) = &endpoint.authorization
            && let Ok(mut value) = HeaderValue::from_str(authorization.expose())
        {
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let started = Instant::now();
        let result = request.send().await;
        let (status, error, response_body) = match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut body = Vec::new();
                let mut error = None;
                while body.len() < MAX_LOGGED_BODY {
                    match response.chunk().await {
                        Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                        Ok(None) => break,
                        Err(e) => {
                            error = Some(describe(&e, endpoint));
                            break;
                        }
                    }
                }
                (Some(status), error, Some(truncate(&body)))
            }
            Err(e) => (None, Some(describe(&e, endpoint)), None),
        };
        Attempt {
            attempted_at: time::millis(at),
            status,
            duration_ms: started.elapsed().as_millis() as u64,
            error,
            response_body: response_body.filter(|b| !b.is_empty()),
        }
    }
}

/// Up to 10 % more than `base`, at random, so that endpoints coming back are not hit by
/// every waiting delivery in the same second.
fn with_jitter(base: Duration) -> SignedDuration {
    let spread = base.as_millis() as u64 / 10;
    let extra = Duration::from_millis(rand::rng().random_range(0..=spread));
    SignedDuration::try_from(base + extra).unwrap_or(SignedDuration::MAX)
}

/// An error and its causes, without the URL (which may carry a token): the causes are
/// the transport's (connect, TLS, I/O), and the URL, should one name it, becomes its host.
fn describe(error: &reqwest::Error, endpoint: &Endpoint) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "could not read the answer"
    } else {
        "the request failed"
    };
    let mut parts = vec![what.to_owned()];
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        let part = e.to_string().replace(&endpoint.url, &endpoint.host);
        if !part.is_empty() && !parts.iter().any(|p| p.contains(&part)) {
            parts.push(part);
        }
        source = e.source();
    }
    parts.join(": ")
}

/// The first KiB of a body, as text.
fn truncate(body: &[u8]) -> String {
    let body = &body[..body.len().min(MAX_LOGGED_BODY)];
    let text = String::from_utf8_lossy(body);
    // A cut through a multi-byte character shows as one replacement character at the end.
    text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_follow_the_schedule_with_at_most_ten_percent_of_jitter() {
        for base in [0u64, 5, 300, 36_000] {
            for _ in 0..50 {
                let wait = with_jitter(Duration::from_secs(base)).as_secs_f64();
                let base = base as f64;
                assert!(wait >= base && wait <= base * 1.1, "{base}: {wait}");
            }
        }
    }

    #[tokio::test]
    async fn the_schedule_ends_in_failure_and_a_staff_retry_gets_one_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("e.sqlite3"), Default::default(), &["s"]).unwrap();
        let deliverer = Deliverer::new(db.clone(), Arc::default(), Arc::default());
        let schedule = &deliverer.settings.retry_schedule;
        assert_eq!(schedule.len(), 7);
        for made in 1..=7 {
            let wait = deliverer.wait_after(made, false).unwrap();
            let base = schedule[made as usize - 1].as_secs_f64();
            assert!(wait.as_secs_f64() >= base && wait.as_secs_f64() <= base * 1.1);
        }
        assert_eq!(
            deliverer.wait_after(8, false),
            None,
            "eight attempts in all"
        );
        assert_eq!(
            deliverer.wait_after(1, true),
            None,
            "a staff retry is one attempt"
        );
        db.close().await;
    }
}
