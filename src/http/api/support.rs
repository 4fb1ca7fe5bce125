//! Support requests through the API: customers and guests open them on an order, follow
//! and answer them; staff list, read, reply, note, assign and solve them, and read the
//! metrics. Handlers parse and answer; `crate::support` decides.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::photo_form::{MAX_BODY_BYTES, PhotoForm};
use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::{GuestLimited, KeyRequired, PhotosTooLarge};
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Paging};
use crate::http::guest::{GuestClaim, GuestQuery};
use crate::ids::{Customer, OrderId, RequestId, StoreId};
use crate::order_view::OrderView;
use crate::order_view::assemble::{self, Viewer};
use crate::support::SupportError;
use crate::support::model::{Author, Status, Topic};
use crate::support::report::{self, MetricsReport};
use crate::support::request::{self, CustomerMessage, OpenRequest, StaffReply};
use crate::support::service::{self, Owner, Post};
use crate::support::store::{self, Filter};
use crate::support::view::{Audience, RequestView};
use crate::time;
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customer_requests))
        .routes(routes!(get_customer_request))
        .routes(routes!(post_customer_message))
        .routes(routes!(list_guest_requests))
        .routes(routes!(post_guest_message))
        .routes(routes!(list_requests))
        .routes(routes!(get_request))
        .routes(routes!(post_reply))
        .routes(routes!(transition_request))
        .routes(routes!(assign_request))
        .routes(routes!(get_photo))
        .routes(routes!(get_metrics))
        .merge(openings())
}

/// Openings carry photos: a larger body limit than the rest of the API.
fn openings() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_customer_request))
        .routes(routes!(open_guest_request))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

type OpenBody = PhotoForm<OpenRequest>;

/// `multipart/form-data` form of an opening (for photos).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OpenForm {
    /// The opening as JSON.
    request: OpenRequest,
    /// Up to three JPEG, PNG or WebP images of at most 5 MB each.
    #[schema(value_type = Vec<String>, format = Binary)]
    photos: Vec<Vec<u8>>,
}

fn customer_view(state: &AppState, r: &store::RequestRecord) -> RequestView {
    RequestView::new(r, Audience::Customer, &state.config().base_url())
}

fn staff_view(state: &AppState, r: &store::RequestRecord) -> RequestView {
    RequestView::new(r, Audience::Staff, &state.config().base_url())
}

/// Opens the request and answers with it.
async fn open(
    state: &AppState,
    store_id: StoreId,
    order_id: OrderId,
    owner: Owner,
    body: OpenBody,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let record = service::request(
        state.db(),
        &state.config().data_dir,
        &store_id,
        order_id,
        owner,
        &body.request,
        body.photos,
    )
    .await?;
    tracing::info!(store = %store_id, order_id = order_id.get(), request_id = record.id.get(), topic = record.topic.as_str(), photos = record.photos.len(), "support request opened");
    Ok((StatusCode::CREATED, Json(customer_view(state, &record))))
}

/// A customer asks about their order: a topic, optionally an item, a message and photos.
/// Nothing is stored unless every check passes.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/requests",
    tag = "support",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
    ),
    request_body(content(
        (OpenRequest = "application/json"),
        (OpenForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "The request, `open`", body = RequestView),
        (status = 400, description = "Malformed body or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer", body = ErrorBody),
        PhotosTooLarge,
        (status = 415, description = "Neither JSON nor multipart", body = ErrorBody),
        (status = 422, description = "Refused: unknown topic, empty or too long message, bad photos, an item not on the order (`fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn open_customer_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id)): ApiPath<(Customer, OrderId)>,
    body: OpenBody,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::order_not_found());
    };
    open(&state, store, order_id, Owner::Customer(customer), body).await
}

