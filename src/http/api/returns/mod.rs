//! Returns through the API: customers and guests request, follow and withdraw them; staff
//! list, inspect and move them. Handlers parse and answer; `crate::returns` decides.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::photo_form::{MAX_BODY_BYTES, PhotoForm};

type ReturnBody = PhotoForm<ReturnRequest>;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::{GuestLimited, KeyRequired, PhotosTooLarge};
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::http::guest::{GuestClaim, GuestQuery};
use crate::ids::Customer;
use crate::ids::{OrderId, ReturnId, StoreId};
use crate::returns::model::{Actor, Status};
use crate::returns::request::ReturnRequest;
use crate::returns::service::{self, Move, Owner, RequestSettings};
use crate::returns::store;
use crate::returns::view::{Audience, ReturnView};
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customer_returns))
        .routes(routes!(cancel_customer_return))
        .routes(routes!(cancel_guest_return))
        .routes(routes!(list_returns))
        .routes(routes!(get_return))
        .routes(routes!(transition_return))
        .routes(routes!(get_photo))
        .merge(return_requests())
}

/// Return requests carry photos: a larger body limit than the rest of the API.
fn return_requests() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_customer_return))
        .routes(routes!(create_guest_return))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

const MAX_NOTE: usize = 1000;
const MAX_NAME: usize = 100;

/// Requests the return and answers with it.
async fn create(
    state: &AppState,
    store_id: StoreId,
    order_id: OrderId,
    owner: Owner,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    let config = state.config();
    let settings = RequestSettings {
        data_dir: config.data_dir.clone(),
        policy: config.returns.policy.clone(),
        paid_statuses: config.invoices.paid_statuses.clone(),
    };
    let record = service::request(
        state.db(),
        &settings,
        &store_id,
        order_id,
        owner,
        &body.request,
        body.photos,
    )
    .await?;
    tracing::info!(store = %store_id, order_id = order_id.get(), return_id = record.id.get(), items = record.items.len(), photos = record.photos.len(), "return requested");
    let view = ReturnView::new(&record, Audience::Customer, &config.base_url());
    Ok((StatusCode::CREATED, Json(view)))
}

/// A customer asks to return items of their order.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/returns",
    tag = "returns",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
    ),
    request_body(content(
        (ReturnRequest = "application/json"),
        (ReturnForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "The return, `requested`", body = ReturnView),
        (status = 400, description = "Malformed body or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer", body = ErrorBody),
        PhotosTooLarge,
        (status = 415, description = "Neither JSON nor multipart", body = ErrorBody),
        (status = 422, description = "Refused: every reason, by field (`fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn create_customer_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id)): ApiPath<(Customer, OrderId)>,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::order_not_found());
    };
    create(&state, store, order_id, Owner::Customer(customer), body).await
}

/// `multipart/form-data` form of a return request (for photos).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReturnForm {
    /// The return request as JSON.
    request: ReturnRequest,
    /// Up to three JPEG, PNG or WebP images of at most 5 MB each.
    #[schema(value_type = Vec<String>, format = Binary)]
    photos: Vec<Vec<u8>>,
}

/// A guest asks to return items, proving the order with its key and billing email (the
/// same check and rate limit as the guest order view).
#[utoipa::path(
    post,
    path = "/api/v1/guest/orders/{order_id}/returns",
    tag = "returns",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), GuestQuery),
    request_body(content(
        (ReturnRequest = "application/json"),
        (ReturnForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "The return, `requested`", body = ReturnView),
        (status = 400, description = "Malformed body, key or email", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No order with this key and email", body = ErrorBody),
        PhotosTooLarge,
        (status = 422, description = "Refused: every reason, by field", body = ErrorBody),
        GuestLimited,
    ),
    security(("api_key" = []))
)]
async fn create_guest_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    claim: GuestClaim,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    claim.prove_order(&state, &store, order_id).await?;
    create(&state, store, order_id, Owner::Guest, body).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerReturns {
    /// Newest first, across the customer's orders.
    returns: Vec<ReturnView>,
}

