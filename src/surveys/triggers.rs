//! When a survey goes, and whether at all.
//!
//! Three jobs plan a survey: `survey_delivery` (a parcel of the order was delivered),
//! `survey_return` (a return closed) and `survey_request` (a support request was solved,
//! through [`request_solved`]). Each reads the facts as they are when it runs: the moment
//! the survey follows (the order's last delivery, the return's close, the request's
//! solve), plus the store's delay, is when it is decided; earlier, the job waits until
//! then. So a later delivery of another parcel moves the NPS survey, and duplicate or late
//! jobs come to the same decision, recorded once per (source, order, subject).
//!
//! Rules, in order: surveys switched off: nothing; a survey due more than 3 days ago is
//! history (a backfilled or late-tracked order) and skipped; the order must be mirrored, not in the
//! trash, not cancelled, failed or refunded (also when a return refunded all of it), and
//! delivered: NPS waits for every live parcel to arrive, and CSAT is not asked while a
//! parcel of the order is still on its way or lost (an order without parcels, collected or
//! shipped untracked, may be asked after a return or a request); it needs an email
//! address; and the customer must not have been asked any survey within the throttle
//! window. A survey that passes is recorded `asked` with its link and handed to the
//! notification engine (`notify_survey`), which applies unsubscribes and quiet hours.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::model::{CLOSED_RETURN_STATES, Source, State};
use super::settings::StoreSurveys;
use super::store::{self, NewSurvey};
use super::token::Keys;
use crate::ids::{OrderId, ReturnId, StoreId, SurveyId};
use crate::jobs::{self, JobKind};
use crate::store::StoreError;
use crate::time;
use crate::tracking::status::{CLOSED_STATUSES, DeliveryState};
use crate::tracking::store::shipments;

/// A survey due longer ago than this is history, not news: a backfilled order delivered
/// months ago, or a store that connected a feed late, asks nobody about the past. A service
/// that was down for a day or two still asks.
pub const TOO_LATE_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_hours(3 * 24);

/// What a planning job comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Not yet: look again at this moment.
    Wait(Timestamp),
    /// Nothing (yet) to ask about: a later event enqueues the job again.
    Nothing,
    /// Decided (asked or skipped, with why).
    Decided {
        id: SurveyId,
        state: State,
        reason: String,
    },
}

/// A support request was solved at `at`: its CSAT survey is planned for the store's CSAT
/// delay after that, subject to the same rules as every survey. Called by the support
/// domain in its own transaction; solving the same request again changes nothing.
pub fn request_solved(
    conn: &Connection,
    store: &StoreId,
    order_id: OrderId,
    request_id: u64,
    at: Timestamp,
) -> Result<(), StoreError> {
    let now = time::millis(Timestamp::now());
    let anchor = time::millis(at);
    store::insert(
        conn,
        &NewSurvey {
            store_id: store,
            order_id,
            source: Source::Request,
            subject: request_id,
            recipient: "",
            first_name: "",
            state: State::Planned,
            reason: "waiting for the CSAT delay after the request was solved",
            anchor_at: &anchor,
            now: &now,
        },
    )?;
    jobs::enqueue(
        conn,
        store,
        JobKind::SurveyRequest,
        order_id,
        request_id,
        &now,
    )
}

/// The request was reopened before its survey went: the plan is dropped (a survey already
/// sent stays). True when a plan was dropped.
pub fn request_reopened(
    conn: &Connection,
    store: &StoreId,
    order_id: OrderId,
    request_id: u64,
) -> Result<bool, StoreError> {
    store::unplan(conn, store, Source::Request, order_id, request_id)
}

