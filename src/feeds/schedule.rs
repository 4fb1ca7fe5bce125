//! When to ask the provider about a parcel again. Pushes carry the news; polling is the
//! safety net, so it is sparse: often only where a change is imminent (out for delivery,
//! due today), rarely where nothing happens, never after tracking stopped, and never more
//! often than the configured shortest interval (`AFTERCARE_FEED_POLL_SECONDS`), of which
//! every interval here is a multiple.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::adapter::FeedState;
use crate::tracking::status::ParcelStatus;

/// A parcel as the schedule reads it.
#[derive(Debug, Clone, Copy)]
pub struct ParcelNow {
    pub status: ParcelStatus,
    pub eta: Option<Timestamp>,
    pub last_event_at: Option<Timestamp>,
    /// When it was delivered or returned (its newest event), for the grace period.
    pub ended_at: Option<Timestamp>,
}

/// What the schedule wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Poll(Timestamp),
    /// Tracking is over: stop the subscription.
    Stop,
    /// Nothing to poll (not subscribed, stale, stopped).
    Never,
}

/// A parcel without news for this long is quiet.
const QUIET: SignedDuration = SignedDuration::from_hours(72);

/// How many shortest intervals to wait, by what the parcel is doing.
fn factor(p: &ParcelNow, state: FeedState, end_of_today: Timestamp, now: Timestamp) -> i64 {
    let due_today = p.eta.is_some_and(|eta| eta <= end_of_today);
    if p.status == ParcelStatus::OutForDelivery || (due_today && p.status.is_moving()) {
        return 1;
    }
    if p.status == ParcelStatus::Exception {
        return 2;
    }
    let quiet = p
        .last_event_at
        .is_some_and(|at| now.duration_since(at) > QUIET);
    match (p.status, state) {
        _ if quiet => 24,
        (_, FeedState::AwaitingCarrier) => 12,
        (ParcelStatus::Shipped | ParcelStatus::LabelCreated, _) => 12,
        _ => 6,
    }
}

/// The next step for a subscription in `state` whose parcel stands as `p`, at `now`.
/// `end_of_today` is the last instant of today in the store's time zone; `grace` how long
/// a delivered (or returned) parcel stays subscribed for late events.
pub fn next(
    state: FeedState,
    p: &ParcelNow,
    now: Timestamp,
    end_of_today: Timestamp,
    shortest: Duration,
    grace: Duration,
) -> Next {
    if !state.is_live() {
        return Next::Never;
    }
    let shortest = signed(shortest);
    if matches!(p.status, ParcelStatus::Delivered | ParcelStatus::Returned) {
        let end = p.ended_at.unwrap_or(now) + signed(grace);
        return if now >= end {
            Next::Stop
        } else {
            // One confirming look when the grace period ends.
            Next::Poll(end.max(now + shortest))
        };
    }
    Next::Poll(now + shortest * factor(p, state, end_of_today, now) as i32)
}

/// After a failed or refused request: the shortest interval doubled per failure in a row,
/// up to a day's worth of them, and never sooner than the provider asked.
pub fn backoff(
    now: Timestamp,
    shortest: Duration,
    failures: u32,
    retry_after: Option<Duration>,
) -> Timestamp {
    let shortest = signed(shortest);
    let doubled = shortest * 2i32.saturating_pow(failures.min(10));
    let wait = doubled
        .min(shortest * 24)
        .max(retry_after.map(signed).unwrap_or_default());
    now + wait
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(600);
    const GRACE: Duration = Duration::from_secs(72 * 3600);

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn parcel(status: ParcelStatus) -> ParcelNow {
        ParcelNow {
            status,
            eta: None,
            last_event_at: Some(at("2026-11-23T08:00:00Z")),
            ended_at: None,
        }
    }

    fn poll_in(next: Next, now: Timestamp) -> i64 {
        match next {
            Next::Poll(t) => t.duration_since(now).as_secs() / 600,
            other => panic!("expected a poll, got {other:?}"),
        }
    }

    #[test]
    fn sooner_near_delivery_rarely_when_quiet_never_below_the_shortest_interval() {
        let now = at("2026-11-23T10:00:00Z");
        let tonight = at("2026-11-23T23:59:59Z");
        let next = |p: ParcelNow, state| next(state, &p, now, tonight, MIN, GRACE);
        use FeedState::*;
        use ParcelStatus::*;
        assert_eq!(poll_in(next(parcel(OutForDelivery), Subscribed), now), 1);
        let due_today = ParcelNow {
            eta: Some(at("2026-11-23T20:00:00Z")),
            ..parcel(InTransit)
        };
        assert_eq!(poll_in(next(due_today, Subscribed), now), 1);
        assert_eq!(poll_in(next(parcel(Exception), Subscribed), now), 2);
        assert_eq!(poll_in(next(parcel(InTransit), Subscribed), now), 6);
        assert_eq!(poll_in(next(parcel(LabelCreated), Subscribed), now), 12);
        assert_eq!(poll_in(next(parcel(InTransit), AwaitingCarrier), now), 12);
        let quiet = ParcelNow {
            last_event_at: Some(at("2026-11-19T10:00:00Z")),
            ..parcel(InTransit)
        };
        assert_eq!(poll_in(next(quiet, Subscribed), now), 24);
        for state in [Pending, Stale, Stopped] {
            assert_eq!(
                next(parcel(OutForDelivery), state),
                Next::Never,
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_delivered_parcel_gets_one_look_after_the_grace_period_then_stops() {
        let delivered = ParcelNow {
            ended_at: Some(at("2026-11-23T09:00:00Z")),
            ..parcel(ParcelStatus::Delivered)
        };
        let tonight = at("2026-11-23T23:59:59Z");
        let soon = at("2026-11-23T10:00:00Z");
        assert_eq!(
            next(FeedState::Subscribed, &delivered, soon, tonight, MIN, GRACE),
            Next::Poll(at("2026-11-26T09:00:00Z"))
        );
        let later = at("2026-11-26T09:00:00Z");
        assert_eq!(
            next(
                FeedState::Subscribed,
                &delivered,
                later,
                tonight,
                MIN,
                GRACE
            ),
            Next::Stop
        );
        let no_grace = Duration::ZERO;
        assert_eq!(
            next(
                FeedState::Subscribed,
                &delivered,
                soon,
                tonight,
                MIN,
                no_grace
            ),
            Next::Stop
        );
    }

    #[test]
    fn failures_back_off_exponentially_within_a_day_and_honour_retry_after() {
        let now = at("2026-11-23T10:00:00Z");
        let wait = |failures, retry| {
            backoff(now, MIN, failures, retry)
                .duration_since(now)
                .as_secs()
        };
        assert_eq!(wait(0, None), 600);
        assert_eq!(wait(1, None), 1200);
        assert_eq!(wait(3, None), 4800);
        assert_eq!(wait(30, None), 600 * 24, "capped");
        assert_eq!(wait(0, Some(Duration::from_secs(3600))), 3600);
        assert_eq!(wait(3, Some(Duration::from_secs(5))), 4800);
    }
}
