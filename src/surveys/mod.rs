//! Surveys: how it went, asked at the right moment. An NPS survey (0-10) N days after the
//! order's last parcel was actually delivered; a CSAT survey (1-5) after a return closed
//! and after a support request was solved. Never for cancelled, refunded or undelivered
//! orders, and at most one survey per customer within the throttle window.
//!
//! [`triggers`] decides when and whether (jobs `survey_delivery`, `survey_return`,
//! `survey_request`); the notification engine sends the decided survey as message type
//! `survey` (job `notify_survey`, in `notify`), with one signed, expiring link per survey
//! ([`token`]). The page ([`page`]) only pre-selects the score in the link; [`answer`]
//! records it on the form's POST, flags unhappy answers for follow-up ([`follow_up`]),
//! publishes `survey_answered` and has [`note`] write it onto the WooCommerce order.
//! Staff list answers through [`view`]. docs/surveys.md has the whole story.

pub mod answer;
pub mod follow_up;
pub mod model;
pub mod note;
pub mod page;
pub mod settings;
pub mod store;
pub mod token;
pub mod triggers;
pub mod view;

use std::sync::Arc;

use jiff::Timestamp;

pub use model::{Kind, Source, Topic};
pub use settings::SurveySettings;

use crate::jobs::{Job, JobKind, Outcome, Registry};
use crate::store::Db;
use crate::woo::WooClients;
use triggers::Step;

/// Everything the survey jobs use; cheap to clone.
#[derive(Clone)]
pub struct Surveyor {
    pub db: Db,
    pub settings: Arc<SurveySettings>,
    pub keys: token::Keys,
    pub woo: WooClients,
}

impl Surveyor {
    /// Registers the handlers of the survey job kinds (`notify_survey` is notify's).
    pub fn register(self, registry: &mut Registry) {
        for kind in [
            JobKind::SurveyDelivery,
            JobKind::SurveyReturn,
            JobKind::SurveyRequest,
        ] {
            let s = self.clone();
            registry.register(kind, move |job: Job| {
                let s = s.clone();
                async move { s.plan(&job).await }
            });
        }
        let s = self;
        registry.register(JobKind::SurveyNote, move |job: Job| {
            let s = s.clone();
            async move { note::run(&s, &job).await }
        });
    }

    async fn plan(&self, job: &Job) -> Outcome {
        let Some(source) = triggers::source_of(job.kind) else {
            return Outcome::Done;
        };
        let (store, order_id, subject) = (job.store_id.clone(), job.order_id, job.subject);
        let this = self.clone();
        let now = Timestamp::now();
        let step = self
            .db
            .writer()
            .write(move |c| {
                let rules = this.settings.store(&store);
                let trigger = triggers::Trigger {
                    source,
                    order_id,
                    subject,
                };
                triggers::decide(c, &store, rules, &this.keys, trigger, now)
            })
            .await;
        match step {
            Ok(Step::Wait(until)) => Outcome::Defer(
                until
                    .duration_since(now)
                    .unsigned_abs()
                    .max(std::time::Duration::from_secs(1)),
            ),
            Ok(Step::Decided { id, state, reason }) => {
                tracing::info!(store = %job.store_id, order_id = job.order_id.get(), survey = %id, %state, %reason, "survey decided");
                Outcome::Done
            }
            Ok(Step::Nothing) => Outcome::Done,
            Err(e) => Outcome::Retry(e.into()),
        }
    }
}
