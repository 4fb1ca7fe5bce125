//! The follow-up flag: an unhappy answer (NPS 0-6, CSAT 1-2) sets `surveys.follow_up`,
//! which the support domain turns into a request flagged for follow-up: it lists the open
//! ones with [`open`] and links the request it opened with [`opened`]. A flag stays once a
//! request was opened for it, even if the customer changes the answer.

use jiff::Timestamp;
use rusqlite::Connection;

use super::model::{Kind, Source, Topic};
use super::store;
use crate::ids::{OrderId, StoreId, SurveyId};
use crate::store::StoreError;
use crate::time;

/// An unhappy answer no request was opened for yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub survey_id: SurveyId,
    pub order_id: OrderId,
    pub kind: Kind,
    pub source: Source,
    /// The return or request the survey followed; 0 for a delivery.
    pub subject: u64,
    pub score: i64,
    pub topic: Option<Topic>,
    pub comment: Option<String>,
    /// When the customer last answered.
    pub answered_at: String,
}

/// The store's open follow-ups, oldest answer first.
pub fn open(conn: &Connection, store_id: &StoreId) -> Result<Vec<FollowUp>, StoreError> {
    Ok(store::open_follow_ups(conn, store_id)?
        .into_iter()
        .filter_map(|r| {
            Some(FollowUp {
                survey_id: r.id,
                order_id: r.order_id,
                kind: r.kind,
                source: r.source,
                subject: r.subject,
                score: r.score?,
                topic: r.topic,
                comment: r.comment,
                answered_at: r.changed_at?,
            })
        })
        .collect())
}

/// Records that support opened `request_id` for the survey's follow-up; false when the
/// survey is not flagged or already has a request.
pub fn opened(
    conn: &Connection,
    store_id: &StoreId,
    survey: SurveyId,
    request_id: u64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    store::follow_up_opened(conn, store_id, survey, request_id, &time::millis(now))
}
