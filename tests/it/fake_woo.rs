//! A WooCommerce REST API stand-in on wiremock: the order list with WooCommerce's filters,
//! sorting, paging and `X-WP-*` headers, the webhooks resource with its state, and an OAuth
//! 1.0a check written from WooCommerce's `check_oauth_signature`, independent of the client.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aftercare::woo::client::woo_date;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use super::helpers::fixture;

pub const CONSUMER_KEY: &str = "ck_0123456789abcdef0123456789abcdef01234567";
pub const CONSUMER_SECRET: &str = "cs_fedcba9876543210fedcba9876543210fedcba98";
pub const API: &str = "/wp-json/wc/v3";

/// An order from the registered-customer fixture with its own id and modification time.
pub fn order(id: u64, modified: &str) -> Value {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["order_key"] = format!("wc_order_key{id}").into();
    order["date_modified_gmt"] = modified.into();
    order
}

/// WooCommerce's date form for `ts`: UTC, no offset.
#[derive(Clone, Default)]
pub struct Shop {
    pub orders: Arc<Mutex<Vec<Value>>>,
    /// Webhooks as WooCommerce stores them, secret included.
    pub webhooks: Arc<Mutex<Vec<Value>>>,
    next_webhook_id: Arc<AtomicU64>,
    list_requests: Arc<AtomicUsize>,
    /// Answer this order-list request (1-based) with a 500; 0 for never.
    pub fail_list_request: Arc<AtomicUsize>,
    /// Changes to the orders made just before answering the order-list request (1-based).
    #[allow(clippy::type_complexity)]
    pub before_list_request: Arc<Mutex<Vec<(usize, Box<dyn FnOnce(&mut Vec<Value>) + Send>)>>>,
    nonces: Arc<Mutex<HashMap<String, String>>>,
    /// The store URL as WordPress knows it.
    home: String,
}

pub struct FakeWoo {
    pub server: MockServer,
    pub shop: Shop,
}

impl FakeWoo {
    pub async fn start() -> FakeWoo {
        Self::start_at(None).await
    }

    /// A shop whose home URL is `home` (a relay in front of it), not the server's own.
    pub async fn start_at(home: Option<String>) -> FakeWoo {
        let server = MockServer::start().await;
        let home = home.unwrap_or_else(|| server.uri());
        let shop = Shop {
            next_webhook_id: Arc::new(AtomicU64::new(100)),
            home: home.clone(),
            ..Shop::default()
        };
        let signed = Signed {
            shop: shop.clone(),
            home,
        };
        Mock::given(method("GET"))
            .and(path(format!("{API}/orders")))
            .and(signed.clone())
            .respond_with(ListOrders(shop.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{API}/webhooks")))
            .and(signed.clone())
            .respond_with(ListWebhooks(shop.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{API}/webhooks")))
            .and(signed.clone())
            .respond_with(CreateWebhook(shop.clone()))
            .mount(&server)
            .await;
        Mock::given(path_regex(r"^/wp-json/wc/v3/webhooks/\d+$"))
            .and(signed.clone())
            .respond_with(EditWebhook(shop.clone()))
            .mount(&server)
            .await;
        // Anything unsigned or signed wrongly: what WooCommerce answers.
        Mock::given(path_regex("^/wp-json/"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "code": "woocommerce_rest_authentication_error",
                "message": "Invalid signature - provided signature does not match.",
                "data": {"status": 401}
            })))
            .with_priority(200)
            .mount(&server)
            .await;
        FakeWoo { server, shop }
    }

    /// The store URL aftercare is given.
    pub fn url(&self) -> String {
        self.shop.home.clone()
    }

    /// The OAuth 1.0a check, for mocks a test mounts itself.
    pub fn signed(&self) -> impl Match + 'static {
        Signed {
            shop: self.shop.clone(),
            home: self.shop.home.clone(),
        }
    }

    pub fn add_order(&self, order: Value) {
        let mut orders = self.shop.orders.lock().unwrap();
        let id = order["id"].as_u64();
        orders.retain(|o| o["id"].as_u64() != id);
        orders.push(order);
    }

    /// Orders `first_id..first_id + count`, modified one minute apart from `from`.
    pub fn add_orders_a_minute_apart(&self, first_id: u64, count: u64, from: &str) {
        let from: jiff::Timestamp = from.parse().unwrap();
        for i in 0..count {
            let modified = from + jiff::SignedDuration::from_mins(i as i64);
            self.add_order(order(first_id + i, &woo_date(modified)));
        }
    }

    pub fn add_webhook(&self, id: u64, topic: &str, status: &str, url: &str, name: &str) {
        self.shop.webhooks.lock().unwrap().push(json!({
            "id": id, "name": name, "status": status, "topic": topic,
            "delivery_url": url, "secret": format!("old-secret-{id}"),
        }));
    }

    pub fn webhooks(&self) -> Vec<Value> {
        let mut hooks = self.shop.webhooks.lock().unwrap().clone();
        hooks.sort_by_key(|h| h["id"].as_u64());
        hooks
    }

    /// `(modified_after, modified_before, page)` of every order-list request, in order.
    pub async fn list_queries(&self) -> Vec<(String, String, String)> {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == format!("{API}/orders"))
            .map(|r| {
                let get = |name| param(r, name).unwrap_or_default();
                (get("modified_after"), get("modified_before"), get("page"))
            })
            .collect()
    }

