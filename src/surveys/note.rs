//! The `survey_note` job: writes the answer onto the WooCommerce order as a private note
//! (`POST /orders/{id}/notes`), so staff see it where they work. Each answer (first or
//! changed) is written once; a note already written for a later answer makes older jobs
//! no-ops. Transient failures are retried by the outbox with its backoff; a store without
//! REST access or an order WooCommerce no longer has ends the job with a warning.

use serde_json::json;

use super::Surveyor;
use super::store::{self, SurveyRow};
use crate::ids::SurveyId;
use crate::jobs::{Job, Outcome};
use crate::woo::WooError;

/// The note's text: the score, its group, what it was about and the comment.
pub fn text(row: &SurveyRow) -> Option<String> {
    let score = row.score?;
    let (_, high) = row.kind.range();
    let about = match row.source {
        super::model::Source::Delivery => "after delivery".to_owned(),
        super::model::Source::Return => format!("after return {}", row.subject),
        super::model::Source::Request => format!("after support request {}", row.subject),
    };
    let mut text = format!(
        "aftercare survey ({about}): {} {score}/{high} ({})",
        row.kind.as_str().to_uppercase(),
        row.kind.group(score)
    );
    if row.revision > 1 {
        text.push_str(", changed by the customer");
    }
    if let Some(topic) = row.topic {
        text.push_str(&format!("; about: {topic}"));
    }
    if let Some(comment) = &row.comment {
        text.push_str(&format!("; comment: “{comment}”"));
    }
    if row.follow_up {
        text.push_str(". Flagged for follow-up.");
    }
    Some(text)
}

pub async fn run(s: &Surveyor, job: &Job) -> Outcome {
    let (store, id) = (job.store_id.clone(), SurveyId::new(job.subject));
    let found = {
        let store = store.clone();
        s.db.read(move |c| store::get(c, &store, id)).await
    };
    let row = match found {
        Ok(Some(row)) if row.revision > row.noted_revision => row,
        Ok(_) => return Outcome::Done,
        Err(e) => return Outcome::Retry(e.into()),
    };
    let Some(note) = text(&row) else {
        return Outcome::Done;
    };
    let client = match s.woo.client(&store) {
        Some(Ok(client)) => client,
        None | Some(Err(WooError::NotConfigured { .. })) => {
            tracing::info!(store = %store, order_id = row.order_id.get(), survey = %id, "no WooCommerce REST access: the survey answer is not written onto the order");
            return Outcome::Done;
        }
        Some(Err(e)) => return Outcome::Retry(e.into()),
    };
    let body = json!({"note": note, "customer_note": false});
    let path = format!("orders/{}/notes", row.order_id);
    match client.post::<serde_json::Value>(&path, &body).await {
        Ok(_) => {}
        Err(e) if is_final(&e) => {
            tracing::warn!(store = %store, order_id = row.order_id.get(), survey = %id, error = %e, "WooCommerce refused the survey note; not retried");
            return Outcome::Done;
        }
        Err(e) => return Outcome::Retry(e.into()),
    }
    let revision = row.revision;
    let recorded =
        s.db.writer()
            .write(move |c| store::noted(c, id, revision))
            .await;
    match recorded {
        Ok(()) => {
            tracing::info!(store = %store, order_id = row.order_id.get(), survey = %id, "survey answer noted on the order");
            Outcome::Done
        }
        Err(e) => Outcome::Retry(e.into()),
    }
}

/// A 4xx other than 408 and 429 will not change by trying again (the order is gone, the
/// keys lack write access).
fn is_final(e: &WooError) -> bool {
    matches!(e.status(), Some(s) if (400..500).contains(&s) && s != 408 && s != 429)
        || matches!(e, WooError::InvalidUrl(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrderId, StoreId};
    use crate::surveys::model::{Kind, Source, State, Topic};

    #[test]
    fn the_note_says_score_group_topic_and_comment() {
        let row = SurveyRow {
            id: SurveyId::new(1),
            store_id: StoreId::default_store(),
            order_id: OrderId::new(7),
            kind: Kind::Nps,
            source: Source::Delivery,
            subject: 0,
            recipient: "x@example.com".into(),
            first_name: "Mina".into(),
            locale: None,
            state: State::Asked,
            reason: String::new(),
            anchor_at: String::new(),
            token: None,
            expires_at: None,
            score: Some(3),
            topic: Some(Topic::Delivery),
            comment: Some("Box was crushed".into()),
            answered_at: None,
            changed_at: None,
            revision: 2,
            follow_up: true,
            follow_up_request_id: None,
            noted_revision: 0,
            created_at: String::new(),
        };
        assert_eq!(
            text(&row).unwrap(),
            "aftercare survey (after delivery): NPS 3/10 (detractor), changed by the customer; \
             about: delivery; comment: “Box was crushed”. Flagged for follow-up."
        );
        assert_eq!(text(&SurveyRow { score: None, ..row }), None);
    }
}
