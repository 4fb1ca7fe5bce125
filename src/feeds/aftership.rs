//! AfterShip Tracking, API version 2025-01, for stores that already pay for it: create a
//! tracking per number (`POST /trackings`), read them back by number (`GET /trackings`,
//! up to 50 numbers a request), delete the ones aftercare no longer follows, and receive
//! the webhooks AfterShip sends to the URLs set in its admin.
//!
//! A webhook is signed in the `aftership-hmac-sha256` header: the standard base64 of the
//! HMAC-SHA256 of the raw body under the webhook secret. It is checked on the bytes as
//! received, in constant time, before anything is parsed.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use reqwest::StatusCode;
use serde::Deserialize;
use sha2::Sha256;

use super::adapter::{
    Eta, FeedError, FeedState, Inbound, NormalizedEvent, Parcel, Provider, PushError, Registered,
    Snapshot, TrackingFeed,
};
use super::settings::AfterShipAccount;
use crate::secret::Secret;
use crate::tracking::status::ParcelStatus;

type HmacSha256 = Hmac<Sha256>;

/// The header of a webhook's signature.
pub const SIGNATURE_HEADER: &str = "aftership-hmac-sha256";
/// The header that carries the API key on requests.
const KEY_HEADER: &str = "as-api-key";
/// Numbers per request: a tracking is created one request at a time (20 a second are
/// allowed), and `GET /trackings` filters on up to 50 numbers.
pub const BATCH_LIMIT: usize = 20;
/// "Tracking already exists": the number is tracked, which is what was asked.
const ALREADY_EXISTS: i64 = 4003;
/// AfterShip's subtags for a parcel going back to, or back at, the sender.
const RETURN_SUBTAGS: &[&str] = &["Exception_010", "Exception_011"];
/// Tracking's limits for event text.
const MAX_LOCATION: usize = 200;
const MAX_DESCRIPTION: usize = 1000;
/// A list of 20 trackings is a few hundred KB at most; a body beyond this is not AfterShip.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// aftercare's registry slugs and AfterShip's courier slugs. The Korean parcel carriers
/// other than the post are left to AfterShip's detection (their slugs were not checked),
/// as is any carrier missing here.
const CARRIERS: &[(&str, &str)] = &[
    ("epost", "kpost"),
    ("ups", "ups"),
    ("fedex", "fedex"),
    ("usps", "usps"),
    ("dhl-express", "dhl"),
    ("dhl-paket", "dhl-germany"),
    ("dhl-ecommerce", "dhl-global-mail"),
    ("dhl-parcel-nl", "dhlparcel-nl"),
    ("tnt", "tnt"),
    ("aramex", "aramex"),
    ("royal-mail", "royal-mail"),
    ("an-post", "an-post"),
    ("dpd", "dpd"),
    ("dpd-uk", "dpd-uk"),
    ("gls", "gls"),
    ("bpost", "bpost"),
    ("colissimo", "colissimo"),
    ("austrian-post", "austrian-post"),
    ("swiss-post", "swiss-post"),
    ("canada-post", "canada-post"),
    ("australia-post", "australia-post"),
    ("delhivery", "delhivery"),
    ("japan-post", "japan-post"),
    ("yamato", "taqbin-jp"),
    ("sagawa", "sagawa"),
];

pub fn slug_for_carrier(slug: &str) -> Option<&'static str> {
    CARRIERS.iter().find(|(s, _)| *s == slug).map(|(_, c)| *c)
}

pub fn carrier_for_slug(courier: &str) -> Option<&'static str> {
    CARRIERS
        .iter()
        .find(|(_, c)| *c == courier)
        .map(|(s, _)| *s)
}

