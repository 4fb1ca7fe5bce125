//! FAQ entries: staff keep them (`/api/v1/answers`), customers get the ones that fit their
//! order now (`.../orders/{order_id}/answers?topic=`, and in the order view). Every time
//! entries are served for an order they are counted as shown (once per order and day).

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::answers::Topic;
use crate::answers::model::AnswerRequest;
use crate::answers::select::ShownAnswer;
use crate::answers::store;
use crate::answers::view::AnswerView;
use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::guest::{GuestClaim, GuestQuery};
use crate::ids::{Customer, OrderId, StoreId};
use crate::order_view::assemble::{self, Viewer};
use crate::time;
use crate::tracking::i18n::Lang;

/// An entry's answer may be 20 000 bytes; the JSON around it a little more.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            OpenApiRouter::new()
                .routes(routes!(create_answer, list_answers))
                .routes(routes!(update_answer, delete_answer))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .routes(routes!(customer_answers))
        .routes(routes!(guest_answers))
}

fn not_found() -> ApiError {
    ApiError::not_found(ErrorCode::AnswerNotFound, "No such answer.")
}

/// Adds an FAQ entry. The answer's HTML is sanitised (scripts, styles, attributes and
/// tags outside the allowlist are removed) and stored as it will be served.
#[utoipa::path(
    post,
    path = "/api/v1/answers",
    tag = "answers",
    request_body = AnswerRequest,
    responses(
        (status = 201, description = "The entry as stored", body = AnswerView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`): empty or long text, a `javascript:` link, an unknown placeholder, language, status, delivery state, topic or product id", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn create_answer(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<(StatusCode, Json<AnswerView>), ApiError> {
    let new = request.validate().map_err(ApiError::validation)?;
    let now = time::millis(Timestamp::now());
    let s = store.clone();
    let entry = state
        .db()
        .writer()
        .write(move |c| store::insert(c, &s, &new, &now))
        .await?;
    tracing::info!(store = %store, answer_id = entry.id, "answer added");
    Ok((
        StatusCode::CREATED,
        Json(AnswerView::new(entry, Default::default())),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only entries in this language (`en`, `ko`).
    lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerList {
    /// Oldest first, each with how often it was shown and whether requests followed.
    answers: Vec<AnswerView>,
}

/// The store's FAQ entries with their deflection figures.
#[utoipa::path(
    get,
    path = "/api/v1/answers",
    tag = "answers",
    params(ListQuery),
    responses(
        (status = 200, description = "The entries", body = AnswerList),
        (status = 400, description = "Unknown language", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_answers(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<AnswerList>, ApiError> {
    let lang = match query.lang.as_deref() {
        None => None,
        Some("en") => Some(Lang::En),
        Some("ko") => Some(Lang::Ko),
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                "`lang` must be `en` or `ko`.",
            ));
        }
    };
    let (entries, figures) = state
        .db()
        .read(move |c| Ok((store::list(c, &store, lang)?, store::deflection(c, &store)?)))
        .await?;
    let answers = entries
        .into_iter()
        .map(|e| {
            let d = figures.get(&e.id).copied().unwrap_or_default();
            AnswerView::new(e, d)
        })
        .collect();
    Ok(Json(AnswerList { answers }))
}

/// Replaces an FAQ entry (all of it). Its figures stay.
#[utoipa::path(
    put,
    path = "/api/v1/answers/{id}",
    tag = "answers",
    params(("id" = i64, Path, description = "The entry's id")),
    request_body = AnswerRequest,
    responses(
        (status = 200, description = "The entry as stored", body = AnswerView),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such entry in this store", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn update_answer(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Json<AnswerView>, ApiError> {
    let new = request.validate().map_err(ApiError::validation)?;
    let now = time::millis(Timestamp::now());
    let s = store.clone();
    let found = state
        .db()
        .writer()
        .write(move |c| {
            let Some(entry) = store::update(c, &s, id, &new, &now)? else {
                return Ok(None);
            };
            let d = store::deflection(c, &s)?
                .get(&id)
                .copied()
                .unwrap_or_default();
            Ok(Some(AnswerView::new(entry, d)))
        })
        .await?;
    let view = found.ok_or_else(not_found)?;
    tracing::info!(store = %store, answer_id = id, "answer changed");
    Ok(Json(view))
}

/// Deletes an FAQ entry and its figures.
#[utoipa::path(
    delete,
    path = "/api/v1/answers/{id}",
    tag = "answers",
    params(("id" = i64, Path, description = "The entry's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such entry in this store", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn delete_answer(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let s = store.clone();
    let gone = state
        .db()
        .writer()
        .write(move |c| store::delete(c, &s, id))
        .await?;
    if !gone {
        return Err(not_found());
    }
    tracing::info!(store = %store, answer_id = id, "answer deleted");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicQuery {
    /// The topic the customer chose: `where_is_my_order`, `damaged_or_wrong_item`,
    /// `invoice_and_billing`, `return_or_exchange`, `how_to_use`, `something_else`.
    topic: Option<String>,
}

impl TopicQuery {
    fn topic(&self) -> Result<Option<Topic>, ApiError> {
        self.topic
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| {
                Topic::parse(t).ok_or_else(|| {
                    ApiError::bad_request(
                        ErrorCode::InvalidQuery,
                        "`topic` must be one of where_is_my_order, damaged_or_wrong_item, invoice_and_billing, return_or_exchange, how_to_use, something_else.",
                    )
                })
            })
            .transpose()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShownAnswers {
    /// At most five, best first, facts filled in.
    answers: Vec<ShownAnswer>,
}

/// Counts `answers` as shown for the order today. A failure to count never fails the page
/// the customer is looking at.
pub async fn record_shown(state: &AppState, store: &StoreId, order_id: OrderId, ids: Vec<i64>) {
    if ids.is_empty() {
        return;
    }
    let now = time::millis(Timestamp::now());
    let s = store.clone();
    let result = state
        .db()
        .writer()
        .write(move |c| store::record_impressions(c, &s, order_id, &ids, &now))
        .await;
    if let Err(error) = result {
        tracing::warn!(%error, store = %store, order_id = order_id.get(), "answer impressions not recorded");
    }
}

async fn shown_for(
    state: &AppState,
    store: &StoreId,
    loaded: &assemble::Loaded,
    viewer: &Viewer,
    topic: Option<Topic>,
) -> Result<ShownAnswers, ApiError> {
    let answers = super::orders::answers_for(state, store, loaded, viewer, topic).await?;
    let ids = answers.iter().map(|a| a.id).collect();
    record_shown(state, store, loaded.order.order_id, ids).await;
    Ok(ShownAnswers { answers })
}

/// The FAQ entries that fit the order now, for the topic the customer chose (or none).
/// 404 when the order does not exist or belongs to another customer.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/answers",
    tag = "answers",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
        TopicQuery,
    ),
    responses(
        (status = 200, description = "The entries that fit", body = ShownAnswers),
        (status = 400, description = "Bad path or unknown topic", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn customer_answers(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id)): ApiPath<(Customer, OrderId)>,
    ApiQuery(query): ApiQuery<TopicQuery>,
) -> Result<Json<ShownAnswers>, ApiError> {
    let topic = query.topic()?;
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
            shown_for(
                &state,
                &store,
                &loaded,
                &Viewer::Customer(customer.get()),
                topic,
            )
            .await?,
        )),
        _ => Err(ApiError::order_not_found()),
    }
}

/// The same for a guest, proven by order key and billing email (failures limited as for
/// the guest order view).
#[utoipa::path(
    get,
    path = "/api/v1/guest/orders/{order_id}/answers",
    tag = "answers",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), GuestQuery, TopicQuery),
    responses(
        (status = 200, description = "The entries that fit", body = ShownAnswers),
        (status = 400, description = "Bad path, missing key/email or unknown topic", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No order with this key and email", body = ErrorBody),
        (status = 429, description = "Too many failed attempts from this client", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn guest_answers(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    ApiQuery(query): ApiQuery<TopicQuery>,
    claim: GuestClaim,
) -> Result<Json<ShownAnswers>, ApiError> {
    let topic = query.topic()?;
    let loaded = claim
        .prove(&state, &store, order_id, assemble::load, |l| &l.order)
        .await?;
    Ok(Json(
        shown_for(&state, &store, &loaded, &Viewer::Guest, topic).await?,
    ))
}
