//! Integration tests: the real router on a random port, a real SQLite file in a temp dir.
//! One binary, so there is one link step.

mod abuse;
mod answers;
mod api;
mod backup;
mod cli;
mod crash;
mod docs;
mod fake_woo;
mod faults;
mod feeds;
mod feeds_aftership;
mod feeds_delivery_tracker;
mod feeds_ops;
mod fuzz;
mod guides;
mod helpers;
mod insights;
mod invoices;
mod layering;
mod notify;
mod notify_digest;
mod notify_preview;
mod plugin;
mod privacy;
mod privacy_rights;
mod real_store;
mod returns;
mod shop;
mod signed_events;
mod support;
mod surveys;
mod sync;
mod timezone;
mod tracking;
mod webhooks;
