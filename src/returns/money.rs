//! How much a return gives back: the returned units' share of each line's total and of
//! each of its taxes, rounded to the currency's minor unit, and the WooCommerce requests
//! that move it (a refund, or a coupon for store credit).

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

use crate::money;
use crate::woo::Order;

/// The meta key aftercare writes on the refunds and coupons it creates, so that a retry
/// can find what an earlier attempt did (WooCommerce has no idempotency key).
pub const MARKER_KEY: &str = "_aftercare_return";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRefund {
    pub line_item_id: u64,
    pub quantity: i64,
    /// Excluding tax.
    pub total: Decimal,
    /// Per tax rate id.
    pub taxes: Vec<(u64, Decimal)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub lines: Vec<LineRefund>,
    /// Lines plus their taxes.
    pub amount: Decimal,
}

impl Plan {
    /// The amount as shown to staff and the customer and fixed on the return.
    pub fn shown_amount(&self, currency: &str) -> String {
        money::format(self.amount, currency)
    }
}

fn round(amount: Decimal, currency: &str) -> Decimal {
    amount.round_dp_with_strategy(
        money::decimals(currency),
        RoundingStrategy::MidpointAwayFromZero,
    )
}

/// The refund for `items` (line item id, units). Returning every unit of a line gives
/// back exactly what was paid for it; a part gives the proportional share, rounded.
/// Unknown line items are skipped (validation happened when the return was made).
pub fn plan(order: &Order, items: &[(u64, i64)]) -> Plan {
    let currency = order.currency.as_str();
    let mut lines = Vec::new();
    for &(id, quantity) in items {
        let Some(line) = order.line_items.iter().find(|l| l.id == id) else {
            continue;
        };
        if line.quantity <= 0 || quantity <= 0 {
            continue;
        }
        let share = |amount: Decimal| {
            if quantity >= line.quantity {
                amount
            } else {
                round(
                    amount * Decimal::from(quantity) / Decimal::from(line.quantity),
                    currency,
                )
            }
        };
        lines.push(LineRefund {
            line_item_id: id,
            quantity: quantity.min(line.quantity),
            total: share(line.total.0),
            taxes: line
                .taxes
                .iter()
                .filter(|t| !t.total.0.is_zero())
                .map(|t| (t.id, share(t.total.0)))
                .collect(),
        });
    }
    let amount = lines
        .iter()
        .map(|l| l.total + l.taxes.iter().map(|t| t.1).sum::<Decimal>())
        .sum();
    Plan { lines, amount }
}

/// `POST /wc/v3/orders/{id}/refunds` for a plan. `api_refund` is always sent: WooCommerce
/// would otherwise default to asking the payment gateway.
pub fn refund_request(
    plan: &Plan,
    currency: &str,
    api_refund: bool,
    marker: &str,
    reason: &str,
) -> serde_json::Value {
    let m = |d: Decimal| money::format(d, currency);
    json!({
        "amount": m(plan.amount),
        "reason": reason,
        "api_refund": api_refund,
        "api_restock": true,
        "line_items": plan.lines.iter().map(|l| json!({
            "id": l.line_item_id,
            "quantity": l.quantity,
            "refund_total": m(l.total),
            "refund_tax": l.taxes.iter().map(|(id, t)| json!({"id": id, "refund_total": m(*t)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "meta_data": [{"key": MARKER_KEY, "value": marker}],
    })
}

/// `POST /wc/v3/coupons` for store credit: a one-use fixed amount for this customer only.
pub fn coupon_request(
    code: &str,
    amount: Decimal,
    currency: &str,
    email: &str,
    marker: &str,
    description: &str,
) -> serde_json::Value {
    json!({
        "code": code,
        "discount_type": "fixed_cart",
        "amount": money::format(amount, currency),
        "individual_use": false,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "email_restrictions": [email],
        "description": description,
        "meta_data": [{"key": MARKER_KEY, "value": marker}],
    })
}

/// Whether a WooCommerce refund or coupon (as JSON) carries `marker`.
pub fn has_marker(object: &serde_json::Value, marker: &str) -> bool {
    object["meta_data"].as_array().is_some_and(|meta| {
        meta.iter()
            .any(|m| m["key"] == MARKER_KEY && m["value"].as_str() == Some(marker))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Order {
        serde_json::from_str(include_str!("../../fixtures/orders/registered-krw.json")).unwrap()
    }

    #[test]
    fn a_whole_line_gives_back_what_was_paid_and_a_part_its_share() {
        let o = order();
        let hoodie = o.line_items.iter().find(|l| l.quantity == 2).unwrap();
        let whole = plan(&o, &[(hoodie.id, 2)]);
        assert_eq!(whole.lines[0].total, hoodie.total.0);
        let tax: Decimal = hoodie.taxes.iter().map(|t| t.total.0).sum();
        assert_eq!(whole.amount, hoodie.total.0 + tax);

        let half = plan(&o, &[(hoodie.id, 1)]);
        assert_eq!(half.lines[0].quantity, 1);
        assert_eq!(
            half.lines[0].total,
            round(hoodie.total.0 / Decimal::TWO, "KRW")
        );
        assert_eq!(half.amount.scale(), 0, "KRW has no minor unit");
        assert!(plan(&o, &[(999, 1)]).lines.is_empty());
    }

    #[test]
    fn the_refund_request_is_explicit_and_marked() {
        let o = order();
        let id = o.line_items[0].id;
        let p = plan(&o, &[(id, 1)]);
        let body = refund_request(&p, "KRW", false, "default:7", "Return #7");
        assert_eq!(body["api_refund"], false);
        assert_eq!(body["api_restock"], true);
        assert_eq!(body["line_items"][0]["id"], id);
        assert_eq!(body["line_items"][0]["quantity"], 1);
        assert_eq!(body["amount"], money::format(p.amount, "KRW"));
        assert!(has_marker(&body, "default:7"));
        assert!(!has_marker(&body, "default:8"));
        let coupon = coupon_request(
            "RETURN-7",
            p.amount,
            "KRW",
            "a@b.c",
            "default:7",
            "Store credit",
        );
        assert_eq!(coupon["email_restrictions"][0], "a@b.c");
        assert_eq!(coupon["usage_limit"], 1);
        assert!(has_marker(&coupon, "default:7"));
    }
}