    pub fn config_toml(&self) -> String {
        format!(
            "[[stores]]\nid = \"default\"\nurl = \"{}\"\nconsumer_key = \"{CONSUMER_KEY}\"\nconsumer_secret = \"{CONSUMER_SECRET}\"\n",
            self.url()
        )
    }
}

pub fn param(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// PHP's `rawurlencode`: everything but `A-Z a-z 0-9 - _ . ~` as `%XX`.
fn rawurlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Accepts a request only with a valid OAuth 1.0a signature by [`CONSUMER_KEY`], computed the
/// way `WC_REST_Authentication::check_oauth_signature` does, a timestamp within 15 minutes
/// and a nonce not used for another request.
#[derive(Clone)]
struct Signed {
    shop: Shop,
    /// The store URL as WordPress knows it (`home_url`), which the signature covers.
    home: String,
}

impl Match for Signed {
    fn matches(&self, request: &Request) -> bool {
        let mut params: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let Some(position) = params.iter().position(|(k, _)| k == "oauth_signature") else {
            return false;
        };
        let signature = params.remove(position).1;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        if get("oauth_consumer_key") != CONSUMER_KEY {
            return false;
        }
        let Ok(timestamp) = get("oauth_timestamp").parse::<i64>() else {
            return false;
        };
        if (jiff::Timestamp::now().as_second() - timestamp).abs() > 15 * 60 {
            return false;
        }
        // A nonce may come back only with the very same request (wiremock asks every mock).
        let nonce = get("oauth_nonce");
        {
            let mut nonces = self.shop.nonces.lock().unwrap();
            let seen = nonces
                .entry(nonce)
                .or_insert_with(|| request.url.to_string());
            if *seen != request.url.to_string() {
                return false;
            }
        }
        let method_name = get("oauth_signature_method");
        params.sort_by(|a, b| a.0.cmp(&b.0));
        let query = params
            .iter()
            .map(|(k, v)| rawurlencode(&format!("{}={}", rawurlencode(k), rawurlencode(v))))
            .collect::<Vec<_>>()
            .join("%26");
        // wiremock sees `http://localhost/...`; WooCommerce signs its own home URL plus the path.
        let base = format!("{}{}", self.home, request.url.path());
        let string_to_sign = format!("{}&{}&{}", request.method, rawurlencode(&base), query);
        let key = format!("{CONSUMER_SECRET}&");
        let expected = match method_name.as_str() {
            "HMAC-SHA256" => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(string_to_sign.as_bytes());
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
            }
            _ => return false,
        };
        expected == signature
    }
}

