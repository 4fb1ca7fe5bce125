//! The WooCommerce REST v3 order, as far as aftercare reads it.
//!
//! Unknown fields are allowed (WooCommerce and its extensions add many); a known field
//! of the wrong type is an error. Money arrives as decimal strings (`"59.97"`), except a
//! few raw numbers (line `price`), and is read into exact decimals, never floats.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::ids::OrderId;

#[derive(Debug, Clone, Deserialize)]
pub struct Order {
    pub id: OrderId,
    #[serde(default)]
    pub parent_id: u64,
    #[serde(default, deserialize_with = "number_or_string")]
    pub number: Option<String>,
    pub status: String,
    pub currency: String,
    #[serde(default)]
    pub prices_include_tax: bool,
    /// The site's wall clock when the order was placed (no offset): beside
    /// `date_created_gmt` it tells the shop's UTC offset at that moment.
    #[serde(default, deserialize_with = "string_or_null")]
    pub date_created: String,
    pub date_created_gmt: WooDate,
    pub date_modified_gmt: WooDate,
    #[serde(default)]
    pub date_paid_gmt: Option<WooDate>,
    #[serde(default)]
    pub date_completed_gmt: Option<WooDate>,
    #[serde(default)]
    pub discount_total: Amount,
    #[serde(default)]
    pub discount_tax: Amount,
    #[serde(default)]
    pub shipping_total: Amount,
    #[serde(default)]
    pub shipping_tax: Amount,
    #[serde(default)]
    pub cart_tax: Amount,
    pub total: Amount,
    #[serde(default)]
    pub total_tax: Amount,
    pub customer_id: u64,
    #[serde(default)]
    pub order_key: String,
    #[serde(default)]
    pub billing: Address,
    #[serde(default)]
    pub shipping: Address,
    #[serde(default)]
    pub payment_method: String,
    #[serde(default)]
    pub payment_method_title: String,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub customer_note: Option<String>,
    #[serde(default)]
    pub meta_data: Vec<MetaData>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
    #[serde(default)]
    pub shipping_lines: Vec<ShippingLine>,
    #[serde(default)]
    pub fee_lines: Vec<FeeLine>,
    #[serde(default)]
    pub coupon_lines: Vec<CouponLine>,
    #[serde(default)]
    pub refunds: Vec<RefundSummary>,
}

impl Order {
    /// Orders the Checkout block creates for carts that may never check out.
    pub fn is_checkout_draft(&self) -> bool {
        self.status == "checkout-draft"
    }

    /// Sum of the line items before discounts, as WooCommerce shows "Subtotal".
    pub fn subtotal(&self) -> Decimal {
        self.line_items.iter().map(|li| li.subtotal.0).sum()
    }

    /// The order number customers see (WooCommerce may format it; default is the id).
    pub fn display_number(&self) -> String {
        self.number.clone().unwrap_or_else(|| self.id.to_string())
    }

