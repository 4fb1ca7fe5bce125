//! `GET /t/{token}`: the public tracking page of one order, rendered by `tracking::page`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use jiff::Timestamp;

use super::AppState;
use crate::order_view::assemble::{self, ViewSettings};
use crate::tracking::page;
use crate::tracking::token::TrackingToken;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(tracking_page))
}

/// The order's public tracking page (HTML, no login). English or Korean from `?lang=`,
/// else `Accept-Language`. Unknown token: a 404 HTML page.
#[utoipa::path(
    get,
    path = "/t/{token}",
    tag = "tracking",
    params(
        ("token" = String, Path, description = "The order's tracking token (32 characters)"),
        ("lang" = Option<String>, Query, description = "`en` or `ko`; overrides Accept-Language"),
    ),
    responses(
        (status = 200, description = "The tracking page", content_type = "text/html"),
        (status = 404, description = "No order has this token", content_type = "text/html"),
    )
)]
async fn tracking_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let settings = &state.config().tracking;
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let accept = accept.map(str::to_owned);
    let choose = move |fallback| page::language(query.as_deref(), accept.as_deref(), fallback);
    // A malformed token gets the same 404 page as an unknown one, so it is parsed here
    // rather than rejected by the extractor.
    let token = TrackingToken::parse(&token);
    let seller = &state.config().invoices.seller;
    page::show(
        state.db(),
        settings,
        state.zones(),
        crate::feeds::view::for_order,
        token,
        choose,
        seller,
        answers_of(state.clone()),
    )
    .await
}

/// The FAQ entries of the order, chosen as for its guest view, in the page's language.
/// Not counted as shown: link scanners and crawlers open public pages too.
fn answers_of(state: AppState) -> page::AnswersOf {
    std::sync::Arc::new(move |c, store_id: &crate::ids::StoreId, order_id, lang| {
        let Some(store) = state.store(store_id) else {
            return Ok(Vec::new());
        };
        let config = state.config();
        let base_url = config.base_url();
        let zone = state.zones().zone(c, store_id).tz;
        let settings = ViewSettings {
            base_url: &base_url,
            link_key: &store.link_key,
            link_ttl: config.invoices.link_ttl,
            paid_statuses: &config.invoices.paid_statuses,
            policy: &config.returns.policy,
            tracking: &config.tracking,
            zone: &zone,
        };
        let shown = assemble::answers_in(c, store_id, order_id, lang, &settings, Timestamp::now())?;
        Ok(shown
            .into_iter()
            .map(|a| page::PageAnswer {
                question: a.question,
                answer_html: a.answer,
            })
            .collect())
    })
}
