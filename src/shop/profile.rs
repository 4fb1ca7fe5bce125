//! The shop's profile: what its WordPress plugin tells aftercare about the shop itself
//! (`PUT /api/v1/store/profile`, sent at Connect and whenever those facts change), checked
//! here once and stored whole, replacing the previous one.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::store::{self, Stored};
use crate::ids::StoreId;
use crate::store::{Db, StoreError};
use crate::validation::FieldError;

/// The largest logo accepted, decoded.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The widest logo accepted, in pixels.
pub const MAX_LOGO_WIDTH: u32 = 600;
const MAX_NAME_CHARS: usize = 200;
const MAX_URL_BYTES: usize = 2048;

/// The shop as aftercare keeps it: the profile's body, checked and trimmed, without the
/// logo's bytes (kept beside it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub name: String,
    /// The shop's home page.
    pub url: String,
    /// The shop's own address (WooCommerce's store address and base country).
    pub address: Option<BaseAddress>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub logo_url: Option<String>,
    /// An IANA name or a `±HH:MM` offset, as WordPress gives it.
    pub timezone: Option<String>,
    pub locale: Option<String>,
    /// How the shop writes a full name: `%1$s` the first name, `%2$s` the last.
    pub name_format: Option<String>,
    /// Address formats by country code, and `default`.
    pub address_formats: BTreeMap<String, String>,
    /// Country names by code, in the shop's language.
    pub countries: BTreeMap<String, String>,
    /// State names by country and state code.
    pub states: BTreeMap<String, BTreeMap<String, String>>,
}

/// The shop's address, as WooCommerce's store settings give it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BaseAddress {
    #[serde(deserialize_with = "string_or_null")]
    pub address_1: String,
    #[serde(deserialize_with = "string_or_null")]
    pub address_2: String,
    #[serde(deserialize_with = "string_or_null")]
    pub city: String,
    /// The state's code, e.g. `CA`.
    #[serde(deserialize_with = "string_or_null")]
    pub state: String,
    #[serde(deserialize_with = "string_or_null")]
    pub postcode: String,
    /// Two letters, e.g. `US`.
    #[serde(deserialize_with = "string_or_null")]
    pub country: String,
}

impl Profile {
    /// The test shop: a name, a URL and a store address in San Francisco, nothing else.
    #[cfg(test)]
    pub fn in_california() -> Profile {
        Profile {
            name: "Aftercare Test Shop".into(),
            url: "https://shop.example/".into(),
            address: Some(BaseAddress {
                address_1: "1 Harbor Way".into(),
                city: "San Francisco".into(),
                state: "CA".into(),
                postcode: "94107".into(),
                country: "US".into(),
                ..BaseAddress::default()
            }),
            ..Profile::default()
        }
    }
}

/// `PUT /api/v1/store/profile`: every key but `name` and `url` may be left out or null;
/// unknown keys are ignored, so a newer plugin can send more.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProfileBody {
    /// The shop's name (WordPress's site title). Required.
    #[schema(required = true, value_type = String, example = "Aftercare Test Shop")]
    pub name: Option<String>,
    /// The shop's home page, `http://` or `https://`. Required.
    #[schema(required = true, value_type = String, example = "https://shop.example/")]
    pub url: Option<String>,
    pub address: Option<BaseAddress>,
    /// The shop's tax number, printed on invoices.
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The logo's address, for the tracking page.
    pub logo_url: Option<String>,
    /// The logo for invoices: a base64 PNG, at most 512 KiB decoded and 600 px wide.
    pub logo_png: Option<String>,
    /// An IANA time zone or a `±HH:MM` offset.
    #[schema(example = "America/Los_Angeles")]
    pub timezone: Option<String>,
    #[schema(example = "en_US")]
    pub locale: Option<String>,
    /// The shop's full-name format, e.g. `%1$s %2$s`.
    pub name_format: Option<String>,
    /// Address formats by country code and `default`, as WooCommerce's
    /// `get_address_formats()` returns them.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    #[serde(default)]
    pub address_formats: PhpMap<String>,
    /// Country names by code.
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    #[serde(default)]
    pub countries: PhpMap<String>,
    /// State names by country code and state code.
    #[schema(value_type = Option<BTreeMap<String, BTreeMap<String, String>>>)]
    #[serde(default)]
    pub states: PhpMap<PhpMap<String>>,
}

