//! The error every settings builder returns: which setting, and what is wrong with it.
//! A leaf, so each domain validates its own settings without knowing the configuration.

/// A setting that is not valid, named as the user wrote it (`returns.window_days`,
/// `AFTERCARE_RETURN_WINDOW_DAYS`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
