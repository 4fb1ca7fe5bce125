//! `[guides]` in the config file and `AFTERCARE_GUIDE_DELAY_DAYS`: how many days after
//! an order's last parcel was delivered its `product_guide` message goes.
//!
//! ```toml
//! [guides]
//! delay_days = 3              # AFTERCARE_GUIDE_DELAY_DAYS; 0 sends it on delivery
//!
//! [guides.stores.second]      # one store's own
//! delay_days = 5
//! ```

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::ids::StoreId;
use crate::invalid::Invalid;

pub const DEFAULT_DELAY_DAYS: u32 = 3;
/// More than two months after delivery a guide is no longer "getting started".
pub const MAX_DELAY_DAYS: u32 = 60;

#[derive(Debug, Clone)]
pub struct GuideSettings {
    default_delay_days: u32,
    stores: HashMap<StoreId, u32>,
}

impl Default for GuideSettings {
    fn default() -> Self {
        Self {
            default_delay_days: DEFAULT_DELAY_DAYS,
            stores: HashMap::new(),
        }
    }
}

impl GuideSettings {
    /// Days between the last delivery and the `product_guide` message of `store`.
    pub fn delay_days(&self, store: &StoreId) -> u32 {
        self.stores
            .get(store)
            .copied()
            .unwrap_or(self.default_delay_days)
    }
}

/// `[guides]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileGuides {
    delay_days: Option<DaysText>,
    #[serde(default)]
    stores: BTreeMap<String, FileStoreGuides>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileStoreGuides {
    delay_days: Option<DaysText>,
}

/// A number in the file; the variable is text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DaysText {
    Number(i64),
    Text(String),
}

fn days(field: &str, value: &DaysText) -> Result<u32, Invalid> {
    let bad = || {
        Invalid::new(
            field,
            format!("must be a whole number of days from 0 to {MAX_DELAY_DAYS}"),
        )
    };
    let n = match value {
        DaysText::Number(n) => *n,
        DaysText::Text(t) => t.trim().parse::<i64>().map_err(|_| bad())?,
    };
    if (0..=MAX_DELAY_DAYS as i64).contains(&n) {
        Ok(n as u32)
    } else {
        Err(bad())
    }
}

impl FileGuides {
    /// `AFTERCARE_GUIDE_DELAY_DAYS` over the file's top-level key.
    pub fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        if let Some(v) = env("AFTERCARE_GUIDE_DELAY_DAYS") {
            self.delay_days = Some(DaysText::Text(v));
        }
    }
}

pub fn build(file: FileGuides, store_ids: &[&StoreId]) -> Result<GuideSettings, Invalid> {
    let default_delay_days = match &file.delay_days {
        Some(v) => days("guides.delay_days", v)?,
        None => DEFAULT_DELAY_DAYS,
    };
    let mut stores = HashMap::new();
    for (id, own) in file.stores {
        let prefix = format!("guides.stores.{id}.");
        let Some(store) = store_ids.iter().find(|s| s.as_str() == id) else {
            return Err(Invalid::new(prefix, "names no configured store"));
        };
        if let Some(v) = &own.delay_days {
            stores.insert((*store).clone(), days(&format!("{prefix}delay_days"), v)?);
        }
    }
    Ok(GuideSettings {
        default_delay_days,
        stores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_variable_and_per_store_delays() {
        let default = StoreId::default_store();
        let second = StoreId::test("second");
        let ids = [&default, &second];
        assert_eq!(
            build(FileGuides::default(), &ids)
                .unwrap()
                .delay_days(&default),
            3
        );
        let mut file: FileGuides =
            toml::from_str("delay_days = 5\n[stores.second]\ndelay_days = 0\n").unwrap();
        file.overlay_env(&|name| (name == "AFTERCARE_GUIDE_DELAY_DAYS").then(|| "7".to_owned()));
        let s = build(file, &ids).unwrap();
        assert_eq!((s.delay_days(&default), s.delay_days(&second)), (7, 0));
        let bad: FileGuides = toml::from_str("delay_days = -1").unwrap();
        assert!(build(bad, &ids).is_err());
        let unknown: FileGuides = toml::from_str("[stores.third]\ndelay_days = 1").unwrap();
        assert!(build(unknown, &ids).is_err());
    }
}
