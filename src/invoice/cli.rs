//! The `aftercare invoices ...` commands: what they print and how they exit.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{audit, export};
use crate::ids::StoreId;
use crate::shop::timezone::Zones;
use crate::store;

/// What the invoice commands read, taken from the configuration.
pub struct Sources<'a> {
    pub database: PathBuf,
    /// The archived documents live under it.
    pub data_dir: &'a Path,
    /// Export dates are dates in each store's time zone.
    pub zones: Zones,
    pub store_ids: Vec<&'a str>,
}

fn open(sources: &Sources<'_>) -> anyhow::Result<rusqlite::Connection> {
    let path = &sources.database;
    if !path.exists() {
        anyhow::bail!(
            "no database at {}: run `aftercare serve` with this data dir first",
            path.display()
        );
    }
    store::open_read_only(path).with_context(|| format!("opening {}", path.display()))
}

/// Prints the audit; `Ok(false)` when it found a problem.
pub fn audit(sources: &Sources<'_>) -> anyhow::Result<bool> {
    let conn = open(sources)?;
    let report = audit::run(&conn, sources.data_dir)?;
    for s in &report.series {
        println!(
            "{}: {} document(s), numbers {} to {}",
            s.series, s.count, s.first, s.last
        );
    }
    if report.is_clean() {
        println!(
            "OK: {} document(s) in {} sequence(s); no gaps, no duplicates, every archived file intact.",
            report.documents,
            report.series.len()
        );
        Ok(true)
    } else {
        for problem in &report.problems {
            println!("PROBLEM: {problem}");
        }
        println!(
            "{} problem(s) in {} document(s).",
            report.problems.len(),
            report.documents
        );
        Ok(false)
    }
}

/// What `invoices export` was asked for.
pub struct ExportArgs {
    pub from: Date,
    pub to: Date,
    pub out: PathBuf,
    pub store: Option<String>,
}

pub fn export(sources: &Sources<'_>, args: ExportArgs) -> anyhow::Result<()> {
    if let Some(store) = &args.store
        && !sources.store_ids.contains(&store.as_str())
    {
        anyhow::bail!("there is no store `{store}` in the configuration");
    }
    let conn = open(sources)?;
    let ids = match args.store {
        Some(store) => vec![store],
        None => super::store::stores_with_documents(&conn)?,
    };
    let stores = ids
        .into_iter()
        .map(|id| {
            let zone = match StoreId::parse(&id) {
                Ok(store) => sources.zones.zone(&conn, &store).tz,
                Err(_) => TimeZone::UTC,
            };
            (id, zone)
        })
        .collect();
    let selection = export::Selection {
        from: args.from,
        to: args.to,
        stores,
    };
    let total = export::count(&conn, &selection)?;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}, eta {eta}")
            .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let summary = export::export(&conn, sources.data_dir, &selection, &args.out, |done| {
        bar.set_position(done)
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Wrote {} document(s), {:.1} MB, to {} in {:.1} s ({:.0} documents/s), with manifest.csv.",
        summary.documents,
        summary.bytes as f64 / 1e6,
        args.out.display(),
        seconds,
        summary.documents as f64 / seconds.max(1e-9)
    );
    Ok(())
}
