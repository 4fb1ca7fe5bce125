//! The support metrics, defined once here and in docs/support.md:
//!
//! - **First response time**: from the customer's first message of a request to the first
//!   public staff reply. Internal notes never count, nor does anything aftercare sends on
//!   its own (the `support_reply` e-mail carries a reply; it is not one).
//! - **Resolution time**: from the customer's first message to the *last* time the request
//!   was marked solved, for requests solved now: reopenings extend it.
//!
//! Both are measured in wall-clock seconds and in business seconds: only time on the
//! shop's business days (its calendar's weekend and holidays, in its time zone) and inside
//! its support hours counts.
//!
//! A set of durations is summarised by its median and 90th percentile, both by the
//! **nearest-rank** method: sorted ascending, the p-th percentile of n values is the value
//! at rank ⌈p/100 × n⌉ (1-based). Every reported figure is thus one of the measured
//! durations (for an even count the median is the lower middle value); with no values both
//! are absent.

use jiff::civil::{Date, Time};
use jiff::{Timestamp, Zoned};
use serde::Serialize;
use utoipa::ToSchema;

use super::settings::Hours;
use crate::tracking::calendar::Calendar;

/// Longest span walked day by day (about 30 years): a guard against absurd inputs.
const MAX_DAYS: usize = 11_000;

/// The instant local `date` reaches `minutes` after midnight (1440: the next midnight).
fn at(cal: &Calendar, date: Date, minutes: u16) -> Option<Timestamp> {
    let (date, minutes) = if minutes >= 1440 {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, minutes)
    };
    let time = Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).ok()?;
    let zoned: Zoned = date
        .to_datetime(time)
        .to_zoned(cal.time_zone().clone())
        .ok()?;
    Some(zoned.timestamp())
}

/// Seconds between `from` and `to` that fall inside `hours` on a business day of `cal`;
/// 0 when `to` is not after `from`.
pub fn business_seconds(cal: &Calendar, hours: Hours, from: Timestamp, to: Timestamp) -> i64 {
    if to <= from {
        return 0;
    }
    let mut date = cal.local(from).date();
    let last = cal.local(to).date();
    let mut total = 0;
    for _ in 0..MAX_DAYS {
        if cal.is_business_day(date)
            && let (Some(open), Some(close)) =
                (at(cal, date, hours.start), at(cal, date, hours.end))
        {
            let (start, end) = (open.max(from), close.min(to));
            if end > start {
                total += end.duration_since(start).as_secs();
            }
        }
        if date >= last {
            break;
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    total
}

/// Wall-clock seconds from `from` to `to` (0 if `to` is earlier).
pub fn wall_seconds(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs().max(0)
}

/// The p-th percentile of `sorted` (ascending) by the nearest-rank method.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    // ⌈p·n/100⌉, at least rank 1.
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    Some(sorted[(rank - 1) as usize])
}

/// One measured duration, both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub wall: i64,
    pub business: i64,
}

impl Duration {
    pub fn between(cal: &Calendar, hours: Hours, from: Timestamp, to: Timestamp) -> Duration {
        Duration {
            wall: wall_seconds(from, to),
            business: business_seconds(cal, hours, from, to),
        }
    }
}

/// Median and P90 of a set of durations, in wall-clock and business seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = MetricSummary)]
pub struct Summary {
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    pub median_business_seconds: Option<i64>,
    pub p90_business_seconds: Option<i64>,
    /// How many requests were measured.
    pub count: u64,
}

impl Summary {
    pub fn of(durations: &[Duration]) -> Summary {
        let mut wall: Vec<i64> = durations.iter().map(|d| d.wall).collect();
        let mut business: Vec<i64> = durations.iter().map(|d| d.business).collect();
        wall.sort_unstable();
        business.sort_unstable();
        Summary {
            median_seconds: nearest_rank(&wall, 50),
            p90_seconds: nearest_rank(&wall, 90),
            median_business_seconds: nearest_rank(&business, 50),
            p90_business_seconds: nearest_rank(&business, 90),
            count: durations.len() as u64,
        }
    }
}

/// The moments of one request the metrics are taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub first_customer_message: Timestamp,
    /// The first public staff reply, if there was one.
    pub first_response: Option<Timestamp>,
    /// The last time it was solved, if it is solved now.
    pub last_solve: Option<Timestamp>,
}

impl Timeline {
    pub fn first_response(&self, cal: &Calendar, hours: Hours) -> Option<Duration> {
        self.first_response
            .map(|at| Duration::between(cal, hours, self.first_customer_message, at))
    }

