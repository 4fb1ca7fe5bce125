//! Business days in the store's time zone: weekends and holidays do not count. ETAs and
//! every delay threshold are measured with this calendar. The weekend and holidays are
//! configured once; the zone is the store's (`shop::timezone`), set with [`Calendar::in_zone`].

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

/// Cheap to clone: the configured days are shared.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    weekend: Arc<[Weekday]>,
    holidays: Arc<BTreeSet<Date>>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new(
            TimeZone::UTC,
            vec![Weekday::Saturday, Weekday::Sunday],
            BTreeSet::new(),
        )
    }
}

impl Calendar {
    pub fn new(tz: TimeZone, weekend: Vec<Weekday>, holidays: BTreeSet<Date>) -> Self {
        Self {
            tz,
            weekend: weekend.into(),
            holidays: Arc::new(holidays),
        }
    }

    /// The same business days in another zone (a store's).
    pub fn in_zone(&self, tz: &TimeZone) -> Calendar {
        Calendar {
            tz: tz.clone(),
            ..self.clone()
        }
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The zone, weekend and holidays in one line: figures computed with this calendar
    /// are stale once it changes.
    pub fn fingerprint(&self) -> String {
        let zone = match self.tz.iana_name() {
            Some(name) => name.to_owned(),
            None => format!("{:?}", self.tz),
        };
        format!("{zone}|{:?}|{:?}", self.weekend, self.holidays)
    }

    pub fn local(&self, at: Timestamp) -> Zoned {
        at.to_zoned(self.tz.clone())
    }

    pub fn is_business_day(&self, date: Date) -> bool {
        !self.weekend.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// The `n`th business day after `date` (`date` itself never counts): Friday + 1 is
    /// Monday, Saturday + 1 is Monday too.
    pub fn add_business_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        let mut left = n;
        // A configured calendar always has business days, so this ends; the bound is a guard.
        for _ in 0..(n as usize * 7 + 400) {
            if left == 0 {
                break;
            }
            day = day.tomorrow().unwrap_or(day);
            if self.is_business_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The last instant of `date` in the store's time zone: an ETA means "by the end of".
    pub fn end_of_day(&self, date: Date) -> Timestamp {
        let next = date.tomorrow().unwrap_or(date);
        match next.to_zoned(self.tz.clone()) {
            Ok(start) => start.timestamp() - 1.second(),
            Err(_) => Timestamp::MAX,
        }
    }

    /// When `n` business days have passed since `start`. Time spent on a weekend or holiday
    /// does not count: a start on Saturday counts from Monday 00:00, so Friday 15:00 + 2 is
    /// Tuesday 15:00 and Saturday 10:00 + 2 is Wednesday 00:00.
    pub fn deadline(&self, start: Timestamp, n: u32) -> Timestamp {
        let local = self.local(start);
        let mut date = local.date();
        let mut time = local.time();
        if !self.is_business_day(date) {
            date = self.add_business_days(date, 1);
            time = jiff::civil::Time::midnight();
        }
        let target = self.add_business_days(date, n).to_datetime(time);
        match target.to_zoned(self.tz.clone()) {
            Ok(z) => z.timestamp(),
            Err(_) => Timestamp::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seoul() -> Calendar {
        Calendar::new(
            TimeZone::get("Asia/Seoul").unwrap(),
            vec![Weekday::Saturday, Weekday::Sunday],
            BTreeSet::from(["2026-12-25".parse().unwrap()]),
        )
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let cal = seoul();
        // 2026-11-20 is a Friday.
        assert_eq!(d("2026-11-20").weekday(), Weekday::Friday);
        assert_eq!(cal.add_business_days(d("2026-11-20"), 1), d("2026-11-23"));
        assert_eq!(cal.add_business_days(d("2026-11-21"), 1), d("2026-11-23"));
        assert_eq!(cal.add_business_days(d("2026-11-22"), 1), d("2026-11-23"));
        assert_eq!(cal.add_business_days(d("2026-11-18"), 2), d("2026-11-20"));
        assert_eq!(cal.add_business_days(d("2026-11-18"), 3), d("2026-11-23"));
        assert_eq!(cal.add_business_days(d("2026-11-18"), 0), d("2026-11-18"));
        // Thursday 24 Dec + 1 skips Christmas (Friday) and the weekend.
        assert_eq!(cal.add_business_days(d("2026-12-24"), 1), d("2026-12-28"));
    }

    #[test]
    fn deadlines_keep_the_time_of_day_and_ignore_weekend_time() {
        let cal = seoul();
        // Friday 15:00 KST + 2 business days = Tuesday 15:00 KST.
        assert_eq!(
            cal.deadline(ts("2026-11-20T06:00:00Z"), 2),
            ts("2026-11-24T06:00:00Z")
        );
        // Saturday 10:00 KST counts from Monday 00:00: + 2 = Wednesday 00:00 KST.
        assert_eq!(
            cal.deadline(ts("2026-11-21T01:00:00Z"), 2),
            ts("2026-11-24T15:00:00Z")
        );
        // A Friday 23:30 UTC payment is already Saturday in Seoul.
        assert_eq!(
            cal.deadline(ts("2026-11-20T23:30:00Z"), 1),
            ts("2026-11-23T15:00:00Z")
        );
    }

    #[test]
    fn an_eta_lasts_until_the_end_of_the_local_day() {
        let cal = seoul();
        assert_eq!(cal.end_of_day(d("2026-11-23")), ts("2026-11-23T14:59:59Z"));
        assert_eq!(
            Calendar::default().end_of_day(d("2026-11-23")),
            ts("2026-11-23T23:59:59Z")
        );
    }

    #[test]
    fn a_friday_saturday_weekend_works_too() {
        let cal = Calendar::new(
            TimeZone::UTC,
            vec![Weekday::Friday, Weekday::Saturday],
            BTreeSet::new(),
        );
        // Thursday + 1 is Sunday.
        assert_eq!(cal.add_business_days(d("2026-11-19"), 1), d("2026-11-22"));
    }
}
