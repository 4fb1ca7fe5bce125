//! `/api/v1/customers/{customer_id}/orders[/{order_id}]` and the guest view.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::answers::Topic;
use crate::answers::select::ShownAnswer;
use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery, Paging};
use crate::http::guest::{GuestClaim, GuestQuery};
use crate::ids::StoreId;
use crate::ids::{Customer, OrderId};
use crate::order_view::assemble::{self, Loaded, ViewSettings, Viewer};
use crate::order_view::{OrderSummary, OrderView, fill_summaries};
use crate::orders::store as orders;
use crate::tracking::view::SummaryTracking;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orders))
        .routes(routes!(get_order))
        .routes(routes!(get_guest_order))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    page: Option<u32>,
    /// Orders per page, 1-100 (default 10).
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    /// Newest first.
    orders: Vec<OrderSummary>,
    page: u32,
    per_page: u32,
    /// Orders of this customer in all pages.
    total: u64,
}

/// A customer's orders, newest first. Checkout drafts and trashed orders never appear;
/// customer 0 (guests) owns nothing.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders",
    tag = "orders",
    params(("customer_id" = u64, Path, description = "WooCommerce customer (user) id"), PageQuery),
    responses(
        (status = 200, description = "The page of orders", body = OrderList),
        (status = 400, description = "Bad customer id or paging", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_orders(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer): ApiPath<Customer>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let paging = Paging::new(query.page, query.per_page)?;
    let Paging { page, per_page } = paging;
    let Customer::Registered(customer) = customer else {
        return Ok(Json(OrderList {
            orders: Vec::new(),
            page,
            per_page,
            total: 0,
        }));
    };
    let offset = paging.offset();
    let zones = state.zones().clone();
    let (rows, total, tracked, zone) = state
        .db()
        .read(move |conn| {
            let (rows, total) =
                orders::list_for_customer(conn, &store, customer.get(), per_page, offset)?;
            let ids: Vec<OrderId> = rows.iter().map(|r| r.order_id).collect();
            let tracked = SummaryTracking::load(conn, &store, &ids)?;
            Ok((rows, total, tracked, zones.zone(conn, &store).tz))
        })
        .await?;
    let mut orders: Vec<OrderSummary> = rows.into_iter().map(OrderSummary::from).collect();
    let tracking = &state.config().tracking;
    fill_summaries(
        &tracked,
        &mut orders,
        tracking,
        &tracking.calendar(&zone),
        &state.config().base_url(),
    );
    Ok(Json(OrderList {
        orders,
        page,
        per_page,
        total,
    }))
}

/// Everything the My Account page of one order shows. 404 when the order does not exist
/// or belongs to another customer: the two are indistinguishable.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}",
    tag = "orders",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
    ),
    responses(
        (status = 200, description = "The order view", body = OrderView),
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_order(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id)): ApiPath<(Customer, OrderId)>,
) -> Result<Json<OrderView>, ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::order_not_found());
    };
    let found = {
        let store = store.clone();
        state
            .db()
            .read(move |conn| assemble::load(conn, &store, order_id))
            .await?
    };
    match found {
        Some(loaded) if loaded.order.customer_id == customer.get() => Ok(Json(
            view(&state, &store, &loaded, &Viewer::Customer(customer.get())).await?,
        )),
        _ => Err(ApiError::order_not_found()),
    }
}

/// The order view for a guest, by order key and billing email. Every mismatch is the same
/// 404; after 10 failures in 15 minutes a client gets 429 until the window passes.
#[utoipa::path(
    get,
    path = "/api/v1/guest/orders/{order_id}",
    tag = "orders",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), GuestQuery),
    responses(
        (status = 200, description = "The order view", body = OrderView),
        (status = 400, description = "Bad path or missing key/email", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No order with this key and email", body = ErrorBody),
        (status = 429, description = "Too many failed attempts from this client", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_guest_order(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    claim: GuestClaim,
) -> Result<Json<OrderView>, ApiError> {
    let loaded = claim
        .prove(&state, &store, order_id, assemble::load, |l| &l.order)
        .await?;
    Ok(Json(view(&state, &store, &loaded, &Viewer::Guest).await?))
}

/// The FAQ entries that fit a loaded order now, for `topic`.
pub async fn answers_for(
    state: &AppState,
    store_id: &StoreId,
    loaded: &Loaded,
    viewer: &Viewer,
    topic: Option<Topic>,
) -> Result<Vec<ShownAnswer>, ApiError> {
    Ok(view_for(state, store_id, loaded, viewer, topic)
        .await?
        .answers)
}

/// The order view of a loaded order, its answers counted as shown.
async fn view(
    state: &AppState,
    store_id: &StoreId,
    loaded: &Loaded,
    viewer: &Viewer,
) -> Result<OrderView, ApiError> {
    let view = view_for(state, store_id, loaded, viewer, None).await?;
    let ids = view.answers.iter().map(|a| a.id).collect();
    super::answers::record_shown(state, store_id, loaded.order.order_id, ids).await;
    Ok(view)
}

/// The order view of a loaded order, shaped by this service's settings.
pub(super) async fn view_for(
    state: &AppState,
    store_id: &StoreId,
    loaded: &Loaded,
    viewer: &Viewer,
    topic: Option<Topic>,
) -> Result<OrderView, ApiError> {
    let config = state.config();
    // The API key named this store, so it is configured.
    let store = state.store(store_id).ok_or_else(ApiError::unknown_store)?;
    let base_url = config.base_url();
    let zone = state.zones().zone_of(state.db(), store_id).await?;
    let settings = ViewSettings {
        base_url: &base_url,
        link_key: &store.link_key,
        link_ttl: config.invoices.link_ttl,
        paid_statuses: &config.invoices.paid_statuses,
        policy: &config.returns.policy,
        tracking: &config.tracking,
        zone: &zone.tz,
    };
    Ok(assemble::assemble(
        loaded,
        viewer,
        &settings,
        topic,
        Timestamp::now(),
    )?)
}
