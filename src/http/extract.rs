//! Path and query extractors whose rejections use the standard error body.

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody, PathRejection, QueryRejection};

use super::error::{ApiError, ErrorCode};
use crate::validation::FieldError;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request(ErrorCode::InvalidPath, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(ErrorCode::InvalidQuery, rejection.body_text())
    }
}

/// A JSON request body. `Content-Type` must be JSON (415 otherwise); a body over the
/// route's limit is 413; malformed JSON and unknown fields are 400; a well-formed body with a missing or mistyped field is 422
/// `validation_failed` naming the field.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"));
        if !json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send the body as `Content-Type: application/json`.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        rejection.status(),
                        ErrorCode::PayloadTooLarge,
                        "The request body is larger than this address accepts.",
                    )
                } else {
                    ApiError::bad_request(
                        ErrorCode::UnreadableBody,
                        "The request body could not be read.",
                    )
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads a JSON document with the same errors as [`ApiJson`] (for JSON inside another
/// body, such as the `request` part of a multipart form).
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| json_error(&e))
        .and_then(|v| de.end().map(|()| v).map_err(|e| invalid_json(&e)))
}

fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

fn invalid_json(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        ErrorCode::InvalidJson,
        format!(
            "The body is not valid JSON: {} (line {}, column {}).",
            without_position(e),
            e.line(),
            e.column()
        ),
    )
}

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    use serde_json::error::Category;
    let inner = e.inner();
    if matches!(
        inner.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        return invalid_json(inner);
    }
    let message = without_position(inner);
    let path = e.path().to_string();
    let at = |name: &str| match path.as_str() {
        "." => name.to_owned(),
        parent => format!("{parent}.{name}"),
    };
    let quoted = |text: &str| text.split('`').nth(1).map(str::to_owned);
    if message.starts_with("unknown field") {
        // The path already ends in the unknown key.
        let field = match path.as_str() {
            "." => quoted(&message).unwrap_or_default(),
            _ => path.clone(),
        };
        return ApiError::bad_request(
            ErrorCode::UnknownField,
            format!("`{field}` is not a field of this request."),
        );
    }
    let field = if message.starts_with("missing field") {
        quoted(&message).map_or(path.clone(), |name| at(&name))
    } else if path == "." {
        "body".to_owned()
    } else {
        path
    };
    ApiError::validation(vec![FieldError::new(field, message)])
}

pub const DEFAULT_PER_PAGE: u32 = 10;
pub const MAX_PER_PAGE: u32 = 100;

/// A validated `page`/`per_page` pair: pages from 1, 1-100 per page (default 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub per_page: u32,
}

impl Paging {
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Result<Paging, ApiError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                "`page` starts at 1.",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidQuery,
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}."),
            ));
        }
        Ok(Paging { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.per_page)
    }
}

/// A raw body taken as `Result<Bytes, BytesRejection>` (the routes that check a signature on
/// the exact bytes): 413 over `limit`, 400 when it cannot be read.
pub fn raw_body(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("The body is larger than the {limit} byte limit."),
            )
        }
        _ => ApiError::bad_request(
            ErrorCode::UnreadableBody,
            "The request body could not be read.",
        ),
    })
}
