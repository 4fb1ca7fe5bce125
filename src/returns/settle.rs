//! Carrying out the money of a return in WooCommerce: a refund for `refunded`, a
//! one-use coupon for `credited`. WooCommerce has no idempotency key, so every attempt first
//! looks for what an earlier attempt may already have created (by aftercare's marker in
//! the object's meta data) and never creates a second one.

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::model::Status;
use super::money::{self, has_marker};
use super::store::{self, ReturnRecord, Settlement};
use crate::AppState;
use crate::orders::store as orders;
use crate::woo::{Order, WooClient, WooError};

/// What became of one attempt.
#[derive(Debug)]
pub enum Outcome {
    /// Done (now or by an earlier attempt), or nothing to do.
    Done,
    /// Try again later; the reason is recorded on the return for staff.
    Retry(String),
}

/// The marker written on the refund or coupon of one return.
pub fn marker(store_id: &str, return_id: i64) -> String {
    format!("{store_id}:{return_id}")
}

/// A coupon code that is the same on every attempt (so a retry finds it) and that nobody
/// can guess from the return's number.
pub fn coupon_code(state: &AppState, store_id: &str, return_id: i64) -> String {
    let secret = state
        .store(store_id)
        .map(|s| s.link_key.sign(store_id, return_id, 0))
        .unwrap_or_default();
    let digest = hex::encode(Sha256::digest(format!("coupon:{secret}")));
    format!("RETURN-{return_id}-{}", digest[..8].to_uppercase())
}

/// One attempt at settling return `return_id` of `store_id`.
pub async fn run(state: &AppState, store_id: &str, return_id: i64) -> Outcome {
    let loaded = {
        let store = store_id.to_owned();
        state
            .db()
            .read(move |c| {
                let Some(record) = store::get(c, &store, return_id)? else {
                    return Ok(None);
                };
                let order = orders::load_order(c, &store, record.order_id)?;
                Ok(Some((record, order)))
            })
            .await
    };
    let (record, order) = match loaded {
        Ok(Some((record, Some(order)))) => (record, order),
        Ok(_) => return Outcome::Done,
        Err(e) => return Outcome::Retry(format!("database: {e}")),
    };
    if record.settlement.as_deref() == Some("done") {
        return Outcome::Done;
    }
    let Some(config) = state.config().store(store_id) else {
        return Outcome::Done;
    };
    let client = match WooClient::new(config, &state.config().woocommerce) {
        Ok(client) => client,
        Err(WooError::NotConfigured { .. }) => {
            return fail(
                state,
                &record,
                "The store has no WooCommerce REST API keys configured, so aftercare cannot move \
                 the money. Configure them (README: WooCommerce REST API keys).",
            )
            .await;
        }
        Err(e) => return fail(state, &record, &e.to_string()).await,
    };
    let attempt = match Status::parse(&record.status) {
        Some(Status::Refunded) => refund(state, &client, &record, &order).await,
        Some(Status::Credited) => credit(state, &client, &record, &order).await,
        _ => return Outcome::Done,
    };
    match attempt {
        Ok(settled) => {
            let id = record.id;
            let result = state
                .db()
                .writer()
                .write(move |c| store::settle(c, id, &settled.as_settlement()))
                .await;
            match result {
                Ok(()) => {
                    tracing::info!(
                        store = store_id,
                        return_id,
                        order_id = record.order_id,
                        "return settled in WooCommerce"
                    );
                    Outcome::Done
                }
                Err(e) => Outcome::Retry(format!("database: {e}")),
            }
        }
        Err(e) => fail(state, &record, &e).await,
    }
}

/// What WooCommerce created (or already had).
enum Settled {
    Refund(u64),
    Coupon(String, u64),
}

impl Settled {
    fn as_settlement(&self) -> Settlement<'_> {
        match self {
            Settled::Refund(id) => Settlement::Refunded { wc_refund_id: *id },
            Settled::Coupon(code, id) => Settlement::Credited {
                coupon_code: code,
                wc_coupon_id: *id,
            },
        }
    }
}

async fn fail(state: &AppState, record: &ReturnRecord, error: &str) -> Outcome {
    tracing::warn!(store = %record.store_id, return_id = record.id, order_id = record.order_id, %error, "settling a return failed; will retry");
    let (id, message) = (record.id, error.to_owned());
    let _ = state
        .db()
        .writer()
        .write(move |c| store::settle(c, id, &Settlement::Failed { error: &message }))
        .await;
    Outcome::Retry(error.to_owned())
}

async fn refund(
    state: &AppState,
    client: &WooClient,
    record: &ReturnRecord,
    order: &Order,
) -> Result<Settled, String> {
    let marker = marker(&record.store_id, record.id);
    let existing = client
        .list_refunds(order.id)
        .await
        .map_err(|e| format!("listing the order's refunds: {e}"))?;
    if let Some(found) = existing.iter().find(|r| has_marker(r, &marker)) {
        return refund_id(found).map(Settled::Refund);
    }
    let plan = money::plan(order, &record.units());
    // Staff and the customer were shown the amount fixed when the return was refunded; if
    // the order was edited since, send nothing rather than a different sum.
    let shown = record.amount.as_deref().unwrap_or_default();
    let now = plan.shown_amount(&order.currency);
    if now != shown {
        return Err(format!(
            "the order changed since the return was marked refunded: the refund would now be \
             {now}, but {shown} was shown; refund it in WooCommerce by hand"
        ));
    }
    let body = money::refund_request(
        &plan,
        &order.currency,
        state.config().returns.api_refund,
        &marker,
        &format!("Return #{}", record.id),
    );
    let created = client
        .create_refund(order.id, &body)
        .await
        .map_err(|e| format!("creating the refund: {e}"))?;
    refund_id(&created).map(Settled::Refund)
}

fn refund_id(refund: &serde_json::Value) -> Result<u64, String> {
    refund["id"]
        .as_u64()
        .ok_or_else(|| "WooCommerce answered a refund without an id".to_owned())
}

async fn credit(
    state: &AppState,
    client: &WooClient,
    record: &ReturnRecord,
    order: &Order,
) -> Result<Settled, String> {
    let marker = marker(&record.store_id, record.id);
    let code = coupon_code(state, &record.store_id, record.id);
    let found: Vec<serde_json::Value> = client
        .get("coupons", &[("code", code.clone())])
        .await
        .map_err(|e| format!("looking up coupon {code}: {e}"))?;
    if let Some(coupon) = found.iter().find(|c| has_marker(c, &marker)) {
        return coupon_id(coupon).map(|id| Settled::Coupon(code, id));
    }
    let email = order.billing.email.clone().unwrap_or_default();
    if email.trim().is_empty() {
        return Err("the order has no billing email to restrict the store credit to".into());
    }
    let amount: Decimal = record
        .amount
        .as_deref()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| money::plan(order, &record.units()).amount);
    let body = money::coupon_request(
        &code,
        amount,
        &order.currency,
        email.trim(),
        &marker,
        &format!(
            "Store credit for return #{} of order {}",
            record.id,
            order.display_number()
        ),
    );
    let created = client
        .create_coupon(&body)
        .await
        .map_err(|e| format!("creating the store-credit coupon: {e}"))?;
    coupon_id(&created).map(|id| Settled::Coupon(code, id))
}

fn coupon_id(coupon: &serde_json::Value) -> Result<u64, String> {
    coupon["id"]
        .as_u64()
        .ok_or_else(|| "WooCommerce answered a coupon without an id".to_owned())
}
