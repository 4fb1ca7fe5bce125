//! Product guides: staff keep one per product, variation or SKU; `/g/{token}` counts a
//! click on one of their links and redirects to its stored http(s) address.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::guides::model::{GuideRequest, Scope, is_web_url};
use crate::guides::store::{self, Followed};
use crate::guides::view::GuideView;
use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiJson, ApiPath};
use crate::ids::StoreId;
use crate::time;

/// Ten links and a 2000-character text fit well within this.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    get_product_guide,
                    put_product_guide,
                    delete_product_guide
                ))
                .routes(routes!(
                    get_variation_guide,
                    put_variation_guide,
                    delete_variation_guide
                ))
                .routes(routes!(put_sku_guide, delete_sku_guide))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .routes(routes!(list_guides))
        .routes(routes!(follow_link))
}

fn positive(id: u64) -> Result<u64, ApiError> {
    if id == 0 || id > i64::MAX as u64 {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidPath,
            "The id must be a WooCommerce product or variation id.",
        ));
    }
    Ok(id)
}

async fn put(
    state: &AppState,
    store: StoreId,
    scope: Scope,
    request: GuideRequest,
) -> Result<(StatusCode, Json<GuideView>), ApiError> {
    let new = request.validate().map_err(ApiError::validation)?;
    let now = time::millis(Timestamp::now());
    let s = store.clone();
    let sc = scope.clone();
    let (guide, created) = state
        .db()
        .writer()
        .write(move |c| store::put(c, &s, &sc, &new, &now))
        .await?;
    let (kind, _) = scope.key();
    tracing::info!(store = %store, scope = kind, created, "guide saved");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(GuideView::new(guide, &state.config().base_url())),
    ))
}

