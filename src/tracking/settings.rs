//! `[tracking]` in the config file: the store's calendar, transit times, delay rules and
//! the branding of the public page. Read and validated once, at start.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::calendar::Calendar;
use super::carriers;
use super::delays::DelayRules;
use super::i18n::Lang;
use crate::ids::StoreId;
use crate::invalid::Invalid;

/// How the public tracking page of a store looks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    pub store_name: Option<String>,
    /// An `https://` (or `http://`) image shown in the page header.
    pub logo_url: Option<String>,
    /// `#rrggbb`: buttons, progress bar, links.
    pub primary_color: Option<Color>,
    /// Where shoppers reach the shop (a page or `mailto:`).
    pub support_url: Option<String>,
}

impl Branding {
    /// This branding with blanks filled from `fallback`.
    fn over(&self, fallback: &Branding) -> Branding {
        Branding {
            store_name: self.store_name.clone().or(fallback.store_name.clone()),
            logo_url: self.logo_url.clone().or(fallback.logo_url.clone()),
            primary_color: self.primary_color.or(fallback.primary_color),
            support_url: self.support_url.clone().or(fallback.support_url.clone()),
        }
    }
}

/// An sRGB colour from `#rgb` or `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub [u8; 3]);

impl Color {
    pub const DEFAULT: Color = Color([0x1d, 0x4e, 0xd8]);

    pub fn parse(text: &str) -> Option<Color> {
        let hex = text.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |s: &str| u8::from_str_radix(s, 16).ok();
        match hex.len() {
            3 => {
                let mut rgb = [0; 3];
                for (i, c) in hex.chars().enumerate() {
                    rgb[i] = channel(&format!("{c}{c}"))?;
                }
                Some(Color(rgb))
            }
            6 => Some(Color([
                channel(&hex[0..2])?,
                channel(&hex[2..4])?,
                channel(&hex[4..6])?,
            ])),
            _ => None,
        }
    }

    pub fn hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG relative luminance.
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    /// WCAG contrast ratio between two colours (1 to 21).
    pub fn contrast(self, other: Color) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (hi, lo) = if a > b { (a, b) } else { (b, a) };
        (hi + 0.05) / (lo + 0.05)
    }

    /// This colour darkened step by step until it reaches `ratio` against `background`:
    /// a light brand colour still gives readable links.
    pub fn readable_on(self, background: Color, ratio: f64) -> Color {
        let mut c = self;
        for _ in 0..20 {
            if c.contrast(background) >= ratio {
                return c;
            }
            c = Color(c.0.map(|v| (f64::from(v) * 0.85) as u8));
        }
        Color([0, 0, 0])
    }
}

#[derive(Debug, Clone)]
pub struct TrackingSettings {
    /// Weekend and holidays; its zone is the store's (see [`Self::calendar`]).
    calendar: Calendar,
    /// `tracking.timezone`: when set, tracking counts and prints in it whatever the shop's.
    zone: Option<TimeZone>,
    /// Transit business days for carriers without a per-carrier figure (custom carriers).
    pub default_transit_days: u32,
    /// Per-carrier overrides of the registry's transit days, by slug.
    pub transit_days: HashMap<String, u32>,
    pub delays: DelayRules,
    pub sweep_interval: Duration,
    pub default_language: Lang,
    branding: Branding,
    stores: HashMap<StoreId, Branding>,
    /// `tracking.stores.<id>.default_language`: a store's own fallback language.
    languages: HashMap<StoreId, Lang>,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        Self {
            calendar: Calendar::default(),
            zone: None,
            default_transit_days: 5,
            transit_days: HashMap::new(),
            delays: DelayRules::default(),
            sweep_interval: Duration::from_secs(300),
            default_language: Lang::En,
            branding: Branding::default(),
            stores: HashMap::new(),
            languages: HashMap::new(),
        }
    }
}

impl TrackingSettings {
    /// The business-day calendar in the store's zone `shop` (or in `tracking.timezone`,
    /// which overrides it).
    pub fn calendar(&self, shop: &TimeZone) -> Calendar {
        self.calendar.in_zone(self.zone.as_ref().unwrap_or(shop))
    }

    /// Business days a parcel of this carrier usually takes.
    pub fn transit_days(&self, carrier_slug: &str) -> u32 {
        if let Some(days) = self.transit_days.get(carrier_slug) {
            return *days;
        }
        carriers::by_slug(carrier_slug)
            .map(|c| c.transit_days)
            .unwrap_or(self.default_transit_days)
    }

