//! What a customer asks about: the six request topics. Shared by the FAQ (an entry may
//! apply to some topics) and by support requests (a request has one).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the customer asks about (a closed list: the form offers exactly these).
// Stored and sent by its snake_case name; ordered as listed, so reports count topics in this
// order. One type for the FAQ and support requests, one `RequestTopic` in the API document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = RequestTopic)]
pub enum Topic {
    WhereIsMyOrder,
    DamagedOrWrongItem,
    InvoiceAndBilling,
    ReturnOrExchange,
    HowToUse,
    SomethingElse,
}

impl Topic {
    pub const ALL: [Topic; 6] = [
        Topic::WhereIsMyOrder,
        Topic::DamagedOrWrongItem,
        Topic::InvoiceAndBilling,
        Topic::ReturnOrExchange,
        Topic::HowToUse,
        Topic::SomethingElse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::WhereIsMyOrder => "where_is_my_order",
            Topic::DamagedOrWrongItem => "damaged_or_wrong_item",
            Topic::InvoiceAndBilling => "invoice_and_billing",
            Topic::ReturnOrExchange => "return_or_exchange",
            Topic::HowToUse => "how_to_use",
            Topic::SomethingElse => "something_else",
        }
    }

    pub fn parse(text: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// `` `a`, `b` `` for messages that list what is accepted.
    pub fn known() -> String {
        Topic::ALL
            .iter()
            .map(|t| format!("`{}`", t.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), t);
        }
        assert_eq!(Topic::parse("shipping"), None);
    }
}
