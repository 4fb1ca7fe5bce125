//! The HTTP edge: the server, its state, the error shape, extractors, authentication and
//! every route. Nothing outside this folder imports it; it calls into the domains.
//!
//! Routes and the OpenAPI document come from one source: every handler carries
//! `#[utoipa::path]` and each module registers its own through [`OpenApiRouter`], so the
//! document cannot drift from what is served.

mod accept;
mod api;
mod auth;
mod code;
mod error;
mod extract;
mod feeds;
mod guest;
mod limits;
mod ops;
mod server;
mod state;
mod survey_page;
mod tracking_page;
mod unsubscribe;
mod webhook;

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use auth::ApiStore;
use error::{ApiError, ErrorCode};
pub use server::Application;
pub use state::{AppState, Store};

/// WooCommerce gives up after 60 s; answer well before that.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aftercare",
        description = "Post-purchase support sidecar for WooCommerce: webhook receiver and the API behind My Account."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "orders", description = "What customers see of their orders"),
        (name = "documents", description = "Invoices and credit notes, and their signed download links"),
        (name = "store", description = "The store's connection: webhooks, reconciliation, health"),
        (name = "returns", description = "Returns and exchanges: requests, their lifecycle, refunds and store credit"),
        (name = "support", description = "Support requests on the order: the customer's thread, the staff inbox, replies, notes, assignment, first-response and resolution metrics"),
        (name = "tracking", description = "Shipments, their events, delay alerts, the public tracking page"),
        (name = "messages", description = "Customer messages: the plugin's pull of due messages, their results, unsubscribe"),
        (name = "surveys", description = "NPS and CSAT surveys: the public survey page and the answers for staff"),
        (name = "insights", description = "The store's figures over a range of days: NPS, CSAT, support, carriers, returns, customers; charts as SVG, tables as CSV"),
        (name = "webhooks", description = "Deliveries from WooCommerce"),
        (name = "events", description = "Signed events (Standard Webhooks) to the store's endpoints: deliveries, retries, a test ping"),
        (name = "feeds", description = "Pushes from tracking providers (17TRACK, Delivery Tracker)"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
        (name = "answers", description = "FAQ entries staff keep and the ones that fit an order now, with how often each was shown and whether a request followed"),
        (name = "privacy", description = "The customer's personal data: export everything held for an e-mail address, erase it (issued invoices retained)"),
        (name = "guides", description = "Getting-started guides per product, variation or SKU, and the counting redirect of their links"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The whole service's routes with their document: every module's router, merged here.
fn documented_routes(max_webhook_body: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::router())
        .merge(webhook::router(max_webhook_body))
        .merge(feeds::router(max_webhook_body))
        .merge(api::orders::router())
        .merge(api::answers::router())
        .merge(api::guides::router())
        .merge(api::documents::router())
        .merge(api::store::router())
        .merge(api::shipments::router())
        .merge(api::returns::router())
        .merge(api::support::router())
        .merge(api::events::router())
        .merge(tracking_page::router())
        .merge(api::messages::router())
        .merge(unsubscribe::router())
        .merge(survey_page::router())
        .merge(api::surveys::router())
        .merge(api::privacy::router())
        .merge(api::insights::router())
}

/// The OpenAPI document, built once.
fn openapi() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(|| documented_routes(crate::config::DEFAULT_MAX_BODY_BYTES).into_openapi())
}

/// The whole router, with its middleware.
pub fn app(state: AppState) -> Router {
    let max_body = state.config().max_body_bytes;
    let (router, _doc) = documented_routes(max_body).split_for_parts();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::guard,
        ))
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
            header::HeaderName::from_static(crate::webhook::SIGNATURE_HEADER),
            header::HeaderName::from_static(crate::feeds::seventeen::SIGN_HEADER),
        ]))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "An unexpected error occurred.",
            )
            .into_response()
        }))
}

async fn not_found(
    State(state): State<AppState>,
    mut parts: axum::http::request::Parts,
) -> ApiError {
    // Under /api/v1 the key comes first: without one, nothing is said about what exists.
    if parts.uri.path().starts_with("/api/v1/")
        && let Err(rejection) = ApiStore::from_request_parts(&mut parts, &state).await
    {
        return rejection;
    }
    ApiError::not_found(ErrorCode::NotFound, "There is nothing at this address.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This address does not accept that method.",
    )
}
