//! Guests prove an order with its key and billing email. Failed proofs are limited per
//! client, so order keys cannot be guessed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use rusqlite::Connection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::auth::key_digest;
use super::error::ApiError;
use super::extract::ApiQuery;
use crate::ids::{OrderId, StoreId};
use crate::orders::store::{self as orders, VisibleOrder};
use crate::store::StoreError;

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuestQuery {
    /// The order key (`wc_order_...`) from the order confirmation.
    key: String,
    /// The billing email of the order (any case).
    email: String,
}

/// A guest's claim to an order: the key and email from the query, and who is asking.
/// Declare it after the path, so a bad path is reported before a bad query.
pub struct GuestClaim {
    client: String,
    query: GuestQuery,
}

impl FromRequestParts<AppState> for GuestClaim {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Ok(ClientId(client)) = ClientId::from_request_parts(parts, state).await;
        let ApiQuery(query) = ApiQuery::<GuestQuery>::from_request_parts(parts, state).await?;
        Ok(GuestClaim { client, query })
    }
}

impl GuestClaim {
    /// Proves the claim on the order `load` reads (the plain visible order, or more with
    /// it in the same read). Every mismatch is the same 404 and counts as a failure; a
    /// client that has used up its failures gets 429 until the window passes.
    pub async fn prove<T, F>(
        self,
        state: &AppState,
        store: &StoreId,
        order_id: OrderId,
        load: F,
        order_of: fn(&T) -> &VisibleOrder,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &StoreId, OrderId) -> Result<Option<T>, StoreError> + Send + 'static,
    {
        let limiter_key = format!("{store}/{}", self.client);
        if let Err(retry_after) = state.guest_limiter().check(&limiter_key) {
            return Err(ApiError::too_many_requests(
                "Too many failed order look-ups; try again later.",
                retry_after,
            ));
        }
        let found = {
            let store = store.to_owned();
            state
                .db()
                .read(move |conn| load(conn, &store, order_id))
                .await?
        };
        match found {
            Some(found) if self.matches(order_of(&found)) => Ok(found),
            _ => {
                state.guest_limiter().record_failure(&limiter_key);
                tracing::info!(order_id = order_id.get(), "guest order look-up failed");
                Err(ApiError::order_not_found())
            }
        }
    }

    /// Proves the claim on the visible order alone.
    pub async fn prove_order(
        self,
        state: &AppState,
        store: &StoreId,
        order_id: OrderId,
    ) -> Result<VisibleOrder, ApiError> {
        self.prove(state, store, order_id, orders::find_visible, |o| o)
            .await
    }

    fn matches(&self, order: &VisibleOrder) -> bool {
        let key_ok = !order.order_key.is_empty()
            && constant_time_eq::constant_time_eq_32(
                &key_digest(&order.order_key),
                &key_digest(self.query.key.trim()),
            );
        let email_ok = !order.billing_email.is_empty()
            && order.billing_email.trim().to_lowercase() == self.query.email.trim().to_lowercase();
        key_ok & email_ok
    }
}
