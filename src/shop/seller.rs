//! Who issues the invoices: the seller block, resolved field by field. What `[seller]`
//! in the configuration sets wins; the rest comes from the shop's profile. A configured
//! logo file wins over the PNG the shop sent.

use serde::Serialize;
use utoipa::ToSchema;

use super::address::{Formats, Parts};
use super::profile::Profile;
use super::settings::SellerOverrides;

/// Where the seller block came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SellerSource)]
pub enum Source {
    /// Everything from the shop's profile.
    #[serde(rename = "shop")]
    Shop,
    /// Everything from `[seller]`.
    #[serde(rename = "config")]
    Config,
    /// Some fields from each.
    #[serde(rename = "shop+config")]
    ShopAndConfig,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Shop => "shop",
            Source::Config => "config",
            Source::ShopAndConfig => "shop+config",
        }
    }
}

/// The seller as documents print it.
#[derive(Debug, Clone, PartialEq)]
pub struct Seller {
    /// Empty when neither source names the shop.
    pub name: String,
    /// Address lines, in print order.
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub logo_png: Option<Vec<u8>>,
    pub source: Source,
}

impl Seller {
    /// What a document cannot be issued without (`name`, `address`).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.name.trim().is_empty() {
            missing.push("name");
        }
        if self.address.is_empty() {
            missing.push("address");
        }
        missing
    }

    /// Named and addressed: documents may be issued.
    pub fn is_complete(&self) -> bool {
        self.missing().is_empty()
    }

    /// The lines under the name: the address, then tax number, email and phone.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = self.address.clone();
        if let Some(tax_id) = &self.tax_id {
            lines.push(format!("Tax ID: {tax_id}"));
        }
        lines.extend(self.email.iter().cloned());
        lines.extend(self.phone.iter().cloned());
        lines
    }
}

/// Everything the seller is resolved from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// `[seller]`.
    pub config: &'a SellerOverrides,
    /// The bytes of `[seller] logo`, read at start.
    pub config_logo: Option<&'a [u8]>,
    /// The profile the shop last sent.
    pub profile: Option<&'a Profile>,
    /// The PNG logo that came with it.
    pub profile_logo: Option<&'a [u8]>,
}

impl Sources<'_> {
    /// The seller for a document read in `reader_country` (the buyer's): the shop's
    /// address names its country only when the reader is abroad.
    pub fn resolve(&self, reader_country: Option<&str>) -> Seller {
        let c = self.config;
        let p = self.profile;
        let mut used = Used::default();
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let name = used.pick(given(&c.name), p.and_then(|p| given(&p.name)));
        let configured_address: Vec<String> = c.address.iter().filter_map(|l| given(l)).collect();
        let address = used.pick(
            (!configured_address.is_empty()).then_some(configured_address),
            p.and_then(|p| {
                let a = p.address.as_ref()?;
                let lines = Formats::of(Some(p)).read_in(reader_country).format(&Parts {
                    address_1: &a.address_1,
                    address_2: &a.address_2,
                    city: &a.city,
                    state: &a.state,
                    postcode: &a.postcode,
                    country: &a.country,
                    ..Parts::default()
                });
                (!lines.is_empty()).then_some(lines)
            }),
        );
        let tax_id = used.pick(
            c.tax_id.as_deref().and_then(given),
            p.and_then(|p| p.tax_id.clone()),
        );
        let email = used.pick(
            c.email.as_deref().and_then(given),
            p.and_then(|p| p.email.clone()),
        );
        let phone = used.pick(
            c.phone.as_deref().and_then(given),
            p.and_then(|p| p.phone.clone()),
        );
        let logo_png = used.pick(
            self.config_logo.map(<[u8]>::to_vec),
            self.profile_logo.map(<[u8]>::to_vec),
        );
        let source = match (used.config, used.shop) {
            (true, true) => Source::ShopAndConfig,
            (true, false) => Source::Config,
            (false, true) => Source::Shop,
            (false, false) if p.is_some() => Source::Shop,
            (false, false) => Source::Config,
        };
        Seller {
            name: name.unwrap_or_default(),
            address: address.unwrap_or_default(),
            tax_id,
            email,
            phone,
            logo_png,
            source,
        }
    }
}

/// Which sources the fields came from.
#[derive(Default)]
struct Used {
    config: bool,
    shop: bool,
}

