//! How requests to the WooCommerce REST API prove who they are.
//!
//! WooCommerce (`WC_REST_Authentication`) accepts the consumer key and secret as HTTP Basic
//! credentials only when WordPress sees the request as HTTPS. Over plain http it demands
//! OAuth 1.0a "one-legged": no token, the `oauth_*` parameters in the query string, signed
//! with the key `consumer_secret&`. The signing itself is `oauth1-request`'s; this module
//! adds the HMAC-SHA256 method (the crate ships only SHA-1) and the choice between the two.

use std::fmt::{self, Display};
use std::num::NonZeroU64;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use oauth1_request::signature_method::{Sign, SignatureMethod};
use rand::RngExt as _;
use reqwest::Url;
use reqwest::header::HeaderValue;
use sha2::Sha256;

use crate::secret::Secret;

/// The consumer key (`ck_...`) and secret (`cs_...`) of a WooCommerce REST API key.
#[derive(Clone)]
pub struct Credentials {
    pub key: Secret,
    pub secret: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(***)")
    }
}

/// Which of WooCommerce's two schemes a store URL calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Basic`, over https.
    Basic,
    /// OAuth 1.0a one-legged, HMAC-SHA256, parameters in the query string, over http.
    OAuth1,
}

impl Scheme {
    pub fn for_url(url: &Url) -> Scheme {
        if url.scheme() == "https" {
            Scheme::Basic
        } else {
            Scheme::OAuth1
        }
    }
}

impl Credentials {
    /// `Basic base64(key:secret)`, marked sensitive so it never shows in debug output.
    pub fn basic_header(&self) -> HeaderValue {
        let token = STANDARD.encode(format!("{}:{}", self.key.expose(), self.secret.expose()));
        let mut value = HeaderValue::from_str(&format!("Basic {token}"))
            .expect("base64 is a valid header value");
        value.set_sensitive(true);
        value
    }

    /// The full request URL for `method` on `endpoint` (no query) with `params`, carrying the
    /// OAuth parameters and signature in the query string. `timestamp` is Unix seconds;
    /// `nonce` must never repeat for this key (WooCommerce remembers used nonces).
    pub fn oauth1_url(
        &self,
        method: &str,
        endpoint: &Url,
        params: &[(String, String)],
        timestamp: u64,
        nonce: &str,
    ) -> Result<Url, url::ParseError> {
        let base = endpoint_without_query(endpoint);
        let client = oauth1_request::Credentials::new(self.key.expose(), self.secret.expose());
        let mut builder = oauth1_request::Builder::<_, _>::new(client, HmacSha256);
        builder
            .nonce(nonce)
            .timestamp(NonZeroU64::new(timestamp.max(1)));
        let request = oauth1_request::ParameterList::new(
            params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        );
        // `to_query` writes only the `oauth_*` parameters (signed over all of them); the
        // request's own parameters go in front, encoded the same way.
        let signed = builder.to_query(method, base.clone(), &request);
        let oauth = signed.split_once('?').map_or("", |(_, query)| query);
        let own = oauth1_request::to_form(&request);
        if own.is_empty() {
            Url::parse(&format!("{base}?{oauth}"))
        } else {
            Url::parse(&format!("{base}?{own}&{oauth}"))
        }
    }
}

/// A fresh nonce: 16 random bytes, base64url.
pub fn nonce() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The base string URI of RFC 5849 §3.4.1.2: scheme, host, port if not the default, path.
fn endpoint_without_query(url: &Url) -> String {
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.to_string()
}

/// The `HMAC-SHA256` signature method. WooCommerce accepts it beside `HMAC-SHA1`
/// (`check_oauth_signature`), and signs with the consumer secret plus `&`, unencoded.
#[derive(Debug, Clone, Copy)]
pub struct HmacSha256;

pub struct HmacSha256Sign(Hmac<Sha256>);

/// The signature, base64 and then percent-encoded, as it goes into the query string.
pub struct EncodedSignature(String);

impl Display for EncodedSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl SignatureMethod for HmacSha256 {
    type Sign = HmacSha256Sign;

    fn sign_with(self, client_secret: &str, token_secret: Option<&str>) -> HmacSha256Sign {
        // WooCommerce builds the key as `$consumer_secret . '&'` without percent-encoding;
        // its secrets are `cs_` plus hex, where both forms agree anyway.
        let key = format!("{client_secret}&{}", token_secret.unwrap_or(""));
        HmacSha256Sign(
            <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
                .expect("HMAC takes keys of any length"),
        )
    }
}

