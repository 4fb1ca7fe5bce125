//! When a parcel should arrive: the carrier's own estimate when an event gave one, else the
//! shipping day plus the carrier's usual transit time in business days.

use jiff::Timestamp;

use super::calendar::Calendar;
use super::settings::TrackingSettings;
use super::status::ParcelStatus;

/// What an estimate is made from.
#[derive(Debug, Clone, Copy)]
pub struct EtaInput<'a> {
    pub carrier: &'a str,
    pub status: ParcelStatus,
    pub shipped_at: Option<Timestamp>,
    /// The newest estimate a carrier event carried.
    pub carrier_eta: Option<Timestamp>,
}

/// The end of the day the parcel is expected by, or `None` once it has arrived, went back,
/// or is stuck with no estimate from the carrier. `cal` is the store's calendar
/// ([`TrackingSettings::calendar`]): the shipping day and the end of day are its.
pub fn estimate(
    input: EtaInput<'_>,
    settings: &TrackingSettings,
    cal: &Calendar,
) -> Option<Timestamp> {
    match input.status {
        ParcelStatus::Delivered | ParcelStatus::Returned => None,
        _ if input.carrier_eta.is_some() => input.carrier_eta,
        ParcelStatus::Exception => None,
        _ => {
            let shipped = cal.local(input.shipped_at?).date();
            let due = cal.add_business_days(shipped, settings.transit_days(input.carrier));
            Some(cal.end_of_day(due))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StoreId;
    use crate::tracking::settings::{FileTracking, build};

    fn seoul() -> TrackingSettings {
        let file: FileTracking = toml::from_str(
            "timezone = \"Asia/Seoul\"\nholidays = [\"2026-11-23\"]\n[transit_days]\nups = 3",
        )
        .unwrap();
        build(file, &[&StoreId::test("default")]).unwrap()
    }

    /// `tracking.timezone` is Asia/Seoul, so the store's zone does not matter.
    fn estimate(input: EtaInput<'_>, s: &TrackingSettings) -> Option<Timestamp> {
        super::estimate(input, s, &s.calendar(&jiff::tz::TimeZone::UTC))
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn transit_days_count_business_days_in_the_store_zone() {
        let s = seoul();
        let input = |carrier, shipped| EtaInput {
            carrier,
            status: ParcelStatus::InTransit,
            shipped_at: Some(ts(shipped)),
            carrier_eta: None,
        };
        // Shipped Friday 20 Nov (KST); CJ takes 2 business days; Monday 23 is a holiday:
        // Tuesday, Wednesday -> end of Wednesday 25 Nov KST.
        assert_eq!(
            estimate(input("cj-logistics", "2026-11-20T02:00:00Z"), &s),
            Some(ts("2026-11-25T14:59:59Z"))
        );
        // 23:30 UTC Friday is already Saturday in Seoul: Tue, Wed.
        assert_eq!(
            estimate(input("cj-logistics", "2026-11-20T23:30:00Z"), &s),
            Some(ts("2026-11-25T14:59:59Z"))
        );
        // The configured override wins over the registry's 5 days.
        assert_eq!(
            estimate(input("ups", "2026-11-16T02:00:00Z"), &s),
            Some(ts("2026-11-19T14:59:59Z"))
        );
        // Custom carriers use default_transit_days (5).
        assert_eq!(
            estimate(input("custom", "2026-11-16T02:00:00Z"), &s),
            Some(ts("2026-11-24T14:59:59Z"))
        );
    }

    #[test]
    fn the_carriers_estimate_wins_and_arrival_ends_it() {
        let s = seoul();
        let mut input = EtaInput {
            carrier: "ups",
            status: ParcelStatus::InTransit,
            shipped_at: Some(ts("2026-11-16T02:00:00Z")),
            carrier_eta: Some(ts("2026-11-27T09:00:00Z")),
        };
        assert_eq!(estimate(input, &s), Some(ts("2026-11-27T09:00:00Z")));
        input.status = ParcelStatus::Delivered;
        assert_eq!(estimate(input, &s), None);
        input.status = ParcelStatus::Exception;
        input.carrier_eta = None;
        assert_eq!(estimate(input, &s), None);
        input.status = ParcelStatus::Shipped;
        input.shipped_at = None;
        assert_eq!(estimate(input, &s), None);
    }
}
