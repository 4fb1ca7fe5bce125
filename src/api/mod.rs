//! The REST API under `/api/v1`, its error type and its OpenAPI document.
//!
//! Routes and the document come from one source: every handler carries
//! `#[utoipa::path]` and is registered through [`OpenApiRouter`], so the document cannot
//! drift from what is served.

pub mod auth;
mod documents;
pub mod error;
mod extract;
pub mod guest_limit;
mod orders;
mod returns;
mod shipments;
mod store;

use std::sync::OnceLock;

use axum::Json;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
pub use auth::ApiStore;
pub use error::{ApiError, ErrorBody};

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
        (name = "tracking", description = "Shipments, their events, delay alerts, the public tracking page"),
        (name = "webhooks", description = "Deliveries from WooCommerce"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
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

/// `/api/v1` routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orders::list_orders))
        .routes(routes!(orders::get_order))
        .routes(routes!(documents::get_invoice_pdf))
        .routes(routes!(documents::get_customer_document))
        .routes(routes!(documents::list_order_documents))
        .routes(routes!(documents::download))
        .routes(routes!(orders::get_guest_order))
        .routes(routes!(store::store_health))
        .routes(routes!(store::store_connection))
        .routes(routes!(shipments::create_shipment))
        .routes(routes!(shipments::add_event))
        .routes(routes!(shipments::list_alerts))
        .routes(routes!(returns::list_customer_returns))
        .routes(routes!(returns::cancel_customer_return))
        .routes(routes!(returns::cancel_guest_return))
        .routes(routes!(returns::list_returns))
        .routes(routes!(returns::get_return))
        .routes(routes!(returns::transition_return))
        .routes(routes!(returns::get_photo))
        .routes(routes!(openapi_json))
        .merge(return_requests())
}

/// Return requests carry photos: a larger body limit than the rest of the API.
fn return_requests() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(returns::create_customer_return))
        .routes(routes!(returns::create_guest_return))
        .layer(axum::extract::DefaultBodyLimit::max(
            returns::MAX_BODY_BYTES,
        ))
}

/// The whole service's routes with their document.
pub fn documented_routes(max_webhook_body: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::server::operations())
        .merge(crate::webhook::router(max_webhook_body))
        .merge(router())
        .merge(crate::tracking::page::router())
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static OpenApiDoc {
    static DOC: OnceLock<OpenApiDoc> = OnceLock::new();
    DOC.get_or_init(|| documented_routes(crate::config::DEFAULT_MAX_BODY_BYTES).into_openapi())
}

/// This document (OpenAPI 3.1).
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI document"),
        (status = 401, description = "Missing or wrong API key", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn openapi_json(_: ApiStore) -> Json<&'static OpenApiDoc> {
    Json(openapi())
}
