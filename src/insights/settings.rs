//! `[insights]` in the config file; `AFTERCARE_INSIGHTS_ACTIVE_DAYS` overrides it.
//!
//! ```toml
//! [insights]
//! active_days = 90   # a customer is active while they bought within this many days
//! ```

use serde::Deserialize;

use crate::invalid::Invalid;

pub const DEFAULT_ACTIVE_DAYS: u32 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsightSettings {
    pub active_days: u32,
}

impl Default for InsightSettings {
    fn default() -> Self {
        Self {
            active_days: DEFAULT_ACTIVE_DAYS,
        }
    }
}

/// `[insights]` as written; the variable arrives as text.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileInsights {
    pub active_days: Option<i64>,
    #[serde(skip)]
    pub active_days_env: Option<String>,
}

pub fn build(file: FileInsights) -> Result<InsightSettings, Invalid> {
    let bad = |field: &str| Invalid::new(field, "must be a whole number of days from 1 to 3650");
    let active_days = match (file.active_days_env, file.active_days) {
        (Some(text), _) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=3650).contains(n))
            .ok_or_else(|| bad("AFTERCARE_INSIGHTS_ACTIVE_DAYS"))?,
        (None, Some(n)) if (1..=3650).contains(&n) => n,
        (None, Some(_)) => return Err(bad("insights.active_days")),
        (None, None) => i64::from(DEFAULT_ACTIVE_DAYS),
    };
    Ok(InsightSettings {
        active_days: active_days as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_days_come_from_the_variable_over_the_file() {
        assert_eq!(build(FileInsights::default()).unwrap().active_days, 90);
        let file = FileInsights {
            active_days: Some(60),
            active_days_env: None,
        };
        assert_eq!(build(file).unwrap().active_days, 60);
        let file = FileInsights {
            active_days: Some(60),
            active_days_env: Some("120".into()),
        };
        assert_eq!(build(file).unwrap().active_days, 120);
        for bad in ["0", "x", "3651"] {
            let file = FileInsights {
                active_days: None,
                active_days_env: Some(bad.into()),
            };
            let error = build(file).unwrap_err().to_string();
            assert!(error.contains("AFTERCARE_INSIGHTS_ACTIVE_DAYS"), "{error}");
        }
        let file = FileInsights {
            active_days: Some(0),
            active_days_env: None,
        };
        assert!(
            build(file)
                .unwrap_err()
                .to_string()
                .contains("insights.active_days")
        );
    }
}
