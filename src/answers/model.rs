//! An FAQ entry as staff write it and as it is stored: question, sanitised answer,
//! language, and when it applies. Validation lists every bad field at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::placeholders;
use super::sanitize;
use super::topic::Topic;
use crate::tracking::i18n::Lang;
use crate::tracking::status::DeliveryState;
use crate::validation::FieldError;

/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 300;
/// Longest answer as sent, in bytes (before sanitising).
pub const MAX_ANSWER_BYTES: usize = 20_000;
/// Most values in one condition list.
pub const MAX_CONDITION_VALUES: usize = 50;

/// The WooCommerce order statuses an entry may name.
pub const ORDER_STATUSES: [&str; 7] = [
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
];

/// An FAQ entry as sent (`POST /api/v1/answers`, `PUT /api/v1/answers/{id}`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// Plain text, up to 300 characters; may use `{placeholders}`.
    pub question: String,
    /// Rich text (HTML): `p br strong em ul ol li h3 h4` and `a href` (http, https, mailto,
    /// or a URL placeholder). Anything else is removed; `javascript:` links are refused.
    pub answer: String,
    /// `en` or `ko`.
    pub lang: String,
    #[serde(default)]
    pub when: When,
}

/// When an entry applies. Each list left empty applies to any value; a filled list must
/// contain the order's value.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// WooCommerce statuses: `pending processing on-hold completed cancelled refunded failed`.
    #[serde(default)]
    pub order_statuses: Vec<String>,
    /// The order view's `delivery_state`: `unfulfilled partially_shipped shipped
    /// out_for_delivery delivered exception`.
    #[serde(default)]
    pub delivery_states: Vec<String>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// WooCommerce product or variation ids; any line item of the order matches.
    #[serde(default)]
    pub product_ids: Vec<u64>,
}

impl When {
    /// How many conditions are set: the more, the more specific the entry.
    pub fn specificity(&self) -> usize {
        [
            !self.order_statuses.is_empty(),
            !self.delivery_states.is_empty(),
            !self.topics.is_empty(),
            !self.product_ids.is_empty(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }
}

/// A valid entry, ready to store.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub question: String,
    /// Sanitised HTML.
    pub answer: String,
    pub lang: Lang,
    pub when: When,
}

impl AnswerRequest {
    /// The entry to store, or every field that is wrong.
    pub fn validate(self) -> Result<NewAnswer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let question = self.question.trim().to_owned();
        if question.is_empty() {
            errors.push(FieldError::new("question", "must not be empty"));
        } else if question.chars().count() > MAX_QUESTION_CHARS {
            errors.push(FieldError::new(
                "question",
                format!("must be at most {MAX_QUESTION_CHARS} characters"),
            ));
        } else if question.chars().any(|c| c.is_control()) {
            errors.push(FieldError::new(
                "question",
                "must be one line of plain text",
            ));
        }
        for name in placeholders::unknown(&question) {
            errors.push(FieldError::new(
                "question",
                format!("`{{{name}}}` is not a known placeholder"),
            ));
        }
        let mut answer = String::new();
        if self.answer.len() > MAX_ANSWER_BYTES {
            errors.push(FieldError::new(
                "answer",
                format!("must be at most {MAX_ANSWER_BYTES} bytes"),
            ));
        } else if sanitize::has_unsafe_link(&self.answer) {
            errors.push(FieldError::new(
                "answer",
                "links must be http, https or mailto addresses",
            ));
        } else {
            for name in placeholders::unknown(&self.answer) {
                errors.push(FieldError::new(
                    "answer",
                    format!("`{{{name}}}` is not a known placeholder"),
                ));
            }
            answer = sanitize::clean(&self.answer);
            if answer.trim().is_empty() {
                errors.push(FieldError::new(
                    "answer",
                    "must have some text once unsafe markup is removed",
                ));
            }
        }
        let lang = match self.lang.as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => {
                errors.push(FieldError::new("lang", "must be `en` or `ko`"));
                None
            }
        };
        let w = &self.when;
        for (name, len) in [
            ("when.order_statuses", w.order_statuses.len()),
            ("when.delivery_states", w.delivery_states.len()),
            ("when.topics", w.topics.len()),
            ("when.product_ids", w.product_ids.len()),
        ] {
            if len > MAX_CONDITION_VALUES {
                errors.push(FieldError::new(
                    name,
                    format!("may list at most {MAX_CONDITION_VALUES} values"),
                ));
            }
        }
        for (i, s) in w.order_statuses.iter().enumerate() {
            if !ORDER_STATUSES.contains(&s.as_str()) {
                errors.push(FieldError::new(
                    format!("when.order_statuses[{i}]"),
                    format!("must be one of {}", ORDER_STATUSES.join(", ")),
                ));
            }
        }
        for (i, s) in w.delivery_states.iter().enumerate() {
            if DeliveryState::parse(s).is_none() {
                errors.push(FieldError::new(
                    format!("when.delivery_states[{i}]"),
                    "must be one of unfulfilled, partially_shipped, shipped, out_for_delivery, delivered, exception",
                ));
            }
        }
        for (i, id) in w.product_ids.iter().enumerate() {
            if *id == 0 || *id > i64::MAX as u64 {
                errors.push(FieldError::new(
                    format!("when.product_ids[{i}]"),
                    "must be a WooCommerce product or variation id",
                ));
            }
        }
        match lang {
            Some(lang) if errors.is_empty() => {
                let mut when = self.when;
                when.order_statuses.sort();
                when.order_statuses.dedup();
                when.delivery_states.sort();
                when.delivery_states.dedup();
                when.topics.dedup();
                when.product_ids.sort_unstable();
                when.product_ids.dedup();
                Ok(NewAnswer {
                    question,
                    answer,
                    lang,
                    when,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A stored entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub question: String,
    pub answer: String,
    pub lang: Lang,
    pub when: When,
    pub created_at: String,
    pub updated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(answer: &str) -> AnswerRequest {
        AnswerRequest {
            question: "Where is my parcel?".into(),
            answer: answer.into(),
            lang: "en".into(),
            when: When::default(),
        }
    }

    #[test]
    fn every_bad_field_is_listed() {
        let bad = AnswerRequest {
            question: " ".into(),
            answer: "<a href=\"javascript:alert(1)\">x</a>".into(),
            lang: "fr".into(),
            when: When {
                order_statuses: vec!["shipped".into()],
                delivery_states: vec!["lost".into()],
                topics: vec![],
                product_ids: vec![0],
            },
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [
                "question",
                "answer",
                "lang",
                "when.order_statuses[0]",
                "when.delivery_states[0]",
                "when.product_ids[0]"
            ]
        );
        let unknown = request("<p>By {tomorrow}</p>").validate().unwrap_err();
        assert_eq!(unknown[0].field, "answer");
        assert!(unknown[0].message.contains("{tomorrow}"));
        let too_long = request(&"a".repeat(MAX_ANSWER_BYTES + 1))
            .validate()
            .unwrap_err();
        assert_eq!(too_long[0].field, "answer");
        let only_script = request("<script>alert(1)</script>").validate().unwrap_err();
        assert_eq!(only_script[0].field, "answer");
    }

    #[test]
    fn a_valid_entry_is_sanitised() {
        let ok = request("<p onclick=\"x\">Due {eta}<script>bad()</script></p>")
            .validate()
            .unwrap();
        assert_eq!(ok.answer, "<p>Due {eta}</p>");
        assert_eq!(ok.lang, Lang::En);
    }
}
