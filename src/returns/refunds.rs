//! Which units WooCommerce refunded. The order payload lists only refund totals; the
//! lines come from `GET /orders/{id}/refunds`, read when a credit note is issued and kept,
//! so that refunded units are no longer offered for return.

use rust_decimal::Decimal;

use crate::woo::order::Amount;

/// One refunded line of a WooCommerce refund, in positive amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedLine {
    /// The order's line item this refund line gives money back for.
    pub line_item_id: u64,
    pub name: String,
    pub quantity: i64,
    /// Excluding tax.
    pub total: Decimal,
    pub total_tax: Decimal,
}

fn amount(value: &serde_json::Value) -> Decimal {
    serde_json::from_value::<Amount>(value.clone())
        .map(|a| a.0.abs())
        .unwrap_or_default()
}

/// The line items of one refund as the REST API returns it. A refund line points at the
/// order line it refunds through `line_item_id` or its `_refunded_item_id` meta.
pub fn lines(refund: &serde_json::Value) -> Vec<RefundedLine> {
    let Some(items) = refund["line_items"].as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let from_meta = item["meta_data"].as_array().and_then(|meta| {
                meta.iter()
                    .find(|m| m["key"] == "_refunded_item_id")
                    .and_then(|m| match &m["value"] {
                        serde_json::Value::String(s) => s.parse().ok(),
                        v => v.as_u64(),
                    })
            });
            let line_item_id = item["line_item_id"].as_u64().or(from_meta)?;
            Some(RefundedLine {
                line_item_id,
                name: item["name"].as_str().unwrap_or_default().to_owned(),
                quantity: item["quantity"].as_i64().unwrap_or(0).abs(),
                total: amount(&item["total"]),
                total_tax: amount(&item["total_tax"]),
            })
        })
        .filter(|l| l.quantity > 0 || !l.total.is_zero())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_lines_point_at_the_order_lines_they_refund() {
        let refund = serde_json::json!({
            "id": 1101, "amount": "16500",
            "line_items": [
                {"id": 301, "name": "오버핏 후드 티셔츠", "quantity": -1, "total": "-15000", "total_tax": "-1500",
                 "meta_data": [{"id": 9, "key": "_refunded_item_id", "value": "202"}]},
                {"id": 302, "name": "Mouse", "quantity": 0, "total": "0", "total_tax": "0",
                 "meta_data": [{"key": "_refunded_item_id", "value": "201"}]},
                {"id": 303, "name": "No link", "quantity": -1, "total": "-1", "total_tax": "0", "meta_data": []},
                {"id": 304, "line_item_id": 203, "name": "Tea", "quantity": -2, "total": "-36000", "total_tax": "-3600"}
            ]
        });
        let lines = lines(&refund);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line_item_id, 202);
        assert_eq!(lines[0].quantity, 1);
        assert_eq!(lines[0].total, Decimal::from(15000));
        assert_eq!(lines[0].total_tax, Decimal::from(1500));
        assert_eq!(lines[1].line_item_id, 203);
        assert_eq!(lines[1].quantity, 2);
        assert!(super::lines(&serde_json::json!({"id": 1})).is_empty());
    }
}
