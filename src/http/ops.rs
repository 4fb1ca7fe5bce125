//! Operational routes: liveness, readiness, metrics and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::auth::ApiStore;
use super::error::{ApiError, ErrorBody, ErrorCode, responses::KeyRequired};
use crate::invoice::archive;
use crate::store::{Db, StoreError};
use crate::{jobs, notify, signed_events};

/// Health, readiness, metrics and this document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi_json))
}

/// 200 while the process serves, with the version and the build (the commit).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Serving: `{\"status\": \"ok\", \"version\", \"build\"}`")))]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "version": crate::version::VERSION,
        "build": crate::version::BUILD,
    }))
}

/// 200 when the database can grow and the document archive takes files.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The database and the document archive are writable"),
        (status = 503, description = "The database or the document archive is not writable", body = ErrorBody),
    )
)]
async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    if let Err(fault) = state.db().check_writable().await {
        return Err(not_ready(fault.describe()));
    }
    let data_dir = state.config().data_dir.clone();
    let archive = tokio::task::spawn_blocking(move || archive::check_writable(&data_dir)).await;
    if !matches!(archive, Ok(Ok(()))) {
        return Err(not_ready(
            "The document archive is not writable: invoices wait until it is.",
        ));
    }
    // Ready, but say what waits: work held up by a mail server or endpoint that is down.
    let (retrying, failed_messages, events) = match backlogs(state.db()).await {
        Ok(b) => (
            b.jobs.iter().map(|j| j.retrying).sum::<i64>(),
            b.messages
                .iter()
                .filter(|(_, s, _)| s == "failed")
                .map(|(_, _, n)| n)
                .sum::<i64>(),
            b.events_retrying,
        ),
        Err(_) => (0, 0, 0),
    };
    Ok(Json(serde_json::json!({
        "status": "ready",
        "backlog": {
            "jobs_retrying": retrying,
            "messages_failed": failed_messages,
            "events_retrying": events,
        },
    })))
}

fn not_ready(message: &'static str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::NotReady,
        message,
    )
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Metrics", content_type = "application/openmetrics-text")))]
async fn metrics(State(state): State<AppState>) -> Response {
    let metrics = state.metrics();
    metrics.database(state.db().write_health());
    // The backlogs are read at scrape time; a failed read leaves the last figures.
    if let Ok(b) = backlogs(state.db()).await {
        metrics.jobs_backlog(&b.jobs);
        metrics.messages_waiting(&b.messages);
        metrics.event_deliveries_retrying(b.events_retrying);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}

/// Work held up, read at each scrape and readiness check.
struct Backlogs {
    jobs: Vec<jobs::store::Backlog>,
    /// (channel, state, count) of messages not yet handed over.
    messages: Vec<(String, String, i64)>,
    events_retrying: i64,
}

async fn backlogs(db: &Db) -> Result<Backlogs, StoreError> {
    db.read(|conn| {
        Ok(Backlogs {
            jobs: jobs::store::backlog(conn)?,
            messages: notify::store::waiting(conn)?,
            events_retrying: signed_events::store::retrying(conn)?,
        })
    })
    .await
}

/// This document (OpenAPI 3.1).
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI document"),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn openapi_json(_: ApiStore) -> Json<&'static OpenApiDoc> {
    Json(super::openapi())
}
