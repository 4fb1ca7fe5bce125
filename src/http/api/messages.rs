//! The WordPress channel: the plugin pulls due messages and reports what became of each.
//! The API key identifies the store; another store's message is 404.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ids::MessageId;
use crate::notify::pull::{self, DueMessage, ReportError, Reported};
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(due_messages))
        .routes(routes!(report_result))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// How many messages at most, 1-100 (default 20).
    limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueList {
    messages: Vec<DueMessage>,
}

/// Messages of the WordPress channel whose time has come (quiet hours passed). Each listed
/// message is leased for five minutes: not listed again in that time unless reported
/// `failed`.
#[utoipa::path(
    get,
    path = "/api/v1/messages/due",
    tag = "messages",
    params(DueQuery),
    responses(
        (status = 200, description = "Due messages (maybe none)", body = DueList),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 422, description = "`limit` out of 1-100", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn due_messages(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<DueQuery>,
) -> Result<Json<DueList>, ApiError> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation(vec![FieldError::new(
            "limit",
            "must be 1 to 100",
        )]));
    }
    let now = jiff::Timestamp::now();
    let messages = state
        .db()
        .writer()
        .write(move |c| pull::due(c, &store, limit, now))
        .await?;
    Ok(Json(DueList { messages }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultRequest {
    /// `sent`, `failed` or `disabled` (the email is switched off in WooCommerce).
    outcome: String,
    /// What happened, up to 500 characters.
    detail: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultAnswer {
    id: String,
    /// `sent`, `failed` (retried with backoff, at most 5 attempts) or `skipped`.
    state: String,
}

/// Reports what became of a message the plugin took. The same report again is 200 and
/// changes nothing; any other report after a final state is 409.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/result",
    tag = "messages",
    params(("id" = String, Path, description = "`msg_…` from the due list")),
    request_body = ResultRequest,
    responses(
        (status = 200, description = "Recorded", body = ResultAnswer),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such message in this store", body = ErrorBody),
        (status = 409, description = "The message is already final", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A bad outcome or a detail over 500 characters", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn report_result(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ResultRequest>,
) -> Result<Json<ResultAnswer>, ApiError> {
    let not_found = || ApiError::not_found(ErrorCode::NotFound, "no such message in this store");
    let id = MessageId::parse(&id).ok_or_else(not_found)?;
    let mut problems = Vec::new();
    let outcome = Reported::parse(&request.outcome);
    if outcome.is_none() {
        problems.push(FieldError::new(
            "outcome",
            "must be `sent`, `failed` or `disabled`",
        ));
    }
    if request
        .detail
        .as_ref()
        .is_some_and(|d| d.chars().count() > pull::MAX_DETAIL_CHARS)
    {
        problems.push(FieldError::new("detail", "must be at most 500 characters"));
    }
    let Some(outcome) = outcome.filter(|_| problems.is_empty()) else {
        return Err(ApiError::validation(problems));
    };
    let now = jiff::Timestamp::now();
    let detail = request.detail;
    let answer = state
        .db()
        .writer()
        .write(move |c| Ok(pull::report(c, &store, id, outcome, detail.as_deref(), now)))
        .await?;
    match answer {
        Ok(state) => Ok(Json(ResultAnswer {
            id: id.to_string(),
            state: state.as_str().to_owned(),
        })),
        Err(ReportError::NotFound) => Err(not_found()),
        Err(ReportError::Conflict(state)) => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            ErrorCode::Conflict,
            format!("the message is already {state}"),
        )),
        Err(ReportError::Store(e)) => Err(e.into()),
    }
}
