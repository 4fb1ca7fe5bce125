//! The HTTP surface and the process around it: routes, middleware, binding, shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, ApiError};
use crate::config::Config;
use crate::invoice::render::{FontSource, PdfRenderer, Renderer};
use crate::store::Db;
use crate::{AppState, jobs, webhook};
use std::sync::Arc;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// WooCommerce gives up after 60 s; answer well before that.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole router, with its middleware.
pub fn app(state: AppState) -> Router {
    let max_body = state.config().max_body_bytes;
    let (router, _doc) = api::documented_routes(max_body).split_for_parts();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(
            // Spans carry the route template, never the raw path (tokens, keys) or headers.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str)
                    .unwrap_or("unmatched");
                tracing::info_span!("http", method = %req.method(), route)
            }),
        )
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::HeaderName::from_static(webhook::SIGNATURE_HEADER),
        ]))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "An unexpected error occurred.",
            )
            .into_response()
        }))
}

/// Health, readiness and metrics.
pub fn operations() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// 200 while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Serving")))]
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// 200 when a write to the database commits.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "The database is writable"),
        (status = 503, description = "The database is not writable", body = crate::api::ErrorBody),
    )
)]
async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    if state.db().is_writable().await {
        Ok(Json(serde_json::json!({ "status": "ready" })))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The database is not writable.",
        ))
    }
}

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Metrics", content_type = "application/openmetrics-text")))]
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}

async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut parts: axum::http::request::Parts,
) -> ApiError {
    // Under /api/v1 the key comes first: without one, nothing is said about what exists.
    if parts.uri.path().starts_with("/api/v1/")
        && let Err(rejection) =
            <api::auth::ApiStore as axum::extract::FromRequestParts<AppState>>::from_request_parts(
                &mut parts, &state,
            )
            .await
    {
        return rejection;
    }
    ApiError::not_found("not_found", "There is nothing at this address.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not accept that method.",
    )
}

/// A bound, ready-to-run service.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    renderer: Arc<dyn Renderer>,
}

impl Application {
    /// Opens the database and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store_ids: Vec<&str> = config.stores.iter().map(|s| s.id.as_str()).collect();
        let db = Db::open(&config.database_path(), config.synchronous, &store_ids)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        // With port 0 the system picked one: URLs built from `listen` must use it.
        let mut config = config;
        config.listen = listener.local_addr()?;
        let fonts: Vec<FontSource> = config
            .invoices
            .fallback_fonts
            .iter()
            .map(|(path, face)| FontSource::with_face(path.clone(), *face))
            .collect();
        let renderer = PdfRenderer::new(&fonts)?;
        if renderer.fallbacks().is_empty() {
            tracing::warn!(
                "no CJK fallback font found: Korean, Japanese and Chinese text on invoices will show missing glyphs (install fonts-nanum or set invoices.fallback_fonts)"
            );
        }
        Ok(Application {
            listener,
            state: AppState::new(config, db),
            renderer: Arc::new(renderer),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish, then closes the
    /// database cleanly.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let (stop_worker, stop) = watch::channel(false);
        let reconciler = tokio::spawn(crate::sync::reconcile::run(state.clone(), stop.clone()));
        let sweep = tokio::spawn(crate::tracking::sweep::run(state.clone(), stop.clone()));
        let worker = tokio::spawn(jobs::run(state.clone(), self.renderer.clone(), stop));
        let service = app(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        // In-flight requests are done; let the worker finish its job and the reconciler
        // stop between two writes, then close.
        let _ = stop_worker.send(true);
        let _ = worker.await;
        let _ = reconciler.await;
        let _ = sweep.await;
        state.db().close().await;
        served?;
        Ok(())
    }
}