/// When the order's last live parcel was delivered; `None` while any is not delivered,
/// or the order's items are not all shipped.
pub fn delivered_at(
    conn: &Connection,
    store: &StoreId,
    order_id: OrderId,
    order_status: &str,
) -> Result<Option<Timestamp>, StoreError> {
    let live = shipments::for_order(conn, store, order_id, false)?;
    if live.is_empty() {
        return Ok(None);
    }
    let lines = crate::orders::store::line_quantities(conn, store, order_id)?;
    if crate::tracking::derive::delivery_state(order_status, &lines, &live)
        != DeliveryState::Delivered
        || live.iter().any(|s| s.status != "delivered")
    {
        return Ok(None);
    }
    Ok(live
        .iter()
        .filter_map(|s| {
            s.delivered_at
                .as_deref()
                .or(s.last_event_at.as_deref())
                .and_then(time::parse)
        })
        .max())
}

/// Whether a live parcel of the order has not arrived (on its way, lost, sent back). An
/// order without parcels (collected, or shipped without tracking) has none.
fn parcels_pending(
    conn: &Connection,
    store: &StoreId,
    order_id: OrderId,
) -> Result<bool, StoreError> {
    Ok(shipments::for_order(conn, store, order_id, false)?
        .iter()
        .any(|s| s.status != "delivered"))
}

struct OrderFacts {
    status: String,
    trashed: bool,
    draft: bool,
    email: String,
    first_name: String,
}

