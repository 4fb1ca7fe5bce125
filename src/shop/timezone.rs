//! The shop's time zone. Every date a person reads (the tracking page, ETAs and their end of
//! day, alert sentences, delay rules, invoice issue and order dates, yearly number periods,
//! the export's range) is a date in the zone WordPress prints with `wp_date()`, or the same
//! parcel event reads as another day on aftercare's page than in My Account.
//!
//! Resolved per store, most authoritative first (see [`resolve`]): the configuration
//! (`[[stores]] timezone`, then `timezone` / `AFTERCARE_TIMEZONE`, only when set), the shop
//! profile the plugin sends (`wp_timezone_string()`: an IANA name or `+09:00`), the offset of
//! the newest mirrored order (`date_created` is the site's wall clock, `date_created_gmt`
//! UTC), UTC. The last two are guesses: they warn once in the log and in the store's health.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ids::StoreId;
use crate::invalid::Invalid;
use crate::orders::store as orders;
use crate::store::{Db, StoreError};

/// Where a store's time zone comes from, the most authoritative first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// `[[stores]] timezone`, `timezone` or `AFTERCARE_TIMEZONE` in aftercare's configuration.
    Config,
    /// The shop profile the plugin sends on Connect.
    Shop,
    /// The UTC offset of the newest mirrored order: no daylight-saving rule, a fallback.
    Orders,
    /// Nothing says: UTC.
    Utc,
}

impl ZoneSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Shop => "shop",
            Self::Orders => "orders",
            Self::Utc => "utc",
        }
    }
}

/// A store's time zone and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopZone {
    pub tz: TimeZone,
    /// The IANA name, or `+09:00` for a fixed offset: what an issued document records.
    pub name: String,
    pub source: ZoneSource,
}

impl ShopZone {
    pub fn utc() -> ShopZone {
        ShopZone {
            tz: TimeZone::UTC,
            name: "UTC".to_owned(),
            source: ZoneSource::Utc,
        }
    }

    /// The shop or the configuration named the zone; anything else is a guess.
    pub fn is_known(&self) -> bool {
        matches!(self.source, ZoneSource::Config | ZoneSource::Shop)
    }

    /// The sentence for the store's health when aftercare has to guess.
    pub fn problem(&self) -> Option<String> {
        let using = match self.source {
            ZoneSource::Config | ZoneSource::Shop => return None,
            ZoneSource::Orders => format!("UTC{} derived from orders", self.name),
            ZoneSource::Utc => "UTC".to_owned(),
        };
        Some(format!(
            "aftercare does not know the shop's time zone; dates use {using}. Press Connect in the plugin or set timezone in aftercare.toml."
        ))
    }

    pub fn view(&self) -> ZoneView {
        ZoneView {
            name: self.name.clone(),
            source: self.source,
        }
    }
}

/// A store's time zone as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ZoneView {
    /// An IANA name (`America/Los_Angeles`), `UTC`, or a fixed offset (`+09:00`).
    pub name: String,
    /// `config`, `shop` (the profile the plugin sent), `orders` (derived from the newest order's local and UTC times) or `utc` (nothing known).
    pub source: ZoneSource,
}

/// A zone as `wp_timezone_string()` gives it: an IANA name, or a `±HH:MM` offset when the
/// site is set to a manual offset. `None` for anything else.
pub fn parse(text: &str) -> Option<(TimeZone, String)> {
    let text = text.trim();
    if let Some(offset) = parse_offset(text) {
        return Some((TimeZone::fixed(offset), offset_name(offset)));
    }
    // A path-like name could reach the system's zoneinfo; names are letters, `/_-+` and digits.
    if text.is_empty()
        || text.len() > 64
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
    {
        return None;
    }
    let tz = TimeZone::get(text).ok()?;
    let name = tz.iana_name().unwrap_or(text).to_owned();
    Some((tz, name))
}

