//! Addresses as the shop's WooCommerce prints them (`WC_Countries::get_formatted_address`):
//! the country's format, `{state}` as the state's name, `{country}` as the country's name
//! and left out for the shop's own country, `*_upper` variants, empty lines dropped and
//! stray commas trimmed.
//!
//! The formats, names and name order come from the shop's profile, so a shop that changed
//! them (WooCommerce's `woocommerce_localisation_address_formats` filter) prints its own.
//! Until a profile arrives a small built-in set is used, and countries print as their codes.

use std::collections::BTreeMap;

use super::profile::Profile;
use crate::woo::order::Address;

/// The parts of an address, as WooCommerce stores them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub company: &'a str,
    pub address_1: &'a str,
    pub address_2: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub postcode: &'a str,
    pub country: &'a str,
}

impl<'a> From<&'a Address> for Parts<'a> {
    fn from(a: &'a Address) -> Self {
        Parts {
            first_name: &a.first_name,
            last_name: &a.last_name,
            company: &a.company,
            address_1: &a.address_1,
            address_2: &a.address_2,
            city: &a.city,
            state: &a.state,
            postcode: &a.postcode,
            country: &a.country,
        }
    }
}

/// WooCommerce's own default for `_x('%1$s %2$s', 'full name')`.
const NAME_FORMAT: &str = "%1$s %2$s";

const DEFAULT_FORMAT: &str =
    "{name}\n{company}\n{address_1}\n{address_2}\n{city}\n{state}\n{postcode}\n{country}";
const US_FORMAT: &str =
    "{name}\n{company}\n{address_1}\n{address_2}\n{city}, {state_code} {postcode}\n{country}";
const POSTCODE_CITY_FORMAT: &str =
    "{company}\n{name}\n{address_1}\n{address_2}\n{postcode} {city}\n{country}";
/// Countries that write the postcode before the city, on one line under the street.
const POSTCODE_CITY: &[&str] = &[
    "AT", "BE", "CH", "CZ", "DE", "DK", "EE", "FI", "FR", "IS", "LI", "NL", "NO", "PL", "PT", "SE",
    "SI", "SK",
];

fn builtin_format(country: &str) -> &'static str {
    match country {
        "US" => US_FORMAT,
        c if POSTCODE_CITY.contains(&c) => POSTCODE_CITY_FORMAT,
        _ => DEFAULT_FORMAT,
    }
}

/// How the shop writes addresses: its formats, country and state names, name order, and
/// the country whose line is left out (the shop's own).
#[derive(Debug, Clone, Copy)]
pub struct Formats<'a> {
    formats: Option<&'a BTreeMap<String, String>>,
    countries: Option<&'a BTreeMap<String, String>>,
    states: Option<&'a BTreeMap<String, BTreeMap<String, String>>>,
    name_format: &'a str,
    home_country: Option<&'a str>,
}

impl<'a> Formats<'a> {
    /// The shop's own formats, or the built-in ones while it has sent no profile.
    pub fn of(profile: Option<&'a Profile>) -> Self {
        let Some(p) = profile else {
            return Self::builtin();
        };
        Formats {
            formats: (!p.address_formats.is_empty()).then_some(&p.address_formats),
            countries: Some(&p.countries),
            states: Some(&p.states),
            name_format: p.name_format.as_deref().unwrap_or(NAME_FORMAT),
            home_country: p
                .address
                .as_ref()
                .map(|a| a.country.as_str())
                .filter(|c| !c.is_empty()),
        }
    }

    /// A small set written for aftercare (default, US, and postcode before city), with
    /// every country line printed as its code.
    pub fn builtin() -> Self {
        Formats {
            formats: None,
            countries: None,
            states: None,
            name_format: NAME_FORMAT,
            home_country: None,
        }
    }

    /// The same formats for a reader in `country`: that country's line is left out
    /// instead of the shop's. The seller's address on a document for a buyer abroad
    /// names the shop's country.
    pub fn read_in(self, country: Option<&'a str>) -> Self {
        match country.map(str::trim).filter(|c| !c.is_empty()) {
            Some(country) => Formats {
                home_country: Some(country),
                ..self
            },
            None => self,
        }
    }

