//! Keeping the four order webhooks alive through `/wc/v3/webhooks`.
//!
//! A webhook is aftercare's when its topic is one of [`ORDER_TOPICS`] and it delivers to
//! aftercare's webhook URL, or (after the public URL changed) carries the name aftercare
//! gives its webhooks, `aftercare order.created` and so on. Webhooks of other tools are
//! never touched.
//!
//! `aftercare connect` ([`connect`]) makes exactly one webhook per topic: it creates missing
//! ones, re-activates paused and disabled ones, points them at the current URL, deletes
//! duplicates it owns, and sets the secret on every one it keeps. WooCommerce never returns
//! a webhook's secret, so a wrong secret cannot be seen, only overwritten: connect always
//! writes the store's current secret (the first of `webhook_secrets`), which also finishes
//! a secret rotation.
//!
//! `serve` ([`check_and_record`]) looks at them periodically and after a reconciliation
//! repaired orders: it records their states for the health report and re-activates those
//! WooCommerce disabled after failed deliveries (seven in a row, e.g. while aftercare was
//! down). It leaves paused ones (an administrator's choice) and creates nothing: missing
//! webhooks are reported as problems until `aftercare connect` (or the plugin) runs.

use jiff::Timestamp;

use super::SyncConfig;
use super::SyncError;
use super::SyncServices;
use super::store::{self as state_store, WebhookRow};
use crate::ids::StoreId;
use crate::time;
use crate::woo::webhook::{NewWebhook, ORDER_TOPICS, Webhook, WebhookUpdate};
use crate::woo::{WooClient, WooError};

/// Names of the webhooks aftercare creates: `aftercare order.created`, ...
pub const NAME_PREFIX: &str = "aftercare ";

/// Where the webhooks should deliver.
#[derive(Debug, Clone)]
pub struct Target {
    /// The full URL, when the public URL is known.
    pub url: Option<String>,
    /// `/webhooks/woocommerce[/{store}]`
    pub path: String,
}

impl Target {
    pub fn for_store(config: &SyncConfig, store: &StoreId) -> Target {
        Target {
            url: config.webhook_url(store),
            path: crate::webhook::url::path(store),
        }
    }

    fn matches(&self, delivery_url: &str) -> bool {
        match &self.url {
            Some(url) => same_url(url, delivery_url),
            None => reqwest::Url::parse(delivery_url)
                .is_ok_and(|u| u.path().trim_end_matches('/') == self.path),
        }
    }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Whether aftercare manages this webhook.
pub fn is_ours(hook: &Webhook, target: &Target) -> bool {
    ORDER_TOPICS.contains(&hook.topic.as_str())
        && (target.matches(&hook.delivery_url) || hook.name.starts_with(NAME_PREFIX))
}

/// One change `connect` makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create {
        topic: &'static str,
    },
    /// Always sets the secret; re-activates and re-points when needed.
    Update {
        id: u64,
        topic: String,
        reactivate_from: Option<String>,
        url_from: Option<String>,
    },
    Delete {
        id: u64,
        topic: String,
        delivery_url: String,
    },
}

/// What `connect` will do, given the store's webhooks and aftercare's URL.
pub fn plan(hooks: &[Webhook], url: &str) -> Vec<Action> {
    let target = Target {
        url: Some(url.to_owned()),
        path: String::new(),
    };
    let mut actions = Vec::new();
    for topic in ORDER_TOPICS {
        let mut ours: Vec<&Webhook> = hooks
            .iter()
            .filter(|h| h.topic == topic && is_ours(h, &target))
            .collect();
        // Keep the one closest to right: our URL first, then active, then the oldest.
        ours.sort_by_key(|h| (!same_url(&h.delivery_url, url), h.status != "active", h.id));
        let Some((keep, duplicates)) = ours.split_first() else {
            actions.push(Action::Create { topic });
            continue;
        };
        actions.push(Action::Update {
            id: keep.id,
            topic: topic.to_owned(),
            reactivate_from: (keep.status != "active").then(|| keep.status.clone()),
            url_from: (!same_url(&keep.delivery_url, url)).then(|| keep.delivery_url.clone()),
        });
        for duplicate in duplicates {
            actions.push(Action::Delete {
                id: duplicate.id,
                topic: topic.to_owned(),
                delivery_url: duplicate.delivery_url.clone(),
            });
        }
    }
    actions
}

/// What `connect` did, line by line, and the webhooks as they are afterwards.
#[derive(Debug, Clone)]
pub struct ConnectReport {
    pub lines: Vec<String>,
    /// Actions that failed (their lines say why).
    pub failures: usize,
    pub webhooks: Vec<WebhookRow>,
}