    pub fn resolution(&self, cal: &Calendar, hours: Hours) -> Option<Duration> {
        self.last_solve
            .map(|at| Duration::between(cal, hours, self.first_customer_message, at))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use jiff::civil::Weekday;
    use jiff::tz::TimeZone;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Seoul, Saturday and Sunday off, Christmas a holiday, 09:00-18:00.
    fn seoul() -> (Calendar, Hours) {
        (
            Calendar::new(
                TimeZone::get("Asia/Seoul").unwrap(),
                vec![Weekday::Saturday, Weekday::Sunday],
                BTreeSet::from(["2026-12-25".parse().unwrap()]),
            ),
            Hours::parse("09:00-18:00").unwrap(),
        )
    }

    #[test]
    fn business_seconds_count_only_support_hours_on_business_days() {
        let (cal, hours) = seoul();
        // Thursday 24 Dec 17:00 KST to Monday 28 Dec 10:00 KST: one hour on Thursday,
        // nothing on Christmas or the weekend, one hour on Monday.
        let from = ts("2026-12-24T08:00:00Z");
        let to = ts("2026-12-28T01:00:00Z");
        assert_eq!(business_seconds(&cal, hours, from, to), 2 * 3600);
        assert_eq!(wall_seconds(from, to), 89 * 3600);
        // Inside one working day.
        assert_eq!(
            business_seconds(
                &cal,
                hours,
                ts("2026-12-22T01:00:00Z"),
                ts("2026-12-22T01:30:05Z")
            ),
            1805
        );
        // Before opening to after closing: the whole nine hours.
        assert_eq!(
            business_seconds(
                &cal,
                hours,
                ts("2026-12-21T20:00:00Z"),
                ts("2026-12-22T12:00:00Z")
            ),
            9 * 3600
        );
        // Asked on Saturday, answered on Sunday: no business time at all.
        assert_eq!(
            business_seconds(
                &cal,
                hours,
                ts("2026-12-26T02:00:00Z"),
                ts("2026-12-27T05:00:00Z")
            ),
            0
        );
        // Backwards is nothing.
        assert_eq!(business_seconds(&cal, hours, to, from), 0);
        // Round the clock on business days only.
        let all_day = Hours::parse("00:00-24:00").unwrap();
        assert_eq!(
            business_seconds(&cal, all_day, from, to),
            7 * 3600 + 10 * 3600
        );
    }

    #[test]
    fn daylight_saving_days_have_their_real_length() {
        // New York springs forward on Sunday 8 March 2026. With a Friday-Saturday weekend
        // that Sunday is a business day of 23 hours, then Monday until noon.
        let cal = Calendar::new(
            TimeZone::get("America/New_York").unwrap(),
            vec![Weekday::Friday, Weekday::Saturday],
            BTreeSet::new(),
        );
        let all_day = Hours::parse("00:00-24:00").unwrap();
        let sat = ts("2026-03-07T17:00:00Z"); // Saturday 12:00 EST
        let mon_noon = ts("2026-03-09T16:00:00Z"); // Monday 12:00 EDT
        assert_eq!(
            business_seconds(&cal, all_day, sat, mon_noon),
            23 * 3600 + 12 * 3600
        );
        assert_eq!(wall_seconds(sat, mon_noon), 47 * 3600);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        // n = 4: median rank ⌈2⌉ = 2 (the lower middle), P90 rank ⌈3.6⌉ = 4.
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 90), Some(4));
        // n = 10: P90 rank 9; n = 11: P90 rank ⌈9.9⌉ = 10; median rank 6.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
        assert_eq!(nearest_rank(&eleven, 50), Some(6));
    }

    #[test]
    fn a_summary_sorts_each_measure_on_its_own() {
        let s = Summary::of(&[
            Duration {
                wall: 300,
                business: 0,
            },
            Duration {
                wall: 100,
                business: 100,
            },
            Duration {
                wall: 200,
                business: 50,
            },
        ]);
        assert_eq!(
            s,
            Summary {
                median_seconds: Some(200),
                p90_seconds: Some(300),
                median_business_seconds: Some(50),
                p90_business_seconds: Some(100),
                count: 3,
            }
        );
        assert_eq!(Summary::of(&[]).median_seconds, None);
    }

    #[test]
    fn resolution_runs_to_the_last_solve() {
        let (cal, hours) = seoul();
        let t = Timeline {
            first_customer_message: ts("2026-12-22T01:00:00Z"),
            first_response: Some(ts("2026-12-22T02:00:00Z")),
            last_solve: Some(ts("2026-12-23T01:00:00Z")),
        };
        assert_eq!(
            t.first_response(&cal, hours),
            Some(Duration {
                wall: 3600,
                business: 3600
            })
        );
        assert_eq!(
            t.resolution(&cal, hours),
            Some(Duration {
                wall: 86_400,
                business: 9 * 3600
            })
        );
        let unanswered = Timeline {
            first_response: None,
            last_solve: None,
            ..t
        };
        assert_eq!(unanswered.first_response(&cal, hours), None);
        assert_eq!(unanswered.resolution(&cal, hours), None);
    }
}
