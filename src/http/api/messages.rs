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
use crate::ids::{Customer, MessageId, OrderId};
use crate::notify::MessageType;
use crate::notify::decide::Context;
use crate::notify::preferences::{self, Preference};
use crate::notify::preview::{self, PreviewError};
use crate::notify::pull::{self, DueMessage, ReportError, Reported};
use crate::notify::unsubscribe::Keys;
use crate::tracking::i18n::Lang;
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(due_messages))
        .routes(routes!(report_result))
        .routes(routes!(preview_message))
        .routes(routes!(email_preferences))
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The message type: `order_confirmation`, `shipped`, `out_for_delivery`, `delivered`,
    /// `delayed`, `return_update`, `support_reply` (the order's latest staff reply) or `survey`
    /// (an NPS survey with links that lead nowhere).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// `en` or `ko`; the order's language when absent.
    lang: Option<String>,
    /// `json` (default) or `html`: the HTML part itself, to look at in a browser.
    format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePreview {
    #[serde(rename = "type")]
    kind: String,
    /// `en` or `ko`.
    lang: String,
    subject: String,
    /// The HTML part, as the mail server would get it.
    html: String,
    /// The plain-text part.
    text: String,
}

/// What a customer message of this type would say about this order now, rendered from
/// the order's current facts by the templates a real send uses. Nothing is recorded or
/// sent; the unsubscribe link is a placeholder that records nothing.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{order_id}/messages/preview",
    tag = "messages",
    params(("order_id" = u64, Path, description = "WooCommerce order id"), PreviewQuery),
    responses(
        (status = 200, description = "The rendered message (`format=html`: the HTML part as `text/html`)", body = MessagePreview),
        (status = 400, description = "A bad order id or a malformed query", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order in this store", body = ErrorBody),
        (status = 422, description = "An unknown `type`, `lang` or `format`", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn preview_message(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::{Html, IntoResponse};

    let mut problems = Vec::new();
    // The staff digest is not about an order: only customer messages have a preview.
    let kind = query
        .kind
        .as_deref()
        .and_then(MessageType::parse)
        .filter(|k| *k != MessageType::StaffDigest);
    if kind.is_none() {
        problems.push(FieldError::new(
            "type",
            "must be order_confirmation, shipped, out_for_delivery, delivered, delayed, return_update, support_reply or survey",
        ));
    }
    let lang = match query.lang.as_deref() {
        None => Ok(None),
        Some("en") => Ok(Some(Lang::En)),
        Some("ko") => Ok(Some(Lang::Ko)),
        Some(_) => Err(()),
    };
    if lang.is_err() {
        problems.push(FieldError::new("lang", "must be `en` or `ko`"));
    }
    let html = match query.format.as_deref() {
        None | Some("json") => false,
        Some("html") => true,
        Some(_) => {
            problems.push(FieldError::new("format", "must be `json` or `html`"));
            false
        }
    };
    let (Some(kind), Ok(lang)) = (kind, lang) else {
        return Err(ApiError::validation(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let config = state.config();
    let (settings, tracking) = (config.notify.clone(), config.tracking.clone());
    let seller = config.invoices.seller.clone();
    let guides = config.guides.clone();
    let base_url = config.base_url();
    let zones = state.zones().clone();
    let now = jiff::Timestamp::now();
    let found = state
        .db()
        .read(move |c| {
            let zone = zones.zone(c, &store).tz;
            let ctx = Context {
                settings: &settings,
                tracking: &tracking,
                seller: &seller,
                zone: &zone,
                base_url: &base_url,
                // A preview stores and signs no unsubscribe token.
                keys: &Keys::derive([]),
                guides: &guides,
            };
            Ok(preview::preview(c, &store, &ctx, order_id, kind, lang, now))
        })
        .await?;
    let preview = match found {
        Ok(Some(p)) => p,
        Ok(None) => return Err(ApiError::order_not_found()),
        Err(PreviewError::Store(e)) => return Err(e.into()),
        Err(PreviewError::Render(e)) => {
            tracing::error!(error = %e, "message preview could not be rendered");
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "The message could not be rendered.",
            ));
        }
    };
    if html {
        return Ok(Html(preview.rendered.html).into_response());
    }
    Ok(Json(MessagePreview {
        kind: preview.kind.as_str().to_owned(),
        lang: preview.lang.code().to_owned(),
        subject: preview.rendered.subject,
        html: preview.rendered.html,
        text: preview.rendered.text,
    })
    .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailPreferences {
    preferences: Vec<Preference>,
}

/// A registered customer's email preferences, for My Account: per address their orders
/// mail to, each class they may unsubscribe from, with its unsubscribe page (the link the
/// messages carry). A guest (customer 0) has none.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/email-preferences",
    tag = "messages",
    params(("customer_id" = u64, Path, description = "WooCommerce customer (user) id")),
    responses(
        (status = 200, description = "The preferences (maybe none)", body = EmailPreferences),
        (status = 400, description = "A bad customer id", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn email_preferences(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(customer): ApiPath<Customer>,
) -> Result<Json<EmailPreferences>, ApiError> {
    let Customer::Registered(customer) = customer else {
        return Ok(Json(EmailPreferences {
            preferences: Vec::new(),
        }));
    };
    let Some(own) = state.store(store.as_str()) else {
        return Err(ApiError::unknown_store());
    };
    let keys = Keys::derive([(&store, own.config.api_key.expose())]);
    let base_url = state.config().base_url();
    let now = crate::time::millis(jiff::Timestamp::now());
    let preferences = state
        .db()
        .writer()
        .write(move |c| preferences::of_customer(c, &store, customer, &keys, &base_url, &now))
        .await?;
    Ok(Json(EmailPreferences { preferences }))
}
