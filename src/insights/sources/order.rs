//! A paid order: the units it sold per product, and the facts the customer figures need
//! (`insight_orders`). An order counts once it is paid and while it stays so: processing,
//! on hold, completed, or refunded (its units were sold; its value is net of refunds).

use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::Measure;
use crate::store::StoreError;

const PAID: [&str; 4] = ["processing", "on-hold", "completed", "refunded"];

/// Who a customer is to the figures: their account, or for a guest a hash of the e-mail
/// address (the address itself is not copied here).
pub fn customer_key(customer_id: i64, email: &str) -> Option<String> {
    if customer_id > 0 {
        return Some(format!("c{customer_id}"));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return None;
    }
    let digest = Sha256::digest(email.as_bytes());
    Some(format!("g{}", hex::encode(&digest[..16])))
}

/// Amount in the currency's minor units (a decimal that does not fit counts as 0).
fn minor_units(amount: Decimal, currency: &str) -> i64 {
    let scaled = amount * Decimal::from(10_i64.pow(crate::money::decimals(currency)));
    i64::try_from(
        scaled.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
    )
    .unwrap_or(0)
}

/// The order's contribution now, and the customers whose figures it may have changed.
pub fn fold(
    conn: &Connection,
    ctx: &Context,
    order_id: i64,
) -> Result<(Contribution, Vec<String>), StoreError> {
    let store = &ctx.store;
    let mut touched: Vec<String> = conn
        .prepare_cached(
            "SELECT customer FROM insight_orders WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row(params![store, order_id], |r| r.get(0))
        .optional()?
        .into_iter()
        .collect();

    type OrderRow = (
        String,
        bool,
        Option<String>,
        i64,
        String,
        String,
        String,
        String,
    );
    let row: Option<OrderRow> = conn
        .prepare_cached(
            "SELECT status, is_draft, trashed_at, customer_id, billing_email, currency, total,
                    date_created
             FROM orders WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row(params![store, order_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let paid = row.as_ref().and_then(|row| {
        let (status, draft, trashed, customer_id, email, currency, total, created) = row;
        if *draft || trashed.is_some() || !PAID.contains(&status.as_str()) {
            return None;
        }
        let day = Day::of_text(created, &ctx.calendar)?;
        Some((customer_key(*customer_id, email), currency, total, day))
    });
    let Some((customer, currency, total, day)) = paid else {
        conn.prepare_cached("DELETE FROM insight_orders WHERE store_id = ?1 AND order_id = ?2")?
            .execute(params![store, order_id])?;
        return Ok((Contribution::default(), touched));
    };

    let mut contribution = Contribution::default();
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, SUM(quantity) FROM line_items
         WHERE store_id = ?1 AND order_id = ?2 AND product_id > 0 GROUP BY product_id",
    )?;
    let lines = stmt.query_map(params![store, order_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for line in lines {
        let (product, quantity) = line?;
        contribution.count(Measure::Sold, product.to_string(), day, quantity);
    }

    if let Some(customer) = customer {
        // Refunds are in the order as WooCommerce sent it, each with a negative total.
        let refunds: Vec<String> = conn
            .prepare_cached(
                "SELECT CAST(json_extract(r.value, '$.total') AS TEXT)
                 FROM orders o, json_each(o.raw, '$.refunds') r
                 WHERE o.store_id = ?1 AND o.order_id = ?2 AND json_valid(o.raw)",
            )?
            .query_map(params![store, order_id], |r| r.get::<_, Option<String>>(0))?
            .filter_map(|r| r.transpose())
            .collect::<Result<_, _>>()?;
        let refunded: Decimal = refunds
            .iter()
            .filter_map(|t| t.parse::<Decimal>().ok())
            .map(|d| d.abs())
            .sum();
        let net = total.parse::<Decimal>().unwrap_or_default() - refunded;
        let value = minor_units(net.max(Decimal::ZERO), currency);
        conn.prepare_cached(
            "INSERT INTO insight_orders (store_id, order_id, customer, day, value)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (store_id, order_id)
             DO UPDATE SET customer = excluded.customer, day = excluded.day, value = excluded.value",
        )?
        .execute(params![store, order_id, customer, day.0, value])?;
        if !touched.contains(&customer) {
            touched.push(customer);
        }
    } else {
        conn.prepare_cached("DELETE FROM insight_orders WHERE store_id = ?1 AND order_id = ?2")?
            .execute(params![store, order_id])?;
    }
    Ok((contribution, touched))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_are_known_by_a_hash_of_their_address() {
        assert_eq!(customer_key(7, "x@example.com").as_deref(), Some("c7"));
        let a = customer_key(0, " Jo@Example.com").unwrap();
        assert_eq!(Some(a.clone()), customer_key(0, "jo@example.com"));
        assert!(a.starts_with('g') && !a.contains('@') && a.len() == 33);
        assert_eq!(customer_key(0, "  "), None);
    }

    #[test]
    fn amounts_count_in_minor_units() {
        assert_eq!(minor_units("12.34".parse().unwrap(), "USD"), 1234);
        assert_eq!(minor_units("15000".parse().unwrap(), "KRW"), 15000);
        assert_eq!(minor_units("1.2345".parse().unwrap(), "KWD"), 1235);
    }
}
