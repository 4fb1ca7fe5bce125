//! Carrying out the money of a return in WooCommerce: a refund for `refunded`, a
//! one-use coupon for `credited`. WooCommerce has no idempotency key, so every attempt first
//! looks for what an earlier attempt may already have created (by aftercare's marker in
//! the object's meta data) and never creates a second one.

use std::sync::Arc;

use anyhow::{Context as _, anyhow};
use jiff::Timestamp;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::model::Status;
use super::money::{self, has_marker};
use super::settings::ReturnSettings;
use super::store::{self, ReturnRecord, Settlement};
use crate::ids::{ReturnId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome, Registry};
use crate::orders::store as orders;
use crate::store::Db;
use crate::time;
use crate::woo::{Order, WooClient, WooClients, WooError};

/// What settling a return uses.
pub struct Settler {
    pub db: Db,
    pub woo: WooClients,
    pub settings: ReturnSettings,
    /// A per-store secret of a return (store, return id) that its coupon code is derived
    /// from; empty for a store that is not configured.
    pub coupon_secret: CouponSecret,
}

pub type CouponSecret = Box<dyn Fn(&StoreId, ReturnId) -> String + Send + Sync>;

/// The marker written on the refund or coupon of one return.
pub fn marker(store_id: &StoreId, return_id: ReturnId) -> String {
    format!("{store_id}:{return_id}")
}

impl Settler {
    /// Registers the handler of `settle_return` (the job's subject is the return id).
    pub fn register(self: Arc<Self>, registry: &mut Registry) {
        registry.register(JobKind::SettleReturn, move |job: Job| {
            let settler = self.clone();
            async move {
                settler
                    .run(&job.store_id, ReturnId::new(job.subject as i64))
                    .await
            }
        });
    }

    /// A coupon code that is the same on every attempt (so a retry finds it) and that
    /// nobody can guess from the return's number.
    fn coupon_code(&self, store_id: &StoreId, return_id: ReturnId) -> String {
        let secret = (self.coupon_secret)(store_id, return_id);
        let digest = hex::encode(Sha256::digest(format!("coupon:{secret}")));
        format!("RETURN-{return_id}-{}", digest[..8].to_uppercase())
    }

    /// One attempt at settling return `return_id` of `store_id`.
    pub async fn run(&self, store_id: &StoreId, return_id: ReturnId) -> Outcome {
        let loaded = {
            let store = store_id.to_owned();
            self.db
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
            Err(e) => return Outcome::Retry(anyhow::Error::from(e).context("database")),
        };
        if record.settlement.as_deref() == Some("done") {
            return Outcome::Done;
        }
        let client = match self.woo.client(store_id) {
            None => return Outcome::Done,
            Some(Ok(client)) => client,
            Some(Err(WooError::NotConfigured { .. })) => {
                return self.fail(
                &record,
                anyhow!(
                    "The store has no WooCommerce REST API keys configured, so aftercare cannot move \
                     the money. Configure them (README: WooCommerce REST API keys)."
                ),
            )
            .await;
            }
            Some(Err(e)) => return self.fail(&record, e.into()).await,
        };
        let attempt = match Status::parse(&record.status) {
            Some(Status::Refunded) => self.refund(&client, &record, &order).await,
            Some(Status::Credited) => self.credit(&client, &record, &order).await,
            _ => return Outcome::Done,
        };
        match attempt {
            Ok(settled) => {
                let (store, id, order_id) = (store_id.clone(), record.id, record.order_id);
                let result = self
                    .db
                    .writer()
                    .write(move |c| {
                        store::settle(c, id, &settled.as_settlement())?;
                        // The refund now exists in WooCommerce: only now may the customer
                        // hear of it (notifications decide, once per return status).
                        if let Settled::Refund(_) = settled {
                            jobs::enqueue(
                                c,
                                &store,
                                JobKind::NotifyReturn,
                                order_id,
                                id.get() as u64,
                                &time::millis(Timestamp::now()),
                            )?;
                        }
                        Ok(())
                    })
                    .await;
                match result {
                    Ok(()) => {
                        tracing::info!(
                            store = %store_id,
                            return_id = return_id.get(),
                            order_id = record.order_id.get(),
                            "return settled in WooCommerce"
                        );
                        Outcome::Done
                    }
                    Err(e) => Outcome::Retry(anyhow::Error::from(e).context("database")),
                }
            }
            Err(e) => self.fail(&record, e).await,
        }
    }

    /// Records the failure on the return, where staff see it, and has the job retried.
    async fn fail(&self, record: &ReturnRecord, error: anyhow::Error) -> Outcome {
        tracing::warn!(store = %record.store_id, return_id = record.id.get(), order_id = record.order_id.get(), error = %format!("{error:#}"), "settling a return failed; will retry");
        let (id, message) = (record.id, format!("{error:#}"));
        let _ = self
            .db
            .writer()
            .write(move |c| store::settle(c, id, &Settlement::Failed { error: &message }))
            .await;
        Outcome::Retry(error)
    }

    async fn refund(
        &self,
        client: &WooClient,
        record: &ReturnRecord,
        order: &Order,
    ) -> anyhow::Result<Settled> {
        let marker = marker(&record.store_id, record.id);
        let existing = client
            .list_refunds(order.id)
            .await
            .context("listing the order's refunds")?;
        if let Some(found) = existing.iter().find(|r| has_marker(r, &marker)) {
            return refund_id(found).map(Settled::Refund);
        }
        let plan = money::plan(order, &record.units());
        // Staff and the customer were shown the amount fixed when the return was refunded; if
        // the order was edited since, send nothing rather than a different sum.
        let shown = record.amount.as_deref().unwrap_or_default();
        let now = plan.shown_amount(&order.currency);
        if now != shown {
            return Err(anyhow!(
                "the order changed since the return was marked refunded: the refund would now be \
             {now}, but {shown} was shown; refund it in WooCommerce by hand"
            ));
        }
        let body = money::refund_request(
            &plan,
            &order.currency,
            self.settings.api_refund,
            &marker,
            &format!("Return #{}", record.id),
        );
        let created = client
            .create_refund(order.id, &body)
            .await
            .context("creating the refund")?;
        refund_id(&created).map(Settled::Refund)
    }

    async fn credit(
        &self,
        client: &WooClient,
        record: &ReturnRecord,
        order: &Order,
    ) -> anyhow::Result<Settled> {
        let marker = marker(&record.store_id, record.id);
        let code = self.coupon_code(&record.store_id, record.id);
        let found: Vec<serde_json::Value> = client
            .get("coupons", &[("code", code.clone())])
            .await
            .with_context(|| format!("looking up coupon {code}"))?;
        if let Some(coupon) = found.iter().find(|c| has_marker(c, &marker)) {
            return coupon_id(coupon).map(|id| Settled::Coupon(code, id));
        }
        let email = order.billing.email.clone().unwrap_or_default();
        if email.trim().is_empty() {
            return Err(anyhow!(
                "the order has no billing email to restrict the store credit to"
            ));
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
            .context("creating the store-credit coupon")?;
        coupon_id(&created).map(|id| Settled::Coupon(code, id))
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

fn refund_id(refund: &serde_json::Value) -> anyhow::Result<u64> {
    refund["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("WooCommerce answered a refund without an id"))
}

fn coupon_id(coupon: &serde_json::Value) -> anyhow::Result<u64> {
    coupon["id"]
        .as_u64()
        .ok_or_else(|| anyhow!("WooCommerce answered a coupon without an id"))
}
