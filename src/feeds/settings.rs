//! `[feeds]` in the config file and the `AFTERCARE_17TRACK_*`,
//! `AFTERCARE_DELIVERY_TRACKER_*`, `AFTERCARE_AFTERSHIP_*` and `AFTERCARE_FEED_*` variables:
//! which tracking providers serve each store, with their keys and base URLs, and how often
//! a parcel may be polled. Read and validated once, at start.
//!
//! ```toml
//! [feeds]
//! poll_seconds = 3600              # AFTERCARE_FEED_POLL_SECONDS
//! stop_after_delivery_hours = 72
//! stale_after_days = 3             # "not found" / "expired" this long: stale, delay alert
//!
//! [feeds.stores.default.17track]   # AFTERCARE_17TRACK_API_KEY, AFTERCARE_17TRACK_URL
//! api_key = "..."
//! url = "https://api.17track.net/track/v2.2"
//! monthly_quota = 100              # registrations a month (17TRACK's free plan)
//! requests_per_second = 3
//!
//! [feeds.stores.default.delivery_tracker]  # AFTERCARE_DELIVERY_TRACKER_KEY, _URL
//! key = "client_id:client_secret"  # optional for a self-hosted url
//! url = "https://apis.tracker.delivery/graphql"
//! requests_per_second = 2
//! webhooks = true                  # registerTrackWebhook when public_url is set (cloud)
//!
//! [feeds.stores.default.aftership]  # AFTERCARE_AFTERSHIP_API_KEY, _WEBHOOK_SECRET, _URL
//! api_key = "..."
//! webhook_secret = "..."
//! url = "https://api.aftership.com/tracking/2025-01"
//!
//! [feeds.stores.default.carriers]  # registry slug = feed, over the default choice
//! cj-logistics = "17track"
//! ```
//!
//! With several feeds, Korean carriers go to Delivery Tracker and the rest to 17TRACK,
//! else AfterShip.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;

use super::adapter::Provider;
use crate::ids::StoreId;
use crate::invalid::Invalid;
use crate::secret::Secret;
use crate::tracking::ParcelFeed;

/// 17TRACK's public API, version 2.2.
pub const DEFAULT_17TRACK_URL: &str = "https://api.17track.net/track/v2.2";
/// The shortest time between two polls of one parcel by default: the providers refresh
/// every few hours at best, and they are asked at most hourly.
pub const DEFAULT_POLL_SECONDS: u64 = 3600;
/// Late events (a signature, a correction) still arrive this long after delivery.
pub const DEFAULT_STOP_AFTER_DELIVERY_HOURS: u64 = 72;
/// A provider that has answered "not found" or "expired" this long has lost the parcel.
pub const DEFAULT_STALE_AFTER_DAYS: u64 = 3;
/// 17TRACK's free plan: 100 registrations a month.
pub const DEFAULT_17TRACK_MONTHLY_QUOTA: u32 = 100;
/// 17TRACK answers 429 beyond 3 requests a second per key.
pub const DEFAULT_17TRACK_REQUESTS_PER_SECOND: u32 = 3;
/// Delivery Tracker publishes no rate; its carriers' sites are scraped behind it, so it is
/// asked gently.
pub const DEFAULT_DELIVERY_TRACKER_REQUESTS_PER_SECOND: u32 = 2;
/// AfterShip's tightest published limit among the calls aftercare makes (5 a second for a
/// single tracking; creating allows 20, listing 6).
pub const AFTERSHIP_REQUESTS_PER_SECOND: u32 = 5;

/// One store's 17TRACK account.
#[derive(Debug, Clone)]
pub struct SeventeenTrackAccount {
    /// The access key: the `17token` header and the key of the push signature.
    pub api_key: Secret,
    /// Without a trailing slash.
    pub url: String,
    /// Registrations a calendar month the account's plan includes.
    pub monthly_quota: u32,
    pub requests_per_second: u32,
}

/// Delivery Tracker's cloud GraphQL endpoint.
pub const DEFAULT_DELIVERY_TRACKER_URL: &str = "https://apis.tracker.delivery/graphql";

/// One store's Delivery Tracker: the cloud API with a client id and secret, or a
/// self-hosted instance (which may need no key).
#[derive(Debug, Clone)]
pub struct DeliveryTrackerAccount {
    /// `client_id:client_secret`, sent as `Authorization: TRACKQL-API-KEY <id>:<secret>`.
    pub key: Option<Secret>,
    /// The GraphQL endpoint itself (`.../graphql`), without a trailing slash.
    pub url: String,
    pub requests_per_second: u32,
    /// Where Delivery Tracker calls back about a followed parcel
    /// (`{public_url}/feeds/delivery-tracker[/{store}]`): set when aftercare has a public
    /// URL, the account a key (the callbacks are a cloud feature) and `webhooks` is on.
    pub callback_url: Option<String>,
}

