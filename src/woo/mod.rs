//! WooCommerce's side: the order as its REST API (and so its webhooks) writes it, and the
//! REST client aftercare calls it with.

pub mod auth;
pub mod client;
pub mod clients;
pub mod order;
pub mod settings;
pub mod webhook;

pub use client::{FetchedOrder, RestAccess, WooClient, WooError};
pub use clients::{StoreAccess, WooClients};
pub use order::{Amount, Order, WooDate};
pub use settings::ClientSettings;