    /// (line item id, units) of every line, as tracking counts what parcels carry.
    pub fn line_quantities(&self) -> Vec<(u64, i64)> {
        self.line_items.iter().map(|l| (l.id, l.quantity)).collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Address {
    #[serde(deserialize_with = "string_or_null")]
    pub first_name: String,
    #[serde(deserialize_with = "string_or_null")]
    pub last_name: String,
    #[serde(deserialize_with = "string_or_null")]
    pub company: String,
    #[serde(deserialize_with = "string_or_null")]
    pub address_1: String,
    #[serde(deserialize_with = "string_or_null")]
    pub address_2: String,
    #[serde(deserialize_with = "string_or_null")]
    pub city: String,
    #[serde(deserialize_with = "string_or_null")]
    pub state: String,
    #[serde(deserialize_with = "string_or_null")]
    pub postcode: String,
    #[serde(deserialize_with = "string_or_null")]
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(deserialize_with = "string_or_null")]
    pub phone: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MetaData {
    #[serde(default)]
    pub id: Option<u64>,
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_value: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LineTax {
    pub id: u64,
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub subtotal: Amount,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LineItem {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub product_id: u64,
    #[serde(default)]
    pub variation_id: u64,
    pub quantity: i64,
    #[serde(default)]
    pub subtotal: Amount,
    #[serde(default)]
    pub subtotal_tax: Amount,
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub total_tax: Amount,
    #[serde(default)]
    pub taxes: Vec<LineTax>,
    #[serde(default)]
    pub meta_data: Vec<MetaData>,
    #[serde(default, deserialize_with = "string_or_null")]
    pub sku: String,
    #[serde(default)]
    pub price: Amount,
    #[serde(default)]
    pub image: Option<Image>,
    #[serde(default)]
    pub parent_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    #[serde(default, deserialize_with = "string_or_null")]
    pub src: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaxLine {
    pub id: u64,
    #[serde(default)]
    pub rate_code: String,
    #[serde(default)]
    pub rate_id: u64,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub compound: bool,
    #[serde(default)]
    pub tax_total: Amount,
    #[serde(default)]
    pub shipping_tax_total: Amount,
    #[serde(default)]
    pub rate_percent: Option<Amount>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ShippingLine {
    pub id: u64,
    #[serde(default)]
    pub method_title: String,
    #[serde(default)]
    pub method_id: String,
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub total_tax: Amount,
    #[serde(default)]
    pub taxes: Vec<LineTax>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeeLine {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub total: Amount,
    #[serde(default)]
    pub total_tax: Amount,
    #[serde(default)]
    pub taxes: Vec<LineTax>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CouponLine {
    pub id: u64,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub discount: Amount,
    #[serde(default)]
    pub discount_tax: Amount,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefundSummary {
    pub id: u64,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub total: Amount,
}

/// The longest text read as an amount. A decimal holds 28 significant digits, so nothing
/// longer is an amount; and the decimal parser's stack grows with the text (thousands of
/// digits overflowed it, which aborts the service).
const MAX_AMOUNT_CHARS: usize = 64;

/// An exact amount read from WooCommerce's decimal strings (or, for a few fields, numbers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Written back as the decimal string WooCommerce uses.
impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount as a string or number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                let v = v.trim();
                if v.is_empty() {
                    return Ok(Amount::default()); // WooCommerce writes "" for an absent tax
                }
                if v.len() > MAX_AMOUNT_CHARS {
                    return Err(E::invalid_length(v.len(), &self));
                }
                Decimal::from_str(v)
                    .or_else(|_| Decimal::from_scientific(v))
                    .map(Amount)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // Shortest round-trip text of the float, then exact decimal parsing.
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// WooCommerce's `*_gmt` dates: `2026-11-22T10:00:00`, no offset, meaning UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WooDate(pub Timestamp);

impl<'de> Deserialize<'de> for WooDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_gmt(&text).map(WooDate).ok_or_else(|| {
            de::Error::custom(format!("`{text}` is not a date like 2026-11-22T10:00:00"))
        })
    }
}

fn parse_gmt(text: &str) -> Option<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts); // tolerate an explicit offset
    }
    let civil: DateTime = text.parse().ok()?;
    civil.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

fn string_or_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

fn number_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        S(String),
        N(u64),
    }
    Ok(Option::<Num>::deserialize(deserializer)?.map(|n| match n {
        Num::S(s) => s,
        Num::N(n) => n.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        let a: Amount = serde_json::from_str("\"59.97\"").unwrap();
        assert_eq!(a.0.to_string(), "59.97");
        let b: Amount = serde_json::from_str("19.99").unwrap();
        assert_eq!(b.0.to_string(), "19.99");
        let c: Amount = serde_json::from_str("\"\"").unwrap();
        assert_eq!(c.0, Decimal::ZERO);
        assert!(serde_json::from_str::<Amount>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Amount>("true").is_err());
    }

    #[test]
    fn gmt_dates_are_utc() {
        let d: WooDate = serde_json::from_str("\"2026-11-22T10:00:00\"").unwrap();
        assert_eq!(d.0.to_string(), "2026-11-22T10:00:00Z");
        assert!(serde_json::from_str::<WooDate>("\"yesterday\"").is_err());
    }
}