/// The base64 signature AfterShip sends for `raw` under `secret`.
pub fn signature(raw: &[u8], secret: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(raw);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is the signature of `raw` under `secret`, compared in constant time.
pub fn verify(raw: &[u8], secret: &str, given: &str) -> bool {
    let Ok(tag) = STANDARD.decode(given.trim()) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(raw);
    mac.verify_slice(&tag).is_ok()
}

/// What an AfterShip tag (with its subtag) means for aftercare: the parcel status and the
/// two flags (`pickup_ready`, `attempt_failed`), or `None` for tags that are no carrier
/// event (`Pending`, `Expired`, anything new).
pub fn map_tag(tag: &str, subtag: &str) -> Option<(ParcelStatus, bool, bool)> {
    Some(match tag {
        "InfoReceived" => (ParcelStatus::LabelCreated, false, false),
        "InTransit" => (ParcelStatus::InTransit, false, false),
        "OutForDelivery" => (ParcelStatus::OutForDelivery, false, false),
        "AvailableForPickup" => (ParcelStatus::OutForDelivery, true, false),
        "AttemptFail" => (ParcelStatus::Exception, false, true),
        "Delivered" => (ParcelStatus::Delivered, false, false),
        "Exception" if RETURN_SUBTAGS.contains(&subtag) => (ParcelStatus::Returned, false, false),
        "Exception" => (ParcelStatus::Exception, false, false),
        _ => return None,
    })
}

/// What a tracking's tag says of the subscription.
fn feed_state(tag: &str) -> FeedState {
    match tag {
        "Pending" => FeedState::AwaitingCarrier,
        "Expired" => FeedState::Stale,
        _ => FeedState::Subscribed,
    }
}

/// The AfterShip adapter of one store's account.
pub struct AfterShip {
    http: reqwest::Client,
    url: String,
    key: Secret,
    webhook_secret: Secret,
}

impl AfterShip {
    pub fn new(account: &AfterShipAccount, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .expect("the HTTP client builds with rustls");
        Self {
            http,
            url: account.url.clone(),
            key: account.api_key.clone(),
            webhook_secret: account.webhook_secret.clone(),
        }
    }

    /// Checks a webhook under `secret` and parses it; `zone` reads times without a zone.
    pub fn verify_push(
        secret: &str,
        zone: &TimeZone,
        signature: Option<&str>,
        raw: &[u8],
    ) -> Result<Inbound, PushError> {
        let signature = signature.ok_or(PushError::MissingSignature)?;
        if !verify(raw, secret, signature) {
            return Err(PushError::InvalidSignature);
        }
        parse_push(raw, zone)
    }

    /// Sends a request and reads AfterShip's envelope; 4xx answers with a `meta.code` come
    /// back as `FeedError::Api` so that callers can tell "already exists" from a refusal.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Envelope, FeedError> {
        let response = request
            .header(KEY_HEADER, self.key.expose())
            .send()
            .await
            .map_err(FeedError::transport)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(FeedError::RateLimited {
                retry_after: retry_after(response.headers(), Timestamp::now()),
            });
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(FeedError::Unauthorized {
                status: status.as_u16(),
            });
        }
        if status.is_server_error() || status.is_redirection() || status.is_informational() {
            return Err(FeedError::Status {
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(FeedError::transport)?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(FeedError::Decode("the answer is too large".into()));
        }
        let envelope: Envelope = match serde_json::from_slice(&bytes) {
            Ok(envelope) => envelope,
            Err(_) if !status.is_success() => {
                return Err(FeedError::Status {
                    status: status.as_u16(),
                });
            }
            Err(e) => return Err(FeedError::Decode(e.to_string())),
        };
        if !status.is_success() {
            // Without AfterShip's `meta` the answer is not about the request (a wrong URL).
            return Err(match envelope.meta {
                Some(Meta {
                    code: Some(code),
                    message,
                }) => FeedError::Api {
                    code,
                    message: message.chars().take(200).collect(),
                },
                _ => FeedError::Status {
                    status: status.as_u16(),
                },
            });
        }
        Ok(envelope)
    }

    /// The trackings AfterShip has for the parcels' numbers, each with the parcel it is.
    async fn find(&self, parcels: &[Parcel]) -> Result<Vec<(usize, Tracking)>, FeedError> {
        if parcels.is_empty() {
            return Ok(Vec::new());
        }
        let numbers: Vec<&str> = parcels.iter().map(|p| p.number.trim()).collect();
        let mut url = url::Url::parse(&format!("{}/trackings", self.url))
            .map_err(|e| FeedError::Transport(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("tracking_numbers", &numbers.join(","))
            .append_pair("limit", "200");
        let request = self.http.get(url);
        let data = self.send(request).await?.data.unwrap_or_default();
        let list: TrackingList =
            serde_json::from_value(data).map_err(|e| FeedError::Decode(e.to_string()))?;
        let mut found: Vec<(usize, Tracking)> = Vec::new();
        for tracking in list.trackings {
            let key = crate::tracking::meta::number_key(&tracking.tracking_number);
            let Some(i) = parcels
                .iter()
                .position(|p| crate::tracking::meta::number_key(&p.number) == key)
            else {
                continue;
            };
            // Under the parcel's own courier when known (a number may exist under two).
            let wanted = parcels[i].carrier_code.as_deref();
            let matches = wanted.is_none_or(|w| tracking.slug.as_deref() == Some(w));
            match found.iter_mut().find(|(j, _)| *j == i) {
                Some(slot) if matches => {
                    if wanted.is_some() {
                        slot.1 = tracking;
                    }
                }
                Some(_) => {}
                None => found.push((i, tracking)),
            }
        }
        Ok(found)
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds), else until `X-RateLimit-Reset`
/// (a Unix time in seconds).
fn retry_after(headers: &reqwest::header::HeaderMap, now: Timestamp) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    if let Some(seconds) = number("retry-after") {
        return Some(Duration::from_secs(seconds.max(0) as u64));
    }
    let reset = number("x-ratelimit-reset")?;
    Some(Duration::from_secs(
        (reset - now.as_second()).clamp(0, 3600) as u64,
    ))
}

impl TrackingFeed for AfterShip {
    fn provider(&self) -> Provider {
        Provider::AfterShip
    }

    fn batch_limit(&self) -> usize {
        BATCH_LIMIT
    }

    fn carrier_code(&self, slug: &str) -> Option<String> {
        slug_for_carrier(slug).map(str::to_owned)
    }

    fn carrier_slug(&self, code: &str) -> Option<&'static str> {
        carrier_for_slug(code)
    }

    /// One `POST /trackings` per number (the API creates one tracking a request). A
    /// number already tracked there counts as accepted; a refused one is answered as
    /// such; a failed request (429, 5xx, the key) fails the batch, which is retried —
    /// the numbers created before it then answer "already exists".
    async fn subscribe(&self, parcels: &[Parcel]) -> Result<Vec<(String, Registered)>, FeedError> {
        let mut out = Vec::new();
        for parcel in parcels {
            let mut body = serde_json::json!({"tracking_number": parcel.number.trim()});
            if let Some(slug) = parcel.carrier_code.as_deref() {
                body["slug"] = slug.into();
            }
            let request = self
                .http
                .post(format!("{}/trackings", self.url))
                .json(&body);
            let outcome = match self.send(request).await {
                Ok(envelope) => Registered::Accepted {
                    carrier_code: envelope
                        .data
                        .and_then(|d| serde_json::from_value::<Tracking>(d).ok())
                        .and_then(|t| t.slug)
                        .filter(|s| !s.is_empty() && s != "unrecognized"),
                },
                Err(FeedError::Api { code, .. }) if code == ALREADY_EXISTS => {
                    Registered::Accepted { carrier_code: None }
                }
                Err(FeedError::Api { code, message }) => Registered::Rejected { code, message },
                Err(error) => return Err(error),
            };
            out.push((parcel.number.clone(), outcome));
        }
        Ok(out)
    }

    /// Deletes the trackings AfterShip still follows. Those it already ended itself
    /// (delivered, expired: `active` false) stay, with their history, in the store's
    /// AfterShip account; "mark as completed" is not used, as it would rewrite the
    /// tracking's status (delivered, lost or returned) with one aftercare cannot know.
    async fn stop(&self, parcels: &[Parcel]) -> Result<(), FeedError> {
        for (_, tracking) in self.find(parcels).await? {
            if !tracking.active.unwrap_or(true) || tracking.id.is_empty() {
                continue;
            }
            let request = self
                .http
                .delete(format!("{}/trackings/{}", self.url, tracking.id));
            match self.send(request).await {
                // Gone already: stopped either way.
                Ok(_) | Err(FeedError::Api { .. } | FeedError::Status { status: 404 }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn fetch(&self, parcels: &[Parcel], zone: &TimeZone) -> Result<Vec<Snapshot>, FeedError> {
        Ok(self
            .find(parcels)
            .await?
            .into_iter()
            .map(|(_, tracking)| snapshot(tracking, zone))
            .collect())
    }

    fn verify_and_parse(
        &self,
        signature: Option<&str>,
        raw: &[u8],
        zone: &TimeZone,
    ) -> Result<Inbound, PushError> {
        Self::verify_push(self.webhook_secret.expose(), zone, signature, raw)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(default)]
    meta: Option<Meta>,
    #[serde(default)]
    data: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
struct Meta {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Default, Deserialize)]
struct TrackingList {
    #[serde(default)]
    trackings: Vec<Tracking>,
}

#[derive(Debug, Default, Deserialize)]
struct Tracking {
    #[serde(default)]
    id: String,
    tracking_number: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    return_to_sender: Option<bool>,
    #[serde(default)]
    checkpoints: Vec<Checkpoint>,
    #[serde(default)]
    latest_estimated_delivery: Option<Estimate>,
    #[serde(default)]
    courier_estimated_delivery_date: Option<Estimate>,
    #[serde(default)]
    aftership_estimated_delivery_date: Option<Estimate>,
    #[serde(default)]
    custom_estimated_delivery_date: Option<Estimate>,
    /// Before 2024: "YYYY-MM-DD", with a time, or with a zone.
    #[serde(default)]
    expected_delivery: Option<String>,
}

/// One of AfterShip's estimate objects; each names its fields a little differently.
#[derive(Debug, Default, Deserialize)]
struct Estimate {
    #[serde(default)]
    datetime: Option<String>,
    #[serde(default)]
    datetime_max: Option<String>,
    #[serde(default)]
    estimated_delivery_date: Option<String>,
    #[serde(default)]
    estimated_delivery_date_max: Option<String>,
}

impl Estimate {
    fn value(&self) -> Option<&str> {
        [
            &self.datetime,
            &self.estimated_delivery_date,
            &self.datetime_max,
            &self.estimated_delivery_date_max,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
    }
}

#[derive(Debug, Default, Deserialize)]
struct Checkpoint {
    #[serde(default)]
    checkpoint_time: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    subtag_message: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    country_region_name: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    subtag: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Push {
    event: String,
    msg: Tracking,
}

/// Parses a verified webhook body. Every tracking event (`tracking_update`, `edd_revise`,
/// `tracking_pending_time`) carries the whole tracking, which is applied as a snapshot.
pub fn parse_push(raw: &[u8], zone: &TimeZone) -> Result<Inbound, PushError> {
    let push: Push =
        serde_json::from_slice(raw).map_err(|e| PushError::Malformed(e.to_string()))?;
    if push.event.trim().is_empty() {
        return Err(PushError::Malformed("`event` is empty".into()));
    }
    if push.msg.tracking_number.trim().is_empty() {
        return Err(PushError::Malformed(
            "`msg.tracking_number` is empty".into(),
        ));
    }
    Ok(Inbound::Snapshot(snapshot(push.msg, zone)))
}

fn snapshot(tracking: Tracking, zone: &TimeZone) -> Snapshot {
    let mut events: Vec<NormalizedEvent> = tracking
        .checkpoints
        .iter()
        .filter_map(|c| normalize(c, zone))
        .collect();
    events.sort_by(|a, b| {
        (a.occurred_at, a.status, &a.location, &a.description).cmp(&(
            b.occurred_at,
            b.status,
            &b.location,
            &b.description,
        ))
    });
    events.dedup_by(|a, b| {
        (a.occurred_at, a.status, &a.location, &a.description)
            == (b.occurred_at, b.status, &b.location, &b.description)
    });
    // "Returned to sender" may be said only on the tracking: its newest exception is it.
    if tracking.return_to_sender == Some(true)
        && let Some(last) = events
            .iter_mut()
            .rev()
            .find(|e| e.status == ParcelStatus::Exception)
    {
        last.status = ParcelStatus::Returned;
    }
    let eta = [
        &tracking.latest_estimated_delivery,
        &tracking.courier_estimated_delivery_date,
        &tracking.aftership_estimated_delivery_date,
        &tracking.custom_estimated_delivery_date,
    ]
    .into_iter()
    .flatten()
    .find_map(|e| e.value())
    .or(tracking.expected_delivery.as_deref())
    .and_then(|text| parse_eta(text, zone));
    let tag = tracking.tag.as_deref().map(str::trim).unwrap_or_default();
    Snapshot {
        number: tracking.tracking_number.trim().to_owned(),
        carrier_code: tracking
            .slug
            .filter(|s| !s.is_empty() && s != "unrecognized"),
        events,
        eta,
        state: (!tag.is_empty()).then(|| feed_state(tag)),
    }
}

/// An expected delivery: an instant, a wall-clock time in the store's zone, or a day.
fn parse_eta(text: &str, zone: &TimeZone) -> Option<Eta> {
    let text = text.trim();
    // A bare day (jiff would also read a day out of a longer text).
    if text.len() == 10
        && let Ok(day) = text.parse::<Date>()
    {
        return Some(Eta::Day(day));
    }
    instant(text, zone).map(Eta::At)
}

/// A time with its offset, or a wall-clock time (AfterShip's `checkpoint_time` may lack
/// the offset) read in `zone`.
fn instant(text: &str, zone: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let wall: DateTime = text.parse().ok()?;
    wall.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

/// One checkpoint in aftercare's terms; `None` without a time or for tags that are no
/// carrier event.
fn normalize(checkpoint: &Checkpoint, zone: &TimeZone) -> Option<NormalizedEvent> {
    let tag = checkpoint.tag.as_deref().unwrap_or_default();
    let subtag = checkpoint.subtag.as_deref().unwrap_or_default();
    let (status, pickup_ready, attempt_failed) = map_tag(tag, subtag)?;
    let occurred_at = [&checkpoint.checkpoint_time, &checkpoint.created_at]
        .into_iter()
        .flatten()
        .find_map(|t| instant(t, zone))?;
    let location = match checkpoint.location.as_deref().map(str::trim) {
        Some(place) if !place.is_empty() => place.to_owned(),
        _ => [
            &checkpoint.city,
            &checkpoint.state,
            &checkpoint.country_region_name,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", "),
    };
    let description = checkpoint
        .message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .or(checkpoint.subtag_message.as_deref())
        .unwrap_or_default();
    Some(NormalizedEvent {
        status,
        occurred_at,
        location: clean(&location, MAX_LOCATION),
        description: clean(description, MAX_DESCRIPTION),
        pickup_ready,
        attempt_failed,
        provider_code: if subtag.is_empty() { tag } else { subtag }.to_owned(),
    })
}

/// Provider text as tracking stores it: control characters out, within its limit.
fn clean(text: &str, max: usize) -> String {
    text.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's webhook body and secret, with the signature computed from them.
    const BODY: &str = r#"{"event":"tracking_update","event_id":"94dadd60-ed26-46d0-aa52-3ced925a50ff","is_tracking_first_tag":true,"msg":{"id":"abc","tracking_number":"1234","slug":"usps","tag":"InTransit","subtag":"InTransit_001"},"ts":1712741696}"#;
    const SECRET: &str = "test_webhook_secret";
    const SIGNATURE: &str = "049ywIu6WUdrotCTmdJ3EznOhhr9INC8vRzu9q/D23E=";

    #[test]
    fn the_signature_matches_the_reference_vector() {
        assert_eq!(signature(BODY.as_bytes(), SECRET), SIGNATURE);
        assert!(verify(BODY.as_bytes(), SECRET, SIGNATURE));
        assert!(verify(BODY.as_bytes(), SECRET, &format!(" {SIGNATURE}\n")));
        assert!(!verify(BODY.as_bytes(), "other_secret", SIGNATURE));
        // One byte more (a re-serialised body) no longer verifies.
        let spaced = BODY.replacen(",\"ts\"", ", \"ts\"", 1);
        assert!(!verify(spaced.as_bytes(), SECRET, SIGNATURE));
        assert!(!verify(BODY.as_bytes(), SECRET, ""));
        assert!(!verify(BODY.as_bytes(), SECRET, "not base64!"));
        // Hex of the same MAC is not what AfterShip sends.
        let raw = STANDARD.decode(SIGNATURE).unwrap();
        assert!(!verify(BODY.as_bytes(), SECRET, &hex::encode(raw)));
    }

    #[test]
    fn webhooks_are_verified_before_they_are_parsed() {
        let utc = TimeZone::UTC;
        let Ok(Inbound::Snapshot(snap)) =
            AfterShip::verify_push(SECRET, &utc, Some(SIGNATURE), BODY.as_bytes())
        else {
            panic!("a verified update");
        };
        assert_eq!(snap.number, "1234");
        assert_eq!(snap.carrier_code.as_deref(), Some("usps"));
        assert_eq!(snap.state, Some(FeedState::Subscribed));
        assert_eq!(
            AfterShip::verify_push(SECRET, &utc, None, BODY.as_bytes()),
            Err(PushError::MissingSignature)
        );
        assert_eq!(
            AfterShip::verify_push(SECRET, &utc, Some("AAAA"), BODY.as_bytes()),
            Err(PushError::InvalidSignature)
        );
        let junk = b"{not json";
        assert_eq!(
            AfterShip::verify_push(SECRET, &utc, Some(SIGNATURE), junk),
            Err(PushError::InvalidSignature),
            "a bad signature is refused before the body is looked at"
        );
        let signed = signature(junk, SECRET);
        assert!(matches!(
            AfterShip::verify_push(SECRET, &utc, Some(&signed), junk),
            Err(PushError::Malformed(_))
        ));
        let empty = br#"{"event":"tracking_update","msg":{"tracking_number":" "}}"#;
        let signed = signature(empty, SECRET);
        assert!(matches!(
            AfterShip::verify_push(SECRET, &utc, Some(&signed), empty),
            Err(PushError::Malformed(_))
        ));
    }

    #[test]
    fn tags_map_to_the_six_and_the_two_flags() {
        use ParcelStatus::*;
        let cases = [
            (
                "InfoReceived",
                "InfoReceived_001",
                Some((LabelCreated, false, false)),
            ),
            (
                "InTransit",
                "InTransit_007",
                Some((InTransit, false, false)),
            ),
            (
                "OutForDelivery",
                "OutForDelivery_001",
                Some((OutForDelivery, false, false)),
            ),
            (
                "AvailableForPickup",
                "AvailableForPickup_001",
                Some((OutForDelivery, true, false)),
            ),
            (
                "AttemptFail",
                "AttemptFail_001",
                Some((Exception, false, true)),
            ),
            (
                "Delivered",
                "Delivered_001",
                Some((Delivered, false, false)),
            ),
            (
                "Exception",
                "Exception_004",
                Some((Exception, false, false)),
            ),
            ("Exception", "Exception_010", Some((Returned, false, false))),
            ("Exception", "Exception_011", Some((Returned, false, false))),
            (
                "Exception",
                "Exception_013",
                Some((Exception, false, false)),
            ),
            ("Pending", "Pending_001", None),
            ("Expired", "Expired_001", None),
            ("Something", "", None),
        ];
        for (tag, subtag, expected) in cases {
            assert_eq!(map_tag(tag, subtag), expected, "{tag} {subtag}");
        }
        assert_eq!(feed_state("Pending"), FeedState::AwaitingCarrier);
        assert_eq!(feed_state("Expired"), FeedState::Stale);
        assert_eq!(feed_state("Delivered"), FeedState::Subscribed);
    }

    #[test]
    fn carrier_slugs_map_both_ways() {
        for (slug, courier) in CARRIERS {
            assert!(
                crate::tracking::carriers::by_slug(slug).is_some(),
                "{slug} is a registry slug"
            );
            assert_eq!(slug_for_carrier(slug), Some(*courier));
            assert_eq!(carrier_for_slug(courier), Some(*slug));
        }
        assert_eq!(slug_for_carrier("epost"), Some("kpost"));
        assert_eq!(slug_for_carrier("yamato"), Some("taqbin-jp"));
        assert_eq!(slug_for_carrier("cj-logistics"), None, "left to detection");
        assert_eq!(carrier_for_slug("china-post"), None);
    }

    #[test]
    fn checkpoints_sort_dedupe_read_every_time_form_and_the_eta() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let body = serde_json::json!({"event": "tracking_update", "event_id": "e1",
        "msg": {"id": "t1", "tracking_number": "9405511202575421535949", "slug": "usps",
            "tag": "OutForDelivery", "subtag": "OutForDelivery_001", "active": true,
            "courier_estimated_delivery_date": {"estimated_delivery_date": "2026-11-25",
                "estimated_delivery_date_min": null, "estimated_delivery_date_max": null},
            "checkpoints": [
                {"checkpoint_time": "2026-11-23T09:00:00+09:00", "message": "Out for delivery",
                 "location": "Seoul", "tag": "OutForDelivery", "subtag": "OutForDelivery_001"},
                {"checkpoint_time": "2026-11-22T18:30:00", "message": "Arrived\u{0007} at hub",
                 "city": "Incheon", "state": null, "country_region_name": "South Korea",
                 "tag": "InTransit", "subtag": "InTransit_003"},
                {"checkpoint_time": "2026-11-23T09:00:00+09:00", "message": "Out for delivery",
                 "location": "Seoul", "tag": "OutForDelivery", "subtag": "OutForDelivery_001"},
                {"checkpoint_time": null, "created_at": "2026-11-21T00:00:00Z",
                 "message": "Shipment information received", "tag": "InfoReceived",
                 "subtag": "InfoReceived_001"},
                {"checkpoint_time": "2026-11-20T00:00:00Z", "message": "Pending",
                 "tag": "Pending", "subtag": "Pending_001"}
            ]}});
        let raw = serde_json::to_vec(&body).unwrap();
        let Inbound::Snapshot(snap) = parse_push(&raw, &seoul).unwrap() else {
            panic!("an update")
        };
        assert_eq!(snap.eta, Some(Eta::Day("2026-11-25".parse().unwrap())));
        let got: Vec<(String, &str, &str, &str)> = snap
            .events
            .iter()
            .map(|e| {
                (
                    crate::time::seconds(e.occurred_at),
                    e.status.as_str(),
                    e.location.as_str(),
                    e.description.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "2026-11-21T00:00:00Z".into(),
                    "label_created",
                    "",
                    "Shipment information received"
                ),
                (
                    "2026-11-22T09:30:00Z".into(),
                    "in_transit",
                    "Incheon, South Korea",
                    "Arrived  at hub"
                ),
                (
                    "2026-11-23T00:00:00Z".into(),
                    "out_for_delivery",
                    "Seoul",
                    "Out for delivery"
                ),
            ],
            "oldest first, the duplicate once, Pending left out, a zone-less time in the store's zone"
        );
        assert_eq!(snap.events[2].provider_code, "OutForDelivery_001");
    }

    #[test]
    fn expired_is_stale_and_return_to_sender_is_a_return() {
        let utc = TimeZone::UTC;
        let body = br#"{"event":"tracking_update","msg":{"tracking_number":"X1","tag":"Expired","checkpoints":[]}}"#;
        let Inbound::Snapshot(snap) = parse_push(body, &utc).unwrap() else {
            panic!()
        };
        assert_eq!(snap.state, Some(FeedState::Stale));
        assert!(snap.events.is_empty());

        let body = serde_json::json!({"event": "tracking_update", "msg": {
            "tracking_number": "X2", "tag": "Exception", "return_to_sender": true,
            "latest_estimated_delivery": {"type": "specific", "source": "Courier EDD",
                "datetime": "2026-11-25T18:00:00+09:00"},
            "checkpoints": [
                {"checkpoint_time": "2026-11-20T00:00:00Z", "tag": "Exception", "subtag": "Exception_004",
                 "message": "Customs delay"},
                {"checkpoint_time": "2026-11-22T00:00:00Z", "tag": "Exception", "subtag": "Exception_001",
                 "message": "Sent back"}]}});
        let Inbound::Snapshot(snap) =
            parse_push(&serde_json::to_vec(&body).unwrap(), &utc).unwrap()
        else {
            panic!()
        };
        let statuses: Vec<&str> = snap.events.iter().map(|e| e.status.as_str()).collect();
        assert_eq!(statuses, ["exception", "returned"]);
        assert_eq!(
            snap.eta,
            Some(Eta::At("2026-11-25T09:00:00Z".parse().unwrap()))
        );
    }

    #[test]
    fn a_429_waits_as_asked() {
        let now: Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(
            "x-ratelimit-reset",
            (now.as_second() + 30).to_string().parse().unwrap(),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        headers.insert("retry-after", "120".parse().unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(120)));
    }
}
