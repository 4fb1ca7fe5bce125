//! An FAQ entry as staff see it, with its deflection figures.

use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Entry, When};
use super::store::Deflection;

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerView {
    pub id: i64,
    pub question: String,
    /// Sanitised HTML as stored, placeholders unfilled.
    pub answer: String,
    pub lang: String,
    pub when: When,
    pub created_at: String,
    pub updated_at: String,
    /// Times shown: once per order and UTC day it appeared for.
    pub shown: i64,
    /// Distinct orders it was shown for.
    pub orders: i64,
    /// Of those orders, how many opened a support request within seven days after first
    /// seeing it.
    pub followed_by_request: i64,
}

impl AnswerView {
    pub fn new(e: Entry, d: Deflection) -> Self {
        AnswerView {
            id: e.id,
            question: e.question,
            answer: e.answer,
            lang: e.lang.code().to_owned(),
            when: e.when,
            created_at: e.created_at,
            updated_at: e.updated_at,
            shown: d.shown,
            orders: d.orders,
            followed_by_request: d.followed_by_request,
        }
    }
}