/// A customer's returns, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/returns",
    tag = "returns",
    params(("customer_id" = u64, Path, description = "WooCommerce customer (user) id")),
    responses(
        (status = 200, description = "The customer's returns", body = CustomerReturns),
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_customer_returns(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer): ApiPath<Customer>,
) -> Result<Json<CustomerReturns>, ApiError> {
    let records = match customer {
        Customer::Guest => Vec::new(),
        Customer::Registered(customer) => {
            state
                .db()
                .read(move |c| store::for_customer(c, &store, customer.get()))
                .await?
        }
    };
    let base = state.config().base_url();
    Ok(Json(CustomerReturns {
        returns: records
            .iter()
            .map(|r| ReturnView::new(r, Audience::Customer, &base))
            .collect(),
    }))
}

/// Body of a customer's withdrawal.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why, in the customer's words (optional).
    #[serde(default)]
    note: Option<String>,
}

/// Moves a return and answers with it.
async fn apply_move(
    state: &AppState,
    mv: Move,
    audience: Audience,
) -> Result<Json<ReturnView>, ApiError> {
    let actor = mv.actor;
    let record = service::apply(state.db(), mv).await?;
    tracing::info!(store = %record.store_id, return_id = record.id.get(), order_id = record.order_id.get(), to = %record.status, by = actor.as_str(), "return moved");
    Ok(Json(ReturnView::new(
        &record,
        audience,
        &state.config().base_url(),
    )))
}

/// Trimmed, empty as absent, and at most `max` characters (else a 422 on `field`).
fn optional_text(
    value: Option<String>,
    field: &str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        return Err(ApiError::validation(vec![FieldError::new(
            field,
            format!("At most {max} characters."),
        )]));
    }
    Ok(value)
}

/// A customer withdraws their return while it is still `requested`.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{customer_id}/returns/{return_id}/cancel",
    tag = "returns",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("return_id" = i64, Path, description = "Return id"),
    ),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "The return, `cancelled`", body = ReturnView),
        KeyRequired,
        (status = 404, description = "No such return of this customer", body = ErrorBody),
        (status = 409, description = "No longer `requested`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn cancel_customer_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, return_id)): ApiPath<(Customer, ReturnId)>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::return_not_found());
    };
    let note = optional_text(body.note, "note", MAX_NOTE)?;
    let mv = Move {
        store_id: store,
        return_id,
        to: Status::Cancelled,
        actor: Actor::Customer,
        owner: Owner::Customer(customer),
        order_id: None,
        actor_name: None,
        note,
    };
    apply_move(&state, mv, Audience::Customer).await
}

/// A guest withdraws their return while it is still `requested`.
#[utoipa::path(
    post,
    path = "/api/v1/guest/orders/{order_id}/returns/{return_id}/cancel",
    tag = "returns",
    params(
        ("order_id" = u64, Path, description = "WooCommerce order id"),
        ("return_id" = i64, Path, description = "Return id"),
        GuestQuery,
    ),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "The return, `cancelled`", body = ReturnView),
        (status = 404, description = "No such return of this order", body = ErrorBody),
        (status = 409, description = "No longer `requested`", body = ErrorBody),
        GuestLimited,
    ),
    security(("api_key" = []))
)]
async fn cancel_guest_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((order_id, return_id)): ApiPath<(OrderId, ReturnId)>,
    claim: GuestClaim,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    claim.prove_order(&state, &store, order_id).await?;
    let note = optional_text(body.note, "note", MAX_NOTE)?;
    let mv = Move {
        store_id: store,
        return_id,
        to: Status::Cancelled,
        actor: Actor::Customer,
        owner: Owner::Guest,
        order_id: Some(order_id),
        actor_name: None,
        note,
    };
    apply_move(&state, mv, Audience::Customer).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnQuery {
    /// Only returns in this state.
    status: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Returns per page, 1-100 (default 10).
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReturnList {
    /// Newest first.
    returns: Vec<ReturnView>,
    page: u32,
    per_page: u32,
    total: u64,
}

/// Staff: the store's returns, newest first, optionally in one state.
#[utoipa::path(
    get,
    path = "/api/v1/returns",
    tag = "returns",
    params(ReturnQuery),
    responses(
        (status = 200, description = "A page of returns", body = ReturnList),
        (status = 400, description = "Unknown state or bad paging", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_returns(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ReturnQuery>,
) -> Result<Json<ReturnList>, ApiError> {
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            let known: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("`status` must be one of {}.", known.join(", ")),
            )
        })?),
    };
    let paging = Paging::new(query.page, query.per_page)?;
    let (Paging { page, per_page }, offset) = (paging, paging.offset());
    let (records, total) = state
        .db()
        .read(move |c| store::list(c, &store, status.map(Status::as_str), per_page, offset))
        .await?;
    let base = state.config().base_url();
    Ok(Json(ReturnList {
        returns: records
            .iter()
            .map(|r| ReturnView::new(r, Audience::Staff, &base))
            .collect(),
        page,
        per_page,
        total,
    }))
}

