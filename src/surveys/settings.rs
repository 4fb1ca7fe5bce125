//! `[surveys]` in the config file, and `AFTERCARE_NPS_DELAY_DAYS` and
//! `AFTERCARE_SURVEY_THROTTLE_DAYS` for the default store. Read and validated once.
//!
//! ```toml
//! [surveys]
//! enabled = true
//! nps_delay_days = 7        # days after the order's last parcel was delivered
//! throttle_days = 30        # at most one survey per customer in this many days (0: no limit)
//! csat_delay_hours = 1      # hours after a return closed or a request was solved
//! link_days = 30            # how long a survey link can be answered
//! edit_days = 7             # how long after the first answer it can be changed
//! review_url = "https://www.trustpilot.com/evaluate/shop.example"   # promoters are invited here
//!
//! [surveys.stores.second]   # over the keys above, for one store
//! nps_delay_days = 14
//! ```
//!
//! The two variables set the default store's own keys, over the file's.

use std::collections::{BTreeMap, HashMap};

use jiff::SignedDuration;
use serde::Deserialize;

use crate::ids::StoreId;
use crate::invalid::Invalid;

pub const DEFAULT_NPS_DELAY_DAYS: u32 = 7;
pub const DEFAULT_THROTTLE_DAYS: u32 = 30;
pub const DEFAULT_CSAT_DELAY_HOURS: u32 = 1;
pub const DEFAULT_LINK_DAYS: u32 = 30;
pub const DEFAULT_EDIT_DAYS: u32 = 7;

/// One store's survey rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSurveys {
    pub enabled: bool,
    pub nps_delay: SignedDuration,
    /// Zero: no throttle.
    pub throttle: SignedDuration,
    pub csat_delay: SignedDuration,
    pub link_lifetime: SignedDuration,
    pub edit_window: SignedDuration,
    pub review_url: Option<String>,
}

impl Default for StoreSurveys {
    fn default() -> Self {
        Self {
            enabled: true,
            nps_delay: days(DEFAULT_NPS_DELAY_DAYS),
            throttle: days(DEFAULT_THROTTLE_DAYS),
            csat_delay: SignedDuration::from_hours(i64::from(DEFAULT_CSAT_DELAY_HOURS)),
            link_lifetime: days(DEFAULT_LINK_DAYS),
            edit_window: days(DEFAULT_EDIT_DAYS),
            review_url: None,
        }
    }
}

fn days(n: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(n) * 24)
}

#[derive(Debug, Clone, Default)]
pub struct SurveySettings {
    default: StoreSurveys,
    stores: HashMap<StoreId, StoreSurveys>,
}

impl SurveySettings {
    pub fn store(&self, store: &StoreId) -> &StoreSurveys {
        self.stores.get(store).unwrap_or(&self.default)
    }

    /// The same rules for every store (tests, embedding).
    pub fn uniform(rules: StoreSurveys) -> Self {
        Self {
            default: rules,
            stores: HashMap::new(),
        }
    }
}

/// `[surveys]` as written. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSurveys {
    enabled: Option<bool>,
    nps_delay_days: Option<NumberText>,
    throttle_days: Option<NumberText>,
    csat_delay_hours: Option<NumberText>,
    link_days: Option<NumberText>,
    edit_days: Option<NumberText>,
    review_url: Option<String>,
    #[serde(default)]
    stores: BTreeMap<String, FileStoreSurveys>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileStoreSurveys {
    enabled: Option<bool>,
    nps_delay_days: Option<NumberText>,
    throttle_days: Option<NumberText>,
    csat_delay_hours: Option<NumberText>,
    link_days: Option<NumberText>,
    edit_days: Option<NumberText>,
    review_url: Option<String>,
}

/// `7` in the file, `"7"` from a variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NumberText {
    Number(i64),
    Text(String),
}

impl FileSurveys {
    /// The variables over the default store's own keys.
    pub fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        let own = self
            .stores
            .entry(StoreId::default_store().to_string())
            .or_default();
        if let Some(v) = env("AFTERCARE_NPS_DELAY_DAYS") {
            own.nps_delay_days = Some(NumberText::Text(v));
        }
        if let Some(v) = env("AFTERCARE_SURVEY_THROTTLE_DAYS") {
            own.throttle_days = Some(NumberText::Text(v));
        }
    }
}

/// A whole number in `min..=max`, named by the variable when it came from one.
fn number(field: &str, value: &NumberText, min: i64, max: i64) -> Result<u32, Invalid> {
    let bad = || Invalid::new(field, format!("must be a whole number from {min} to {max}"));
    let n = match value {
        NumberText::Number(n) => *n,
        NumberText::Text(t) => t.trim().parse().map_err(|_| bad())?,
    };
    if (min..=max).contains(&n) {
        Ok(n as u32)
    } else {
        Err(bad())
    }
}

