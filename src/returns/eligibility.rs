//! What can still be returned, item by item. Pure: the caller gathers the order, what was
//! refunded, what other returns hold, and when the goods arrived.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use crate::woo::Order;

/// The return policy from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Days to start a return, counted from delivery (else from completion, for items no
    /// parcel is carrying).
    pub window_days: u32,
    /// SKUs that can never be returned (exact match, case-insensitive).
    pub non_returnable_skus: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            window_days: 30,
            non_returnable_skus: Vec::new(),
        }
    }
}

/// Why an item cannot be returned (any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotPaid,
    OrderClosed,
    NotDelivered,
    WindowClosed,
    NonReturnable,
    NothingLeft,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotPaid => "not_paid",
            Refusal::OrderClosed => "order_closed",
            Refusal::NotDelivered => "not_delivered",
            Refusal::WindowClosed => "window_closed",
            Refusal::NonReturnable => "non_returnable",
            Refusal::NothingLeft => "nothing_left",
        }
    }

    /// A sentence for the customer.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NotPaid => "Only paid orders can be returned.",
            Refusal::OrderClosed => "This order was cancelled or refunded.",
            Refusal::NotDelivered => "Items can be returned once they have been delivered.",
            Refusal::WindowClosed => "The return period for this item has ended.",
            Refusal::NonReturnable => "This item cannot be returned.",
            Refusal::NothingLeft => {
                "Every unit of this item has been refunded or is already being returned."
            }
        }
    }
}

/// Facts about the order beyond its WooCommerce record.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Whether the order counts as paid (`date_paid` set, or a paid status).
    pub paid: bool,
    /// When the parcel carrying each line item was delivered.
    pub delivered_items: HashMap<u64, Timestamp>,
    /// When the whole order was delivered (every parcel).
    pub delivered: Option<Timestamp>,
    /// Line items a parcel carries that is not delivered yet (tracking's rule of what a
    /// parcel carries): they are on their way, so completion does not start their window.
    pub in_transit_items: HashSet<u64>,
    /// Units refunded in WooCommerce, per line item.
    pub refunded: HashMap<u64, i64>,
    /// Units held by other returns that are open or accepted, per line item.
    pub in_returns: HashMap<u64, i64>,
}

/// One line item's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEligibility {
    pub line_item_id: u64,
    pub returnable_quantity: i64,
    /// The end of the return window, once it has started.
    pub returnable_until: Option<Timestamp>,
    pub refusal: Option<Refusal>,
}

const CLOSED_STATUSES: [&str; 4] = ["cancelled", "refunded", "failed", "trash"];

