//! `aftercare backfill` and `aftercare connect`: open the database, run, print what happened.

use std::io::IsTerminal as _;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;

use crate::config::Config;
use crate::ids::StoreId;
use crate::metrics::Metrics;
use crate::store::Db;
use crate::sync::backfill::{self, Progress, Summary};
use crate::sync::webhooks::{self, ConnectReport};
use crate::sync::{SyncError, SyncServices};
use crate::woo::{WooClient, WooError};

/// Runs a command against the database with the services `serve` would give sync,
/// closing the database cleanly whatever the command's outcome.
async fn with_services<T>(
    config: Config,
    command: impl AsyncFnOnce(&SyncServices) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let store_ids: Vec<&str> = config.stores.iter().map(|s| s.id.as_str()).collect();
    let db = Db::open(&config.database_path(), config.synchronous, &store_ids)
        .with_context(|| format!("cannot open {}", config.database_path().display()))?;
    let services = SyncServices::new(
        db.clone(),
        Arc::new(config.sync_config()),
        Arc::new(Metrics::new()),
    );
    let result = command(&services).await;
    db.close().await;
    result
}

fn client_for(config: &Config, store: &str) -> anyhow::Result<WooClient> {
    let Some(store_config) = config.store(store) else {
        let known: Vec<&str> = config.stores.iter().map(|s| s.id.as_str()).collect();
        bail!(
            "no store `{store}` is configured (known: {})",
            known.join(", ")
        );
    };
    Ok(WooClient::new(store_config, &config.woocommerce)?)
}

/// `aftercare backfill [--store S] [--since DATE]`.
pub async fn backfill_command(
    config: Config,
    store: Option<String>,
    since: Option<Timestamp>,
) -> anyhow::Result<()> {
    let store = store.unwrap_or_else(|| StoreId::default_store().to_string());
    let client = client_for(&config, &store)?;
    with_services(config, async |services| {
        let bar = Bar::new();
        let result = backfill::run(services, &client, since, &bar).await;
        bar.0.finish_and_clear();
        match result {
            Ok(summary) => {
                println!("{}", describe(&summary));
                Ok(())
            }
            Err(stopped) => {
                println!("{}", describe(&stopped.summary));
                bail!(
                    "{}\nRun the same command again to continue from {}.",
                    stopped.source,
                    stopped.summary.cursor
                )
            }
        }
    })
    .await
}

/// The line the backfill ends with.
pub fn describe(summary: &Summary) -> String {
    let t = &summary.tally;
    let how = match (summary.complete, summary.resumed) {
        (true, true) => "complete (resumed)",
        (true, false) => "complete",
        (false, _) => "stopped",
    };
    let mut line = format!(
        "Backfill of store `{}` {how}: fetched {}, accepted {}, duplicate {}, stale {}",
        summary.store, t.fetched, t.accepted, t.duplicate, t.stale
    );
    if t.invalid > 0 {
        line.push_str(&format!(", invalid {}", t.invalid));
    }
    line.push_str(&format!(
        "; pages {}; {:.1} s. Orders modified after {} are next.",
        summary.pages,
        summary.elapsed.as_secs_f64(),
        summary.cursor
    ));
    line
}

/// The progress bar on stderr; drawn only on a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target).with_style(
            ProgressStyle::with_template(
                "{spinner} {wide_bar} {pos}/{len} orders ({per_sec}, about {eta} left)",
            )
            .expect("a valid template"),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn estimate(&self, total: u64) {
        self.0.set_length(total.max(self.0.position()));
    }

    fn advance(&self, orders: u64) {
        self.0.inc(orders);
    }
}

/// `aftercare connect [--store S] [--public-url URL]`.
pub async fn connect_command(
    mut config: Config,
    store: Option<String>,
    public_url: Option<String>,
) -> anyhow::Result<()> {
    let store = store.unwrap_or_else(|| StoreId::default_store().to_string());
    if let Some(url) = public_url {
        config.set_public_url(&url)?;
    }
    if config.public_url.is_none() {
        bail!(
            "aftercare's public URL is needed for the webhooks' delivery URL: pass --public-url https://aftercare.example.com or set AFTERCARE_PUBLIC_URL (public_url in the config file)"
        );
    }
    let client = client_for(&config, &store)?;
    let url = crate::webhook::url::url(&config.base_url(), client.store_id());
    if let Some(warning) = unreachable_warning(&url) {
        eprintln!("warning: {warning}");
    }
    with_services(config, async |services| {
        let report = webhooks::connect(services, &client, &url)
            .await
            .map_err(|e| match e {
                SyncError::Woo(WooError::Api { status: 401, .. }) => anyhow::anyhow!(
                    "{e}\nThe REST API key needs Read/Write permission and a user who can manage WooCommerce (an administrator or shop manager)."
                ),
                other => other.into(),
            })?;
        print_report(client.store_id(), &url, &report);
        if report.failures > 0 {
            bail!("{} webhook change(s) failed", report.failures);
        }
        Ok(())
    })
    .await
}

fn print_report(store: &StoreId, url: &str, report: &ConnectReport) {
    println!("Store `{store}`, delivery URL {url}");
    for line in &report.lines {
        println!("  {line}");
    }
    let ok = report.webhooks.iter().filter(|w| w.ok).count();
    println!(
        "{ok} of 4 order webhooks are active and deliver to aftercare{}",
        if ok == 4 { "." } else { "; see above." }
    );
}

/// WordPress refuses to deliver to private addresses and to ports other than 80, 443, 8080.
fn unreachable_warning(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let port = parsed.port_or_known_default();
    if !matches!(port, Some(80 | 443 | 8080)) {
        return Some(format!(
            "WordPress delivers webhooks only to ports 80, 443 and 8080; {url} will be refused unless the site allows it"
        ));
    }
    let private = match parsed.host()? {
        url::Host::Domain(d) => d == "localhost" || d.ends_with(".local"),
        url::Host::Ipv4(ip) => ip.is_private() || ip.is_loopback() || ip.is_link_local(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    private.then(|| {
        format!("WordPress refuses to deliver webhooks to private or local addresses such as {url}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_about_urls_wordpress_will_not_call() {
        assert!(
            unreachable_warning("https://aftercare.example.com/webhooks/woocommerce").is_none()
        );
        assert!(
            unreachable_warning("http://aftercare.example.com:8080/webhooks/woocommerce").is_none()
        );
        assert!(unreachable_warning("http://127.0.0.1:8787/webhooks/woocommerce").is_some());
        assert!(unreachable_warning("https://192.168.1.5/webhooks/woocommerce").is_some());
        assert!(unreachable_warning("https://localhost/webhooks/woocommerce").is_some());
    }
}
