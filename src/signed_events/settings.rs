//! `[events]` in the config file and the `AFTERCARE_EVENTS_*` variables: each store's event
//! endpoints, their signing secrets and filters, and how deliveries are retried. Read and
//! validated once, at start; the secrets live here and nowhere else (never in the database,
//! never in the log).
//!
//! ```toml
//! [events]
//! retry_schedule_seconds = [5, 300, 1800, 7200, 18000, 36000, 36000]
//! request_timeout_seconds = 15
//!
//! [[events.stores.default.endpoints]]      # AFTERCARE_EVENTS_URL, AFTERCARE_EVENTS_SECRET
//! url = "https://hooks.example.com/aftercare"
//! secret = "whsec_..."                      # base64 of 24 to 64 random bytes
//! previous_secret = "whsec_..."             # while rotating: both sign
//! authorization = "Bearer ..."              # optional, sent as is
//! types = ["shipped", "delivered"]          # optional: only these types
//! ```

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::sign::SigningKey;
use crate::ids::StoreId;
use crate::invalid::Invalid;
use crate::secret::Secret;

pub const ENV_URL: &str = "AFTERCARE_EVENTS_URL";
pub const ENV_SECRET: &str = "AFTERCARE_EVENTS_SECRET";
pub const ENV_PREVIOUS_SECRET: &str = "AFTERCARE_EVENTS_SECRET_PREVIOUS";

/// The waits between attempts, after the first (made at once): about 27 hours in all,
/// then the delivery is given up as failed. Each wait gets up to 10 % of jitter.
pub const DEFAULT_RETRY_SCHEDULE_SECONDS: [u64; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];
pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u64 = 15;
/// Types that are never filtered out: `ping` is what the staff test sends.
pub const PING: &str = "ping";

/// One configured endpoint, validated. Its `Debug` shows the id and host only.
#[derive(Clone)]
pub struct Endpoint {
    /// `ep_` and 12 hex digits of the URL's SHA-256: stable while the URL is, and
    /// shown instead of the URL (which may carry a token).
    pub id: String,
    /// May carry credentials (user info, a token in the path): never logged or shown.
    pub url: String,
    /// The URL's host, for logs and the delivery log.
    pub host: String,
    /// The current key first; the previous one while rotating. Each signs every request.
    pub keys: Vec<SigningKey>,
    /// Sent as the `authorization` header when set.
    pub authorization: Option<Secret>,
    /// Only these event types (and `ping`); `None` for all.
    pub types: Option<Vec<String>>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("id", &self.id)
            .field("host", &self.host)
            .field("keys", &self.keys.len())
            .field("types", &self.types)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// Whether events of `kind` go to this endpoint.
    pub fn wants(&self, kind: &str) -> bool {
        kind == PING
            || self
                .types
                .as_ref()
                .is_none_or(|types| types.iter().any(|t| t == kind))
    }
}

#[derive(Debug, Clone)]
pub struct EventSettings {
    /// The waits after each failed attempt; one more attempt than waits in all.
    pub retry_schedule: Vec<Duration>,
    /// How long one request may take, connecting included.
    pub request_timeout: Duration,
    stores: HashMap<StoreId, Vec<Endpoint>>,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            retry_schedule: DEFAULT_RETRY_SCHEDULE_SECONDS
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECONDS),
            stores: HashMap::new(),
        }
    }
}

