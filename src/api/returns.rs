//! Returns through the API: customers and guests request, follow and withdraw them; staff
//! list, inspect and move them. Handlers parse and answer; `crate::returns` decides.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;
use super::auth::ApiStore;
use super::error::FieldError;
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging, parse_json};
use super::guest_limit::ClientId;
use super::orders::{GuestQuery, guest_failed, guest_limit, guest_matches};
use crate::AppState;
use crate::returns::model::{Actor, Status};
use crate::returns::photos::{self, Staged};
use crate::returns::request::{self, Problem, ReturnRequest};
use crate::returns::service::{self, Created, Creation, Move, Moved, Owner};
use crate::returns::store;
use crate::returns::view::{Audience, ReturnView};
use crate::store::StoreError;

/// Largest return request: three photos of 5 MB and the form around them.
pub const MAX_BODY_BYTES: usize = photos::MAX_PHOTOS * photos::MAX_PHOTO_BYTES + 1024 * 1024;
const MAX_NOTE: usize = 1000;
const MAX_NAME: usize = 100;

fn return_not_found() -> ApiError {
    ApiError::not_found("return_not_found", "No such return.")
}

fn refused(problems: Vec<Problem>) -> ApiError {
    ApiError::validation(
        problems
            .into_iter()
            .map(|p| FieldError::new(p.field, p.message).because(p.reason))
            .collect(),
    )
}

/// A return request: JSON, or `multipart/form-data` with the JSON in a part named
/// `request` and up to three images in parts named `photos` (or `photos[]`).
pub struct ReturnBody {
    request: ReturnRequest,
    photos: Vec<axum::body::Bytes>,
}

impl<S: Send + Sync> FromRequest<S> for ReturnBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            let ApiJson(request) = ApiJson::<ReturnRequest>::from_request(req, state).await?;
            return Ok(ReturnBody {
                request,
                photos: Vec::new(),
            });
        }
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_multipart", e.body_text()))?;
        let mut request = None;
        let mut photos = Vec::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            match name.as_str() {
                "request" => request = Some(parse_json::<ReturnRequest>(&bytes)?),
                "photos" | "photos[]" => photos.push(bytes),
                other => {
                    return Err(ApiError::bad_request(
                        "unknown_part",
                        format!(
                            "`{other}` is not a part of this form; send `request` and `photos`."
                        ),
                    ));
                }
            }
        }
        let request = request.ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "request",
                "The form needs a `request` part with the return as JSON.",
            )])
        })?;
        Ok(ReturnBody { request, photos })
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "The request is larger than {} MB: attach at most {} photos of at most {} MB each.",
                MAX_BODY_BYTES / (1024 * 1024),
                photos::MAX_PHOTOS,
                photos::MAX_PHOTO_BYTES / (1024 * 1024)
            ),
        )
    } else {
        ApiError::bad_request("invalid_multipart", e.body_text())
    }
}

