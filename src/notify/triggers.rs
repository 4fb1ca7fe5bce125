//! The job handlers that turn domain events into candidates: a parcel's status changed
//! (`notify_parcel`), a return moved (`notify_return`), a delay alert was raised
//! (`notify_delay`), staff answered a support request (`notify_support`). Each reads the
//! facts as they are now, so duplicate and late jobs see the same current state and the
//! dedupe key does the rest.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::Notifier;
use super::decide::{self, Candidate, Context, Decision, DelayFacts};
use super::model::MessageType;
use crate::ids::{OrderId, ReturnId, ShipmentId, StoreId, SurveyId};
use crate::jobs::{Job, JobKind, Outcome};
use crate::returns::store as returns;
use crate::store::StoreError;
use crate::support::model::Author;
use crate::support::store as support;
use crate::time;
use crate::tracking::alerts::{parcel_eta, parcel_status};
use crate::tracking::status::ParcelStatus;
use crate::tracking::store::shipments;

/// Runs a run of trigger jobs, in order, in one write transaction, each in a savepoint of
/// its own so that one that fails is retried alone. Each decided job is completed in that
/// same write: an event committed after it (a parcel out for delivery) then finds no open
/// job and enqueues its own. Completed in a later write, the job would still be open when
/// the event came, the event's enqueue would be a no-op, and the decision, made on the
/// facts before it, would swallow it.
pub async fn run(n: &Notifier, jobs: Vec<Job>) -> Vec<Outcome> {
    let count = jobs.len();
    let n2 = n.clone();
    let written =
        n.db.writer()
            .write(move |c| {
                let mut results = Vec::with_capacity(jobs.len());
                let decided_at = time::millis(Timestamp::now());
                for job in &jobs {
                    let zone = n2.zones.zone(c, &job.store_id).tz;
                    let ctx = n2.context(&zone);
                    let result = crate::store::alone(c, || {
                        decide(
                            c,
                            &job.store_id,
                            &ctx,
                            job.kind,
                            job.order_id,
                            job.subject,
                            Timestamp::now(),
                        )
                    })?;
                    if result.is_ok() {
                        crate::jobs::store::complete(c, job.id, &decided_at)?;
                    }
                    results.push((job.clone(), result));
                }
                Ok(results)
            })
            .await;
    let results = match written {
        Ok(results) => results,
        Err(error) => {
            let error = format!("{:#}", anyhow::Error::from(error));
            return (0..count)
                .map(|_| Outcome::Retry(anyhow::anyhow!("deciding a message: {error}")))
                .collect();
        }
    };
    results
        .into_iter()
        .map(|(job, result)| match result {
            Ok(Some(Decision::Recorded { id, state, .. })) => {
                tracing::info!(store = %job.store_id, order_id = job.order_id.get(), message = %id, %state, "message decided");
                Outcome::Done
            }
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Retry(e.into()),
        })
        .collect()
}

/// The decision a trigger job of `kind` about (`order_id`, `subject`) comes to at `now`, in
/// the caller's transaction; `None` when the facts call for no message at all.
pub fn decide(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    kind: JobKind,
    order_id: OrderId,
    subject: u64,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    match kind {
        JobKind::NotifyParcel => parcel(c, store, ctx, ShipmentId::new(subject), now),
        JobKind::NotifyReturn => ret(c, store, ctx, order_id, ReturnId::new(subject as i64), now),
        JobKind::NotifyDelay => delay(c, store, ctx, subject, now),
        JobKind::NotifyOrder => confirm(c, store, ctx, order_id, now),
        JobKind::NotifySupport => support_reply(c, store, ctx, order_id, subject as i64, now),
        JobKind::NotifySurvey => survey(c, store, ctx, SurveyId::new(subject), now),
        _ => Ok(None),
    }
}

