//! Failed guest look-ups are limited per client, so order keys cannot be guessed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Failed attempts a client may make per window.
pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Past this many tracked clients, expired entries are swept.
const SWEEP_AT: usize = 10_000;

/// The shopper's address as the WordPress plugin reports it (it calls server to server),
/// else the peer address. Only API-key holders reach the guest endpoint, so the header is
/// trusted.
pub struct ClientId(pub String);

pub const CLIENT_IP_HEADER: &str = "x-aftercare-client-ip";

impl<S: Send + Sync> FromRequestParts<S> for ClientId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let reported = parts
            .headers
            .get(CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 64);
        let id = match reported {
            Some(ip) => ip.to_owned(),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        };
        Ok(ClientId(id))
    }
}

#[derive(Default)]
pub struct GuestLimiter {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl GuestLimiter {
    /// `Err(retry_after)` while the client has used up its failures.
    pub fn check(&self, client: &str) -> Result<(), Duration> {
        let failures = self.failures.lock().expect("limiter lock");
        match failures.get(client) {
            Some((started, count)) if *count >= MAX_FAILURES && started.elapsed() < WINDOW => {
                Err(WINDOW - started.elapsed())
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, client: &str) {
        let mut failures = self.failures.lock().expect("limiter lock");
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, (started, _)| started.elapsed() < WINDOW);
        }
        let entry = failures
            .entry(client.to_owned())
            .or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }
}
