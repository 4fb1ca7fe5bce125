//! The WooCommerce REST API (`{store url}/wp-json/wc/v3/...`), one client per store.
//!
//! Every call authenticates the way WooCommerce demands for the URL's scheme (see
//! [`super::auth`]), times out, and retries what is safe to retry: 429 always (the request
//! was refused before any work), 5xx, 408 and transport failures only for idempotent
//! methods (GET, PUT, DELETE), with exponential backoff and jitter, honouring
//! `Retry-After`. A POST is retried only when it provably never reached WooCommerce:
//! `POST /orders/{id}/refunds` has no idempotency key, so a blind retry could refund twice.
//! Lists are read 100 at a time following `X-WP-TotalPages`.
//!
//! Logs carry the store, method, endpoint path, status and attempt; never credentials,
//! query strings (they hold the OAuth parameters) or bodies.

use std::time::Duration;

use jiff::Timestamp;
use rand::RngExt as _;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize as _, Serialize};

use super::Order;
use super::auth::{Credentials, Scheme};
use super::settings::ClientSettings;
use super::webhook::{NewWebhook, Webhook, WebhookUpdate};
use crate::ids::{OrderId, StoreId};
use crate::secret::Secret;

/// Largest page WooCommerce serves.
pub const PER_PAGE: u32 = 100;
/// A page of 100 orders is a few hundred KB; anything far larger is not WooCommerce.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Fewer than this many pages is a list; more means the store answers the same page forever.
const MAX_PAGES: u32 = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum WooError {
    #[error(
        "store `{store}` has no WooCommerce REST API access: set its url, consumer_key and consumer_secret (AFTERCARE_STORE_URL, AFTERCARE_WC_CONSUMER_KEY, AFTERCARE_WC_CONSUMER_SECRET for the default store)"
    )]
    NotConfigured { store: StoreId },
    #[error("the store URL `{0}` is not a valid http(s) URL")]
    InvalidUrl(String),
    /// WooCommerce answered with an error status (its `{"code", "message"}` when it sent one).
    #[error("WooCommerce answered {status} `{code}`: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// No answer. `sent` is false when the connection never opened, so nothing can have
    /// happened on the store's side.
    #[error("could not reach WooCommerce: {message}")]
    Transport { message: String, sent: bool },
    #[error(
        "WooCommerce redirected to {location}; set the store URL to the address it redirects to"
    )]
    Redirected { status: u16, location: String },
    #[error("WooCommerce's answer could not be read: {0}")]
    Decode(String),
}

impl WooError {
    /// True when a write may have been carried out although no success came back (a
    /// timeout after sending, a 5xx): look before trying again (e.g. list the refunds).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            WooError::Transport { sent, .. } => *sent,
            WooError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The HTTP status WooCommerce answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            WooError::Api { status, .. } | WooError::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One page of a list, with the totals WooCommerce reports for the whole query.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    /// `X-WP-Total`: items matching the query in all pages.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<u32>,
}

impl<T> Page<T> {
    /// Whether a later page exists, by `X-WP-TotalPages` (or, without it, a full page).
    pub fn has_more(&self, per_page: u32) -> bool {
        match self.total_pages {
            Some(pages) => self.page < pages,
            None => self.items.len() >= per_page as usize,
        }
    }
}

/// An order as the REST API returned it: typed, plus the JSON for the mirror.
#[derive(Debug, Clone)]
pub struct FetchedOrder {
    pub order: Order,
    /// Compact JSON of `value`; what the mirror stores as the raw body.
    pub raw: String,
    pub value: serde_json::Value,
}

impl FetchedOrder {
    pub fn from_value(value: serde_json::Value) -> Result<FetchedOrder, serde_json::Error> {
        let order = Order::deserialize(&value)?;
        let raw = serde_json::to_string(&value)?;
        Ok(FetchedOrder { order, raw, value })
    }
}

/// `GET /orders` filters used to walk the order list by modification time.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Exclusive lower bound on `date_modified_gmt` (second resolution).
    pub modified_after: Option<Timestamp>,
    /// Exclusive upper bound on `date_modified_gmt`.
    pub modified_before: Option<Timestamp>,
    /// `any` (WooCommerce's default: every status except `trash`) or one status slug.
    pub status: Option<String>,
}

