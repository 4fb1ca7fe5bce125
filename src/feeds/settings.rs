//! `[feeds]` in the config file and the `AFTERCARE_17TRACK_*` / `AFTERCARE_FEED_*`
//! variables: which tracking provider serves each store, with its key and base URL, and
//! how often a parcel may be polled. Read and validated once, at start.
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
//! [feeds.stores.default.carriers]  # registry slug = feed, over the default choice
//! cj-logistics = "17track"
//! ```
//!
//! With both feeds, Korean carriers go to Delivery Tracker and the rest to 17TRACK.

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
    /// Registry slug to provider, over the default choice; only configured providers.
    pub carriers: HashMap<String, Provider>,
}

impl StoreFeeds {
    /// The provider that follows a parcel of `carrier` (a registry slug): the explicit
    /// mapping, else the only feed, else Delivery Tracker for Korean carriers and 17TRACK
    /// for the rest.
    pub fn provider_for(&self, carrier: &str) -> Option<Provider> {
        if let Some(p) = self.carriers.get(carrier) {
            return Some(*p);
        }
        match (&self.seventeen_track, &self.delivery_tracker) {
            (Some(_), Some(_)) if is_korean(carrier) => Some(Provider::DeliveryTracker),
            (Some(_), _) => Some(Provider::SeventeenTrack),
            (None, Some(_)) => Some(Provider::DeliveryTracker),
            (None, None) => None,
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
    /// Registry slug to feed name (`17track`, `delivery-tracker`).
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
        for (slug, name) in own.carriers {
            let at = format!("{field}.carriers.{slug}");
            if crate::tracking::carriers::by_slug(&slug).is_none() {
                return Err(Invalid::new(at, "is not a carrier of the registry"));
            }
            let provider = match Provider::parse(name.trim()) {
                Some(Provider::SeventeenTrack) if feeds.seventeen_track.is_some() => {
                    Provider::SeventeenTrack
                }
                Some(Provider::DeliveryTracker) if feeds.delivery_tracker.is_some() => {
                    Provider::DeliveryTracker
                }
                _ => {
                    return Err(Invalid::new(
                        at,
                        "must name a feed configured for this store (17track, delivery-tracker)",
                    ));
                }
            };
            feeds.carriers.insert(slug, provider);
        }
        if feeds.seventeen_track.is_some() || feeds.delivery_tracker.is_some() {
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
