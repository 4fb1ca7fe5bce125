//! The customer's personal data, for the store's privacy tools (the plugin's exporter and
//! eraser): everything held for an e-mail address, and its erasure.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::privacy::subject::normalise;
use crate::privacy::{Erasure, Export, erase, export};
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_data))
        .routes(routes!(erase_data))
}

fn email(given: Option<&str>) -> Result<String, ApiError> {
    normalise(given.unwrap_or(""))
        .map_err(|message| ApiError::validation(vec![FieldError::new("email", message)]))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The customer's e-mail address (compared without case).
    email: Option<String>,
}

/// Everything aftercare holds for an e-mail address in this store: the orders placed with
/// it (and a registered customer's other orders), their returns, support requests,
/// surveys, messages, e-mail preferences and issued documents, in groups of name/value
/// pairs as WordPress's personal data exporter takes them. An address aftercare does not
/// know gives no groups.
#[utoipa::path(
    get,
    path = "/api/v1/privacy/export",
    tag = "privacy",
    params(ExportQuery),
    responses(
        (status = 200, description = "The export (maybe no groups)", body = Export),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 422, description = "`email` missing or not an address", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn export_data(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Json<Export>, ApiError> {
    let email = email(query.email.as_deref())?;
    let export = state
        .db()
        .read(move |c| export::gather(c, &store, &email))
        .await?;
    Ok(Json(export))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// The customer's e-mail address (compared without case).
    email: String,
}

/// Erases what aftercare holds for an e-mail address, in one transaction: names,
/// addresses, phones, IP addresses, browsers, comments, messages and notes anonymised,
/// photos deleted, unsubscribes forgotten, pending messages and events cancelled. Issued
/// invoices and credit notes are kept, as tax law requires, and listed as `retained` with
/// that reason. Asking again erases nothing more and answers zero counts.
#[utoipa::path(
    post,
    path = "/api/v1/privacy/erase",
    tag = "privacy",
    request_body = EraseRequest,
    responses(
        (status = 200, description = "Erased; what was and what was kept", body = Erasure),
        (status = 400, description = "Malformed JSON or an unknown field", body = ErrorBody),
        KeyRequired,
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "`email` missing or not an address", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn erase_data(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EraseRequest>,
) -> Result<Json<Erasure>, ApiError> {
    let email = email(Some(&request.email))?;
    let erasure = erase::run(state.db(), &state.config().data_dir, store, email).await?;
    Ok(Json(erasure))
}
