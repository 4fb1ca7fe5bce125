//! What lies elsewhere: WooCommerce, the mail server and the tracking providers, each asked
//! one harmless question, and this machine's clock against WooCommerce's.

use std::time::Duration;

use super::Finding;
use crate::config::Config;
use crate::notify::smtp::Mailer;
use crate::sync::webhooks::{Target, states};
use crate::woo::clients::WooClients;
use crate::woo::webhook::ORDER_TOPICS;

const TIMEOUT: Duration = Duration::from_secs(10);
/// WooCommerce refuses OAuth 1.0a timestamps this far off (its window is 15 minutes).
const CLOCK_FAIL_SECS: i64 = 300;
/// Past this, logs and the tracking page disagree visibly.
const CLOCK_WARN_SECS: i64 = 60;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!(
            "aftercare/",
            env!("CARGO_PKG_VERSION"),
            " (doctor)"
        ))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client without custom roots builds")
}

/// Each store's WooCommerce: reachable, its REST API there, the key accepted, the order
/// webhooks in place, and the two clocks agreeing.
pub(super) async fn woocommerce(config: &Config, found: &mut Vec<Finding>) {
    let clients = WooClients::new(&config.stores, &config.woocommerce);
    let sync = config.sync_config();
    for store in &config.stores {
        let check = format!("WooCommerce ({})", store.id);
        let Some(url) = &store.url else {
            found.push(Finding::warn(
                check,
                "no store URL: aftercare takes webhooks but cannot repair a missed one",
                "set url, consumer_key and consumer_secret under the store's [[stores]] \
                 (a REST API key with Read/Write, WooCommerce > Settings > Advanced > REST API)",
            ));
            continue;
        };
        let root = format!("{}/wp-json/", url.trim_end_matches('/'));
        let answer = match http().get(&root).send().await {
            Ok(answer) => answer,
            Err(e) => {
                found.push(Finding::fail(
                    check,
                    format!("{url} cannot be reached: {}", plain(&e)),
                    "check the store URL, and DNS and the firewall from this machine",
                ));
                continue;
            }
        };
        let json = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if !answer.status().is_success() || !json {
            found.push(Finding::fail(
                check,
                format!(
                    "{root} answered {} without the REST API's JSON",
                    answer.status().as_u16()
                ),
                "check the store URL (the address WordPress calls its home) and turn on pretty \
                 permalinks (Settings > Permalinks)",
            ));
            continue;
        }
        clock(store.id.as_ref(), answer.headers(), found);
        let client = match clients.client(store.id.as_str()) {
            Some(Ok(client)) => client,
            Some(Err(e)) => {
                found.push(Finding::fail(check, e.to_string(), "see above"));
                continue;
            }
            None => continue,
        };
        // Listing the webhooks needs the key, and is what `connect` and `serve` do first.
        let hooks = match client.list_webhooks().await {
            Ok(hooks) => states(&hooks, &Target::for_store(&sync, &store.id)),
            Err(e) => {
                found.push(Finding::fail(
                    check,
                    format!("the REST API refused aftercare's key: {e}"),
                    "create a REST API key with Read/Write for an administrator (WooCommerce > \
                     Settings > Advanced > REST API) and set consumer_key and consumer_secret",
                ));
                continue;
            }
        };
        let delivering = ORDER_TOPICS
            .iter()
            .filter(|topic| hooks.iter().any(|h| h.ok && h.topic == **topic))
            .count();
        if delivering < ORDER_TOPICS.len() {
            found.push(Finding::warn(
                check,
                format!(
                    "{url}: key accepted, but {delivering} of the {} order webhooks deliver to aftercare",
                    ORDER_TOPICS.len()
                ),
                format!("run: aftercare connect --store {}", store.id),
            ));
        } else {
            found.push(Finding::ok(
                check,
                format!("{url}: key accepted, the order webhooks deliver to aftercare"),
            ));
        }
    }
}

