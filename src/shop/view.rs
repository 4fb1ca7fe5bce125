//! The answer of `GET` and `PUT /api/v1/store/profile`: the shop's facts as aftercare
//! uses them now, and where each came from.

use serde::Serialize;
use utoipa::ToSchema;

use super::Configured;
use super::seller::Source;
use super::store::{self, Stored};
use crate::ids::StoreId;
use crate::store::{Db, StoreError};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// The shop's name as shoppers see it; null when nothing names the shop.
    pub name: Option<String>,
    /// Who invoices and credit notes say issued them.
    pub seller: SellerView,
    /// The time zone of invoice dates and the tracking page.
    pub timezone: ProfileZone,
    /// When the shop last sent its profile; null when it never has.
    pub received_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerView {
    pub name: String,
    /// The lines under the name: address, tax number, email, phone.
    pub lines: Vec<String>,
    pub source: Source,
    /// What documents wait for (`name`, `address`); empty when they can be issued.
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileZone {
    /// An IANA name, or a fixed offset.
    pub name: String,
    pub source: ProfileZoneSource,
}

/// Where the time zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProfileZoneSource {
    /// `timezone` in aftercare.toml or `AFTERCARE_TIMEZONE`.
    Config,
    /// The shop's profile.
    Shop,
    /// Derived from the shop's orders.
    Orders,
    /// Nothing says: UTC.
    Utc,
}

/// The zone aftercare's calendars use today: the configured one, else UTC. The shop's
/// own zone (`Profile::timezone`) is stored for the time zone resolver to weigh.
fn zone_in_use(configured: &jiff::tz::TimeZone) -> ProfileZone {
    match configured.iana_name() {
        None | Some("UTC" | "Etc/UTC") => ProfileZone {
            name: "UTC".into(),
            source: ProfileZoneSource::Utc,
        },
        Some(name) => ProfileZone {
            name: name.to_owned(),
            source: ProfileZoneSource::Config,
        },
    }
}

/// The answer for `stored` (the shop's profile, if it sent one) and its logo.
pub fn answer(
    configured: &Configured<'_>,
    stored: Option<&Stored>,
    profile_logo: Option<&[u8]>,
) -> ProfileView {
    let profile = stored.map(|s| &s.profile);
    let seller = configured.sources(profile, profile_logo).resolve(None);
    ProfileView {
        name: configured.shop_name(profile.map(|p| p.name.as_str())),
        seller: SellerView {
            missing: seller.missing(),
            lines: seller.lines(),
            source: seller.source,
            name: seller.name,
        },
        timezone: zone_in_use(configured.timezone),
        received_at: stored.map(|s| {
            crate::time::parse(&s.received_at)
                .map_or_else(|| s.received_at.to_string(), crate::time::seconds)
        }),
    }
}

/// Reads `store`'s profile and answers with what aftercare makes of it.
pub async fn load(
    db: &Db,
    store: &StoreId,
    configured: &Configured<'_>,
) -> Result<ProfileView, StoreError> {
    let store = store.clone();
    let (stored, logo) = db
        .read(move |c| Ok((store::load(c, &store)?, store::logo_png(c, &store)?)))
        .await?;
    Ok(answer(configured, stored.as_ref(), logo.as_deref()))
}