/// A PHP array as `json_encode` writes it: an object, but `[]` when empty (and a list when
/// its keys happen to be 0, 1, 2...). `null` is empty too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhpMap<V>(pub BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for PhpMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape<V> {
            Map(BTreeMap<String, V>),
            List(Vec<V>),
            Null(()),
        }
        let shape = Shape::deserialize(d).map_err(|_| {
            <D::Error as serde::de::Error>::custom("expected an object of names (or an empty list)")
        })?;
        Ok(PhpMap(match shape {
            Shape::Map(map) => map,
            Shape::List(list) => list
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Shape::Null(()) => BTreeMap::new(),
        }))
    }
}

fn string_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Why a profile was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the profile is not valid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A checked profile and its logo's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub profile: Profile,
    pub logo_png: Option<Vec<u8>>,
}

/// Blank text is the same as none.
fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn is_web_url(url: &str) -> bool {
    url.len() <= MAX_URL_BYTES
        && ["http://", "https://"].iter().any(|scheme| {
            url.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                && url.len() > scheme.len()
        })
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An IANA time zone jiff knows, or a fixed offset as WordPress writes one (`+09:00`,
/// `-03:30`): what [`super::timezone`] can use.
pub fn is_time_zone(name: &str) -> bool {
    super::timezone::parse(name).is_some()
}

/// The width in the PNG's header, when `bytes` is a PNG.
fn png_width(bytes: &[u8]) -> Option<u32> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    // The first chunk is IHDR: length (4), type (4), then width (4, big-endian).
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    Some(u32::from_be_bytes(bytes[16..20].try_into().ok()?))
}

impl ProfileBody {
    /// Checks every field, reporting all that are wrong at once.
    pub fn check(self) -> Result<Checked, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = text(self.name).unwrap_or_default();
        if name.is_empty() {
            errors.push(FieldError::new("name", "must not be empty"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(FieldError::new(
                "name",
                format!("must be at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let url = text(self.url).unwrap_or_default();
        if !is_web_url(&url) {
            errors.push(FieldError::new(
                "url",
                "must be the shop's address, starting with http:// or https://",
            ));
        }
        let logo_url = text(self.logo_url);
        if logo_url.as_deref().is_some_and(|u| !is_web_url(u)) {
            errors.push(FieldError::new(
                "logo_url",
                "must be an image address starting with http:// or https://",
            ));
        }
        let logo_png = match text(self.logo_png) {
            None => None,
            Some(encoded) => match STANDARD.decode(encoded.as_bytes()) {
                Err(_) => {
                    errors.push(FieldError::new("logo_png", "must be a PNG, base64-encoded"));
                    None
                }
                Ok(bytes) if bytes.len() > MAX_LOGO_BYTES => {
                    errors.push(FieldError::new(
                        "logo_png",
                        format!(
                            "must be at most {} KiB (this one is {} KiB)",
                            MAX_LOGO_BYTES / 1024,
                            bytes.len().div_ceil(1024)
                        ),
                    ));
                    None
                }
                Ok(bytes) => match png_width(&bytes) {
                    None => {
                        errors.push(FieldError::new("logo_png", "must be a PNG image"));
                        None
                    }
                    Some(width) if width > MAX_LOGO_WIDTH => {
                        errors.push(FieldError::new(
                            "logo_png",
                            format!(
                                "must be at most {MAX_LOGO_WIDTH} px wide (this one is {width} px)"
                            ),
                        ));
                        None
                    }
                    Some(_) => Some(bytes),
                },
            },
        };
        let timezone = text(self.timezone);
        if let Some(zone) = timezone.as_deref().filter(|z| !is_time_zone(z)) {
            errors.push(FieldError::new(
                "timezone",
                format!(
                    "`{zone}` is not a time zone: send an IANA name such as America/Los_Angeles or an offset such as +09:00"
                ),
            ));
        }
        let address = self.address.map(|a| {
            let trim = |s: String| s.trim().to_owned();
            BaseAddress {
                address_1: trim(a.address_1),
                address_2: trim(a.address_2),
                city: trim(a.city),
                state: trim(a.state),
                postcode: trim(a.postcode),
                country: trim(a.country).to_ascii_uppercase(),
            }
        });
        if let Some(a) = &address
            && !a.country.is_empty()
            && !(a.country.len() == 2 && a.country.bytes().all(|b| b.is_ascii_uppercase()))
        {
            errors.push(FieldError::new(
                "address.country",
                "must be a two-letter country code such as US",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Checked {
            profile: Profile {
                name,
                url,
                address,
                tax_id: text(self.tax_id),
                email: text(self.email),
                phone: text(self.phone),
                logo_url,
                timezone,
                locale: text(self.locale),
                name_format: text(self.name_format),
                address_formats: self.address_formats.0,
                countries: self.countries.0,
                states: self.states.0.into_iter().map(|(k, v)| (k, v.0)).collect(),
            },
            logo_png,
        })
    }
}

/// Checks `body` and stores it as `store`'s profile, replacing the one before. Nothing is
/// stored when a field is wrong.
pub async fn receive(db: &Db, store: &StoreId, body: ProfileBody) -> Result<Stored, ProfileError> {
    let checked = body.check().map_err(ProfileError::Invalid)?;
    let store = store.clone();
    let now = crate::time::millis(jiff::Timestamp::now());
    Ok(db
        .writer()
        .write(move |c| {
            store::save(
                c,
                &store,
                &checked.profile,
                checked.logo_png.as_deref(),
                &now,
            )?;
            Ok(Stored {
                profile: checked.profile,
                received_at: now,
            })
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG, `width` px wide as its header says.
    pub fn png(width: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(1u32.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes
    }

    fn body(json: serde_json::Value) -> ProfileBody {
        serde_json::from_value(json).unwrap()
    }

    fn fields(json: serde_json::Value) -> Vec<String> {
        body(json)
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_full_profile_as_the_plugin_sends_it_is_kept() {
        let checked = body(serde_json::json!({
            "name": " Aftercare Test Shop ",
            "url": "http://127.0.0.1:8123/",
            "address": {"address_1": "1 Harbor Way", "address_2": "", "city": "San Francisco",
                        "state": "CA", "postcode": "94107", "country": "US"},
            "tax_id": "US-12-3456789",
            "email": "shop@example.com",
            "phone": "",
            "logo_url": "http://127.0.0.1:8123/logo.png",
            "logo_png": STANDARD.encode(png(600)),
            "timezone": "America/Los_Angeles",
            "locale": "en_US",
            "name_format": "%1$s %2$s",
            "address_formats": {"default": "{name}\n{country}"},
            "countries": {"US": "United States (US)", "KR": "South Korea"},
            // PHP writes a country without states as an empty list.
            "states": {"US": {"CA": "California"}, "KR": []},
            "a_key_from_a_newer_plugin": true,
        }))
        .check()
        .unwrap();
        let p = &checked.profile;
        assert_eq!(p.name, "Aftercare Test Shop");
        assert_eq!(p.phone, None, "blank is none");
        assert_eq!(p.address.as_ref().unwrap().country, "US");
        assert_eq!(p.states["US"]["CA"], "California");
        assert!(p.states["KR"].is_empty());
        assert_eq!(checked.logo_png, Some(png(600)));
        // Only name and url are needed; offsets are time zones too.
        let minimal = body(serde_json::json!({
            "name": "Shop", "url": "https://shop.example/", "timezone": "+09:00",
            "address": null, "countries": [], "states": null,
        }))
        .check()
        .unwrap();
        assert_eq!(minimal.profile.timezone.as_deref(), Some("+09:00"));
        assert_eq!(minimal.logo_png, None);
    }

    #[test]
    fn every_wrong_field_is_named() {
        assert_eq!(
            fields(serde_json::json!({
                "name": "  ",
                "url": "shop.example",
                "logo_url": "javascript:alert(1)",
                "logo_png": "not base64!",
                "timezone": "Mars/Olympus_Mons",
                "address": {"country": "USA"},
            })),
            [
                "name",
                "url",
                "logo_url",
                "logo_png",
                "timezone",
                "address.country"
            ]
        );
        assert_eq!(fields(serde_json::json!({})), ["name", "url"]);
        let shop = |logo: &[u8]| {
            serde_json::json!({"name": "Shop", "url": "https://s.example/",
                               "logo_png": STANDARD.encode(logo)})
        };
        assert_eq!(fields(shop(b"GIF89a......................")), ["logo_png"]);
        assert_eq!(fields(shop(&png(601))), ["logo_png"]);
        let mut big = png(100);
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert_eq!(fields(shop(&big)), ["logo_png"]);
        for zone in ["+14:00", "-03:30", "UTC", "Asia/Seoul"] {
            assert!(is_time_zone(zone), "{zone}");
        }
        for zone in ["+15:00", "+9", "09:00", "+09:60", "Seoul"] {
            assert!(!is_time_zone(zone), "{zone}");
        }
    }
}
