//! `POST /feeds/17track[/{store}]`: a tracking provider's push. The signature is checked
//! on the raw bytes before anything is parsed; the events are committed before the
//! answer, so a push that is not acknowledged is sent again by the provider.
//!
//! `POST /feeds/aftership[/{store}]`: AfterShip's webhook, signed like 17TRACK's push is
//! (its own scheme: `aftership-hmac-sha256`) and handled the same way.
//!
//! `POST /feeds/delivery-tracker[/{store}]`: Delivery Tracker's callback, which is
//! unsigned and names only a parcel. Nothing of its body is stored; it only brings that
//! parcel's next poll forward (within the shortest poll interval), and the poll asks
//! Delivery Tracker with aftercare's own key.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::raw_body;
use crate::feeds::Provider;
use crate::feeds::adapter::{Inbound, PushError};
use crate::feeds::aftership::{self, AfterShip};
use crate::feeds::apply;
use crate::feeds::delivery_tracker::DeliveryTracker;
use crate::feeds::seventeen::{SIGN_HEADER, SeventeenTrack};
use crate::ids::StoreId;

pub fn router(max_body_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(seventeen_default))
        .routes(routes!(seventeen_for_store))
        .routes(routes!(delivery_tracker_default))
        .routes(routes!(delivery_tracker_for_store))
        .routes(routes!(aftership_default))
        .routes(routes!(aftership_for_store))
        .layer(DefaultBodyLimit::max(max_body_bytes))
}

/// The answer to an accepted push.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushReceipt {
    /// `applied` (committed), `queued` (a callback: the parcel is fetched at the next poll),
    /// or `ignored` (a number no parcel of the store is followed under).
    pub status: &'static str,
    /// Events new to aftercare.
    pub new_events: usize,
}