/// `+09:00`, `-08:00`, `+05:45`; at most 14 hours either way.
fn parse_offset(text: &str) -> Option<Offset> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes) = text[1..].split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: i32 = hours.parse().ok()?;
    let minutes: i32 = minutes.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// `+09:00` for nine hours east of UTC.
fn offset_name(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The shop's UTC offset when an order was placed, from its `date_created` (the site's wall
/// clock) and `date_created_gmt` (UTC), rounded to 15 minutes: the two are stamped a moment
/// apart, and every zone's offset is a multiple of 15 minutes.
pub fn derive_offset(local: &str, gmt: &str) -> Option<Offset> {
    let local: DateTime = local.trim().parse().ok()?;
    let gmt: DateTime = gmt.trim().trim_end_matches('Z').parse().ok()?;
    let seconds = local.duration_since(gmt).as_secs();
    let rounded = (seconds + 450).div_euclid(900) * 900;
    if rounded.abs() > 14 * 3600 {
        return None;
    }
    Offset::from_seconds(i32::try_from(rounded).ok()?).ok()
}

/// A store's zone from what is known, most authoritative first: the configured zone, the
/// shop profile's (`None` or a name that does not parse: skipped), the offset derived from
/// orders, UTC.
pub fn resolve(
    configured: Option<&ShopZone>,
    profile: Option<&str>,
    derived: Option<Offset>,
) -> ShopZone {
    if let Some(zone) = configured {
        return zone.clone();
    }
    if let Some((tz, name)) = profile.and_then(parse) {
        return ShopZone {
            tz,
            name,
            source: ZoneSource::Shop,
        };
    }
    if let Some(offset) = derived {
        return ShopZone {
            tz: TimeZone::fixed(offset),
            name: offset_name(offset),
            source: ZoneSource::Orders,
        };
    }
    ShopZone::utc()
}

/// The zones the configuration sets: `timezone` / `AFTERCARE_TIMEZONE` for every store and
/// `[[stores]] timezone` for one. Unset is not UTC: it lets the shop say.
#[derive(Debug, Clone, Default)]
pub struct ZoneSettings {
    pub global: Option<ShopZone>,
    pub stores: HashMap<StoreId, ShopZone>,
}

impl ZoneSettings {
    /// A configured zone (`field` names the setting in the error).
    pub fn configured(field: &str, text: &str) -> Result<ShopZone, Invalid> {
        let (tz, name) = parse(text).ok_or_else(|| {
            Invalid::new(
                field,
                format!(
                    "`{text}` is not an IANA time zone such as Asia/Seoul or Europe/Berlin, nor an offset such as +09:00"
                ),
            )
        })?;
        Ok(ShopZone {
            tz,
            name,
            source: ZoneSource::Config,
        })
    }

    /// The zone configured for `store`: its own, else the global one.
    pub fn for_store(&self, store: &StoreId) -> Option<&ShopZone> {
        self.stores.get(store).or(self.global.as_ref())
    }
}

/// How long a zone derived from orders is kept before it is derived again (a newer order
/// may carry another offset, after a daylight-saving change).
const REDERIVE: Duration = Duration::from_secs(600);

/// Each store's zone, resolved when first needed and then kept in memory, so the tracking
/// page, the order view and the jobs pay one map read. Cheap to clone.
#[derive(Clone, Default)]
pub struct Zones {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    settings: ZoneSettings,
    resolved: RwLock<HashMap<StoreId, Resolved>>,
    warned: Mutex<HashSet<StoreId>>,
}

struct Resolved {
    zone: ShopZone,
    at: Instant,
}

impl Zones {
    pub fn new(settings: ZoneSettings) -> Zones {
        Zones {
            inner: Arc::new(Inner {
                settings,
                ..Inner::default()
            }),
        }
    }

    /// The store's zone without touching the database: configured, or resolved recently.
    pub fn cached(&self, store: &StoreId) -> Option<ShopZone> {
        if let Some(zone) = self.inner.settings.for_store(store) {
            return Some(zone.clone());
        }
        let resolved = self
            .inner
            .resolved
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = resolved.get(store)?;
        // A zone the shop sent stays until the next profile ([`Self::forget`]); one derived
        // from orders is derived again now and then.
        (entry.zone.source == ZoneSource::Shop || entry.at.elapsed() < REDERIVE)
            .then(|| entry.zone.clone())
    }

    /// The store's zone, read with `conn` (any connection, inside a transaction or not)
    /// when nothing recent is kept. A database error gives UTC this once, logged.
    pub fn zone(&self, conn: &Connection, store: &StoreId) -> ShopZone {
        if let Some(zone) = self.cached(store) {
            return zone;
        }
        match read(conn, store) {
            Ok(zone) => {
                self.keep(store, zone.clone());
                zone
            }
            Err(error) => {
                tracing::error!(store = %store, %error, "cannot read what is known of the shop's time zone; using UTC");
                ShopZone::utc()
            }
        }
    }

    /// [`Self::zone`] from async code: a database read only when nothing recent is kept.
    pub async fn zone_of(&self, db: &Db, store: &StoreId) -> Result<ShopZone, StoreError> {
        if let Some(zone) = self.cached(store) {
            return Ok(zone);
        }
        let (zones, store) = (self.clone(), store.clone());
        db.read(move |c| Ok(zones.zone(c, &store))).await
    }

    /// A new shop profile arrived: the next read resolves the store's zone again.
    pub fn forget(&self, store: &StoreId) {
        self.inner
            .resolved
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(store);
    }

    fn keep(&self, store: &StoreId, zone: ShopZone) {
        if !zone.is_known()
            && self
                .inner
                .warned
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(store.clone())
        {
            tracing::warn!(
                store = %store,
                zone = %zone.name,
                source = zone.source.as_str(),
                "aftercare does not know the shop's time zone: dates are guessed until the plugin sends the shop profile (Connect) or timezone is configured"
            );
        }
        // Knowing nothing is not kept: the store's first order (or profile) tells at once,
        // and until then the read finds no row.
        if zone.source == ZoneSource::Utc {
            return;
        }
        self.inner
            .resolved
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                store.clone(),
                Resolved {
                    zone,
                    at: Instant::now(),
                },
            );
    }
}

