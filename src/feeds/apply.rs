//! A provider's picture of a parcel, applied: its events recorded through tracking (which
//! deduplicates them and lets the newest by time decide the status, so an older event
//! joins the history without moving the parcel back), the provider's ETA set on the
//! newest event, the order's state and alerts re-derived, and the subscription's state and
//! next poll written, all in the caller's transaction.
//!
//! A provider that answers "not found" or "expired" for a parcel, with nothing newer, for
//! `stale_after_days` has lost it: the feed turns `stale` (no more polling) and tracking
//! is told the carrier went silent, which its delay rules raise as `carrier_silent`. A
//! newer carrier event (pushed, polled, or posted by staff) clears it.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::FeedSettings;
use super::adapter::{Eta, FeedState, Inbound, Provider, Snapshot};
use super::schedule::{self, Next, ParcelNow};
use super::store::{self, Checked, DueParcel, SubscriptionRow};
use crate::ids::StoreId;
use crate::store::StoreError;
use crate::time;
use crate::tracking::calendar::Calendar;
use crate::tracking::eta::{self, EtaInput};
use crate::tracking::status::ParcelStatus;
use crate::tracking::store::shipments::{self, NewEvent, ShipmentRow};
use crate::tracking::{TrackingSettings, alerts, derive};

/// A provider's clock may run ahead of aftercare's this much; later events wait.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// What applying reads besides the database: the feed and tracking settings and the
/// store's time zone.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub feeds: &'a FeedSettings,
    pub tracking: &'a TrackingSettings,
    pub zone: &'a TimeZone,
}

/// What one push came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushApplied {
    /// Subscriptions the push concerned (0: a number aftercare does not follow).
    pub parcels: usize,
    /// Events new to aftercare.
    pub new_events: usize,
    /// When each of them happened (their lag is their arrival minus this).
    pub new_event_times: Vec<Timestamp>,
}

/// Applies a verified push of `provider` for `store_id`.
pub fn push(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    inbound: &Inbound,
    rules: Rules<'_>,
    now: Timestamp,
) -> Result<PushApplied, StoreError> {
    let number = match inbound {
        Inbound::Snapshot(s) => &s.number,
        Inbound::Stopped { number } | Inbound::Refetch { number, .. } => number,
    };
    let subs = store::by_number(conn, store_id, provider, number)?;
    let mut new_event_times = Vec::new();
    for sub in &subs {
        match inbound {
            Inbound::Snapshot(snap) => {
                new_event_times.extend(snapshot(conn, sub, snap, rules, now)?);
            }
            Inbound::Stopped { .. } => provider_stopped(conn, sub, rules, now)?,
            Inbound::Refetch { .. } => fetch_soon(conn, sub, rules.feeds, now)?,
        }
    }
    Ok(PushApplied {
        parcels: subs.len(),
        new_events: new_event_times.len(),
        new_event_times,
    })
}

/// A hint that the provider has news: the parcel is polled at the poller's next pass, but
/// never sooner after its last check than the shortest interval allows (the hint is
/// unsigned, and anyone could send it).
pub fn fetch_soon(
    conn: &Connection,
    sub: &SubscriptionRow,
    feeds: &FeedSettings,
    now: Timestamp,
) -> Result<(), StoreError> {
    let shortest = SignedDuration::try_from(feeds.poll_interval).unwrap_or(SignedDuration::ZERO);
    let earliest = sub
        .last_checked_at
        .as_deref()
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t + shortest)
        .filter(|t| *t > now)
        .unwrap_or(now);
    store::poll_soon(conn, sub.id, &time::millis(earliest), &time::millis(now))?;
    Ok(())
}

/// The provider stopped following the number on its own: over when the parcel arrived,
/// stale when it never did (and then the carrier is silent, for tracking's alerts).
pub fn provider_stopped(
    conn: &Connection,
    sub: &SubscriptionRow,
    rules: Rules<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let arrived = shipments::find(conn, &sub.store_id, sub.shipment_id)?
        .is_some_and(|s| matches!(s.status.as_str(), "delivered" | "returned"));
    let state = if arrived {
        FeedState::Stopped
    } else {
        FeedState::Stale
    };
    store::set_state(
        conn,
        sub.id,
        state,
        (!arrived).then_some("the provider stopped tracking before delivery"),
        &time::millis(now),
    )?;
    if !arrived {
        carrier_silent(conn, sub, now, rules, now)?;
    }
    Ok(())
}

