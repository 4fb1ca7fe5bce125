//! How times are written: RFC 3339 in UTC, fixed width so that text order is time order.

use jiff::Timestamp;

/// Whole seconds, as WooCommerce's own dates: `2026-11-22T10:00:00Z`.
pub fn seconds(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Milliseconds, for times aftercare records itself: `2026-11-22T10:00:00.123Z`.
pub fn millis(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
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
}
