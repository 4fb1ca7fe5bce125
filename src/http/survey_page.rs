//! `GET /s/{token}` shows a survey (a score in the link only pre-selects it) and
//! `POST /s/{token}` records the answer, rendered by `surveys::page`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::surveys::answer::{Posted, origin_allowed};
use crate::surveys::page::{self, Asked, PageContext};
use crate::surveys::token::Keys;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_survey, answer_survey))
}

/// One survey's page (HTML, no login): the question with its scale, a topic and a comment.
/// `?score=` pre-selects a score and records nothing.
#[utoipa::path(
    get,
    path = "/s/{token}",
    tag = "surveys",
    params(
        ("token" = String, Path, description = "The survey's signed token, from its message"),
        ("score" = Option<i64>, Query, description = "Pre-selects this score (0-10 NPS, 1-5 CSAT); records nothing"),
        ("lang" = Option<String>, Query, description = "`en` or `ko`; else the survey's own language"),
    ),
    responses(
        (status = 200, description = "The survey form", content_type = "text/html"),
        (status = 404, description = "A forged or unknown link", content_type = "text/html"),
        (status = 410, description = "The link expired, or the answer is locked", content_type = "text/html"),
    )
)]
async fn show_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (keys, base) = (keys(&state), state.config().base_url());
    let ctx = context(&state, &keys, &base);
    let asked = Asked {
        query: query.as_deref(),
        accept_language: headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    };
    respond(page::show(&ctx, token, asked).await)
}

/// Records (or changes) the answer: form fields `score`, optional `topic` (`delivery`
/// `product` `support` `price` `other`) and `comment`, and the page's form nonce `form`.
#[utoipa::path(
    post,
    path = "/s/{token}",
    tag = "surveys",
    params(("token" = String, Path, description = "The survey's signed token")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "`score`, `topic`, `comment`, `form`"),
    responses(
        (status = 200, description = "Recorded: the thank-you page", content_type = "text/html"),
        (status = 403, description = "Not from aftercare's own page (Origin or form nonce)", content_type = "text/html"),
        (status = 404, description = "A forged or unknown link", content_type = "text/html"),
        (status = 409, description = "The answer is locked", content_type = "text/html"),
        (status = 410, description = "The link expired", content_type = "text/html"),
        (status = 422, description = "No score, an unknown topic or a comment too long: the form again", content_type = "text/html"),
    )
)]
async fn answer_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (keys, base) = (keys(&state), state.config().base_url());
    let ctx = context(&state, &keys, &base);
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let origin_ok = origin_allowed(text(header::ORIGIN), &base, text(header::HOST));
    let mut posted = Posted::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        let slot = match key.as_ref() {
            "score" => &mut posted.score,
            "topic" => &mut posted.topic,
            "comment" => &mut posted.comment,
            "form" => &mut posted.nonce,
            _ => continue,
        };
        slot.get_or_insert_with(|| value.into_owned());
    }
    let asked = Asked {
        query: query.as_deref(),
        accept_language: text(header::ACCEPT_LANGUAGE),
    };
    respond(page::submit(&ctx, token, asked, posted, origin_ok).await)
}

fn keys(state: &AppState) -> Keys {
    Keys::derive(
        state
            .config()
            .stores
            .iter()
            .map(|s| (&s.id, s.api_key.expose())),
    )
}

fn context<'a>(state: &'a AppState, keys: &'a Keys, base_url: &'a str) -> PageContext<'a> {
    let config = state.config();
    PageContext {
        db: state.db(),
        keys,
        settings: &config.surveys,
        tracking: &config.tracking,
        seller: &config.invoices.seller,
        zones: state.zones(),
        base_url,
        after_answer: crate::support::follow_up::after_answer,
    }
}

fn respond(page: Result<page::Page, crate::store::StoreError>) -> Response {
    let (status, html) = match page {
        Ok(p) => (
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::OK),
            p.html,
        ),
        Err(error) => {
            tracing::error!(%error, "survey page failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The page is unavailable; try again shortly.".to_owned(),
            )
        }
    };
    let mut response = (status, Html(html)).into_response();
    let h = response.headers_mut();
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    response
}
