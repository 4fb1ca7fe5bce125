//! What staff do with deliveries: list them with their log, send a failed one again now,
//! and send a `ping` to every endpoint of the store.

use jiff::Timestamp;
use rand::RngExt as _;

use super::store::{self, DeliveryState};
use super::view::{DeliveryList, DeliveryView, TestEvent};
use crate::ids::{EventDeliveryId, StoreId};
use crate::store::{Db, StoreError};
use crate::time;
use crate::validation::FieldError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("no such delivery")]
    NotFound,
    #[error("the delivery is {}", .0.as_str())]
    NotFailed(DeliveryState),
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The list's query as sent: every value is checked here, all problems reported at once.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub endpoint: Option<String>,
}

struct Checked {
    state: Option<DeliveryState>,
    endpoint: Option<String>,
    limit: u32,
    before: Option<EventDeliveryId>,
}

/// A value that is present and not blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn check(query: &ListQuery) -> Result<Checked, EventsError> {
    let mut fields = Vec::new();
    let state = given(&query.status).and_then(|text| {
        let state = DeliveryState::parse(text);
        if state.is_none() {
            let known: Vec<&str> = DeliveryState::ALL.iter().map(|s| s.as_str()).collect();
            fields.push(FieldError::new(
                "status",
                format!("must be one of {}", known.join(", ")),
            ));
        }
        state
    });
    let limit = match given(&query.limit) {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                fields.push(FieldError::new(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ));
                DEFAULT_LIMIT
            }
        },
    };
    let before = given(&query.cursor).and_then(|text| match text.parse::<i64>() {
        Ok(n) if n > 0 => Some(EventDeliveryId::new(n)),
        _ => {
            fields.push(FieldError::new(
                "cursor",
                "must be the `next_cursor` of the previous page",
            ));
            None
        }
    });
    let endpoint = given(&query.endpoint).and_then(|text| {
        if super::settings::is_endpoint_id(text) {
            Some(text.to_owned())
        } else {
            fields.push(FieldError::new(
                "endpoint",
                "must be an endpoint id: `ep_` and 12 hex digits",
            ));
            None
        }
    });
    if !fields.is_empty() {
        return Err(EventsError::Invalid(fields));
    }
    Ok(Checked {
        state,
        endpoint,
        limit,
        before,
    })
}

/// A page of the store's deliveries, newest first, optionally of one state and one
/// endpoint (its delivery log).
pub async fn list(
    db: &Db,
    store: &StoreId,
    query: &ListQuery,
) -> Result<DeliveryList, EventsError> {
    let Checked {
        state,
        endpoint,
        limit,
        before,
    } = check(query)?;
    let store = store.clone();
    let (records, more) = db
        .read(move |c| store::list(c, &store, state, endpoint.as_deref(), before, limit))
        .await?;
    let next_cursor = more
        .then(|| records.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(DeliveryList {
        deliveries: records.into_iter().map(DeliveryView::from).collect(),
        next_cursor,
    })
}

/// Makes a failed delivery due now for one more attempt (a failure fails it again) and
/// wakes the delivery job.
pub async fn retry(
    db: &Db,
    store: &StoreId,
    id: EventDeliveryId,
) -> Result<DeliveryView, EventsError> {
    let now = time::millis(Timestamp::now());
    let owner = store.clone();
    let before = db
        .writer()
        .write(move |c| {
            let before = store::retry(c, &owner, id, &now)?;
            if before == Some(DeliveryState::Failed) {
                super::wake(c, &owner, &now)?;
            }
            Ok(before)
        })
        .await?;
    match before {
        None => return Err(EventsError::NotFound),
        Some(DeliveryState::Failed) => {}
        Some(state) => return Err(EventsError::NotFailed(state)),
    }
    let store = store.clone();
    let record = db
        .read(move |c| store::get(c, &store, id))
        .await?
        .ok_or(EventsError::NotFound)?;
    Ok(record.into())
}

/// Queues a `ping` to every endpoint of the store.
pub async fn ping(db: &Db, store: &StoreId) -> Result<TestEvent, StoreError> {
    let event_id = format!("evt_ping_{}", hex::encode(rand::rng().random::<[u8; 12]>()));
    let data = serde_json::json!({
        "store": store.as_str(),
        "message": "A test event from aftercare: this endpoint receives its signed events.",
    });
    let (id, store) = (event_id.clone(), store.clone());
    let queued = db
        .writer()
        .write(move |c| {
            Ok(super::publish(
                c,
                &store,
                &id,
                super::settings::PING,
                &data,
                Timestamp::now(),
            )?)
        })
        .await?;
    Ok(TestEvent { event_id, queued })
}
