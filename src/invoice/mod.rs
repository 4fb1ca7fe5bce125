//! Invoices and credit notes: issued once, proactively, numbered without gaps, archived
//! immutably. The PDF engine sits behind [`render::Renderer`].

pub mod archive;
pub mod audit;
pub mod cli;
pub mod content;
pub mod document;
pub mod export;
pub mod issue;
pub mod links;
pub mod numbering;
pub mod pool;
pub mod render;
pub mod served;
pub mod settings;
pub mod store;

pub use issue::order_mirrored;