async fn delete(state: &AppState, store: StoreId, scope: Scope) -> Result<StatusCode, ApiError> {
    let now = time::millis(Timestamp::now());
    let s = store.clone();
    let gone = state
        .db()
        .writer()
        .write(move |c| store::delete(c, &s, &scope, &now))
        .await?;
    if !gone {
        return Err(ApiError::not_found(
            ErrorCode::GuideNotFound,
            "No guide is kept for this.",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn get(state: &AppState, store: StoreId, scope: Scope) -> Result<Json<GuideView>, ApiError> {
    let guide = state
        .db()
        .read(move |c| store::get(c, &store, &scope))
        .await?;
    let Some(guide) = guide else {
        return Err(ApiError::not_found(
            ErrorCode::GuideNotFound,
            "No guide is kept for this.",
        ));
    };
    Ok(Json(GuideView::new(guide, &state.config().base_url())))
}

/// The guide kept for exactly this product (not a variation's or a SKU's), with its links'
/// click counts: one entry of `GET /api/v1/guides`.
#[utoipa::path(
    get,
    path = "/api/v1/products/{product_id}/guide",
    tag = "guides",
    params(("product_id" = u64, Path, description = "WooCommerce product id")),
    responses(
        (status = 200, description = "The guide", body = GuideView),
        (status = 400, description = "Bad id", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "The product has no guide", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_product_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<u64>,
) -> Result<Json<GuideView>, ApiError> {
    get(&state, store, Scope::Product(positive(product_id)?)).await
}

/// The guide kept for exactly this variation, with its links' click counts.
#[utoipa::path(
    get,
    path = "/api/v1/products/{product_id}/variations/{variation_id}/guide",
    tag = "guides",
    params(
        ("product_id" = u64, Path, description = "WooCommerce product id (the parent)"),
        ("variation_id" = u64, Path, description = "WooCommerce variation id"),
    ),
    responses(
        (status = 200, description = "The guide", body = GuideView),
        (status = 400, description = "Bad id", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "The variation has no guide", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_variation_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((product_id, variation_id)): ApiPath<(u64, u64)>,
) -> Result<Json<GuideView>, ApiError> {
    positive(product_id)?;
    get(&state, store, Scope::Variation(positive(variation_id)?)).await
}

/// Creates or replaces the guide of a product. A link whose address stays keeps its
/// counting address and its clicks.
#[utoipa::path(
    put,
    path = "/api/v1/products/{product_id}/guide",
    tag = "guides",
    params(("product_id" = u64, Path, description = "WooCommerce product id")),
    request_body = GuideRequest,
    responses(
        (status = 201, description = "Created", body = GuideView),
        (status = 200, description = "Replaced", body = GuideView),
        (status = 400, description = "Malformed JSON, an unknown field or a bad id", body = ErrorBody),
        KeyRequired,
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`): long text, a link that is not http(s), a missing title, more than ten links", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn put_product_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<u64>,
    ApiJson(request): ApiJson<GuideRequest>,
) -> Result<(StatusCode, Json<GuideView>), ApiError> {
    put(
        &state,
        store,
        Scope::Product(positive(product_id)?),
        request,
    )
    .await
}

/// Removes the guide of a product. Its links' counting addresses then answer 410.
#[utoipa::path(
    delete,
    path = "/api/v1/products/{product_id}/guide",
    tag = "guides",
    params(("product_id" = u64, Path, description = "WooCommerce product id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Bad id", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "The product has no guide", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn delete_product_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(product_id): ApiPath<u64>,
) -> Result<StatusCode, ApiError> {
    delete(&state, store, Scope::Product(positive(product_id)?)).await
}

/// Creates or replaces the guide of one variation (it wins over the product's and the
/// SKU's for line items of that variation).
#[utoipa::path(
    put,
    path = "/api/v1/products/{product_id}/variations/{variation_id}/guide",
    tag = "guides",
    params(
        ("product_id" = u64, Path, description = "WooCommerce product id (the parent)"),
        ("variation_id" = u64, Path, description = "WooCommerce variation id"),
    ),
    request_body = GuideRequest,
    responses(
        (status = 201, description = "Created", body = GuideView),
        (status = 200, description = "Replaced", body = GuideView),
        (status = 400, description = "Malformed JSON, an unknown field or a bad id", body = ErrorBody),
        KeyRequired,
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn put_variation_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((product_id, variation_id)): ApiPath<(u64, u64)>,
    ApiJson(request): ApiJson<GuideRequest>,
) -> Result<(StatusCode, Json<GuideView>), ApiError> {
    positive(product_id)?;
    put(
        &state,
        store,
        Scope::Variation(positive(variation_id)?),
        request,
    )
    .await
}

/// Removes the guide of one variation.
#[utoipa::path(
    delete,
    path = "/api/v1/products/{product_id}/variations/{variation_id}/guide",
    tag = "guides",
    params(
        ("product_id" = u64, Path, description = "WooCommerce product id (the parent)"),
        ("variation_id" = u64, Path, description = "WooCommerce variation id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Bad id", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "The variation has no guide", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn delete_variation_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((product_id, variation_id)): ApiPath<(u64, u64)>,
) -> Result<StatusCode, ApiError> {
    positive(product_id)?;
    delete(&state, store, Scope::Variation(positive(variation_id)?)).await
}

fn sku(text: &str) -> Result<Scope, ApiError> {
    Scope::sku(text).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::InvalidPath,
            "The SKU must be 1-100 bytes without control characters.",
        )
    })
}

/// Creates or replaces the guide of a SKU (for line items with this SKU and no variation
/// guide).
#[utoipa::path(
    put,
    path = "/api/v1/skus/{sku}/guide",
    tag = "guides",
    params(("sku" = String, Path, description = "The SKU, percent-encoded")),
    request_body = GuideRequest,
    responses(
        (status = 201, description = "Created", body = GuideView),
        (status = 200, description = "Replaced", body = GuideView),
        (status = 400, description = "Malformed JSON, an unknown field or a bad SKU", body = ErrorBody),
        KeyRequired,
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (listed in `fields`)", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn put_sku_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(text): ApiPath<String>,
    ApiJson(request): ApiJson<GuideRequest>,
) -> Result<(StatusCode, Json<GuideView>), ApiError> {
    put(&state, store, sku(&text)?, request).await
}

/// Removes the guide of a SKU.
#[utoipa::path(
    delete,
    path = "/api/v1/skus/{sku}/guide",
    tag = "guides",
    params(("sku" = String, Path, description = "The SKU, percent-encoded")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Bad SKU", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "The SKU has no guide", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn delete_sku_guide(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(text): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    delete(&state, store, sku(&text)?).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideList {
    guides: Vec<GuideView>,
}

/// Every guide of the store with its links' click counts.
#[utoipa::path(
    get,
    path = "/api/v1/guides",
    tag = "guides",
    responses(
        (status = 200, description = "The guides, oldest first", body = GuideList),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_guides(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
) -> Result<Json<GuideList>, ApiError> {
    let guides = state.db().read(move |c| store::list(c, &store)).await?;
    let base = state.config().base_url();
    Ok(Json(GuideList {
        guides: guides
            .into_iter()
            .map(|g| GuideView::new(g, &base))
            .collect(),
    }))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// A guide link: counts the click and redirects (302) to the link's stored http(s)
/// address. No login. Unknown token: 404; a link staff removed: 410.
#[utoipa::path(
    get,
    path = "/g/{token}",
    tag = "guides",
    params(("token" = String, Path, description = "The link's token (22 characters)")),
    responses(
        (status = 302, description = "To the link's address"),
        (status = 404, description = "No such link", content_type = "text/plain"),
        (status = 410, description = "The link was removed", content_type = "text/plain"),
    )
)]
async fn follow_link(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let well_formed = token.len() == 22
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return plain(StatusCode::NOT_FOUND, "This link does not exist.");
    }
    let now = time::millis(Timestamp::now());
    let found = state
        .db()
        .writer()
        .write(move |c| store::follow(c, &token, &now))
        .await;
    match found {
        // Checked again on the way out: only a web address is ever a Location.
        Ok(Some(Followed::To(url))) if is_web_url(&url) => (
            StatusCode::FOUND,
            [
                (header::LOCATION, url.as_str()),
                (header::CACHE_CONTROL, "no-store"),
                (header::REFERRER_POLICY, "no-referrer"),
            ],
        )
            .into_response(),
        Ok(Some(Followed::Retired)) => plain(StatusCode::GONE, "This link was removed."),
        Ok(_) => plain(StatusCode::NOT_FOUND, "This link does not exist."),
        Err(error) => {
            tracing::error!(%error, "guide link not followed");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "The link is unavailable; try again shortly.",
            )
        }
    }
}
