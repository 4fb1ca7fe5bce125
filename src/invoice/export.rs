//! `aftercare invoices export`: the archived PDFs issued in a date range, streamed into one
//! ZIP with a CSV manifest for the accountant. Memory stays flat whatever the range: rows
//! come from a database cursor, files are copied through a small buffer, and the manifest
//! is spooled to disk until the end.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::store::{self, ExportRow};
use crate::time;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("`--from` {from} is after `--to` {to}")]
    EmptyRange { from: Date, to: Date },
    #[error("the range cannot be placed in the shop's time zone: {0}")]
    Date(#[from] jiff::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("writing the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the manifest: {0}")]
    Csv(#[from] csv::Error),
    #[error(
        "{number}: the archived file {path} no longer matches its recorded SHA-256; run `aftercare invoices audit`"
    )]
    Changed { number: String, path: String },
}

/// Which documents to export.
#[derive(Debug, Clone)]
pub struct Selection {
    /// First and last issue date, inclusive, each in its store's time zone.
    pub from: Date,
    pub to: Date,
    /// The stores, each with its time zone, in the order their documents are written.
    pub stores: Vec<(String, TimeZone)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub documents: u64,
    /// PDF bytes copied.
    pub bytes: u64,
}

/// The number of documents `selection` covers, for a progress bar.
pub fn count(conn: &Connection, selection: &Selection) -> Result<u64, ExportError> {
    let mut total = 0;
    for (store_id, (from, to)) in ranges(selection)? {
        total += store::count_issued(conn, &from, &to, Some(store_id))?;
    }
    Ok(total)
}

/// A store and its range as UTC text bounds `[from, to)`.
type Range<'a> = (&'a str, (time::Stamp, time::Stamp));

/// Each store's UTC text bounds `[from 00:00, to + 1 day 00:00)` in its time zone.
fn ranges(selection: &Selection) -> Result<Vec<Range<'_>>, ExportError> {
    if selection.from > selection.to {
        return Err(ExportError::EmptyRange {
            from: selection.from,
            to: selection.to,
        });
    }
    let start = |zone: &TimeZone, date: Date| {
        zone.to_ambiguous_zoned(date.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .map(|z| time::millis(z.timestamp()))
    };
    let end = selection.to.tomorrow()?;
    selection
        .stores
        .iter()
        .map(|(store_id, zone)| {
            Ok((
                store_id.as_str(),
                (start(zone, selection.from)?, start(zone, end)?),
            ))
        })
        .collect()
}

/// Writes the selected documents to `out` (a `.zip`), calling `progress` after each one.
/// The archive appears at `out` only when complete.
pub fn export(
    conn: &Connection,
    data_dir: &Path,
    selection: &Selection,
    out: &Path,
    mut progress: impl FnMut(u64),
) -> Result<Summary, ExportError> {
    // Every range is checked before anything is written.
    let ranges = ranges(selection)?;
    let part = with_suffix(out, ".part");
    let manifest_path = with_suffix(out, ".manifest.part");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError::Io { path, source }
    };
    let result = (|| {
        let file = File::create(&part).map_err(io(&part))?;
        let mut zip = ZipWriter::new(BufWriter::new(file));
        let mut manifest = csv::Writer::from_writer(BufWriter::new(
            File::create(&manifest_path).map_err(io(&manifest_path))?,
        ));
        manifest.write_record([
            "file",
            "store",
            "kind",
            "number",
            "order_id",
            "refund_id",
            "invoice_number",
            "issued_at",
            "total",
            "currency",
            "sha256",
        ])?;
        let mut summary = Summary::default();
        let mut buf = vec![0u8; 64 * 1024];
        for (store_id, (from, to)) in &ranges {
            store::for_each_issued(conn, from, to, Some(store_id), |row| {
                let ExportRow {
                    store_id,
                    kind,
                    number,
                    order_id,
                    refund_id,
                    reference,
                    issued_at,
                    total,
                    currency,
                    path,
                    sha256,
                } = row;
                let name = format!("{store_id}/{kind}/{number}.pdf");
                // PDFs are compressed already: stored entries cost no CPU and no size.
                let mut options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Stored)
                    .large_file(false);
                if let Some(modified) = zip_time(&issued_at) {
                    options = options.last_modified_time(modified);
                }
                zip.start_file(name.as_str(), options)?;
                let source = data_dir.join(&path);
                let mut input = File::open(&source).map_err(io(&source))?;
                let mut hasher = Sha256::new();
                loop {
                    let n = input.read(&mut buf).map_err(io(&source))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    zip.write_all(&buf[..n]).map_err(io(&part))?;
                    summary.bytes += n as u64;
                }
                if hex::encode(hasher.finalize()) != sha256 {
                    return Err(ExportError::Changed { number, path });
                }
                manifest.write_record([
                    name.as_str(),
                    &store_id,
                    kind.as_str(),
                    &number,
                    &order_id.to_string(),
                    &if refund_id == 0 {
                        String::new()
                    } else {
                        refund_id.to_string()
                    },
                    reference.as_deref().unwrap_or(""),
                    &issued_at,
                    &total,
                    &currency,
                    &sha256,
                ])?;
                summary.documents += 1;
                progress(summary.documents);
                Ok(())
            })?;
        }
        manifest.flush().map_err(io(&manifest_path))?;
        drop(manifest);
        zip.start_file(
            "manifest.csv",
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        )?;
        let mut spooled = File::open(&manifest_path).map_err(io(&manifest_path))?;
        std::io::copy(&mut spooled, &mut zip).map_err(io(&part))?;
        let file = zip.finish()?.into_inner().map_err(|e| ExportError::Io {
            path: part.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io(&part))?;
        Ok(summary)
    })();
    let _ = std::fs::remove_file(&manifest_path);
    match result {
        Ok(summary) => {
            std::fs::rename(&part, out).map_err(io(out))?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

/// The issue time as a ZIP entry time (UTC; ZIP has no zone).
fn zip_time(issued_at: &str) -> Option<zip::DateTime> {
    let t = time::parse(issued_at)?.to_zoned(TimeZone::UTC).datetime();
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).ok()?,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .ok()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
