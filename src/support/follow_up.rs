//! Unhappy survey answers become support requests: each survey answer the surveys domain
//! flagged for follow-up (NPS 0-6, CSAT 1-2) opens one request on its order, flagged, with
//! a note saying the score; the survey links it so a changed answer never opens a second.
//! Runs in the transaction that records the answer.
//!
//! The opening is a staff-only note, not a customer message: the customer did not write to
//! support, so the request's first response and resolution times start only when the
//! customer writes in it (see `metrics`), and nobody is shown as waiting for an answer.

use jiff::Timestamp;
use rusqlite::Connection;

use super::model::{Author, Status, Topic};
use super::store::{self, Change, NewRequest};
use crate::ids::{RequestId, StoreId, SurveyId};
use crate::orders::store as orders;
use crate::store::StoreError;
use crate::surveys::follow_up::{self, FollowUp};
use crate::surveys::model::{Kind, Source, Topic as AnswerTopic};
use crate::time;

/// Who the opening note is from.
pub const AUTHOR: &str = "aftercare";

/// Opens a request for each of the store's flagged answers that has none yet (only
/// `survey`'s when given); answers the requests opened. An answer on an order no longer
/// visible waits (it stays flagged).
pub fn open_requests(
    conn: &Connection,
    store_id: &StoreId,
    survey: Option<SurveyId>,
    now: Timestamp,
) -> Result<Vec<RequestId>, StoreError> {
    let mut opened = Vec::new();
    let flagged = follow_up::open(conn, store_id)?;
    for f in flagged
        .into_iter()
        .filter(|f| survey.is_none_or(|s| s == f.survey_id))
    {
        let Some(found) = orders::find_visible(conn, store_id, f.order_id)? else {
            continue;
        };
        let stamp = time::millis(now);
        let id = store::insert(
            conn,
            &NewRequest {
                store_id,
                order_id: f.order_id,
                customer_id: found.customer_id,
                topic: topic_of(&f),
                line_item_id: None,
                product_id: None,
                item_name: None,
                now: &stamp,
            },
        )?;
        store::set_follow_up(conn, id, f.survey_id)?;
        store::add_message(conn, id, Author::Note, Some(AUTHOR), &note(&f), &stamp)?;
        store::record_change(
            conn,
            &Change {
                request: id,
                kind: "opened",
                to: Status::Open,
                actor: AUTHOR,
                actor_name: None,
                assignee: None,
                now: &stamp,
            },
        )?;
        follow_up::opened(conn, store_id, f.survey_id, id.get() as u64, now)?;
        opened.push(id);
    }
    Ok(opened)
}

/// [`open_requests`] as the survey page calls it after each recorded answer: for that
/// survey only, so answers flagged before requests were opened for them (an older version)
/// do not all arrive at once.
pub fn after_answer(
    conn: &Connection,
    store_id: &StoreId,
    survey: SurveyId,
    now: Timestamp,
) -> Result<(), StoreError> {
    open_requests(conn, store_id, Some(survey), now).map(drop)
}

/// The request topic closest to what the answer was about.
fn topic_of(f: &FollowUp) -> Topic {
    match (f.topic, f.source) {
        (Some(AnswerTopic::Delivery), _) => Topic::WhereIsMyOrder,
        (Some(AnswerTopic::Price), _) => Topic::InvoiceAndBilling,
        (Some(AnswerTopic::Product), _) => Topic::DamagedOrWrongItem,
        (None, Source::Return) => Topic::ReturnOrExchange,
        _ => Topic::SomethingElse,
    }
}

/// The opening note: the score, what it followed and was about, and the comment as written.
fn note(f: &FollowUp) -> String {
    let scale = match f.kind {
        Kind::Nps => format!("NPS {}/10", f.score),
        Kind::Csat => format!("CSAT {}/5", f.score),
    };
    let mut text = format!(
        "Opened automatically: an unhappy survey answer after {} ({scale}, {}).",
        f.source,
        f.kind.group(f.score)
    );
    if let Some(topic) = f.topic {
        text.push_str(&format!(" About: {topic}."));
    }
    match &f.comment {
        Some(comment) => text.push_str(&format!("\nThe customer wrote: {comment}")),
        None => text.push_str("\nNo comment."),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrderId;

    fn follow(kind: Kind, source: Source, score: i64, topic: Option<AnswerTopic>) -> FollowUp {
        FollowUp {
            survey_id: SurveyId::new(1),
            order_id: OrderId::new(7),
            kind,
            source,
            subject: 0,
            score,
            topic,
            comment: Some("Box was crushed".into()),
            answered_at: "t".into(),
        }
    }

    #[test]
    fn the_topic_follows_what_the_answer_was_about() {
        let d = |t| topic_of(&follow(Kind::Nps, Source::Delivery, 3, t));
        assert_eq!(d(Some(AnswerTopic::Delivery)), Topic::WhereIsMyOrder);
        assert_eq!(d(Some(AnswerTopic::Price)), Topic::InvoiceAndBilling);
        assert_eq!(d(Some(AnswerTopic::Product)), Topic::DamagedOrWrongItem);
        assert_eq!(d(Some(AnswerTopic::Support)), Topic::SomethingElse);
        assert_eq!(d(None), Topic::SomethingElse);
        let r = topic_of(&follow(Kind::Csat, Source::Return, 1, None));
        assert_eq!(r, Topic::ReturnOrExchange);
    }

    #[test]
    fn the_note_says_the_score_and_carries_the_comment() {
        let text = note(&follow(
            Kind::Nps,
            Source::Delivery,
            3,
            Some(AnswerTopic::Delivery),
        ));
        assert_eq!(
            text,
            "Opened automatically: an unhappy survey answer after delivery (NPS 3/10, \
             detractor). About: delivery.\nThe customer wrote: Box was crushed"
        );
    }
}
