//! `GET /api/v1/surveys`: the store's survey answers, for staff.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::code::ErrorCode;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiQuery, Paging};
use crate::surveys::Kind;
use crate::surveys::view::{self, SurveyList};
use crate::time::{self, Stamp};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_surveys))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// Only `nps` or `csat` answers.
    kind: Option<String>,
    /// First answered at or after this day (`2026-12-01`, UTC) or moment (RFC 3339).
    from: Option<String>,
    /// First answered before the end of this day (`2026-12-31`, UTC) or before this moment.
    to: Option<String>,
    /// Page number, from 1.
    page: Option<u32>,
    /// Answers per page, 1-100 (default 10).
    per_page: Option<u32>,
}

/// A day or a moment; a day's end for `to` (the whole day counts).
fn bound(name: &str, text: Option<&str>, end: bool) -> Result<Option<Stamp>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!("`{name}` must be a date like 2026-12-01 or a time like 2026-12-01T00:00:00Z."),
        )
    };
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let day = if end {
            date.tomorrow().map_err(|_| bad())?
        } else {
            date
        };
        let ts = day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|_| bad())?
            .timestamp();
        return Ok(Some(time::millis(ts)));
    }
    let ts: Timestamp = text.parse().map_err(|_| bad())?;
    Ok(Some(time::millis(ts)))
}

/// Staff: the store's survey answers, newest first, optionally of one kind and answered
/// within a date range, with the score's group (promoter, detractor …), the topic, the
/// comment and the follow-up flag.
#[utoipa::path(
    get,
    path = "/api/v1/surveys",
    tag = "surveys",
    params(SurveyQuery),
    responses(
        (status = 200, description = "A page of answers", body = SurveyList),
        (status = 400, description = "Unknown kind, a bad date or bad paging", body = ErrorBody),
        KeyRequired,
    ),
    security(("api_key" = []))
)]
async fn list_surveys(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SurveyQuery>,
) -> Result<Json<SurveyList>, ApiError> {
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(text) => Some(Kind::parse(text).ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidQuery, "`kind` must be `nps` or `csat`.")
        })?),
    };
    let from = bound("from", query.from.as_deref(), false)?;
    let to = bound("to", query.to.as_deref(), true)?;
    if let (Some(f), Some(t)) = (&from, &to)
        && f >= t
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            "`from` must come before `to`.",
        ));
    }
    let Paging { page, per_page } = Paging::new(query.page, query.per_page)?;
    Ok(Json(
        view::list(state.db(), &store, kind, (from, to), page, per_page).await?,
    ))
}
