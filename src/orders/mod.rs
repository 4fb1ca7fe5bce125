//! The order mirror (each store's orders as WooCommerce last sent them) and what customers
//! see of their orders: the order view (one call per My Account order page) and the order
//! list.

pub mod assemble;
pub mod store;
pub mod view;

pub use view::{OrderSummary, OrderView};