impl OrderQuery {
    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("orderby", "modified".to_owned()),
            ("order", "asc".to_owned()),
            ("dates_are_gmt", "true".to_owned()),
        ];
        if let Some(after) = self.modified_after {
            params.push(("modified_after", woo_date(after)));
        }
        if let Some(before) = self.modified_before {
            params.push(("modified_before", woo_date(before)));
        }
        if let Some(status) = &self.status {
            params.push(("status", status.clone()));
        }
        params
    }
}

/// WooCommerce's own date form, UTC with `dates_are_gmt=true`: `2026-11-22T10:00:00`.
pub fn woo_date(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Where a store's REST API is and the keys it takes: what a client needs of the store's
/// configuration (which converts into it).
#[derive(Debug, Clone, Copy)]
pub struct RestAccess<'a> {
    pub store: &'a StoreId,
    pub url: Option<&'a str>,
    pub consumer_key: Option<&'a Secret>,
    pub consumer_secret: Option<&'a Secret>,
}

/// A client for one store's REST API; cheap to clone.
#[derive(Clone)]
pub struct WooClient {
    http: reqwest::Client,
    /// `{store url}/wp-json/wc/v3/`
    api: Url,
    scheme: Scheme,
    credentials: Credentials,
    settings: ClientSettings,
    store: StoreId,
}

