//! `[seller]`: the shop's facts as the configuration states them. Each key set here wins
//! over what the shop's profile says (see [`super::seller`]); keys left out are taken from
//! the profile.

use std::path::PathBuf;

use serde::Deserialize;

/// `[seller]` as written (the environment may set `name`). Every key is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SellerOverrides {
    pub name: String,
    /// Address lines, in print order.
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A PNG logo file (read at start-up).
    pub logo: Option<PathBuf>,
}
