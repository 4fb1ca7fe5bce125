//! The customer's rights over what aftercare holds of them: an export of everything kept
//! for an e-mail address, an erasure that anonymises it, and a retention period after
//! which old orders are anonymised on their own. docs/privacy.md lists, table by table,
//! what is personal and what each operation does with it.
//!
//! Who a person is: every order whose billing e-mail is theirs (compared without case),
//! and for a registered customer every other order of the same customer id; then what
//! hangs on those orders (returns, requests, surveys, messages, parcels' feeds, signed
//! events) and what is kept by address alone (messages, unsubscribes, surveys).
//!
//! Issued invoices and credit notes are never touched: tax law requires the shop to keep
//! them. They are reported as retained, with that reason.

pub mod anonymise;
pub mod erase;
pub mod export;
pub mod retention;
pub mod settings;
pub mod subject;

pub use erase::Erasure;
pub use export::Export;
pub use settings::PrivacySettings;

/// What every erased name, address, phone, comment and message becomes.
pub const MARKER: &str = "[erased]";

/// Why issued documents outlive an erasure, in the words the eraser reports.
pub const RETAINED_REASON: &str = "Issued invoices and credit notes are kept because tax law requires the shop to keep them for the legal retention period.";
