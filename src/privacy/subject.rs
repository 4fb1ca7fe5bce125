//! Whose data a request is about: the e-mail address as given, and the orders it finds.

use rusqlite::Connection;

use crate::ids::{OrderId, StoreId};
use crate::store::StoreError;

/// The longest address RFC 5321 lets through.
const MAX_EMAIL: usize = 254;

/// The address in the form every lookup compares (trimmed, lower-cased), or why it is not
/// one.
pub fn normalise(email: &str) -> Result<String, &'static str> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err("must be an e-mail address");
    }
    if email.len() > MAX_EMAIL {
        return Err("must be at most 254 characters");
    }
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    }) && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        return Err("must be an e-mail address");
    }
    Ok(email)
}

/// The person's orders in one store: by billing address, and for a registered customer
/// every order of that customer id too (a changed billing address stays theirs).
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub email: String,
    pub orders: Vec<OrderId>,
}

/// Finds the orders of `email` (already normalised). A privacy request is rare: the scan
/// of the store's orders by address is accepted rather than an index kept for it.
pub fn find(conn: &Connection, store: &StoreId, email: &str) -> Result<Subject, StoreError> {
    let orders = conn
        .prepare_cached(
            "WITH customers AS (
                 SELECT DISTINCT customer_id FROM orders
                 WHERE store_id = ?1 AND lower(trim(billing_email)) = ?2 AND customer_id > 0
             )
             SELECT order_id FROM orders
             WHERE store_id = ?1
               AND (lower(trim(billing_email)) = ?2
                    OR customer_id IN (SELECT customer_id FROM customers))
             ORDER BY order_id",
        )?
        .query_map((store, email), |r| r.get::<_, OrderId>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Subject {
        email: email.to_owned(),
        orders,
    })
}

/// `orders` as a JSON array, for `IN (SELECT value FROM json_each(?))`.
pub fn id_list(orders: &[OrderId]) -> String {
    serde_json::to_string(&orders.iter().map(|o| o.get()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_compared_trimmed_and_without_case() {
        assert_eq!(
            normalise("  Minji.Kim@Example.COM ").unwrap(),
            "minji.kim@example.com"
        );
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "@example.com",
            "a@",
            "a@b@c",
            "a b@c.d",
        ] {
            assert!(normalise(bad).is_err(), "{bad}");
        }
        assert!(normalise(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
