//! 17TRACK, API v2.2: register numbers (at most 40 a request; each accepted number costs
//! one of the account's quota, 100 free a month), read their track info, stop them, and
//! receive the pushes 17TRACK sends to the one webhook URL of the account.
//!
//! A push is signed in the `sign` header: the lowercase hex SHA-256 of the raw body, a
//! `/`, and the access key (a plain hash keyed by concatenation, not an HMAC). It is
//! checked on the bytes as received, before anything is parsed.

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::adapter::{
    Eta, FeedError, FeedState, Inbound, NormalizedEvent, Parcel, Provider, PushError, Registered,
    Snapshot, TrackingFeed,
};
use super::settings::SeventeenTrackAccount;
use crate::tracking::status::ParcelStatus;

/// The header of a push's signature.
pub const SIGN_HEADER: &str = "sign";
/// The header that carries the access key on requests.
const TOKEN_HEADER: &str = "17token";
/// "Tracking numbers exceed the 40 limit" (error -18010014).
pub const BATCH_LIMIT: usize = 40;
/// "Tracking number {0} is already registered".
const ALREADY_REGISTERED: i64 = -18019901;
/// Tracking's limits for event text.
const MAX_LOCATION: usize = 200;
const MAX_DESCRIPTION: usize = 1000;
/// A push is a few KB; a body beyond this is not 17TRACK.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// aftercare's registry slugs and 17TRACK's numeric carrier codes. CJ Logistics has two
/// codes and the reference does not say which one domestic numbers go under, so it is left
/// to 17TRACK's detection (and both read back as `cj-logistics`).
const CARRIERS: &[(&str, u32)] = &[
    ("hanjin", 100266),
    ("lotte", 100506),
    ("logen", 100618),
    ("epost", 11051),
    ("dhl-express", 100001),
    ("dhl-paket", 7041),
    ("ups", 100002),
    ("fedex", 100003),
    ("usps", 21051),
    ("royal-mail", 11031),
    ("japan-post", 10021),
    ("yamato", 100062),
    ("sagawa", 100040),
    ("mondial-relay", 100304),
];
/// Further codes that read back as a registry carrier.
const MORE_CODES: &[(u32, &str)] = &[
    (100116, "cj-logistics"),
    (100689, "cj-logistics"),
    (11054, "epost"),
];

/// The hex signature 17TRACK sends for `raw` under `key`.
pub fn signature(raw: &[u8], key: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(raw);
    hash.update(b"/");
    hash.update(key.as_bytes());
    hex::encode(hash.finalize())
}

/// Whether `sign` is the signature of `raw` under `key`, compared in constant time.
pub fn verify(raw: &[u8], key: &str, sign: &str) -> bool {
    let expected = signature(raw, key);
    let given = sign.trim().to_ascii_lowercase();
    given.len() == expected.len()
        && constant_time_eq::constant_time_eq(given.as_bytes(), expected.as_bytes())
}

/// What a 17TRACK status (main or sub) means for aftercare: the parcel status and the two
/// flags, or `None` for statuses that are no carrier event (`NotFound`, `Expired`).
pub fn map_status(status: &str) -> Option<(ParcelStatus, bool, bool)> {
    let main = status.split('_').next().unwrap_or(status);
    Some(match main {
        "InfoReceived" => (ParcelStatus::LabelCreated, false, false),
        "InTransit" => (ParcelStatus::InTransit, false, false),
        "OutForDelivery" => (ParcelStatus::OutForDelivery, false, false),
        "AvailableForPickup" => (ParcelStatus::OutForDelivery, true, false),
        "Delivered" => (ParcelStatus::Delivered, false, false),
        "DeliveryFailure" => (ParcelStatus::Exception, false, true),
        "Exception" => match status {
            "Exception_Returning" | "Exception_Returned" => (ParcelStatus::Returned, false, false),
            _ => (ParcelStatus::Exception, false, false),
        },
        _ => return None,
    })
}

/// The status of an event without a sub-status, from its `stage`.
fn map_stage(stage: &str) -> Option<(ParcelStatus, bool, bool)> {
    Some(match stage {
        "InfoReceived" => (ParcelStatus::LabelCreated, false, false),
        "PickedUp" | "Departure" | "Arrival" => (ParcelStatus::InTransit, false, false),
        "AvailableForPickup" => (ParcelStatus::OutForDelivery, true, false),
        "OutForDelivery" => (ParcelStatus::OutForDelivery, false, false),
        "Delivered" => (ParcelStatus::Delivered, false, false),
        "Returning" | "Returned" => (ParcelStatus::Returned, false, false),
        "Failure" | "DeliveryFailure" => (ParcelStatus::Exception, false, true),
        "Exception" => (ParcelStatus::Exception, false, false),
        _ => return None,
    })
}