/// A 17TRACK push for the default store.
#[utoipa::path(
    post,
    path = "/feeds/17track",
    tag = "feeds",
    request_body(content = String, description = "17TRACK's TRACKING_UPDATED or TRACKING_STOPPED JSON, as sent", content_type = "application/json"),
    params(
        ("sign" = String, Header, description = "hex(SHA-256(body + \"/\" + the store's 17TRACK key))"),
    ),
    responses(
        (status = 200, description = "Committed (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not a 17TRACK push", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, description = "The store has no 17TRACK account configured", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn seventeen_default(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive(
        &state,
        &StoreId::default_store(),
        Provider::SeventeenTrack,
        &headers,
        body,
    )
    .await
}

/// A 17TRACK push for a further store from the config file.
#[utoipa::path(
    post,
    path = "/feeds/17track/{store}",
    tag = "feeds",
    request_body(content = String, description = "17TRACK's TRACKING_UPDATED or TRACKING_STOPPED JSON, as sent", content_type = "application/json"),
    params(
        ("store" = String, Path, description = "Store id from the config file"),
        ("sign" = String, Header, description = "hex(SHA-256(body + \"/\" + the store's 17TRACK key))"),
    ),
    responses(
        (status = 200, description = "Committed (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not a 17TRACK push", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, description = "Unknown store, or no 17TRACK account configured for it", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn seventeen_for_store(
    State(state): State<AppState>,
    Path(store): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive(&state, &store, Provider::SeventeenTrack, &headers, body).await
}

/// An AfterShip webhook for the default store.
#[utoipa::path(
    post,
    path = "/feeds/aftership",
    tag = "feeds",
    request_body(content = String, description = "AfterShip's webhook JSON (tracking_update, edd_revise, ...) with the tracking in `msg`, as sent", content_type = "application/json"),
    params(
        ("aftership-hmac-sha256" = String, Header, description = "base64(HMAC-SHA256(the store's AfterShip webhook secret, body))"),
    ),
    responses(
        (status = 200, description = "Committed (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not an AfterShip webhook", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, description = "The store has no AfterShip account configured", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn aftership_default(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive(
        &state,
        &StoreId::default_store(),
        Provider::AfterShip,
        &headers,
        body,
    )
    .await
}

/// An AfterShip webhook for a further store from the config file.
#[utoipa::path(
    post,
    path = "/feeds/aftership/{store}",
    tag = "feeds",
    request_body(content = String, description = "AfterShip's webhook JSON (tracking_update, edd_revise, ...) with the tracking in `msg`, as sent", content_type = "application/json"),
    params(
        ("store" = String, Path, description = "Store id from the config file"),
        ("aftership-hmac-sha256" = String, Header, description = "base64(HMAC-SHA256(the store's AfterShip webhook secret, body))"),
    ),
    responses(
        (status = 200, description = "Committed (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not an AfterShip webhook", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, description = "Unknown store, or no AfterShip account configured for it", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn aftership_for_store(
    State(state): State<AppState>,
    Path(store): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive(&state, &store, Provider::AfterShip, &headers, body).await
}

/// A Delivery Tracker callback for the default store.
#[utoipa::path(
    post,
    path = "/feeds/delivery-tracker",
    tag = "feeds",
    request_body(content = String, description = "Delivery Tracker's callback JSON: {\"carrierId\", \"trackingNumber\"}", content_type = "application/json"),
    responses(
        (status = 200, description = "The parcel is fetched at the next poll (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not a Delivery Tracker callback", body = ErrorBody),
        (status = 404, description = "The store has no Delivery Tracker configured", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn delivery_tracker_default(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive_callback(&state, &StoreId::default_store(), body).await
}

/// A Delivery Tracker callback for a further store from the config file.
#[utoipa::path(
    post,
    path = "/feeds/delivery-tracker/{store}",
    tag = "feeds",
    request_body(content = String, description = "Delivery Tracker's callback JSON: {\"carrierId\", \"trackingNumber\"}", content_type = "application/json"),
    params(
        ("store" = String, Path, description = "Store id from the config file"),
    ),
    responses(
        (status = 200, description = "The parcel is fetched at the next poll (or nothing to do)", body = PushReceipt),
        (status = 400, description = "Not a Delivery Tracker callback", body = ErrorBody),
        (status = 404, description = "Unknown store, or no Delivery Tracker configured for it", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn delivery_tracker_for_store(
    State(state): State<AppState>,
    Path(store): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    receive_callback(&state, &store, body).await
}

async fn receive_callback(
    state: &AppState,
    store_id: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    let Some(store) = state.store(store_id) else {
        return Err(ApiError::unknown_store());
    };
    let store_id = store.config.id.clone();
    let config = state.config();
    if config.feeds.delivery_tracker(&store_id).is_none() {
        return Err(ApiError::not_found(
            ErrorCode::FeedNotConfigured,
            "This store has no Delivery Tracker configured.",
        ));
    }
    let reject = |error: ApiError| {
        tracing::warn!(store = %store_id, provider = "delivery-tracker", code = error.code.as_str(), "feed callback rejected");
        error
    };
    let body = raw_body(body, config.max_body_bytes).map_err(reject)?;
    let inbound = DeliveryTracker::parse_callback(&body).map_err(|error| {
        reject(ApiError::bad_request(
            ErrorCode::InvalidPayload,
            format!("The body is not a Delivery Tracker callback: {error}"),
        ))
    })?;
    let zone = state.zones().zone_of(state.db(), &store_id).await?.tz;
    let (feeds, tracking) = (config.feeds.clone(), config.tracking.clone());
    let writer_store = store_id.clone();
    let applied = state
        .db()
        .writer()
        .write(move |c| {
            apply::push(
                c,
                &writer_store,
                Provider::DeliveryTracker,
                &inbound,
                apply::Rules {
                    feeds: &feeds,
                    tracking: &tracking,
                    zone: &zone,
                },
                jiff::Timestamp::now(),
            )
        })
        .await?;
    tracing::info!(store = %store_id, provider = "delivery-tracker", parcels = applied.parcels, "feed callback");
    Ok(Json(PushReceipt {
        status: if applied.parcels == 0 {
            "ignored"
        } else {
            "queued"
        },
        new_events: 0,
    }))
}

/// An adapter's check-then-parse of a push: key, store zone, signature header, raw body.
type VerifyPush = fn(&str, &jiff::tz::TimeZone, Option<&str>, &[u8]) -> Result<Inbound, PushError>;

/// How a signed push of `provider` is checked: its header, its words, the store's key.
struct Signed<'a> {
    header: &'static str,
    name: &'static str,
    key: &'a str,
    verify: VerifyPush,
}

async fn receive(
    state: &AppState,
    store_id: &str,
    provider: Provider,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushReceipt>, ApiError> {
    let Some(store) = state.store(store_id) else {
        return Err(ApiError::unknown_store());
    };
    let store_id = store.config.id.clone();
    let config = state.config();
    let signed = match provider {
        Provider::SeventeenTrack => config.feeds.seventeen_track(&store_id).map(|a| Signed {
            header: SIGN_HEADER,
            name: "17TRACK",
            key: a.api_key.expose(),
            verify: SeventeenTrack::verify_push,
        }),
        Provider::AfterShip => config.feeds.aftership(&store_id).map(|a| Signed {
            header: aftership::SIGNATURE_HEADER,
            name: "AfterShip",
            key: a.webhook_secret.expose(),
            verify: AfterShip::verify_push,
        }),
        Provider::DeliveryTracker => None,
    };
    let Some(signed) = signed else {
        let name = match provider {
            Provider::AfterShip => "AfterShip",
            _ => "17TRACK",
        };
        return Err(ApiError::not_found(
            ErrorCode::FeedNotConfigured,
            format!("This store has no {name} account configured."),
        ));
    };
    let reject = |error: ApiError| {
        tracing::warn!(store = %store_id, provider = provider.as_str(), code = error.code.as_str(), "feed push rejected");
        error
    };
    let body = raw_body(body, config.max_body_bytes).map_err(reject)?;
    let signature = headers.get(signed.header).map(|v| v.to_str().unwrap_or(""));
    let zone = state.zones().zone_of(state.db(), &store_id).await?.tz;
    let inbound = (signed.verify)(signed.key, &zone, signature, &body).map_err(|error| {
        reject(match error {
            PushError::MissingSignature => ApiError::unauthorized(
                ErrorCode::MissingSignature,
                format!("The {} header is missing.", signed.header),
            ),
            PushError::InvalidSignature => ApiError::unauthorized(
                ErrorCode::InvalidSignature,
                format!(
                    "The signature does not match the body under this store's {} key.",
                    signed.name
                ),
            ),
            PushError::Malformed(detail) => ApiError::bad_request(
                ErrorCode::InvalidPayload,
                format!("The body is not a {} push: {detail}", signed.name),
            ),
        })
    })?;
    let (feeds, tracking) = (config.feeds.clone(), config.tracking.clone());
    let writer_store = store_id.clone();
    let applied = state
        .db()
        .writer()
        .write(move |c| {
            apply::push(
                c,
                &writer_store,
                provider,
                &inbound,
                apply::Rules {
                    feeds: &feeds,
                    tracking: &tracking,
                    zone: &zone,
                },
                jiff::Timestamp::now(),
            )
        })
        .await?;
    let arrived = jiff::Timestamp::now();
    for at in &applied.new_event_times {
        let lag = arrived.duration_since(*at).as_secs_f64();
        state
            .metrics()
            .feed_event_lag(provider.as_str(), "push", lag);
    }
    tracing::info!(store = %store_id, provider = provider.as_str(), parcels = applied.parcels, new_events = applied.new_events, "feed push");
    Ok(Json(PushReceipt {
        status: if applied.parcels == 0 {
            "ignored"
        } else {
            "applied"
        },
        new_events: applied.new_events,
    }))
}