impl Used {
    /// The configured value if there is one, else the shop's.
    fn pick<T>(&mut self, configured: Option<T>, sent: Option<T>) -> Option<T> {
        match configured {
            Some(value) => {
                self.config = true;
                Some(value)
            }
            None => {
                self.shop |= sent.is_some();
                sent
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::shop::profile::BaseAddress;

    fn profile() -> Profile {
        Profile {
            tax_id: Some("US-12-3456789".into()),
            email: Some("shop@example.com".into()),
            countries: BTreeMap::from([("US".into(), "United States (US)".into())]),
            ..Profile::in_california()
        }
    }

    fn resolve(
        config: &SellerOverrides,
        config_logo: Option<&[u8]>,
        profile: Option<&Profile>,
        reader: Option<&str>,
    ) -> Seller {
        Sources {
            config,
            config_logo,
            profile,
            profile_logo: profile.map(|_| &b"shop png"[..]),
        }
        .resolve(reader)
    }

    #[test]
    fn the_shops_profile_alone_makes_a_seller() {
        let p = profile();
        let seller = resolve(&SellerOverrides::default(), None, Some(&p), Some("US"));
        assert_eq!(seller.name, "Aftercare Test Shop");
        assert_eq!(seller.address, ["1 Harbor Way", "San Francisco, CA 94107"]);
        assert_eq!(
            seller.lines(),
            [
                "1 Harbor Way",
                "San Francisco, CA 94107",
                "Tax ID: US-12-3456789",
                "shop@example.com"
            ]
        );
        assert_eq!(seller.logo_png.as_deref(), Some(&b"shop png"[..]));
        assert_eq!(seller.source, Source::Shop);
        assert!(seller.is_complete());
        // For a buyer abroad the shop's country is named.
        let abroad = resolve(&SellerOverrides::default(), None, Some(&p), Some("KR"));
        assert_eq!(abroad.address.last().unwrap(), "United States (US)");
    }

    #[test]
    fn each_configured_field_wins_over_the_shops() {
        let p = profile();
        let config = SellerOverrides {
            name: "Aftercare Trading Ltd".into(),
            tax_id: Some("GB123456789".into()),
            ..SellerOverrides::default()
        };
        let seller = resolve(&config, Some(b"file png"), Some(&p), None);
        assert_eq!(seller.name, "Aftercare Trading Ltd");
        assert_eq!(seller.tax_id.as_deref(), Some("GB123456789"));
        assert_eq!(
            seller.address[0], "1 Harbor Way",
            "not configured: the shop's"
        );
        assert_eq!(seller.email.as_deref(), Some("shop@example.com"));
        assert_eq!(seller.logo_png.as_deref(), Some(&b"file png"[..]));
        assert_eq!(seller.source, Source::ShopAndConfig);

        let everything = SellerOverrides {
            name: "Configured".into(),
            address: vec!["Line 1".into(), " ".into(), "Line 2".into()],
            tax_id: Some("T".into()),
            email: Some("e@x".into()),
            phone: Some("1".into()),
            logo: None,
        };
        let seller = resolve(&everything, Some(b"file png"), Some(&p), None);
        assert_eq!(seller.address, ["Line 1", "Line 2"]);
        assert_eq!(seller.source, Source::Config);
        let seller = resolve(&everything, None, Some(&p), None);
        assert_eq!(seller.logo_png, Some(b"shop png".to_vec()), "no logo file");
        assert_eq!(seller.source, Source::ShopAndConfig);
    }

    #[test]
    fn without_a_name_or_an_address_nothing_can_be_issued() {
        let nothing = resolve(&SellerOverrides::default(), None, None, None);
        assert_eq!(nothing.missing(), ["name", "address"]);
        assert_eq!(nothing.source, Source::Config);

        let named = SellerOverrides {
            name: "Only a name".into(),
            ..SellerOverrides::default()
        };
        assert_eq!(resolve(&named, None, None, None).missing(), ["address"]);

        let mut no_address = profile();
        no_address.address = Some(BaseAddress {
            country: "US".into(),
            ..BaseAddress::default()
        });
        let seller = resolve(&SellerOverrides::default(), None, Some(&no_address), None);
        assert_eq!(
            seller.missing(),
            ["address"],
            "a country alone is no address"
        );
    }
}
