//! Staff endpoints for tracking: add a parcel, record its events, list late orders.
//! The API key identifies the store; ids of another store's orders and parcels are 404.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::ids::{OrderId, ShipmentId};
use crate::tracking::delays::AlertCode;
use crate::tracking::staff::{self, EventReceipt, NewEventRequest, NewShipmentRequest};
use crate::tracking::view::{AlertView, OrderTracking, ShipmentView, alert_views, page_url};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_shipment))
        .routes(routes!(add_event))
        .routes(routes!(list_alerts))
}

/// Adds a parcel to an order. Re-sending a tracking number the order already has is 409.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{order_id}/shipments",
    tag = "tracking",
    params(("order_id" = u64, Path, description = "WooCommerce order id")),
    request_body = NewShipmentRequest,
    responses(
        (status = 201, description = "The parcel", body = ShipmentView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order in this store", body = ErrorBody),
        (status = 409, description = "The order already has this tracking number", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn create_shipment(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    ApiJson(request): ApiJson<NewShipmentRequest>,
) -> Result<(StatusCode, Json<ShipmentView>), ApiError> {
    let settings = state.config().tracking.clone();
    let view = staff::create_shipment(
        state.db(),
        settings,
        state.zones(),
        state.config().feeds.parcel_feed(&store),
        store.clone(),
        order_id,
        request,
    )
    .await?;
    tracing::info!(store = %store, order_id = order_id.get(), shipment_id = view.id.get(), carrier = %view.carrier, "shipment added");
    Ok((StatusCode::CREATED, Json(view)))
}

/// Records a parcel event (carrier scan or shop update). Events may arrive in any order:
/// history sorts by `occurred_at`, the newest sets the status. The identical event again
/// is 200 and changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/shipments/{shipment_id}/events",
    tag = "tracking",
    params(("shipment_id" = u64, Path, description = "Shipment id from the order view or from creating it")),
    request_body = NewEventRequest,
    responses(
        (status = 201, description = "Recorded", body = EventReceipt),
        (status = 200, description = "Already recorded", body = EventReceipt),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such shipment in this store", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn add_event(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(shipment_id): ApiPath<ShipmentId>,
    ApiJson(request): ApiJson<NewEventRequest>,
) -> Result<(StatusCode, Json<EventReceipt>), ApiError> {
    let settings = state.config().tracking.clone();
    let (receipt, created) = staff::add_event(
        state.db(),
        settings,
        state.zones(),
        store.clone(),
        shipment_id,
        request,
    )
    .await?;
    tracing::info!(store = %store, shipment_id = shipment_id.get(), status = %receipt.event.status, created, "shipment event");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(receipt)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Only alerts with this code.
    code: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Orders per page, 1-100 (default 10).
    per_page: Option<u32>,
}

/// An order with active delay alerts.
#[derive(Debug, Serialize, ToSchema)]
pub struct LateOrder {
    #[schema(value_type = u64)]
    pub order_id: OrderId,
    /// The order number customers see.
    pub number: String,
    /// The order's public tracking page.
    pub tracking_url: Option<String>,
    pub alerts: Vec<AlertView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    /// The longest-waiting first.
    orders: Vec<LateOrder>,
    page: u32,
    per_page: u32,
    /// Orders with active alerts in all pages.
    total: u64,
}

/// Orders of this store with active delay alerts, the longest-waiting first.
#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "tracking",
    params(AlertQuery),
    responses(
        (status = 200, description = "Late orders", body = AlertList),
        (status = 400, description = "Bad code or paging", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_alerts(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AlertQuery>,
) -> Result<Json<AlertList>, ApiError> {
    let paging = Paging::new(query.page, query.per_page)?;
    let Paging { page, per_page } = paging;
    let code = match query.code.as_deref() {
        Some(text) => Some(
            AlertCode::parse(text)
                .ok_or_else(|| {
                    let codes: Vec<_> = AlertCode::ALL.iter().map(|c| c.as_str()).collect();
                    ApiError::bad_request(
                        ErrorCode::InvalidQuery,
                        format!("`code` must be one of {}.", codes.join(", ")),
                    )
                })?
                .as_str(),
        ),
        None => None,
    };
    let offset = paging.offset();
    let zones = state.zones().clone();
    let (orders, total, zone) = state
        .db()
        .read(move |c| {
            let (rows, total) = crate::tracking::store::delay_alerts::orders_with_alerts(
                c, &store, code, per_page, offset,
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for (order_id, number) in rows {
                let mut tracking = OrderTracking::load(c, &store, order_id)?;
                if let Some(code) = code {
                    tracking.alerts.retain(|a| a.code == code);
                }
                out.push((order_id, number, tracking));
            }
            Ok((out, total, zones.zone(c, &store).tz))
        })
        .await?;
    let settings = &state.config().tracking;
    let cal = settings.calendar(&zone);
    let base = state.config().base_url();
    let orders = orders
        .into_iter()
        .map(|(order_id, number, tracking)| LateOrder {
            order_id,
            number,
            tracking_url: tracking.token.as_ref().map(|t| page_url(&base, t)),
            alerts: alert_views(&tracking, settings, &cal),
        })
        .collect();
    Ok(Json(AlertList {
        orders,
        page,
        per_page,
        total,
    }))
}
