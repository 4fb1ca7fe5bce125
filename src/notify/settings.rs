//! `[notify]` in the config file and the `AFTERCARE_NOTIFY_CHANNEL`, `AFTERCARE_SMTP_URL`,
//! `AFTERCARE_MAIL_FROM`, `AFTERCARE_QUIET_HOURS`, `AFTERCARE_DIGEST_HOUR` and
//! `AFTERCARE_STAFF_EMAIL` variables. Read and validated once.
//!
//! ```toml
//! [notify]
//! channel = "smtp"                      # AFTERCARE_NOTIFY_CHANNEL: wordpress | smtp | none
//! smtp_url = "smtps://user:pass@mail.example.com"   # AFTERCARE_SMTP_URL
//! mail_from = "Shop <shop@example.com>" # AFTERCARE_MAIL_FROM
//! quiet_hours = "21:00-08:00"           # AFTERCARE_QUIET_HOURS, or "off"
//! stale_after_hours = 48
//! order_confirmation = false
//! digest_hour = 8                       # AFTERCARE_DIGEST_HOUR: the staff digest's hour, or "off"
//! staff_email = "team@example.com"      # AFTERCARE_STAFF_EMAIL: else the shop profile's email
//!
//! [notify.stores.second]                # over the keys above, for one store
//! channel = "wordpress"
//! ```
//!
//! The variables set the top-level keys, which every store without its own takes.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan as _, Zoned};
use serde::Deserialize;

use super::model::Channel;
use crate::ids::StoreId;
use crate::invalid::Invalid;
use crate::secret::Secret;

pub const DEFAULT_STALE_AFTER_HOURS: u64 = 48;
pub const DEFAULT_QUIET_HOURS: &str = "21:00-08:00";
/// The staff digest's local hour unless configured.
pub const DEFAULT_DIGEST_HOUR: i8 = 8;

/// A daily window (in the shop's zone) when status updates wait; may wrap midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: Time,
    pub end: Time,
}

impl QuietHours {
    /// `21:00-08:00`; `None` for `off`.
    pub fn parse(text: &str) -> Result<Option<QuietHours>, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let bad = || format!("`{text}` must look like 21:00-08:00, or be `off`");
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let time = |s: &str| -> Result<Time, String> {
            let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
            let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            Time::new(h, m, 0, 0).map_err(|_| bad())
        };
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err(format!("`{text}` is an empty window; write `off` instead"));
        }
        Ok(Some(QuietHours { start, end }))
    }

    /// When the window that holds `now` ends, or `None` when `now` is outside it.
    pub fn ends_after(&self, now: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
        let local = now.to_zoned(zone.clone());
        let t = local.time();
        let inside = if self.start < self.end {
            t >= self.start && t < self.end
        } else {
            t >= self.start || t < self.end
        };
        if !inside {
            return None;
        }
        let today_end = local.date().to_datetime(self.end);
        let end: Zoned = if t < self.end {
            today_end.to_zoned(zone.clone()).ok()?
        } else {
            today_end
                .checked_add(1.day())
                .ok()?
                .to_zoned(zone.clone())
                .ok()?
        };
        Some(end.timestamp())
    }
}

/// One store's way out.
#[derive(Debug, Clone)]
pub struct StoreNotify {
    pub channel: Channel,
    /// `smtp://` or `smtps://`, possibly with user and password: never logged.
    pub smtp_url: Option<Secret>,
    pub mail_from: Option<String>,
    /// The hour (0-23, the shop's zone) of the daily staff digest; `None`: no digest.
    pub digest_hour: Option<i8>,
    /// Where the staff digest goes instead of the shop profile's email.
    pub staff_email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NotifySettings {
    pub quiet_hours: Option<QuietHours>,
    /// A carrier event older than this is history, not news.
    pub stale_after: SignedDuration,
    /// aftercare's own order confirmation (for stores without WordPress mail).
    pub order_confirmation: bool,
    default: StoreNotify,
    stores: HashMap<StoreId, StoreNotify>,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            quiet_hours: QuietHours::parse(DEFAULT_QUIET_HOURS).expect("valid default"),
            stale_after: SignedDuration::from_hours(DEFAULT_STALE_AFTER_HOURS as i64),
            order_confirmation: false,
            default: StoreNotify {
                channel: Channel::Wordpress,
                smtp_url: None,
                mail_from: None,
                digest_hour: Some(DEFAULT_DIGEST_HOUR),
                staff_email: None,
            },
            stores: HashMap::new(),
        }
    }
}

impl NotifySettings {
    pub fn store(&self, store: &StoreId) -> &StoreNotify {
        self.stores.get(store).unwrap_or(&self.default)
    }
}

