//! `aftercare doctor`: looks at an installation as support would, and says in plain words
//! what is wrong and how to fix it. It only looks: it creates and changes nothing, sends no
//! message and registers no parcel. Sits at the top, beside the command line.

mod local;
mod remote;

use crate::config::{self, EnvLookup, Flags};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    /// Works, but deserves attention.
    Warn,
    /// Does not work, or will not.
    Fail,
}

/// One thing looked at and what was found.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What was looked at: `configuration`, `data dir`, `WooCommerce (default)`, ...
    pub check: String,
    pub level: Level,
    pub found: String,
    /// What to do about it, for a warning or a failure.
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: impl Into<String>, found: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            level: Level::Ok,
            found: found.into(),
            fix: None,
        }
    }

    fn warn(check: impl Into<String>, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            level: Level::Warn,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }

    fn fail(check: impl Into<String>, found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            level: Level::Fail,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Everything found, in the order it was looked at.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// The report as printed: one line per finding, its fix indented below, a summary.
    pub fn render(&self) -> String {
        let width = self
            .findings
            .iter()
            .map(|f| f.check.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!("aftercare doctor {}\n\n", crate::version::LONG);
        for f in &self.findings {
            let mark = match f.level {
                Level::Ok => "ok  ",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            // A long answer (a TOML error with its excerpt) stays under its finding.
            let found = f
                .found
                .trim_end()
                .replace('\n', &format!("\n      {:width$}  ", ""));
            out.push_str(&format!("{mark}  {:width$}  {found}\n", f.check));
            if let Some(fix) = &f.fix {
                out.push_str(&format!("      {:width$}  fix: {fix}\n", ""));
            }
        }
        let (fails, warns) = (self.count(Level::Fail), self.count(Level::Warn));
        out.push('\n');
        out.push_str(&match (fails, warns) {
            (0, 0) => "Everything looked at is in order.\n".to_owned(),
            (0, w) => format!("No problems; {w} to look at.\n"),
            (f, w) => format!("{f} problem(s) to fix, {w} to look at.\n"),
        });
        out
    }
}

/// Looks at the configuration `flags` and `env` describe, and at everything it names.
pub async fn examine(flags: &Flags, env: EnvLookup<'_>) -> Report {
    let mut report = Report::default();
    let found = &mut report.findings;
    let draft = match config::load(flags, env) {
        Ok(draft) => draft,
        Err(e) => {
            found.push(Finding::fail(
                "configuration",
                e.to_string(),
                "correct the key named above (docs/configuration.md lists every key), then run \
                 aftercare doctor again",
            ));
            return report;
        }
    };
    local::data_dir(draft.data_dir(), found);
    let config = match crate::startup::inspect(draft) {
        Ok(config) => config,
        Err(e) => {
            found.push(Finding::fail(
                "configuration",
                e.to_string(),
                "correct the file or setting named above, then run aftercare doctor again",
            ));
            return report;
        }
    };
    let stores: Vec<String> = config.stores.iter().map(|s| s.id.to_string()).collect();
    found.insert(
        0,
        Finding::ok(
            "configuration",
            format!("read; {} store(s): {}", stores.len(), stores.join(", ")),
        ),
    );
    local::secrets(&config, found);
    local::database(&config, found);
    local::fonts(&config, found);
    remote::woocommerce(&config, found).await;
    remote::smtp(&config, found).await;
    remote::feeds(&config, found).await;
    report
}
