//! `GET /unsubscribe/{token}` shows the unsubscribe page, `POST` records it (also the
//! RFC 8058 one-click POST mail clients send, body `List-Unsubscribe=One-Click`).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use crate::notify::page;
use crate::tracking::page::language;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_unsubscribe, record_unsubscribe))
}

/// The unsubscribe page of one customer and message class (HTML, no login).
#[utoipa::path(
    get,
    path = "/unsubscribe/{token}",
    tag = "messages",
    params(
        ("token" = String, Path, description = "The token from a message's unsubscribe link"),
        ("lang" = Option<String>, Query, description = "`en` or `ko`; overrides Accept-Language"),
    ),
    responses(
        (status = 200, description = "The page, with a button", content_type = "text/html"),
        (status = 404, description = "No such link", content_type = "text/html"),
    )
)]
async fn show_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    respond(&state, token, query, &headers, false).await
}

/// Records the unsubscribe at once; the page confirms it. Any body is accepted, so the
/// one-click POST (`List-Unsubscribe=One-Click`) and the page's button do the same.
#[utoipa::path(
    post,
    path = "/unsubscribe/{token}",
    tag = "messages",
    params(("token" = String, Path, description = "The token from a message's unsubscribe link")),
    responses(
        (status = 200, description = "Unsubscribed", content_type = "text/html"),
        (status = 404, description = "No such link", content_type = "text/html"),
    )
)]
async fn record_unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    respond(&state, token, query, &headers, true).await
}

async fn respond(
    state: &AppState,
    token: String,
    query: Option<String>,
    headers: &HeaderMap,
    record: bool,
) -> Response {
    let tracking = &state.config().tracking;
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let choose = |fallback| language(query.as_deref(), accept, fallback);
    let answer = page::answer(
        state.db(),
        tracking,
        &state.config().invoices.seller,
        token,
        choose,
        record,
    )
    .await;
    let (status, html) = match answer {
        Ok(a) if a.found => (StatusCode::OK, a.html),
        Ok(a) => (StatusCode::NOT_FOUND, a.html),
        Err(error) => {
            tracing::error!(%error, "unsubscribe page failed");
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
