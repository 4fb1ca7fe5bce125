//! Support requests on the order: a customer (or a guest, proven by order key and email)
//! asks about an order where they see it, so every request already carries the order, its
//! parcels, invoice and returns. Staff answer, note, assign and solve; a customer's reply
//! reopens a solved request ([`model`] holds the table of transitions). A public reply
//! reaches the customer through the notification engine (`support_reply`, told by the
//! `notify_support` job). First response and resolution times are defined in
//! [`metrics`] and reported by [`report`].

mod error;
pub mod metrics;
pub mod model;
pub mod report;
pub mod request;
pub mod service;
pub mod settings;
pub mod store;
pub mod view;

pub use error::SupportError;
