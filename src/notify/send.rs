//! Sending one decided message over SMTP, and the send/record race.
//!
//! A kill between handing a message to the mail server and recording that it was sent
//! cannot be closed from one side: recording first may lose the message, sending first
//! may send it twice. aftercare sends first, so nothing is lost, and bounds the duplicate:
//! before sending, the message is claimed (`sending`, one more attempt) in its own
//! transaction; after the server's answer it is recorded. A kill in between leaves the
//! claim and the open job; on restart the job finds the claim and sends again, with the
//! same `Message-ID`. So a kill -9 costs at most one extra copy per message in flight (one
//! per store's mail lane, which sends one at a time), recognisable by its `Message-ID`
//! (mail clients and Gmail fold such copies together), and never a lost message.

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::Notifier;
use super::model::{MessageType, SMTP_TRANSIENT_ATTEMPTS, State};
use super::render;
use super::smtp::{Outgoing, Sent};
use super::store::{self, MessageRow, Update};
use crate::ids::MessageId;
use crate::jobs::{Job, Outcome};
use crate::store::StoreError;
use crate::time;
use crate::tracking::status::CLOSED_STATUSES;

enum Claim {
    /// Nothing to do: already sent, skipped or finally failed.
    Settled,
    /// Not yet due (quiet hours): look again then.
    Later(Timestamp),
    Send(Box<MessageRow>),
}

/// Checks the message is still wanted and claims an attempt at it.
fn claim(conn: &Connection, id: MessageId, now: Timestamp) -> Result<Claim, StoreError> {
    let Some(m) = store::get(conn, id)? else {
        return Ok(Claim::Settled);
    };
    let stamp = time::millis(now);
    match m.state {
        State::Sent | State::Skipped => return Ok(Claim::Settled),
        State::Failed if m.attempts >= SMTP_TRANSIENT_ATTEMPTS => return Ok(Claim::Settled),
        State::Pending | State::Deferred => {
            if let Some(due) = time::parse(&m.due_at).filter(|due| *due > now) {
                return Ok(Claim::Later(due));
            }
        }
        State::Failed | State::Sending => {}
    }
    // What changed since the decision: a cancelled order, an unsubscribe.
    let skip = |reason: &str| -> Result<Claim, StoreError> {
        store::update(
            conn,
            id,
            &Update {
                state: State::Skipped,
                reason,
                due_at: None,
                add_attempt: false,
                sent: false,
                clear_lease: true,
                now: &stamp,
            },
        )?;
        Ok(Claim::Settled)
    };
    let order: Option<(String, bool)> = {
        use rusqlite::OptionalExtension as _;
        conn.prepare_cached(
            "SELECT status, trashed_at IS NOT NULL FROM orders WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row((&m.store_id, m.order_id), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    };
    match order {
        Some((_, true)) => return skip("the order was trashed before sending"),
        // The shop's answer to a support request goes whatever became of the order.
        Some((status, false))
            if CLOSED_STATUSES.contains(&status.as_str())
                && m.kind != MessageType::SupportReply =>
        {
            return skip(&format!("the order became {status} before sending"));
        }
        _ => {}
    }
    let class = m.kind.class();
    if class.unsubscribable() && store::is_unsubscribed(conn, &m.store_id, &m.recipient, class)? {
        return skip(&format!(
            "the customer unsubscribed from {class} before sending"
        ));
    }
    let reason = if m.state == State::Sending {
        // The previous attempt was cut off between send and record: send again, same Message-ID.
        "sending again after an interrupted attempt"
    } else {
        "handed to the mail server"
    };
    store::update(
        conn,
        id,
        &Update {
            state: State::Sending,
            reason,
            due_at: None,
            add_attempt: true,
            sent: false,
            clear_lease: false,
            now: &stamp,
        },
    )?;
    Ok(Claim::Send(Box::new(
        store::get(conn, id)?.expect("just updated"),
    )))
}

/// The `send_message` job: claim, send, record.
pub async fn run(n: &Notifier, job: &Job) -> Outcome {
    let id = MessageId::new(job.subject);
    let now = Timestamp::now();
    let claimed = n.db.writer().write(move |c| claim(c, id, now)).await;
    let m = match claimed {
        Ok(Claim::Settled) => return Outcome::Done,
        Ok(Claim::Later(due)) => {
            let wait = due.duration_since(now).unsigned_abs();
            return Outcome::Defer(wait.max(std::time::Duration::from_secs(1)));
        }
        Ok(Claim::Send(m)) => m,
        Err(e) => return Outcome::Retry(e.into()),
    };
    let data: serde_json::Value = serde_json::from_str(&m.data).unwrap_or_default();
    let lang = super::decide::lang_of_locale(&m.locale);
    let sent = match render::render(m.kind, lang, &data, &n.tracking.branding(&m.store_id)) {
        Ok(rendered) => {
            n.mailer
                .send(&Outgoing {
                    id: m.id,
                    store_id: &m.store_id,
                    kind: m.kind.as_str(),
                    order_id: m.order_id,
                    to: &m.recipient,
                    to_name: data["customer"]["name"].as_str().unwrap_or_default(),
                    rendered: &rendered,
                    unsubscribe_url: data["unsubscribe_url"].as_str(),
                })
                .await
        }
        Err(_) => Sent::Permanent("the message could not be rendered".into()),
    };
    let attempts = m.attempts;
    let (update, outcome): (_, Outcome) = match sent {
        Sent::Ok => (
            (State::Sent, "sent by smtp".to_owned(), None),
            Outcome::Done,
        ),
        Sent::Permanent(reason) => ((State::Failed, reason, None), Outcome::Done),
        Sent::Transient(reason) if attempts >= SMTP_TRANSIENT_ATTEMPTS => (
            (
                State::Failed,
                format!("{reason}; gave up after {attempts} attempts"),
                None,
            ),
            Outcome::Done,
        ),
        Sent::Transient(reason) => {
            // The outbox retries the job with its own backoff (5 s, 10 s, 20 s ... 1 h).
            let next =
                now + SignedDuration::from_secs((5i64 << (attempts - 1).clamp(0, 10)).min(3600));
            (
                (
                    State::Failed,
                    format!("{reason}; will retry"),
                    Some(time::millis(next)),
                ),
                Outcome::Retry(anyhow::anyhow!("{reason}")),
            )
        }
    };
    let (state, reason, due) = update;
    let stamp = time::millis(Timestamp::now());
    let recorded =
        n.db.writer()
            .write(move |c| {
                store::update(
                    c,
                    id,
                    &Update {
                        state,
                        reason: &reason,
                        due_at: due.as_ref().map(|d| d.as_str()),
                        add_attempt: false,
                        sent: state == State::Sent,
                        clear_lease: true,
                        now: &stamp,
                    },
                )
            })
            .await;
    match recorded {
        Ok(()) => {
            tracing::info!(store = %m.store_id, order_id = m.order_id.get(), message = %m.id, kind = %m.kind, state = %state, "message attempt recorded");
            outcome
        }
        // The claim stays: the job runs again and sends again with the same Message-ID.
        Err(e) => Outcome::Retry(e.into()),
    }
}