    /// The country's name as the shop writes it, else its code.
    pub fn country_name<'b>(&'b self, code: &'b str) -> &'b str {
        self.countries
            .and_then(|c| c.get(code))
            .map_or(code, String::as_str)
    }

    fn format_of(&self, country: &str) -> &'a str {
        if let Some(formats) = self.formats {
            let own = (!country.is_empty())
                .then(|| formats.get(country))
                .flatten();
            if let Some(format) = own.or_else(|| formats.get("default")) {
                return format.as_str();
            }
        }
        builtin_format(country)
    }

    /// `{name}`: the shop's name order; a Korean address with a name in Hangul is family
    /// name first, without a space (김민준), as Koreans write it.
    fn full_name(&self, first: &str, last: &str, country: &str) -> String {
        if country == "KR" && is_hangul_name(first, last) {
            return format!("{last}{first}");
        }
        sprintf(self.name_format, &[first, last])
    }

    /// The address's lines, in print order.
    pub fn format(&self, a: &Parts<'_>) -> Vec<String> {
        let [
            first,
            last,
            company,
            address_1,
            address_2,
            city,
            state,
            postcode,
            country,
        ] = [
            a.first_name,
            a.last_name,
            a.company,
            a.address_1,
            a.address_2,
            a.city,
            a.state,
            a.postcode,
            a.country,
        ]
        .map(str::trim);
        let format = self.format_of(country);
        let full_country = self.country_name(country);
        let leave_out_country = !country.is_empty() && Some(country) == self.home_country;
        let full_state = self
            .states
            .filter(|_| !country.is_empty() && !state.is_empty())
            .and_then(|s| s.get(country))
            .and_then(|s| s.get(state))
            .map_or(state, String::as_str);
        let name = self.full_name(first, last, country);
        let value = |key: &str| -> Option<String> {
            Some(match key {
                "first_name" => first.to_owned(),
                "last_name" => last.to_owned(),
                "name" => name.clone(),
                "company" => company.to_owned(),
                "address_1" => address_1.to_owned(),
                "address_2" => address_2.to_owned(),
                "city" => city.to_owned(),
                "state" => full_state.to_owned(),
                "postcode" => postcode.to_owned(),
                "country" if leave_out_country => String::new(),
                "country" => full_country.to_owned(),
                "first_name_upper" => first.to_uppercase(),
                "last_name_upper" => last.to_uppercase(),
                "name_upper" => name.to_uppercase(),
                "company_upper" => company.to_uppercase(),
                "address_1_upper" => address_1.to_uppercase(),
                "address_2_upper" => address_2.to_uppercase(),
                "city_upper" => city.to_uppercase(),
                "state_upper" => full_state.to_uppercase(),
                "state_code" => state.to_uppercase(),
                "postcode_upper" => postcode.to_uppercase(),
                // Like WooCommerce: only `{country}` is left out for the home country.
                "country_upper" => full_country.to_uppercase(),
                _ => return None,
            })
        };
        tidy(&substitute(format, value))
    }
}