/// AfterShip's tracking API, version 2025-01.
pub const DEFAULT_AFTERSHIP_URL: &str = "https://api.aftership.com/tracking/2025-01";

/// One store's AfterShip account.
#[derive(Debug, Clone)]
pub struct AfterShipAccount {
    /// The API key, sent as `as-api-key`.
    pub api_key: Secret,
    /// The webhook secret: the key of the `aftership-hmac-sha256` signature.
    pub webhook_secret: Secret,
    /// Without a trailing slash.
    pub url: String,
}

/// Checks a Delivery Tracker key: `client_id:client_secret`, both parts present, no spaces
/// or control characters. Answers the reason when it is not one.
pub fn check_delivery_tracker_key(key: &str) -> Result<(), &'static str> {
    let Some((id, secret)) = key.split_once(':') else {
        return Err("must be client_id:client_secret");
    };
    if id.is_empty() || secret.is_empty() {
        return Err("must be client_id:client_secret, both parts non-empty");
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters");
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// Never poll one parcel more often than this.
    pub poll_interval: Duration,
    /// How long a delivered parcel stays subscribed for late events.
    pub stop_after_delivery: Duration,
    /// HTTP timeout of one provider request.
    pub request_timeout: Duration,
    /// "Not found" or "expired" this long marks a parcel's feed stale.
    pub stale_after: Duration,
    stores: HashMap<StoreId, StoreFeeds>,
}

/// One store's feeds and which serves which carrier.
#[derive(Debug, Clone, Default)]
pub struct StoreFeeds {
    pub seventeen_track: Option<SeventeenTrackAccount>,
    pub delivery_tracker: Option<DeliveryTrackerAccount>,
    pub aftership: Option<AfterShipAccount>,
    /// Registry slug to provider, over the default choice; only configured providers.
    pub carriers: HashMap<String, Provider>,
}

impl StoreFeeds {
    /// The provider that follows a parcel of `carrier` (a registry slug): the explicit
    /// mapping, else the only feed, else Delivery Tracker for Korean carriers and, for the
    /// rest, 17TRACK, then AfterShip.
    pub fn provider_for(&self, carrier: &str) -> Option<Provider> {
        if let Some(p) = self.carriers.get(carrier) {
            return Some(*p);
        }
        if self.delivery_tracker.is_some() && is_korean(carrier) {
            return Some(Provider::DeliveryTracker);
        }
        if self.seventeen_track.is_some() {
            Some(Provider::SeventeenTrack)
        } else if self.aftership.is_some() {
            Some(Provider::AfterShip)
        } else if self.delivery_tracker.is_some() {
            Some(Provider::DeliveryTracker)
        } else {
            None
        }
    }

    fn has(&self, provider: Provider) -> bool {
        match provider {
            Provider::SeventeenTrack => self.seventeen_track.is_some(),
            Provider::DeliveryTracker => self.delivery_tracker.is_some(),
            Provider::AfterShip => self.aftership.is_some(),
        }
    }
}

/// A carrier of the registry's Korean domestic network.
fn is_korean(slug: &str) -> bool {
    crate::tracking::carriers::by_slug(slug).is_some_and(|c| c.country == "KR")
}

impl Default for FeedSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(DEFAULT_POLL_SECONDS),
            stop_after_delivery: Duration::from_secs(DEFAULT_STOP_AFTER_DELIVERY_HOURS * 3600),
            request_timeout: Duration::from_secs(20),
            stale_after: Duration::from_secs(DEFAULT_STALE_AFTER_DAYS * 86_400),
            stores: HashMap::new(),
        }
    }
}

impl FeedSettings {
    /// The store's 17TRACK account, when it has one.
    pub fn seventeen_track(&self, store_id: &StoreId) -> Option<&SeventeenTrackAccount> {
        self.stores.get(store_id)?.seventeen_track.as_ref()
    }

    /// The store's Delivery Tracker, when it has one.
    pub fn delivery_tracker(&self, store_id: &StoreId) -> Option<&DeliveryTrackerAccount> {
        self.stores.get(store_id)?.delivery_tracker.as_ref()
    }

    /// The store's AfterShip account, when it has one.
    pub fn aftership(&self, store_id: &StoreId) -> Option<&AfterShipAccount> {
        self.stores.get(store_id)?.aftership.as_ref()
    }

    /// Whether a feed follows the store's parcels (only then are they offered to it).
    pub fn parcel_feed(&self, store_id: &StoreId) -> ParcelFeed {
        ParcelFeed::followed(self.stores.contains_key(store_id))
    }

    /// The stores with a feed.
    pub fn stores(&self) -> impl Iterator<Item = (&StoreId, &StoreFeeds)> {
        self.stores.iter()
    }

