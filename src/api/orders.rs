//! `/api/v1/customers/{customer_id}/orders[/{order_id}]` and the guest view.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;
use super::auth::ApiStore;
use super::extract::{ApiPath, ApiQuery};
use super::guest_limit::ClientId;
use crate::AppState;
use crate::orders::view::InvoiceView;
use crate::orders::{OrderSummary, OrderView};
use crate::store::StoreError;
use crate::store::documents::{self, DocumentRow, INVOICE};
use crate::store::orders::{self, VisibleOrder};
use crate::tracking::{
    self,
    view::{OrderTracking, SummaryTracking},
};
use crate::woo::Order;
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 100;

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
pub struct GuestQuery {
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
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "`page` starts at 1.",
        ));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("`per_page` must be between 1 and {MAX_PER_PAGE}."),
        ));
    }
    if customer_id == 0 {
        return Ok(Json(OrderList {
            orders: Vec::new(),
            page,
            per_page,
            total: 0,
        }));
    }
    let offset = u64::from(page - 1) * u64::from(per_page);
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
        Some((v, docs, tracked)) if customer_id != 0 && v.customer_id == customer_id => {
            let mut view = view(&state, &v, &tracked)?;
            view.invoice = docs
                .iter()
                .find(|d| d.kind == INVOICE)
                .map(|d| InvoiceView {
                    number: d.number.clone(),
                    issued_at: d.issued_at.clone(),
                    url: format!(
                        "{}/api/v1/customers/{customer_id}/orders/{order_id}/invoice.pdf",
                        state.config().base_url()
                    ),
                });
            Ok(Json(view))
        }
        _ => Err(order_not_found()),
    }
}

/// The order's invoice as issued (immutable PDF). 404 until it is issued, and for orders
/// that are not this customer's.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/invoice.pdf",
    tag = "orders",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
    ),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf"),
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order for this customer, or no invoice yet", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_invoice_pdf(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, order_id)): ApiPath<(u64, u64)>,
) -> Result<Response, ApiError> {
    let found = load(&state, store, order_id).await?;
    let Some((order, docs, _)) =
        found.filter(|(v, _, _)| customer_id != 0 && v.customer_id == customer_id)
    else {
        return Err(order_not_found());
    };
    drop(order);
    let Some(doc) = docs.into_iter().find(|d| d.kind == INVOICE) else {
        return Err(ApiError::not_found(
            "invoice_not_found",
            "This order has no invoice yet; it is issued once the order is paid.",
        ));
    };
    let path = state.config().data_dir.join(&doc.path);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, number = %doc.number, "archived document is missing");
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "document_unavailable",
            "The archived document could not be read.",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", doc.number),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        bytes,
    )
        .into_response())
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
    let limiter_key = format!("{store}/{client}");
    if let Err(retry_after) = state.guest_limiter().check(&limiter_key) {
        return Err(ApiError::too_many_requests(
            "Too many failed order look-ups; try again later.",
            retry_after,
        ));
    }
    let found = load(&state, store, order_id).await?;
    match found {
        Some((v, _, tracked)) if guest_matches(&v, &query) => Ok(Json(view(&state, &v, &tracked)?)),
        _ => {
            state.guest_limiter().record_failure(&limiter_key);
            tracing::info!(order_id, "guest order look-up failed");
            Err(order_not_found())
        }
    }
}

fn guest_matches(order: &VisibleOrder, query: &GuestQuery) -> bool {
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

/// A visible order, its issued documents and its tracking, in one read.
async fn load(
    state: &AppState,
    store: String,
    order_id: u64,
) -> Result<Option<(VisibleOrder, Vec<DocumentRow>, OrderTracking)>, ApiError> {
    Ok(state
        .db()
        .read(move |conn| {
            let Some(order) = orders::find_visible(conn, &store, order_id)? else {
                return Ok(None);
            };
            let docs = documents::for_order(conn, &store, order_id)?;
            let tracked = OrderTracking::load(conn, &store, order_id)?;
            Ok(Some((order, docs, tracked)))
        })
        .await?)
}

fn view(
    state: &AppState,
    found: &VisibleOrder,
    tracked: &OrderTracking,
) -> Result<OrderView, ApiError> {
    let order: Order = serde_json::from_str(&found.raw)
        .map_err(|e| StoreError::Corrupt(format!("mirrored order does not parse: {e}")))?;
    let mut view = OrderView::build(&order);
    tracking::view::fill(
        &mut view,
        &order,
        tracked,
        &state.config().tracking,
        &state.config().base_url(),
    );
    Ok(view)
}
