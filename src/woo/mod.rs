//! WooCommerce's side: the order as its REST API (and so its webhooks) writes it, and the
//! REST client aftercare calls it with.

pub mod auth;
pub mod client;
pub mod order;
pub mod webhook;

pub use client::{ClientSettings, FetchedOrder, WooClient, WooError};
pub use order::{Amount, Order, WooDate};
