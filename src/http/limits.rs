//! Limits on guessing. Every public address that takes a secret-ish token (tracking and
//! survey pages, unsubscribe links, guide links, signed document links), the tracking
//! providers' pushes and the API's key check count each client's failures (an unknown,
//! forged or expired token, a bad signature or key); past the limit the client gets 429
//! with `Retry-After` until its window ends. Guests' order lookups have their own limiter
//! (`guest.rs`). Clients are told apart by the configured proxy header, else the peer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;

/// Failures a client may have per area and window.
pub const MAX_FAILURES: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(10 * 60);
/// Past this many tracked clients, expired entries are swept.
const SWEEP_AT: usize = 10_000;

/// Failures per key within a window.
pub struct Limiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            failures: Mutex::default(),
        }
    }

    /// `Err(retry_after)` while `key` has used up its failures.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match failures.get(key) {
            Some((started, count)) if *count >= self.max && started.elapsed() < self.window => {
                Err(self.window - started.elapsed())
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure; true when it used up the client's allowance.
    pub fn record_failure(&self, key: &str) -> bool {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() >= SWEEP_AT {
            let window = self.window;
            failures.retain(|_, (started, _)| started.elapsed() < window);
        }
        let entry = failures
            .entry(key.to_owned())
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
        entry.1 == self.max
    }
}

/// What a limited address guards, each counted apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    TrackingPage,
    SurveyPage,
    Unsubscribe,
    GuideLink,
    DocumentLink,
    FeedPush,
    ApiKey,
}

impl Area {
    /// The area of a route template, if it is a limited one.
    fn of(route: &str) -> Option<Area> {
        Some(match route {
            "/t/{token}" => Area::TrackingPage,
            "/s/{token}" => Area::SurveyPage,
            "/unsubscribe/{token}" => Area::Unsubscribe,
            "/g/{token}" => Area::GuideLink,
            "/documents/{document_id}" => Area::DocumentLink,
            r if r.starts_with("/feeds/") => Area::FeedPush,
            r if r.starts_with("/api/v1/") => Area::ApiKey,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Area::TrackingPage => "tracking",
            Area::SurveyPage => "survey",
            Area::Unsubscribe => "unsubscribe",
            Area::GuideLink => "guide",
            Area::DocumentLink => "document",
            Area::FeedPush => "feed",
            Area::ApiKey => "api",
        }
    }

    /// Whether an answer means the client held no valid token, signature or key.
    fn failed(self, status: StatusCode) -> bool {
        match self {
            // A known key that may not see something is no guess.
            Area::ApiKey => status == StatusCode::UNAUTHORIZED,
            Area::FeedPush => matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
            // The survey page answers 403 to a real token whose form check failed (a stale
            // page, another site's post): the customer's, not a guesser's.
            Area::SurveyPage => matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE),
            _ => matches!(
                status,
                StatusCode::NOT_FOUND
                    | StatusCode::GONE
                    | StatusCode::FORBIDDEN
                    | StatusCode::UNAUTHORIZED
            ),
        }
    }
}

/// The client as the proxy reports it (the last address it appended), else the peer.
fn client(request: &Request, header: Option<&HeaderName>) -> String {
    let reported = header
        .and_then(|h| request.headers().get(h))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 64);
    match reported {
        Some(address) => address.to_owned(),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
    }
}

/// The middleware: refuses a client over its limit, counts its failures.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(area) = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|route| Area::of(route.as_str()))
    else {
        return next.run(request).await;
    };
    let key = format!(
        "{}/{}",
        area.as_str(),
        client(&request, state.config().client_ip_header.as_ref())
    );
    let limiter = state.token_limiter();
    if let Err(retry_after) = limiter.check(&key) {
        return ApiError::too_many_requests(
            "Too many failed attempts from this address; try again later.",
            retry_after,
        )
        .into_response();
    }
    let response = next.run(request).await;
    if area.failed(response.status()) && limiter.record_failure(&key) {
        // Said once per client and window; the address itself is personal data, not logged.
        tracing::warn!(
            area = area.as_str(),
            window_secs = WINDOW.as_secs(),
            "a client used up its failed attempts; it is answered 429 until its window ends"
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_refused_after_its_failures_and_others_are_not() {
        let limiter = Limiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.check("tracking/1.2.3.4").is_ok());
            limiter.record_failure("tracking/1.2.3.4");
        }
        let wait = limiter.check("tracking/1.2.3.4").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert!(limiter.check("tracking/5.6.7.8").is_ok());
        assert!(limiter.check("survey/1.2.3.4").is_ok());
    }

    #[test]
    fn routes_map_to_their_areas() {
        assert_eq!(Area::of("/t/{token}"), Some(Area::TrackingPage));
        assert_eq!(Area::of("/feeds/17track/{store}"), Some(Area::FeedPush));
        assert_eq!(Area::of("/api/v1/orders/{order_id}"), Some(Area::ApiKey));
        assert_eq!(Area::of("/healthz"), None);
        assert_eq!(Area::of("/webhooks/woocommerce"), None);
        assert!(Area::TrackingPage.failed(StatusCode::GONE));
        assert!(!Area::ApiKey.failed(StatusCode::NOT_FOUND));
    }
}