impl EventSettings {
    /// The store's endpoints (none when it has no `[events]` entry).
    pub fn endpoints(&self, store: &StoreId) -> &[Endpoint] {
        self.stores.get(store).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn endpoint(&self, store: &StoreId, id: &str) -> Option<&Endpoint> {
        self.endpoints(store).iter().find(|e| e.id == id)
    }

    /// Every store with endpoints.
    pub fn stores(&self) -> impl Iterator<Item = (&StoreId, &[Endpoint])> {
        self.stores.iter().map(|(id, e)| (id, e.as_slice()))
    }

    /// How many attempts a delivery gets before it is given up.
    pub fn max_attempts(&self) -> u32 {
        self.retry_schedule.len() as u32 + 1
    }
}

/// `[events]` as written in the file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEvents {
    retry_schedule_seconds: Option<Vec<u64>>,
    request_timeout_seconds: Option<u64>,
    #[serde(default)]
    stores: BTreeMap<String, FileStoreEvents>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStoreEvents {
    #[serde(default)]
    endpoints: Vec<FileEndpoint>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEndpoint {
    url: String,
    secret: String,
    previous_secret: Option<String>,
    authorization: Option<String>,
    types: Option<Vec<String>>,
}

impl FileEvents {
    /// The variables configure one endpoint of the default store: the file's endpoint with
    /// the same URL, or one more.
    pub fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<(), Invalid> {
        let url = env(ENV_URL);
        let secret = env(ENV_SECRET);
        let previous = env(ENV_PREVIOUS_SECRET);
        let Some(url) = url else {
            if secret.is_some() || previous.is_some() {
                return Err(Invalid::new(
                    ENV_SECRET,
                    format!("is set without {ENV_URL}; set both, or neither"),
                ));
            }
            return Ok(());
        };
        let Some(secret) = secret else {
            return Err(Invalid::new(
                ENV_SECRET,
                format!("is required with {ENV_URL} (a `whsec_` secret)"),
            ));
        };
        let endpoints = &mut self
            .stores
            .entry(StoreId::default_store().to_string())
            .or_default()
            .endpoints;
        let index = match endpoints.iter().position(|e| e.url == url) {
            Some(index) => index,
            None => {
                endpoints.push(FileEndpoint {
                    url,
                    ..FileEndpoint::default()
                });
                endpoints.len() - 1
            }
        };
        endpoints[index].secret = secret;
        if previous.is_some() {
            endpoints[index].previous_secret = previous;
        }
        Ok(())
    }
}

/// Validates `[events]` (with the environment laid over it) for the configured stores.
pub fn build(file: FileEvents, store_ids: &[&StoreId]) -> Result<EventSettings, Invalid> {
    let mut settings = EventSettings::default();
    if let Some(seconds) = file.retry_schedule_seconds {
        let field = "events.retry_schedule_seconds";
        if seconds.is_empty() || seconds.len() > 20 {
            return Err(Invalid::new(field, "list 1 to 20 waits, in seconds"));
        }
        if seconds.iter().any(|s| *s > 7 * 86_400) {
            return Err(Invalid::new(field, "a wait may be at most 7 days"));
        }
        settings.retry_schedule = seconds.into_iter().map(Duration::from_secs).collect();
    }
    if let Some(seconds) = file.request_timeout_seconds {
        if !(1..=120).contains(&seconds) {
            return Err(Invalid::new(
                "events.request_timeout_seconds",
                "must be 1 to 120 seconds",
            ));
        }
        settings.request_timeout = Duration::from_secs(seconds);
    }
    for (name, store) in file.stores {
        let Some(id) = store_ids.iter().find(|id| id.as_str() == name) else {
            return Err(Invalid::new(
                format!("events.stores.{name}"),
                "is not a configured store",
            ));
        };
        let mut endpoints: Vec<Endpoint> = Vec::new();
        for (n, endpoint) in store.endpoints.into_iter().enumerate() {
            let field = |key: &str| format!("events.stores.{name}.endpoints[{n}].{key}");
            let endpoint = build_endpoint(endpoint, &field)?;
            if endpoints.iter().any(|e| e.id == endpoint.id) {
                return Err(Invalid::new(field("url"), "is listed twice for this store"));
            }
            endpoints.push(endpoint);
        }
        if !endpoints.is_empty() {
            settings.stores.insert((*id).clone(), endpoints);
        }
    }
    Ok(settings)
}

fn build_endpoint(file: FileEndpoint, field: &dyn Fn(&str) -> String) -> Result<Endpoint, Invalid> {
    let url =
        url::Url::parse(file.url.trim()).map_err(|_| Invalid::new(field("url"), "is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::new(
            field("url"),
            "must start with http:// or https://",
        ));
    }
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Invalid::new(field("url"), "must name a host"))?
        .to_owned();
    let mut keys = vec![
        SigningKey::parse(&file.secret)
            .map_err(|message| Invalid::new(field("secret"), message))?,
    ];
    if let Some(previous) = &file.previous_secret {
        keys.push(
            SigningKey::parse(previous)
                .map_err(|message| Invalid::new(field("previous_secret"), message))?,
        );
    }
    let authorization = match file.authorization {
        None => None,
        Some(value) => {
            let value = value.trim().to_owned();
            if value.is_empty() || reqwest::header::HeaderValue::from_str(&value).is_err() {
                return Err(Invalid::new(
                    field("authorization"),
                    "must be a non-empty header value on one line (e.g. `Bearer <token>`)",
                ));
            }
            Some(Secret::new(value))
        }
    };
    let types = match file.types {
        None => None,
        Some(types) => {
            let ok = |t: &String| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            if types.is_empty() || !types.iter().all(ok) {
                return Err(Invalid::new(
                    field("types"),
                    "list event types in snake_case, e.g. [\"shipped\", \"delivered\"] (leave it out for all)",
                ));
            }
            Some(types)
        }
    };
    let url: String = url.into();
    Ok(Endpoint {
        id: endpoint_id(&url),
        url,
        host,
        keys,
        authorization,
        types,
    })
}

/// `ep_` and the first 12 hex digits of the URL's SHA-256.
fn endpoint_id(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    format!("ep_{}", &hex::encode(digest)[..12])
}

