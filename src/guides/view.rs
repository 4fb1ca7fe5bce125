//! Guides as the API shows them: to staff (with click counts) and per line item to the
//! customer, every link pointing through `/g/{token}` so its clicks are counted.

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{self, Guide};
use crate::ids::StoreId;
use crate::store::StoreError;

/// Where a guide link sends customers: aftercare's counting redirect.
pub fn link_url(base_url: &str, token: &str) -> String {
    format!("{}/g/{token}", base_url.trim_end_matches('/'))
}

/// A guide, for staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuideView {
    /// `product`, `variation` or `sku`.
    pub scope: String,
    /// The product or variation id, or the SKU.
    pub key: String,
    pub text: String,
    pub links: Vec<StaffLinkView>,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffLinkView {
    pub title: String,
    /// The address the link leads to.
    pub url: String,
    /// The counting address customers are given (`/g/{token}`).
    pub tracked_url: String,
    /// Clicks through `tracked_url` so far.
    pub clicks: i64,
}

impl GuideView {
    pub fn new(g: Guide, base_url: &str) -> Self {
        GuideView {
            scope: g.scope,
            key: g.scope_key,
            text: g.text,
            links: g
                .links
                .into_iter()
                .map(|l| StaffLinkView {
                    tracked_url: link_url(base_url, &l.token),
                    title: l.title,
                    url: l.url,
                    clicks: l.clicks,
                })
                .collect(),
            updated_at: g.updated_at,
        }
    }
}

/// The guide of one line item, for the customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemGuideView {
    pub line_item_id: u64,
    pub product_id: u64,
    pub variation_id: u64,
    /// The line item's name.
    pub name: String,
    /// Plain text with line breaks: escape it when showing it.
    pub text: String,
    pub links: Vec<LinkView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub title: String,
    /// aftercare's counting redirect to the link's address.
    pub url: String,
}

/// A line item as guides see it.
pub struct Line<'a> {
    pub line_item_id: u64,
    pub product_id: u64,
    pub variation_id: u64,
    pub sku: &'a str,
    pub name: &'a str,
}

/// The guides of `lines`, in their order; lines without a guide are left out.
pub fn for_lines(
    c: &Connection,
    store_id: &StoreId,
    lines: &[Line<'_>],
    base_url: &str,
) -> Result<Vec<ItemGuideView>, StoreError> {
    let mut out = Vec::new();
    for l in lines {
        let Some(g) = store::for_item(c, store_id, l.product_id, l.variation_id, l.sku)? else {
            continue;
        };
        out.push(ItemGuideView::new(l, g, base_url));
    }
    Ok(out)
}

impl ItemGuideView {
    pub fn new(l: &Line<'_>, g: Guide, base_url: &str) -> Self {
        ItemGuideView {
            line_item_id: l.line_item_id,
            product_id: l.product_id,
            variation_id: l.variation_id,
            name: l.name.to_owned(),
            text: g.text,
            links: g
                .links
                .into_iter()
                .map(|k| LinkView {
                    url: link_url(base_url, &k.token),
                    title: k.title,
                })
                .collect(),
        }
    }
}
