//! `/api/v1/store/...`: the store's own view of its connection, for the plugin's admin
//! screen, and the shop's profile the plugin sends.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use serde::Serialize;
use utoipa::ToSchema;

use crate::feeds::health::{self as feed_health, FeedHealth};
use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::ApiJson;
use crate::invoice;
use crate::shop::profile::{self, ProfileBody};
use crate::shop::view::{self, ProfileView};
use crate::sync::health::{self, StoreConnection, StoreHealth};

/// A profile carries a logo of at most 512 KiB, base64-encoded, beside the shop's address
/// formats and country and state names.
const MAX_PROFILE_BYTES: usize = 2 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(store_health))
        .routes(routes!(store_connection))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(put_profile, get_profile))
                .layer(DefaultBodyLimit::max(MAX_PROFILE_BYTES)),
        )
}

/// `GET /api/v1/store/health`: the connection's health and the tracking feeds' accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreHealthReport {
    #[serde(flatten)]
    pub health: StoreHealth,
    /// Each tracking provider account of the store (empty without one): what this month
    /// cost against its quota, when that renews, parcels waiting, the last error.
    pub feeds: Vec<FeedHealth>,
}

/// Last webhook delivery, reconciliation, repaired orders, webhook states, the tracking
/// feeds' quota and problems of the store the API key belongs to.
#[utoipa::path(
    get,
    path = "/api/v1/store/health",
    tag = "store",
    responses(
        (status = 200, description = "The store's connection health", body = StoreHealthReport),
        KeyRequired,
        (status = 503, description = "The database could not be read", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn store_health(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<StoreHealthReport>, ApiError> {
    let zone = state.zones().zone_of(state.db(), &store).await?;
    let mut health = health::report(
        state.db(),
        &state.config().sync_config(),
        &store,
        &state.config().shop(&store),
        &zone,
    )
    .await?;
    let feeds = feed_health::report(
        state.db(),
        &state.config().feeds,
        &store,
        jiff::Timestamp::now(),
    )
    .await?;
    health.problems.extend(feed_health::problems(&feeds));
    Ok(Json(StoreHealthReport { health, feeds }))
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

/// The shop's own facts, as the plugin reads them from WordPress and WooCommerce: name,
/// home page, address, tax number, contact, logo, time zone, and how the shop writes
/// addresses. Replaces the profile sent before. Invoices waiting for the seller's name
/// and address are issued right after. What `[seller]` in aftercare.toml sets wins, field
/// by field.
#[utoipa::path(
    put,
    path = "/api/v1/store/profile",
    tag = "store",
    request_body = ProfileBody,
    responses(
        (status = 200, description = "Stored; the profile as aftercare now uses it", body = ProfileView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        KeyRequired,
        (status = 413, description = "Body over 2 MiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`); nothing stored", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn put_profile(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<ProfileView>, ApiError> {
    profile::receive(state.db(), &store, body).await?;
    // Its time zone may be new: every date from now on is in it.
    state.zones().forget(&store);
    match invoice::issue::wake(state.db(), &store).await {
        Ok(woken) => tracing::info!(store = %store, woken, "shop profile received"),
        // They look again on their own within minutes.
        Err(error) => tracing::warn!(store = %store, %error, "could not wake the waiting invoices"),
    }
    let configured = state.config().shop(&store);
    Ok(Json(
        view::load(state.db(), &store, &configured, state.zones()).await?,
    ))
}

/// The shop's facts as aftercare uses them: the seller on invoices and where it came
/// from, the shop's name, the time zone, and when the shop last sent its profile (null,
/// with only what aftercare.toml says, when it never has).
#[utoipa::path(
    get,
    path = "/api/v1/store/profile",
    tag = "store",
    responses(
        (status = 200, description = "The profile as aftercare uses it", body = ProfileView),
        KeyRequired,
        (status = 503, description = "The database could not be read", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_profile(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<ProfileView>, ApiError> {
    let configured = state.config().shop(&store);
    Ok(Json(
        view::load(state.db(), &store, &configured, state.zones()).await?,
    ))
}