/// A guest asks about an order, proving it with its key and billing email (the same
/// check and rate limit as the guest order view).
#[utoipa::path(
    post,
    path = "/api/v1/guest/orders/{order_id}/requests",
    tag = "support",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), GuestQuery),
    request_body(content(
        (OpenRequest = "application/json"),
        (OpenForm = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "The request, `open`", body = RequestView),
        (status = 400, description = "Malformed body, key or email", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No order with this key and email", body = ErrorBody),
        PhotosTooLarge,
        (status = 422, description = "Refused: every reason, by field", body = ErrorBody),
        GuestLimited,
    ),
    security(("api_key" = []))
)]
async fn open_guest_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    claim: GuestClaim,
    body: OpenBody,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    claim.prove_order(&state, &store, order_id).await?;
    open(&state, store, order_id, Owner::Guest(order_id), body).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerRequests {
    /// Newest first; internal notes are never included.
    requests: Vec<RequestView>,
}

/// A customer's requests across their orders, newest first, with their threads.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/requests",
    tag = "support",
    params(("customer_id" = u64, Path, description = "WooCommerce customer (user) id")),
    responses(
        (status = 200, description = "The customer's requests", body = CustomerRequests),
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_customer_requests(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer): ApiPath<Customer>,
) -> Result<Json<CustomerRequests>, ApiError> {
    let records = match customer {
        Customer::Guest => Vec::new(),
        Customer::Registered(customer) => {
            state
                .db()
                .read(move |c| store::for_customer(c, &store, customer.get()))
                .await?
        }
    };
    Ok(Json(CustomerRequests {
        requests: records
            .iter()
            .filter(|r| r.shown_to_customer())
            .map(|r| customer_view(&state, r))
            .collect(),
    }))
}

/// One of the customer's requests with its thread.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/requests/{request_id}",
    tag = "support",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("request_id" = i64, Path, description = "Request id"),
    ),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such request of this customer", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_customer_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, id)): ApiPath<(Customer, RequestId)>,
) -> Result<Json<RequestView>, ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::request_not_found());
    };
    let found = state
        .db()
        .read(
            move |c| match service::visible(c, &store, id, Owner::Customer(customer)) {
                Ok(record) => Ok(Some(record)),
                Err(SupportError::Store(e)) => Err(e),
                Err(_) => Ok(None),
            },
        )
        .await?;
    let record = found.ok_or_else(ApiError::request_not_found)?;
    Ok(Json(customer_view(&state, &record)))
}

/// Adds the customer's message and answers with the request (reopened if it was solved).
async fn customer_post(
    state: &AppState,
    store_id: StoreId,
    id: RequestId,
    owner: Owner,
    body: CustomerMessage,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let body = request::body(&body.body, "body").map_err(|e| ApiError::validation(vec![e]))?;
    let post = Post {
        store_id,
        request: id,
        owner,
        author: Author::Customer,
        name: None,
        body,
    };
    let record = service::write(state.db(), move |c, now| service::post(c, &post, now)).await?;
    tracing::info!(store = %record.store_id, request_id = id.get(), status = record.status.as_str(), "customer wrote on a support request");
    Ok((StatusCode::CREATED, Json(customer_view(state, &record))))
}

/// The customer replies. A reply on a solved request opens it again.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{customer_id}/requests/{request_id}/messages",
    tag = "support",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("request_id" = i64, Path, description = "Request id"),
    ),
    request_body = CustomerMessage,
    responses(
        (status = 201, description = "The request with the new message", body = RequestView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such request of this customer", body = ErrorBody),
        (status = 422, description = "Empty or too long message", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn post_customer_message(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, id)): ApiPath<(Customer, RequestId)>,
    ApiJson(body): ApiJson<CustomerMessage>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::request_not_found());
    };
    customer_post(&state, store, id, Owner::Customer(customer), body).await
}

/// A guest's requests on the order, newest first, with their threads.
#[utoipa::path(
    get,
    path = "/api/v1/guest/orders/{order_id}/requests",
    tag = "support",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), GuestQuery),
    responses(
        (status = 200, description = "The order's requests", body = CustomerRequests),
        (status = 400, description = "Bad path, key or email", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No order with this key and email", body = ErrorBody),
        GuestLimited,
    ),
    security(("api_key" = []))
)]
async fn list_guest_requests(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    claim: GuestClaim,
) -> Result<Json<CustomerRequests>, ApiError> {
    claim.prove_order(&state, &store, order_id).await?;
    let records = state
        .db()
        .read(move |c| store::for_order(c, &store, order_id))
        .await?;
    Ok(Json(CustomerRequests {
        requests: records
            .iter()
            .filter(|r| r.shown_to_customer())
            .map(|r| customer_view(&state, r))
            .collect(),
    }))
}

