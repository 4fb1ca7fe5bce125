//! What is wrong with a request, field by field. A leaf: domains report their refusals in
//! this vocabulary, and the HTTP edge lists them in the 422 `validation_failed` body.

use serde::Serialize;

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

    /// The same problem with its stable code.
    pub fn because(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }
}
