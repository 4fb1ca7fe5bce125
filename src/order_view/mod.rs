//! What customers see of their orders: the order view (one call per My Account order page)
//! and the order list. It sits above the domains: it reads the order mirror, invoices,
//! returns and tracking, and none of them reads it.

pub mod answers;
pub mod assemble;
mod tracking;
pub mod view;

pub use tracking::fill_summaries;
pub use view::{OrderSummary, OrderView};
