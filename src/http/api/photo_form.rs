//! A body that may carry photos (a return request, a support request): JSON, or a
//! multipart form with the JSON in a part named `request` and the photos beside it.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::http::error::{ApiError, ErrorCode};
use crate::http::extract::{ApiJson, parse_json};
use crate::photos;
use crate::validation::FieldError;

/// Largest body with photos: three photos of 5 MB and the form around them.
pub const MAX_BODY_BYTES: usize = photos::MAX_PHOTOS * photos::MAX_PHOTO_BYTES + 1024 * 1024;

/// JSON, or `multipart/form-data` with the JSON in a part named `request` and up to
/// three images in parts named `photos` (or `photos[]`). The photos are checked by the
/// domain (`crate::photos::check_all`), so every refusal is reported together.
pub struct PhotoForm<T> {
    pub request: T,
    pub photos: Vec<axum::body::Bytes>,
}

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for PhotoForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            let ApiJson(request) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(PhotoForm {
                request,
                photos: Vec::new(),
            });
        }
        // The whole body is read before any part is looked at. Refusing a bad first part
        // while the client is still sending the photos behind it would close the
        // connection mid-upload, and the client would see a broken pipe, not the error.
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| match rejection {
                BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                    too_large()
                }
                _ => ApiError::bad_request(
                    ErrorCode::UnreadableBody,
                    "The request body could not be read.",
                ),
            })?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let mut form = Multipart::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request(ErrorCode::InvalidMultipart, e.body_text()))?;
        let mut request = None;
        let mut photos = Vec::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            match name.as_str() {
                "request" => request = Some(parse_json::<T>(&bytes)?),
                "photos" | "photos[]" => photos.push(bytes),
                other => {
                    return Err(ApiError::bad_request(
                        ErrorCode::UnknownPart,
                        format!(
                            "`{other}` is not a part of this form; send `request` and `photos`."
                        ),
                    ));
                }
            }
        }
        let request = request.ok_or_else(|| {
            ApiError::validation(vec![FieldError::new(
                "request",
                "The form needs a `request` part with the request as JSON.",
            )])
        })?;
        Ok(PhotoForm { request, photos })
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::bad_request(ErrorCode::InvalidMultipart, e.body_text())
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!(
            "The request is larger than {} MB: attach at most {} photos of at most {} MB each.",
            MAX_BODY_BYTES / (1024 * 1024),
            photos::MAX_PHOTOS,
            photos::MAX_PHOTO_BYTES / (1024 * 1024)
        ),
    )
}

/// A stored customer photo (of a return or a support request) as it was uploaded, under
/// headers that keep a browser from treating it as anything but that image. `owner`
/// (`return`, `request`), `id` and `position` name it in the log if the file is gone.
pub async fn stored_photo(
    data_dir: &Path,
    path: &str,
    content_type: &str,
    owner: &'static str,
    id: i64,
    position: i64,
) -> Result<Response, ApiError> {
    let bytes = tokio::fs::read(data_dir.join(path)).await.map_err(|e| {
        tracing::error!(error = %e, owner, id, position, "a stored photo is missing");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::PhotoUnavailable,
            "The stored photo could not be read.",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CACHE_CONTROL, "private, max-age=86400".to_owned()),
            // Uploaded by a customer: never let a browser treat it as anything else.
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}