struct Answer {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl WooClient {
    /// A client for `store`, which must have a URL and both REST credentials.
    pub fn new<'a>(
        store: impl Into<RestAccess<'a>>,
        settings: &ClientSettings,
    ) -> Result<WooClient, WooError> {
        let store = store.into();
        let (Some(url), Some(key), Some(secret)) =
            (store.url, store.consumer_key, store.consumer_secret)
        else {
            return Err(WooError::NotConfigured {
                store: store.store.clone(),
            });
        };
        let (key, secret) = (key.clone(), secret.clone());
        let api = Url::parse(&format!("{}/wp-json/wc/v3/", url.trim_end_matches('/')))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| WooError::InvalidUrl(url.to_owned()))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("aftercare/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            // A redirect would change the URL the OAuth signature covers, or carry a POST
            // somewhere else: report it instead of following it.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| WooError::Transport {
                message: format!("cannot set up the HTTP client: {}", e.without_url()),
                sent: false,
            })?;
        Ok(WooClient {
            http,
            scheme: Scheme::for_url(&api),
            api,
            credentials: Credentials { key, secret },
            settings: settings.clone(),
            store: store.store.clone(),
        })
    }

    pub fn store_id(&self) -> &StoreId {
        &self.store
    }

    /// Basic over https, OAuth 1.0a over http.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The URL of `path` under `/wp-json/wc/v3/`, without query.
    pub fn endpoint(&self, path: &str) -> Result<Url, WooError> {
        self.api
            .join(path.trim_start_matches('/'))
            .map_err(|_| WooError::InvalidUrl(format!("{}{path}", self.api)))
    }

    // ---- generic JSON calls -------------------------------------------------------------

    /// `GET path?params`, decoded.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, WooError> {
        let answer = self.send(Method::GET, path, params, None).await?;
        decode(&answer.body)
    }

    /// One page (`per_page=100&page=N`) of a list.
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
        page: u32,
    ) -> Result<Page<T>, WooError> {
        let mut all: Vec<(&str, String)> = params.to_vec();
        all.push(("per_page", PER_PAGE.to_string()));
        all.push(("page", page.to_string()));
        let answer = self.send(Method::GET, path, &all, None).await?;
        Ok(Page {
            items: decode(&answer.body)?,
            page,
            total: header_number(&answer.headers, "x-wp-total"),
            total_pages: header_number(&answer.headers, "x-wp-totalpages"),
        })
    }

    /// Every page of a list, following `X-WP-TotalPages`.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<Vec<T>, WooError> {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let batch: Page<T> = self.get_page(path, params, page).await?;
            let more = batch.has_more(PER_PAGE) && !batch.items.is_empty();
            items.extend(batch.items);
            if !more || page >= MAX_PAGES {
                return Ok(items);
            }
            page += 1;
        }
    }

    /// `POST path` with a JSON body. Not retried once it may have reached WooCommerce.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, WooError> {
        let body = serde_json::to_vec(body).map_err(|e| WooError::Decode(e.to_string()))?;
        let answer = self.send(Method::POST, path, &[], Some(body)).await?;
        decode(&answer.body)
    }

    /// `PUT path` with a JSON body (idempotent, so retried).
    pub async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, WooError> {
        let body = serde_json::to_vec(body).map_err(|e| WooError::Decode(e.to_string()))?;
        let answer = self.send(Method::PUT, path, &[], Some(body)).await?;
        decode(&answer.body)
    }

    /// `DELETE path?params`.
    pub async fn delete<T: DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, String)],
    ) -> Result<T, WooError> {
        let answer = self.send(Method::DELETE, path, params, None).await?;
        decode(&answer.body)
    }

    // ---- orders, refunds, coupons ---------------------------------------------------------

    /// One page of `GET /orders` for `query`, oldest modification first.
    pub async fn list_orders(
        &self,
        query: &OrderQuery,
        page: u32,
    ) -> Result<Page<serde_json::Value>, WooError> {
        self.get_page("orders", &query.params(), page).await
    }

    /// `GET /orders/{id}`.
    pub async fn get_order(&self, id: u64) -> Result<FetchedOrder, WooError> {
        let value: serde_json::Value = self.get(&format!("orders/{id}"), &[]).await?;
        FetchedOrder::from_value(value).map_err(|e| WooError::Decode(describe_json_error(&e)))
    }

    /// `GET /orders/{id}/refunds`: every refund of the order (all pages).
    pub async fn list_refunds(
        &self,
        order_id: OrderId,
    ) -> Result<Vec<serde_json::Value>, WooError> {
        self.get_all(&format!("orders/{order_id}/refunds"), &[])
            .await
    }

    /// `POST /orders/{id}/refunds`. Send `"api_refund": false` unless the payment gateway
    /// should move money (WooCommerce's default is true). Never retried after it may have
    /// arrived: on an error with [`WooError::may_have_been_applied`], list the refunds first.
    pub async fn create_refund(
        &self,
        order_id: OrderId,
        refund: &serde_json::Value,
    ) -> Result<serde_json::Value, WooError> {
        self.post(&format!("orders/{order_id}/refunds"), refund)
            .await
    }

    /// `POST /coupons` (e.g. store credit for a return).
    pub async fn create_coupon(
        &self,
        coupon: &serde_json::Value,
    ) -> Result<serde_json::Value, WooError> {
        self.post("coupons", coupon).await
    }

    // ---- webhooks -------------------------------------------------------------------------

    /// Every webhook of the store, any status (all pages).
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, WooError> {
        self.get_all("webhooks", &[("status", "all".to_owned())])
            .await
    }

    /// `POST /webhooks`. WooCommerce pings the delivery URL right after creating it.
    pub async fn create_webhook(&self, webhook: &NewWebhook) -> Result<Webhook, WooError> {
        self.post("webhooks", webhook).await
    }

    /// `PUT /webhooks/{id}`: only the fields given change.
    pub async fn update_webhook(
        &self,
        id: u64,
        update: &WebhookUpdate,
    ) -> Result<Webhook, WooError> {
        self.put(&format!("webhooks/{id}"), update).await
    }

    /// `DELETE /webhooks/{id}?force=true` (webhooks have no trash).
    pub async fn delete_webhook(&self, id: u64) -> Result<Webhook, WooError> {
        self.delete(&format!("webhooks/{id}"), &[("force", "true".to_owned())])
            .await
    }

    // ---- the transport --------------------------------------------------------------------

    async fn send(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Answer, WooError> {
        let endpoint = self.endpoint(path)?;
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let idempotent = method != Method::POST;
        let mut attempt = 0;
        loop {
            let request = self.build(&method, &endpoint, &params, body.clone())?;
            let started = std::time::Instant::now();
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    tracing::debug!(
                        store = %self.store,
                        method = %method,
                        path = endpoint.path(),
                        status = status.as_u16(),
                        attempt,
                        ms = started.elapsed().as_millis() as u64,
                        "WooCommerce request"
                    );
                    if status.is_success() {
                        let headers = response.headers().clone();
                        match read_body(response).await {
                            Ok(body) => return Ok(Answer { headers, body }),
                            // Cut off mid-answer: a read is asked again, a write is not (it
                            // was done).
                            Err(error) => {
                                let retry =
                                    idempotent && matches!(error, WooError::Transport { .. });
                                Failure {
                                    error,
                                    retry,
                                    retry_after: None,
                                }
                            }
                        }
                    } else if status.is_redirection() {
                        let location = response
                            .headers()
                            .get(reqwest::header::LOCATION)
                            .and_then(|v| v.to_str().ok())
                            .map(strip_query)
                            .unwrap_or_default();
                        return Err(WooError::Redirected {
                            status: status.as_u16(),
                            location,
                        });
                    } else {
                        let retry_after = retry_after(response.headers(), Timestamp::now());
                        let error =
                            api_error(status, read_body(response).await.unwrap_or_default());
                        let retry = status == StatusCode::TOO_MANY_REQUESTS
                            || (idempotent
                                && (status.is_server_error()
                                    || status == StatusCode::REQUEST_TIMEOUT));
                        Failure {
                            error,
                            retry,
                            retry_after,
                        }
                    }
                }
                Err(e) => {
                    let sent = !e.is_connect();
                    Failure {
                        error: WooError::Transport {
                            message: transport_message(e),
                            sent,
                        },
                        retry: idempotent || !sent,
                        retry_after: None,
                    }
                }
            };
            if !failure.retry || attempt >= self.settings.max_retries {
                return Err(failure.error);
            }
            let wait = self.wait_before_retry(attempt, failure.retry_after);
            tracing::warn!(
                store = %self.store,
                method = %method,
                path = endpoint.path(),
                status = failure.error.status(),
                attempt = attempt + 1,
                wait_ms = wait.as_millis() as u64,
                error = %failure.error,
                "WooCommerce request failed; retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    fn build(
        &self,
        method: &Method,
        endpoint: &Url,
        params: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::RequestBuilder, WooError> {
        let request = match self.scheme {
            Scheme::Basic => {
                let mut url = endpoint.clone();
                if !params.is_empty() {
                    url.query_pairs_mut().extend_pairs(params);
                }
                self.http.request(method.clone(), url).header(
                    reqwest::header::AUTHORIZATION,
                    self.credentials.basic_header(),
                )
            }
            Scheme::OAuth1 => {
                // A fresh timestamp and nonce per attempt: WooCommerce rejects a reused nonce.
                let url = self
                    .credentials
                    .oauth1_url(
                        method.as_str(),
                        endpoint,
                        params,
                        Timestamp::now().as_second().max(1) as u64,
                        &super::auth::nonce(),
                    )
                    .map_err(|_| WooError::InvalidUrl(endpoint.path().to_owned()))?;
                self.http.request(method.clone(), url)
            }
        };
        let request = request.header(reqwest::header::ACCEPT, "application/json");
        Ok(match body {
            Some(body) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
            None => request,
        })
    }

    /// `Retry-After` when the server gave one, else exponential backoff with jitter; both
    /// capped by `max_retry_wait`.
    fn wait_before_retry(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let cap = self.settings.max_retry_wait;
        if let Some(wait) = retry_after {
            return wait.min(cap);
        }
        backoff(self.settings.retry_base, attempt, cap)
    }
}

struct Failure {
    error: WooError,
    retry: bool,
    retry_after: Option<Duration>,
}

/// `base * 2^attempt`, capped, then a random point in its upper half ("equal jitter") so
/// that retries from several stores or processes spread out.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let full = base
        .saturating_mul(2u32.saturating_pow(attempt.min(30)))
        .min(cap);
    let half = full / 2;
    let spread = (full - half).as_millis() as u64;
    half + Duration::from_millis(rand::rng().random_range(0..=spread))
}

