//! WooCommerce's side: the order as its REST API (and so its webhooks) writes it.

pub mod order;

pub use order::{Amount, Order, WooDate};
