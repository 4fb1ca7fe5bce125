//! The order view: everything a My Account order page shows, in one document.
//!
//! Built from the mirrored WooCommerce order. Money is a decimal string in the currency's
//! own decimals; times are RFC 3339 UTC. The order key is never part of it. Shipments,
//! the tracking page, the delivery state and alerts are filled by `super::tracking` (the
//! parcel and alert shapes are tracking's own, re-exported here);
//! returns and eligibility keep their final shape, empty until their feature fills them.

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::answers::select::ShownAnswer;
use crate::guides::view::ItemGuideView;
use crate::ids::{OrderId, ShipmentId};
use crate::money;
use crate::notify::view::MessageView;
use crate::orders::store::SummaryRow;
pub use crate::returns::view::{ReturnEligibilityView, ReturnView};
pub use crate::support::view::RequestView;
use crate::time;
use crate::tracking::status::DeliveryState;
pub use crate::tracking::view::{AlertView, ShipmentEventView, ShipmentItemView, ShipmentView};
use crate::woo::order::{Address, LineItem, MetaData, Order};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    #[schema(value_type = u64)]
    pub id: OrderId,
    /// The number customers see (may differ from the id when a plugin formats it).
    pub number: String,
    /// WooCommerce status slug: `pending`, `processing`, `on-hold`, `completed`, `cancelled`, `refunded`, `failed`, or a custom one.
    pub status: String,
    pub currency: String,
    pub date_created: String,
    pub date_paid: Option<String>,
    pub date_completed: Option<String>,
    pub total: String,
    /// Sum of the line items before discounts.
    pub subtotal: String,
    pub shipping_total: String,
    pub tax_total: String,
    pub discount_total: String,
    /// Sum of the refunds WooCommerce has recorded (positive).
    pub refunded_total: String,
    pub payment_method: String,
    pub payment_method_title: String,
    pub billing: AddressView,
    pub shipping: AddressView,
    pub email: String,
    pub customer_note: String,
    pub line_items: Vec<LineItemView>,
    pub shipping_lines: Vec<ChargeView>,
    pub fee_lines: Vec<ChargeView>,
    pub coupon_lines: Vec<CouponView>,
    pub refunds: Vec<RefundView>,
    pub shipments: Vec<ShipmentView>,
    /// aftercare's public tracking page for this order.
    pub tracking_url: Option<String>,
    pub invoice: Option<InvoiceView>,
    /// One per refund WooCommerce recorded against the invoiced order, in issue order.
    pub credit_notes: Vec<CreditNoteView>,
    /// Returns of this order, oldest first, with their items, states and history.
    pub returns: Vec<ReturnView>,
    /// Per line item: how many units can still be returned and until when.
    pub return_eligibility: Vec<ReturnEligibilityView>,
    pub delivery_state: DeliveryState,
    pub alerts: Vec<AlertView>,
    /// Every message decision about this order, oldest first: sent, deferred until when,
    /// skipped and why, failed and why.
    pub messages: Vec<MessageView>,
    /// Support requests about this order, newest first, with their threads as the
    /// customer sees them (never the internal notes).
    pub requests: Vec<RequestView>,
    /// The FAQ entries that fit this order now (at most five, best first), facts filled in.
    pub answers: Vec<ShownAnswer>,
    /// The guides of the line items that have shipped, in line item order.
    pub guides: Vec<ItemGuideView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddressView {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub address_1: String,
    pub address_2: String,
    pub city: String,
    pub state: String,
    pub postcode: String,
    pub country: String,
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineItemView {
    pub id: u64,
    pub product_id: u64,
    pub variation_id: u64,
    pub name: String,
    pub sku: String,
    /// Variation attributes and other visible item details, e.g. `Colour: Black`.
    pub attributes: Vec<AttributeView>,
    pub quantity: i64,
    /// Unit price before discounts, excluding tax.
    pub price: String,
    pub subtotal: String,
    pub total: String,
    pub total_tax: String,
    pub image: Option<String>,
    /// Which shipments carry how many units of this item.
    pub shipments: Vec<ItemShipmentView>,
    /// Units no parcel carries yet (parcels returned to sender carry nothing). A single
    /// parcel without an item list carries the whole order; while several parcels list
    /// nothing, what each carries is unknown and nothing is counted as unshipped.
    pub unshipped_quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeView {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemShipmentView {
    #[schema(value_type = u64)]
    pub shipment_id: ShipmentId,
    pub quantity: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChargeView {
    pub name: String,
    pub total: String,
    pub total_tax: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CouponView {
    pub code: String,
    pub discount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundView {
    pub id: u64,
    pub reason: String,
    /// Positive amount refunded.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    pub number: String,
    pub issued_at: String,
    /// Where to fetch the PDF: the API address (with the API key) for a customer's view,
    /// the signed public link for a guest's view.
    pub url: String,
    /// A public link that needs no API key, for guests and emails; it stops working at
    /// `download_expires_at`.
    pub download_url: String,
    pub download_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditNoteView {
    pub id: i64,
    pub number: String,
    pub issued_at: String,
    /// The invoice this credit note corrects.
    pub invoice_number: Option<String>,
    /// The amount credited (positive).
    pub total: String,
    /// As for the invoice: the API address, or the signed link in a guest's view.
    pub url: String,
    pub download_url: String,
    pub download_expires_at: String,
}

impl OrderView {
    pub fn build(order: &Order) -> OrderView {
        let cur = order.currency.as_str();
        let m = |d: Decimal| money::format(d, cur);
        let refunded: Decimal = order.refunds.iter().map(|r| r.total.0.abs()).sum();
        OrderView {
            id: order.id,
            number: order.display_number(),
            status: order.status.clone(),
            currency: order.currency.clone(),
            date_created: time::seconds(order.date_created_gmt.0),
            date_paid: order.date_paid_gmt.map(|d| time::seconds(d.0)),
            date_completed: order.date_completed_gmt.map(|d| time::seconds(d.0)),
            total: m(order.total.0),
            subtotal: m(order.subtotal()),
            shipping_total: m(order.shipping_total.0),
            tax_total: m(order.total_tax.0),
            discount_total: m(order.discount_total.0),
            refunded_total: m(refunded),
            payment_method: order.payment_method.clone(),
            payment_method_title: order.payment_method_title.clone(),
            billing: AddressView::from(&order.billing),
            shipping: AddressView::from(&order.shipping),
            email: order.billing.email.clone().unwrap_or_default(),
            customer_note: order.customer_note.clone().unwrap_or_default(),
            line_items: order
                .line_items
                .iter()
                .map(|li| line_item(li, cur))
                .collect(),
            shipping_lines: order
                .shipping_lines
                .iter()
                .map(|s| ChargeView {
                    name: s.method_title.clone(),
                    total: m(s.total.0),
                    total_tax: m(s.total_tax.0),
                })
                .collect(),
            fee_lines: order
                .fee_lines
                .iter()
                .map(|f| ChargeView {
                    name: f.name.clone(),
                    total: m(f.total.0),
                    total_tax: m(f.total_tax.0),
                })
                .collect(),
            coupon_lines: order
                .coupon_lines
                .iter()
                .map(|c| CouponView {
                    code: c.code.clone(),
                    discount: m(c.discount.0),
                })
                .collect(),
            refunds: order
                .refunds
                .iter()
                .map(|r| RefundView {
                    id: r.id,
                    reason: r.reason.clone(),
                    amount: m(r.total.0.abs()),
                })
                .collect(),
            shipments: Vec::new(),
            tracking_url: None,
            invoice: None,
            credit_notes: Vec::new(),
            returns: Vec::new(),
            return_eligibility: Vec::new(),
            delivery_state: DeliveryState::Unfulfilled,
            alerts: Vec::new(),
            messages: Vec::new(),
            requests: Vec::new(),
            answers: Vec::new(),
            guides: Vec::new(),
        }
    }
}

impl From<&Address> for AddressView {
    fn from(a: &Address) -> Self {
        AddressView {
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            company: a.company.clone(),
            address_1: a.address_1.clone(),
            address_2: a.address_2.clone(),
            city: a.city.clone(),
            state: a.state.clone(),
            postcode: a.postcode.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
        }
    }
}

fn line_item(li: &LineItem, currency: &str) -> LineItemView {
    // Unit price before discounts; WooCommerce's own `price` field is this, as a float.
    let unit = if li.quantity > 0 {
        li.subtotal.0 / Decimal::from(li.quantity)
    } else {
        li.price.0
    };
    LineItemView {
        id: li.id,
        product_id: li.product_id,
        variation_id: li.variation_id,
        name: li.name.clone(),
        sku: li.sku.clone(),
        attributes: li.meta_data.iter().filter_map(attribute).collect(),
        quantity: li.quantity,
        price: money::format(unit, currency),
        subtotal: money::format(li.subtotal.0, currency),
        total: money::format(li.total.0, currency),
        total_tax: money::format(li.total_tax.0, currency),
        image: li
            .image
            .as_ref()
            .map(|i| i.src.clone())
            .filter(|s| !s.is_empty()),
        shipments: Vec::new(),
        unshipped_quantity: li.quantity.max(0),
    }
}

/// Visible item meta (variation attributes and the like); underscore keys are internal.
fn attribute(meta: &MetaData) -> Option<AttributeView> {
    if meta.key.starts_with('_') {
        return None;
    }
    let name = meta.display_key.clone().unwrap_or_else(|| meta.key.clone());
    let value = match meta.display_value.as_ref().unwrap_or(&meta.value) {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None, // structured meta is not something a customer reads
    };
    Some(AttributeView { name, value })
}

/// One line of the order list.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSummary {
    #[schema(value_type = u64)]
    pub id: OrderId,
    pub number: String,
    pub status: String,
    pub currency: String,
    pub date_created: String,
    pub date_paid: Option<String>,
    pub total: String,
    /// Units across all line items.
    pub item_count: i64,
    pub delivery_state: DeliveryState,
    /// aftercare's public tracking page for this order.
    pub tracking_url: Option<String>,
    /// The order's parcels, oldest first.
    pub shipments: Vec<ShipmentBrief>,
}

/// A parcel as the order list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentBrief {
    pub carrier_name: String,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
    pub status: String,
    pub eta: Option<String>,
}

impl From<SummaryRow> for OrderSummary {
    fn from(row: SummaryRow) -> Self {
        let total = row
            .total
            .parse::<Decimal>()
            .map(|d| money::format(d, &row.currency))
            .unwrap_or(row.total);
        OrderSummary {
            id: row.order_id,
            number: row.number,
            status: row.status,
            currency: row.currency,
            date_created: row.date_created,
            date_paid: row.date_paid,
            total,
            item_count: row.item_count,
            delivery_state: DeliveryState::Unfulfilled,
            tracking_url: None,
            shipments: Vec::new(),
        }
    }
}