/// `Retry-After` as delay-seconds or an HTTP date, relative to `now`.
pub fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = at.duration_since(now);
    Some(if wait.is_negative() {
        Duration::ZERO
    } else {
        wait.unsigned_abs()
    })
}

/// reqwest's error with its causes ("error sending request: ... Connection refused"),
/// without the URL (its query holds the OAuth parameters).
fn transport_message(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

fn header_number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn strip_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, WooError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(WooError::Decode(format!(
                        "the answer is larger than {MAX_BODY_BYTES} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(WooError::Transport {
                    message: transport_message(e),
                    sent: true,
                });
            }
        }
    }
}

/// WordPress's `{"code", "message", "data": {"status"}}`, or the bare status.
fn api_error(status: StatusCode, body: Vec<u8>) -> WooError {
    #[derive(serde::Deserialize)]
    struct WpError {
        code: String,
        #[serde(default)]
        message: String,
    }
    let (code, message) = match serde_json::from_slice::<WpError>(&body) {
        Ok(e) => (e.code, e.message.chars().take(300).collect()),
        Err(_) => (
            format!("http_{}", status.as_u16()),
            status
                .canonical_reason()
                .unwrap_or("no explanation")
                .to_owned(),
        ),
    };
    WooError::Api {
        status: status.as_u16(),
        code,
        message,
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, WooError> {
    serde_json::from_slice(body).map_err(|e| {
        let hint = if body.first().is_some_and(|b| *b == b'<') {
            " (HTML instead of JSON: is the store URL right and are pretty permalinks on?)"
        } else {
            ""
        };
        WooError::Decode(format!("{}{hint}", describe_json_error(&e)))
    })
}

/// A JSON error without the values it quotes (they may be customer data).
pub fn describe_json_error(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        assert_eq!(
            retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers("Sun, 22 Nov 2026 10:00:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers("Sun, 22 Nov 2026 09:00:00 GMT"), now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_under_the_cap() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for _ in 0..200 {
            let first = backoff(base, 0, cap);
            assert!(
                first >= Duration::from_millis(50) && first <= base,
                "{first:?}"
            );
            let third = backoff(base, 2, cap);
            assert!(
                third >= Duration::from_millis(200) && third <= Duration::from_millis(400),
                "{third:?}"
            );
            assert!(backoff(base, 40, cap) <= cap);
        }
    }

    #[test]
    fn order_queries_use_woocommerce_dates_in_utc() {
        let query = OrderQuery {
            modified_after: Some("2026-11-01T00:00:05Z".parse().unwrap()),
            modified_before: None,
            status: Some("trash".into()),
        };
        let params = query.params();
        assert!(params.contains(&("modified_after", "2026-11-01T00:00:05".into())));
        assert!(params.contains(&("dates_are_gmt", "true".into())));
        assert!(params.contains(&("orderby", "modified".into())));
        assert!(params.contains(&("order", "asc".into())));
        assert!(params.contains(&("status", "trash".into())));
    }

    #[test]
    fn errors_say_whether_a_write_may_have_happened() {
        let timeout = WooError::Transport {
            message: "timed out".into(),
            sent: true,
        };
        let refused = WooError::Transport {
            message: "connection refused".into(),
            sent: false,
        };
        assert!(timeout.may_have_been_applied());
        assert!(!refused.may_have_been_applied());
        assert!(api_error(StatusCode::BAD_GATEWAY, Vec::new()).may_have_been_applied());
        let rejected = api_error(
            StatusCode::BAD_REQUEST,
            br#"{"code":"woocommerce_rest_invalid_order_refund","message":"Refund amount must be greater than zero.","data":{"status":400}}"#.to_vec(),
        );
        assert!(!rejected.may_have_been_applied());
        assert_eq!(
            rejected.to_string(),
            "WooCommerce answered 400 `woocommerce_rest_invalid_order_refund`: Refund amount must be greater than zero."
        );
    }

    #[test]
    fn json_errors_never_quote_values() {
        let e = serde_json::from_str::<u64>("\"jane@example.com\"").unwrap_err();
        let text = describe_json_error(&e);
        assert!(!text.contains("jane"), "{text}");
        assert!(text.contains("line 1"));
    }

    #[test]
    fn clients_need_url_and_both_credentials() {
        let (key, secret) = (Secret::new("ck_1"), Secret::new("cs_1"));
        let mut store = RestAccess {
            store: &StoreId::test("default"),
            url: Some("https://shop.example/"),
            consumer_key: Some(&key),
            consumer_secret: None,
        };
        assert!(matches!(
            WooClient::new(store, &ClientSettings::default()),
            Err(WooError::NotConfigured { .. })
        ));
        store.consumer_secret = Some(&secret);
        let client = WooClient::new(store, &ClientSettings::default()).unwrap();
        assert_eq!(client.scheme(), Scheme::Basic);
        assert_eq!(
            client.endpoint("orders/7/refunds").unwrap().as_str(),
            "https://shop.example/wp-json/wc/v3/orders/7/refunds"
        );
        store.url = Some("http://shop.example/sub");
        let client = WooClient::new(store, &ClientSettings::default()).unwrap();
        assert_eq!(client.scheme(), Scheme::OAuth1);
        assert_eq!(
            client.endpoint("orders").unwrap().as_str(),
            "http://shop.example/sub/wp-json/wc/v3/orders"
        );
    }
}
