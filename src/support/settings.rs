//! `[support]`: the shop's support hours. Business-hours metrics count only time inside
//! these hours on business days; the business days themselves (weekend, holidays) and the
//! time zone are the shop's calendar that tracking already keeps (`[tracking]`,
//! `shop::timezone`), so the store configures them once.

use serde::Deserialize;

use crate::invalid::Invalid;

/// Default support hours, in the shop's time zone.
pub const DEFAULT_HOURS: &str = "09:00-18:00";

/// The daily hours support works, as minutes after local midnight: `start` < `end` ≤ 1440.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: u16,
    pub end: u16,
}

impl Hours {
    /// `HH:MM-HH:MM` (the end may be `24:00`): `09:00-18:00`, `00:00-24:00`.
    pub fn parse(text: &str) -> Result<Hours, String> {
        let bad = || format!("`{text}` must be HH:MM-HH:MM with the start before the end");
        let (start, end) = text.trim().split_once('-').ok_or_else(bad)?;
        let minutes = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        };
        let (start, end) = (
            minutes(start).ok_or_else(bad)?,
            minutes(end).ok_or_else(bad)?,
        );
        if start >= end {
            return Err(bad());
        }
        Ok(Hours { start, end })
    }
}

#[derive(Debug, Clone)]
pub struct SupportSettings {
    pub hours: Hours,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            hours: Hours::parse(DEFAULT_HOURS).expect("valid default"),
        }
    }
}

/// `[support]` as written in the file; `AFTERCARE_SUPPORT_HOURS` overrides `hours`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSupport {
    pub hours: Option<String>,
}

pub fn build(file: FileSupport) -> Result<SupportSettings, Invalid> {
    let hours = match file.hours.as_deref() {
        Some(text) => Hours::parse(text).map_err(|m| Invalid::new("support.hours", m))?,
        None => SupportSettings::default().hours,
    };
    Ok(SupportSettings { hours })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_strictly() {
        assert_eq!(
            Hours::parse("09:00-18:00"),
            Ok(Hours {
                start: 540,
                end: 1080
            })
        );
        assert_eq!(
            Hours::parse("00:00-24:00"),
            Ok(Hours {
                start: 0,
                end: 1440
            })
        );
        for bad in [
            "18:00-09:00",
            "9:00-18:00",
            "09:00",
            "09:60-10:00",
            "24:30-25:00",
            "",
        ] {
            assert!(Hours::parse(bad).is_err(), "{bad}");
        }
    }
}
