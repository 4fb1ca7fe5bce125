//! `/api/v1/store/...`: the store's own view of its connection, for the plugin's admin screen.

use axum::Json;
use axum::extract::State;

use super::ApiError;
use super::auth::ApiStore;
use crate::AppState;
use crate::sync::health::{self, StoreConnection, StoreHealth};

/// Last webhook delivery, reconciliation, repaired orders, webhook states and problems of
/// the store the API key belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/store/health",
    tag = "store",
    responses(
        (status = 200, description = "The store's connection health", body = StoreHealth),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 503, description = "The database could not be read", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn store_health(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<StoreHealth>, ApiError> {
    Ok(Json(health::report(&state, &store).await?))
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
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn store_connection(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<StoreConnection>, ApiError> {
    health::connection(state.config(), &store)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("unknown_store", "No store with this id is configured."))
}
