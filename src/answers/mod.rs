//! Answers before the question: FAQ entries kept by staff (question, sanitised answer,
//! language, and when each applies), chosen for an order as it is now with its live facts
//! filled in, and counted — how often each was shown and whether a support request
//! followed within seven days.
//!
//! [`model`] validates what staff send, [`sanitize`] cleans the rich text, [`select`]
//! picks the entries for an order, [`placeholders`] fills in the facts, [`store`] keeps
//! entries and impressions. [`topic`] names what customers ask about (shared with support
//! requests).

pub mod model;
pub mod placeholders;
pub mod sanitize;
pub mod select;
pub mod store;
pub mod topic;
pub mod view;

pub use topic::Topic;