fn store_surveys(
    prefix: &str,
    own: &FileStoreSurveys,
    fallback: &StoreSurveys,
    env_names: bool,
) -> Result<StoreSurveys, Invalid> {
    // The default store's delay and throttle may come from the variables: say so.
    let name = |key: &str, var: &str| {
        if env_names {
            format!("{prefix}{key} ({var})")
        } else {
            format!("{prefix}{key}")
        }
    };
    let review_url = match own.review_url.as_deref().map(str::trim) {
        Some("") => None,
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Some(url.to_owned())
        }
        Some(_) => {
            return Err(Invalid::new(
                format!("{prefix}review_url"),
                "must start with https:// or http://",
            ));
        }
        None => fallback.review_url.clone(),
    };
    Ok(StoreSurveys {
        enabled: own.enabled.unwrap_or(fallback.enabled),
        nps_delay: match &own.nps_delay_days {
            Some(v) => days(number(
                &name("nps_delay_days", "AFTERCARE_NPS_DELAY_DAYS"),
                v,
                0,
                365,
            )?),
            None => fallback.nps_delay,
        },
        throttle: match &own.throttle_days {
            Some(v) => days(number(
                &name("throttle_days", "AFTERCARE_SURVEY_THROTTLE_DAYS"),
                v,
                0,
                3650,
            )?),
            None => fallback.throttle,
        },
        csat_delay: match &own.csat_delay_hours {
            Some(v) => SignedDuration::from_hours(i64::from(number(
                &format!("{prefix}csat_delay_hours"),
                v,
                0,
                24 * 60,
            )?)),
            None => fallback.csat_delay,
        },
        link_lifetime: match &own.link_days {
            Some(v) => days(number(&format!("{prefix}link_days"), v, 1, 365)?),
            None => fallback.link_lifetime,
        },
        edit_window: match &own.edit_days {
            Some(v) => days(number(&format!("{prefix}edit_days"), v, 0, 365)?),
            None => fallback.edit_window,
        },
        review_url,
    })
}

pub fn build(file: FileSurveys, store_ids: &[&StoreId]) -> Result<SurveySettings, Invalid> {
    let top = FileStoreSurveys {
        enabled: file.enabled,
        nps_delay_days: file.nps_delay_days.clone(),
        throttle_days: file.throttle_days.clone(),
        csat_delay_hours: file.csat_delay_hours.clone(),
        link_days: file.link_days.clone(),
        edit_days: file.edit_days.clone(),
        review_url: file.review_url.clone(),
    };
    let default = store_surveys("surveys.", &top, &StoreSurveys::default(), false)?;
    let mut stores = HashMap::new();
    for (id, own) in &file.stores {
        let prefix = format!("surveys.stores.{id}.");
        let Some(store) = store_ids.iter().find(|s| s.as_str() == id) else {
            // The variables make an entry for the default store even when it is not listed.
            if id == StoreId::default_store().as_str() {
                let own = store_surveys(&prefix, own, &default, true)?;
                stores.insert(StoreId::default_store(), own);
                continue;
            }
            return Err(Invalid::new(prefix, "names no configured store"));
        };
        let env_names = store.as_str() == StoreId::default_store().as_str();
        let own = store_surveys(&prefix, own, &default, env_names)?;
        stores.insert((*store).clone(), own);
    }
    Ok(SurveySettings { default, stores })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variables_set_the_default_store_and_the_file_the_others() {
        let second = StoreId::parse("second").unwrap();
        let mut file: FileSurveys = toml::from_str(
            "nps_delay_days = 10\nthrottle_days = 60\nreview_url = \"https://reviews.example/shop\"\n\
             [stores.second]\nnps_delay_days = 14\nenabled = false\n",
        )
        .unwrap();
        file.overlay_env(&|name| match name {
            "AFTERCARE_NPS_DELAY_DAYS" => Some("3".to_owned()),
            "AFTERCARE_SURVEY_THROTTLE_DAYS" => Some("0".to_owned()),
            _ => None,
        });
        let s = build(file, &[&StoreId::default_store(), &second]).unwrap();
        let own = s.store(&StoreId::default_store());
        assert_eq!(own.nps_delay, SignedDuration::from_hours(72));
        assert_eq!(own.throttle, SignedDuration::ZERO);
        assert_eq!(
            own.review_url.as_deref(),
            Some("https://reviews.example/shop")
        );
        let other = s.store(&second);
        assert_eq!(other.nps_delay, SignedDuration::from_hours(14 * 24));
        assert_eq!(other.throttle, SignedDuration::from_hours(60 * 24));
        assert!(!other.enabled);
        let defaults = SurveySettings::default();
        let d = defaults.store(&second);
        assert_eq!(d.nps_delay, SignedDuration::from_hours(7 * 24));
        assert_eq!(d.throttle, SignedDuration::from_hours(30 * 24));
    }

    #[test]
    fn bad_values_name_their_key_or_variable() {
        let mut file = FileSurveys::default();
        file.overlay_env(&|name| (name == "AFTERCARE_NPS_DELAY_DAYS").then(|| "a week".to_owned()));
        let err = build(file, &[&StoreId::default_store()]).unwrap_err();
        assert!(
            err.field.contains("AFTERCARE_NPS_DELAY_DAYS"),
            "{}",
            err.field
        );
        for bad in [
            "throttle_days = -1",
            "link_days = 0",
            "review_url = \"javascript:alert(1)\"",
            "[stores.nowhere]\nedit_days = 1",
        ] {
            let file: FileSurveys = toml::from_str(bad).unwrap();
            let err = build(file, &[]).unwrap_err();
            assert!(err.field.starts_with("surveys."), "{bad}: {}", err.field);
        }
        assert!(
            toml::from_str::<FileSurveys>("nps_days = 1").is_err(),
            "unknown keys"
        );
    }
}
