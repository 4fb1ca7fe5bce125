//! How times are written: RFC 3339 in UTC, fixed width so that text order is time order.

use jiff::Timestamp;

/// Whole seconds, as WooCommerce's own dates: `2026-11-22T10:00:00Z`.
pub fn seconds(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Milliseconds, for times aftercare records itself: `2026-11-22T10:00:00.123Z`.
pub fn millis(ts: Timestamp) -> Stamp {
    Stamp(ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// A time aftercare records itself, as [`millis`] writes it; stored as that text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp(String);

impl Stamp {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stored time written as a literal in a test.
    #[cfg(test)]
    pub fn test(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl std::ops::Deref for Stamp {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Stamp> for String {
    fn from(stamp: Stamp) -> String {
        stamp.0
    }
}

impl rusqlite::ToSql for Stamp {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

/// Read back as written.
impl rusqlite::types::FromSql for Stamp {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        String::column_result(value).map(Stamp)
    }
}

/// The calendar date of `ts` in the shop's time zone.
pub fn local_date(ts: Timestamp, tz: &jiff::tz::TimeZone) -> jiff::civil::Date {
    ts.to_zoned(tz.clone()).date()
}

pub fn parse(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_text_sorts_like_time() {
        let a: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-11-22T10:00:00.5Z".parse().unwrap();
        assert_eq!(seconds(a), "2026-11-22T10:00:00Z");
        assert!(millis(a) < millis(b));
        assert_eq!(parse(&millis(b)), Some(b));
    }

    #[test]
    fn local_dates_follow_the_shop_time_zone() {
        // 23:30 UTC on New Year's Eve is already 1 January in Seoul.
        let ts: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
        assert_eq!(local_date(ts, &seoul).to_string(), "2027-01-01");
        assert_eq!(
            local_date(ts, &jiff::tz::TimeZone::UTC).to_string(),
            "2026-12-31"
        );
    }
}