/// A guest replies on a request of the order they proved.
#[utoipa::path(
    post,
    path = "/api/v1/guest/orders/{order_id}/requests/{request_id}/messages",
    tag = "support",
    params(
        ("order_id" = u64, Path, description = "WooCommerce order id"),
        ("request_id" = i64, Path, description = "Request id"),
        GuestQuery,
    ),
    request_body = CustomerMessage,
    responses(
        (status = 201, description = "The request with the new message", body = RequestView),
        (status = 400, description = "Malformed body, key or email", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order, or no such request on it", body = ErrorBody),
        (status = 422, description = "Empty or too long message", body = ErrorBody),
        GuestLimited,
    ),
    security(("api_key" = []))
)]
async fn post_guest_message(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((order_id, id)): ApiPath<(OrderId, RequestId)>,
    claim: GuestClaim,
    ApiJson(body): ApiJson<CustomerMessage>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    claim.prove_order(&state, &store, order_id).await?;
    customer_post(&state, store, id, Owner::Guest(order_id), body).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// `open` or `solved`.
    status: Option<String>,
    /// One of the topics.
    topic: Option<String>,
    /// A staff user's name, or `none` for requests assigned to nobody.
    assignee: Option<String>,
    /// Only requests opened more than this many hours ago.
    older_than_hours: Option<u32>,
    /// Only requests opened at most this many hours ago.
    newer_than_hours: Option<u32>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Requests per page, 1-100 (default 10).
    per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    /// Newest first, internal notes included.
    requests: Vec<RequestView>,
    page: u32,
    per_page: u32,
    total: u64,
}

fn bad_query(message: String) -> ApiError {
    ApiError::bad_request(ErrorCode::InvalidQuery, message)
}

