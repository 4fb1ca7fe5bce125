//! `Authorization: Bearer <api key>`: the key says which store the caller speaks for.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::{ApiError, ErrorCode};

/// The store whose API key authenticated this request.
pub struct ApiStore(pub crate::ids::StoreId);

impl FromRequestParts<AppState> for ApiStore {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiError::unauthorized(
                ErrorCode::MissingApiKey,
                "Send the store's API key as `Authorization: Bearer <api key>`.",
            ));
        };
        let key = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        state.store_for_api_key(key).map(ApiStore).ok_or_else(|| {
            ApiError::unauthorized(ErrorCode::InvalidApiKey, "The API key is not valid.")
        })
    }
}

/// SHA-256 of a key, so that keys of any length compare in constant time.
pub fn key_digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}
