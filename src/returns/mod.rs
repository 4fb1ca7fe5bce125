//! Returns and exchanges that customers start and follow themselves. A return is its own
//! record with its own lifecycle; the order's WooCommerce status is never touched. Money
//! moves through WooCommerce's own refunds and coupons, carried out by the outbox worker.

pub mod eligibility;
mod error;
pub mod model;
pub mod money;
pub mod photos;
pub mod refunds;
pub mod request;
pub mod service;
pub mod settings;
pub mod settle;
pub mod store;
pub mod view;

pub use error::ReturnError;