/// `[notify]` as written. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileNotify {
    channel: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    quiet_hours: Option<String>,
    stale_after_hours: Option<u64>,
    order_confirmation: Option<bool>,
    digest_hour: Option<HourText>,
    staff_email: Option<String>,
    #[serde(default)]
    stores: BTreeMap<String, FileStoreNotify>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileStoreNotify {
    channel: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    digest_hour: Option<HourText>,
    staff_email: Option<String>,
}

/// `digest_hour = 8` or `digest_hour = "off"` (the variable is always text).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HourText {
    Number(i64),
    Text(String),
}

/// An hour of the day, or `None` for `off`.
fn digest_hour(field: &str, value: &HourText) -> Result<Option<i8>, Invalid> {
    let bad = || Invalid::new(field, "must be an hour from 0 to 23, or `off`");
    let hour = match value {
        HourText::Text(t) if t.trim().eq_ignore_ascii_case("off") => return Ok(None),
        HourText::Text(t) => t.trim().parse::<i64>().map_err(|_| bad())?,
        HourText::Number(n) => *n,
    };
    if (0..24).contains(&hour) {
        Ok(Some(hour as i8))
    } else {
        Err(bad())
    }
}

fn staff_email(field: &str, text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    text.parse::<lettre::Address>()
        .map(|_| text.to_owned())
        .map_err(|_| Invalid::new(field, "must be an email address like `team@example.com`"))
}

impl FileNotify {
    /// The variables over the file's top-level keys.
    pub fn overlay_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        let set = |value: &mut Option<String>, name: &str| {
            if let Some(v) = env(name) {
                *value = Some(v);
            }
        };
        set(&mut self.channel, "AFTERCARE_NOTIFY_CHANNEL");
        set(&mut self.smtp_url, "AFTERCARE_SMTP_URL");
        set(&mut self.mail_from, "AFTERCARE_MAIL_FROM");
        set(&mut self.quiet_hours, "AFTERCARE_QUIET_HOURS");
        set(&mut self.staff_email, "AFTERCARE_STAFF_EMAIL");
        if let Some(v) = env("AFTERCARE_DIGEST_HOUR") {
            self.digest_hour = Some(HourText::Text(v));
        }
    }
}

fn channel(field: &str, text: &str) -> Result<Channel, Invalid> {
    Channel::parse(text.trim())
        .ok_or_else(|| Invalid::new(field, "must be `wordpress`, `smtp` or `none`"))
}

/// Checks an SMTP URL without ever repeating it (it may hold a password).
fn smtp_url(field: &str, text: &str) -> Result<Secret, Invalid> {
    let ok = url::Url::parse(text)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some());
    if ok {
        Ok(Secret::new(text))
    } else {
        Err(Invalid::new(
            field,
            "must be smtp://host:port or smtps://host:port (user and password allowed)",
        ))
    }
}

fn mail_from(field: &str, text: &str) -> Result<String, Invalid> {
    text.parse::<lettre::message::Mailbox>()
        .map(|_| text.to_owned())
        .map_err(|_| Invalid::new(field, "must be an address like `Shop <shop@example.com>`"))
}

fn store_notify(
    prefix: &str,
    own: &FileStoreNotify,
    fallback: &StoreNotify,
) -> Result<StoreNotify, Invalid> {
    let (channel_text, url, from) = (
        own.channel.as_deref(),
        own.smtp_url.as_deref(),
        own.mail_from.as_deref(),
    );
    let out = StoreNotify {
        channel: match channel_text {
            Some(text) => channel(&format!("{prefix}channel"), text)?,
            None => fallback.channel,
        },
        smtp_url: match url {
            Some(text) => Some(smtp_url(&format!("{prefix}smtp_url"), text)?),
            None => fallback.smtp_url.clone(),
        },
        mail_from: match from {
            Some(text) => Some(mail_from(&format!("{prefix}mail_from"), text)?),
            None => fallback.mail_from.clone(),
        },
        digest_hour: match &own.digest_hour {
            Some(value) => digest_hour(&format!("{prefix}digest_hour"), value)?,
            None => fallback.digest_hour,
        },
        staff_email: match own.staff_email.as_deref() {
            Some(text) => Some(staff_email(&format!("{prefix}staff_email"), text)?),
            None => fallback.staff_email.clone(),
        },
    };
    if out.channel == Channel::Smtp && (out.smtp_url.is_none() || out.mail_from.is_none()) {
        return Err(Invalid::new(
            format!("{prefix}channel"),
            "`smtp` needs smtp_url and mail_from (AFTERCARE_SMTP_URL, AFTERCARE_MAIL_FROM)",
        ));
    }
    Ok(out)
}

