//! Why a support request could not be opened, answered or moved.

use super::model::Status;
use crate::photos::PhotoError;
use crate::store::StoreError;
use crate::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// No such order, or not one the caller may see.
    #[error("no such order")]
    OrderNotFound,
    /// No such request, or not one the caller may see.
    #[error("no such request")]
    NotFound,
    /// Refused: every reason, by field. Nothing was written.
    #[error("the request was refused")]
    Refused(Vec<FieldError>),
    /// Not a move the request's status allows.
    #[error("a request cannot go to {} from {}", to.as_str(), from.as_str())]
    InvalidTransition { from: Status, to: Status },
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SupportError {
    /// Splits a result from inside a writer transaction: a refusal wrote nothing and is
    /// the caller's answer, a storage failure rolls the transaction back.
    pub(super) fn in_transaction<T>(
        result: Result<T, SupportError>,
    ) -> Result<Result<T, SupportError>, StoreError> {
        match result {
            Err(SupportError::Store(e)) => Err(e),
            other => Ok(other),
        }
    }
}