/// Tells tracking that the parcel's carrier went silent at `at`, and re-evaluates the
/// order's alerts (a parcel already marked is left as it is: one alert, not two).
fn carrier_silent(
    conn: &Connection,
    sub: &SubscriptionRow,
    at: Timestamp,
    rules: Rules<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let stamp = time::millis(now);
    if shipments::set_carrier_silent(conn, sub.shipment_id, Some(&time::seconds(at)), &stamp)? {
        alerts::evaluate_order(
            conn,
            &sub.store_id,
            sub.order_id,
            rules.tracking,
            rules.zone,
            now,
        )?;
    }
    Ok(())
}

/// Applies `snap` to one subscription; returns when each of its new events happened.
pub fn snapshot(
    conn: &Connection,
    sub: &SubscriptionRow,
    snap: &Snapshot,
    rules: Rules<'_>,
    now: Timestamp,
) -> Result<Vec<Timestamp>, StoreError> {
    let Rules {
        feeds,
        tracking,
        zone,
    } = rules;
    let stamp = time::millis(now);
    let cal = tracking.calendar(zone);
    let Some(shipment) =
        shipments::find(conn, &sub.store_id, sub.shipment_id)?.filter(|s| s.removed_at.is_none())
    else {
        // The parcel went away; its follow job stops the subscription.
        return Ok(Vec::new());
    };
    let mut new_times = Vec::new();
    let mut newest: Option<(Timestamp, u64)> = None;
    for event in snap
        .events
        .iter()
        .filter(|e| e.occurred_at <= now + CLOCK_SKEW)
    {
        let occurred_at = time::seconds(event.occurred_at);
        let (event_id, created) = shipments::add_event(
            conn,
            shipment.id,
            &NewEvent {
                status: event.status.as_str(),
                occurred_at: &occurred_at,
                location: &event.location,
                description: &event.description,
                eta: None,
            },
            &stamp,
        )?;
        if created {
            new_times.push(event.occurred_at);
            store::event_flags(conn, event_id, event.pickup_ready, event.attempt_failed)?;
        }
        if newest.is_none_or(|(at, _)| event.occurred_at >= at) {
            newest = Some((event.occurred_at, event_id));
        }
    }
    let mut eta_changed = false;
    if let (Some(eta), Some((_, event_id))) = (snap.eta, newest) {
        let at = match eta {
            Eta::At(at) => at,
            Eta::Day(day) => cal.end_of_day(day),
        };
        eta_changed =
            shipments::set_event_eta(conn, shipment.id, event_id, &time::seconds(at), &stamp)?;
    }
    let new_events = new_times.len();
    if new_events > 0 || eta_changed {
        derive::refresh_state(conn, &sub.store_id, shipment.order_id, &stamp)?;
        alerts::evaluate_order(conn, &sub.store_id, shipment.order_id, tracking, zone, now)?;
    }
    let mut state = match (sub.state(), snap.state) {
        // A parcel with events is no longer waiting for its carrier, whatever the
        // provider's latest status lags behind.
        (_, Some(FeedState::AwaitingCarrier)) if newest.is_some() => FeedState::Subscribed,
        // "Expired": followed, silent; stale only once that has lasted (below).
        (_, Some(FeedState::Stale)) => FeedState::Subscribed,
        (_, Some(state)) => state,
        (FeedState::Pending | FeedState::Rejected, None) => FeedState::Subscribed,
        (current, None) => current,
    };
    // How long the provider has had nothing: "expired", or "not found" without events.
    let says_silent = match snap.state {
        Some(FeedState::Stale) => true,
        Some(FeedState::AwaitingCarrier) => newest.is_none(),
        _ => false,
    };
    let since = sub.silent_since.as_deref().and_then(time::parse);
    let spoke_since = |at: Timestamp| new_times.iter().any(|t| *t > at);
    let silent_since = match since {
        _ if !says_silent && (snap.state.is_some() || new_events > 0) => None,
        Some(at) if says_silent && spoke_since(at) => Some(now),
        None if says_silent => Some(now),
        kept => kept,
    };
    if silent_since != since {
        store::set_silent_since(conn, sub.id, silent_since.map(time::millis).as_deref())?;
    }
    if let Some(at) = silent_since {
        let stale_at = SignedDuration::try_from(feeds.stale_after)
            .ok()
            .and_then(|wait| at.checked_add(wait).ok());
        if let Some(stale_at) = stale_at.filter(|t| now >= *t) {
            state = FeedState::Stale;
            carrier_silent(conn, sub, stale_at, rules, now)?;
        }
    }
    // The schedule reads the parcel's status, event times and ETA: read again only when
    // this snapshot changed them (a repeated push changes nothing).
    let parcel = if new_events > 0 || eta_changed {
        shipments::find(conn, &sub.store_id, shipment.id)?.unwrap_or(shipment)
    } else {
        shipment
    };
    let next = next_poll(state, &parcel, feeds, tracking, &cal, now);
    let last_event = newest.map(|(at, _)| time::seconds(at));
    store::checked(
        conn,
        sub.id,
        &Checked {
            state,
            carrier_code: snap.carrier_code.as_deref(),
            last_event_at: last_event.as_deref(),
            next_poll_at: next.as_deref(),
        },
        &stamp,
    )?;
    Ok(new_times)
}