/// Checks, stages the photos, and records the return in one writer transaction.
async fn create(
    state: &AppState,
    store_id: String,
    order_id: u64,
    owner: Owner,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    let images: Vec<&[u8]> = body.photos.iter().map(|b| b.as_ref()).collect();
    let checked = request::check(&body.request, &images).map_err(refused)?;
    let data_dir = state.config().data_dir.clone();
    let staged: Vec<Staged> = {
        let (data_dir, photos) = (data_dir.clone(), body.photos);
        tokio::task::spawn_blocking(move || {
            let mut staged = Vec::new();
            for bytes in &photos {
                match photos::stage(&data_dir, bytes) {
                    Ok(s) => staged.push(s),
                    Err(e) => {
                        photos::discard(&staged);
                        return Err(e);
                    }
                }
            }
            Ok(staged)
        })
        .await
        .map_err(|_| StoreError::Panicked)?
        .map_err(|e| StoreError::Commit(format!("staging a photo: {e}")))?
    };
    let policy = state.config().returns.policy.clone();
    let paid = state.config().invoices.paid_statuses.clone();
    let (store, staged) = (store_id.clone(), std::sync::Arc::new(staged));
    let in_txn = staged.clone();
    let created = state
        .db()
        .writer()
        .write(move |conn| {
            service::create(
                conn,
                &Creation {
                    store_id: &store,
                    order_id,
                    owner,
                    request: &checked,
                    photos: &in_txn,
                    data_dir: &data_dir,
                    policy: &policy,
                    paid_statuses: &paid,
                    now: Timestamp::now(),
                },
            )
        })
        .await;
    // Published photos have moved; what is left in staging belongs to no return.
    photos::discard(&staged);
    match created? {
        Created::Created(record) => {
            tracing::info!(store = %store_id, order_id, return_id = record.id, items = record.items.len(), photos = record.photos.len(), "return requested");
            let view = ReturnView::new(&record, Audience::Customer, &state.config().base_url());
            Ok((StatusCode::CREATED, Json(view)))
        }
        Created::Refused(problems) => Err(refused(problems)),
        Created::OrderNotFound => Err(ApiError::not_found("order_not_found", "No such order.")),
    }
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
        (status = 400, description = "Malformed body or an unknown field", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order for this customer", body = crate::api::ErrorBody),
        (status = 413, description = "Larger than three photos of 5 MB", body = crate::api::ErrorBody),
        (status = 415, description = "Neither JSON nor multipart", body = crate::api::ErrorBody),
        (status = 422, description = "Refused: every reason, by field (`fields`)", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create_customer_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, order_id)): ApiPath<(u64, u64)>,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    if customer_id == 0 {
        return Err(ApiError::not_found("order_not_found", "No such order."));
    }
    create(&state, store, order_id, Owner::Customer(customer_id), body).await
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
        (status = 400, description = "Malformed body, key or email", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No order with this key and email", body = crate::api::ErrorBody),
        (status = 413, description = "Larger than three photos of 5 MB", body = crate::api::ErrorBody),
        (status = 422, description = "Refused: every reason, by field", body = crate::api::ErrorBody),
        (status = 429, description = "Too many failed look-ups from this client", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn create_guest_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ClientId(client): ClientId,
    ApiPath(order_id): ApiPath<u64>,
    ApiQuery(query): ApiQuery<GuestQuery>,
    body: ReturnBody,
) -> Result<(StatusCode, Json<ReturnView>), ApiError> {
    guest_check(&state, &store, &client, order_id, &query).await?;
    create(&state, store, order_id, Owner::Guest, body).await
}

/// Proves a guest's order key and email, under the guest rate limit.
async fn guest_check(
    state: &AppState,
    store: &str,
    client: &str,
    order_id: u64,
    query: &GuestQuery,
) -> Result<(), ApiError> {
    let limiter_key = guest_limit(state, store, client)?;
    let found = {
        let store = store.to_owned();
        state
            .db()
            .read(move |c| crate::orders::store::find_visible(c, &store, order_id))
            .await?
    };
    match found {
        Some(order) if guest_matches(&order, query) => Ok(()),
        _ => Err(guest_failed(state, &limiter_key, order_id)),
    }
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
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list_customer_returns(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer_id): ApiPath<u64>,
) -> Result<Json<CustomerReturns>, ApiError> {
    let records = if customer_id == 0 {
        Vec::new()
    } else {
        state
            .db()
            .read(move |c| store::for_customer(c, &store, customer_id))
            .await?
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

/// Moves a return and answers with it (or why not).
async fn apply_move(
    state: &AppState,
    store: String,
    mv: MoveRequest,
    audience: Audience,
) -> Result<Json<ReturnView>, ApiError> {
    let moved = state
        .db()
        .writer()
        .write(move |conn| {
            service::transition(
                conn,
                &Move {
                    store_id: &store,
                    return_id: mv.return_id,
                    to: mv.to,
                    actor: mv.actor,
                    owner: mv.owner,
                    order_id: mv.order_id,
                    actor_name: mv.actor_name.as_deref(),
                    note: mv.note.as_deref(),
                    now: Timestamp::now(),
                },
            )
        })
        .await?;
    match moved {
        Moved::Moved(record) => {
            tracing::info!(store = %record.store_id, return_id = record.id, order_id = record.order_id, to = %record.status, by = mv.actor.as_str(), "return moved");
            Ok(Json(ReturnView::new(
                &record,
                audience,
                &state.config().base_url(),
            )))
        }
        Moved::NotFound => Err(return_not_found()),
        Moved::NotAllowed { from, allowed } => {
            let allowed: Vec<String> = allowed
                .iter()
                .map(|s| format!("`{}`", s.as_str()))
                .collect();
            let next = if allowed.is_empty() {
                "it is final".to_owned()
            } else {
                format!("from there it can go to {}", allowed.join(", "))
            };
            Err(ApiError::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                format!(
                    "The return is `{}`, and {next}; `{}` is not possible.",
                    from.as_str(),
                    mv.to.as_str()
                ),
            ))
        }
    }
}

struct MoveRequest {
    return_id: i64,
    to: Status,
    actor: Actor,
    owner: Owner,
    order_id: Option<u64>,
    actor_name: Option<String>,
    note: Option<String>,
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
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such return of this customer", body = crate::api::ErrorBody),
        (status = 409, description = "No longer `requested`", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn cancel_customer_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, return_id)): ApiPath<(u64, i64)>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    if customer_id == 0 {
        return Err(return_not_found());
    }
    let note = optional_text(body.note, "note", MAX_NOTE)?;
    let mv = MoveRequest {
        return_id,
        to: Status::Cancelled,
        actor: Actor::Customer,
        owner: Owner::Customer(customer_id),
        order_id: None,
        actor_name: None,
        note,
    };
    apply_move(&state, store, mv, Audience::Customer).await
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
        (status = 404, description = "No such return of this order", body = crate::api::ErrorBody),
        (status = 409, description = "No longer `requested`", body = crate::api::ErrorBody),
        (status = 429, description = "Too many failed look-ups from this client", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn cancel_guest_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ClientId(client): ClientId,
    ApiPath((order_id, return_id)): ApiPath<(u64, i64)>,
    ApiQuery(query): ApiQuery<GuestQuery>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    guest_check(&state, &store, &client, order_id, &query).await?;
    let note = optional_text(body.note, "note", MAX_NOTE)?;
    let mv = MoveRequest {
        return_id,
        to: Status::Cancelled,
        actor: Actor::Customer,
        owner: Owner::Guest,
        order_id: Some(order_id),
        actor_name: None,
        note,
    };
    apply_move(&state, store, mv, Audience::Customer).await
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
        (status = 400, description = "Unknown state or bad paging", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list_returns(
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
                "invalid_query",
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
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such return in this store", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(return_id): ApiPath<i64>,
) -> Result<Json<ReturnView>, ApiError> {
    let record = state
        .db()
        .read(move |c| store::get(c, &store, return_id))
        .await?
        .ok_or_else(return_not_found)?;
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
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such return in this store", body = crate::api::ErrorBody),
        (status = 409, description = "Not possible from the return's state", body = crate::api::ErrorBody),
        (status = 422, description = "Unknown state or too long a note", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn transition_return(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(return_id): ApiPath<i64>,
    ApiJson(body): ApiJson<TransitionRequest>,
) -> Result<Json<ReturnView>, ApiError> {
    let mv = MoveRequest {
        return_id,
        to: body.to,
        actor: Actor::Staff,
        owner: Owner::Staff,
        order_id: None,
        actor_name: optional_text(body.by, "by", MAX_NAME)?,
        note: optional_text(body.note, "note", MAX_NOTE)?,
    };
    apply_move(&state, store, mv, Audience::Staff).await
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
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such return or photo", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_photo(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((return_id, position)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    let record = state
        .db()
        .read(move |c| store::get(c, &store, return_id))
        .await?
        .ok_or_else(return_not_found)?;
    let photo = record
        .photos
        .iter()
        .find(|p| p.position == position)
        .ok_or_else(|| ApiError::not_found("photo_not_found", "This return has no such photo."))?;
    let bytes = tokio::fs::read(state.config().data_dir.join(&photo.path))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, return_id, position, "a stored return photo is missing");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "photo_unavailable",
                "The stored photo could not be read.",
            )
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, photo.content_type.clone()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            // Uploaded by a customer: never let a browser treat it as anything else.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
