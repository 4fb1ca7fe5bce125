//! The adapter interface every tracking provider implements, and the normalised shapes it
//! answers with. Adapters translate and talk HTTP; they never touch the database.

use std::future::Future;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::tracking::status::ParcelStatus;

/// A tracking provider, as stored in `feed_subscriptions.provider` and named in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    SeventeenTrack,
    DeliveryTracker,
    AfterShip,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::SeventeenTrack => "17track",
            Provider::DeliveryTracker => "delivery-tracker",
            Provider::AfterShip => "aftership",
        }
    }

    pub fn parse(text: &str) -> Option<Provider> {
        match text {
            "17track" => Some(Provider::SeventeenTrack),
            "delivery-tracker" => Some(Provider::DeliveryTracker),
            "aftership" => Some(Provider::AfterShip),
            _ => None,
        }
    }
}

/// Where a parcel's subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedState {
    /// Not yet accepted by the provider (registration is queued or being retried).
    Pending,
    /// The provider tracks the parcel.
    Subscribed,
    /// The provider has no data for the number yet (17TRACK `NotFound`, AfterShip
    /// `Pending`).
    AwaitingCarrier,
    /// The provider has had nothing for the parcel for `stale_after_days` ("not found",
    /// 17TRACK and AfterShip `Expired`), or stopped tracking it before delivery: the carrier
    /// may have lost it. No more polling; tracking raises `carrier_silent`.
    Stale,
    /// The provider refused the number (invalid, carrier not detected, quota used up).
    Rejected,
    /// Tracking ended: delivered and past the grace period, or the parcel went away.
    Stopped,
}

impl FeedState {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedState::Pending => "pending",
            FeedState::Subscribed => "subscribed",
            FeedState::AwaitingCarrier => "awaiting_carrier",
            FeedState::Stale => "stale",
            FeedState::Rejected => "rejected",
            FeedState::Stopped => "stopped",
        }
    }

    pub fn parse(text: &str) -> Option<FeedState> {
        Some(match text {
            "pending" => FeedState::Pending,
            "subscribed" => FeedState::Subscribed,
            "awaiting_carrier" => FeedState::AwaitingCarrier,
            "stale" => FeedState::Stale,
            "rejected" => FeedState::Rejected,
            "stopped" => FeedState::Stopped,
            _ => return None,
        })
    }

    /// Polled and applied: the provider still follows the parcel.
    pub fn is_live(self) -> bool {
        matches!(self, FeedState::Subscribed | FeedState::AwaitingCarrier)
    }
}

/// A parcel as the feed asks the provider about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    pub number: String,
    /// The provider's code for the carrier, when known (from aftercare's slug or from an
    /// earlier answer); otherwise the provider detects it.
    pub carrier_code: Option<String>,
}

/// One carrier event, normalised to aftercare's six statuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedEvent {
    pub status: ParcelStatus,
    pub occurred_at: Timestamp,
    pub location: String,
    pub description: String,
    /// Waiting at a pickup point (shown as out for delivery).
    pub pickup_ready: bool,
    /// The carrier tried and failed to deliver (shown as an exception).
    pub attempt_failed: bool,
    /// The provider's own status, kept for re-mapping.
    pub provider_code: String,
}

/// The provider's expected delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eta {
    At(Timestamp),
    /// A day, meaning its end in the store's time zone.
    Day(Date),
}

/// What the provider knows of one parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub number: String,
    /// The provider's carrier code it tracks the number under.
    pub carrier_code: Option<String>,
    /// Sorted oldest first, duplicates removed.
    pub events: Vec<NormalizedEvent>,
    pub eta: Option<Eta>,
    /// What the provider's latest status says of the subscription (`None`: nothing new).
    pub state: Option<FeedState>,
}

/// A verified push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// The provider's full picture of a parcel.
    Snapshot(Snapshot),
    /// The provider stopped tracking this number.
    Stopped { number: String },
    /// A hint without data (an unsigned callback): ask the provider about the number.
    /// Nothing in the body is trusted beyond which parcel to look at.
    Refetch {
        number: String,
        carrier_code: Option<String>,
    },
}

/// Why a push was refused; nothing is stored for any of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the signature does not match the body")]
    InvalidSignature,
    #[error("the body is not a push this provider sends: {0}")]
    Malformed(String),
}

/// What a provider request came to, when it did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// 429: asked too often; try again after this long when the provider says.
    #[error("the provider limits the request rate")]
    RateLimited { retry_after: Option<Duration> },
    #[error("the provider refused the key (HTTP {status})")]
    Unauthorized { status: u16 },
    #[error("the provider answered HTTP {status}")]
    Status { status: u16 },
    /// The envelope's `code` was not 0.
    #[error("the provider answered error {code}: {message}")]
    Api { code: i64, message: String },
    #[error("could not reach the provider: {0}")]
    Transport(String),
    #[error("the provider's answer could not be read: {0}")]
    Decode(String),
}

impl FeedError {
    /// The kind, as the metrics label it.
    pub fn kind(&self) -> &'static str {
        match self {
            FeedError::RateLimited { .. } => "rate_limited",
            FeedError::Unauthorized { .. } => "unauthorized",
            FeedError::Status { .. } => "status",
            FeedError::Api { .. } => "api",
            FeedError::Transport(_) => "transport",
            FeedError::Decode(_) => "decode",
        }
    }

    /// A request that got no answer, in words without the URL (a self-hosted base may
    /// carry credentials).
    pub fn transport(error: reqwest::Error) -> FeedError {
        let timeout = error.is_timeout();
        let text = error.without_url().to_string();
        FeedError::Transport(if timeout {
            format!("timed out ({text})")
        } else {
            text
        })
    }
}

/// Per number, what a registration came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// Tracked now, under this carrier code if the provider said: newly registered, which
    /// the provider bills.
    Accepted { carrier_code: Option<String> },
    /// Tracked already (registered before): followed, and not billed again.
    AlreadyTracked,
    /// Refused for this number (bad number, carrier not detected, quota used up).
    Rejected { code: i64, message: String },
}

/// A tracking provider: pure translation plus HTTP, no database.
pub trait TrackingFeed: Send + Sync {
    fn provider(&self) -> Provider;

    /// The most numbers one request may carry.
    fn batch_limit(&self) -> usize;

    /// The provider's code for a carrier of aftercare's registry, if it has one.
    fn carrier_code(&self, slug: &str) -> Option<String>;

    /// The registry slug of a provider carrier code, if the registry knows the carrier.
    fn carrier_slug(&self, code: &str) -> Option<&'static str>;

    /// Starts tracking the parcels (at most [`Self::batch_limit`]); answers per number.
    fn subscribe(
        &self,
        parcels: &[Parcel],
    ) -> impl Future<Output = Result<Vec<(String, Registered)>, FeedError>> + Send;

    /// Stops tracking the parcels; numbers the provider does not know count as stopped.
    fn stop(&self, parcels: &[Parcel]) -> impl Future<Output = Result<(), FeedError>> + Send;

    /// The provider's current picture of the parcels; numbers it does not track are left
    /// out. `zone` (the store's) reads carrier times that come without one.
    fn fetch(
        &self,
        parcels: &[Parcel],
        zone: &TimeZone,
    ) -> impl Future<Output = Result<Vec<Snapshot>, FeedError>> + Send;

    /// Checks a push's signature on the raw bytes, then parses it (`zone` as for fetch).
    fn verify_and_parse(
        &self,
        signature: Option<&str>,
        raw: &[u8],
        zone: &TimeZone,
    ) -> Result<Inbound, PushError>;
}
