//! Where a parcel is (from its newest event) and where the whole order is (from its
//! parcels and line items).

use serde::Serialize;
use utoipa::ToSchema;

/// The normalised statuses carriers and the shop push as events.
pub const EVENT_STATUSES: [&str; 6] = [
    "label_created",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "exception",
    "returned",
];

/// A parcel's status: its newest event's, or `shipped` before any event arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParcelStatus {
    /// A tracking number exists; no carrier event has been received.
    Shipped,
    LabelCreated,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
    Returned,
}

impl ParcelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shipped => "shipped",
            Self::LabelCreated => "label_created",
            Self::InTransit => "in_transit",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::Exception => "exception",
            Self::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "shipped" => Self::Shipped,
            "label_created" => Self::LabelCreated,
            "in_transit" => Self::InTransit,
            "out_for_delivery" => Self::OutForDelivery,
            "delivered" => Self::Delivered,
            "exception" => Self::Exception,
            "returned" => Self::Returned,
            _ => return None,
        })
    }

    /// An event status (everything but `shipped`).
    pub fn parse_event(text: &str) -> Option<Self> {
        Self::parse(text).filter(|s| *s != Self::Shipped)
    }

    /// Still travelling towards the customer.
    pub fn is_moving(self) -> bool {
        matches!(
            self,
            Self::Shipped | Self::LabelCreated | Self::InTransit | Self::OutForDelivery
        )
    }

    /// Position on the page's progress bar: 1 shipped, 2 in transit, 3 out for delivery,
    /// 4 delivered (0 is "ordered").
    pub fn step(self) -> usize {
        match self {
            Self::Shipped | Self::LabelCreated => 1,
            Self::InTransit | Self::Exception | Self::Returned => 2,
            Self::OutForDelivery => 3,
            Self::Delivered => 4,
        }
    }
}

/// Order statuses that mean the shop has sent everything, whether or not tracking exists
/// (`delivered`, `shipped` and `partial-shipped` are Advanced Shipment Tracking's).
pub const FULFILLED_STATUSES: [&str; 3] = ["completed", "shipped", "delivered"];
/// Order statuses under which nothing ships any more (or nothing was ever bought).
pub const CLOSED_STATUSES: [&str; 7] = [
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
    "draft",
    "auto-draft",
];

/// What one parcel contributes to the order's delivery state.
#[derive(Debug, Clone)]
pub struct ParcelFacts {
    pub status: ParcelStatus,
    /// (line item id, units); empty when the parcel's contents were not listed.
    pub items: Vec<(u64, i64)>,
}

/// The order's delivery state from its status, its line items `(id, units)` and its
/// parcels (removed ones already left out).
///
/// A parcel whose contents were not listed counts as carrying the whole order, as the
/// tracking plugins treat adding tracking as shipping the order, unless the order is
/// `partial-shipped`. Units in parcels returned to sender count as not shipped.
pub fn delivery_state(
    order_status: &str,
    lines: &[(u64, i64)],
    parcels: &[ParcelFacts],
) -> DeliveryState {
    if order_status == "delivered" {
        return DeliveryState::Delivered;
    }
    if parcels.is_empty() {
        return if FULFILLED_STATUSES.contains(&order_status) {
            DeliveryState::Shipped
        } else {
            DeliveryState::Unfulfilled
        };
    }
    // A parcel returned to sender no longer carries anything: a replacement may.
    let live: Vec<&ParcelFacts> = parcels
        .iter()
        .filter(|p| p.status != ParcelStatus::Returned)
        .collect();
    let returned = live.len() < parcels.len();
    if live.iter().any(|p| p.status == ParcelStatus::Exception) {
        return DeliveryState::Exception;
    }
    let covered = if order_status == "partial-shipped" || live.is_empty() {
        false
    } else if live.iter().any(|p| p.items.is_empty()) {
        true
    } else {
        lines.iter().all(|&(line, bought)| {
            let shipped: i64 = live
                .iter()
                .flat_map(|p| &p.items)
                .filter(|(id, _)| *id == line)
                .map(|(_, q)| q)
                .sum();
            shipped >= bought
        })
    };
    if !covered {
        return if returned {
            DeliveryState::Exception
        } else {
            DeliveryState::PartiallyShipped
        };
    }
    if live.iter().all(|p| p.status == ParcelStatus::Delivered) {
        DeliveryState::Delivered
    } else if live
        .iter()
        .any(|p| p.status == ParcelStatus::OutForDelivery)
    {
        DeliveryState::OutForDelivery
    } else {
        DeliveryState::Shipped
    }
}

/// Where the order's parcels are, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Unfulfilled,
    PartiallyShipped,
    Shipped,
    OutForDelivery,
    Delivered,
    Exception,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unfulfilled => "unfulfilled",
            Self::PartiallyShipped => "partially_shipped",
            Self::Shipped => "shipped",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::Exception => "exception",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "unfulfilled" => Self::Unfulfilled,
            "partially_shipped" => Self::PartiallyShipped,
            "shipped" => Self::Shipped,
            "out_for_delivery" => Self::OutForDelivery,
            "delivered" => Self::Delivered,
            "exception" => Self::Exception,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryState as D;
    use ParcelStatus as P;

    fn parcel(status: P, items: &[(u64, i64)]) -> ParcelFacts {
        ParcelFacts {
            status,
            items: items.to_vec(),
        }
    }

    const LINES: &[(u64, i64)] = &[(1, 1), (2, 2)];

    #[test]
    fn states_follow_parcels_and_items() {
        assert_eq!(delivery_state("processing", LINES, &[]), D::Unfulfilled);
        assert_eq!(delivery_state("completed", LINES, &[]), D::Shipped);
        assert_eq!(delivery_state("delivered", LINES, &[]), D::Delivered);
        let first = parcel(P::InTransit, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, std::slice::from_ref(&first)),
            D::PartiallyShipped
        );
        let second = parcel(P::Delivered, &[(2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, &[first.clone(), second.clone()]),
            D::Shipped
        );
        let out = parcel(P::OutForDelivery, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, &[out, second.clone()]),
            D::OutForDelivery
        );
        let done = parcel(P::Delivered, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("completed", LINES, &[done, second.clone()]),
            D::Delivered
        );
        let lost = parcel(P::Exception, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, &[lost, second.clone()]),
            D::Exception
        );
        // Returned to sender: an exception until a replacement covers the units.
        let back = parcel(P::Returned, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, &[back.clone(), second.clone()]),
            D::Exception
        );
        let again = parcel(P::InTransit, &[(1, 1), (2, 1)]);
        assert_eq!(
            delivery_state("processing", LINES, &[back, second, again]),
            D::Shipped
        );
    }

    #[test]
    fn unlisted_contents_mean_the_whole_order() {
        let whole = parcel(P::Shipped, &[]);
        assert_eq!(
            delivery_state("processing", LINES, std::slice::from_ref(&whole)),
            D::Shipped
        );
        assert_eq!(
            delivery_state("partial-shipped", LINES, &[whole]),
            D::PartiallyShipped
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in EVENT_STATUSES {
            assert_eq!(P::parse_event(s).unwrap().as_str(), s);
        }
        assert!(P::parse_event("shipped").is_none());
        assert!(P::parse_event("lost").is_none());
        for s in [
            D::Unfulfilled,
            D::PartiallyShipped,
            D::Shipped,
            D::OutForDelivery,
            D::Delivered,
            D::Exception,
        ] {
            assert_eq!(D::parse(s.as_str()), Some(s));
        }
    }
}