fn order_facts(
    conn: &Connection,
    store: &StoreId,
    order_id: OrderId,
) -> Result<Option<OrderFacts>, StoreError> {
    let found: Option<(String, bool, bool, String)> = conn
        .prepare_cached(
            "SELECT status, trashed_at IS NOT NULL, is_draft, raw FROM orders
             WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row((store, order_id), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((status, trashed, draft, raw)) = found else {
        return Ok(None);
    };
    let order = crate::orders::store::parse(order_id, &raw)?;
    Ok(Some(OrderFacts {
        status,
        trashed,
        draft,
        email: order
            .billing
            .email
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
        first_name: order.billing.first_name.trim().to_owned(),
    }))
}

/// What a survey follows: the source, the order and the return or request (0 for a
/// delivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    pub source: Source,
    pub order_id: OrderId,
    pub subject: u64,
}

/// The decision of the survey following `trigger` at `now`, in the caller's transaction.
pub fn decide(
    conn: &Connection,
    store: &StoreId,
    rules: &StoreSurveys,
    keys: &Keys,
    trigger: Trigger,
    now: Timestamp,
) -> Result<Step, StoreError> {
    let Trigger {
        source,
        order_id,
        subject,
    } = trigger;
    if !rules.enabled || store::decided(conn, store, source, order_id, subject)? {
        return Ok(Step::Nothing);
    }
    let Some(order) = order_facts(conn, store, order_id)? else {
        return Ok(Step::Nothing);
    };
    let delivered = delivered_at(conn, store, order_id, &order.status)?;
    // The moment the survey follows.
    let anchor = match source {
        Source::Delivery => match delivered {
            Some(at) => at,
            None => return Ok(Step::Nothing),
        },
        Source::Return => {
            let Some(ret) = crate::returns::store::get(conn, store, ReturnId::new(subject as i64))?
            else {
                return Ok(Step::Nothing);
            };
            if ret.order_id != order_id || !CLOSED_RETURN_STATES.contains(&ret.status.as_str()) {
                return Ok(Step::Nothing);
            }
            let Some(at) = time::parse(&ret.updated_at) else {
                return Ok(Step::Nothing);
            };
            at
        }
        Source::Request => {
            let Some(plan) = store::planned(conn, store, source, order_id, subject)? else {
                return Ok(Step::Nothing);
            };
            let Some(at) = time::parse(&plan.anchor_at) else {
                return Ok(Step::Nothing);
            };
            at
        }
    };
    let delay = match source {
        Source::Delivery => rules.nps_delay,
        Source::Return | Source::Request => rules.csat_delay,
    };
    let due = anchor + delay;
    if now < due {
        return Ok(Step::Wait(due));
    }
    let stamp = time::millis(now);
    let skip = if now.duration_since(due) > TOO_LATE_AFTER {
        Some(format!(
            "too late: it was due on {}, more than 3 days ago",
            &time::seconds(due)[..10]
        ))
    } else if order.trashed || order.draft {
        Some("the order is in the trash or a draft".to_owned())
    } else if CLOSED_STATUSES.contains(&order.status.as_str()) {
        Some(format!("the order is {}", order.status))
    } else if delivered.is_none() && parcels_pending(conn, store, order_id)? {
        Some("the order's parcels are not all delivered".to_owned())
    } else if order.email.is_empty() {
        Some("the order has no email address".to_owned())
    } else if rules.throttle.is_positive()
        && let Some(last) = store::asked_since(
            conn,
            store,
            &order.email,
            &time::millis(now - rules.throttle),
        )?
    {
        Some(format!(
            "throttled: the customer was asked on {} (one survey per {} days)",
            &last[..10.min(last.len())],
            rules.throttle.as_hours() / 24
        ))
    } else {
        None
    };
    let state = if skip.is_some() {
        State::Skipped
    } else {
        State::Asked
    };
    let reason = skip.unwrap_or_else(|| format!("asked {} after the {source}", delay_words(delay)));
    let anchor_text = time::millis(anchor);
    let Some(id) = store::insert(
        conn,
        &NewSurvey {
            store_id: store,
            order_id,
            source,
            subject,
            recipient: &order.email,
            first_name: &order.first_name,
            state,
            reason: &reason,
            anchor_at: &anchor_text,
            now: &stamp,
        },
    )?
    else {
        return Ok(Step::Nothing);
    };
    if state == State::Asked {
        let expires = now + rules.link_lifetime;
        let token = keys.token(store, id, expires);
        // The token holds whole seconds: the row says the same moment.
        let expires = jiff::Timestamp::from_second(expires.as_second()).unwrap_or(expires);
        store::set_link(conn, id, &token, &time::millis(expires))?;
        jobs::enqueue(
            conn,
            store,
            JobKind::NotifySurvey,
            order_id,
            id.get(),
            &stamp,
        )?;
    }
    Ok(Step::Decided { id, state, reason })
}

fn delay_words(delay: jiff::SignedDuration) -> String {
    let hours = delay.as_hours();
    if hours % 24 == 0 {
        format!("{} days", hours / 24)
    } else {
        format!("{hours} hours")
    }
}

/// Which source a planning job kind is for.
pub fn source_of(kind: JobKind) -> Option<Source> {
    match kind {
        JobKind::SurveyDelivery => Some(Source::Delivery),
        JobKind::SurveyReturn => Some(Source::Return),
        JobKind::SurveyRequest => Some(Source::Request),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solved_request_is_planned_once_and_a_reopen_drops_the_plan() {
        let conn = crate::store::in_memory();
        let store = StoreId::default_store();
        let (order, at) = (
            OrderId::new(7),
            Timestamp::from_second(1_800_000_000).unwrap(),
        );
        request_solved(&conn, &store, order, 31, at).unwrap();
        request_solved(&conn, &store, order, 31, at).unwrap();
        let plan = store::planned(&conn, &store, Source::Request, order, 31)
            .unwrap()
            .expect("planned");
        assert_eq!(plan.anchor_at, time::millis(at).to_string());
        assert!(!store::decided(&conn, &store, Source::Request, order, 31).unwrap());
        let jobs: i64 = conn
            .query_row(
                "SELECT count(*) FROM jobs WHERE kind = 'survey_request' AND subject = 31",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(jobs, 1);
        assert!(request_reopened(&conn, &store, order, 31).unwrap());
        assert!(!request_reopened(&conn, &store, order, 31).unwrap());
        assert!(
            store::planned(&conn, &store, Source::Request, order, 31)
                .unwrap()
                .is_none()
        );
    }
}
