//! `/api/v1/store/...`: the store's own view of its connection, for the plugin's admin screen.

use axum::Json;
use axum::extract::State;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::sync::health::{self, StoreConnection, StoreHealth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(store_health))
        .routes(routes!(store_connection))
}

/// Last webhook delivery, reconciliation, repaired orders, webhook states and problems of
/// the store the API key belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/store/health",
    tag = "store",
    responses(
        (status = 200, description = "The store's connection health", body = StoreHealth),
        KeyRequired,
        (status = 503, description = "The database could not be read", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn store_health(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<StoreHealth>, ApiError> {
    Ok(Json(
        health::report(state.db(), &state.config().sync_config(), &store).await?,
    ))
}

/// What the plugin's one-click Connect needs to create the order webhooks: the webhook path,
/// the store's current webhook secret and the topics. The API key holder is the store
/// itself, so it may read its own secret.
#[utoipa::path(
    get,
    path = "/api/v1/store/connection",
    tag = "store",
    responses(
        (status = 200, description = "How WooCommerce should deliver to this store's endpoint", body = StoreConnection),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn store_connection(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<StoreConnection>, ApiError> {
    health::connection(&state.config().sync_config(), &store)
        .map(Json)
        .ok_or_else(ApiError::unknown_store)
}
