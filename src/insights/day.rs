//! Days as the figures count them: the shop's local calendar day, numbered from
//! 1970-01-01, so that a range is two integers and a month is the number of its first day.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::tracking::calendar::Calendar;

const EPOCH: Date = jiff::civil::date(1970, 1, 1);

/// A local day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    pub fn of_date(date: Date) -> Day {
        // Civil dates span ±9999 years: always fits.
        Day(EPOCH.until(date).map_or(0, |span| span.get_days()))
    }

    /// The shop's local day of `at`.
    pub fn of(at: Timestamp, cal: &Calendar) -> Day {
        Day::of_date(cal.local(at).date())
    }

    /// The day of a stored RFC 3339 time, if it reads.
    pub fn of_text(text: &str, cal: &Calendar) -> Option<Day> {
        crate::time::parse(text).map(|at| Day::of(at, cal))
    }

    pub fn date(self) -> Date {
        EPOCH
            .checked_add(jiff::Span::new().days(i64::from(self.0)))
            .unwrap_or(EPOCH)
    }

    pub fn plus(self, days: i32) -> Day {
        Day(self.0.saturating_add(days))
    }

    /// The first day of this day's month.
    pub fn month_start(self) -> Day {
        Day::of_date(self.date().first_of_month())
    }

    /// The first day of the next month.
    pub fn next_month(self) -> Day {
        let first = self.date().first_of_month();
        Day::of_date(
            first
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(first),
        )
    }

    /// The Monday starting this day's week (ISO weeks).
    pub fn week_start(self) -> Day {
        let offset = self.date().weekday().to_monday_zero_offset();
        Day(self.0 - i32::from(offset))
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.date())
    }
}

/// The days `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Day,
    pub until: Day,
}

impl Range {
    /// `first` to `last`, both included.
    pub fn days(first: Date, last: Date) -> Range {
        Range {
            from: Day::of_date(first),
            until: Day::of_date(last).plus(1),
        }
    }

    pub fn len(&self) -> i64 {
        i64::from(self.until.0) - i64::from(self.from.0)
    }

    pub fn is_empty(&self) -> bool {
        self.until <= self.from
    }

    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && day < self.until
    }

    /// The last day included.
    pub fn last(&self) -> Day {
        self.until.plus(-1)
    }

    /// The range cut where whole months begin and end: the days before the first whole
    /// month, the whole months, and the days after the last one. Counters keep a row per
    /// month too, so a year reads about twelve rows per key instead of 365.
    pub fn split_months(&self) -> (Range, Range, Range) {
        let first_whole = if self.from == self.from.month_start() {
            self.from
        } else {
            self.from.next_month()
        };
        let last_whole_end = self.until.month_start();
        if first_whole >= last_whole_end {
            let none = Range {
                from: self.until,
                until: self.until,
            };
            return (*self, none, none);
        }
        (
            Range {
                from: self.from,
                until: first_whole,
            },
            Range {
                from: first_whole,
                until: last_whole_end,
            },
            Range {
                from: last_whole_end,
                until: self.until,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn days_count_from_1970_and_back() {
        assert_eq!(Day::of_date(date(1970, 1, 1)), Day(0));
        assert_eq!(Day::of_date(date(1970, 2, 1)), Day(31));
        let d = Day::of_date(date(2026, 12, 3));
        assert_eq!(d.date(), date(2026, 12, 3));
        assert_eq!(d.month_start().date(), date(2026, 12, 1));
        assert_eq!(d.next_month().date(), date(2027, 1, 1));
        // 2026-12-03 is a Thursday.
        assert_eq!(d.week_start().date(), date(2026, 11, 30));
    }

    #[test]
    fn a_local_day_is_the_shops() {
        let seoul = Calendar::default().in_zone(&jiff::tz::TimeZone::get("Asia/Seoul").unwrap());
        let at: Timestamp = "2026-03-31T15:30:00Z".parse().unwrap();
        assert_eq!(Day::of(at, &seoul).date(), date(2026, 4, 1));
        assert_eq!(Day::of(at, &Calendar::default()).date(), date(2026, 3, 31));
    }

    #[test]
    fn ranges_split_at_whole_months() {
        let r = Range::days(date(2026, 1, 15), date(2026, 4, 10));
        let (head, months, tail) = r.split_months();
        assert_eq!(
            (head.from.date(), head.until.date()),
            (date(2026, 1, 15), date(2026, 2, 1))
        );
        assert_eq!(
            (months.from.date(), months.until.date()),
            (date(2026, 2, 1), date(2026, 4, 1))
        );
        assert_eq!(
            (tail.from.date(), tail.until.date()),
            (date(2026, 4, 1), date(2026, 4, 11))
        );
        // Within one month: all days.
        let r = Range::days(date(2026, 1, 2), date(2026, 1, 30));
        let (head, months, tail) = r.split_months();
        assert_eq!(head, r);
        assert!(months.is_empty() && tail.is_empty());
        // Exactly whole months.
        let r = Range::days(date(2026, 1, 1), date(2026, 12, 31));
        let (head, months, tail) = r.split_months();
        assert!(head.is_empty() && tail.is_empty());
        assert_eq!(months, r);
    }
}
