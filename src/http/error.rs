//! The one error shape every endpoint answers with:
//! `{"error": {"code": "snake_case_code", "message": "human sentence"}}`, plus, for 422
//! `validation_failed`, `"fields": [{"field": "items[0].quantity", "message": "..."}]`.
//!
//! Each domain's error enum becomes an `ApiError` here, once.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub use super::code::ErrorCode;
use crate::invoice::served::DocumentError;
use crate::returns::ReturnError;
use crate::shop::profile::ProfileError;
use crate::signed_events::staff::EventsError;
use crate::store::StoreError;
use crate::support::SupportError;
use crate::tracking::staff::StaffError;
use crate::validation::FieldError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    /// Seconds after which a rate-limited client may try again.
    pub retry_after: Option<u64>,
    /// Which request fields are invalid and why (422 `validation_failed`).
    pub fields: Vec<FieldError>,
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
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
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
            ErrorCode::ValidationFailed,
            message,
        );
        error.fields = fields;
        error
    }

    pub fn too_many_requests(message: impl Into<String>, retry_after: std::time::Duration) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            message,
        );
        error.retry_after = Some(retry_after.as_secs().max(1));
        error
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// No such order, or not one the caller may see: the two answer alike.
    pub fn order_not_found() -> Self {
        Self::not_found(ErrorCode::OrderNotFound, "No such order.")
    }

    pub fn return_not_found() -> Self {
        Self::not_found(ErrorCode::ReturnNotFound, "No such return.")
    }

    pub fn request_not_found() -> Self {
        Self::not_found(ErrorCode::RequestNotFound, "No such request.")
    }

    pub fn unknown_store() -> Self {
        Self::not_found(
            ErrorCode::UnknownStore,
            "No store with this id is configured.",
        )
    }

    /// The service could not do its part; the cause is in the log, never in the answer.
    fn storage_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StorageUnavailable,
            "The database could not complete the request; try again shortly.",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "storage error");
        Self::storage_unavailable()
    }
}

impl From<ReturnError> for ApiError {
    fn from(error: ReturnError) -> Self {
        match error {
            ReturnError::OrderNotFound => Self::order_not_found(),
            ReturnError::NotFound => Self::return_not_found(),
            ReturnError::Refused(fields) => Self::validation(fields),
            ReturnError::InvalidTransition { from, to, allowed } => {
                let allowed: Vec<String> = allowed
                    .iter()
                    .map(|s| format!("`{}`", s.as_str()))
                    .collect();
                let next = if allowed.is_empty() {
                    "it is final".to_owned()
                } else {
                    format!("from there it can go to {}", allowed.join(", "))
                };
                Self::new(
                    StatusCode::CONFLICT,
                    ErrorCode::InvalidTransition,
                    format!(
                        "The return is `{}`, and {next}; `{}` is not possible.",
                        from.as_str(),
                        to.as_str()
                    ),
                )
            }
            ReturnError::Photo(error) => {
                tracing::error!(%error, "storing a return photo failed");
                Self::storage_unavailable()
            }
            ReturnError::Store(error) => error.into(),
        }
    }
}

impl From<SupportError> for ApiError {
    fn from(error: SupportError) -> Self {
        match error {
            SupportError::OrderNotFound => Self::order_not_found(),
            SupportError::NotFound => Self::request_not_found(),
            SupportError::Refused(fields) => Self::validation(fields),
            SupportError::InvalidTransition { from, to } => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidTransition,
                format!(
                    "The request is `{}`; it cannot go to `{}` from there.",
                    from.as_str(),
                    to.as_str()
                ),
            ),
            SupportError::Photo(error) => {
                tracing::error!(%error, "storing a support photo failed");
                Self::storage_unavailable()
            }
            SupportError::Store(error) => error.into(),
        }
    }
}

impl From<DocumentError> for ApiError {
    fn from(error: DocumentError) -> Self {
        match error {
            DocumentError::OrderNotFound => Self::order_not_found(),
            DocumentError::NoInvoice => Self::not_found(
                ErrorCode::InvoiceNotFound,
                "This order has no invoice yet; it is issued once the order is paid.",
            ),
            DocumentError::NotFound => Self::not_found(
                ErrorCode::DocumentNotFound,
                "This order has no such document.",
            ),
            DocumentError::InvalidLink => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InvalidLink,
                "This download link is not valid. Ask the shop for a new one.",
            ),
            DocumentError::LinkExpired => Self::new(
                StatusCode::GONE,
                ErrorCode::LinkExpired,
                "This download link has expired. Open your order again for a fresh link.",
            ),
            DocumentError::Unreadable { id, number, source } => {
                tracing::error!(error = %source, document = id, number = %number, "archived document is missing");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::DocumentUnavailable,
                    "The archived document could not be read.",
                )
            }
            DocumentError::Store(e) => e.into(),
        }
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        match error {
            StaffError::OrderNotFound => Self::order_not_found(),
            StaffError::ShipmentNotFound => {
                Self::not_found(ErrorCode::ShipmentNotFound, "No such shipment.")
            }
            StaffError::Invalid(fields) => Self::validation(fields),
            StaffError::DuplicateNumber { shipment_id } => {
                let mut e = Self::new(
                    StatusCode::CONFLICT,
                    ErrorCode::ShipmentExists,
                    format!(
                        "The order already has a parcel with this tracking number (shipment {shipment_id}); post its events to /api/v1/shipments/{shipment_id}/events."
                    ),
                );
                e.fields = vec![FieldError::new(
                    "tracking_number",
                    "is already a parcel of this order",
                )];
                e
            }
            StaffError::Store(e) => e.into(),
        }
    }
}

impl From<ProfileError> for ApiError {
    fn from(error: ProfileError) -> Self {
        match error {
            ProfileError::Invalid(fields) => Self::validation(fields),
            ProfileError::Store(e) => e.into(),
        }
    }
}

impl From<EventsError> for ApiError {
    fn from(error: EventsError) -> Self {
        match error {
            EventsError::NotFound => {
                Self::not_found(ErrorCode::DeliveryNotFound, "No such delivery.")
            }
            EventsError::NotFailed(state) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidTransition,
                format!(
                    "The delivery is `{}`; only a failed delivery can be sent again.",
                    state.as_str()
                ),
            ),
            EventsError::Invalid(fields) => Self::validation(fields),
            EventsError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str(),
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

/// Error responses that many operations share, declared once for the OpenAPI document.
/// Use them in `#[utoipa::path(responses(...))]` beside the operation's own tuples.
pub mod responses {
    use super::*;

    /// An error response with the standard body.
    fn error(status: &str, description: &str) -> (String, RefOr<utoipa::openapi::Response>) {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let response = ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build();
        (status.to_owned(), RefOr::T(response))
    }

    /// 401: every `/api/v1` operation needs the store's API key.
    pub struct KeyRequired;

    impl utoipa::IntoResponses for KeyRequired {
        fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
            BTreeMap::from([error("401", "Missing or wrong API key")])
        }
    }

    /// 413: a return or support request with more or larger photos than allowed.
    pub struct PhotosTooLarge;

    impl utoipa::IntoResponses for PhotosTooLarge {
        fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
            BTreeMap::from([error("413", "Larger than three photos of 5 MB")])
        }
    }

    /// 429: guest look-ups are rate limited per client.
    pub struct GuestLimited;

    impl utoipa::IntoResponses for GuestLimited {
        fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
            BTreeMap::from([error("429", "Too many failed look-ups from this client")])
        }
    }
}
