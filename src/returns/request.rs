//! A return request as the customer sends it, and the checks that need no database:
//! known reasons and resolutions, sane quantities and texts, acceptable photos. Every
//! problem names the field it is about, so a form can show it next to that field.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{Reason, Resolution};
use crate::photos;
use crate::validation::FieldError;

pub const MAX_ITEMS: usize = 100;
pub const MAX_REASON_TEXT: usize = 500;
pub const MAX_COMMENT: usize = 2000;

/// `POST .../returns` body (or the `request` part of a multipart body).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub items: Vec<RequestedItem>,
    /// `refund`, `exchange` or `store_credit`.
    pub resolution: String,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestedItem {
    pub line_item_id: u64,
    pub quantity: i64,
    /// `damaged`, `wrong_item`, `not_as_described`, `too_small`, `too_large`,
    /// `changed_mind` or `other` (which needs `reason_text`).
    pub reason: String,
    #[serde(default)]
    pub reason_text: Option<String>,
}

/// A request that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct Checked {
    pub items: Vec<CheckedItem>,
    pub resolution: Resolution,
    pub comment: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CheckedItem {
    pub line_item_id: u64,
    pub quantity: i64,
    pub reason: Reason,
    pub reason_text: Option<String>,
}

/// Trimmed, with empty meaning absent.
fn text(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn known<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter()
        .map(|&v| format!("`{}`", name(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks `request` and its photos; every problem found, not just the first.
pub fn check(request: &ReturnRequest, photos: &[&[u8]]) -> Result<Checked, Vec<FieldError>> {
    let mut problems = Vec::new();
    if request.items.is_empty() {
        problems.push(FieldError::new(
            "items",
            "Choose at least one item to return.",
        ));
    }
    if request.items.len() > MAX_ITEMS {
        problems.push(FieldError::new(
            "items",
            format!("At most {MAX_ITEMS} items per return."),
        ));
    }
    let mut items = Vec::new();
    for (i, item) in request.items.iter().enumerate() {
        let field = |name: &str| format!("items[{i}].{name}");
        if request.items[..i]
            .iter()
            .any(|earlier| earlier.line_item_id == item.line_item_id)
        {
            problems.push(FieldError::new(
                field("line_item_id"),
                "This item is listed twice; give its total quantity once.",
            ));
        }
        if item.quantity < 1 {
            problems.push(FieldError::new(
                field("quantity"),
                "Return at least one unit.",
            ));
        }
        let reason = Reason::parse(&item.reason);
        if reason.is_none() {
            problems.push(FieldError::new(
                field("reason"),
                format!("Choose one of {}.", known(&Reason::ALL, Reason::as_str)),
            ));
        }
        let reason_text = text(&item.reason_text);
        if reason == Some(Reason::Other) && reason_text.is_none() {
            problems.push(FieldError::new(
                field("reason_text"),
                "Tell us in a few words why you return this item.",
            ));
        }
        if reason_text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_REASON_TEXT)
        {
            problems.push(FieldError::new(
                field("reason_text"),
                format!("At most {MAX_REASON_TEXT} characters."),
            ));
        }
        if let Some(reason) = reason {
            items.push(CheckedItem {
                line_item_id: item.line_item_id,
                quantity: item.quantity,
                reason,
                reason_text,
            });
        }
    }
    let resolution = Resolution::parse(&request.resolution);
    if resolution.is_none() {
        problems.push(FieldError::new(
            "resolution",
            format!(
                "Choose one of {}.",
                known(&Resolution::ALL, Resolution::as_str)
            ),
        ));
    }
    let comment = text(&request.comment);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT)
    {
        problems.push(FieldError::new(
            "comment",
            format!("At most {MAX_COMMENT} characters."),
        ));
    }
    problems.extend(photos::check_all(photos));
    match resolution {
        Some(resolution) if problems.is_empty() => Ok(Checked {
            items,
            resolution,
            comment,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> ReturnRequest {
        serde_json::from_value(json).unwrap()
    }

    fn fields(problems: &[FieldError]) -> Vec<&str> {
        problems.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn a_good_request_passes_with_its_texts_trimmed() {
        let r = request(serde_json::json!({
            "items": [{"line_item_id": 2, "quantity": 1, "reason": "other", "reason_text": "  zipper broke  "}],
            "resolution": "exchange", "comment": "   "
        }));
        let checked = check(&r, &[b"\xFF\xD8\xFF\xE0"]).unwrap();
        assert_eq!(checked.resolution, Resolution::Exchange);
        assert_eq!(checked.comment, None);
        assert_eq!(
            checked.items[0].reason_text.as_deref(),
            Some("zipper broke")
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let r = request(serde_json::json!({
            "items": [
                {"line_item_id": 2, "quantity": 0, "reason": "bored"},
                {"line_item_id": 2, "quantity": 1, "reason": "other"},
                {"line_item_id": 3, "quantity": 1, "reason": "damaged", "reason_text": "x".repeat(501)}
            ],
            "resolution": "money back",
            "comment": "y".repeat(2001)
        }));
        let php: &[u8] = b"<?php echo 1;";
        let problems = check(&r, &[php, b"\x89PNG\r\n\x1a\n", php, php]).unwrap_err();
        assert_eq!(
            fields(&problems),
            [
                "items[0].quantity",
                "items[0].reason",
                "items[1].line_item_id",
                "items[1].reason_text",
                "items[2].reason_text",
                "resolution",
                "comment",
                "photos",
                "photos[0]",
                "photos[2]",
                "photos[3]",
            ]
        );
        assert!(problems[1].message.contains("`changed_mind`"));
        let empty = request(serde_json::json!({"items": [], "resolution": "refund"}));
        assert_eq!(fields(&check(&empty, &[]).unwrap_err()), ["items"]);
    }
}