/// Creates or repairs the four order webhooks of `client`'s store to deliver to `url`.
pub async fn connect(
    services: &SyncServices,
    client: &WooClient,
    url: &str,
) -> Result<ConnectReport, SyncError> {
    let store = client.store_id().to_owned();
    let secret = services
        .config()
        .store(&store)
        .and_then(|s| s.webhook_secret.as_ref())
        .map(|s| s.expose().to_owned())
        .ok_or(WooError::NotConfigured {
            store: store.clone(),
        })?;
    let hooks = client.list_webhooks().await?;
    let mut lines = Vec::new();
    let mut failures = 0;
    for action in plan(&hooks, url) {
        let (line, result) = execute(client, &action, url, &secret).await;
        match result {
            Ok(()) => lines.push(line),
            Err(error) => {
                failures += 1;
                lines.push(format!("FAILED  {line}: {error}"));
            }
        }
        tracing::info!(store = %store, action = ?action, "webhook action");
    }
    let target = Target {
        url: Some(url.to_owned()),
        path: crate::webhook::url::path(&store),
    };
    for other in hooks.iter().filter(|h| !is_ours(h, &target)) {
        if ORDER_TOPICS.contains(&other.topic.as_str()) {
            lines.push(format!(
                "left    {:<15} webhook #{} (not aftercare's: delivers to {})",
                other.topic, other.id, other.delivery_url
            ));
        }
    }
    let after = client.list_webhooks().await?;
    let rows = states(&after, &target);
    record(services, &store, &rows).await?;
    Ok(ConnectReport {
        lines,
        failures,
        webhooks: rows,
    })
}

async fn execute(
    client: &WooClient,
    action: &Action,
    url: &str,
    secret: &str,
) -> (String, Result<(), WooError>) {
    match action {
        Action::Create { topic } => {
            let new = NewWebhook {
                name: format!("{NAME_PREFIX}{topic}"),
                topic: (*topic).to_owned(),
                delivery_url: url.to_owned(),
                secret: secret.to_owned(),
                status: "active".to_owned(),
            };
            match client.create_webhook(&new).await {
                Ok(created) => (
                    format!("created {topic:<15} webhook #{} -> {url}", created.id),
                    Ok(()),
                ),
                Err(e) => (format!("create  {topic:<15} webhook -> {url}"), Err(e)),
            }
        }
        Action::Update {
            id,
            topic,
            reactivate_from,
            url_from,
        } => {
            let mut what = Vec::new();
            if let Some(from) = reactivate_from {
                what.push(format!("re-activated (was {from})"));
            }
            if let Some(from) = url_from {
                what.push(format!("delivery URL changed from {from}"));
            }
            what.push("secret set".to_owned());
            let update = WebhookUpdate {
                status: Some("active".to_owned()),
                delivery_url: Some(url.to_owned()),
                secret: Some(secret.to_owned()),
            };
            let line = format!("updated {topic:<15} webhook #{id}: {}", what.join(", "));
            (line, client.update_webhook(*id, &update).await.map(|_| ()))
        }
        Action::Delete {
            id,
            topic,
            delivery_url,
        } => (
            format!("deleted {topic:<15} webhook #{id} (a duplicate delivering to {delivery_url})"),
            client.delete_webhook(*id).await.map(|_| ()),
        ),
    }
}

/// aftercare's webhooks among `hooks`, each judged: active and delivering to the target.
pub fn states(hooks: &[Webhook], target: &Target) -> Vec<WebhookRow> {
    let mut rows: Vec<WebhookRow> = hooks
        .iter()
        .filter(|h| is_ours(h, target))
        .map(|h| WebhookRow {
            webhook_id: h.id,
            topic: h.topic.clone(),
            status: h.status.clone(),
            delivery_url: h.delivery_url.clone(),
            ok: h.status == "active" && target.matches(&h.delivery_url),
        })
        .collect();
    rows.sort_by(|a, b| (&a.topic, a.webhook_id).cmp(&(&b.topic, b.webhook_id)));
    rows
}

/// `serve`'s check: re-activates webhooks WooCommerce disabled, returns the states.
pub async fn check(
    services: &SyncServices,
    client: &WooClient,
) -> Result<Vec<WebhookRow>, WooError> {
    let store = client.store_id();
    let target = Target::for_store(services.config(), store);
    let mut hooks = client.list_webhooks().await?;
    for hook in hooks
        .iter_mut()
        .filter(|h| h.status == "disabled" && target.matches(&h.delivery_url))
        .filter(|h| ORDER_TOPICS.contains(&h.topic.as_str()))
    {
        let update = WebhookUpdate {
            status: Some("active".to_owned()),
            ..WebhookUpdate::default()
        };
        match client.update_webhook(hook.id, &update).await {
            Ok(updated) => {
                tracing::warn!(
                    store = %store,
                    webhook_id = hook.id,
                    topic = %hook.topic,
                    "re-activated a webhook WooCommerce had disabled after failed deliveries"
                );
                hook.status = updated.status;
            }
            Err(error) => tracing::warn!(
                store = %store,
                webhook_id = hook.id,
                %error,
                "could not re-activate a disabled webhook"
            ),
        }
    }
    let rows = states(&hooks, &target);
    for topic in ORDER_TOPICS {
        if !rows.iter().any(|r| r.topic == topic && r.ok) {
            tracing::warn!(
                store = %store,
                topic,
                "no active webhook delivers this topic to aftercare; run `aftercare connect`"
            );
        }
    }
    Ok(rows)
}