/// Staff: the store's requests, newest first, filtered by status, topic, assignee and age.
#[utoipa::path(
    get,
    path = "/api/v1/requests",
    tag = "support",
    params(RequestQuery),
    responses(
        (status = 200, description = "A page of requests", body = RequestList),
        (status = 400, description = "Unknown status or topic, or bad paging", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_requests(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RequestQuery>,
) -> Result<Json<RequestList>, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let status = match given(&query.status) {
        None => None,
        Some(text) => Some(
            Status::parse(&text)
                .ok_or_else(|| bad_query("`status` must be `open` or `solved`.".to_owned()))?,
        ),
    };
    let topic = match given(&query.topic) {
        None => None,
        Some(text) => Some(
            Topic::parse(&text)
                .ok_or_else(|| bad_query(format!("`topic` must be one of {}.", Topic::known())))?,
        ),
    };
    let assignee = given(&query.assignee).map(|a| (a != "none").then_some(a));
    let now = Timestamp::now();
    let hours_ago = |h: u32| time::millis(now - SignedDuration::from_hours(i64::from(h)));
    let filter = Filter {
        status,
        topic,
        assignee,
        opened_before: query.older_than_hours.map(hours_ago),
        opened_after: query.newer_than_hours.map(hours_ago),
    };
    let paging = Paging::new(query.page, query.per_page)?;
    let (Paging { page, per_page }, offset) = (paging, paging.offset());
    let (records, total) = state
        .db()
        .read(move |c| store::list(c, &store, &filter, per_page, offset))
        .await?;
    Ok(Json(RequestList {
        requests: records.iter().map(|r| staff_view(&state, r)).collect(),
        page,
        per_page,
        total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffRequest {
    /// The request with its whole thread, notes included.
    request: RequestView,
    /// The order it is about, as the order view shows it: parcels, invoice, returns.
    /// Absent when the order is no longer visible (trashed).
    order: Option<OrderView>,
}

/// Staff: one request with its thread and the order's facts beside it.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{request_id}",
    tag = "support",
    params(("request_id" = i64, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request and its order", body = StaffRequest),
        KeyRequired,
        (status = 404, description = "No such request in this store", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RequestId>,
) -> Result<Json<StaffRequest>, ApiError> {
    let found = {
        let store = store.clone();
        state
            .db()
            .read(move |c| {
                let Some(record) = store::get(c, &store, id)? else {
                    return Ok(None);
                };
                let loaded = assemble::load(c, &store, record.order_id)?;
                Ok(Some((record, loaded)))
            })
            .await?
    };
    let (record, loaded) = found.ok_or_else(ApiError::request_not_found)?;
    let order = match loaded {
        Some(loaded) => {
            let viewer = match loaded.order.customer_id {
                0 => Viewer::Guest,
                c => Viewer::Customer(c),
            };
            Some(super::orders::view_for(&state, &store, &loaded, &viewer, None).await?)
        }
        None => None,
    };
    Ok(Json(StaffRequest {
        request: staff_view(&state, &record),
        order,
    }))
}

/// Staff: a reply to the customer (told through the `support_reply` message) or, with
/// `internal`, a note only staff see.
#[utoipa::path(
    post,
    path = "/api/v1/requests/{request_id}/replies",
    tag = "support",
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = StaffReply,
    responses(
        (status = 201, description = "The request with the new message", body = RequestView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such request in this store", body = ErrorBody),
        (status = 422, description = "Empty or too long message, or no author", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn post_reply(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<StaffReply>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    let mut problems = Vec::new();
    let text = request::body(&body.body, "body")
        .map_err(|e| problems.push(e))
        .ok();
    let author = request::name(&body.author, "author")
        .map_err(|e| problems.push(e))
        .ok();
    let (Some(text), Some(author)) = (text, author) else {
        return Err(ApiError::validation(problems));
    };
    let post = Post {
        store_id: store,
        request: id,
        owner: Owner::Staff,
        author: if body.internal {
            Author::Note
        } else {
            Author::Staff
        },
        name: Some(author),
        body: text,
    };
    let record = service::write(state.db(), move |c, now| service::post(c, &post, now)).await?;
    tracing::info!(store = %record.store_id, request_id = id.get(), internal = body.internal, "staff wrote on a support request");
    Ok((StatusCode::CREATED, Json(staff_view(&state, &record))))
}

/// Body of a staff transition.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestTransition {
    /// `solved`, or `open` to reopen.
    to: String,
    /// Who at the shop did it (shown in the history).
    #[serde(default)]
    by: Option<String>,
}

fn optional_name(value: Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| request::name(&v, field))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))
}

/// Staff: marks a request solved, or opens a solved one again.
#[utoipa::path(
    post,
    path = "/api/v1/requests/{request_id}/transitions",
    tag = "support",
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = RequestTransition,
    responses(
        (status = 200, description = "The moved request", body = RequestView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such request in this store", body = ErrorBody),
        (status = 409, description = "Already in that status", body = ErrorBody),
        (status = 422, description = "`to` is neither `solved` nor `open`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn transition_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<RequestTransition>,
) -> Result<Json<RequestView>, ApiError> {
    let to = Status::parse(body.to.trim()).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new("to", "Must be `solved` or `open`.")])
    })?;
    let by = optional_name(body.by, "by")?;
    let record = service::write(state.db(), move |c, now| {
        service::transition(c, &store, id, to, by.as_deref(), now)
    })
    .await?;
    tracing::info!(store = %record.store_id, request_id = id.get(), to = to.as_str(), "support request moved");
    Ok(Json(staff_view(&state, &record)))
}

/// Body of an assignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The staff user (a WordPress login or display name); `null` for nobody.
    assignee: Option<String>,
    /// Who at the shop did it (shown in the history).
    #[serde(default)]
    by: Option<String>,
}

/// Staff: assigns a request to a staff user, or to nobody.
#[utoipa::path(
    put,
    path = "/api/v1/requests/{request_id}/assignee",
    tag = "support",
    params(("request_id" = i64, Path, description = "Request id")),
    request_body = Assignment,
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such request in this store", body = ErrorBody),
        (status = 422, description = "An empty or too long name", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn assign_request(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<RequestId>,
    ApiJson(body): ApiJson<Assignment>,
) -> Result<Json<RequestView>, ApiError> {
    let assignee = body
        .assignee
        .map(|a| request::name(&a, "assignee"))
        .transpose()
        .map_err(|e| ApiError::validation(vec![e]))?;
    let by = optional_name(body.by, "by")?;
    let record = service::write(state.db(), move |c, now| {
        service::assign(c, &store, id, assignee.as_deref(), by.as_deref(), now)
    })
    .await?;
    Ok(Json(staff_view(&state, &record)))
}

/// Staff: a photo the customer attached, as it was uploaded.
#[utoipa::path(
    get,
    path = "/api/v1/requests/{request_id}/photos/{position}",
    tag = "support",
    params(
        ("request_id" = i64, Path, description = "Request id"),
        ("position" = i64, Path, description = "1, 2 or 3"),
    ),
    responses(
        (status = 200, description = "The image (JPEG, PNG or WebP)"),
        KeyRequired,
        (status = 404, description = "No such request or photo", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_photo(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((id, position)): ApiPath<(RequestId, i64)>,
) -> Result<Response, ApiError> {
    let record = state
        .db()
        .read(move |c| store::get(c, &store, id))
        .await?
        .ok_or_else(ApiError::request_not_found)?;
    let photo = record
        .photos
        .iter()
        .find(|p| p.position == position)
        .ok_or_else(|| {
            ApiError::not_found(ErrorCode::PhotoNotFound, "This request has no such photo.")
        })?;
    super::photo_form::stored_photo(
        &state.config().data_dir,
        &photo.path,
        &photo.content_type,
        "request",
        id.get(),
        position,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// Start of the range (inclusive): an RFC 3339 time, or a date (`YYYY-MM-DD`, from its
    /// start in the shop's time zone). Default: 30 days before `to`.
    from: Option<String>,
    /// End of the range (exclusive): an RFC 3339 time, or a date (to the end of that day
    /// in the shop's time zone). Default: now.
    to: Option<String>,
}

/// Longest range a report covers.
const MAX_RANGE_DAYS: i64 = 400;

/// A time, or the start of a local date (`end`: the start of the next day).
fn bound(text: &str, zone: &jiff::tz::TimeZone, end: bool) -> Option<Timestamp> {
    if let Some(ts) = time::parse(text.trim()) {
        return Some(ts);
    }
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let date = if end { date.tomorrow().ok()? } else { date };
    Some(date.to_zoned(zone.clone()).ok()?.timestamp())
}

/// Staff: first response and resolution times (median and P90, wall-clock and business
/// hours) and the volume of new requests per day, topic and product. docs/support.md
/// defines every figure.
#[utoipa::path(
    get,
    path = "/api/v1/support/metrics",
    tag = "support",
    params(MetricsQuery),
    responses(
        (status = 200, description = "The report", body = MetricsReport),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 422, description = "`from`/`to` unreadable, reversed or more than 400 days apart", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_metrics(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MetricsQuery>,
) -> Result<Json<MetricsReport>, ApiError> {
    let zone = state.zones().zone_of(state.db(), &store).await?;
    let mut problems = Vec::new();
    let read = |value: &Option<String>, field: &str, end: bool, problems: &mut Vec<FieldError>| {
        let text = value.as_deref()?;
        let found = bound(text, &zone.tz, end);
        if found.is_none() {
            problems.push(FieldError::new(
                field,
                "Give an RFC 3339 time or a date (YYYY-MM-DD).",
            ));
        }
        found
    };
    let to = read(&query.to, "to", true, &mut problems);
    let from = read(&query.from, "from", false, &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let to = to.unwrap_or_else(Timestamp::now);
    let from = from.unwrap_or(to - SignedDuration::from_hours(30 * 24));
    if from >= to {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            "Must be before `to`.",
        )]));
    }
    if to.duration_since(from) > SignedDuration::from_hours(MAX_RANGE_DAYS * 24) {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            format!("The range may cover at most {MAX_RANGE_DAYS} days."),
        )]));
    }
    let until = time::millis(to);
    let rows = state
        .db()
        .read(move |c| store::timelines(c, &store, &until))
        .await?;
    let config = state.config();
    let calendar = config.tracking.calendar(&zone.tz);
    Ok(Json(report::build(
        &rows,
        &calendar,
        config.support.hours,
        from,
        to,
    )))
}
