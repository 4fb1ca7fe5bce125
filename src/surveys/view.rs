//! What staff see of the answers: `GET /api/v1/surveys`.

use serde::Serialize;
use utoipa::ToSchema;

use super::model::Kind;
use super::store::{self, SurveyRow};
use crate::ids::StoreId;
use crate::store::{Db, StoreError};
use crate::time::Stamp;

/// One answered survey.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyAnswer {
    /// `svy_<n>`.
    #[schema(example = "svy_12")]
    pub id: String,
    pub order_id: u64,
    /// `nps` (0-10) or `csat` (1-5).
    #[schema(example = "nps")]
    pub kind: String,
    /// What it followed: `delivery`, `return` or `request`.
    #[schema(example = "delivery")]
    pub source: String,
    /// The return or support request id; null for a delivery.
    pub subject: Option<u64>,
    pub score: i64,
    /// `promoter` `passive` `detractor` (NPS), `satisfied` `neutral` `unsatisfied` (CSAT).
    pub group: String,
    /// `delivery` `product` `support` `price` `other`, or null.
    pub topic: Option<String>,
    pub comment: Option<String>,
    /// The customer's first name (all aftercare shows of them).
    pub first_name: String,
    /// When the survey was sent.
    pub asked_at: String,
    /// The first answer.
    pub answered_at: String,
    /// The latest change (equal to `answered_at` when never changed).
    pub changed_at: String,
    /// Answers recorded (1 = never changed).
    pub revision: i64,
    /// An unhappy answer support should follow up.
    pub follow_up: bool,
    /// The support request opened for the follow-up, once there is one.
    pub follow_up_request_id: Option<u64>,
}

impl SurveyAnswer {
    fn new(r: SurveyRow) -> Self {
        let score = r.score.unwrap_or_default();
        Self {
            id: r.id.to_string(),
            order_id: r.order_id.get(),
            kind: r.kind.as_str().to_owned(),
            source: r.source.as_str().to_owned(),
            subject: (r.subject != 0).then_some(r.subject),
            score,
            group: r.kind.group(score).to_owned(),
            topic: r.topic.map(|t| t.as_str().to_owned()),
            comment: r.comment,
            first_name: r.first_name,
            asked_at: r.created_at,
            answered_at: r.answered_at.unwrap_or_default(),
            changed_at: r.changed_at.unwrap_or_default(),
            revision: r.revision,
            follow_up: r.follow_up,
            follow_up_request_id: r.follow_up_request_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyList {
    /// Newest first answer first.
    pub surveys: Vec<SurveyAnswer>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// A page of the store's answers, optionally of one kind, first answered in [`from`, `to`).
pub async fn list(
    db: &Db,
    store: &StoreId,
    kind: Option<Kind>,
    range: (Option<Stamp>, Option<Stamp>),
    page: u32,
    per_page: u32,
) -> Result<SurveyList, StoreError> {
    let store = store.clone();
    let offset = u64::from(page - 1) * u64::from(per_page);
    let (rows, total) = db
        .read(move |c| {
            store::answered(
                c,
                &store,
                kind,
                range.0.as_ref(),
                range.1.as_ref(),
                per_page,
                offset,
            )
        })
        .await?;
    Ok(SurveyList {
        surveys: rows.into_iter().map(SurveyAnswer::new).collect(),
        page,
        per_page,
        total,
    })
}
