//! The delay rules: given what is known about an order and its parcels and what time it
//! is, which alerts should be active. Pure: the clock and the calendar are arguments.
//!
//! Parcels without any carrier event are never called late in transit: without events
//! nothing is known about their progress. Only their ETA can pass, and only when the store
//! opts in (`eta_passed_without_events`): without carrier events such a parcel never shows
//! as delivered, so the alert means "check this one", not "this one is late".

use jiff::Timestamp;

use super::calendar::Calendar;
use super::status::{CLOSED_STATUSES, FULFILLED_STATUSES, ParcelStatus};
use crate::ids::ShipmentId;

/// Thresholds of the delay rules, in business days. A rule given `0` days is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayRules {
    /// Paid (or, cash on delivery, processing) but no parcel after this many business days.
    pub not_shipped_after: u32,
    /// The newest event is `label_created` and no carrier scan follows for this long.
    pub no_scan_after: u32,
    /// In transit (or out for delivery) without a new event for this long.
    pub stalled_after: u32,
    /// Raise an alert when the ETA has passed without delivery...
    pub eta_passed: bool,
    /// ...by this many business days.
    pub eta_grace: u32,
    /// Also for parcels no carrier event was ever recorded for (only a tracking number):
    /// they never show as delivered, so every one of them past its ETA is raised.
    pub eta_passed_without_events: bool,
    /// Raise an alert for `exception` and `returned` events.
    pub exceptions: bool,
}