fn page_of<T: Clone>(items: &[T], request: &Request) -> (Vec<T>, usize, usize) {
    let per_page: usize = param(request, "per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10);
    let page: usize = param(request, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let total = items.len();
    let pages = total.div_ceil(per_page);
    let slice = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    (slice, total, pages)
}

fn list_response<T: serde::Serialize>(
    items: Vec<T>,
    total: usize,
    pages: usize,
) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("X-WP-Total", total.to_string())
        .insert_header("X-WP-TotalPages", pages.to_string())
        .set_body_json(items)
}

/// `GET /orders?orderby=modified&order=asc&modified_after&modified_before&status&page&per_page`
/// with `dates_are_gmt=true`: `any` is every status but `trash`, the date bounds are exclusive.
struct ListOrders(Shop);

impl Respond for ListOrders {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.0.list_requests.fetch_add(1, Ordering::SeqCst) + 1;
        if self.0.fail_list_request.load(Ordering::SeqCst) == n {
            return ResponseTemplate::new(500).set_body_json(json!({
                "code": "internal_server_error",
                "message": "There has been a critical error on this website.",
                "data": {"status": 500}
            }));
        }
        // aftercare always walks by modification time in UTC.
        let walk_params = [
            ("dates_are_gmt", "true"),
            ("orderby", "modified"),
            ("order", "asc"),
        ];
        if walk_params
            .iter()
            .any(|(k, v)| param(request, k).as_deref() != Some(*v))
        {
            return ResponseTemplate::new(400).set_body_json(json!({
                "code": "rest_invalid_param", "message": "Unexpected order query.", "data": {"status": 400}
            }));
        }
        {
            let mut changes = self.0.before_list_request.lock().unwrap();
            while let Some(i) = changes.iter().position(|(at, _)| *at == n) {
                let (_, change) = changes.remove(i);
                change(&mut self.0.orders.lock().unwrap());
            }
        }
        let after = param(request, "modified_after");
        let before = param(request, "modified_before");
        let status = param(request, "status").unwrap_or_else(|| "any".into());
        let mut orders: Vec<Value> = self
            .0
            .orders
            .lock()
            .unwrap()
            .iter()
            .filter(|o| {
                let modified = o["date_modified_gmt"].as_str().unwrap();
                let is_trash = o["status"] == "trash";
                after.as_deref().is_none_or(|a| modified > a)
                    && before.as_deref().is_none_or(|b| modified < b)
                    && if status == "any" {
                        !is_trash
                    } else {
                        o["status"] == status.as_str()
                    }
            })
            .cloned()
            .collect();
        orders.sort_by(|a, b| {
            (a["date_modified_gmt"].as_str(), a["id"].as_u64())
                .cmp(&(b["date_modified_gmt"].as_str(), b["id"].as_u64()))
        });
        let (page, total, pages) = page_of(&orders, request);
        list_response(page, total, pages)
    }
}

fn public(hook: &Value) -> Value {
    let mut hook = hook.clone();
    hook.as_object_mut().unwrap().remove("secret");
    hook
}

struct ListWebhooks(Shop);

impl Respond for ListWebhooks {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut hooks: Vec<Value> = self.0.webhooks.lock().unwrap().iter().map(public).collect();
        hooks.sort_by_key(|h| h["id"].as_u64());
        let (page, total, pages) = page_of(&hooks, request);
        list_response(page, total, pages)
    }
}

struct CreateWebhook(Shop);

impl Respond for CreateWebhook {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        let id = self.0.next_webhook_id.fetch_add(1, Ordering::SeqCst);
        let hook = json!({
            "id": id,
            "name": body["name"],
            "status": body.get("status").cloned().unwrap_or("active".into()),
            "topic": body["topic"],
            "delivery_url": body["delivery_url"],
            "secret": body["secret"],
        });
        self.0.webhooks.lock().unwrap().push(hook.clone());
        ResponseTemplate::new(201).set_body_json(public(&hook))
    }
}

/// `PUT` and `DELETE /webhooks/{id}` (`force=true` required, as WooCommerce does).
struct EditWebhook(Shop);

impl Respond for EditWebhook {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id: u64 = request
            .url
            .path()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let mut hooks = self.0.webhooks.lock().unwrap();
        let Some(position) = hooks.iter().position(|h| h["id"] == id) else {
            return ResponseTemplate::new(404).set_body_json(json!({
                "code": "woocommerce_rest_shop_webhook_invalid_id", "message": "Invalid ID.", "data": {"status": 404}
            }));
        };
        match request.method.as_str() {
            "PUT" => {
                let body: Value = request.body_json().unwrap();
                for (key, value) in body.as_object().unwrap() {
                    hooks[position][key] = value.clone();
                }
                ResponseTemplate::new(200).set_body_json(public(&hooks[position]))
            }
            "DELETE" if param(request, "force").as_deref() == Some("true") => {
                let hook = hooks.remove(position);
                ResponseTemplate::new(200).set_body_json(public(&hook))
            }
            "DELETE" => ResponseTemplate::new(501).set_body_json(json!({
                "code": "woocommerce_rest_trash_not_supported", "message": "Webhooks do not support trashing.", "data": {"status": 501}
            })),
            _ => ResponseTemplate::new(405),
        }
    }
}