/// What the database knows of a store without a configured zone: its profile's zone, else
/// (only then) the offset of its newest order.
fn read(conn: &Connection, store: &StoreId) -> Result<ShopZone, StoreError> {
    let profile = super::store::timezone(conn, store)?;
    let derived = if profile.as_deref().and_then(parse).is_some() {
        None
    } else {
        orders::newest_creation_dates(conn, store)?
            .and_then(|(local, gmt)| derive_offset(&local, &gmt))
    };
    Ok(resolve(None, profile.as_deref(), derived))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(name: &str) -> ShopZone {
        ZoneSettings::configured("timezone", name).unwrap()
    }

    fn offset(hours: i32, minutes: i32) -> Offset {
        Offset::from_seconds(hours * 3600 + minutes * 60).unwrap()
    }

    #[test]
    fn the_most_authoritative_source_wins() {
        let seoul = configured("Asia/Seoul");
        let minus8 = Some(offset(-8, 0));
        type Row<'a> = (
            Option<&'a ShopZone>,
            Option<&'a str>,
            Option<Offset>,
            &'a str,
            ZoneSource,
        );
        let table: [Row; 8] = [
            (
                Some(&seoul),
                Some("America/Los_Angeles"),
                minus8,
                "Asia/Seoul",
                ZoneSource::Config,
            ),
            (Some(&seoul), None, None, "Asia/Seoul", ZoneSource::Config),
            (
                None,
                Some("America/Los_Angeles"),
                Some(offset(9, 0)),
                "America/Los_Angeles",
                ZoneSource::Shop,
            ),
            (None, Some("+09:00"), minus8, "+09:00", ZoneSource::Shop),
            // A profile zone that does not parse is skipped, not trusted.
            (
                None,
                Some("Mars/Olympus"),
                minus8,
                "-08:00",
                ZoneSource::Orders,
            ),
            (None, Some(""), minus8, "-08:00", ZoneSource::Orders),
            (None, None, minus8, "-08:00", ZoneSource::Orders),
            (None, None, None, "UTC", ZoneSource::Utc),
        ];
        for (config, profile, derived, name, source) in table {
            let zone = resolve(config, profile, derived);
            assert_eq!(
                (zone.name.as_str(), zone.source),
                (name, source),
                "{config:?} {profile:?} {derived:?}"
            );
        }
    }

    #[test]
    fn a_manual_offset_is_a_fixed_zone() {
        let zone = resolve(None, Some("+09:00"), None);
        assert_eq!(zone.tz, TimeZone::fixed(offset(9, 0)));
        let at: jiff::Timestamp = "2026-12-02T15:30:00Z".parse().unwrap();
        assert_eq!(
            at.to_zoned(zone.tz).date(),
            "2026-12-03".parse::<jiff::civil::Date>().unwrap()
        );
        assert_eq!(resolve(None, Some("-03:30"), None).name, "-03:30");
        assert_eq!(resolve(None, Some("+05:45"), None).name, "+05:45");
        assert_eq!(resolve(None, Some("+00:00"), None).name, "+00:00");
        for bad in [
            "+9:00",
            "+15:00",
            "+09:60",
            "09:00",
            "+09",
            "../../etc/passwd",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        // IANA names are canonicalised.
        assert_eq!(
            parse("america/los_angeles").unwrap().1,
            "America/Los_Angeles"
        );
    }

    #[test]
    fn the_offset_is_derived_from_an_orders_local_and_utc_times() {
        assert_eq!(
            derive_offset("2026-12-02T22:30:00", "2026-12-03T06:30:00"),
            Some(offset(-8, 0))
        );
        // Stamped a few seconds apart, and a half-hour zone.
        assert_eq!(
            derive_offset("2026-12-03T12:00:02", "2026-12-03T06:29:59"),
            Some(offset(5, 30))
        );
        assert_eq!(
            derive_offset("2026-12-03T06:30:00", "2026-12-03T06:30:00Z"),
            Some(offset(0, 0))
        );
        assert_eq!(
            derive_offset("2026-12-05T06:30:00", "2026-12-03T06:30:00"),
            None
        );
        assert_eq!(derive_offset("yesterday", "2026-12-03T06:30:00"), None);
    }

    #[test]
    fn only_guesses_are_problems() {
        assert!(configured("UTC").problem().is_none());
        assert!(resolve(None, Some("Asia/Seoul"), None).problem().is_none());
        let derived = resolve(None, None, Some(offset(-8, 0)));
        assert_eq!(
            derived.problem().unwrap(),
            "aftercare does not know the shop's time zone; dates use UTC-08:00 derived from orders. Press Connect in the plugin or set timezone in aftercare.toml."
        );
        assert!(
            ShopZone::utc()
                .problem()
                .unwrap()
                .contains("dates use UTC.")
        );
    }

    #[test]
    fn a_configured_zone_needs_no_database() {
        let store = StoreId::test("default");
        let zones = Zones::new(ZoneSettings {
            global: Some(configured("Asia/Seoul")),
            stores: HashMap::from([(StoreId::test("outlet"), configured("Europe/Berlin"))]),
        });
        assert_eq!(zones.cached(&store).unwrap().name, "Asia/Seoul");
        assert_eq!(
            zones.cached(&StoreId::test("outlet")).unwrap().name,
            "Europe/Berlin"
        );
        assert!(Zones::default().cached(&store).is_none());
        assert!(ZoneSettings::configured("timezone", "Mars/Olympus").is_err());
    }
}
