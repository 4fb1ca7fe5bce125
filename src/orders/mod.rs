//! What customers see of their orders: the order view (one call per My Account order
//! page) and the order list.

pub mod view;

pub use view::{OrderSummary, OrderView};