impl HmacSha256Sign {
    fn feed(&mut self, text: impl Display) {
        self.0.update(text.to_string().as_bytes());
    }
}

impl Sign for HmacSha256Sign {
    type Signature = EncodedSignature;

    fn get_signature_method_name(&self) -> &'static str {
        "HMAC-SHA256"
    }

    fn request_method(&mut self, method: &str) {
        self.feed(method);
        self.feed('&');
    }

    fn uri<T: Display>(&mut self, uri: T) {
        self.feed(format_args!("{uri}&"));
    }

    fn parameter<V: Display>(&mut self, key: &str, value: V) {
        self.feed(format_args!("{key}%3D{value}"));
    }

    fn delimiter(&mut self) {
        self.feed("%26");
    }

    fn end(self) -> EncodedSignature {
        let signature = STANDARD.encode(self.0.finalize().into_bytes());
        // Base64's `+`, `/` and `=` are the only characters that need escaping.
        EncodedSignature(
            signature
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(key: &str, secret: &str) -> Credentials {
        Credentials {
            key: Secret::new(key),
            secret: Secret::new(secret),
        }
    }

    #[test]
    fn https_uses_basic_and_http_uses_oauth() {
        let https = Url::parse("https://shop.example/wp-json/wc/v3/orders").unwrap();
        let http = Url::parse("http://shop.example:8080/wp-json/wc/v3/orders").unwrap();
        assert_eq!(Scheme::for_url(&https), Scheme::Basic);
        assert_eq!(Scheme::for_url(&http), Scheme::OAuth1);
    }

    #[test]
    fn basic_header_is_key_colon_secret_and_sensitive() {
        let header = credentials("ck_abc", "cs_def").basic_header();
        // base64("ck_abc:cs_def")
        assert_eq!(header.to_str().unwrap(), "Basic Y2tfYWJjOmNzX2RlZg==");
        assert!(header.is_sensitive());
        assert!(!format!("{:?}", credentials("ck_abc", "cs_def")).contains("cs_def"));
    }

    /// The expected signature was computed outside Rust, with PHP, the way
    /// `WC_REST_Authentication::check_oauth_signature` does it:
    ///
    /// ```php
    /// $params = [/* the query below without oauth_signature */];
    /// uksort($params, 'strcmp');
    /// foreach ($params as $k => $v) { $q[] = rawurlencode(rawurlencode($k) . '=' . rawurlencode($v)); }
    /// $s = 'GET&' . rawurlencode('http://shop.example:8080/wp-json/wc/v3/orders') . '&' . implode('%26', $q);
    /// echo base64_encode(hash_hmac('sha256', $s, 'cs_secret&', true));
    /// ```
    #[test]
    fn oauth1_signature_matches_woocommerce() {
        let endpoint = Url::parse("http://shop.example:8080/wp-json/wc/v3/orders").unwrap();
        let params = vec![
            ("per_page".to_owned(), "100".to_owned()),
            (
                "modified_after".to_owned(),
                "2026-11-01T00:00:00".to_owned(),
            ),
            ("orderby".to_owned(), "modified".to_owned()),
        ];
        let url = credentials("ck_key", "cs_secret")
            .oauth1_url("GET", &endpoint, &params, 1_764_000_000, "abc123")
            .unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("oauth_consumer_key").as_deref(), Some("ck_key"));
        assert_eq!(
            get("oauth_signature_method").as_deref(),
            Some("HMAC-SHA256")
        );
        assert_eq!(get("oauth_timestamp").as_deref(), Some("1764000000"));
        assert_eq!(get("oauth_nonce").as_deref(), Some("abc123"));
        assert_eq!(
            get("modified_after").as_deref(),
            Some("2026-11-01T00:00:00")
        );
        assert_eq!(get("oauth_version"), None, "WooCommerce does not need it");
        assert_eq!(
            get("oauth_signature").as_deref(),
            Some(EXPECTED_SIGNATURE),
            "query: {}",
            url.query().unwrap()
        );
        assert_eq!(url.path(), "/wp-json/wc/v3/orders");
    }

    const EXPECTED_SIGNATURE: &str = "23W1YVIxNBPmF+gY7VKtC0xGH2BOj6T1PdBfy0yY+Cg=";

    #[test]
    fn nonces_do_not_repeat() {
        let a = nonce();
        assert_ne!(a, nonce());
        assert!(a.len() >= 20);
    }
}