/// What the latest status says of the subscription.
fn feed_state(main: &str) -> FeedState {
    match main {
        "NotFound" => FeedState::AwaitingCarrier,
        "Expired" => FeedState::Stale,
        _ => FeedState::Subscribed,
    }
}

pub fn code_for_slug(slug: &str) -> Option<u32> {
    CARRIERS.iter().find(|(s, _)| *s == slug).map(|(_, c)| *c)
}

pub fn slug_for_code(code: u32) -> Option<&'static str> {
    CARRIERS
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(s, _)| *s)
        .or_else(|| MORE_CODES.iter().find(|(c, _)| *c == code).map(|(_, s)| *s))
}

/// The 17TRACK adapter of one store's account.
pub struct SeventeenTrack {
    http: reqwest::Client,
    url: String,
    key: crate::secret::Secret,
}

impl SeventeenTrack {
    pub fn new(account: &SeventeenTrackAccount, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .expect("the HTTP client builds with rustls");
        Self {
            http,
            url: account.url.clone(),
            key: account.api_key.clone(),
        }
    }

    /// Checks a push under `key` and parses it; `zone` reads times without a zone.
    pub fn verify_push(
        key: &str,
        zone: &TimeZone,
        sign: Option<&str>,
        raw: &[u8],
    ) -> Result<Inbound, PushError> {
        let sign = sign.ok_or(PushError::MissingSignature)?;
        if !verify(raw, key, sign) {
            return Err(PushError::InvalidSignature);
        }
        parse_push(raw, zone)
    }

