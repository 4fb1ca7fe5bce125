//! What the plugin's admin screen shows about a store's connection: deliveries,
//! reconciliation, webhooks, and the problems in plain sentences.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::SyncConfig;
use super::store::{self as state_store, Status, WebhookRow};
use crate::ids::StoreId;
use crate::ingest::deliveries;
use crate::shop::timezone::{ShopZone, ZoneView};
use crate::store::{Db, StoreError};
use crate::time;
use crate::woo::webhook::ORDER_TOPICS;

/// `GET /api/v1/store/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreHealth {
    /// The store the API key belongs to.
    #[schema(value_type = String)]
    pub store: StoreId,
    /// aftercare's version.
    pub version: &'static str,
    /// When the last webhook delivery arrived (REST fetches not counted).
    pub last_delivery_at: Option<String>,
    /// When the last reconciliation (incremental or full) succeeded.
    pub last_reconciliation_at: Option<String>,
    pub last_full_sweep_at: Option<String>,
    /// Orders reconciliation found missing or out of date, since the first run.
    pub repaired_orders_total: u64,
    /// The same, in the last successful run; null before the first.
    pub repaired_orders_last_run: Option<u64>,
    /// The store's order webhooks that deliver to aftercare, as last checked.
    pub webhooks: Vec<WebhookState>,
    pub webhooks_checked_at: Option<String>,
    /// Whether the store URL and REST API keys are configured.
    pub rest_configured: bool,
    /// The time zone of every date aftercare shows for this store, and where it comes from.
    pub timezone: ZoneView,
    /// What needs attention, one sentence each; empty when all is well.
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookState {
    /// WooCommerce's webhook id.
    pub id: u64,
    pub topic: String,
    /// `active`, `paused` or `disabled`.
    pub status: String,
    pub delivery_url: String,
    /// Active and delivering to aftercare.
    pub ok: bool,
}

/// `GET /api/v1/store/connection`: what the plugin's one-click Connect needs to create the
/// webhooks itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreConnection {
    #[schema(value_type = String)]
    pub store: StoreId,
    pub version: &'static str,
    /// Path of this store's webhook endpoint, relative to aftercare's public URL.
    pub webhook_path: String,
    /// The full delivery URL, the one `aftercare serve` prints at start-up: built from the
    /// public URL when one is configured, else from the address aftercare listens on.
    pub webhook_url: String,
    /// Whether `webhook_url` comes from a configured public URL. When false it is the listen
    /// address, which WordPress may refuse to deliver to (not public, or an unusual port).
    pub webhook_url_public: bool,
    /// The secret to give the webhooks (the store's current one).
    pub webhook_secret: String,
    /// The topics to create a webhook for.
    pub topics: Vec<&'static str>,
}

pub fn connection(config: &SyncConfig, store: &StoreId) -> Option<StoreConnection> {
    let store_config = config.store(store)?;
    Some(StoreConnection {
        store: store.to_owned(),
        version: env!("CARGO_PKG_VERSION"),
        webhook_path: crate::webhook::url::path(store),
        webhook_url: crate::webhook::url::url(&config.base_url, store),
        webhook_url_public: config.public_base_url.is_some(),
        webhook_secret: store_config.webhook_secret.as_ref()?.expose().to_owned(),
        topics: ORDER_TOPICS.to_vec(),
    })
}

/// The store's health; `shop` is what the configuration says of the shop's own facts,
/// weighed against its profile for the problems, and `zone` its time zone as resolved now.
pub async fn report(
    db: &Db,
    config: &SyncConfig,
    store: &StoreId,
    shop: &crate::shop::Configured<'_>,
    zone: &ShopZone,
) -> Result<StoreHealth, StoreError> {
    let id = store.to_owned();
    let (status, webhooks, last_delivery_at, profile) = db
        .read(move |conn| {
            Ok((
                state_store::status(conn, &id)?,
                state_store::webhooks(conn, &id)?,
                deliveries::last_webhook_at(conn, &id)?,
                crate::shop::store::load(conn, &id)?.map(|s| s.profile),
            ))
        })
        .await?;
    let rest_configured = config
        .store(store)
        .is_some_and(|s| s.access.url.is_some() && s.access.consumer_key.is_some());
    let mut problems = problems(
        config.sync.reconcile_interval,
        rest_configured,
        &status,
        &webhooks,
        last_delivery_at.as_deref(),
        Timestamp::now(),
    );
    problems.extend(crate::shop::problems(shop, profile.as_ref()));
    problems.extend(zone.problem());
    Ok(StoreHealth {
        store: store.to_owned(),
        version: env!("CARGO_PKG_VERSION"),
        last_delivery_at,
        last_reconciliation_at: status.last_reconciliation_at,
        last_full_sweep_at: status.last_full_sweep_at,
        repaired_orders_total: status.repaired_orders_total,
        repaired_orders_last_run: status.repaired_orders_last_run,
        webhooks: webhooks
            .into_iter()
            .map(|w| WebhookState {
                id: w.webhook_id,
                topic: w.topic,
                status: w.status,
                delivery_url: w.delivery_url,
                ok: w.ok,
            })
            .collect(),
        webhooks_checked_at: status.webhooks_checked_at,
        rest_configured,
        timezone: zone.view(),
        problems,
    })
}

