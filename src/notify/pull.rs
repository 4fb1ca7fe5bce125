//! The WordPress channel, service side: the plugin lists due messages (each leased for
//! five minutes), sends them with WooCommerce's mailer and reports each result.

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::model::{Channel, MAX_ATTEMPTS, State};
use super::store::{self, Update};
use crate::ids::{MessageId, StoreId};
use crate::store::StoreError;
use crate::time;

pub const LEASE: SignedDuration = SignedDuration::from_mins(5);
pub const MAX_DETAIL_CHARS: usize = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct Recipient {
    pub email: String,
    pub name: String,
}

/// A message for the plugin to send.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueMessage {
    /// `msg_<n>`.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub order_id: u64,
    pub locale: String,
    pub to: Recipient,
    /// The message data (see docs/notifications.md).
    #[schema(value_type = Object)]
    pub data: Value,
}

/// Lists (and leases) up to `limit` of the store's due WordPress messages.
pub fn due(
    conn: &Connection,
    store_id: &StoreId,
    limit: u32,
    now: Timestamp,
) -> Result<Vec<DueMessage>, StoreError> {
    let rows = store::lease_due(
        conn,
        store_id,
        &time::millis(now),
        &time::millis(now + LEASE),
        limit,
    )?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let data: Value = serde_json::from_str(&m.data).unwrap_or_default();
            DueMessage {
                id: m.id.to_string(),
                kind: m.kind.as_str().to_owned(),
                order_id: m.order_id.get(),
                locale: m.locale.clone(),
                to: Recipient {
                    email: m.recipient.clone(),
                    name: data["customer"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                },
                data,
            }
        })
        .collect())
}

/// What the plugin reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Sent,
    Failed,
    /// The store switched this email off in WooCommerce.
    Disabled,
}

impl Reported {
    pub fn parse(text: &str) -> Option<Reported> {
        Some(match text {
            "sent" => Reported::Sent,
            "failed" => Reported::Failed,
            "disabled" => Reported::Disabled,
            _ => return None,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no such message")]
    NotFound,
    #[error("the message is already {0}")]
    Conflict(State),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn failed_reason(detail: Option<&str>) -> String {
    match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => format!("WooCommerce could not send it: {d}"),
        None => "WooCommerce could not send it".to_owned(),
    }
}

/// Records the plugin's report; answers the message's state after it.
pub fn report(
    conn: &Connection,
    store_id: &StoreId,
    id: MessageId,
    outcome: Reported,
    detail: Option<&str>,
    now: Timestamp,
) -> Result<State, ReportError> {
    let Some(m) = store::get(conn, id)? else {
        return Err(ReportError::NotFound);
    };
    if m.store_id != *store_id || m.channel != Channel::Wordpress {
        return Err(ReportError::NotFound);
    }
    let final_failure = m.state == State::Failed && m.attempts >= MAX_ATTEMPTS;
    match (m.state, outcome) {
        (State::Sent, Reported::Sent) => return Ok(State::Sent),
        (State::Skipped, Reported::Disabled) => return Ok(State::Skipped),
        (State::Failed, Reported::Failed)
            if m.leased_until.is_none() && m.reason.starts_with(&failed_reason(detail)) =>
        {
            // The same report again, before the message was listed again.
            return Ok(State::Failed);
        }
        (State::Sent | State::Skipped, _) => return Err(ReportError::Conflict(m.state)),
        _ if final_failure => return Err(ReportError::Conflict(m.state)),
        _ => {}
    }
    let stamp = time::millis(now);
    let (state, reason, due, attempt) = match outcome {
        Reported::Sent => (State::Sent, "sent by WooCommerce".to_owned(), None, true),
        Reported::Disabled => (
            State::Skipped,
            "switched off in WooCommerce".to_owned(),
            None,
            false,
        ),
        Reported::Failed => {
            let attempts = m.attempts + 1;
            let reason = failed_reason(detail);
            if attempts >= MAX_ATTEMPTS {
                (
                    State::Failed,
                    format!("{reason} (gave up after {attempts} attempts)"),
                    None,
                    true,
                )
            } else {
                // 1, 2, 4, 8 minutes.
                let wait = SignedDuration::from_mins(1 << (attempts - 1).clamp(0, 6));
                (State::Failed, reason, Some(time::millis(now + wait)), true)
            }
        }
    };
    store::update(
        conn,
        id,
        &Update {
            state,
            reason: &reason,
            due_at: due.as_ref().map(|d| d.as_str()),
            add_attempt: attempt,
            sent: state == State::Sent,
            clear_lease: true,
            now: &stamp,
        },
    )?;
    Ok(state)
}
