//! Insights through the API: the figures over a range of days, each chart as SVG and each
//! table as CSV, for staff. Handlers parse and answer; `crate::insights` computes.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::ids::StoreId;
use crate::insights::charts::{self, Lang};
use crate::insights::keeper::Keeper;
use crate::insights::report::{self, Insights};
use crate::insights::{Context, Range, tables};
use crate::validation::FieldError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_insights))
        .routes(routes!(get_chart))
        .routes(routes!(get_table))
}

/// Longest range, in days.
const MAX_DAYS: i64 = 800;
/// How long a request may spend counting changes not yet folded in.
const CATCH_UP_BUDGET: Duration = Duration::from_secs(2);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day included, `YYYY-MM-DD` in the shop's time zone. Default: 364 days before `to`.
    from: Option<String>,
    /// Last day included, `YYYY-MM-DD`. Default: today in the shop's time zone.
    to: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// First day included, `YYYY-MM-DD`. Default: 364 days before `to`.
    from: Option<String>,
    /// Last day included, `YYYY-MM-DD`. Default: today.
    to: Option<String>,
    /// The width to lay the chart out for, in CSS pixels (320–1600). Default 720.
    width: Option<u32>,
    /// `en` (default) or `ko`.
    lang: Option<String>,
}

fn keeper(state: &AppState) -> Keeper {
    let config = state.config();
    Keeper {
        db: state.db().clone(),
        tracking: config.tracking.clone(),
        zones: state.zones().clone(),
        hours: config.support.hours,
        settings: config.insights,
    }
}

fn range(from: Option<&str>, to: Option<&str>, ctx: &Context) -> Result<Range, ApiError> {
    let read = |text: Option<&str>, field: &str, problems: &mut Vec<FieldError>| {
        let text = text?.trim();
        let date = text.parse::<Date>().ok();
        if date.is_none() {
            problems.push(FieldError::new(field, "Give a date as YYYY-MM-DD."));
        }
        date
    };
    let mut problems = Vec::new();
    let to_date = read(to, "to", &mut problems);
    let from_date = read(from, "from", &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let today = ctx.calendar.local(jiff::Timestamp::now()).date();
    let last = to_date.unwrap_or(today);
    let first = match from_date {
        Some(d) => d,
        None => last
            .checked_sub(jiff::Span::new().days(364))
            .unwrap_or(last),
    };
    let range = Range::days(first, last);
    if range.is_empty() {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            "Must not be after `to`.",
        )]));
    }
    if range.len() > MAX_DAYS {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            format!("The range may cover at most {MAX_DAYS} days."),
        )]));
    }
    Ok(range)
}

/// The store's figures over the range, after folding in what changed since the last fold.
async fn figures(
    state: &AppState,
    store: &StoreId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Insights, ApiError> {
    let keeper = keeper(state);
    let ctx = keeper.context(store).await?;
    let range = range(from, to, &ctx)?;
    let pending = keeper.catch_up(&ctx, CATCH_UP_BUDGET).await?;
    let mut insights = state
        .db()
        .read(move |c| report::build(c, &ctx, range))
        .await?;
    insights.pending = pending;
    Ok(insights)
}

/// Staff: NPS, CSAT, support times and volume, delivery per carrier, returns per product
/// and reason, repeat customers, retention and customer value over a range of days.
/// docs/insights.md defines every figure.
#[utoipa::path(
    get,
    path = "/api/v1/insights",
    tag = "insights",
    params(RangeQuery),
    responses(
        (status = 200, description = "The figures", body = Insights),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 422, description = "`from`/`to` unreadable, reversed or more than 800 days apart", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_insights(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<Insights>, ApiError> {
    let insights = figures(&state, &store, query.from.as_deref(), query.to.as_deref()).await?;
    Ok(Json(insights))
}

/// `nps-weekly.svg` → `nps-weekly` when it is one of the names.
fn named<'a>(file: &'a str, extension: &str) -> Option<&'a str> {
    let name = file.strip_suffix(extension)?;
    tables::NAMES.contains(&name).then_some(name)
}

/// Staff: one chart over the range as SVG, laid out for the given width. Names:
/// `nps-weekly`, `csat-sources`, `support-times`, `support-topics`, `delivery-times`,
/// `carrier-rates`, `return-products`, `return-reasons`, `cohorts`.
#[utoipa::path(
    get,
    path = "/api/v1/insights/charts/{file}",
    tag = "insights",
    params(("file" = String, Path, description = "`{name}.svg`"), ChartQuery),
    responses(
        (status = 200, description = "The chart", content_type = "image/svg+xml", body = String),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such chart", body = ErrorBody),
        (status = 422, description = "A bad range, width or language", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_chart(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Response, ApiError> {
    let name = named(&file, ".svg")
        .ok_or_else(|| ApiError::not_found(ErrorCode::ChartNotFound, "No such chart."))?;
    let mut problems = Vec::new();
    let lang = match query.lang.as_deref() {
        None => Lang::En,
        Some(text) => Lang::parse(text).unwrap_or_else(|| {
            problems.push(FieldError::new("lang", "Must be `en` or `ko`."));
            Lang::En
        }),
    };
    let width = query.width.unwrap_or(720);
    if !(320..=1600).contains(&width) {
        problems.push(FieldError::new("width", "Must be from 320 to 1600."));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let insights = figures(&state, &store, query.from.as_deref(), query.to.as_deref()).await?;
    let chart = charts::chart(&insights, name, lang)
        .ok_or_else(|| ApiError::not_found(ErrorCode::ChartNotFound, "No such chart."))?;
    let svg = crate::charts::render(&chart, width);
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        svg,
    )
        .into_response())
}

/// Staff: the table under one chart, as CSV (a header row, then one row per line).
#[utoipa::path(
    get,
    path = "/api/v1/insights/{file}",
    tag = "insights",
    params(("file" = String, Path, description = "`{name}.csv`, a chart's name"), RangeQuery),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 400, description = "A malformed query", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such table", body = ErrorBody),
        (status = 422, description = "A bad range", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_table(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(file): ApiPath<String>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Response, ApiError> {
    let name = named(&file, ".csv")
        .ok_or_else(|| ApiError::not_found(ErrorCode::TableNotFound, "No such table."))?;
    let insights = figures(&state, &store, query.from.as_deref(), query.to.as_deref()).await?;
    let table = tables::table(&insights, name)
        .ok_or_else(|| ApiError::not_found(ErrorCode::TableNotFound, "No such table."))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"aftercare-{name}-{}-{}.csv\"",
                    insights.from, insights.to
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        tables::csv(&table),
    )
        .into_response())
}
