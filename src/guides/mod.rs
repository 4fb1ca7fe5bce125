//! A guide for every product: a short getting-started text and links that staff keep for a
//! product, a variation or a SKU ([`model`], [`store`]). Customers see the guides of the
//! items that have shipped in My Account ([`view`]); the `delivered` message links to
//! them, and the `product_guide` message (notify) brings them some days after the order's
//! last parcel arrived ([`settings`]). Every link goes through `/g/{token}`, which counts
//! the click and redirects to the stored http(s) address only.

pub mod model;
pub mod settings;
pub mod store;
pub mod view;

pub use settings::GuideSettings;
