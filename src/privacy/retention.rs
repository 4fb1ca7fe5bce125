//! The retention period: once a day per store, orders created more than `retain_years`
//! ago are anonymised the way an erasure request does it (their issued documents stay).
//! The `privacy_retention` job carries the schedule: [`schedule`] makes it due at start,
//! and each run defers it by a day (or, with more old orders than one batch, by a moment,
//! so a first pass over years of history does not hold the writer for long).

use std::path::PathBuf;
use std::time::Duration;

use jiff::{Span, Timestamp, ToSpan as _};
use rusqlite::{Connection, params};

use super::PrivacySettings;
use super::anonymise::{self, Cause, Counts};
use super::erase::delete_files;
use crate::ids::{OrderId, StoreId};
use crate::jobs::{self, Job, JobKind, Outcome, Registry};
use crate::store::{Db, StoreError};
use crate::time;

/// Orders anonymised per transaction.
pub const BATCH: usize = 200;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The retention job's dependencies.
#[derive(Clone)]
pub struct Retention {
    pub db: Db,
    pub settings: PrivacySettings,
    pub data_dir: PathBuf,
}

/// The moment before which an order is past retention.
pub fn cutoff(now: Timestamp, years: u32) -> Timestamp {
    let span: Span = (years as i64).years();
    now.to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(span)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MIN)
}

/// Anonymises up to [`BATCH`] orders of `store` created before `before` that are not
/// anonymised yet. Answers what it did and the photo files to delete after commit.
pub fn pass(
    conn: &Connection,
    store: &StoreId,
    before: Timestamp,
    now: &time::Stamp,
) -> Result<(usize, Counts, Vec<String>), StoreError> {
    let orders: Vec<OrderId> = conn
        .prepare_cached(
            "SELECT o.order_id FROM orders o
             WHERE o.store_id = ?1 AND o.date_created < ?2
               AND NOT EXISTS (SELECT 1 FROM privacy_erasures e
                               WHERE e.store_id = o.store_id AND e.order_id = o.order_id)
             ORDER BY o.date_created LIMIT ?3",
        )?
        .query_map(params![store, time::seconds(before), BATCH as i64], |r| {
            r.get(0)
        })?
        .collect::<Result<_, _>>()?;
    let done = anonymise::run(conn, store, &orders, &[], Cause::Retention, now)?;
    Ok((orders.len(), done.counts, done.files))
}

/// Makes each store's retention job due now (at start), when retention is on.
pub fn schedule(
    conn: &Connection,
    stores: &[StoreId],
    settings: PrivacySettings,
    now: Timestamp,
) -> Result<(), StoreError> {
    if settings.retain_years.is_none() {
        return Ok(());
    }
    let stamp = time::millis(now);
    for store in stores {
        jobs::store::enqueue_at(
            conn,
            store,
            JobKind::PrivacyRetention,
            OrderId::new(0),
            0,
            &stamp,
            &stamp,
        )?;
    }
    Ok(())
}

impl Retention {
    pub fn register(self, registry: &mut Registry) {
        registry.register(JobKind::PrivacyRetention, move |job: Job| {
            let r = self.clone();
            async move { r.run(&job).await }
        });
    }

    /// Schedules every store's pass (see [`schedule`]).
    pub async fn schedule_all(&self, stores: &[StoreId]) -> Result<(), StoreError> {
        let (stores, settings) = (stores.to_vec(), self.settings);
        self.db
            .writer()
            .write(move |c| schedule(c, &stores, settings, Timestamp::now()))
            .await
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Some(years) = self.settings.retain_years else {
            // Switched off since the job was scheduled.
            return Outcome::Done;
        };
        let now = Timestamp::now();
        let before = cutoff(now, years);
        let store = job.store_id.clone();
        let stamp = time::millis(now);
        let result = self
            .db
            .writer()
            .write(move |c| pass(c, &store, before, &stamp))
            .await;
        match result {
            Ok((found, counts, files)) => {
                delete_files(&self.data_dir, &files);
                if found > 0 {
                    tracing::info!(
                        store = %job.store_id,
                        orders = counts.orders,
                        records = counts.total(),
                        "orders past retention anonymised"
                    );
                }
                if found == BATCH {
                    Outcome::Defer(Duration::from_secs(1))
                } else {
                    Outcome::Defer(DAY)
                }
            }
            Err(e) => Outcome::Retry(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_whole_calendar_years_back() {
        let now: Timestamp = "2026-12-03T10:00:00Z".parse().unwrap();
        assert_eq!(cutoff(now, 6).to_string(), "2020-12-03T10:00:00Z");
        let leap: Timestamp = "2028-02-29T00:00:00Z".parse().unwrap();
        assert_eq!(cutoff(leap, 1).to_string(), "2027-02-28T00:00:00Z");
    }
}
