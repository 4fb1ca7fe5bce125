//! aftercare: a self-hosted post-purchase support sidecar for WooCommerce.
//!
//! WooCommerce posts signed order webhooks; aftercare verifies each one and mirrors the
//! order into SQLite before acknowledging it. [`app`] builds the whole HTTP surface so
//! tests run the real router; [`Application`] binds it and runs until told to stop.

pub mod answers;
pub mod background;
pub mod backup;
pub mod charts;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod feeds;
pub mod guides;
mod http;
pub mod ids;
pub mod ingest;
pub mod insights;
pub mod invalid;
pub mod invoice;
pub mod jobs;
pub mod metrics;
pub mod money;
pub mod notify;
pub mod order_view;
pub mod orders;
pub mod photos;
pub mod privacy;
pub mod returns;
pub mod secret;
pub mod shop;
pub mod signed_events;
pub mod startup;
pub mod store;
pub mod support;
pub mod surveys;
pub mod sync;
pub mod time;
pub mod tracking;
pub mod validation;
pub mod version;
pub mod webhook;
pub mod woo;

pub use http::{AppState, Application, Store, app};