fn problems(
    reconcile_interval: Option<std::time::Duration>,
    rest_configured: bool,
    status: &Status,
    webhooks: &[WebhookRow],
    last_delivery_at: Option<&str>,
    now: Timestamp,
) -> Vec<String> {
    let mut problems = Vec::new();
    if last_delivery_at.is_none() {
        problems.push(
            "No webhook delivery has arrived yet: check that the order webhooks exist and deliver to aftercare."
                .to_owned(),
        );
    }
    if !rest_configured {
        problems.push(
            "The WooCommerce REST API keys are not configured, so aftercare cannot repair orders whose webhooks were lost nor watch the webhooks."
                .to_owned(),
        );
        return problems;
    }
    if let (Some(error), Some(at)) = (&status.last_error, &status.last_error_at) {
        problems.push(format!("The last reconciliation failed at {at}: {error}."));
    }
    match reconcile_interval {
        None => problems.push(
            "Reconciliation is switched off (sync.reconcile_interval_seconds = 0), so orders whose webhooks were lost stay missing."
                .to_owned(),
        ),
        Some(every) => {
            let overdue = every.as_secs().saturating_mul(3).max(900) as i64;
            if let Some(last) = status.last_reconciliation_at.as_deref().and_then(time::parse)
                && now.as_second() - last.as_second() > overdue
            {
                problems.push(format!(
                    "No reconciliation has succeeded since {}.",
                    time::seconds(last)
                ));
            }
        }
    }
    if let Some(n) = status.repaired_orders_last_run.filter(|n| *n > 0) {
        problems.push(format!(
            "The last reconciliation repaired {n} order{} that webhooks had missed.",
            if n == 1 { "" } else { "s" }
        ));
    }
    if let Some(error) = &status.webhooks_error {
        problems.push(format!("The webhooks could not be checked: {error}."));
    }
    if status.webhooks_checked_at.is_some() {
        for topic in ORDER_TOPICS {
            let hooks: Vec<&WebhookRow> = webhooks.iter().filter(|w| w.topic == topic).collect();
            if hooks.iter().any(|w| w.ok) {
                continue;
            }
            match hooks.first() {
                None => problems.push(format!(
                    "No {topic} webhook delivers to aftercare: run `aftercare connect` or Connect in the plugin."
                )),
                Some(w) if w.status == "disabled" => problems.push(format!(
                    "The {topic} webhook (#{}) is disabled: WooCommerce disables a webhook after repeated failed deliveries.",
                    w.webhook_id
                )),
                Some(w) if w.status != "active" => problems.push(format!(
                    "The {topic} webhook (#{}) is {} in WooCommerce.",
                    w.webhook_id, w.status
                )),
                Some(w) => problems.push(format!(
                    "The {topic} webhook (#{}) delivers to {}, which is not aftercare's webhook URL.",
                    w.webhook_id, w.delivery_url
                )),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn hook(id: u64, topic: &str, status: &str, url: &str, ok: bool) -> WebhookRow {
        WebhookRow {
            webhook_id: id,
            topic: topic.into(),
            status: status.into(),
            delivery_url: url.into(),
            ok,
        }
    }

    #[test]
    fn problems_are_spelled_out() {
        let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
        let every = Some(Duration::from_secs(300));
        let status = Status {
            last_reconciliation_at: Some("2026-11-23T10:00:00.000Z".into()),
            webhooks_checked_at: Some("2026-11-23T11:59:00.000Z".into()),
            repaired_orders_last_run: Some(2),
            ..Status::default()
        };
        let url = "https://a.example/webhooks/woocommerce";
        let hooks = [
            hook(1, "order.created", "active", url, true),
            hook(2, "order.updated", "disabled", url, false),
            hook(
                3,
                "order.deleted",
                "active",
                "https://old.example/webhooks/woocommerce",
                false,
            ),
        ];
        let found = problems(
            every,
            true,
            &status,
            &hooks,
            Some("2026-11-23T11:00:00Z"),
            now,
        );
        assert_eq!(
            found,
            [
                "No reconciliation has succeeded since 2026-11-23T10:00:00Z.",
                "The last reconciliation repaired 2 orders that webhooks had missed.",
                "The order.updated webhook (#2) is disabled: WooCommerce disables a webhook after repeated failed deliveries.",
                "The order.deleted webhook (#3) delivers to https://old.example/webhooks/woocommerce, which is not aftercare's webhook URL.",
                "No order.restored webhook delivers to aftercare: run `aftercare connect` or Connect in the plugin.",
            ]
        );

        let recent = Status {
            last_reconciliation_at: Some("2026-11-23T11:58:00.000Z".into()),
            ..Status::default()
        };
        assert!(
            problems(every, true, &recent, &[], Some("2026-11-23T11:00:00Z"), now).is_empty(),
            "webhooks never checked and a recent run: nothing to say"
        );
        let no_keys = problems(every, false, &recent, &[], None, now);
        assert_eq!(no_keys.len(), 2, "{no_keys:?}");
    }
}
