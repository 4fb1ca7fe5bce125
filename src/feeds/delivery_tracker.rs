//! Delivery Tracker (tracker.delivery, or a merchant's self-hosted instance of its open
//! core): the Korean carriers (CJ대한통운, 한진, 롯데, 우체국, 로젠 and more) through one
//! GraphQL `track` query.
//!
//! It is pull-only as far as aftercare is concerned: "subscribing" asks nothing of the
//! provider (its parcels are simply polled), and its webhook callbacks carry only
//! `{carrierId, trackingNumber}`, unsigned, so a callback is never more than a hint to
//! fetch that parcel with aftercare's own key. Several parcels are asked in one request,
//! each under its own alias, and an error names the alias it belongs to.

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::adapter::{
    FeedError, FeedState, Inbound, NormalizedEvent, Parcel, Provider, PushError, Registered,
    Snapshot, TrackingFeed,
};
use super::settings::DeliveryTrackerAccount;
use crate::tracking::status::ParcelStatus;

/// Parcels asked in one request (one alias each): few enough that one slow carrier site
/// behind a self-hosted instance does not hold up many others.
pub const BATCH_LIMIT: usize = 10;
/// Events asked per parcel; the default page is only the last 10.
const EVENTS: usize = 50;
/// Tracking's limits for event text.
const MAX_LOCATION: usize = 200;
const MAX_DESCRIPTION: usize = 1000;
/// A batch answer is tens of KB; a body beyond this is not Delivery Tracker.
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// aftercare's registry slugs and Delivery Tracker's carrier ids.
const CARRIERS: &[(&str, &str)] = &[
    ("cj-logistics", "kr.cjlogistics"),
    ("hanjin", "kr.hanjin"),
    ("lotte", "kr.lotte"),
    ("epost", "kr.epost"),
    ("logen", "kr.logen"),
    ("ups", "us.ups"),
    ("fedex", "us.fedex"),
    ("usps", "us.usps"),
    ("tnt", "nl.tnt"),
    ("yamato", "jp.yamato"),
    ("sagawa", "jp.sagawa"),
];
/// Aliases of the same carriers that read back as a registry carrier.
const MORE_IDS: &[(&str, &str)] = &[
    ("kr.cupost", "cj-logistics"),
    ("kr.swgexp.cjlogistics", "cj-logistics"),
    ("kr.swgexp.epost", "epost"),
];

/// The mutation that registers a callback, as Delivery Tracker's clients send it.
pub const REGISTER_WEBHOOK: &str = "mutation RegisterTrackWebhook($input: RegisterTrackWebhookInput!) { registerTrackWebhook(input: $input) }";

/// The fields asked of each event.
const EVENT_FIELDS: &str = "time status { code name } description location { name }";

pub fn id_for_slug(slug: &str) -> Option<&'static str> {
    CARRIERS.iter().find(|(s, _)| *s == slug).map(|(_, id)| *id)
}

pub fn slug_for_id(id: &str) -> Option<&'static str> {
    CARRIERS
        .iter()
        .find(|(_, c)| *c == id)
        .map(|(s, _)| *s)
        .or_else(|| MORE_IDS.iter().find(|(c, _)| *c == id).map(|(_, s)| *s))
}

/// What a Delivery Tracker status code means for aftercare: the parcel status and the two
/// flags (`pickup_ready`, `attempt_failed`), or `None` for `UNKNOWN` (no status change).
/// Returns are not a code of their own: an `EXCEPTION` whose text says 반송 or 반품 is one.
pub fn map_status(code: &str, description: &str) -> Option<(ParcelStatus, bool, bool)> {
    Some(match code {
        "INFORMATION_RECEIVED" => (ParcelStatus::LabelCreated, false, false),
        "AT_PICKUP" | "IN_TRANSIT" => (ParcelStatus::InTransit, false, false),
        "OUT_FOR_DELIVERY" => (ParcelStatus::OutForDelivery, false, false),
        "AVAILABLE_FOR_PICKUP" => (ParcelStatus::OutForDelivery, true, false),
        "DELIVERED" => (ParcelStatus::Delivered, false, false),
        "ATTEMPT_FAIL" => (ParcelStatus::Exception, false, true),
        "EXCEPTION" if description.contains("반송") || description.contains("반품") => {
            (ParcelStatus::Returned, false, false)
        }
        "EXCEPTION" => (ParcelStatus::Exception, false, false),
        _ => return None,
    })
}

