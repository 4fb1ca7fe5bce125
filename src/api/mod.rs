//! The REST API under `/api/v1` and the error type every endpoint shares.

pub mod error;

pub use error::ApiError;
