//! The one error shape every endpoint answers with:
//! `{"error": {"code": "snake_case_code", "message": "human sentence"}}`, plus, for 422
//! `validation_failed`, `"fields": [{"field": "items[0].quantity", "message": "..."}]`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds after which a rate-limited client may try again.
    pub retry_after: Option<u64>,
    /// Which request fields are invalid and why (422 `validation_failed`).
    pub fields: Vec<FieldError>,
}

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path into the body, e.g. `items[0].quantity`.
    pub field: String,
    pub message: String,
    /// A stable snake_case code for the refusal, where there is one (e.g. `window_closed`),
    /// so clients can word it in the customer's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            reason: None,
        }
    }

    pub fn because(mut self, reason: Option<&'static str>) -> Self {
        self.reason = reason;
        self
    }
}

/// `{"error": {"code", "message"}}`, the body of every error response.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// A stable snake_case code, e.g. `order_not_found`.
    code: &'a str,
    /// A sentence for people.
    message: &'a str,
    /// Present on 422 `validation_failed`: every invalid field.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
            fields: Vec::new(),
        }
    }

    /// 422 `validation_failed` listing every invalid field.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let names: Vec<String> = fields.iter().map(|f| format!("`{}`", f.field)).collect();
        let message = match names.len() {
            1 => format!("The request is not valid: {} is invalid.", names[0]),
            _ => format!(
                "The request is not valid: {} are invalid.",
                names.join(", ")
            ),
        };
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            message,
        );
        error.fields = fields;
        error
    }

    pub fn too_many_requests(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", message);
        error.retry_after = Some(retry_after.as_secs().max(1));
        error
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        // The cause goes to the log; the client learns only that storage failed.
        tracing::error!(%error, "storage error");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "The database could not complete the request; try again shortly.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                fields: &self.fields,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
