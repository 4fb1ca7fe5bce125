//! From a mirrored WooCommerce order to what its invoice or credit note says.

use rust_decimal::Decimal;

use super::document::{DocumentKind, InvoiceDocument, Line, Party, TotalRow};
use super::settings::InvoiceSettings;
use crate::money;
use crate::returns::refunds::RefundedLine;
use crate::shop::address::{Formats, Parts};
use crate::shop::seller::Seller;
use crate::woo::order::{Address, Order, RefundSummary};

/// Whether `order` is paid in the sense that earns an invoice.
pub fn is_invoiceable(order: &Order, settings: &InvoiceSettings) -> bool {
    if order.is_checkout_draft() || order.status == "trash" {
        return false;
    }
    let paid = order.date_paid_gmt.is_some() || settings.paid_statuses.contains(&order.status);
    paid && (settings.free_orders || order.total.0 > Decimal::ZERO)
}

/// Header data shared by both kinds of document.
pub struct Heading<'a> {
    pub number: &'a str,
    pub issue_date: &'a str,
    pub reference: Option<&'a str>,
    /// The shop's time zone, for the order date.
    pub timezone: &'a jiff::tz::TimeZone,
    /// Who issues the document: named and addressed (documents wait until it is).
    pub seller: &'a Seller,
    /// How the shop writes the buyer's addresses.
    pub formats: Formats<'a>,
}

/// A buyer's address as the shop prints it; its first line (the name, or the company
/// where the country writes that first) is the bold one.
fn party(address: &Address, email: Option<&str>, formats: &Formats<'_>) -> Option<Party> {
    let mut lines = formats.format(&Parts::from(address)).into_iter();
    let name = lines.next().unwrap_or_default();
    let mut lines: Vec<String> = lines.collect();
    lines.extend(email.filter(|e| !e.is_empty()).map(str::to_owned));
    if !address.phone.is_empty() {
        lines.push(address.phone.clone());
    }
    (!name.is_empty() || !lines.is_empty()).then_some(Party { name, lines })
}