/// Replaces each `{key}` of `format` in one pass, so a value that itself contains braces
/// is printed as it is. Unknown keys stay as written.
fn substitute(format: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(format.len() + 64);
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, value(&after[..close])?)))
        {
            Some((close, text)) => {
                out.push_str(&text);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// WooCommerce's clean-up: runs of spaces become one, lines are trimmed of spaces and
/// commas, empty lines go.
fn tidy(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| {
            let mut single = String::with_capacity(line.len());
            for c in line.chars() {
                if !(c == ' ' && single.ends_with(' ')) {
                    single.push(c);
                }
            }
            single.trim_matches([',', ' ']).to_owned()
        })
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// PHP's `sprintf` for a name format: `%1$s`, `%2$s`, `%s` and `%%`.
fn sprintf(format: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let rest = &format[i + 1..];
        if rest.starts_with('%') {
            out.push('%');
            chars.next();
        } else if rest.starts_with('s') {
            out.push_str(args.get(next).copied().unwrap_or_default());
            next += 1;
            chars.next();
        } else if let Some((digits, _)) = rest.split_once("$s")
            && !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = digits.parse::<usize>()
        {
            out.push_str(args.get(n.wrapping_sub(1)).copied().unwrap_or_default());
            for _ in 0..digits.len() + 2 {
                chars.next();
            }
        } else {
            out.push('%');
        }
    }
    out
}

fn is_hangul(c: char) -> bool {
    matches!(c,
        '\u{AC00}'..='\u{D7A3}'     // syllables
        | '\u{1100}'..='\u{11FF}'   // jamo
        | '\u{3130}'..='\u{318F}'   // compatibility jamo
        | '\u{A960}'..='\u{A97F}'
        | '\u{D7B0}'..='\u{D7FF}')
}

/// Both given parts of the name are written in Hangul only.
fn is_hangul_name(first: &str, last: &str) -> bool {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    !parts.is_empty() && parts.iter().all(|p| p.chars().all(is_hangul))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::profile::Profile;

    /// A shop in California, with WooCommerce's own formats for the countries used here.
    fn us_shop() -> Profile {
        Profile {
            name_format: Some("%1$s %2$s".into()),
            address_formats: BTreeMap::from([
                ("default".into(), DEFAULT_FORMAT.into()),
                ("US".into(), US_FORMAT.into()),
                (
                    "FR".into(),
                    "{company}\n{name}\n{address_1}\n{address_2}\n{postcode} {city_upper}\n{country}"
                        .into(),
                ),
            ]),
            countries: BTreeMap::from([
                ("US".into(), "United States (US)".into()),
                ("KR".into(), "South Korea".into()),
                ("FR".into(), "France".into()),
                ("CA".into(), "Canada".into()),
            ]),
            states: BTreeMap::from([(
                "US".into(),
                BTreeMap::from([("CA".into(), "California".into())]),
            )]),
            ..Profile::in_california()
        }
    }

    fn korean_buyer() -> Parts<'static> {
        Parts {
            first_name: "민준",
            last_name: "김",
            address_1: "테헤란로 152",
            city: "강남구",
            postcode: "06236",
            country: "KR",
            ..Parts::default()
        }
    }

    #[test]
    fn a_korean_address_is_written_family_name_first_and_names_its_country() {
        let shop = us_shop();
        assert_eq!(
            Formats::of(Some(&shop)).format(&korean_buyer()),
            ["김민준", "테헤란로 152", "강남구", "06236", "South Korea"]
        );
        // A Latin-script name in Korea keeps the shop's name order.
        let latin = Parts {
            first_name: "Minjun",
            last_name: "Kim",
            ..korean_buyer()
        };
        assert_eq!(Formats::of(Some(&shop)).format(&latin)[0], "Minjun Kim");
        // Without a profile the country is its code.
        assert_eq!(
            Formats::builtin().format(&korean_buyer()),
            ["김민준", "테헤란로 152", "강남구", "06236", "KR"]
        );
    }

    #[test]
    fn an_address_in_the_shops_country_has_no_country_line() {
        let shop = us_shop();
        let buyer = Parts {
            first_name: "Zoë",
            last_name: "O'Brien",
            address_1: "350 S Grand Ave",
            city: "Los Angeles",
            state: "CA",
            postcode: "90012",
            country: "US",
            ..Parts::default()
        };
        assert_eq!(
            Formats::of(Some(&shop)).format(&buyer),
            ["Zoë O'Brien", "350 S Grand Ave", "Los Angeles, CA 90012"]
        );
        // Read from Korea, the same address names its country.
        assert_eq!(
            Formats::of(Some(&shop)).read_in(Some("KR")).format(&buyer),
            [
                "Zoë O'Brien",
                "350 S Grand Ave",
                "Los Angeles, CA 90012",
                "United States (US)"
            ]
        );
    }

    #[test]
    fn states_print_by_name_and_variants_upper_case() {
        let mut shop = us_shop();
        shop.address_formats.insert(
            "US".into(),
            "{name_upper}\n{address_1}\n{city_upper}, {state} {postcode}\n{country_upper}".into(),
        );
        let buyer = Parts {
            first_name: "Ann",
            last_name: "Lee",
            address_1: "1 Main St",
            city: "Fresno",
            state: "CA",
            postcode: "93721",
            country: "US",
            ..Parts::default()
        };
        assert_eq!(
            Formats::of(Some(&shop)).format(&buyer),
            [
                "ANN LEE",
                "1 Main St",
                "FRESNO, California 93721",
                "UNITED STATES (US)"
            ],
            "only {{country}} is left out for the shop's country, as WooCommerce does"
        );
        // A state the shop does not list prints as written.
        let unknown = Parts {
            state: "ZZ",
            ..buyer
        };
        assert!(Formats::of(Some(&shop)).format(&unknown)[2].contains(", ZZ "));
    }

    #[test]
    fn empty_parts_leave_neither_lines_nor_stray_commas() {
        let shop = us_shop();
        let no_city = Parts {
            state: "CA",
            postcode: "90012",
            country: "US",
            ..Parts::default()
        };
        assert_eq!(Formats::of(Some(&shop)).format(&no_city), ["CA 90012"]);
        assert!(
            Formats::of(Some(&shop))
                .format(&Parts::default())
                .is_empty()
        );
    }

    #[test]
    fn a_country_without_its_own_format_uses_the_default_and_the_shops_name_order() {
        let mut shop = us_shop();
        shop.name_format = Some("%2$s %1$s".into());
        let buyer = Parts {
            first_name: "Jean",
            last_name: "Tremblay",
            company: "Acme",
            address_1: "1 rue Principale",
            city: "Montréal",
            state: "QC",
            postcode: "H2X 1Y4",
            country: "CA",
            ..Parts::default()
        };
        assert_eq!(
            Formats::of(Some(&shop)).format(&buyer),
            [
                "Tremblay Jean",
                "Acme",
                "1 rue Principale",
                "Montréal",
                "QC",
                "H2X 1Y4",
                "Canada"
            ]
        );
        let french = Parts {
            company: "",
            city: "Paris",
            state: "",
            postcode: "75001",
            country: "FR",
            ..buyer
        };
        assert_eq!(
            Formats::of(Some(&shop)).format(&french),
            ["Tremblay Jean", "1 rue Principale", "75001 PARIS", "France"]
        );
    }

    #[test]
    fn the_built_in_set_knows_postcode_before_city() {
        let buyer = Parts {
            first_name: "Max",
            last_name: "Muster",
            company: "Muster GmbH",
            address_1: "Hauptstraße 1",
            city: "Berlin",
            postcode: "10115",
            country: "DE",
            ..Parts::default()
        };
        assert_eq!(
            Formats::builtin().format(&buyer),
            [
                "Muster GmbH",
                "Max Muster",
                "Hauptstraße 1",
                "10115 Berlin",
                "DE"
            ]
        );
    }

    #[test]
    fn values_with_braces_are_printed_as_written() {
        let buyer = Parts {
            first_name: "{city}",
            city: "Seoul",
            ..Parts::default()
        };
        assert_eq!(Formats::builtin().format(&buyer), ["{city}", "Seoul"]);
    }

    #[test]
    fn name_formats_follow_php_sprintf() {
        assert_eq!(sprintf("%1$s %2$s", &["A", "B"]), "A B");
        assert_eq!(sprintf("%2$s %1$s", &["A", "B"]), "B A");
        assert_eq!(sprintf("%s, %s", &["A", "B"]), "A, B");
        assert_eq!(sprintf("100%% %1$s", &["A"]), "100% A");
        assert_eq!(sprintf("%3$s|%x", &["A"]), "|%x");
    }
}