    async fn call(&self, path: &str, parcels: &[Parcel]) -> Result<Data, FeedError> {
        let body: Vec<Value> = parcels
            .iter()
            .map(|p| {
                let mut item = serde_json::json!({"number": p.number});
                if let Some(code) = p
                    .carrier_code
                    .as_deref()
                    .and_then(|c| c.parse::<u64>().ok())
                {
                    item["carrier"] = code.into();
                }
                item
            })
            .collect();
        let response = self
            .http
            .post(format!("{}/{path}", self.url))
            .header(TOKEN_HEADER, self.key.expose())
            .json(&body)
            .send()
            .await
            .map_err(FeedError::transport)?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(FeedError::RateLimited { retry_after });
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(FeedError::Unauthorized {
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(FeedError::Status {
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(FeedError::transport)?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(FeedError::Decode("the answer is too large".into()));
        }
        let envelope: Envelope =
            serde_json::from_slice(&bytes).map_err(|e| FeedError::Decode(e.to_string()))?;
        if envelope.code != 0 {
            let message = envelope
                .data
                .errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            return Err(FeedError::Api {
                code: envelope.code,
                message,
            });
        }
        Ok(envelope.data)
    }
}

impl TrackingFeed for SeventeenTrack {
    fn provider(&self) -> Provider {
        Provider::SeventeenTrack
    }

    fn batch_limit(&self) -> usize {
        BATCH_LIMIT
    }

    fn carrier_code(&self, slug: &str) -> Option<String> {
        code_for_slug(slug).map(|c| c.to_string())
    }

    fn carrier_slug(&self, code: &str) -> Option<&'static str> {
        code.parse().ok().and_then(slug_for_code)
    }

    async fn subscribe(&self, parcels: &[Parcel]) -> Result<Vec<(String, Registered)>, FeedError> {
        let data = self.call("register", parcels).await?;
        let mut out = Vec::new();
        for item in data.accepted {
            out.push((
                item.number,
                Registered::Accepted {
                    carrier_code: item.carrier.map(|c| c.to_string()),
                },
            ));
        }
        for item in data.rejected {
            let (code, message) = item.error.map(|e| (e.code, e.message)).unwrap_or_default();
            let outcome = if code == ALREADY_REGISTERED {
                Registered::AlreadyTracked
            } else {
                Registered::Rejected { code, message }
            };
            out.push((item.number, outcome));
        }
        Ok(out)
    }

    async fn stop(&self, parcels: &[Parcel]) -> Result<(), FeedError> {
        // Rejections say the number is unknown or already stopped: stopped either way.
        self.call("stoptrack", parcels).await.map(|_| ())
    }

    async fn fetch(&self, parcels: &[Parcel], zone: &TimeZone) -> Result<Vec<Snapshot>, FeedError> {
        let data = self.call("gettrackinfo", parcels).await?;
        Ok(data
            .accepted
            .into_iter()
            .map(|item| snapshot(item, zone))
            .collect())
    }

    fn verify_and_parse(
        &self,
        signature: Option<&str>,
        raw: &[u8],
        zone: &TimeZone,
    ) -> Result<Inbound, PushError> {
        Self::verify_push(self.key.expose(), zone, signature, raw)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Envelope {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    data: Data,
}

#[derive(Debug, Default, Deserialize)]
struct Data {
    #[serde(default)]
    accepted: Vec<Item>,
    #[serde(default)]
    rejected: Vec<Rejected>,
    #[serde(default)]
    errors: Vec<ApiError>,
}

#[derive(Debug, Deserialize)]
struct Item {
    number: String,
    #[serde(default)]
    carrier: Option<u64>,
    #[serde(default)]
    track_info: Option<TrackInfo>,
}

#[derive(Debug, Deserialize)]
struct Rejected {
    number: String,
    #[serde(default)]
    error: Option<ApiError>,
}

#[derive(Debug, Default, Deserialize)]
struct ApiError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Default, Deserialize)]
struct TrackInfo {
    #[serde(default)]
    latest_status: Option<LatestStatus>,
    #[serde(default)]
    time_metrics: Option<TimeMetrics>,
    #[serde(default)]
    tracking: Option<Tracking>,
    #[serde(default)]
    latest_event: Option<Event>,
}

#[derive(Debug, Default, Deserialize)]
struct LatestStatus {
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TimeMetrics {
    #[serde(default)]
    estimated_delivery_date: Option<EstimatedDelivery>,
}

#[derive(Debug, Default, Deserialize)]
struct EstimatedDelivery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Tracking {
    #[serde(default)]
    providers: Vec<ProviderEvents>,
}

#[derive(Debug, Default, Deserialize)]
struct ProviderEvents {
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Event {
    #[serde(default)]
    time_iso: Option<String>,
    #[serde(default)]
    time_utc: Option<String>,
    #[serde(default)]
    time_raw: Option<TimeRaw>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    sub_status: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct TimeRaw {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Push {
    event: String,
    data: Item,
}

/// Parses a verified push body.
pub fn parse_push(raw: &[u8], zone: &TimeZone) -> Result<Inbound, PushError> {
    let push: Push =
        serde_json::from_slice(raw).map_err(|e| PushError::Malformed(e.to_string()))?;
    if push.data.number.trim().is_empty() {
        return Err(PushError::Malformed("`data.number` is empty".into()));
    }
    match push.event.as_str() {
        "TRACKING_UPDATED" => Ok(Inbound::Snapshot(snapshot(push.data, zone))),
        "TRACKING_STOPPED" => Ok(Inbound::Stopped {
            number: push.data.number,
        }),
        other => Err(PushError::Malformed(format!("unknown event `{other}`"))),
    }
}

fn snapshot(item: Item, zone: &TimeZone) -> Snapshot {
    let info = item.track_info.unwrap_or_default();
    let main = info
        .latest_status
        .and_then(|s| s.status)
        .unwrap_or_default();
    let mut raw_events: Vec<Event> = info
        .tracking
        .map(|t| t.providers.into_iter().flat_map(|p| p.events).collect())
        .unwrap_or_default();
    if raw_events.is_empty()
        && let Some(latest) = info.latest_event
    {
        raw_events.push(latest);
    }
    let mut events: Vec<NormalizedEvent> = raw_events
        .iter()
        .filter_map(|e| normalize(e, zone))
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
    let eta = info
        .time_metrics
        .and_then(|m| m.estimated_delivery_date)
        .and_then(|d| d.to.or(d.from))
        .and_then(|text| parse_eta(&text));
    Snapshot {
        number: item.number,
        carrier_code: item.carrier.filter(|c| *c != 0).map(|c| c.to_string()),
        events,
        eta,
        state: (!main.is_empty()).then(|| feed_state(&main)),
    }
}

fn parse_eta(text: &str) -> Option<Eta> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(Eta::At(at));
    }
    text.get(..10)
        .and_then(|d| d.parse::<Date>().ok())
        .map(Eta::Day)
}

/// One event in aftercare's terms; `None` when it has no time or is no carrier event.
fn normalize(event: &Event, zone: &TimeZone) -> Option<NormalizedEvent> {
    let code = event
        .sub_status
        .clone()
        .or(event.stage.clone())
        .unwrap_or_default();
    let (status, pickup_ready, attempt_failed) = match event.sub_status.as_deref() {
        Some(sub) => map_status(sub)?,
        None => event.stage.as_deref().and_then(map_stage).unwrap_or((
            ParcelStatus::InTransit,
            false,
            false,
        )),
    };
    Some(NormalizedEvent {
        status,
        occurred_at: event_time(event, zone)?,
        location: clean(event.location.as_deref().unwrap_or_default(), MAX_LOCATION),
        description: clean(
            event.description.as_deref().unwrap_or_default(),
            MAX_DESCRIPTION,
        ),
        pickup_ready,
        attempt_failed,
        provider_code: code,
    })
}

/// `time_utc`, else `time_iso`, else `time_raw`: with its offset when it has one, else as a
/// wall-clock time in the store's zone (17TRACK leaves the zone out when the carrier did).
fn event_time(event: &Event, zone: &TimeZone) -> Option<Timestamp> {
    for text in [&event.time_utc, &event.time_iso].into_iter().flatten() {
        if let Ok(at) = text.trim().parse::<Timestamp>() {
            return Some(at);
        }
    }
    let raw = event.time_raw.as_ref()?;
    let date = raw.date.as_deref()?.trim();
    let time = raw.time.as_deref().map(str::trim).unwrap_or("00:00:00");
    let wall: DateTime = format!("{date}T{time}").parse().ok()?;
    match raw
        .timezone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
    {
        Some(offset) => format!("{date}T{time}{offset}").parse::<Timestamp>().ok(),
        None => wall.to_zoned(zone.clone()).ok().map(|z| z.timestamp()),
    }
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

    const STOPPED: &str = r#"{"event":"TRACKING_STOPPED","data":{"number":"RR123456789CN","carrier":3011,"param":null,"tag":""}}"#;

    #[test]
    fn the_signature_matches_the_reference_vector() {
        assert_eq!(
            signature(STOPPED.as_bytes(), "TEST_SECURITY_KEY"),
            "8cbd78ef46c8c7ba0b6aaeacc7dd1720718a8d91c03b7741cd10ed3ac5979b5c"
        );
        let sign = "8CBD78EF46C8C7BA0B6AAEACC7DD1720718A8D91C03B7741CD10ED3AC5979B5C";
        assert!(verify(STOPPED.as_bytes(), "TEST_SECURITY_KEY", sign));
        assert!(!verify(STOPPED.as_bytes(), "OTHER_KEY", sign));
        // One byte more (a re-serialised body) no longer verifies.
        let spaced = STOPPED.replace(",\"tag\"", ", \"tag\"");
        assert!(!verify(spaced.as_bytes(), "TEST_SECURITY_KEY", sign));
        assert!(!verify(STOPPED.as_bytes(), "TEST_SECURITY_KEY", ""));
    }

    #[test]
    fn pushes_are_verified_before_they_are_parsed() {
        let utc = TimeZone::UTC;
        let key = "TEST_SECURITY_KEY";
        let good = signature(STOPPED.as_bytes(), key);
        assert_eq!(
            SeventeenTrack::verify_push(key, &utc, Some(&good), STOPPED.as_bytes()),
            Ok(Inbound::Stopped {
                number: "RR123456789CN".into()
            })
        );
        assert_eq!(
            SeventeenTrack::verify_push(key, &utc, None, STOPPED.as_bytes()),
            Err(PushError::MissingSignature)
        );
        assert_eq!(
            SeventeenTrack::verify_push(key, &utc, Some("00"), STOPPED.as_bytes()),
            Err(PushError::InvalidSignature)
        );
        let junk = b"{not json";
        assert_eq!(
            SeventeenTrack::verify_push(key, &utc, Some("00"), junk),
            Err(PushError::InvalidSignature),
            "a bad signature is refused before the body is looked at"
        );
        let sign = signature(junk, key);
        assert!(matches!(
            SeventeenTrack::verify_push(key, &utc, Some(&sign), junk),
            Err(PushError::Malformed(_))
        ));
    }

    #[test]
    fn statuses_map_to_the_six_and_the_two_flags() {
        use ParcelStatus::*;
        let cases = [
            ("InfoReceived", Some((LabelCreated, false, false))),
            ("InTransit_PickedUp", Some((InTransit, false, false))),
            (
                "InTransit_CustomsProcessing",
                Some((InTransit, false, false)),
            ),
            ("OutForDelivery_Other", Some((OutForDelivery, false, false))),
            (
                "AvailableForPickup_Other",
                Some((OutForDelivery, true, false)),
            ),
            ("Delivered_Other", Some((Delivered, false, false))),
            ("DeliveryFailure_NoBody", Some((Exception, false, true))),
            (
                "DeliveryFailure_InvalidAddress",
                Some((Exception, false, true)),
            ),
            ("Exception_Returning", Some((Returned, false, false))),
            ("Exception_Returned", Some((Returned, false, false))),
            ("Exception_Other", Some((Exception, false, false))),
            ("Exception_NoBody", Some((Exception, false, false))),
            ("Expired_Other", None),
            ("NotFound_InvalidCode", None),
            ("Something_New", None),
        ];
        for (status, expected) in cases {
            assert_eq!(map_status(status), expected, "{status}");
        }
        assert_eq!(feed_state("NotFound"), FeedState::AwaitingCarrier);
        assert_eq!(feed_state("Expired"), FeedState::Stale);
        assert_eq!(feed_state("InTransit"), FeedState::Subscribed);
    }

    #[test]
    fn carrier_codes_map_both_ways() {
        for (slug, code) in CARRIERS {
            assert!(
                crate::tracking::carriers::by_slug(slug).is_some(),
                "{slug} is a registry slug"
            );
            assert_eq!(code_for_slug(slug), Some(*code));
            assert_eq!(slug_for_code(*code), Some(*slug));
        }
        assert_eq!(code_for_slug("cj-logistics"), None, "left to detection");
        assert_eq!(slug_for_code(100689), Some("cj-logistics"));
        assert_eq!(slug_for_code(11054), Some("epost"));
        assert_eq!(slug_for_code(3011), None);
    }

    #[test]
    fn events_merge_sort_dedupe_and_read_every_time_form() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let body = serde_json::json!({"event": "TRACKING_UPDATED", "data": {
            "number": "EE123456785KR", "carrier": 11051, "param": null, "tag": "",
            "track_info": {
                "latest_status": {"status": "OutForDelivery", "sub_status": "OutForDelivery_Other"},
                "time_metrics": {"estimated_delivery_date": {"source": "17TRACK", "from": "2026-11-24T00:00:00+09:00", "to": "2026-11-25"}},
                "tracking": {"providers_hash": 0, "providers": [
                    {"events": [
                        {"time_iso": "2026-11-23T09:00:00+09:00", "time_utc": "2026-11-23T00:00:00Z",
                         "description": "Out for delivery", "location": "Seoul", "stage": "OutForDelivery",
                         "sub_status": "OutForDelivery_Other"},
                        {"time_iso": null, "time_utc": null,
                         "time_raw": {"date": "2026-11-22", "time": "18:30:00", "timezone": null},
                         "description": "Arrived\u{0007} at hub", "location": "Incheon", "stage": "Arrival",
                         "sub_status": "InTransit_Arrival"}
                    ]},
                    {"events": [
                        {"time_iso": "2026-11-23T09:00:00+09:00", "time_utc": "2026-11-23T00:00:00Z",
                         "description": "Out for delivery", "location": "Seoul",
                         "sub_status": "OutForDelivery_Other"},
                        {"time_raw": {"date": "2026-11-21", "time": "08:00:00", "timezone": "+08:00"},
                         "description": "Accepted", "location": "Shanghai", "stage": "InfoReceived",
                         "sub_status": "InfoReceived"},
                        {"time_utc": "2026-11-21T00:00:00Z", "description": "Not found",
                         "sub_status": "NotFound_Other"}
                    ]}
                ]}
            }
        }});
        let raw = serde_json::to_vec(&body).unwrap();
        let Inbound::Snapshot(snap) = parse_push(&raw, &seoul).unwrap() else {
            panic!("an update")
        };
        assert_eq!(snap.carrier_code.as_deref(), Some("11051"));
        assert_eq!(snap.state, Some(FeedState::Subscribed));
        assert_eq!(snap.eta, Some(Eta::Day("2026-11-25".parse().unwrap())));
        let got: Vec<(String, &str, &str)> = snap
            .events
            .iter()
            .map(|e| {
                (
                    crate::time::seconds(e.occurred_at),
                    e.status.as_str(),
                    e.description.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-21T00:00:00Z".into(), "label_created", "Accepted"),
                (
                    "2026-11-22T09:30:00Z".into(),
                    "in_transit",
                    "Arrived  at hub"
                ),
                (
                    "2026-11-23T00:00:00Z".into(),
                    "out_for_delivery",
                    "Out for delivery"
                ),
            ],
            "oldest first, the duplicate from the second provider once, NotFound left out, a zone-less time read in the store's zone"
        );
    }
}
