//! The REST API under `/api/v1` (and the signed document links), one module per domain.
//! Each module declares its handlers and exposes them as its own `router()`.

pub mod answers;
pub mod documents;
pub mod events;
pub mod guides;
pub mod insights;
pub mod messages;
pub mod orders;
pub mod photo_form;
pub mod privacy;
pub mod returns;
pub mod shipments;
pub mod store;
pub mod support;
pub mod surveys;
