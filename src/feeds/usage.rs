//! What each provider account costs, counted per store, provider and calendar month:
//! 17TRACK bills every number it newly accepts against the account's monthly quota (100
//! free, reset on the 1st; tracking a registered number again costs nothing), so
//! registrations are counted; every request is counted too (Delivery Tracker publishes no
//! billing unit, so its requests are shown without a limit). The `feed_usage` table keeps
//! the counts across restarts; `feed_accounts` keeps each account's last error.
//!
//! Months are UTC calendar months: 17TRACK says its quota resets "on the 1st" without a
//! zone, so a count may turn a few hours before or after 17TRACK's own.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rusqlite::{Connection, OptionalExtension};

use super::adapter::Provider;
use crate::ids::StoreId;
use crate::store::StoreError;
use crate::time::Stamp;

/// The month `at` counts in: `YYYY-MM`, UTC.
pub fn month(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).strftime("%Y-%m").to_string()
}

/// When the month of `at` ends and its quota renews: the 1st of the next month, 00:00 UTC.
pub fn resets_at(at: Timestamp) -> Timestamp {
    let day = at.to_zoned(TimeZone::UTC).date().first_of_month();
    day.checked_add(1.month())
        .and_then(|d| d.to_zoned(TimeZone::UTC))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// One account's counts in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub registrations: u64,
    pub requests: u64,
}

/// Adds to the month's counts.
pub fn count(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    month: &str,
    add: Usage,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO feed_usage (store_id, provider, month, registrations, requests)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (store_id, provider, month) DO UPDATE SET
            registrations = registrations + excluded.registrations,
            requests = requests + excluded.requests",
    )?
    .execute(rusqlite::params![
        store_id,
        provider.as_str(),
        month,
        add.registrations as i64,
        add.requests as i64
    ])?;
    Ok(())
}

/// The month's counts so far.
pub fn used(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    month: &str,
) -> Result<Usage, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT registrations, requests FROM feed_usage
             WHERE store_id = ?1 AND provider = ?2 AND month = ?3",
        )?
        .query_row((store_id, provider.as_str(), month), |r| {
            Ok(Usage {
                registrations: r.get::<_, i64>(0)? as u64,
                requests: r.get::<_, i64>(1)? as u64,
            })
        })
        .optional()?
        .unwrap_or_default())
}

/// What an account's month counts against its quota: registrations where the provider
/// bills them (it has a `quota`), requests where it publishes no unit.
pub fn billed(usage: Usage, quota: Option<u32>) -> u64 {
    match quota {
        Some(_) => usage.registrations,
        None => usage.requests,
    }
}

/// An account's last error and success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountRow {
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub last_success_at: Option<String>,
}

/// Records how a request to the provider ended: `error` or success.
pub fn outcome(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
    error: Option<&str>,
    now: &Stamp,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO feed_accounts (store_id, provider, last_error, last_error_at, last_success_at)
         VALUES (?1, ?2, ?3, CASE WHEN ?3 IS NOT NULL THEN ?4 END, CASE WHEN ?3 IS NULL THEN ?4 END)
         ON CONFLICT (store_id, provider) DO UPDATE SET
            last_error = COALESCE(excluded.last_error, last_error),
            last_error_at = COALESCE(excluded.last_error_at, last_error_at),
            last_success_at = COALESCE(excluded.last_success_at, last_success_at)",
    )?
    .execute(rusqlite::params![store_id, provider.as_str(), error, now])?;
    Ok(())
}

pub fn account(
    conn: &Connection,
    store_id: &StoreId,
    provider: Provider,
) -> Result<AccountRow, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT last_error, last_error_at, last_success_at FROM feed_accounts
             WHERE store_id = ?1 AND provider = ?2",
        )?
        .query_row((store_id, provider.as_str()), |r| {
            Ok(AccountRow {
                last_error: r.get(0)?,
                last_error_at: r.get(1)?,
                last_success_at: r.get(2)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::in_memory;

    #[test]
    fn months_are_utc_and_renew_on_the_first() {
        let at: Timestamp = "2026-12-31T23:59:59Z".parse().unwrap();
        assert_eq!(month(at), "2026-12");
        assert_eq!(resets_at(at), "2027-01-01T00:00:00Z".parse().unwrap());
        let feb: Timestamp = "2028-02-29T12:00:00Z".parse().unwrap();
        assert_eq!(resets_at(feb), "2028-03-01T00:00:00Z".parse().unwrap());
    }

    #[test]
    fn counts_add_up_per_month_and_the_last_error_stays() {
        let conn = in_memory();
        let store = StoreId::test("s");
        let p = Provider::SeventeenTrack;
        let one = Usage {
            registrations: 3,
            requests: 1,
        };
        count(&conn, &store, p, "2026-12", one).unwrap();
        count(&conn, &store, p, "2026-12", one).unwrap();
        count(&conn, &store, p, "2027-01", one).unwrap();
        assert_eq!(
            used(&conn, &store, p, "2026-12").unwrap(),
            Usage {
                registrations: 6,
                requests: 2
            }
        );
        assert_eq!(
            used(&conn, &store, Provider::DeliveryTracker, "2026-12").unwrap(),
            Usage::default()
        );
        let at = Stamp::test("2026-12-03T10:00:00.000Z");
        outcome(&conn, &store, p, Some("HTTP 503"), &at).unwrap();
        outcome(&conn, &store, p, None, &at).unwrap();
        let row = account(&conn, &store, p).unwrap();
        assert_eq!(row.last_error.as_deref(), Some("HTTP 503"));
        assert!(row.last_success_at.is_some());
    }
}