/// The Delivery Tracker adapter of one store's account.
pub struct DeliveryTracker {
    http: reqwest::Client,
    url: String,
    key: Option<crate::secret::Secret>,
}

impl DeliveryTracker {
    pub fn new(account: &DeliveryTrackerAccount, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .build()
            .expect("the HTTP client builds with rustls");
        Self {
            http,
            url: account.url.clone(),
            key: account.key.clone(),
        }
    }

    /// Reads a callback: which parcel to fetch. There is no signature to check, and nothing
    /// but the two ids is read.
    pub fn parse_callback(raw: &[u8]) -> Result<Inbound, PushError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Callback {
            carrier_id: String,
            tracking_number: String,
        }
        let callback: Callback =
            serde_json::from_slice(raw).map_err(|e| PushError::Malformed(e.to_string()))?;
        let number = callback.tracking_number.trim();
        let carrier = callback.carrier_id.trim();
        if number.is_empty() || carrier.is_empty() {
            return Err(PushError::Malformed(
                "`carrierId` and `trackingNumber` must not be empty".into(),
            ));
        }
        Ok(Inbound::Refetch {
            number: number.to_owned(),
            carrier_code: Some(carrier.to_owned()),
        })
    }

    /// One request for the parcels that have a carrier id, each under alias `t{i}`.
    async fn track(&self, parcels: &[(usize, &Parcel, &str)]) -> Result<Answer, FeedError> {
        let mut declared = Vec::new();
        let mut selections = Vec::new();
        let mut variables = Map::new();
        for (i, parcel, carrier) in parcels {
            declared.push(format!("$c{i}: ID!, $n{i}: String!"));
            selections.push(format!(
                "t{i}: track(carrierId: $c{i}, trackingNumber: $n{i}) {{ trackingNumber \
                 lastEvent {{ {EVENT_FIELDS} }} \
                 events(last: {EVENTS}) {{ edges {{ node {{ {EVENT_FIELDS} }} }} }} }}"
            ));
            variables.insert(format!("c{i}"), Value::from(*carrier));
            variables.insert(format!("n{i}"), Value::from(parcel.number.trim()));
        }
        let query = format!(
            "query Track({}) {{ {} }}",
            declared.join(", "),
            selections.join(" ")
        );
        self.post(&serde_json::json!({"query": query, "variables": variables}))
            .await
    }

    /// Asks Delivery Tracker to call `callback_url` when the parcel has news, until
    /// `expires` (the cloud's `registerTrackWebhook`; it keeps a registration about 48
    /// hours, so a followed parcel's is renewed before then).
    pub async fn register_webhook(
        &self,
        parcel: &Parcel,
        callback_url: &str,
        expires: Timestamp,
    ) -> Result<(), FeedError> {
        let Some(carrier) = parcel.carrier_code.as_deref().map(str::trim) else {
            return Ok(());
        };
        let answer = self
            .post(&serde_json::json!({
                "query": REGISTER_WEBHOOK,
                "variables": {"input": {
                    "carrierId": carrier,
                    "trackingNumber": parcel.number.trim(),
                    "callbackUrl": callback_url,
                    "expirationTime": crate::time::seconds(expires),
                }},
            }))
            .await?;
        if let Some(error) = answer.errors.first() {
            return Err(FeedError::Api {
                code: 0,
                message: error.describe(),
            });
        }
        match answer
            .data
            .as_ref()
            .and_then(|d| d.get("registerTrackWebhook"))
        {
            Some(Value::Bool(true)) => Ok(()),
            _ => Err(FeedError::Decode(
                "registerTrackWebhook did not answer true".into(),
            )),
        }
    }

    /// One GraphQL request; errors that belong to no parcel alias fail it.
    async fn post(&self, body: &Value) -> Result<Answer, FeedError> {
        let mut request = self.http.post(&self.url).json(body);
        if let Some(key) = &self.key {
            request = request.header(
                reqwest::header::AUTHORIZATION,
                format!("TRACKQL-API-KEY {}", key.expose()),
            );
        }
        let response = request.send().await.map_err(FeedError::transport)?;
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
        // A GraphQL server answers a bad query with 400 and `errors`: read those too.
        if !status.is_success() && status != StatusCode::BAD_REQUEST {
            return Err(FeedError::Status {
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(FeedError::transport)?;
        if bytes.len() > MAX_ANSWER_BYTES {
            return Err(FeedError::Decode("the answer is too large".into()));
        }
        let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| {
            if status.is_success() {
                FeedError::Decode(e.to_string())
            } else {
                FeedError::Status {
                    status: status.as_u16(),
                }
            }
        })?;
        // Errors that belong to no parcel (a bad key, a broken query) fail the request.
        if let Some(error) = answer.errors.iter().find(|e| e.alias().is_none()) {
            return Err(FeedError::Api {
                code: 0,
                message: error.describe(),
            });
        }
        if !status.is_success() {
            return Err(FeedError::Status {
                status: status.as_u16(),
            });
        }
        Ok(answer)
    }
}

impl TrackingFeed for DeliveryTracker {
    fn provider(&self) -> Provider {
        Provider::DeliveryTracker
    }

    fn batch_limit(&self) -> usize {
        BATCH_LIMIT
    }

    fn carrier_code(&self, slug: &str) -> Option<String> {
        id_for_slug(slug).map(str::to_owned)
    }

    fn carrier_slug(&self, code: &str) -> Option<&'static str> {
        slug_for_id(code)
    }

    /// Nothing to register: parcels are polled. A parcel without a carrier id cannot be
    /// asked about (the query needs one), so it is refused.
    async fn subscribe(&self, parcels: &[Parcel]) -> Result<Vec<(String, Registered)>, FeedError> {
        Ok(parcels
            .iter()
            .map(|p| {
                let outcome = match p.carrier_code.as_deref().map(str::trim) {
                    Some(id) if !id.is_empty() => Registered::Accepted {
                        carrier_code: Some(id.to_owned()),
                    },
                    _ => Registered::Rejected {
                        code: 0,
                        message: "Delivery Tracker does not serve this parcel's carrier".into(),
                    },
                };
                (p.number.clone(), outcome)
            })
            .collect())
    }

    /// Nothing is registered at the provider, so nothing needs stopping.
    async fn stop(&self, _parcels: &[Parcel]) -> Result<(), FeedError> {
        Ok(())
    }

    async fn fetch(&self, parcels: &[Parcel], zone: &TimeZone) -> Result<Vec<Snapshot>, FeedError> {
        let asked: Vec<(usize, &Parcel, &str)> = parcels
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let id = p.carrier_code.as_deref().map(str::trim)?;
                (!id.is_empty()).then_some((i, p, id))
            })
            .collect();
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let mut answer = self.track(&asked).await?;
        let mut snapshots = Vec::new();
        for (i, parcel, carrier) in asked {
            let alias = format!("t{i}");
            let error = answer
                .errors
                .iter()
                .find(|e| e.alias() == Some(alias.as_str()));
            let info = answer
                .data
                .as_mut()
                .and_then(|d| d.remove(&alias))
                .filter(|v| !v.is_null())
                .map(serde_json::from_value::<TrackInfo>)
                .transpose()
                .map_err(|e| FeedError::Decode(e.to_string()))?;
            let state = match (error.map(|e| e.code()), &info) {
                (Some("NOT_FOUND"), _) | (None, None) => Some(FeedState::AwaitingCarrier),
                (Some("BAD_REQUEST"), _) => Some(FeedState::Rejected),
                // INTERNAL (the carrier's site failed): nothing new, asked again later.
                (Some(_), None) => continue,
                (_, Some(_)) => None,
            };
            snapshots.push(snapshot(parcel, carrier, info, state, zone));
        }
        Ok(snapshots)
    }

    /// Callbacks are unsigned: whatever the header, the body only names a parcel to fetch.
    fn verify_and_parse(
        &self,
        _signature: Option<&str>,
        raw: &[u8],
        _zone: &TimeZone,
    ) -> Result<Inbound, PushError> {
        Self::parse_callback(raw)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Answer {
    #[serde(default)]
    data: Option<Map<String, Value>>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Debug, Default, Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    path: Vec<Value>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Debug, Default, Deserialize)]
