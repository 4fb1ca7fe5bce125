//! Every error code the service answers with, written once. The strings are part of the
//! interface contract: clients branch on them, so a code never changes once shipped.

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// The stable snake_case `error.code` of an error response.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            #[cfg(test)]
            const ALL: &[ErrorCode] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    // Any request.
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    InternalError = "internal_error",
    StorageUnavailable = "storage_unavailable",
    NotReady = "not_ready",
    // Reading the request.
    InvalidPath = "invalid_path",
    InvalidQuery = "invalid_query",
    InvalidJson = "invalid_json",
    UnknownField = "unknown_field",
    UnreadableBody = "unreadable_body",
    UnsupportedMediaType = "unsupported_media_type",
    PayloadTooLarge = "payload_too_large",
    InvalidMultipart = "invalid_multipart",
    UnknownPart = "unknown_part",
    ValidationFailed = "validation_failed",
    // Who is asking.
    MissingApiKey = "missing_api_key",
    InvalidApiKey = "invalid_api_key",
    TooManyAttempts = "too_many_attempts",
    UnknownStore = "unknown_store",
    // Webhook deliveries.
    MissingSignature = "missing_signature",
    InvalidSignature = "invalid_signature",
    MissingTopic = "missing_topic",
    InvalidUtf8 = "invalid_utf8",
    InvalidPayload = "invalid_payload",
    // Tracking provider pushes.
    FeedNotConfigured = "feed_not_configured",
    // Orders and their documents.
    OrderNotFound = "order_not_found",
    InvoiceNotFound = "invoice_not_found",
    DocumentNotFound = "document_not_found",
    DocumentUnavailable = "document_unavailable",
    InvalidLink = "invalid_link",
    LinkExpired = "link_expired",
    // Returns.
    ReturnNotFound = "return_not_found",
    InvalidTransition = "invalid_transition",
    PhotoNotFound = "photo_not_found",
    PhotoUnavailable = "photo_unavailable",
    // Support requests.
    RequestNotFound = "request_not_found",
    // Messages.
    /// The message already reached a final state.
    Conflict = "conflict",
    // Tracking.
    ShipmentNotFound = "shipment_not_found",
    ShipmentExists = "shipment_exists",
    // Answers and guides.
    AnswerNotFound = "answer_not_found",
    GuideNotFound = "guide_not_found",
    // Insights.
    ChartNotFound = "chart_not_found",
    TableNotFound = "table_not_found",
    // Signed events.
    DeliveryNotFound = "delivery_not_found",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is written twice");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{text} is not snake_case"
            );
        }
    }
}
