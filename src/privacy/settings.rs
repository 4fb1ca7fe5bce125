//! `[privacy]` in the config file; `AFTERCARE_PRIVACY_RETAIN_YEARS` overrides it.
//!
//! ```toml
//! [privacy]
//! retain_years = 6   # anonymise orders older than this (default: off)
//! ```

use serde::Deserialize;

use crate::invalid::Invalid;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrivacySettings {
    /// Orders created more than this many years ago lose their personal data; `None`
    /// keeps it as long as the order is mirrored.
    pub retain_years: Option<u32>,
}

/// `[privacy]` as written; the variable arrives as text (`off` or empty: switched off).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePrivacy {
    pub retain_years: Option<i64>,
    #[serde(skip)]
    pub retain_years_env: Option<String>,
}

const RANGE: std::ops::RangeInclusive<i64> = 1..=100;

pub fn build(file: FilePrivacy) -> Result<PrivacySettings, Invalid> {
    let bad = |field: &str| {
        Invalid::new(
            field,
            "must be a whole number of years from 1 to 100, or `off`",
        )
    };
    let years = match (file.retain_years_env, file.retain_years) {
        (Some(text), _) => {
            let text = text.trim();
            if text.is_empty() || text.eq_ignore_ascii_case("off") {
                None
            } else {
                Some(
                    text.parse::<i64>()
                        .ok()
                        .filter(|n| RANGE.contains(n))
                        .ok_or_else(|| bad("AFTERCARE_PRIVACY_RETAIN_YEARS"))?,
                )
            }
        }
        (None, Some(n)) if RANGE.contains(&n) => Some(n),
        (None, Some(_)) => return Err(bad("privacy.retain_years")),
        (None, None) => None,
    };
    Ok(PrivacySettings {
        retain_years: years.map(|n| n as u32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(years: Option<i64>, env: Option<&str>) -> FilePrivacy {
        FilePrivacy {
            retain_years: years,
            retain_years_env: env.map(str::to_owned),
        }
    }

    #[test]
    fn retention_is_off_unless_set_and_the_variable_wins() {
        assert_eq!(build(file(None, None)).unwrap().retain_years, None);
        assert_eq!(build(file(Some(6), None)).unwrap().retain_years, Some(6));
        assert_eq!(
            build(file(Some(6), Some("10"))).unwrap().retain_years,
            Some(10)
        );
        assert_eq!(
            build(file(Some(6), Some("off"))).unwrap().retain_years,
            None
        );
        for bad in ["0", "x", "101", "-1"] {
            let error = build(file(None, Some(bad))).unwrap_err().to_string();
            assert!(error.contains("AFTERCARE_PRIVACY_RETAIN_YEARS"), "{error}");
        }
        let error = build(file(Some(0), None)).unwrap_err().to_string();
        assert!(error.contains("privacy.retain_years"), "{error}");
    }
}