/// Per line item: how many units can still be returned, until when, and if none, why.
pub fn assess(
    order: &Order,
    facts: &Facts,
    policy: &Policy,
    now: Timestamp,
) -> Vec<ItemEligibility> {
    let window = SignedDuration::from_hours(24 * i64::from(policy.window_days));
    let completed = order.date_completed_gmt.map(|d| d.0);
    order
        .line_items
        .iter()
        .map(|item| {
            // Shops often mark an order completed when they ship it: completion stands in
            // for delivery only when no parcel is still carrying the item.
            let completed = completed.filter(|_| !facts.in_transit_items.contains(&item.id));
            let started = facts
                .delivered_items
                .get(&item.id)
                .copied()
                .or(facts.delivered)
                .or(completed);
            let until = started.map(|t| t + window);
            let left = item.quantity
                - facts.refunded.get(&item.id).copied().unwrap_or(0)
                - facts.in_returns.get(&item.id).copied().unwrap_or(0);
            let non_returnable = !item.sku.is_empty()
                && policy
                    .non_returnable_skus
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&item.sku));
            let refusal = if order.is_checkout_draft() || !facts.paid {
                Some(Refusal::NotPaid)
            } else if CLOSED_STATUSES.contains(&order.status.as_str()) {
                Some(Refusal::OrderClosed)
            } else if non_returnable {
                Some(Refusal::NonReturnable)
            } else if until.is_none() {
                Some(Refusal::NotDelivered)
            } else if until.is_some_and(|u| now > u) {
                Some(Refusal::WindowClosed)
            } else if left <= 0 {
                Some(Refusal::NothingLeft)
            } else {
                None
            };
            ItemEligibility {
                line_item_id: item.id,
                returnable_quantity: if refusal.is_some() { 0 } else { left },
                returnable_until: until,
                refusal,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str, completed: Option<&str>) -> Order {
        let mut value: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/orders/registered-krw.json"))
                .unwrap();
        value["status"] = status.into();
        value["date_completed_gmt"] = completed.into();
        serde_json::from_value(value).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn paid() -> Facts {
        Facts {
            paid: true,
            ..Facts::default()
        }
    }

    /// Line items of the fixture: 201 (qty 1, NB-MS-350), 202 (qty 2), 203 (qty 1, no SKU).
    fn ids(order: &Order) -> Vec<(u64, i64)> {
        order
            .line_items
            .iter()
            .map(|i| (i.id, i.quantity))
            .collect()
    }

    #[test]
    fn the_window_counts_from_completion_when_nothing_was_delivered() {
        let o = order("completed", Some("2026-11-14T03:00:00"));
        let items = ids(&o);
        let result = assess(&o, &paid(), &Policy::default(), at("2026-11-20T00:00:00Z"));
        for (r, (id, qty)) in result.iter().zip(&items) {
            assert_eq!(r.line_item_id, *id);
            assert_eq!(r.returnable_quantity, *qty);
            assert_eq!(r.refusal, None);
            assert_eq!(r.returnable_until, Some(at("2026-12-14T03:00:00Z")));
        }
        let late = assess(&o, &paid(), &Policy::default(), at("2026-12-14T03:00:01Z"));
        assert!(
            late.iter()
                .all(|r| r.refusal == Some(Refusal::WindowClosed) && r.returnable_quantity == 0)
        );
    }

    #[test]
    fn delivery_beats_completion_and_each_parcel_counts_for_its_items() {
        let o = order("completed", Some("2026-11-14T03:00:00"));
        let first = o.line_items[0].id;
        let mut facts = paid();
        facts.delivered = Some(at("2026-11-20T00:00:00Z"));
        facts
            .delivered_items
            .insert(first, at("2026-11-16T00:00:00Z"));
        let r = assess(&o, &facts, &Policy::default(), at("2026-12-17T00:00:00Z"));
        assert_eq!(
            r[0].refusal,
            Some(Refusal::WindowClosed),
            "its parcel came on the 16th"
        );
        assert_eq!(r[1].refusal, None, "the order was delivered on the 20th");
        assert_eq!(r[1].returnable_until, Some(at("2026-12-20T00:00:00Z")));
    }

    #[test]
    fn an_item_still_in_transit_waits_for_delivery_even_when_the_order_is_completed() {
        let o = order("completed", Some("2026-11-14T03:00:00"));
        let (first, second) = (o.line_items[0].id, o.line_items[1].id);
        let mut facts = paid();
        facts.in_transit_items.insert(first);
        let r = assess(&o, &facts, &Policy::default(), at("2026-11-20T00:00:00Z"));
        assert_eq!(r[0].refusal, Some(Refusal::NotDelivered));
        assert_eq!(r[0].returnable_until, None);
        assert_eq!(r[0].returnable_quantity, 0);
        assert_eq!(r[1].refusal, None, "no parcel carries {second}");
        // Once its parcel is delivered, the delivery starts the window.
        facts
            .delivered_items
            .insert(first, at("2026-11-19T00:00:00Z"));
        let r = assess(&o, &facts, &Policy::default(), at("2026-11-20T00:00:00Z"));
        assert_eq!(r[0].refusal, None);
        assert_eq!(r[0].returnable_until, Some(at("2026-12-19T00:00:00Z")));
    }

    #[test]
    fn nothing_before_delivery_or_payment_or_after_cancellation() {
        let processing = order("processing", None);
        let r = assess(
            &processing,
            &paid(),
            &Policy::default(),
            at("2026-11-20T00:00:00Z"),
        );
        assert!(
            r.iter()
                .all(|r| r.refusal == Some(Refusal::NotDelivered) && r.returnable_until.is_none())
        );
        let unpaid = Facts::default();
        let r = assess(
            &order("completed", Some("2026-11-14T03:00:00")),
            &unpaid,
            &Policy::default(),
            at("2026-11-20T00:00:00Z"),
        );
        assert!(r.iter().all(|r| r.refusal == Some(Refusal::NotPaid)));
        for closed in ["cancelled", "refunded", "failed"] {
            let r = assess(
                &order(closed, Some("2026-11-14T03:00:00")),
                &paid(),
                &Policy::default(),
                at("2026-11-20T00:00:00Z"),
            );
            assert!(
                r.iter().all(|r| r.refusal == Some(Refusal::OrderClosed)),
                "{closed}"
            );
        }
    }

    #[test]
    fn refunds_other_returns_and_policy_reduce_what_is_left() {
        let o = order("completed", Some("2026-11-14T03:00:00"));
        let (a, b, c) = (o.line_items[0].id, o.line_items[1].id, o.line_items[2].id);
        let mut facts = paid();
        facts.refunded.insert(b, 1);
        facts.in_returns.insert(c, 1);
        let policy = Policy {
            window_days: 14,
            non_returnable_skus: vec![o.line_items[0].sku.to_lowercase()],
        };
        let r = assess(&o, &facts, &policy, at("2026-11-20T00:00:00Z"));
        assert_eq!(
            (r[0].line_item_id, r[0].refusal),
            (a, Some(Refusal::NonReturnable))
        );
        assert_eq!(
            (r[1].returnable_quantity, r[1].refusal),
            (o.line_items[1].quantity - 1, None)
        );
        assert_eq!(r[2].refusal, Some(Refusal::NothingLeft));
        assert_eq!(r[1].returnable_until, Some(at("2026-11-28T03:00:00Z")));
    }
}