fn parcel(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    id: ShipmentId,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    let Some(s) = shipments::find(c, store, id)? else {
        return Ok(None);
    };
    if s.removed_at.is_some() {
        return Ok(None);
    }
    let last_event = s.last_event_at.as_deref().and_then(time::parse);
    let (kind, status, about, parcel, event_at) = match parcel_status(&s) {
        ParcelStatus::Shipped | ParcelStatus::LabelCreated | ParcelStatus::InTransit => (
            MessageType::Shipped,
            "shipped",
            super::data::parcel_ref(id),
            Some(id),
            last_event.or_else(|| s.shipped_at.as_deref().and_then(time::parse)),
        ),
        ParcelStatus::OutForDelivery => (
            MessageType::OutForDelivery,
            "out_for_delivery",
            super::data::parcel_ref(id),
            Some(id),
            last_event,
        ),
        ParcelStatus::Delivered => {
            // "Delivered" is said once, when the order's last parcel arrives.
            let live = shipments::for_order(c, store, s.order_id, false)?;
            if live.iter().any(|p| {
                parcel_status(p) != ParcelStatus::Delivered
                    && parcel_status(p) != ParcelStatus::Returned
            }) {
                return Ok(None);
            }
            let newest = live
                .iter()
                .filter_map(|p| p.last_event_at.as_deref().and_then(time::parse))
                .max();
            // The getting-started guides follow some days after the last delivery.
            super::guide::schedule(c, store, s.order_id, ctx.guides.delay_days(store), now)?;
            (
                MessageType::Delivered,
                "delivered",
                "order".to_owned(),
                None,
                newest,
            )
        }
        // Problems are told by the delay alerts they raise.
        ParcelStatus::Exception | ParcelStatus::Returned => return Ok(None),
    };
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id: s.order_id,
            kind,
            parcel,
            ret: None,
            about,
            status,
            event_at,
            delay: None,
            support: None,
            survey: None,
        },
        now,
    )
    .map(Some)
}

/// aftercare's own order confirmation, for stores without WordPress mail; off by default.
fn confirm(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    order_id: OrderId,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    if !ctx.settings.order_confirmation {
        return Ok(None);
    }
    let Some(order) = crate::orders::store::load_order(c, store, order_id)? else {
        return Ok(None);
    };
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id,
            kind: MessageType::OrderConfirmation,
            parcel: None,
            ret: None,
            about: "order".to_owned(),
            status: "confirmed",
            // A backfilled order's purchase is history.
            event_at: Some(order.date_created_gmt.0),
            delay: None,
            support: None,
            survey: None,
        },
        now,
    )
    .map(Some)
}

/// A survey the surveys domain decided to ask: said once per survey.
fn survey(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    id: SurveyId,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    let Some(row) = crate::surveys::store::get(c, store, id)? else {
        return Ok(None);
    };
    if row.state != crate::surveys::model::State::Asked {
        return Ok(None);
    }
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id: row.order_id,
            kind: MessageType::Survey,
            parcel: None,
            ret: None,
            about: row.id.to_string(),
            status: "asked",
            event_at: None,
            delay: None,
            survey: Some(&row),
            support: None,
        },
        now,
    )
    .map(Some)
}

fn ret(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    order_id: OrderId,
    id: ReturnId,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    let Some(record) = returns::get(c, store, id)? else {
        return Ok(None);
    };
    if record.order_id != order_id {
        return Ok(None);
    }
    let status = record.status.clone();
    if !matches!(
        status.as_str(),
        "approved" | "rejected" | "received" | "refunded" | "credited" | "exchanged"
    ) {
        return Ok(None);
    }
    // "Refunded" is said only once the refund exists in WooCommerce; the settling job
    // enqueues this trigger again when it does.
    if status == "refunded" && record.settlement.as_deref() != Some("done") {
        return Ok(None);
    }
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id,
            kind: MessageType::ReturnUpdate,
            parcel: None,
            ret: Some(&record),
            about: super::data::return_ref(id),
            status: &status,
            event_at: None,
            delay: None,
            support: None,
            survey: None,
        },
        now,
    )
    .map(Some)
}

/// A public staff reply: one message per reply (the reply's id is in the dedupe key).
fn support_reply(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    order_id: OrderId,
    message_id: i64,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    let Some((request, reply)) = support::reply(c, store, message_id)? else {
        return Ok(None);
    };
    // Notes stay with staff; only a public reply on this order is told.
    if request.order_id != order_id || reply.author != Author::Staff {
        return Ok(None);
    }
    let status = format!("reply:{}", reply.id);
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id,
            kind: MessageType::SupportReply,
            parcel: None,
            ret: None,
            about: super::data::request_ref(request.id),
            status: &status,
            // aftercare witnessed the reply itself: never stale.
            event_at: None,
            delay: None,
            support: Some((&request, &reply)),
            survey: None,
        },
        now,
    )
    .map(Some)
}

