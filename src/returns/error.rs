//! Why a return could not be requested or moved.

use super::model::Status;
use super::photos::PhotoError;
use crate::store::StoreError;
use crate::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    /// No such order, or not one the caller may see.
    #[error("no such order")]
    OrderNotFound,
    /// No such return, or not one the caller may see.
    #[error("no such return")]
    NotFound,
    /// Refused: every reason, by field. Nothing was written.
    #[error("the return request was refused")]
    Refused(Vec<FieldError>),
    /// Not a move this actor may make from the return's state.
    #[error("a return cannot move from {} to {}", from.as_str(), to.as_str())]
    InvalidTransition {
        from: Status,
        to: Status,
        allowed: &'static [Status],
    },
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReturnError {
    /// Splits a result from inside a writer transaction: a refusal wrote nothing and is
    /// the caller's answer, a storage failure rolls the transaction back.
    pub(super) fn in_transaction<T>(
        result: Result<T, ReturnError>,
    ) -> Result<Result<T, ReturnError>, StoreError> {
        match result {
            Err(ReturnError::Store(e)) => Err(e),
            other => Ok(other),
        }
    }
}