pub fn build(file: FileNotify, store_ids: &[&StoreId]) -> Result<NotifySettings, Invalid> {
    let base = NotifySettings::default();
    let quiet_hours = match file.quiet_hours.as_deref() {
        Some(text) => QuietHours::parse(text).map_err(|m| Invalid::new("notify.quiet_hours", m))?,
        None => base.quiet_hours,
    };
    let stale_after = match file.stale_after_hours {
        Some(0) => {
            return Err(Invalid::new(
                "notify.stale_after_hours",
                "must be at least 1",
            ));
        }
        Some(h) => SignedDuration::from_hours(h.min(24 * 365) as i64),
        None => base.stale_after,
    };
    let top = FileStoreNotify {
        channel: file.channel,
        smtp_url: file.smtp_url,
        mail_from: file.mail_from,
        digest_hour: file.digest_hour,
        staff_email: file.staff_email,
    };
    let default = store_notify("notify.", &top, &base.default)?;
    let mut stores = HashMap::new();
    for (id, own) in file.stores {
        let prefix = format!("notify.stores.{id}.");
        let Some(store) = store_ids.iter().find(|s| s.as_str() == id) else {
            return Err(Invalid::new(prefix.clone(), "names no configured store"));
        };
        let own = store_notify(&prefix, &own, &default)?;
        stores.insert((*store).clone(), own);
    }
    Ok(NotifySettings {
        quiet_hours,
        stale_after,
        order_confirmation: file.order_confirmation.unwrap_or(false),
        default,
        stores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight_and_end_in_the_shops_zone() {
        let q = QuietHours::parse("21:00-08:00").unwrap().unwrap();
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        // 22:30 in Seoul: waits until 08:00 the next morning there.
        assert_eq!(
            q.ends_after(ts("2026-12-03T13:30:00Z"), &seoul),
            Some(ts("2026-12-03T23:00:00Z"))
        );
        // 06:00 in Seoul: until 08:00 the same day.
        assert_eq!(
            q.ends_after(ts("2026-12-02T21:00:00Z"), &seoul),
            Some(ts("2026-12-02T23:00:00Z"))
        );
        assert_eq!(
            q.ends_after(ts("2026-12-03T03:00:00Z"), &seoul),
            None,
            "noon"
        );
        let day = QuietHours::parse("12:00-13:30").unwrap().unwrap();
        assert_eq!(
            day.ends_after(ts("2026-12-03T12:10:00Z"), &TimeZone::UTC),
            Some(ts("2026-12-03T13:30:00Z"))
        );
        assert_eq!(QuietHours::parse("off").unwrap(), None);
        assert!(QuietHours::parse("9pm-8am").is_err());
        assert!(QuietHours::parse("25:00-08:00").is_err());
    }

    #[test]
    fn smtp_needs_a_url_and_a_sender_and_never_repeats_the_url() {
        let file = FileNotify {
            channel: Some("smtp".into()),
            ..FileNotify::default()
        };
        assert!(build(file, &[]).is_err());
        let file = FileNotify {
            smtp_url: Some("http://user:hunter2@mail".into()),
            ..FileNotify::default()
        };
        let err = build(file, &[]).unwrap_err();
        assert!(!err.message.contains("hunter2"));
        let file = FileNotify {
            channel: Some("smtp".into()),
            smtp_url: Some("smtp://user:pw@127.0.0.1:2525".into()),
            mail_from: Some("Shop <shop@example.com>".into()),
            ..FileNotify::default()
        };
        let s = build(file, &[]).unwrap();
        assert_eq!(s.store(&StoreId::default_store()).channel, Channel::Smtp);
    }

    #[test]
    fn the_digest_hour_is_an_hour_or_off_per_store_and_from_the_variable() {
        let second = StoreId::parse("second").unwrap();
        let mut file: FileNotify = toml::from_str(
            "digest_hour = 7\nstaff_email = \"team@example.com\"\n\
             [stores.second]\ndigest_hour = \"off\"\n",
        )
        .unwrap();
        file.overlay_env(&|name| (name == "AFTERCARE_DIGEST_HOUR").then(|| "9".to_owned()));
        let s = build(file, &[&second]).unwrap();
        let own = s.store(&StoreId::default_store());
        assert_eq!(own.digest_hour, Some(9), "the variable over the file");
        assert_eq!(own.staff_email.as_deref(), Some("team@example.com"));
        assert_eq!(s.store(&second).digest_hour, None);
        assert_eq!(
            s.store(&second).staff_email.as_deref(),
            Some("team@example.com")
        );
        assert_eq!(
            NotifySettings::default()
                .store(&StoreId::default_store())
                .digest_hour,
            Some(8)
        );
        for bad in [
            "digest_hour = 24",
            "digest_hour = \"8am\"",
            "staff_email = \"nobody\"",
        ] {
            let file: FileNotify = toml::from_str(bad).unwrap();
            let err = build(file, &[]).unwrap_err();
            assert!(err.field.starts_with("notify."), "{bad}: {}", err.field);
        }
    }
}