fn delay(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    alert_id: u64,
    now: Timestamp,
) -> Result<Option<Decision>, StoreError> {
    let alert: Option<(OrderId, i64, String, bool)> = c
        .prepare_cached(
            "SELECT order_id, shipment_id, code, resolved_at IS NOT NULL FROM delay_alerts
             WHERE id = ?1 AND store_id = ?2",
        )?
        .query_row((alert_id as i64, store), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((order_id, shipment, code, resolved)) = alert else {
        return Ok(None);
    };
    if resolved {
        // It cleared before anyone could be told: nothing to apologise for.
        return Ok(None);
    }
    let parcel = (shipment != 0).then(|| ShipmentId::new(shipment as u64));
    let (facts, event_at) = delay_facts(c, store, ctx, parcel, &code, now)?;
    let about = parcel.map_or_else(|| "order".to_owned(), super::data::parcel_ref);
    let status = format!("delayed:{code}");
    decide::consider(
        c,
        store,
        ctx,
        &Candidate {
            order_id,
            kind: MessageType::Delayed,
            parcel,
            ret: None,
            about,
            status: &status,
            event_at,
            delay: Some(facts),
            support: None,
            survey: None,
        },
        now,
    )
    .map(Some)
}

/// What a delay message says for alert `code` about `parcel` (or the whole order), and when
/// the carrier reported the problem (`None` when lateness is aftercare's own finding).
pub(super) fn delay_facts(
    c: &Connection,
    store: &StoreId,
    ctx: &Context<'_>,
    parcel: Option<ShipmentId>,
    code: &str,
    now: Timestamp,
) -> Result<(DelayFacts, Option<Timestamp>), StoreError> {
    let row = match parcel {
        Some(id) => shipments::find(c, store, id)?,
        None => None,
    };
    let cal = ctx.tracking.calendar(ctx.zone);
    let eta = row.as_ref().and_then(|s| parcel_eta(s, ctx.tracking, &cal));
    // A cautious new date: two business days after today or the old date, whichever is later.
    let base = eta.filter(|e| *e > now).unwrap_or(now);
    let new_date = (code != "returned_to_sender").then(|| cal.deadline(base, 2));
    // A carrier's problem report is stale when old; lateness is aftercare's own finding.
    let event_at = matches!(code, "delivery_exception" | "returned_to_sender")
        .then(|| {
            row.as_ref()
                .and_then(|s| s.last_event_at.as_deref().and_then(time::parse))
        })
        .flatten();
    let facts = DelayFacts {
        previous_date: eta.map(|t| time::local_date(t, ctx.zone).to_string()),
        new_date: new_date.map(|t| time::local_date(t, ctx.zone).to_string()),
        reason: code.to_owned(),
    };
    Ok((facts, event_at))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::jobs::Lane;
    use crate::jobs::store as queue;
    use crate::store::{Db, Synchronous};

    fn notifier(db: &Db, store: &StoreId) -> Notifier {
        let settings = Arc::new(crate::notify::settings::NotifySettings::default());
        Notifier {
            db: db.clone(),
            mailer: Arc::new(crate::notify::smtp::Mailer::new(
                &settings,
                std::slice::from_ref(store),
            )),
            settings,
            tracking: Arc::default(),
            seller: Arc::default(),
            zones: crate::shop::timezone::Zones::new(Default::default()),
            base_url: "http://aftercare.test".into(),
            keys: crate::notify::unsubscribe::Keys::derive([(store, "api-key-0123456789")]),
            guides: Arc::default(),
        }
    }

    /// Before the runner settles anything, a run's jobs are done, and the same trigger
    /// enqueued after the run's write is a job of its own, due.
    #[tokio::test]
    async fn a_run_completes_its_jobs_in_the_write_that_decides_them() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("a.db"), Synchronous::Normal, &["s"]).unwrap();
        let store = StoreId::test("s");
        let now = time::millis(Timestamp::now());
        let enqueue = {
            let (store, now) = (store.clone(), now.clone());
            move |c: &Connection| {
                queue::enqueue(c, &store, JobKind::NotifyOrder, OrderId::new(7), 0, &now)
            }
        };
        db.writer().write(enqueue.clone()).await.unwrap();
        let due = {
            let now = now.clone();
            db.read(move |c| queue::next_due(c, &now, Lane::Local))
                .await
                .unwrap()
                .expect("the trigger is due")
        };
        let outcomes = run(&notifier(&db, &store), vec![due.clone()]).await;
        assert!(matches!(outcomes[..], [Outcome::Done]));
        let open = || {
            db.read(|c| {
                Ok(c.prepare("SELECT id FROM jobs WHERE done_at IS NULL")?
                    .query_map([], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?)
            })
        };
        assert_eq!(
            open().await.unwrap(),
            Vec::<i64>::new(),
            "done in the deciding write"
        );
        db.writer().write(enqueue).await.unwrap();
        let again = open().await.unwrap();
        assert_eq!(again.len(), 1, "a later event's trigger is not swallowed");
        assert_ne!(again[0], due.id);
        db.close().await;
    }
}
