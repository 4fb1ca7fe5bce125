//! `POST /webhooks/woocommerce[/{store}]`: verify, classify, mirror, and only then acknowledge.

use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::HeaderMap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::raw_body;
use crate::ids::{OrderId, StoreId};
use crate::ingest::{self, Incoming, Outcome};
use crate::webhook::payload::{self, PayloadError};
use crate::webhook::{SIGNATURE_HEADER, TOPIC_HEADER, WEBHOOK_ID_HEADER};

pub fn router(max_body_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(receive_default))
        .routes(routes!(receive_for_store))
        .layer(DefaultBodyLimit::max(max_body_bytes))
}

/// The answer to an accepted delivery (and to the creation ping).
#[derive(Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub status: Outcome,
}

/// A delivery for the default store. The body is the order JSON exactly as WooCommerce
/// sent it, signed in `X-WC-Webhook-Signature`; the unsigned creation ping is answered 200.
#[utoipa::path(
    post,
    path = "/webhooks/woocommerce",
    tag = "webhooks",
    request_body(content = String, description = "WooCommerce order JSON (or the ping's `webhook_id=N`)", content_type = "application/json"),
    params(
        ("X-WC-Webhook-Signature" = String, Header, description = "base64(HMAC-SHA256(body, webhook secret))"),
        ("X-WC-Webhook-Topic" = String, Header, description = "order.created, order.updated, order.deleted, order.restored"),
    ),
    responses(
        (status = 200, description = "Committed to the mirror (or nothing to do)", body = Receipt),
        (status = 400, description = "Invalid JSON, UTF-8, field types or topic", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn receive_default(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Receipt>, ApiError> {
    receive(&state, &StoreId::default_store(), &headers, body).await
}

/// A delivery for a further store from the config file.
#[utoipa::path(
    post,
    path = "/webhooks/woocommerce/{store}",
    tag = "webhooks",
    request_body(content = String, description = "WooCommerce order JSON", content_type = "application/json"),
    params(
        ("store" = String, Path, description = "Store id from the config file"),
        ("X-WC-Webhook-Signature" = String, Header, description = "base64(HMAC-SHA256(body, webhook secret))"),
        ("X-WC-Webhook-Topic" = String, Header, description = "order.created, order.updated, order.deleted, order.restored"),
    ),
    responses(
        (status = 200, description = "Committed to the mirror (or nothing to do)", body = Receipt),
        (status = 400, description = "Invalid JSON, UTF-8, field types or topic", body = ErrorBody),
        (status = 401, description = "Missing or wrong signature", body = ErrorBody),
        (status = 404, description = "Unknown store", body = ErrorBody),
        (status = 413, description = "Body over the limit", body = ErrorBody),
    )
)]
async fn receive_for_store(
    State(state): State<AppState>,
    Path(store): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Receipt>, ApiError> {
    receive(&state, &store, &headers, body).await
}

async fn receive(
    state: &AppState,
    store_id: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Receipt>, ApiError> {
    let started = Instant::now();
    let Some(store) = state.store(store_id) else {
        state.metrics().delivery_to_unknown_store();
        return Err(ApiError::unknown_store());
    };
    // From here on the id is the configured store's.
    let store_id = &store.config.id;
    let reject = |outcome: &str, error: ApiError| {
        state.metrics().delivery(store_id, outcome);
        tracing::warn!(
            store = %store_id,
            outcome,
            code = error.code.as_str(),
            "webhook rejected"
        );
        error
    };

    let body = raw_body(body, state.config().max_body_bytes).map_err(|error| {
        let outcome = if error.code == ErrorCode::PayloadTooLarge {
            "too_large"
        } else {
            "bad_request"
        };
        reject(outcome, error)
    })?;

    let Some(signature) = headers.get(SIGNATURE_HEADER) else {
        if payload::is_ping(headers, &body) {
            state.metrics().delivery(store_id, "ping");
            tracing::info!(store = %store_id, "webhook creation ping");
            return Ok(Json(Receipt {
                status: Outcome::Ignored,
            }));
        }
        return Err(reject(
            "unauthorized",
            ApiError::unauthorized(
                ErrorCode::MissingSignature,
                "The X-WC-Webhook-Signature header is missing.",
            ),
        ));
    };
    let valid = signature
        .to_str()
        .is_ok_and(|sig| store.verifier.verify(&body, sig));
    if !valid {
        return Err(reject(
            "unauthorized",
            ApiError::unauthorized(
                ErrorCode::InvalidSignature,
                "The signature does not match the body under this store's webhook secret.",
            ),
        ));
    }

    let topic = header_str(headers, TOPIC_HEADER).map(str::to_ascii_lowercase);
    let Some(topic) = topic.filter(|t| !t.is_empty()) else {
        return Err(reject(
            "bad_request",
            ApiError::bad_request(
                ErrorCode::MissingTopic,
                "The X-WC-Webhook-Topic header is missing.",
            ),
        ));
    };
    let webhook_id = header_str(headers, WEBHOOK_ID_HEADER).and_then(|v| v.trim().parse().ok());

    let payload = payload::parse(&topic, &body).map_err(|e| {
        let code = match e {
            PayloadError::Utf8 => ErrorCode::InvalidUtf8,
            PayloadError::Json(_) => ErrorCode::InvalidJson,
            PayloadError::Shape { .. } | PayloadError::NotAnObject => ErrorCode::InvalidPayload,
        };
        reject("bad_request", ApiError::bad_request(code, e.to_string()))
    })?;

    let incoming = Incoming {
        store_id: store_id.to_owned(),
        topic: topic.clone(),
        webhook_id,
        body_sha256: Sha256::digest(&body).into(),
        received_at: jiff::Timestamp::now(),
        payload,
    };
    let ingested = ingest::ingest(
        state.db().writer(),
        incoming,
        state.config().invoices.clone(),
        state.config().feeds.parcel_feed(store_id),
    )
    .await?;
    state.metrics().delivery(store_id, ingested.logged_as);
    state
        .metrics()
        .ingest_latency(started.elapsed().as_secs_f64());
    tracing::info!(
        store = %store_id,
        topic,
        order_id = ingested.order_id.map(OrderId::get),
        outcome = ingested.logged_as,
        "webhook delivery"
    );
    Ok(Json(Receipt {
        status: ingested.outcome,
    }))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
