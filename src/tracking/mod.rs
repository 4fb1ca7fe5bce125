//! Shipments, carriers, ETAs and delay alerts, and the public tracking page.
//!
//! Parcels come from two places: the `_wc_shipment_tracking_items` meta the WooCommerce
//! tracking plugins write ([`meta`], derived on every accepted order version by
//! [`derive`]) and the staff API ([`staff`]). Events (carrier scans) arrive through the
//! staff API in any order; a parcel's status is its newest event's. [`delays`] decides
//! which alerts hold; [`alerts`] records them and enqueues a notification job for each new
//! one; [`sweep`] re-checks open orders as time passes. [`page`] renders `/t/{token}`.
//! Their tables' SQL is in [`store`], so deriving an order's tracking never leaves this folder.

pub mod alerts;
pub mod calendar;
pub mod carriers;
pub mod delays;
pub mod derive;
pub mod eta;
pub mod i18n;
pub mod meta;
pub mod outbox;
pub mod page;
pub mod settings;
pub mod staff;
pub mod status;
pub mod store;
pub mod sweep;
pub mod token;
pub mod view;

pub use derive::ParcelFeed;
pub use settings::TrackingSettings;