    /// The language for a store's customer when nothing else tells (no locale on the order,
    /// no `?lang=`, no `Accept-Language`): the store's own, else `tracking.default_language`.
    pub fn language(&self, store_id: &StoreId) -> Lang {
        self.languages
            .get(store_id)
            .copied()
            .unwrap_or(self.default_language)
    }

    /// The branding of one store (its own section over the shared one).
    pub fn branding(&self, store_id: &StoreId) -> Branding {
        match self.stores.get(store_id) {
            Some(own) => own.over(&self.branding),
            None => self.branding.clone(),
        }
    }
}

/// `[tracking]` as written in the file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTracking {
    timezone: Option<String>,
    weekend: Option<Vec<String>>,
    #[serde(default)]
    holidays: Vec<String>,
    default_language: Option<String>,
    sweep_interval_secs: Option<u64>,
    default_transit_days: Option<u32>,
    #[serde(default)]
    transit_days: BTreeMap<String, u32>,
    #[serde(default)]
    delays: FileDelays,
    #[serde(default)]
    branding: FileBranding,
    /// Per-store branding, keyed by store id.
    #[serde(default)]
    stores: BTreeMap<String, FileBranding>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDelays {
    not_shipped_after: Option<u32>,
    no_scan_after: Option<u32>,
    stalled_after: Option<u32>,
    eta_passed: Option<bool>,
    eta_grace: Option<u32>,
    eta_passed_without_events: Option<bool>,
    exceptions: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBranding {
    store_name: Option<String>,
    logo_url: Option<String>,
    primary_color: Option<String>,
    support_url: Option<String>,
    /// Only under `tracking.stores.<id>` (the shared one is `tracking.default_language`).
    default_language: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> Invalid {
    Invalid::new(field, message)
}

/// Validates the file's `[tracking]` section; `store_ids` are the configured stores.
pub fn build(file: FileTracking, store_ids: &[&StoreId]) -> Result<TrackingSettings, Invalid> {
    let defaults = TrackingSettings::default();
    let zone = match &file.timezone {
        Some(name) => Some(TimeZone::get(name).map_err(|_| {
            invalid(
                "tracking.timezone",
                format!("`{name}` is not a time zone name like Asia/Seoul"),
            )
        })?),
        None => None,
    };
    let weekend = match &file.weekend {
        Some(days) => days
            .iter()
            .map(|d| {
                weekday(d).ok_or_else(|| {
                    invalid(
                        "tracking.weekend",
                        format!("`{d}` is not a weekday name like saturday"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![Weekday::Saturday, Weekday::Sunday],
    };
    if weekend.len() >= 7 {
        return Err(invalid(
            "tracking.weekend",
            "leave at least one business day",
        ));
    }
    let mut holidays = BTreeSet::new();
    for text in &file.holidays {
        let date: Date = text.parse().map_err(|_| {
            invalid(
                "tracking.holidays",
                format!("`{text}` is not a date like 2026-12-25"),
            )
        })?;
        holidays.insert(date);
    }
    let default_language = match file.default_language.as_deref() {
        Some(tag) => Lang::from_tag(tag)
            .ok_or_else(|| invalid("tracking.default_language", "must be `en` or `ko`"))?,
        None => defaults.default_language,
    };
    let sweep_interval = match file.sweep_interval_secs {
        Some(secs) if !(10..=86_400).contains(&secs) => {
            return Err(invalid(
                "tracking.sweep_interval_secs",
                "must be between 10 and 86400 seconds",
            ));
        }
        Some(secs) => Duration::from_secs(secs),
        None => defaults.sweep_interval,
    };
    let default_transit_days = file
        .default_transit_days
        .unwrap_or(defaults.default_transit_days);
    check_days("tracking.default_transit_days", default_transit_days, 1)?;
    let mut transit_days = HashMap::new();
    for (slug, days) in file.transit_days {
        let field = format!("tracking.transit_days.{slug}");
        if carriers::by_slug(&slug).is_none() {
            return Err(invalid(
                &field,
                "is not a carrier slug of the registry (see README: Tracking)",
            ));
        }
        check_days(&field, days, 1)?;
        transit_days.insert(slug, days);
    }
    let d = DelayRules::default();
    let delays = DelayRules {
        not_shipped_after: file.delays.not_shipped_after.unwrap_or(d.not_shipped_after),
        no_scan_after: file.delays.no_scan_after.unwrap_or(d.no_scan_after),
        stalled_after: file.delays.stalled_after.unwrap_or(d.stalled_after),
        eta_passed: file.delays.eta_passed.unwrap_or(d.eta_passed),
        eta_grace: file.delays.eta_grace.unwrap_or(d.eta_grace),
        eta_passed_without_events: file
            .delays
            .eta_passed_without_events
            .unwrap_or(d.eta_passed_without_events),
        exceptions: file.delays.exceptions.unwrap_or(d.exceptions),
    };
    for (field, days) in [
        (
            "tracking.delays.not_shipped_after",
            delays.not_shipped_after,
        ),
        ("tracking.delays.no_scan_after", delays.no_scan_after),
        ("tracking.delays.stalled_after", delays.stalled_after),
        ("tracking.delays.eta_grace", delays.eta_grace),
    ] {
        check_days(field, days, 0)?;
    }
    if file.branding.default_language.is_some() {
        return Err(invalid(
            "tracking.branding.default_language",
            "set tracking.default_language (or tracking.stores.<id>.default_language) instead",
        ));
    }
    let branding = build_branding("tracking.branding", file.branding)?;
    let mut stores = HashMap::new();
    let mut languages = HashMap::new();
    for (id, mut own) in file.stores {
        let field = format!("tracking.stores.{id}");
        let Some(id) = store_ids.iter().find(|s| **s == id.as_str()) else {
            return Err(invalid(&field, "is not a configured store"));
        };
        if let Some(tag) = own.default_language.take() {
            let lang = Lang::from_tag(&tag).ok_or_else(|| {
                invalid(&format!("{field}.default_language"), "must be `en` or `ko`")
            })?;
            languages.insert((*id).clone(), lang);
        }
        stores.insert((*id).clone(), build_branding(&field, own)?);
    }
    Ok(TrackingSettings {
        calendar: Calendar::new(TimeZone::UTC, weekend, holidays),
        zone,
        default_transit_days,
        transit_days,
        delays,
        sweep_interval,
        default_language,
        branding,
        stores,
        languages,
    })
}

fn check_days(field: &str, days: u32, min: u32) -> Result<(), Invalid> {
    if (min..=60).contains(&days) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be between {min} and 60 business days"),
        ))
    }
}

fn build_branding(section: &str, file: FileBranding) -> Result<Branding, Invalid> {
    let url = |key: &str, value: Option<String>, schemes: &[&str]| -> Result<_, Invalid> {
        match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            Some(v) if is_safe_url(&v, schemes) => Ok(Some(v)),
            Some(_) => Err(invalid(
                &format!("{section}.{key}"),
                format!("must be a URL starting with {}", schemes.join(" or ")),
            )),
            None => Ok(None),
        }
    };
    let primary_color = match file.primary_color {
        Some(text) => Some(Color::parse(&text).ok_or_else(|| {
            invalid(
                &format!("{section}.primary_color"),
                format!("`{text}` is not a colour like #1d4ed8"),
            )
        })?),
        None => None,
    };
    let store_name = file
        .store_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if store_name.as_ref().is_some_and(|n| n.chars().count() > 80) {
        return Err(invalid(
            &format!("{section}.store_name"),
            "must be at most 80 characters",
        ));
    }
    Ok(Branding {
        store_name,
        logo_url: url("logo_url", file.logo_url, &["https://", "http://"])?,
        primary_color,
        support_url: url(
            "support_url",
            file.support_url,
            &["https://", "http://", "mailto:"],
        )?,
    })
}

/// A URL that can go into an `href` or `src` without changing what the page does.
pub fn is_safe_url(url: &str, schemes: &[&str]) -> bool {
    url.len() <= 2048
        && schemes.iter().any(|s| {
            url.get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s))
        })
        && url.len() > 8
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml: &str) -> Result<TrackingSettings, Invalid> {
        #[derive(Deserialize)]
        struct Wrapper {
            tracking: FileTracking,
        }
        let w: Wrapper = toml::from_str(toml).map_err(|e| Invalid::new("toml", e.to_string()))?;
        build(
            w.tracking,
            &[&StoreId::test("default"), &StoreId::test("outlet")],
        )
    }

    #[test]
    fn a_full_section_parses() {
        let s = parse(
            r##"
[tracking]
timezone = "Asia/Seoul"
weekend = ["friday", "saturday"]
holidays = ["2026-12-25"]
default_language = "ko"
sweep_interval_secs = 60
default_transit_days = 4
[tracking.transit_days]
cj-logistics = 1
[tracking.delays]
not_shipped_after = 3
eta_passed = false
[tracking.branding]
store_name = "Example Shop"
logo_url = "https://shop.example/logo.png"
primary_color = "#0f766e"
[tracking.stores.outlet]
store_name = "Example Outlet"
primary_color = "#c00"
default_language = "en"
"##,
        )
        .unwrap();
        assert_eq!(s.transit_days("cj-logistics"), 1);
        assert_eq!(s.transit_days("ups"), 5, "registry default");
        assert_eq!(s.transit_days("custom"), 4);
        assert_eq!(s.delays.not_shipped_after, 3);
        assert!(!s.delays.eta_passed);
        assert_eq!(s.delays.no_scan_after, 2, "default kept");
        assert_eq!(s.default_language, Lang::Ko);
        assert_eq!(s.language(&StoreId::test("outlet")), Lang::En, "its own");
        assert_eq!(
            s.language(&StoreId::test("default")),
            Lang::Ko,
            "the shared one"
        );
        let outlet = s.branding(&StoreId::test("outlet"));
        assert_eq!(outlet.store_name.as_deref(), Some("Example Outlet"));
        assert_eq!(outlet.primary_color, Some(Color([0xcc, 0, 0])));
        assert_eq!(
            outlet.logo_url.as_deref(),
            Some("https://shop.example/logo.png")
        );
        assert_eq!(
            s.branding(&StoreId::test("default")).store_name.as_deref(),
            Some("Example Shop")
        );
    }

    #[test]
    fn invalid_values_name_their_field() {
        for (toml, field) in [
            (
                "[tracking]\ntimezone = \"Mars/Olympus\"",
                "tracking.timezone",
            ),
            ("[tracking]\nweekend = [\"someday\"]", "tracking.weekend"),
            (
                "[tracking]\nholidays = [\"25/12/2026\"]",
                "tracking.holidays",
            ),
            (
                "[tracking]\ndefault_language = \"fr\"",
                "tracking.default_language",
            ),
            (
                "[tracking.branding]\ndefault_language = \"ko\"",
                "tracking.branding.default_language",
            ),
            (
                "[tracking.stores.outlet]\ndefault_language = \"de\"",
                "tracking.stores.outlet.default_language",
            ),
            (
                "[tracking.transit_days]\nnot-a-carrier = 2",
                "tracking.transit_days.not-a-carrier",
            ),
            (
                "[tracking.transit_days]\nups = 0",
                "tracking.transit_days.ups",
            ),
            (
                "[tracking.delays]\nstalled_after = 99",
                "tracking.delays.stalled_after",
            ),
            (
                "[tracking.branding]\nprimary_color = \"red\"",
                "tracking.branding.primary_color",
            ),
            (
                "[tracking.branding]\nlogo_url = \"javascript:alert(1)\"",
                "tracking.branding.logo_url",
            ),
            (
                "[tracking.stores.nowhere]\nstore_name = \"x\"",
                "tracking.stores.nowhere",
            ),
        ] {
            let err = parse(toml).unwrap_err();
            assert_eq!(err.field, field, "{toml}: {err:?}");
        }
        assert!(
            parse("[tracking]\nbogus = 1")
                .unwrap_err()
                .message
                .contains("unknown field")
        );
    }

    #[test]
    fn the_calendar_takes_the_stores_zone_unless_tracking_sets_one() {
        let la = TimeZone::get("America/Los_Angeles").unwrap();
        let day: Date = "2026-12-02".parse().unwrap();
        let end = |s: &TrackingSettings| s.calendar(&la).end_of_day(day).to_string();
        let own = parse("[tracking]\nholidays = [\"2026-12-25\"]").unwrap();
        assert_eq!(end(&own), "2026-12-03T07:59:59Z");
        let pinned = parse("[tracking]\ntimezone = \"Asia/Seoul\"").unwrap();
        assert_eq!(end(&pinned), "2026-12-02T14:59:59Z");
        // The zone changes, the business days stay.
        assert!(
            !own.calendar(&la)
                .is_business_day("2026-12-25".parse().unwrap())
        );
    }

    #[test]
    fn light_brand_colours_are_darkened_for_text() {
        let white = Color([255, 255, 255]);
        let yellow = Color::parse("#facc15").unwrap();
        assert!(yellow.contrast(white) < 4.5);
        let readable = yellow.readable_on(white, 4.5);
        assert!(readable.contrast(white) >= 4.5, "{}", readable.hex());
        assert_eq!(Color::DEFAULT.readable_on(white, 4.5), Color::DEFAULT);
        assert_eq!(Color::parse("#0F766E").unwrap().hex(), "#0f766e");
        assert!(Color::parse("#12345").is_none());
        assert!(Color::parse("#12345g").is_none());
    }
}