    /// Settings with one store on Delivery Tracker at `url`, for tests.
    pub fn with_delivery_tracker(
        mut self,
        store_id: StoreId,
        key: Option<&str>,
        url: &str,
    ) -> Self {
        self.stores.entry(store_id).or_default().delivery_tracker = Some(DeliveryTrackerAccount {
            key: key.map(|k| Secret::new(k.to_owned())),
            url: url.trim_end_matches('/').to_owned(),
            requests_per_second: DEFAULT_DELIVERY_TRACKER_REQUESTS_PER_SECOND,
            callback_url: None,
        });
        self
    }

    /// Settings with one store on AfterShip at `url`, for tests.
    pub fn with_aftership(
        mut self,
        store_id: StoreId,
        api_key: &str,
        webhook_secret: &str,
        url: &str,
    ) -> Self {
        self.stores.entry(store_id).or_default().aftership = Some(AfterShipAccount {
            api_key: Secret::new(api_key.to_owned()),
            webhook_secret: Secret::new(webhook_secret.to_owned()),
            url: url.trim_end_matches('/').to_owned(),
        });
        self
    }

    /// Settings with one store on 17TRACK at `url`, for tests.
    pub fn with_seventeen_track(mut self, store_id: StoreId, key: &str, url: &str) -> Self {
        self.stores.entry(store_id).or_default().seventeen_track = Some(SeventeenTrackAccount {
            api_key: Secret::new(key.to_owned()),
            url: url.trim_end_matches('/').to_owned(),
            monthly_quota: DEFAULT_17TRACK_MONTHLY_QUOTA,
            requests_per_second: DEFAULT_17TRACK_REQUESTS_PER_SECOND,
        });
        self
    }
}

