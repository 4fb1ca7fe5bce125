//! What customers and staff send, and the checks that need no database: a known topic,
//! a message that is neither empty nor too long, acceptable photos, a named author. Every
//! problem names its field, so a form can show it beside that field.
//!
//! Messages are plain text and are stored exactly as written (markup included): whatever
//! shows them escapes them (the e-mail templates do; the plugin must too).

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::Topic;
use crate::photos;
use crate::validation::FieldError;

/// Longest message, in characters.
pub const MAX_BODY: usize = 5000;
/// Longest staff name or assignee.
pub const MAX_NAME: usize = 100;

/// `POST .../requests` body (or the `request` part of a multipart body).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRequest {
    /// `where_is_my_order`, `damaged_or_wrong_item`, `invoice_and_billing`,
    /// `return_or_exchange`, `how_to_use` or `something_else`.
    pub topic: String,
    /// The line item of the order the question is about, if any.
    #[serde(default)]
    pub line_item_id: Option<u64>,
    /// The customer's message (plain text, 1-5000 characters).
    pub body: String,
}

/// `POST .../requests/{id}/messages` body: the customer's reply.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerMessage {
    /// Plain text, 1-5000 characters.
    pub body: String,
}

/// `POST /api/v1/requests/{id}/replies` body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffReply {
    /// Plain text, 1-5000 characters.
    pub body: String,
    /// `true`: a note only staff see (no message to the customer, not a response).
    #[serde(default)]
    pub internal: bool,
    /// Who at the shop writes it (shown to the customer with a public reply).
    pub author: String,
}

/// An opening that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct Checked {
    pub topic: Topic,
    pub line_item_id: Option<u64>,
    pub body: String,
}

/// The message text, trimmed at its ends; a refusal on `field` when empty, too long or
/// carrying control characters other than line breaks and tabs.
pub fn body(text: &str, field: &str) -> Result<String, FieldError> {
    let body = text.trim();
    if body.is_empty() {
        return Err(FieldError::new(field, "Write a message.").because("empty"));
    }
    if body.chars().count() > MAX_BODY {
        return Err(
            FieldError::new(field, format!("At most {MAX_BODY} characters.")).because("too_long"),
        );
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(
            FieldError::new(field, "The message contains control characters.")
                .because("control_characters"),
        );
    }
    Ok(body.to_owned())
}

/// A staff name or assignee: trimmed, 1-100 characters.
pub fn name(text: &str, field: &str) -> Result<String, FieldError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            format!("Give a name of 1 to {MAX_NAME} characters."),
        ));
    }
    Ok(name.to_owned())
}

/// Checks an opening and its photos; every problem found, not just the first.
pub fn check(request: &OpenRequest, photos: &[&[u8]]) -> Result<Checked, Vec<FieldError>> {
    let mut problems = Vec::new();
    let topic = Topic::parse(request.topic.trim());
    if topic.is_none() {
        problems.push(
            FieldError::new("topic", format!("Choose one of {}.", Topic::known()))
                .because("unknown_topic"),
        );
    }
    let body = body(&request.body, "body")
        .map_err(|e| problems.push(e))
        .ok();
    problems.extend(photos::check_all(photos));
    match (topic, body) {
        (Some(topic), Some(body)) if problems.is_empty() => Ok(Checked {
            topic,
            line_item_id: request.line_item_id,
            body,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(json: serde_json::Value) -> OpenRequest {
        serde_json::from_value(json).unwrap()
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn a_good_opening_passes_with_its_text_as_written() {
        let r = open(serde_json::json!({
            "topic": "damaged_or_wrong_item", "line_item_id": 7,
            "body": "  The lid <b>cracked</b>.\nSee photo.  "
        }));
        let checked = check(&r, &[b"\xFF\xD8\xFF\xE0"]).unwrap();
        assert_eq!(checked.topic, Topic::DamagedOrWrongItem);
        assert_eq!(checked.line_item_id, Some(7));
        assert_eq!(checked.body, "The lid <b>cracked</b>.\nSee photo.");
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let r = open(serde_json::json!({"topic": "refund_now", "body": "   "}));
        let php: &[u8] = b"<?php echo 1;";
        let problems = check(&r, &[php]).unwrap_err();
        assert_eq!(fields(&problems), ["topic", "body", "photos[0]"]);
        assert_eq!(problems[0].reason, Some("unknown_topic"));
        assert!(problems[0].message.contains("`how_to_use`"));
        let long = open(serde_json::json!({"topic": "how_to_use", "body": "x".repeat(5001)}));
        assert_eq!(check(&long, &[]).unwrap_err()[0].reason, Some("too_long"));
        let exact = open(serde_json::json!({"topic": "how_to_use", "body": "é".repeat(5000)}));
        assert!(check(&exact, &[]).is_ok());
        assert_eq!(
            body("a\u{0}b", "body").unwrap_err().reason,
            Some("control_characters")
        );
        assert!(name("  ", "author").is_err());
        assert_eq!(name(" Jane ", "author").unwrap(), "Jane");
    }
}