struct Extensions {
    #[serde(default)]
    code: Option<String>,
}

impl GraphQlError {
    /// The parcel alias the error belongs to, when it belongs to one.
    fn alias(&self) -> Option<&str> {
        self.path
            .first()
            .and_then(Value::as_str)
            .filter(|p| p.starts_with('t'))
    }

    fn code(&self) -> &str {
        self.extensions
            .as_ref()
            .and_then(|e| e.code.as_deref())
            .unwrap_or("INTERNAL")
    }

    fn describe(&self) -> String {
        let message: String = self.message.chars().take(200).collect();
        format!("{}: {message}", self.code())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrackInfo {
    #[serde(default)]
    last_event: Option<Event>,
    #[serde(default)]
    events: Option<Connection>,
}

#[derive(Debug, Default, Deserialize)]
struct Connection {
    #[serde(default)]
    edges: Vec<Edge>,
}

#[derive(Debug, Deserialize)]
struct Edge {
    node: Event,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Event {
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Status {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
struct Location {
    #[serde(default)]
    name: Option<String>,
}

fn snapshot(
    parcel: &Parcel,
    carrier: &str,
    info: Option<TrackInfo>,
    state: Option<FeedState>,
    zone: &TimeZone,
) -> Snapshot {
    let info = info.unwrap_or_default();
    let mut raw: Vec<Event> = info
        .events
        .map(|c| c.edges.into_iter().map(|e| e.node).collect())
        .unwrap_or_default();
    // `lastEvent` is "the most likely event" and need not be in the page: keep it too.
    raw.extend(info.last_event);
    let mut events: Vec<NormalizedEvent> = raw.iter().filter_map(|e| normalize(e, zone)).collect();
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
    let state = state.or(if events.is_empty() {
        Some(FeedState::AwaitingCarrier)
    } else {
        Some(FeedState::Subscribed)
    });
    Snapshot {
        number: parcel.number.clone(),
        carrier_code: Some(carrier.to_owned()),
        events,
        eta: None,
        state,
    }
}

/// One event in aftercare's terms; `None` without a time or for `UNKNOWN`.
fn normalize(event: &Event, zone: &TimeZone) -> Option<NormalizedEvent> {
    let status = event.status.as_ref()?;
    let description = event.description.as_deref().unwrap_or_default();
    let (parcel_status, pickup_ready, attempt_failed) = map_status(&status.code, description)?;
    // The carrier's own wording when the description is empty (e.g. "배송완료").
    let text = if description.trim().is_empty() {
        status.name.as_deref().unwrap_or_default()
    } else {
        description
    };
    Some(NormalizedEvent {
        status: parcel_status,
        occurred_at: event_time(event.time.as_deref()?, zone)?,
        location: clean(
            event
                .location
                .as_ref()
                .and_then(|l| l.name.as_deref())
                .unwrap_or_default(),
            MAX_LOCATION,
        ),
        description: clean(text, MAX_DESCRIPTION),
        pickup_ready,
        attempt_failed,
        provider_code: status.code.clone(),
    })
}

/// RFC 3339 with its offset (what Delivery Tracker sends); a time without one is read as
/// wall-clock time in the store's zone rather than guessed at.
fn event_time(text: &str, zone: &TimeZone) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Some(at);
    }
    let wall: DateTime = text.parse().ok()?;
    wall.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
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
    use wiremock::matchers::{body_string_contains, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TRACK_TWO: &str = include_str!("../../fixtures/delivery-tracker/track-two.json");
    const TRACK_ERRORS: &str = include_str!("../../fixtures/delivery-tracker/track-errors.json");
    const CALLBACK: &str = include_str!("../../fixtures/delivery-tracker/callback.json");

    fn adapter(server: &MockServer, key: Option<&str>) -> DeliveryTracker {
        DeliveryTracker::new(
            &DeliveryTrackerAccount {
                key: key.map(crate::secret::Secret::new),
                url: format!("{}/graphql", server.uri()),
                requests_per_second: 2,
                callback_url: None,
            },
            Duration::from_secs(5),
        )
    }

    fn parcel(number: &str, carrier: Option<&str>) -> Parcel {
        Parcel {
            number: number.into(),
            carrier_code: carrier.map(str::to_owned),
        }
    }

    #[test]
    fn statuses_map_to_the_six_and_the_two_flags() {
        use ParcelStatus::*;
        let cases = [
            (
                "INFORMATION_RECEIVED",
                "",
                Some((LabelCreated, false, false)),
            ),
            ("AT_PICKUP", "", Some((InTransit, false, false))),
            ("IN_TRANSIT", "", Some((InTransit, false, false))),
            ("OUT_FOR_DELIVERY", "", Some((OutForDelivery, false, false))),
            (
                "AVAILABLE_FOR_PICKUP",
                "",
                Some((OutForDelivery, true, false)),
            ),
            ("DELIVERED", "", Some((Delivered, false, false))),
            ("ATTEMPT_FAIL", "", Some((Exception, false, true))),
            ("EXCEPTION", "주소 불명", Some((Exception, false, false))),
            ("EXCEPTION", "반송 처리", Some((Returned, false, false))),
            ("EXCEPTION", "반품 접수", Some((Returned, false, false))),
            ("UNKNOWN", "", None),
            ("SOMETHING_NEW", "", None),
        ];
        for (code, text, expected) in cases {
            assert_eq!(map_status(code, text), expected, "{code} {text}");
        }
    }

    #[test]
    fn carrier_ids_map_both_ways() {
        for (slug, id) in CARRIERS {
            assert!(
                crate::tracking::carriers::by_slug(slug).is_some(),
                "{slug} is a registry slug"
            );
            assert_eq!(id_for_slug(slug), Some(*id));
            assert_eq!(slug_for_id(id), Some(*slug));
        }
        for (slug, id) in [
            ("cj-logistics", "kr.cjlogistics"),
            ("hanjin", "kr.hanjin"),
            ("lotte", "kr.lotte"),
            ("epost", "kr.epost"),
            ("logen", "kr.logen"),
        ] {
            assert_eq!(id_for_slug(slug), Some(id), "the five Korean majors");
        }
        assert_eq!(slug_for_id("kr.cupost"), Some("cj-logistics"));
        assert_eq!(slug_for_id("kr.kdexp"), None, "not in the registry");
        assert_eq!(id_for_slug("royal-mail"), None);
    }

    #[test]
    fn a_callback_names_a_parcel_and_nothing_more() {
        assert_eq!(
            DeliveryTracker::parse_callback(CALLBACK.as_bytes()),
            Ok(Inbound::Refetch {
                number: "640123456781".into(),
                carrier_code: Some("kr.cjlogistics".into())
            })
        );
        // Events in the body are not read; the shape alone is checked.
        let with_events =
            br#"{"carrierId":"kr.hanjin","trackingNumber":"1","events":[{"status":"DELIVERED"}]}"#;
        assert!(matches!(
            DeliveryTracker::parse_callback(with_events),
            Ok(Inbound::Refetch { .. })
        ));
        for bad in [
            &b"{not json"[..],
            br#"{"carrierId":"kr.hanjin"}"#,
            br#"{"carrierId":" ","trackingNumber":"1"}"#,
            br#"[]"#,
        ] {
            assert!(
                matches!(
                    DeliveryTracker::parse_callback(bad),
                    Err(PushError::Malformed(_))
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[tokio::test]
    async fn a_callback_is_registered_with_the_documented_mutation_and_its_expiration() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(header("authorization", "TRACKQL-API-KEY client:secret"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                include_str!("../../fixtures/delivery-tracker/register-webhook.json"),
                "application/json",
            ))
            .expect(1)
            .mount(&server)
            .await;
        let dt = adapter(&server, Some("client:secret"));
        let expires: Timestamp = "2026-12-05T10:00:00Z".parse().unwrap();
        dt.register_webhook(
            &parcel(" 640123456781 ", Some("kr.cjlogistics")),
            "https://care.example/feeds/delivery-tracker",
            expires,
        )
        .await
        .unwrap();
        let sent: Value =
            serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({
                "query": "mutation RegisterTrackWebhook($input: RegisterTrackWebhookInput!) { registerTrackWebhook(input: $input) }",
                "variables": {"input": {
                    "carrierId": "kr.cjlogistics",
                    "trackingNumber": "640123456781",
                    "callbackUrl": "https://care.example/feeds/delivery-tracker",
                    "expirationTime": "2026-12-05T10:00:00Z",
                }},
            })
        );

        let refusing = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                include_str!("../../fixtures/delivery-tracker/register-webhook-error.json"),
                "application/json",
            ))
            .mount(&refusing)
            .await;
        let error = adapter(&refusing, Some("client:secret"))
            .register_webhook(
                &parcel("1", Some("kr.hanjin")),
                "https://x.example",
                expires,
            )
            .await
            .unwrap_err();
        assert!(error.to_string().contains("BAD_REQUEST"), "{error}");
    }

    #[tokio::test]
    async fn subscribing_asks_nothing_and_refuses_parcels_without_a_carrier_id() {
        let server = MockServer::start().await;
        let dt = adapter(&server, None);
        let answers = dt
            .subscribe(&[
                parcel("640123456781", Some("kr.cjlogistics")),
                parcel("RR1", None),
            ])
            .await
            .unwrap();
        assert_eq!(
            answers[0].1,
            Registered::Accepted {
                carrier_code: Some("kr.cjlogistics".into())
            }
        );
        assert!(matches!(answers[1].1, Registered::Rejected { .. }));
        dt.stop(&[parcel("640123456781", Some("kr.cjlogistics"))])
            .await
            .unwrap();
        assert!(server.received_requests().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn fetch_asks_every_parcel_in_one_query_and_reads_its_events() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(header("authorization", "TRACKQL-API-KEY client:secret"))
            .and(body_string_contains("t0: track(carrierId: $c0"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(TRACK_TWO, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
        let dt = adapter(&server, Some("client:secret"));
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let snaps = dt
            .fetch(
                &[
                    parcel("640123456781", Some("kr.cjlogistics")),
                    parcel("UNKNOWN-CARRIER", None),
                    parcel("412345678901", Some("kr.hanjin")),
                ],
                &seoul,
            )
            .await
            .unwrap();
        let sent: Value =
            serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
        assert_eq!(sent["variables"]["c0"], "kr.cjlogistics");
        assert_eq!(sent["variables"]["n2"], "412345678901");
        assert!(
            sent["variables"].get("n1").is_none(),
            "no carrier id, not asked"
        );

        assert_eq!(snaps.len(), 2);
        let cj = &snaps[0];
        assert_eq!(cj.number, "640123456781");
        assert_eq!(cj.carrier_code.as_deref(), Some("kr.cjlogistics"));
        assert_eq!(cj.state, Some(FeedState::Subscribed));
        let got: Vec<(String, &str, &str)> = cj
            .events
            .iter()
            .map(|e| {
                (
                    crate::time::seconds(e.occurred_at),
                    e.status.as_str(),
                    e.location.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-30T06:26:13Z".into(), "in_transit", "서울강남"),
                ("2026-11-30T13:02:00Z".into(), "in_transit", "곤지암Hub"),
                (
                    "2026-12-01T00:40:00Z".into(),
                    "out_for_delivery",
                    "서울역삼"
                ),
                ("2026-12-01T08:19:20Z".into(), "delivered", "서울역삼"),
            ],
            "oldest first, lastEvent merged into the page once, UNKNOWN left out"
        );
        assert_eq!(
            cj.events[3].description, "배송완료",
            "the name stands in for an empty description"
        );
        assert_eq!(cj.events[3].provider_code, "DELIVERED");

        let hanjin = &snaps[1];
        assert_eq!(hanjin.events.len(), 1);
        assert!(hanjin.events[0].attempt_failed);
        assert_eq!(hanjin.events[0].status, ParcelStatus::Exception);
    }

    #[tokio::test]
    async fn per_parcel_errors_set_the_state_and_request_errors_fail_it() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(TRACK_ERRORS, "application/json"))
            .mount(&server)
            .await;
        let dt = adapter(&server, Some("client:secret"));
        let snaps = dt
            .fetch(
                &[
                    parcel("000000000000", Some("kr.cjlogistics")),
                    parcel("bad", Some("kr.hanjin")),
                    parcel("500500500", Some("kr.lotte")),
                ],
                &TimeZone::UTC,
            )
            .await
            .unwrap();
        let states: Vec<(&str, Option<FeedState>)> =
            snaps.iter().map(|s| (s.number.as_str(), s.state)).collect();
        assert_eq!(
            states,
            [
                ("000000000000", Some(FeedState::AwaitingCarrier)),
                ("bad", Some(FeedState::Rejected)),
            ],
            "INTERNAL: left out, asked again later"
        );

        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": null,
                "errors": [{"message": "invalid api key", "extensions": {"code": "UNAUTHENTICATED"}}]
            })))
            .mount(&server)
            .await;
        let err = adapter(&server, Some("client:wrong"))
            .fetch(&[parcel("1", Some("kr.hanjin"))], &TimeZone::UTC)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, FeedError::Api { message, .. } if message.starts_with("UNAUTHENTICATED")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn http_refusals_become_feed_errors() {
        let cases = [
            (
                ResponseTemplate::new(429).insert_header("retry-after", "120"),
                "rate",
            ),
            (ResponseTemplate::new(401), "unauthorized"),
            (ResponseTemplate::new(503), "status"),
            (
                ResponseTemplate::new(200).set_body_string("<html>"),
                "decode",
            ),
        ];
        for (response, kind) in cases {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(response)
                .mount(&server)
                .await;
            let err = adapter(&server, None)
                .fetch(&[parcel("1", Some("kr.hanjin"))], &TimeZone::UTC)
                .await
                .unwrap_err();
            let ok = match kind {
                "rate" => matches!(
                    err,
                    FeedError::RateLimited {
                        retry_after: Some(d)
                    } if d == Duration::from_secs(120)
                ),
                "unauthorized" => matches!(err, FeedError::Unauthorized { status: 401 }),
                "status" => matches!(err, FeedError::Status { status: 503 }),
                _ => matches!(err, FeedError::Decode(_)),
            };
            assert!(ok, "{kind}: {err:?}");
        }
    }

    #[test]
    fn a_time_without_an_offset_is_read_in_the_store_zone() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        assert_eq!(
            event_time("2026-12-01T17:19:20+09:00", &TimeZone::UTC).map(crate::time::seconds),
            Some("2026-12-01T08:19:20Z".into())
        );
        assert_eq!(
            event_time("2026-12-01T17:19:20", &seoul).map(crate::time::seconds),
            Some("2026-12-01T08:19:20Z".into())
        );
        assert_eq!(event_time("yesterday", &seoul), None);
    }
}