/// `[feeds]` as written in the file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFeeds {
    poll_seconds: Option<u64>,
    stop_after_delivery_hours: Option<u64>,
    request_timeout_seconds: Option<u64>,
    stale_after_days: Option<u64>,
    /// Per store, keyed by store id.
    #[serde(default)]
    stores: BTreeMap<String, FileStoreFeeds>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStoreFeeds {
    #[serde(rename = "17track")]
    seventeen_track: Option<FileSeventeenTrack>,
    delivery_tracker: Option<FileDeliveryTracker>,
    aftership: Option<FileAfterShip>,
    /// Registry slug to feed name (`17track`, `delivery-tracker`, `aftership`).
    #[serde(default)]
    carriers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDeliveryTracker {
    key: Option<String>,
    url: Option<String>,
    requests_per_second: Option<u32>,
    webhooks: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAfterShip {
    api_key: Option<String>,
    webhook_secret: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSeventeenTrack {
    api_key: Option<String>,
    url: Option<String>,
    monthly_quota: Option<u32>,
    requests_per_second: Option<u32>,
}

pub const ENV_17TRACK_API_KEY: &str = "AFTERCARE_17TRACK_API_KEY";
pub const ENV_17TRACK_URL: &str = "AFTERCARE_17TRACK_URL";
pub const ENV_POLL_SECONDS: &str = "AFTERCARE_FEED_POLL_SECONDS";
pub const ENV_DELIVERY_TRACKER_KEY: &str = "AFTERCARE_DELIVERY_TRACKER_KEY";
pub const ENV_DELIVERY_TRACKER_URL: &str = "AFTERCARE_DELIVERY_TRACKER_URL";
pub const ENV_AFTERSHIP_API_KEY: &str = "AFTERCARE_AFTERSHIP_API_KEY";
pub const ENV_AFTERSHIP_WEBHOOK_SECRET: &str = "AFTERCARE_AFTERSHIP_WEBHOOK_SECRET";
pub const ENV_AFTERSHIP_URL: &str = "AFTERCARE_AFTERSHIP_URL";

impl FileFeeds {
    /// Lays the environment over the file: the variables configure the default store.
    pub fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), Invalid> {
        if let Some(text) = env(ENV_POLL_SECONDS) {
            let seconds = text
                .trim()
                .parse()
                .map_err(|_| Invalid::new(ENV_POLL_SECONDS, "must be a whole number of seconds"))?;
            self.poll_seconds = Some(seconds);
        }
        let key = env(ENV_17TRACK_API_KEY);
        let url = env(ENV_17TRACK_URL);
        if key.is_some() || url.is_some() {
            let store = self
                .stores
                .entry(StoreId::default_store().to_string())
                .or_default();
            let account = store.seventeen_track.get_or_insert_with(Default::default);
            if key.is_some() {
                account.api_key = key;
            }
            if url.is_some() {
                account.url = url;
            }
        }
        let key = env(ENV_DELIVERY_TRACKER_KEY);
        let url = env(ENV_DELIVERY_TRACKER_URL);
        if key.is_some() || url.is_some() {
            let store = self
                .stores
                .entry(StoreId::default_store().to_string())
                .or_default();
            let account = store.delivery_tracker.get_or_insert_with(Default::default);
            if key.is_some() {
                account.key = key;
            }
            if url.is_some() {
                account.url = url;
            }
        }
        let key = env(ENV_AFTERSHIP_API_KEY);
        let secret = env(ENV_AFTERSHIP_WEBHOOK_SECRET);
        let url = env(ENV_AFTERSHIP_URL);
        if key.is_some() || secret.is_some() || url.is_some() {
            let store = self
                .stores
                .entry(StoreId::default_store().to_string())
                .or_default();
            let account = store.aftership.get_or_insert_with(Default::default);
            if key.is_some() {
                account.api_key = key;
            }
            if secret.is_some() {
                account.webhook_secret = secret;
            }
            if url.is_some() {
                account.url = url;
            }
        }
        Ok(())
    }
}

/// Validates `[feeds]`; `store_ids` are the configured stores, `public_url` where
/// aftercare is reachable from outside (Delivery Tracker's callbacks go there).
pub fn build(
    file: FileFeeds,
    store_ids: &[&StoreId],
    public_url: Option<&str>,
) -> Result<FeedSettings, Invalid> {
    let defaults = FeedSettings::default();
    let poll_interval = match file.poll_seconds {
        Some(0) => return Err(Invalid::new("feeds.poll_seconds", "must be at least 1")),
        Some(s) => Duration::from_secs(s),
        None => defaults.poll_interval,
    };
    let stop_after_delivery = file
        .stop_after_delivery_hours
        .map(|h| Duration::from_secs(h * 3600))
        .unwrap_or(defaults.stop_after_delivery);
    let request_timeout = match file.request_timeout_seconds {
        Some(0) => {
            return Err(Invalid::new(
                "feeds.request_timeout_seconds",
                "must be at least 1",
            ));
        }
        Some(s) => Duration::from_secs(s),
        None => defaults.request_timeout,
    };
    let stale_after = file
        .stale_after_days
        .map(|d| Duration::from_secs(d.saturating_mul(86_400)))
        .unwrap_or(defaults.stale_after);
    let mut stores = HashMap::new();
    for (id, own) in file.stores {
        let field = format!("feeds.stores.{id}");
        let Some(store_id) = store_ids.iter().find(|s| **s == id.as_str()) else {
            return Err(Invalid::new(&field, "is not a configured store"));
        };
        let mut feeds = StoreFeeds::default();
        if let Some(account) = own.delivery_tracker {
            let callback = public_url.map(|base| {
                format!(
                    "{}{}",
                    base.trim_end_matches('/'),
                    callback_path(store_id, Provider::DeliveryTracker)
                )
            });
            feeds.delivery_tracker = Some(build_delivery_tracker(account, &field, callback)?);
        }
        if let Some(account) = own.seventeen_track {
            feeds.seventeen_track = Some(build_seventeen_track(account, &field)?);
        }
        if let Some(account) = own.aftership {
            feeds.aftership = Some(build_aftership(account, &field)?);
        }
        for (slug, name) in own.carriers {
            let at = format!("{field}.carriers.{slug}");
            if crate::tracking::carriers::by_slug(&slug).is_none() {
                return Err(Invalid::new(at, "is not a carrier of the registry"));
            }
            let provider = match Provider::parse(name.trim()) {
                Some(provider) if feeds.has(provider) => provider,
                _ => {
                    return Err(Invalid::new(
                        at,
                        "must name a feed configured for this store (17track, delivery-tracker, aftership)",
                    ));
                }
            };
            feeds.carriers.insert(slug, provider);
        }
        if feeds.seventeen_track.is_some()
            || feeds.delivery_tracker.is_some()
            || feeds.aftership.is_some()
        {
            stores.insert((*store_id).clone(), feeds);
        }
    }
    Ok(FeedSettings {
        poll_interval,
        stop_after_delivery,
        request_timeout,
        stale_after,
        stores,
    })
}

/// The path a provider's pushes for `store_id` arrive at: `/feeds/{provider}`, with
/// `/{store}` after it for stores other than the default.
pub fn callback_path(store_id: &StoreId, provider: Provider) -> String {
    if *store_id == StoreId::default_store() {
        format!("/feeds/{}", provider.as_str())
    } else {
        format!("/feeds/{}/{store_id}", provider.as_str())
    }
}

/// A rate of at least one request a second.
fn rate(value: Option<u32>, default: u32, field: String) -> Result<u32, Invalid> {
    match value {
        Some(0) => Err(Invalid::new(field, "must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn http_url(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

fn build_delivery_tracker(
    account: FileDeliveryTracker,
    store_field: &str,
    callback_url: Option<String>,
) -> Result<DeliveryTrackerAccount, Invalid> {
    let field = format!("{store_field}.delivery_tracker");
    let url = account
        .url
        .unwrap_or_else(|| DEFAULT_DELIVERY_TRACKER_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    if !http_url(&url) {
        return Err(Invalid::new(
            format!("{field}.url"),
            "must be an http:// or https:// URL",
        ));
    }
    let key = account
        .key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty());
    match &key {
        Some(key) => check_delivery_tracker_key(key)
            .map_err(|why| Invalid::new(format!("{field}.key"), why))?,
        // A self-hosted instance may run without keys; the cloud never does.
        None if url == DEFAULT_DELIVERY_TRACKER_URL => {
            return Err(Invalid::new(
                format!("{field}.key"),
                format!(
                    "is required for the cloud API (for the default store: {ENV_DELIVERY_TRACKER_KEY})"
                ),
            ));
        }
        None => {}
    }
    let requests_per_second = rate(
        account.requests_per_second,
        DEFAULT_DELIVERY_TRACKER_REQUESTS_PER_SECOND,
        format!("{field}.requests_per_second"),
    )?;
    // Callbacks are a feature of the cloud, which always has a key.
    let callback_url = callback_url.filter(|_| key.is_some() && account.webhooks.unwrap_or(true));
    Ok(DeliveryTrackerAccount {
        key: key.map(Secret::new),
        url,
        requests_per_second,
        callback_url,
    })
}

/// A key or secret as given: trimmed, required, without spaces or control characters.
fn required_key(value: Option<String>, field: String, env: &str) -> Result<String, Invalid> {
    let value = value
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            Invalid::new(
                field.clone(),
                format!("is required (for the default store: {env})"),
            )
        })?;
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Invalid::new(
            field,
            "must not contain spaces or control characters",
        ));
    }
    Ok(value)
}

fn build_aftership(account: FileAfterShip, store_field: &str) -> Result<AfterShipAccount, Invalid> {
    let field = format!("{store_field}.aftership");
    let api_key = required_key(
        account.api_key,
        format!("{field}.api_key"),
        ENV_AFTERSHIP_API_KEY,
    )?;
    // Without it no webhook can be verified, and AfterShip's pushes are its point.
    let webhook_secret = required_key(
        account.webhook_secret,
        format!("{field}.webhook_secret"),
        ENV_AFTERSHIP_WEBHOOK_SECRET,
    )?;
    let url = account
        .url
        .unwrap_or_else(|| DEFAULT_AFTERSHIP_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    if !http_url(&url) {
        return Err(Invalid::new(
            format!("{field}.url"),
            "must be an http:// or https:// URL",
        ));
    }
    Ok(AfterShipAccount {
        api_key: Secret::new(api_key),
        webhook_secret: Secret::new(webhook_secret),
        url,
    })
}

fn build_seventeen_track(
    account: FileSeventeenTrack,
    store_field: &str,
) -> Result<SeventeenTrackAccount, Invalid> {
    {
        let field = format!("{store_field}.17track");
        let api_key = account
            .api_key
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Invalid::new(
                    format!("{field}.api_key"),
                    format!("is required (for the default store: {ENV_17TRACK_API_KEY})"),
                )
            })?;
        if api_key.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Invalid::new(
                format!("{field}.api_key"),
                "must not contain spaces or control characters",
            ));
        }
        let url = account
            .url
            .unwrap_or_else(|| DEFAULT_17TRACK_URL.to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !http_url(&url) {
            return Err(Invalid::new(
                format!("{field}.url"),
                "must be an http:// or https:// URL",
            ));
        }
        let requests_per_second = rate(
            account.requests_per_second,
            DEFAULT_17TRACK_REQUESTS_PER_SECOND,
            format!("{field}.requests_per_second"),
        )?;
        Ok(SeventeenTrackAccount {
            api_key: Secret::new(api_key),
            url,
            monthly_quota: account
                .monthly_quota
                .unwrap_or(DEFAULT_17TRACK_MONTHLY_QUOTA),
            requests_per_second,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str, env: &[(&str, &str)]) -> Result<FeedSettings, Invalid> {
        #[derive(Deserialize)]
        struct Wrapper {
            #[serde(default)]
            feeds: FileFeeds,
        }
        let mut file = toml::from_str::<Wrapper>(toml_text).unwrap().feeds;
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        file.overlay_env(&|name| env.get(name).cloned())?;
        let default = StoreId::default_store();
        let outlet = StoreId::test("outlet");
        build(file, &[&default, &outlet], Some("https://care.example/"))
    }

    #[test]
    fn a_delivery_tracker_key_is_an_id_and_a_secret() {
        assert_eq!(check_delivery_tracker_key("client:secret"), Ok(()));
        assert_eq!(
            check_delivery_tracker_key("id:se:cret"),
            Ok(()),
            "the secret may hold a colon"
        );
        for bad in [
            "nocolon",
            ":secret",
            "client:",
            "cli ent:secret",
            "client:sec\tret",
        ] {
            assert!(check_delivery_tracker_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn delivery_tracker_reads_its_variables_and_its_section() {
        let s = parse(
            "[feeds.stores.outlet.delivery_tracker]\nurl = \"http://127.0.0.1:4000/graphql/\"\n",
            &[("AFTERCARE_DELIVERY_TRACKER_KEY", "client:secret")],
        )
        .unwrap();
        let default = s.delivery_tracker(&StoreId::default_store()).unwrap();
        assert_eq!(default.key.as_ref().unwrap().expose(), "client:secret");
        assert_eq!(default.url, DEFAULT_DELIVERY_TRACKER_URL);
        let outlet = s.delivery_tracker(&StoreId::test("outlet")).unwrap();
        assert!(outlet.key.is_none(), "a self-hosted instance may need none");
        assert_eq!(outlet.url, "http://127.0.0.1:4000/graphql");
        assert!(s.seventeen_track(&StoreId::default_store()).is_none());

        let field =
            |toml_text: &str, env: &[(&str, &str)]| parse(toml_text, env).err().unwrap().field;
        assert_eq!(
            field("[feeds.stores.default.delivery_tracker]\n", &[]),
            "feeds.stores.default.delivery_tracker.key",
            "the cloud needs a key"
        );
        assert_eq!(
            field("", &[("AFTERCARE_DELIVERY_TRACKER_KEY", "no-secret")]),
            "feeds.stores.default.delivery_tracker.key"
        );
        assert_eq!(
            field("", &[("AFTERCARE_DELIVERY_TRACKER_URL", "mock:4000")]),
            "feeds.stores.default.delivery_tracker.url"
        );
    }

    #[test]
    fn korean_carriers_go_to_delivery_tracker_unless_mapped_otherwise() {
        let both = [
            ("AFTERCARE_DELIVERY_TRACKER_KEY", "client:secret"),
            ("AFTERCARE_17TRACK_API_KEY", "KEY"),
        ];
        let s = parse("", &both).unwrap();
        let (_, store) = s.stores().next().unwrap();
        for slug in ["cj-logistics", "hanjin", "lotte", "epost", "logen"] {
            assert_eq!(
                store.provider_for(slug),
                Some(Provider::DeliveryTracker),
                "{slug}"
            );
        }
        for slug in ["ups", "dhl-express", "번개 로지스"] {
            assert_eq!(
                store.provider_for(slug),
                Some(Provider::SeventeenTrack),
                "{slug}"
            );
        }
        let s = parse(
            "[feeds.stores.default.carriers]\ncj-logistics = \"17track\"\nups = \"delivery-tracker\"\n",
            &both,
        )
        .unwrap();
        let (_, store) = s.stores().next().unwrap();
        assert_eq!(
            store.provider_for("cj-logistics"),
            Some(Provider::SeventeenTrack)
        );
        assert_eq!(store.provider_for("ups"), Some(Provider::DeliveryTracker));
        assert_eq!(
            store.provider_for("hanjin"),
            Some(Provider::DeliveryTracker)
        );

        let only_dt = parse("", &both[..1]).unwrap();
        let (_, store) = only_dt.stores().next().unwrap();
        assert_eq!(
            store.provider_for("ups"),
            Some(Provider::DeliveryTracker),
            "the only feed"
        );

        let field =
            |toml_text: &str, env: &[(&str, &str)]| parse(toml_text, env).err().unwrap().field;
        assert_eq!(
            field(
                "[feeds.stores.default.carriers]\nnowhere-post = \"17track\"\n",
                &both
            ),
            "feeds.stores.default.carriers.nowhere-post"
        );
        assert_eq!(
            field(
                "[feeds.stores.default.carriers]\nups = \"17track\"\n",
                &both[..1]
            ),
            "feeds.stores.default.carriers.ups",
            "a feed the store does not have"
        );
    }

    #[test]
    fn aftership_reads_its_variables_and_its_section() {
        let s = parse(
            "[feeds.stores.outlet.aftership]\napi_key = \"OUTKEY\"\nwebhook_secret = \"OUTSECRET\"\nurl = \"http://127.0.0.1:9/tracking/2025-01/\"\n",
            &[
                ("AFTERCARE_AFTERSHIP_API_KEY", "asat_KEY"),
                ("AFTERCARE_AFTERSHIP_WEBHOOK_SECRET", "whsec"),
            ],
        )
        .unwrap();
        let default = s.aftership(&StoreId::default_store()).unwrap();
        assert_eq!(default.api_key.expose(), "asat_KEY");
        assert_eq!(default.webhook_secret.expose(), "whsec");
        assert_eq!(default.url, DEFAULT_AFTERSHIP_URL);
        let outlet = s.aftership(&StoreId::test("outlet")).unwrap();
        assert_eq!(outlet.url, "http://127.0.0.1:9/tracking/2025-01");
        assert_eq!(outlet.webhook_secret.expose(), "OUTSECRET");

        let field =
            |toml_text: &str, env: &[(&str, &str)]| parse(toml_text, env).err().unwrap().field;
        assert_eq!(
            field("", &[("AFTERCARE_AFTERSHIP_API_KEY", "k")]),
            "feeds.stores.default.aftership.webhook_secret",
            "pushes cannot be verified without it"
        );
        assert_eq!(
            field("", &[("AFTERCARE_AFTERSHIP_WEBHOOK_SECRET", "s")]),
            "feeds.stores.default.aftership.api_key"
        );
        assert_eq!(
            field(
                "",
                &[
                    ("AFTERCARE_AFTERSHIP_API_KEY", "k"),
                    ("AFTERCARE_AFTERSHIP_WEBHOOK_SECRET", "s"),
                    ("AFTERCARE_AFTERSHIP_URL", "api.aftership.com"),
                ]
            ),
            "feeds.stores.default.aftership.url"
        );
        assert_eq!(
            field(
                "[feeds.stores.outlet.aftership]\napi_key = \"a b\"\nwebhook_secret = \"s\"",
                &[]
            ),
            "feeds.stores.outlet.aftership.api_key"
        );
    }

    #[test]
    fn with_three_feeds_korean_carriers_go_to_delivery_tracker_then_17track_then_aftership() {
        let dt = ("AFTERCARE_DELIVERY_TRACKER_KEY", "client:secret");
        let seventeen = ("AFTERCARE_17TRACK_API_KEY", "KEY");
        let aftership = [
            ("AFTERCARE_AFTERSHIP_API_KEY", "asat_KEY"),
            ("AFTERCARE_AFTERSHIP_WEBHOOK_SECRET", "whsec"),
        ];
        let store = |env: &[(&str, &str)], toml_text: &str| {
            let s = parse(toml_text, env).unwrap();
            s.stores().next().unwrap().1.clone()
        };
        let all = store(&[dt, seventeen, aftership[0], aftership[1]], "");
        assert_eq!(all.provider_for("hanjin"), Some(Provider::DeliveryTracker));
        assert_eq!(all.provider_for("ups"), Some(Provider::SeventeenTrack));
        assert_eq!(
            all.provider_for("번개 로지스"),
            Some(Provider::SeventeenTrack)
        );

        let dt_and_aftership = store(&[dt, aftership[0], aftership[1]], "");
        assert_eq!(
            dt_and_aftership.provider_for("epost"),
            Some(Provider::DeliveryTracker)
        );
        assert_eq!(
            dt_and_aftership.provider_for("ups"),
            Some(Provider::AfterShip)
        );

        let seventeen_and_aftership = store(&[seventeen, aftership[0], aftership[1]], "");
        for slug in ["cj-logistics", "ups"] {
            assert_eq!(
                seventeen_and_aftership.provider_for(slug),
                Some(Provider::SeventeenTrack),
                "{slug}"
            );
        }
        let only = store(&aftership, "");
        assert_eq!(only.provider_for("hanjin"), Some(Provider::AfterShip));

        let mapped = store(
            &[dt, seventeen, aftership[0], aftership[1]],
            "[feeds.stores.default.carriers]\nups = \"aftership\"\nhanjin = \"aftership\"\n",
        );
        assert_eq!(mapped.provider_for("ups"), Some(Provider::AfterShip));
        assert_eq!(mapped.provider_for("hanjin"), Some(Provider::AfterShip));
        assert_eq!(mapped.provider_for("fedex"), Some(Provider::SeventeenTrack));
        assert_eq!(
            parse(
                "[feeds.stores.default.carriers]\nups = \"aftership\"\n",
                &[seventeen]
            )
            .err()
            .unwrap()
            .field,
            "feeds.stores.default.carriers.ups",
            "AfterShip is not configured for this store"
        );
    }

    #[test]
    fn nothing_configured_means_no_feed_and_the_etiquette_interval() {
        let s = parse("", &[]).unwrap();
        assert!(s.seventeen_track(&StoreId::default_store()).is_none());
        assert_eq!(s.poll_interval, Duration::from_secs(3600));
        assert_eq!(s.stop_after_delivery, Duration::from_secs(72 * 3600));
    }

    #[test]
    fn the_environment_configures_the_default_store_and_the_file_others() {
        let s = parse(
            "[feeds]\npoll_seconds = 600\n[feeds.stores.outlet.17track]\napi_key = \"OUTLETKEY\"\nurl = \"http://127.0.0.1:9/v2.2/\"\n",
            &[
                ("AFTERCARE_17TRACK_API_KEY", "DEFAULTKEY"),
                ("AFTERCARE_FEED_POLL_SECONDS", "5"),
            ],
        )
        .unwrap();
        let default = s.seventeen_track(&StoreId::default_store()).unwrap();
        assert_eq!(default.api_key.expose(), "DEFAULTKEY");
        assert_eq!(default.url, DEFAULT_17TRACK_URL);
        let outlet = s.seventeen_track(&StoreId::test("outlet")).unwrap();
        assert_eq!(
            outlet.url, "http://127.0.0.1:9/v2.2",
            "trailing slash dropped"
        );
        assert_eq!(s.poll_interval, Duration::from_secs(5), "the variable wins");
        let url_only = parse("", &[("AFTERCARE_17TRACK_URL", "http://mock:1/")]);
        assert_eq!(
            url_only.err().unwrap().field,
            "feeds.stores.default.17track.api_key"
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        let field =
            |toml_text: &str, env: &[(&str, &str)]| parse(toml_text, env).err().unwrap().field;
        assert_eq!(
            field("", &[("AFTERCARE_FEED_POLL_SECONDS", "soon")]),
            "AFTERCARE_FEED_POLL_SECONDS"
        );
        assert_eq!(
            field("[feeds]\npoll_seconds = 0", &[]),
            "feeds.poll_seconds"
        );
        assert_eq!(
            field("[feeds.stores.nowhere.17track]\napi_key = \"k\"", &[]),
            "feeds.stores.nowhere"
        );
        assert_eq!(
            field(
                "[feeds.stores.outlet.17track]\napi_key = \"k\"\nurl = \"ftp://x\"",
                &[]
            ),
            "feeds.stores.outlet.17track.url"
        );
        assert_eq!(
            field("[feeds.stores.outlet.17track]\napi_key = \"a b\"", &[]),
            "feeds.stores.outlet.17track.api_key"
        );
    }

    #[test]
    fn quota_rates_staleness_and_the_callback_url() {
        let s = parse(
            "[feeds]\nstale_after_days = 5\n\
             [feeds.stores.outlet.17track]\napi_key = \"k\"\nmonthly_quota = 5000\nrequests_per_second = 10\n\
             [feeds.stores.outlet.delivery_tracker]\nkey = \"id:secret\"\n",
            &[
                ("AFTERCARE_17TRACK_API_KEY", "DEFAULTKEY"),
                ("AFTERCARE_DELIVERY_TRACKER_KEY", "id:secret"),
            ],
        )
        .unwrap();
        assert_eq!(s.stale_after, Duration::from_secs(5 * 86_400));
        let default = s.seventeen_track(&StoreId::default_store()).unwrap();
        assert_eq!(
            (default.monthly_quota, default.requests_per_second),
            (100, 3)
        );
        let outlet = s.seventeen_track(&StoreId::test("outlet")).unwrap();
        assert_eq!(
            (outlet.monthly_quota, outlet.requests_per_second),
            (5000, 10)
        );
        assert_eq!(
            s.delivery_tracker(&StoreId::default_store())
                .unwrap()
                .callback_url
                .as_deref(),
            Some("https://care.example/feeds/delivery-tracker")
        );
        let outlet = s.delivery_tracker(&StoreId::test("outlet")).unwrap();
        assert_eq!(
            outlet.callback_url.as_deref(),
            Some("https://care.example/feeds/delivery-tracker/outlet")
        );
        assert_eq!(outlet.requests_per_second, 2);
        assert_eq!(
            parse("", &[]).unwrap().stale_after,
            Duration::from_secs(3 * 86_400)
        );

        let off = parse(
            "[feeds.stores.outlet.delivery_tracker]\nkey = \"id:secret\"\nwebhooks = false\n\
             [feeds.stores.default.delivery_tracker]\nurl = \"http://127.0.0.1:4000/graphql\"\n",
            &[],
        )
        .unwrap();
        assert!(
            off.delivery_tracker(&StoreId::test("outlet"))
                .unwrap()
                .callback_url
                .is_none()
        );
        assert!(
            off.delivery_tracker(&StoreId::default_store())
                .unwrap()
                .callback_url
                .is_none(),
            "a self-hosted instance without a key has no callbacks"
        );
        let field = |toml_text: &str| parse(toml_text, &[]).err().unwrap().field;
        assert_eq!(
            field("[feeds.stores.outlet.17track]\napi_key = \"k\"\nrequests_per_second = 0"),
            "feeds.stores.outlet.17track.requests_per_second"
        );
    }
}
