//! The config file, `aftercare.toml`, as written: every key optional. The sections of the
//! domains (`[invoices]`, `[seller]`, `[returns]`, `[sync]`, `[woocommerce]`, `[tracking]`, `[feeds]`, `[events]`)
//! are the domains' own types; this file only lays them out.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;
use crate::feeds::settings::FileFeeds;
use crate::guides::settings::FileGuides;
use crate::insights::settings::FileInsights;
use crate::invoice::settings::FileInvoices;
use crate::notify::settings::FileNotify;
use crate::privacy::settings::FilePrivacy;
use crate::returns::settings::FileReturns;
use crate::shop::settings::SellerOverrides;
use crate::signed_events::settings::FileEvents;
use crate::store::Synchronous;
use crate::support::settings::FileSupport;
use crate::surveys::settings::FileSurveys;
use crate::sync::settings::FileSync;
use crate::tracking::settings::FileTracking;
use crate::woo::settings::FileWoocommerce;

/// A config file's name and text: what [`super::Draft::parse`] reads instead of the disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn read(path: &Path) -> Result<SourceFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        Ok(SourceFile {
            path: path.to_owned(),
            text,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub client_ip_header: Option<String>,
    pub timezone: Option<String>,
    #[serde(default)]
    pub webhooks: FileWebhooks,
    #[serde(default)]
    pub database: FileDatabase,
    #[serde(default)]
    pub stores: Vec<FileStore>,
    #[serde(default)]
    pub invoices: FileInvoices,
    #[serde(default)]
    pub seller: SellerOverrides,
    #[serde(default)]
    pub returns: FileReturns,
    #[serde(default)]
    pub sync: FileSync,
    #[serde(default)]
    pub woocommerce: FileWoocommerce,
    #[serde(default)]
    pub tracking: FileTracking,
    #[serde(default)]
    pub feeds: FileFeeds,
    #[serde(default)]
    pub events: FileEvents,
    #[serde(default)]
    pub notify: FileNotify,
    #[serde(default)]
    pub support: FileSupport,
    #[serde(default)]
    pub surveys: FileSurveys,
    #[serde(default)]
    pub guides: FileGuides,
    #[serde(default)]
    pub insights: FileInsights,
    #[serde(default)]
    pub privacy: FilePrivacy,
}

impl FileConfig {
    pub fn parse(file: &SourceFile) -> Result<FileConfig, ConfigError> {
        toml::from_str(&file.text).map_err(|e| ConfigError::ParseFile {
            path: file.path.clone(),
            message: e.to_string(),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileWebhooks {
    pub max_body_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDatabase {
    pub synchronous: Option<Synchronous>,
}

/// One `[[stores]]` entry; `id = "default"` configures the default store.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileStore {
    pub id: String,
    #[serde(default)]
    pub webhook_secrets: Vec<String>,
    pub api_key: Option<String>,
    pub url: Option<String>,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    /// This store's time zone, over the top-level `timezone`.
    pub timezone: Option<String>,
}
