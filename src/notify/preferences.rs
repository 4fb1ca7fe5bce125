//! A customer's email preferences for the plugin's My Account page: for each address the
//! customer's orders mail to and each class they may leave, the same unsubscribe link a
//! message carries and whether they still get that class.

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::Class;
use super::store;
use super::unsubscribe::{self, Keys};
use crate::ids::{CustomerId, StoreId};
use crate::store::StoreError;
use crate::time::Stamp;

/// More addresses than this on one account is not a person's history; the page stays short.
const MAX_ADDRESSES: i64 = 10;

#[derive(Debug, Serialize, ToSchema)]
pub struct Preference {
    /// The address the messages go to (the orders' billing email, lower-cased).
    pub email: String,
    /// `status_update`: shipped, out for delivery, delivered and delay messages.
    /// Receipts and refunds are transactional and always sent, so they are not listed.
    #[schema(value_type = String)]
    pub class: Class,
    /// Whether the customer still gets this class at this address.
    pub subscribed: bool,
    /// The unsubscribe page of this address and class (no login needed).
    pub unsubscribe_url: String,
}

/// The customer's preferences, newest address first. Remembers each link's token, as
/// deciding a message does, so the page answers for it before any message was sent.
pub fn of_customer(
    conn: &Connection,
    store_id: &StoreId,
    customer: CustomerId,
    keys: &Keys,
    base_url: &str,
    now: &Stamp,
) -> Result<Vec<Preference>, StoreError> {
    let emails: Vec<String> = conn
        .prepare_cached(
            "SELECT lower(trim(billing_email)) AS email FROM orders
             WHERE store_id = ?1 AND customer_id = ?2 AND is_draft = 0 AND trashed_at IS NULL
               AND trim(billing_email) <> ''
             GROUP BY email ORDER BY max(date_created) DESC LIMIT ?3",
        )?
        .query_map((store_id, customer.get() as i64, MAX_ADDRESSES), |r| {
            r.get(0)
        })?
        .collect::<Result<_, _>>()?;
    let mut preferences = Vec::new();
    for email in emails {
        for &class in Class::ALL.iter().filter(|c| c.unsubscribable()) {
            let token = keys.token(store_id, &email, class);
            store::remember_token(conn, &token, store_id, &email, class, now)?;
            preferences.push(Preference {
                subscribed: !store::is_unsubscribed(conn, store_id, &email, class)?,
                unsubscribe_url: unsubscribe::url(base_url, &token),
                email: email.clone(),
                class,
            });
        }
    }
    Ok(preferences)
}