/// This machine's clock against the time in a server's `Date` header.
fn clock(store: &str, headers: &reqwest::header::HeaderMap, found: &mut Vec<Finding>) {
    let check = format!("clock ({store})");
    let Some(theirs) = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| jiff::fmt::rfc2822::parse(v).ok())
    else {
        return;
    };
    let off = (jiff::Timestamp::now().as_second() - theirs.timestamp().as_second()).abs();
    let said = format!("this machine and WooCommerce differ by {off} s");
    let fix = "turn on time synchronisation on both machines (timedatectl set-ntp true)";
    found.push(if off > CLOCK_FAIL_SECS {
        Finding::fail(
            check,
            format!("{said}: WooCommerce refuses signed requests"),
            fix,
        )
    } else if off > CLOCK_WARN_SECS {
        Finding::warn(check, said, fix)
    } else {
        Finding::ok(check, said)
    });
}

/// Each store that mails over SMTP: the server greets aftercare (and takes its login).
pub(super) async fn smtp(config: &Config, found: &mut Vec<Finding>) {
    let stores: Vec<_> = config.stores.iter().map(|s| s.id.clone()).collect();
    let mailer = Mailer::new(&config.notify, &stores);
    for store in &stores {
        let Some(tested) = mailer.test_connection(store).await else {
            continue;
        };
        let check = format!("SMTP ({store})");
        found.push(match tested {
            Ok(()) => Finding::ok(check, "the mail server answers and accepts aftercare"),
            Err(e) => Finding::fail(
                check,
                format!("the mail server cannot be used: {e}"),
                "check smtp_url under [notify] (host, port, user and password) and that this \
                 machine may connect to it",
            ),
        });
    }
}

/// Each store's tracking providers: reachable, and the key accepted by a free question.
pub(super) async fn feeds(config: &Config, found: &mut Vec<Finding>) {
    for (store, feeds) in config.feeds.stores() {
        if let Some(a) = &feeds.seventeen_track {
            let asked = http()
                .post(format!("{}/gettrackinfo", a.url))
                .header("17token", a.api_key.expose())
                .json(&serde_json::json!([]))
                .send()
                .await;
            let check = format!("17TRACK ({store})");
            found.push(match asked {
                Err(e) => unreachable(check, &a.url, &e),
                Ok(r) => {
                    let status = r.status().as_u16();
                    let body: serde_json::Value = r.json().await.unwrap_or_default();
                    if body["code"] == 0 {
                        Finding::ok(check, "reachable, the access key accepted")
                    } else {
                        refused(check, format!("{status}, code {}", body["code"]))
                    }
                }
            });
        }
        if let Some(a) = &feeds.aftership {
            let asked = http()
                .get(format!("{}/trackings?limit=1", a.url))
                .header("as-api-key", a.api_key.expose())
                .send()
                .await;
            let check = format!("AfterShip ({store})");
            found.push(match asked {
                Err(e) => unreachable(check, &a.url, &e),
                Ok(r) if r.status().is_success() => {
                    Finding::ok(check, "reachable, the API key accepted")
                }
                Ok(r) => refused(check, r.status().as_u16().to_string()),
            });
        }
        if let Some(a) = &feeds.delivery_tracker {
            let mut ask = http()
                .post(&a.url)
                .json(&serde_json::json!({"query": "{ __typename }"}));
            if let Some(key) = &a.key {
                ask = ask.header("authorization", format!("TRACKQL-API-KEY {}", key.expose()));
            }
            let check = format!("Delivery Tracker ({store})");
            found.push(match ask.send().await {
                Err(e) => unreachable(check, &a.url, &e),
                Ok(r) if r.status().is_success() => Finding::ok(check, "reachable, answering"),
                Ok(r) => refused(check, r.status().as_u16().to_string()),
            });
        }
    }
}

fn unreachable(check: String, url: &str, e: &reqwest::Error) -> Finding {
    Finding::fail(
        check,
        format!("{url} cannot be reached: {}", plain(e)),
        "check the provider's url in [feeds], and DNS and the firewall from this machine",
    )
}

fn refused(check: String, answer: String) -> Finding {
    Finding::fail(
        check,
        format!("the provider refused the key ({answer})"),
        "copy the key again from the provider's console into [feeds]",
    )
}

/// A transport error in words, without the URL reqwest puts in front (shown beside it).
fn plain(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer within 10 s".to_owned()
    } else if e.is_connect() {
        "the connection was refused or could not be made".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if std::error::Error::source(s).is_none() {
            text.push_str(&format!(" ({s})"));
        }
        source = std::error::Error::source(s);
    }
    text
}
