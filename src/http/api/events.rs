//! `/api/v1/events/...`: the store's signed event deliveries, for staff: the delivery log,
//! sending a failed delivery again, and a test ping to every endpoint.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::ids::EventDeliveryId;
use crate::signed_events::staff::{self, ListQuery};
use crate::signed_events::view::{DeliveryList, DeliveryView, TestEvent};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_deliveries))
        .routes(routes!(retry_delivery))
        .routes(routes!(send_test))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state: `pending`, `delivered` or `failed`.
    status: Option<String>,
    /// Deliveries per page, 1-100 (default 20).
    limit: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Only deliveries to this endpoint (its id, `ep_…`): its delivery log.
    endpoint: Option<String>,
}

/// Staff: the store's signed event deliveries, newest first, each with every attempt
/// (status, duration, error, the start of the answer); with `endpoint`, one endpoint's
/// delivery log. Endpoints show by id and host.
#[utoipa::path(
    get,
    path = "/api/v1/events/deliveries",
    tag = "events",
    params(DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList),
        KeyRequired,
        (status = 422, description = "Unknown status, limit out of range, a bad cursor or endpoint id (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn list_deliveries(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    let query = ListQuery {
        status: query.status,
        limit: query.limit,
        cursor: query.cursor,
        endpoint: query.endpoint,
    };
    Ok(Json(staff::list(state.db(), &store, &query).await?))
}

/// Staff: sends a failed delivery again now (one attempt; if it fails, the delivery is
/// failed again). Only a failed delivery can be retried.
#[utoipa::path(
    post,
    path = "/api/v1/events/deliveries/{delivery_id}/retry",
    tag = "events",
    params(("delivery_id" = i64, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "Queued for an attempt now", body = DeliveryView),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such delivery in this store", body = ErrorBody),
        (status = 409, description = "The delivery is pending or delivered", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn retry_delivery(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<EventDeliveryId>,
) -> Result<Json<DeliveryView>, ApiError> {
    Ok(Json(staff::retry(state.db(), &store, id).await?))
}

/// Staff: queues a `ping` event to every endpoint of the store, to check the URL, the
/// secret and the receiver's verification. Its deliveries show in the list.
#[utoipa::path(
    post,
    path = "/api/v1/events/test",
    tag = "events",
    responses(
        (status = 202, description = "Queued, one delivery per endpoint", body = TestEvent),
        KeyRequired,
        (status = 503, description = "The database could not be written", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn send_test(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<TestEvent>), ApiError> {
    let test = staff::ping(state.db(), &store).await?;
    tracing::info!(store = %store, queued = test.queued, "test event queued");
    Ok((StatusCode::ACCEPTED, Json(test)))
}
