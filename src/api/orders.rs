//! `/api/v1/customers/{customer_id}/orders[/{order_id}]` and the guest view.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;
use super::auth::ApiStore;
use super::documents::{self, Viewer};
use super::extract::{ApiPath, ApiQuery, Paging};
use super::guest_limit::ClientId;
use crate::AppState;
use crate::invoice::store::DocumentRow;
use crate::orders::store::{self as orders, VisibleOrder};
use crate::orders::{OrderSummary, OrderView};
use crate::returns::store::ReturnRecord;
use crate::returns::{
    self,
    eligibility::Facts,
    view::{Audience, ReturnEligibilityView, ReturnView},
};
use crate::tracking::{
    self,
    view::{OrderTracking, SummaryTracking},
};

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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct GuestQuery {
    /// The order key (`wc_order_...`) from the order confirmation.
    key: String,
    /// The billing email of the order (any case).
    email: String,
}

fn order_not_found() -> ApiError {
    ApiError::not_found("order_not_found", "No such order.")
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
        (status = 400, description = "Bad customer id or paging", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list_orders(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let paging = Paging::new(query.page, query.per_page)?;
    let Paging { page, per_page } = paging;
    if customer_id == 0 {
        return Ok(Json(OrderList {
            orders: Vec::new(),
            page,
            per_page,
            total: 0,
        }));
    }
    let offset = paging.offset();
    let (rows, total, tracked) = state
        .db()
        .read(move |conn| {
            let (rows, total) =
                orders::list_for_customer(conn, &store, customer_id, per_page, offset)?;
            let ids: Vec<u64> = rows.iter().map(|r| r.order_id).collect();
            let tracked = SummaryTracking::load(conn, &store, &ids)?;
            Ok((rows, total, tracked))
        })
        .await?;
    let mut orders: Vec<OrderSummary> = rows.into_iter().map(OrderSummary::from).collect();
    tracked.fill(
        &mut orders,
        &state.config().tracking,
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
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order for this customer", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_order(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, order_id)): ApiPath<(u64, u64)>,
) -> Result<Json<OrderView>, ApiError> {
    let found = load(&state, store, order_id).await?;
    match found {
        Some(loaded) if customer_id != 0 && loaded.order.customer_id == customer_id => {
            Ok(Json(view(&state, &loaded, &Viewer::Customer(customer_id))?))
        }
        _ => Err(order_not_found()),
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
        (status = 400, description = "Bad path or missing key/email", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No order with this key and email", body = crate::api::ErrorBody),
        (status = 429, description = "Too many failed attempts from this client", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_guest_order(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ClientId(client): ClientId,
    ApiPath(order_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<GuestQuery>,
) -> Result<Json<OrderView>, ApiError> {
    let limiter_key = guest_limit(&state, &store, &client)?;
    let found = load(&state, store, order_id).await?;
    match found {
        Some(loaded) if guest_matches(&loaded.order, &query) => {
            Ok(Json(view(&state, &loaded, &Viewer::Guest)?))
        }
        _ => Err(guest_failed(&state, &limiter_key, order_id)),
    }
}

/// The guest rate limit: the client's key in the limiter, or 429 while it is blocked.
pub(super) fn guest_limit(state: &AppState, store: &str, client: &str) -> Result<String, ApiError> {
    let limiter_key = format!("{store}/{client}");
    match state.guest_limiter().check(&limiter_key) {
        Ok(()) => Ok(limiter_key),
        Err(retry_after) => Err(ApiError::too_many_requests(
            "Too many failed order look-ups; try again later.",
            retry_after,
        )),
    }
}

/// Counts a failed guest look-up and answers it like an unknown order.
pub(super) fn guest_failed(state: &AppState, limiter_key: &str, order_id: u64) -> ApiError {
    state.guest_limiter().record_failure(limiter_key);
    tracing::info!(order_id, "guest order look-up failed");
    order_not_found()
}

pub(super) fn guest_matches(order: &VisibleOrder, query: &GuestQuery) -> bool {
    use super::auth::key_digest;
    let key_ok = !order.order_key.is_empty()
        && constant_time_eq::constant_time_eq_32(
            &key_digest(&order.order_key),
            &key_digest(query.key.trim()),
        );
    let email_ok = !order.billing_email.is_empty()
        && order.billing_email.trim().to_lowercase() == query.email.trim().to_lowercase();
    key_ok & email_ok
}

/// A visible order and everything its view shows besides the order itself.
struct Loaded {
    order: VisibleOrder,
    docs: Vec<DocumentRow>,
    tracked: OrderTracking,
    returns: Vec<ReturnRecord>,
    facts: Facts,
}

/// A visible order with its documents, tracking and returns, in one read.
async fn load(state: &AppState, store: String, order_id: u64) -> Result<Option<Loaded>, ApiError> {
    Ok(state
        .db()
        .read(move |conn| {
            let Some(order) = orders::find_visible(conn, &store, order_id)? else {
                return Ok(None);
            };
            Ok(Some(Loaded {
                order,
                docs: crate::invoice::store::for_order(conn, &store, order_id)?,
                tracked: OrderTracking::load(conn, &store, order_id)?,
                returns: crate::returns::store::for_order(conn, &store, order_id)?,
                facts: returns::service::recorded_facts(conn, &store, order_id)?,
            }))
        })
        .await?)
}

fn view(state: &AppState, loaded: &Loaded, viewer: &Viewer) -> Result<OrderView, ApiError> {
    let order = loaded.order.order()?;
    let config = state.config();
    let mut view = OrderView::build(&order);
    (view.invoice, view.credit_notes) = documents::views(state, &loaded.docs, viewer);
    view.returns = loaded
        .returns
        .iter()
        .map(|r| ReturnView::new(r, Audience::Customer, &config.base_url()))
        .collect();
    let mut facts = loaded.facts.clone();
    facts.paid = returns::service::is_paid(&order, &config.invoices.paid_statuses);
    view.return_eligibility = returns::eligibility::assess(
        &order,
        &facts,
        &config.returns.policy,
        jiff::Timestamp::now(),
    )
    .iter()
    .map(ReturnEligibilityView::from)
    .collect();
    let tracked = &loaded.tracked;
    tracking::view::fill(
        &mut view,
        &order,
        tracked,
        &state.config().tracking,
        &state.config().base_url(),
    );
    Ok(view)
}
