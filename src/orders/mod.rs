//! The order mirror: each store's orders as WooCommerce last sent them. What customers see
//! of their orders is shaped above the domains, in `crate::order_view`.

pub mod store;
