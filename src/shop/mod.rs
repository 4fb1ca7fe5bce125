//! The shop's own facts: its name, address, tax number, logo, home page, how it writes
//! addresses, and its time zone.
//!
//! They come from two places: the shop's profile, which the WordPress plugin sends at
//! Connect and whenever they change ([`profile`], kept by [`store`]), and the
//! configuration (`[seller]`, [`settings`]; `[tracking.branding]`), which wins field by
//! field. [`seller`] resolves who issues the invoices, [`address`] prints addresses as the
//! shop's WooCommerce does, [`timezone`] says which zone every date is in, [`view`] answers
//! what aftercare uses.

pub mod address;
pub mod profile;
pub mod seller;
pub mod settings;
pub mod store;
pub mod timezone;
pub mod view;

use profile::Profile;
use seller::Sources;
use settings::SellerOverrides;
pub use store::Storefront;

/// What the configuration says about one store's own facts.
#[derive(Debug, Clone)]
pub struct Configured<'a> {
    /// `[seller]`.
    pub seller: &'a SellerOverrides,
    /// The bytes of `[seller] logo`.
    pub logo_png: Option<&'a [u8]>,
    /// The store's `[tracking.branding] store_name`.
    pub page_name: Option<String>,
}

impl<'a> Configured<'a> {
    /// The seller's sources, with the shop's `profile` and its logo.
    pub fn sources(
        &self,
        profile: Option<&'a Profile>,
        profile_logo: Option<&'a [u8]>,
    ) -> Sources<'a> {
        Sources {
            config: self.seller,
            config_logo: self.logo_png,
            profile,
            profile_logo,
        }
    }

    /// The shop's name as shoppers see it: the tracking page's configured name, else the
    /// shop's own (`sent`), else `[seller]`'s.
    pub fn shop_name(&self, sent: Option<&str>) -> Option<String> {
        self.page_name
            .clone()
            .or_else(|| display_name(sent, self.seller))
    }
}

/// The shop's own name, else `[seller]`'s, trimmed; never the store id nor a URL.
pub fn display_name(sent: Option<&str>, seller: &SellerOverrides) -> Option<String> {
    [sent.unwrap_or_default(), seller.name.as_str()]
        .into_iter()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .map(str::to_owned)
}

/// How the shop presents itself to shoppers (the tracking page header): the name, home
/// page and logo address the shop sent (see [`store::storefront`]), the name falling back
/// to `[seller]`'s.
pub fn storefront(sent: Option<Storefront>, seller: &SellerOverrides) -> Storefront {
    let mut front = sent.unwrap_or_default();
    front.name = display_name(front.name.as_deref(), seller);
    front
}

/// What needs doing about the shop's facts, one sentence each (for the store's health).
pub fn problems(configured: &Configured<'_>, profile: Option<&Profile>) -> Vec<String> {
    let mut problems = Vec::new();
    let missing = configured.sources(profile, None).resolve(None).missing();
    if !missing.is_empty() {
        let what = missing.join(" and ");
        let fix = if profile.is_some() {
            format!(
                "Fill in the shop's {what} in WordPress (WooCommerce → Settings → General) and press Connect again in the aftercare plugin, or set {what} under [seller] in aftercare.toml."
            )
        } else {
            format!(
                "Press Connect in the aftercare plugin (WooCommerce → Settings → Aftercare), or set {what} under [seller] in aftercare.toml."
            )
        };
        problems.push(format!(
            "Invoices are waiting: aftercare does not know the shop's {what}. {fix}"
        ));
    }
    if configured
        .shop_name(profile.map(|p| p.name.as_str()))
        .is_none()
    {
        problems.push(
            "The tracking page has no shop name: press Connect in the aftercare plugin, or set store_name under [tracking.branding] in aftercare.toml."
                .to_owned(),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::profile::BaseAddress;

    #[test]
    fn problems_say_what_is_unknown_and_how_to_tell_aftercare() {
        let none = SellerOverrides::default();
        let configured = Configured {
            seller: &none,
            logo_png: None,
            page_name: None,
        };
        assert_eq!(
            problems(&configured, None),
            [
                "Invoices are waiting: aftercare does not know the shop's name and address. Press Connect in the aftercare plugin (WooCommerce → Settings → Aftercare), or set name and address under [seller] in aftercare.toml.",
                "The tracking page has no shop name: press Connect in the aftercare plugin, or set store_name under [tracking.branding] in aftercare.toml.",
            ]
        );
        let mut profile = Profile {
            name: "Shop".into(),
            url: "https://shop.example/".into(),
            ..Profile::default()
        };
        assert_eq!(
            problems(&configured, Some(&profile)),
            [
                "Invoices are waiting: aftercare does not know the shop's address. Fill in the shop's address in WordPress (WooCommerce → Settings → General) and press Connect again in the aftercare plugin, or set address under [seller] in aftercare.toml."
            ]
        );
        profile.address = Some(BaseAddress {
            address_1: "1 Harbor Way".into(),
            country: "US".into(),
            ..BaseAddress::default()
        });
        assert!(problems(&configured, Some(&profile)).is_empty());

        let seller = SellerOverrides {
            name: "Configured Shop".into(),
            address: vec!["1 Main St".into()],
            ..SellerOverrides::default()
        };
        let configured = Configured {
            seller: &seller,
            ..configured
        };
        assert!(problems(&configured, None).is_empty());
        assert_eq!(
            configured.shop_name(None).as_deref(),
            Some("Configured Shop")
        );
        assert_eq!(configured.shop_name(Some("Sent")).as_deref(), Some("Sent"));
    }
}