/// Whether `text` has the shape of an endpoint id.
pub fn is_endpoint_id(text: &str) -> bool {
    text.strip_prefix("ep_").is_some_and(|hex| {
        hex.len() == 12
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

impl EventSettings {
    /// Settings with one endpoint for `store`, for tests.
    pub fn with_endpoint(
        mut self,
        store: StoreId,
        url: &str,
        secrets: &[&str],
        authorization: Option<&str>,
        types: Option<&[&str]>,
    ) -> Result<Self, Invalid> {
        let mut secrets = secrets.iter();
        let file = FileEndpoint {
            url: url.to_owned(),
            secret: secrets.next().map(|s| s.to_string()).unwrap_or_default(),
            previous_secret: secrets.next().map(|s| s.to_string()),
            authorization: authorization.map(str::to_owned),
            types: types.map(|t| t.iter().map(|s| s.to_string()).collect()),
        };
        let endpoint = build_endpoint(file, &|key| format!("endpoint.{key}"))?;
        self.stores.entry(store).or_default().push(endpoint);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn parse(toml_text: &str, env: &[(&str, &str)]) -> Result<EventSettings, Invalid> {
        let mut file: FileEvents = toml::from_str(toml_text).unwrap();
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        file.overlay_env(&|name| env.get(name).cloned())?;
        let default = StoreId::default_store();
        let second = StoreId::parse("second").unwrap();
        build(file, &[&default, &second])
    }

    #[test]
    fn the_file_lists_endpoints_per_store_and_the_environment_adds_one() {
        let settings = parse(
            &format!(
                r#"
                [[stores.second.endpoints]]
                url = "https://hooks.example.com/a"
                secret = "{SECRET}"
                previous_secret = "{SECRET}"
                authorization = "Bearer abc"
                types = ["shipped"]
                "#
            ),
            &[
                (ENV_URL, "http://user:pw@127.0.0.1:9/in"),
                (ENV_SECRET, SECRET),
            ],
        )
        .unwrap();
        let second = StoreId::parse("second").unwrap();
        let [endpoint] = settings.endpoints(&second) else {
            panic!("one endpoint")
        };
        assert_eq!(endpoint.keys.len(), 2);
        assert!(endpoint.wants("shipped") && endpoint.wants("ping"));
        assert!(!endpoint.wants("delivered"));
        let [env] = settings.endpoints(&StoreId::default_store()) else {
            panic!("one endpoint from the environment")
        };
        assert_eq!(env.host, "127.0.0.1");
        assert!(is_endpoint_id(&env.id), "{}", env.id);
        assert!(!is_endpoint_id("ep_ABCDEF012345") && !is_endpoint_id("ep_12"));
        assert!(env.wants("delivered"));
        let printed = format!("{settings:?}");
        for secret in ["MfKQ", "pw@", "Bearer abc", "/in"] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
        assert_eq!(settings.max_attempts(), 8);
    }

    #[test]
    fn bad_settings_are_refused_naming_the_setting() {
        // (file, environment, the setting named)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("", &[(ENV_URL, "https://x.example/")], ENV_SECRET),
            ("", &[(ENV_SECRET, SECRET)], ENV_SECRET),
            (
                "",
                &[(ENV_URL, "ftp://x.example/"), (ENV_SECRET, SECRET)],
                "events.stores.default.endpoints[0].url",
            ),
            (
                "",
                &[
                    (ENV_URL, "https://x.example/"),
                    (ENV_SECRET, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                ],
                "events.stores.default.endpoints[0].secret",
            ),
            (
                "",
                &[
                    (ENV_URL, "https://x.example/"),
                    (ENV_SECRET, "whsec_c2hvcnQ="),
                ],
                "events.stores.default.endpoints[0].secret",
            ),
            (
                "",
                &[
                    (ENV_URL, "https://x.example/"),
                    (ENV_SECRET, "whsec_not base64!"),
                ],
                "events.stores.default.endpoints[0].secret",
            ),
            (
                &format!(
                    "[[stores.nowhere.endpoints]]\nurl = \"https://x.example/\"\nsecret = \"{SECRET}\""
                ),
                &[],
                "events.stores.nowhere",
            ),
            (
                &format!(
                    "[[stores.second.endpoints]]\nurl = \"https://x.example/\"\nsecret = \"{SECRET}\"\ntypes = [\"Shipped!\"]"
                ),
                &[],
                "events.stores.second.endpoints[0].types",
            ),
            (
                &format!(
                    "[[stores.second.endpoints]]\nurl = \"https://x.example/\"\nsecret = \"{SECRET}\"\nauthorization = \"a\\nb\""
                ),
                &[],
                "events.stores.second.endpoints[0].authorization",
            ),
            (
                &format!(
                    "[[stores.second.endpoints]]\nurl = \"https://x.example/\"\nsecret = \"{SECRET}\"\n[[stores.second.endpoints]]\nurl = \"https://x.example/\"\nsecret = \"{SECRET}\""
                ),
                &[],
                "events.stores.second.endpoints[1].url",
            ),
            (
                "retry_schedule_seconds = []",
                &[],
                "events.retry_schedule_seconds",
            ),
            (
                "request_timeout_seconds = 0",
                &[],
                "events.request_timeout_seconds",
            ),
        ];
        for (toml_text, env, field) in cases {
            let error = parse(toml_text, env).expect_err(field);
            assert_eq!(&error.field, field, "{error}");
            assert!(
                !error.message.contains("MfKQ"),
                "the secret is not repeated: {error}"
            );
        }
    }
}