/// Staff: one return with its photos and how its money is being moved.
#[utoipa::path(
    get,
    path = "/api/v1/returns/{return_id}",
    tag = "returns",
    params(("return_id" = i64, Path, description = "Return id")),
    responses(
        (status = 200, description = "The return", body = ReturnView),
        KeyRequired,
        (status = 404, description = "No such return in this store", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(return_id): ApiPath<ReturnId>,
) -> Result<Json<ReturnView>, ApiError> {
    let record = state
        .db()
        .read(move |c| store::get(c, &store, return_id))
        .await?
        .ok_or_else(ApiError::return_not_found)?;
    Ok(Json(ReturnView::new(
        &record,
        Audience::Staff,
        &state.config().base_url(),
    )))
}

/// Body of a staff transition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// `approved`, `rejected`, `received`, `refunded`, `exchanged`, `credited` or
    /// `cancelled`.
    to: Status,
    /// Shown in the return's history, to the customer too.
    #[serde(default)]
    note: Option<String>,
    /// Who at the shop did it (shown in the history).
    #[serde(default)]
    by: Option<String>,
}

/// Staff: moves a return along its lifecycle. `refunded` refunds the returned lines (with
/// their tax) through WooCommerce; `credited` creates a one-use coupon for the customer's
/// email; both are carried out by the worker, and their progress shows in `settlement`.
#[utoipa::path(
    post,
    path = "/api/v1/returns/{return_id}/transitions",
    tag = "returns",
    params(("return_id" = i64, Path, description = "Return id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "The moved return", body = ReturnView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such return in this store", body = ErrorBody),
        (status = 409, description = "Not possible from the return's state", body = ErrorBody),
        (status = 422, description = "Unknown state or too long a note", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn transition_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(return_id): ApiPath<ReturnId>,
    ApiJson(body): ApiJson<TransitionRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    let mv = Move {
        store_id: store,
        return_id,
        to: body.to,
        actor: Actor::Staff,
        owner: Owner::Staff,
        order_id: None,
        actor_name: optional_text(body.by, "by", MAX_NAME)?,
        note: optional_text(body.note, "note", MAX_NOTE)?,
    };
    apply_move(&state, mv, Audience::Staff).await
}

/// Staff: a photo the customer attached, as it was uploaded.
#[utoipa::path(
    get,
    path = "/api/v1/returns/{return_id}/photos/{position}",
    tag = "returns",
    params(
        ("return_id" = i64, Path, description = "Return id"),
        ("position" = i64, Path, description = "1, 2 or 3"),
    ),
    responses(
        (status = 200, description = "The image (JPEG, PNG or WebP)"),
        KeyRequired,
        (status = 404, description = "No such return or photo", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_photo(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((return_id, position)): ApiPath<(ReturnId, i64)>,
) -> Result<Response, ApiError> {
    let record = state
        .db()
        .read(move |c| store::get(c, &store, return_id))
        .await?
        .ok_or_else(ApiError::return_not_found)?;
    let photo = record
        .photos
        .iter()
        .find(|p| p.position == position)
        .ok_or_else(|| {
            ApiError::not_found(ErrorCode::PhotoNotFound, "This return has no such photo.")
        })?;
    super::photo_form::stored_photo(
        &state.config().data_dir,
        &photo.path,
        &photo.content_type,
        "return",
        return_id.get(),
        position,
    )
    .await
}