/// When to poll a subscription next, as stored (`None`: never). A parcel whose tracking
/// is over is due now, so that the poller stops it.
pub fn next_poll(
    state: FeedState,
    parcel: &ShipmentRow,
    feeds: &FeedSettings,
    tracking: &TrackingSettings,
    cal: &Calendar,
    now: Timestamp,
) -> Option<String> {
    match schedule::next(
        state,
        &parcel_now(parcel, tracking, cal),
        now,
        end_of_today(cal, now),
        feeds.poll_interval,
        feeds.stop_after_delivery,
    ) {
        Next::Poll(at) => Some(time::millis(at).into()),
        Next::Stop => Some(time::millis(now).into()),
        Next::Never => None,
    }
}

/// A stored parcel as the schedule reads it; `cal` is the store's calendar.
pub fn parcel_now(parcel: &ShipmentRow, tracking: &TrackingSettings, cal: &Calendar) -> ParcelNow {
    schedule_input(
        ScheduleColumns {
            carrier: &parcel.carrier,
            status: &parcel.status,
            shipped_at: parcel.shipped_at.as_deref(),
            last_event_at: parcel.last_event_at.as_deref(),
            carrier_eta: parcel.carrier_eta.as_deref(),
            delivered_at: parcel.delivered_at.as_deref(),
        },
        tracking,
        cal,
    )
}

/// A due parcel, as read with its subscription, as the schedule reads it.
pub fn due_parcel_now(
    parcel: &DueParcel,
    tracking: &TrackingSettings,
    cal: &Calendar,
) -> ParcelNow {
    schedule_input(
        ScheduleColumns {
            carrier: &parcel.carrier,
            status: &parcel.status,
            shipped_at: parcel.shipped_at.as_deref(),
            last_event_at: parcel.last_event_at.as_deref(),
            carrier_eta: parcel.carrier_eta.as_deref(),
            delivered_at: parcel.delivered_at.as_deref(),
        },
        tracking,
        cal,
    )
}

/// The stored parcel columns the schedule depends on.
struct ScheduleColumns<'a> {
    carrier: &'a str,
    status: &'a str,
    shipped_at: Option<&'a str>,
    last_event_at: Option<&'a str>,
    carrier_eta: Option<&'a str>,
    delivered_at: Option<&'a str>,
}

fn schedule_input(
    p: ScheduleColumns<'_>,
    tracking: &TrackingSettings,
    cal: &Calendar,
) -> ParcelNow {
    // As `alerts::parcel_status` and `alerts::parcel_eta` read a parcel row.
    let status = ParcelStatus::parse(p.status).unwrap_or(ParcelStatus::Shipped);
    let last_event_at = p.last_event_at.and_then(time::parse);
    ParcelNow {
        status,
        eta: eta::estimate(
            EtaInput {
                carrier: p.carrier,
                status,
                shipped_at: p.shipped_at.and_then(time::parse),
                carrier_eta: p.carrier_eta.and_then(time::parse),
            },
            tracking,
            cal,
        ),
        last_event_at,
        ended_at: p.delivered_at.and_then(time::parse).or(last_event_at),
    }
}

/// The last instant of today in the store's calendar.
pub fn end_of_today(cal: &Calendar, now: Timestamp) -> Timestamp {
    cal.end_of_day(cal.local(now).date())
}
