//! Insights: the figures a store lives by (NPS, CSAT, support times and volume, delivery
//! per carrier, returns per product and reason, repeat customers, retention and customer
//! value) over any range of days, each with its formula and sample size (docs/insights.md).
//!
//! Nothing is scanned on request. Triggers on the source tables note every changed record
//! in `insight_pending` inside the writing transaction; [`maintain::catch_up`] folds those
//! records into per-day counters and duration lists, keeping what each record contributed
//! so that its next change is applied as a difference ([`contribution`]). [`report`] then
//! reads a year as a few hundred aggregate rows.

pub mod charts;
pub mod contribution;
pub mod day;
pub mod keeper;
pub mod maintain;
pub mod measure;
pub mod report;
pub mod settings;
mod sources;
mod store;
pub mod tables;

pub use day::{Day, Range};
pub use measure::{Entity, Measure, ValueMeasure};
pub use report::Insights;
pub use settings::InsightSettings;
pub use sources::order::customer_key;

use crate::ids::StoreId;
use crate::support::settings::Hours;
use crate::tracking::calendar::Calendar;

/// What the figures of one store are computed with.
#[derive(Debug, Clone)]
pub struct Context {
    pub store: StoreId,
    /// The shop's calendar: its time zone decides which day a record falls on, its business
    /// days (with `hours`) the business-hours durations.
    pub calendar: Calendar,
    pub hours: Hours,
    /// A customer is active while they bought within this many days.
    pub active_days: u32,
}

impl Context {
    /// Everything the stored aggregates depend on: when it changes they are rebuilt.
    pub fn basis(&self) -> String {
        format!(
            "v1|{}|{:?}|{}",
            self.calendar.fingerprint(),
            self.hours,
            self.active_days
        )
    }
}