/// [`check`], with the outcome recorded for the health report and metrics.
pub async fn check_and_record(services: &SyncServices, client: &WooClient) {
    let store = client.store_id().to_owned();
    match check(services, client).await {
        Ok(rows) => {
            if let Err(error) = record(services, &store, &rows).await {
                tracing::error!(store = %store, %error, "cannot record webhook states");
            }
        }
        Err(error) => {
            tracing::warn!(store = %store, %error, "cannot list the store's webhooks");
            let (message, now) = (error.to_string(), time::millis(Timestamp::now()));
            let _ = services
                .db()
                .writer()
                .write(move |conn| state_store::record_webhooks_error(conn, &store, &message, &now))
                .await;
        }
    }
}

async fn record(
    services: &SyncServices,
    store: &StoreId,
    rows: &[WebhookRow],
) -> Result<(), SyncError> {
    let healthy = ORDER_TOPICS
        .iter()
        .filter(|t| rows.iter().any(|r| r.topic == **t && r.ok))
        .count();
    services.metrics().webhook_topics_ok(store, healthy as i64);
    let (store, rows, now) = (
        store.to_owned(),
        rows.to_vec(),
        time::millis(Timestamp::now()),
    );
    services
        .db()
        .writer()
        .write(move |conn| state_store::record_webhooks(conn, &store, &rows, &now))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://aftercare.example/webhooks/woocommerce";

    fn hook(id: u64, topic: &str, status: &str, url: &str, name: &str) -> Webhook {
        Webhook {
            id,
            name: name.into(),
            status: status.into(),
            topic: topic.into(),
            delivery_url: url.into(),
        }
    }

    #[test]
    fn an_empty_store_gets_four_webhooks() {
        let actions = plan(&[], URL);
        assert_eq!(
            actions,
            ORDER_TOPICS
                .iter()
                .map(|topic| Action::Create { topic })
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn repairs_reactivates_and_deduplicates_only_its_own() {
        let hooks = [
            hook(1, "order.created", "active", URL, "Order created"),
            hook(
                2,
                "order.created",
                "active",
                "https://zapier.example/hook",
                "Zapier",
            ),
            hook(
                3,
                "order.created",
                "disabled",
                URL,
                "aftercare order.created",
            ),
            hook(4, "order.updated", "disabled", URL, "Order updated"),
            hook(
                5,
                "order.deleted",
                "active",
                "https://old.example/webhooks/woocommerce",
                "aftercare order.deleted",
            ),
            hook(6, "customer.created", "active", URL, "aftercare customer"),
        ];
        let actions = plan(&hooks, URL);
        assert_eq!(
            actions,
            vec![
                Action::Update {
                    id: 1,
                    topic: "order.created".into(),
                    reactivate_from: None,
                    url_from: None
                },
                Action::Delete {
                    id: 3,
                    topic: "order.created".into(),
                    delivery_url: URL.into()
                },
                Action::Update {
                    id: 4,
                    topic: "order.updated".into(),
                    reactivate_from: Some("disabled".into()),
                    url_from: None
                },
                Action::Update {
                    id: 5,
                    topic: "order.deleted".into(),
                    reactivate_from: None,
                    url_from: Some("https://old.example/webhooks/woocommerce".into())
                },
                Action::Create {
                    topic: "order.restored"
                },
            ]
        );
    }

    #[test]
    fn states_judge_status_and_url() {
        let target = Target {
            url: None,
            path: "/webhooks/woocommerce".into(),
        };
        let hooks = [
            hook(
                1,
                "order.created",
                "active",
                "https://a.example/webhooks/woocommerce",
                "",
            ),
            hook(
                2,
                "order.updated",
                "paused",
                "https://a.example/webhooks/woocommerce/",
                "",
            ),
            hook(
                3,
                "order.deleted",
                "active",
                "https://a.example/webhooks/woocommerce/outlet",
                "",
            ),
            hook(
                4,
                "order.restored",
                "active",
                "https://a.example/other",
                "aftercare order.restored",
            ),
        ];
        let rows = states(&hooks, &target);
        let summary: Vec<(u64, bool)> = rows.iter().map(|r| (r.webhook_id, r.ok)).collect();
        assert_eq!(summary, vec![(1, true), (4, false), (2, false)]);
    }
}