fn details(item: &crate::woo::order::LineItem) -> Option<String> {
    let parts: Vec<String> = item
        .meta_data
        .iter()
        .filter(|m| !m.key.starts_with('_'))
        .filter_map(|m| {
            let value = match m.display_value.as_ref().unwrap_or(&m.value) {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some(format!(
                "{}: {}",
                m.display_key.as_deref().unwrap_or(&m.key),
                value
            ))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// The invoice of a paid order. Its totals are the order's own, to the minor unit.
pub fn invoice(order: &Order, heading: &Heading<'_>) -> InvoiceDocument {
    let cur = order.currency.as_str();
    let m = |d: Decimal| format!("{} {cur}", money::display(d, cur));
    let lines = order
        .line_items
        .iter()
        .map(|li| {
            let unit = if li.quantity > 0 {
                li.subtotal.0 / Decimal::from(li.quantity)
            } else {
                li.price.0
            };
            Line {
                name: li.name.clone(),
                details: details(li),
                sku: (!li.sku.is_empty()).then(|| li.sku.clone()),
                quantity: li.quantity.to_string(),
                unit_price: money::display(unit, cur),
                total: money::display(li.subtotal.0, cur),
            }
        })
        .collect();
    let mut totals = vec![TotalRow {
        label: "Subtotal".into(),
        amount: m(order.subtotal()),
        emphasis: false,
    }];
    for coupon in &order.coupon_lines {
        totals.push(TotalRow {
            label: format!("Discount ({})", coupon.code),
            amount: m(-coupon.discount.0),
            emphasis: false,
        });
    }
    for shipping in &order.shipping_lines {
        totals.push(TotalRow {
            label: format!("Shipping: {}", shipping.method_title),
            amount: m(shipping.total.0),
            emphasis: false,
        });
    }
    for fee in &order.fee_lines {
        totals.push(TotalRow {
            label: fee.name.clone(),
            amount: m(fee.total.0),
            emphasis: false,
        });
    }
    for tax in &order.tax_lines {
        let rate = tax
            .rate_percent
            .map(|p| format!(" {}%", p.0.normalize()))
            .unwrap_or_default();
        totals.push(TotalRow {
            label: format!("{}{rate}", decode_entities(&tax.label)),
            amount: m(tax.tax_total.0 + tax.shipping_tax_total.0),
            emphasis: false,
        });
    }
    totals.push(TotalRow {
        label: "Total".into(),
        amount: m(order.total.0),
        emphasis: true,
    });
    InvoiceDocument {
        kind: DocumentKind::Invoice,
        number: heading.number.to_owned(),
        reference: None,
        issue_date: heading.issue_date.to_owned(),
        order_number: order.display_number(),
        order_date: crate::time::local_date(order.date_created_gmt.0, heading.timezone).to_string(),
        payment_method: order.payment_method_title.clone(),
        currency: order.currency.clone(),
        seller: Party {
            name: heading.seller.name.clone(),
            lines: heading.seller.lines(),
        },
        logo_png: heading.seller.logo_png.clone(),
        billing: party(
            &order.billing,
            order.billing.email.as_deref(),
            &heading.formats,
        )
        .unwrap_or(Party {
            name: String::new(),
            lines: Vec::new(),
        }),
        shipping: party(&order.shipping, None, &heading.formats),
        lines,
        totals,
        customer_note: order.customer_note.clone().filter(|n| !n.trim().is_empty()),
        footer: Some("Thank you for your order.".into()),
    }
}

/// A credit note for one refund of an invoiced order. With the refund's lines (known when
/// the store's REST API is configured, or when aftercare made the refund) it lists the
/// refunded items and taxes; otherwise the refund as one line.
pub fn credit_note(
    order: &Order,
    refund: &RefundSummary,
    lines: &[RefundedLine],
    heading: &Heading<'_>,
) -> InvoiceDocument {
    let cur = order.currency.as_str();
    let show = |d: Decimal| money::display(d, cur);
    let with_code = |d: Decimal| format!("{} {cur}", money::display(d, cur));
    let amount = refund.total.0.abs();
    let mut doc = invoice(order, heading);
    doc.kind = DocumentKind::CreditNote;
    doc.reference = heading.reference.map(str::to_owned);
    let reason = if refund.reason.trim().is_empty() {
        format!("Refund #{}", refund.id)
    } else {
        format!("Refund #{}: {}", refund.id, refund.reason)
    };
    let items_total: Decimal = lines.iter().map(|l| l.total).sum();
    let tax_total: Decimal = lines.iter().map(|l| l.total_tax).sum();
    let other = amount - items_total - tax_total;
    doc.lines = lines
        .iter()
        .map(|l| {
            let original = order.line_items.iter().find(|i| i.id == l.line_item_id);
            let unit = if l.quantity > 0 {
                l.total / Decimal::from(l.quantity)
            } else {
                l.total
            };
            Line {
                name: original.map_or_else(|| l.name.clone(), |i| i.name.clone()),
                details: original.and_then(details),
                sku: original.map(|i| i.sku.clone()).filter(|s| !s.is_empty()),
                quantity: l.quantity.to_string(),
                unit_price: show(-unit),
                total: show(-l.total),
            }
        })
        .collect();
    if lines.is_empty() || !other.is_zero() {
        doc.lines.push(Line {
            name: if lines.is_empty() {
                reason.clone()
            } else {
                "Other refunded amounts (shipping, fees, adjustments)".into()
            },
            details: heading
                .reference
                .map(|r| format!("Credit against invoice {r}")),
            sku: None,
            quantity: "1".into(),
            unit_price: show(-other),
            total: show(-other),
        });
    }
    doc.totals = Vec::new();
    if !lines.is_empty() {
        doc.totals.push(TotalRow {
            label: "Items".into(),
            amount: with_code(-items_total),
            emphasis: false,
        });
        if !tax_total.is_zero() {
            doc.totals.push(TotalRow {
                label: "Tax".into(),
                amount: with_code(-tax_total),
                emphasis: false,
            });
        }
        if !other.is_zero() {
            doc.totals.push(TotalRow {
                label: "Other".into(),
                amount: with_code(-other),
                emphasis: false,
            });
        }
    }
    doc.totals.push(TotalRow {
        label: "Total credited".into(),
        amount: with_code(-amount),
        emphasis: true,
    });
    doc.customer_note = None;
    doc.footer = Some(format!(
        "{reason}. This credit note reduces the amount of invoice {} by {} {cur}.",
        heading.reference.unwrap_or("-"),
        show(amount)
    ));
    doc
}

/// WooCommerce stores `%` in tax labels as `&#37;`.
fn decode_entities(label: &str) -> String {
    label.replace("&#37;", "%").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::numbering::NumberFormat;

    fn settings(paid_statuses: &[&str], free_orders: bool) -> InvoiceSettings {
        InvoiceSettings {
            paid_statuses: paid_statuses.iter().map(|s| s.to_string()).collect(),
            free_orders,
            link_ttl: jiff::SignedDuration::from_hours(24),
            numbering: NumberFormat::invoices(),
            credit_note_numbering: NumberFormat::credit_notes(),
            seller: Default::default(),
            logo_png: None,
            fallback_fonts: Vec::new(),
        }
    }

    fn order(status: &str, paid: bool, total: &str) -> Order {
        let mut json: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/orders/registered-krw.json"))
                .unwrap();
        json["status"] = status.into();
        json["total"] = total.into();
        if !paid {
            json["date_paid_gmt"] = serde_json::Value::Null;
            json["date_paid"] = serde_json::Value::Null;
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn paid_is_a_payment_date_or_a_configured_status() {
        let default = settings(&["processing", "completed"], false);
        assert!(
            is_invoiceable(&order("on-hold", true, "100"), &default),
            "date_paid set"
        );
        assert!(
            is_invoiceable(&order("completed", false, "100"), &default),
            "by status"
        );
        assert!(!is_invoiceable(&order("on-hold", false, "100"), &default));
        // A store that invoices on-hold (bank transfer) orders lists it.
        let on_hold = settings(&["on-hold", "processing", "completed"], false);
        assert!(is_invoiceable(&order("on-hold", false, "100"), &on_hold));
        // Only what is listed: without `completed`, an unpaid completed order is not paid.
        let narrow = settings(&["processing"], false);
        assert!(!is_invoiceable(&order("completed", false, "100"), &narrow));
        // Never a checkout draft or a trashed order.
        assert!(!is_invoiceable(
            &order("checkout-draft", true, "100"),
            &default
        ));
        assert!(!is_invoiceable(&order("trash", true, "100"), &default));
    }

    #[test]
    fn buyers_are_addressed_as_the_shop_writes_addresses_and_the_seller_as_resolved() {
        use crate::shop::profile::Profile;
        use crate::shop::seller::Sources;
        let profile = Profile {
            tax_id: Some("US-12-3456789".into()),
            countries: [("KR", "South Korea"), ("US", "United States (US)")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            ..Profile::in_california()
        };
        let seller = Sources {
            config: &Default::default(),
            config_logo: None,
            profile: Some(&profile),
            profile_logo: None,
        }
        .resolve(Some("KR"));
        let heading = Heading {
            number: "INV-1",
            issue_date: "2026-12-03",
            reference: None,
            timezone: &jiff::tz::TimeZone::UTC,
            seller: &seller,
            formats: Formats::of(Some(&profile)),
        };
        let doc = invoice(&order("processing", true, "100"), &heading);
        assert_eq!(doc.billing.name, "김민지", "family name first, no space");
        assert_eq!(
            doc.billing.lines,
            [
                "강남구 테헤란로 123",
                "5층",
                "서울특별시",
                "06236",
                "South Korea",
                "minji.kim@example.com",
                "010-2345-6789"
            ]
        );
        assert_eq!(doc.seller.name, "Aftercare Test Shop");
        assert_eq!(
            doc.seller.lines,
            [
                "1 Harbor Way",
                "San Francisco, CA 94107",
                "United States (US)",
                "Tax ID: US-12-3456789"
            ],
            "the buyer is abroad: the shop's country is named"
        );
    }

    #[test]
    fn free_orders_are_invoiced_only_when_configured() {
        let free = order("completed", true, "0");
        assert!(!is_invoiceable(&free, &settings(&["completed"], false)));
        assert!(is_invoiceable(&free, &settings(&["completed"], true)));
    }
}
