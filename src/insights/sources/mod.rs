//! What each kind of record contributes, read from its own tables. Each function sees the
//! record as it is now; `maintain` compares that with what it contributed before.

pub mod customer;
pub mod deflection;
pub mod order;
pub mod request;
pub mod returned;
pub mod shipment;
pub mod survey;