impl Default for DelayRules {
    fn default() -> Self {
        Self {
            not_shipped_after: 2,
            no_scan_after: 2,
            stalled_after: 3,
            eta_passed: true,
            eta_grace: 0,
            eta_passed_without_events: false,
            exceptions: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertCode {
    /// Paid but no parcel after `not_shipped_after` business days.
    NotShipped,
    /// Label created, no carrier scan after `no_scan_after` business days.
    NoCarrierScan,
    /// No new event for `stalled_after` business days while in transit.
    StalledInTransit,
    /// The ETA passed without delivery.
    EtaPassed,
    /// The carrier reported a delivery problem.
    DeliveryException,
    /// The parcel is going back to the shop.
    ReturnedToSender,
    /// Its tracking feed found nothing of the parcel for days (the provider answered "not
    /// found" or "expired"), or gave up on it before delivery: the carrier may have lost it.
    CarrierSilent,
}

impl AlertCode {
    pub const ALL: [AlertCode; 7] = [
        Self::NotShipped,
        Self::NoCarrierScan,
        Self::StalledInTransit,
        Self::EtaPassed,
        Self::DeliveryException,
        Self::ReturnedToSender,
        Self::CarrierSilent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotShipped => "not_shipped",
            Self::NoCarrierScan => "no_carrier_scan",
            Self::StalledInTransit => "stalled_in_transit",
            Self::EtaPassed => "eta_passed",
            Self::DeliveryException => "delivery_exception",
            Self::ReturnedToSender => "returned_to_sender",
            Self::CarrierSilent => "carrier_silent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// A carrier-reported problem, as opposed to lateness.
    pub fn is_problem(self) -> bool {
        matches!(self, Self::DeliveryException | Self::ReturnedToSender)
    }
}

/// What the rules look at for one order.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub status: String,
    /// Since when the order waits to ship: payment, or creation for a `processing` order
    /// without payment date (cash on delivery). `None` while unpaid.
    pub ready_at: Option<Timestamp>,
    /// It has a shipping line that is not local pickup.
    pub ships: bool,
    /// Its parcels, removed ones left out.
    pub parcels: Vec<ParcelFacts>,
}

#[derive(Debug, Clone)]
pub struct ParcelFacts {
    pub id: ShipmentId,
    pub status: ParcelStatus,
    /// Time of the newest event; `None` before any event.
    pub last_event_at: Option<Timestamp>,
    pub eta: Option<Timestamp>,
    /// When its tracking feed declared the carrier silent; `None` while the carrier speaks
    /// (or no feed follows the parcel).
    pub carrier_silent_at: Option<Timestamp>,
}

/// An alert that should be active: for the order (`shipment_id` `None`) or one parcel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Breach {
    pub shipment_id: Option<ShipmentId>,
    pub code: AlertCode,
    /// When the rule's threshold was crossed.
    pub due_at: Timestamp,
}

/// The alerts that hold at `now`. At most one per parcel: a reported problem first, then
/// a silent carrier, then a missing first scan, then a passed ETA, then a stall.
pub fn evaluate(
    facts: &OrderFacts,
    rules: &DelayRules,
    cal: &Calendar,
    now: Timestamp,
) -> Vec<Breach> {
    let mut out = Vec::new();
    if CLOSED_STATUSES.contains(&facts.status.as_str()) {
        return out;
    }
    if rules.not_shipped_after > 0
        && awaits_shipping(facts)
        && let Some(ready) = facts.ready_at
    {
        let due = cal.deadline(ready, rules.not_shipped_after);
        if now >= due {
            out.push(Breach {
                shipment_id: None,
                code: AlertCode::NotShipped,
                due_at: due,
            });
        }
    }
    for parcel in &facts.parcels {
        if let Some(breach) = parcel_breach(parcel, rules, cal, now) {
            out.push(breach);
        }
    }
    out
}

/// When a passed ETA becomes an alert: the ETA itself, or after `eta_grace` business days.
fn eta_due(eta: Timestamp, rules: &DelayRules, cal: &Calendar) -> Timestamp {
    if rules.eta_grace == 0 {
        eta
    } else {
        cal.deadline(eta, rules.eta_grace)
    }
}

/// Whether a rule can start to hold later without anything else changing: an open order
/// waiting to ship, or a parcel with carrier events still on its way. The sweep looks at
/// these orders only.
///
/// Without the rules at hand (when an order is mirrored), a parcel without events counts:
/// the next sweep looks once, with the rules, through [`still_watched`].
pub fn watchable(order: &OrderFacts) -> bool {
    watched_if(order, |_| true)
}

/// [`watchable`], knowing the rules: a parcel without events is watched only while its
/// opted-in `eta_passed` alert is still to come.
pub fn still_watched(
    order: &OrderFacts,
    rules: &DelayRules,
    cal: &Calendar,
    now: Timestamp,
) -> bool {
    watched_if(order, |p| {
        p.last_event_at.is_some()
            || (rules.eta_passed
                && rules.eta_passed_without_events
                && p.eta.is_some_and(|eta| now <= eta_due(eta, rules, cal)))
    })
}

/// An open order waiting to ship, or with a parcel on its way that `parcel_counts`.
fn watched_if(order: &OrderFacts, parcel_counts: impl Fn(&ParcelFacts) -> bool) -> bool {
    !CLOSED_STATUSES.contains(&order.status.as_str())
        && (awaits_shipping(order)
            || order
                .parcels
                .iter()
                .any(|p| p.status.is_moving() && parcel_counts(p)))
}

/// Whether `not_shipped` may already hold (no threshold is shorter than a business day,
/// which is at least 24 hours): lets ingest skip the evaluation of fresh orders.
pub fn may_be_due(order: &OrderFacts, now: Timestamp) -> bool {
    !CLOSED_STATUSES.contains(&order.status.as_str())
        && awaits_shipping(order)
        && order
            .ready_at
            .is_some_and(|r| now.duration_since(r) >= jiff::SignedDuration::from_hours(24))
}

fn awaits_shipping(order: &OrderFacts) -> bool {
    let status = order.status.as_str();
    order.ships
        && order.ready_at.is_some()
        && order.parcels.is_empty()
        && !FULFILLED_STATUSES.contains(&status)
        && status != "partial-shipped"
}

fn parcel_breach(
    p: &ParcelFacts,
    rules: &DelayRules,
    cal: &Calendar,
    now: Timestamp,
) -> Option<Breach> {
    let breach = |code, due_at| {
        Some(Breach {
            shipment_id: Some(p.id),
            code,
            due_at,
        })
    };
    // The feed's verdict needs no threshold of its own: it waited its `stale_after_days`.
    let silent = p
        .carrier_silent_at
        .filter(|_| p.status.is_moving())
        .and_then(|at| breach(AlertCode::CarrierSilent, at));
    let Some(last) = p.last_event_at else {
        if silent.is_some() {
            return silent;
        }
        return if p.status.is_moving() && rules.eta_passed && rules.eta_passed_without_events {
            p.eta
                .map(|eta| eta_due(eta, rules, cal))
                .filter(|due| now > *due)
                .and_then(|due| breach(AlertCode::EtaPassed, due))
        } else {
            None
        };
    };
    match p.status {
        ParcelStatus::Exception if rules.exceptions => {
            return breach(AlertCode::DeliveryException, last);
        }
        ParcelStatus::Returned if rules.exceptions => {
            return breach(AlertCode::ReturnedToSender, last);
        }
        _ => {}
    }
    if !p.status.is_moving() {
        return None;
    }
    if silent.is_some() {
        return silent;
    }
    // A parcel never scanned: that is the news, whatever its transit-time ETA says.
    if p.status == ParcelStatus::LabelCreated && rules.no_scan_after > 0 {
        let due = cal.deadline(last, rules.no_scan_after);
        if now >= due {
            return breach(AlertCode::NoCarrierScan, due);
        }
    }
    if rules.eta_passed
        && let Some(eta) = p.eta
    {
        let due = eta_due(eta, rules, cal);
        if now > due {
            return breach(AlertCode::EtaPassed, due);
        }
    }
    if matches!(
        p.status,
        ParcelStatus::InTransit | ParcelStatus::OutForDelivery
    ) && rules.stalled_after > 0
    {
        let due = cal.deadline(last, rules.stalled_after);
        if now >= due {
            return breach(AlertCode::StalledInTransit, due);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Weekday;
    use jiff::tz::TimeZone;
    use std::collections::BTreeSet;

    /// Seoul, Saturday/Sunday weekend, Christmas a holiday.
    fn cal() -> Calendar {
        Calendar::new(
            TimeZone::get("Asia/Seoul").unwrap(),
            vec![Weekday::Saturday, Weekday::Sunday],
            BTreeSet::from(["2026-12-25".parse().unwrap()]),
        )
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn order(ready: &str, parcels: Vec<ParcelFacts>) -> OrderFacts {
        OrderFacts {
            status: "processing".into(),
            ready_at: Some(ts(ready)),
            ships: true,
            parcels,
        }
    }

    fn parcel(status: ParcelStatus, last: Option<&str>, eta: Option<&str>) -> ParcelFacts {
        ParcelFacts {
            id: ShipmentId::new(7),
            status,
            last_event_at: last.map(ts),
            eta: eta.map(ts),
            carrier_silent_at: None,
        }
    }

    fn codes(facts: &OrderFacts, now: &str) -> Vec<&'static str> {
        evaluate(facts, &DelayRules::default(), &cal(), ts(now))
            .into_iter()
            .map(|b| b.code.as_str())
            .collect()
    }

    #[test]
    fn not_shipped_counts_business_days_across_the_weekend() {
        // Paid Friday 20 Nov 15:00 KST; 2 business days -> Tuesday 24 Nov 15:00 KST.
        let o = order("2026-11-20T06:00:00Z", vec![]);
        assert!(codes(&o, "2026-11-22T12:00:00Z").is_empty(), "Sunday");
        assert!(
            codes(&o, "2026-11-24T05:59:59Z").is_empty(),
            "Tuesday 14:59"
        );
        assert_eq!(codes(&o, "2026-11-24T06:00:00Z"), ["not_shipped"]);
        let breaches = evaluate(
            &o,
            &DelayRules::default(),
            &cal(),
            ts("2026-11-30T00:00:00Z"),
        );
        assert_eq!(breaches[0].due_at, ts("2026-11-24T06:00:00Z"));
        assert_eq!(breaches[0].shipment_id, None);
    }

    #[test]
    fn a_weekend_payment_starts_counting_on_monday() {
        // Paid Saturday 21 Nov: Monday and Tuesday count -> due Wednesday 00:00 KST.
        let o = order("2026-11-21T03:00:00Z", vec![]);
        assert!(codes(&o, "2026-11-24T14:59:59Z").is_empty());
        assert_eq!(codes(&o, "2026-11-24T15:00:00Z"), ["not_shipped"]);
    }

    #[test]
    fn holidays_do_not_count() {
        // Paid Thursday 24 Dec 10:00 KST; Friday is Christmas -> Mon 28, Tue 29 10:00.
        let o = order("2026-12-24T01:00:00Z", vec![]);
        assert!(codes(&o, "2026-12-28T12:00:00Z").is_empty());
        assert_eq!(codes(&o, "2026-12-29T01:00:00Z"), ["not_shipped"]);
    }

    #[test]
    fn not_shipped_needs_payment_shipping_and_an_open_order() {
        let mut o = order("2026-11-02T00:00:00Z", vec![]);
        let late = "2026-11-20T00:00:00Z";
        assert_eq!(codes(&o, late), ["not_shipped"]);
        o.ships = false;
        assert!(codes(&o, late).is_empty(), "nothing to ship");
        o.ships = true;
        for status in ["completed", "cancelled", "refunded", "partial-shipped"] {
            o.status = status.into();
            assert!(codes(&o, late).is_empty(), "{status}");
        }
        o.status = "on-hold".into();
        o.ready_at = None;
        assert!(codes(&o, late).is_empty(), "unpaid");
        o.status = "processing".into();
        o.ready_at = Some(ts("2026-11-02T00:00:00Z"));
        let rules = DelayRules {
            not_shipped_after: 0,
            ..DelayRules::default()
        };
        assert!(
            evaluate(&o, &rules, &cal(), ts(late)).is_empty(),
            "rule off"
        );
        o.parcels.push(parcel(ParcelStatus::Shipped, None, None));
        assert!(codes(&o, late).is_empty(), "shipped");
    }

    #[test]
    fn a_missing_first_scan_comes_before_a_passed_eta() {
        let o = order(
            "2026-11-10T00:00:00Z",
            vec![parcel(
                ParcelStatus::LabelCreated,
                Some("2026-11-11T01:00:00Z"),
                Some("2026-11-13T14:59:59Z"),
            )],
        );
        assert_eq!(codes(&o, "2026-11-20T00:00:00Z"), ["no_carrier_scan"]);
        let rules = DelayRules {
            no_scan_after: 0,
            ..DelayRules::default()
        };
        let got = evaluate(&o, &rules, &cal(), ts("2026-11-20T00:00:00Z"));
        assert_eq!(got[0].code, AlertCode::EtaPassed, "with the scan rule off");
    }

    #[test]
    fn a_label_without_a_scan() {
        // Label created Friday 20 Nov 18:00 KST; 2 business days -> Tuesday 18:00 KST.
        let o = order(
            "2026-11-19T00:00:00Z",
            vec![parcel(
                ParcelStatus::LabelCreated,
                Some("2026-11-20T09:00:00Z"),
                None,
            )],
        );
        assert!(codes(&o, "2026-11-23T09:00:00Z").is_empty());
        assert_eq!(codes(&o, "2026-11-24T09:00:00Z"), ["no_carrier_scan"]);
    }

    #[test]
    fn a_stall_in_transit_skips_the_weekend() {
        // Last scan Thursday 19 Nov 10:00 KST; 3 business days -> Tuesday 24 Nov 10:00.
        let o = order(
            "2026-11-16T00:00:00Z",
            vec![parcel(
                ParcelStatus::InTransit,
                Some("2026-11-19T01:00:00Z"),
                None,
            )],
        );
        assert!(
            codes(&o, "2026-11-23T23:00:00Z").is_empty(),
            "Monday: only 2"
        );
        assert_eq!(codes(&o, "2026-11-24T01:00:00Z"), ["stalled_in_transit"]);
    }

    #[test]
    fn a_passed_eta_comes_before_a_stall() {
        let p = parcel(
            ParcelStatus::InTransit,
            Some("2026-11-18T01:00:00Z"),
            Some("2026-11-18T14:59:59Z"),
        );
        let o = order("2026-11-13T00:00:00Z", vec![p]);
        assert!(
            codes(&o, "2026-11-18T14:59:59Z").is_empty(),
            "the ETA day itself"
        );
        assert_eq!(codes(&o, "2026-11-18T15:00:00Z"), ["eta_passed"]);
        assert_eq!(
            codes(&o, "2026-11-30T00:00:00Z"),
            ["eta_passed"],
            "one per parcel"
        );
        let rules = DelayRules {
            eta_grace: 1,
            ..DelayRules::default()
        };
        let at = |now| evaluate(&o, &rules, &cal(), ts(now)).len();
        assert_eq!(at("2026-11-19T14:00:00Z"), 0, "one business day of grace");
        assert_eq!(at("2026-11-19T15:00:01Z"), 1);
    }

    #[test]
    fn reported_problems_alert_at_once_and_delivery_clears_everything() {
        let problem = |status| {
            order(
                "2026-11-13T00:00:00Z",
                vec![parcel(
                    status,
                    Some("2026-11-20T01:00:00Z"),
                    Some("2026-11-18T00:00:00Z"),
                )],
            )
        };
        let now = "2026-11-20T01:00:00Z";
        assert_eq!(
            codes(&problem(ParcelStatus::Exception), now),
            ["delivery_exception"]
        );
        assert_eq!(
            codes(&problem(ParcelStatus::Returned), now),
            ["returned_to_sender"]
        );
        assert!(codes(&problem(ParcelStatus::Delivered), "2027-01-01T00:00:00Z").is_empty());
        let rules = DelayRules {
            exceptions: false,
            ..DelayRules::default()
        };
        assert!(evaluate(&problem(ParcelStatus::Exception), &rules, &cal(), ts(now)).is_empty());
    }

    #[test]
    fn only_orders_a_rule_can_still_fire_for_are_watched() {
        let now = ts("2026-11-20T00:00:00Z");
        let mut o = order("2026-11-19T12:00:00Z", vec![]);
        assert!(watchable(&o));
        assert!(!may_be_due(&o, now), "paid 12 hours ago");
        o.ready_at = Some(ts("2026-11-18T23:00:00Z"));
        assert!(may_be_due(&o, now));
        o.status = "cancelled".into();
        assert!(!watchable(&o) && !may_be_due(&o, now));
        o.status = "processing".into();
        o.parcels.push(parcel(
            ParcelStatus::Shipped,
            None,
            Some("2026-11-23T00:00:00Z"),
        ));
        let rules = DelayRules::default();
        assert!(watchable(&o), "until the sweep has looked with the rules");
        assert!(
            !still_watched(&o, &rules, &cal(), now),
            "no carrier events and no opt-in: nothing to watch"
        );
        let opted_in = DelayRules {
            eta_passed_without_events: true,
            ..DelayRules::default()
        };
        assert!(still_watched(&o, &opted_in, &cal(), now), "ETA ahead");
        assert!(
            !still_watched(&o, &opted_in, &cal(), ts("2026-11-24T00:00:00Z")),
            "its alert is raised: time changes nothing more"
        );
        o.parcels[0] = parcel(ParcelStatus::InTransit, Some("2026-11-19T00:00:00Z"), None);
        assert!(watchable(&o) && still_watched(&o, &rules, &cal(), now));
        o.parcels[0].status = ParcelStatus::Delivered;
        assert!(!watchable(&o) && !still_watched(&o, &rules, &cal(), now));
    }

    #[test]
    fn parcels_without_events_are_never_called_late() {
        let o = order(
            "2026-11-02T00:00:00Z",
            vec![parcel(
                ParcelStatus::Shipped,
                None,
                Some("2026-11-05T00:00:00Z"),
            )],
        );
        assert!(codes(&o, "2026-12-01T00:00:00Z").is_empty());

        // Opted in, its passed ETA is raised (and nothing else is: no stall without events).
        let rules = DelayRules {
            eta_passed_without_events: true,
            ..DelayRules::default()
        };
        let raised = |now: &str| -> Vec<&'static str> {
            evaluate(&o, &rules, &cal(), ts(now))
                .into_iter()
                .map(|b| b.code.as_str())
                .collect()
        };
        assert!(raised("2026-11-04T23:00:00Z").is_empty(), "before the ETA");
        assert_eq!(raised("2026-12-01T00:00:00Z"), ["eta_passed"]);
        let mut delivered = o.clone();
        delivered.parcels[0].status = ParcelStatus::Delivered;
        assert!(evaluate(&delivered, &rules, &cal(), ts("2026-12-01T00:00:00Z")).is_empty());
    }
    #[test]
    fn a_silent_carrier_comes_after_a_reported_problem_and_before_lateness() {
        let silent = |status, last: Option<&str>| ParcelFacts {
            carrier_silent_at: Some(ts("2026-11-20T00:00:00Z")),
            ..parcel(status, last, Some("2026-11-18T00:00:00Z"))
        };
        let now = "2026-11-25T00:00:00Z";
        let never_scanned = order(
            "2026-11-10T00:00:00Z",
            vec![silent(ParcelStatus::Shipped, None)],
        );
        assert_eq!(codes(&never_scanned, now), ["carrier_silent"]);
        let breaches = evaluate(&never_scanned, &DelayRules::default(), &cal(), ts(now));
        assert_eq!(
            breaches[0].due_at,
            ts("2026-11-20T00:00:00Z"),
            "when the feed said so"
        );
        let late = order(
            "2026-11-10T00:00:00Z",
            vec![silent(
                ParcelStatus::InTransit,
                Some("2026-11-12T00:00:00Z"),
            )],
        );
        assert_eq!(
            codes(&late, now),
            ["carrier_silent"],
            "over eta_passed and the stall"
        );
        let problem = order(
            "2026-11-10T00:00:00Z",
            vec![silent(
                ParcelStatus::Exception,
                Some("2026-11-12T00:00:00Z"),
            )],
        );
        assert_eq!(codes(&problem, now), ["delivery_exception"]);
        let delivered = order(
            "2026-11-10T00:00:00Z",
            vec![silent(
                ParcelStatus::Delivered,
                Some("2026-11-12T00:00:00Z"),
            )],
        );
        assert!(codes(&delivered, now).is_empty(), "arrived after all");
    }
}
