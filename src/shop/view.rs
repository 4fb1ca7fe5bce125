//! The answer of `GET` and `PUT /api/v1/store/profile`: the shop's facts as aftercare
//! uses them now, and where each came from.

use serde::Serialize;
use utoipa::ToSchema;

use super::Configured;
use super::seller::Source;
use super::store::{self, Stored};
use super::timezone::{ShopZone, ZoneView, Zones};
use crate::ids::StoreId;
use crate::store::{Db, StoreError};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileView {
    /// The shop's name as shoppers see it; null when nothing names the shop.
    pub name: Option<String>,
    /// Who invoices and credit notes say issued them.
    pub seller: SellerView,
    /// The time zone of invoice dates and the tracking page.
    pub timezone: ZoneView,
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

/// The answer for `stored` (the shop's profile, if it sent one) and its logo; `zone` is the
/// store's time zone as resolved now.
pub fn answer(
    configured: &Configured<'_>,
    stored: Option<&Stored>,
    profile_logo: Option<&[u8]>,
    zone: &ShopZone,
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
        timezone: zone.view(),
        received_at: stored.map(|s| {
            crate::time::parse(&s.received_at)
                .map_or_else(|| s.received_at.to_string(), crate::time::seconds)
        }),
    }
}

/// Reads `store`'s profile and answers with what aftercare makes of it, in the store's time
/// zone from `zones`.
pub async fn load(
    db: &Db,
    store: &StoreId,
    configured: &Configured<'_>,
    zones: &Zones,
) -> Result<ProfileView, StoreError> {
    let (store, zones) = (store.clone(), zones.clone());
    let (stored, logo, zone) = db
        .read(move |c| {
            Ok((
                store::load(c, &store)?,
                store::logo_png(c, &store)?,
                zones.zone(c, &store),
            ))
        })
        .await?;
    Ok(answer(configured, stored.as_ref(), logo.as_deref(), &zone))
}
