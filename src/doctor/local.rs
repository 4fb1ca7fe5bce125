//! What lies on this machine: the data dir, the secrets, the database and the fonts.

use std::path::Path;

use super::Finding;
use crate::config::Config;
use crate::invoice::render::{FontSource, PdfRenderer};
use crate::store::migrations::SCHEMA_VERSION;

/// Below this, writes will soon fail; below a tenth of it, they may any moment.
const LOW_SPACE: u64 = 1024 * 1024 * 1024;
/// Korean as the invoices and messages write it: every installation speaks it.
const KOREAN: &str = "거래명세서 김민지 고객님";
/// Recent orders whose names and addresses are checked against the fonts.
const RECENT_ORDERS: u32 = 500;

pub(super) fn data_dir(dir: &Path, found: &mut Vec<Finding>) {
    const CHECK: &str = "data dir";
    let shown = dir.display();
    let Ok(meta) = std::fs::metadata(dir) else {
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
        if parent.is_none_or(|p| p.is_dir() && writable(p)) {
            found.push(Finding::ok(
                CHECK,
                format!("{shown} does not exist yet; the first start creates it (mode 0700)"),
            ));
        } else {
            found.push(Finding::fail(
                CHECK,
                format!("{shown} does not exist and cannot be created here"),
                format!(
                    "create it for the user aftercare runs as: install -d -m 0700 -o aftercare {shown}"
                ),
            ));
        }
        return;
    };
    if !meta.is_dir() {
        found.push(Finding::fail(
            CHECK,
            format!("{shown} is not a directory"),
            "point data_dir (AFTERCARE_DATA_DIR, --data-dir) at a directory",
        ));
        return;
    }
    if !writable(dir) {
        found.push(Finding::fail(
            CHECK,
            format!("{shown} is not writable by this user"),
            format!(
                "run aftercare (and this check) as the user that owns it, e.g. \
                 sudo -u aftercare aftercare doctor, or: chown -R aftercare: {shown}"
            ),
        ));
        return;
    }
    let space = match free_bytes(dir) {
        Some(free) if free < LOW_SPACE / 10 => {
            found.push(Finding::fail(
                CHECK,
                format!("{shown}: only {} MiB free", free / (1024 * 1024)),
                "free space on that disk: writes fail when it is full (deliveries get 503)",
            ));
            return;
        }
        Some(free) if free < LOW_SPACE => {
            found.push(Finding::warn(
                CHECK,
                format!("{shown}: {} MiB free", free / (1024 * 1024)),
                "free space or grow the disk: invoices and the database grow with every order",
            ));
            return;
        }
        Some(free) => format!("{:.1} GiB free", free as f64 / LOW_SPACE as f64),
        None => "free space unknown".to_owned(),
    };
    if mode(&meta) & 0o007 != 0 {
        found.push(Finding::warn(
            CHECK,
            format!("{shown} can be read by every user of this machine"),
            format!("it holds customers' data and secrets: chmod 700 {shown}"),
        ));
        return;
    }
    found.push(Finding::ok(CHECK, format!("{shown}: writable, {space}")));
}

pub(super) fn secrets(config: &Config, found: &mut Vec<Finding>) {
    let Some(file) = &config.generated_secrets else {
        return;
    };
    let shown = file.path.display();
    if file.fresh {
        found.push(Finding::ok(
            "secrets",
            format!("{shown} does not exist yet; the first start writes it (mode 0600)"),
        ));
        return;
    }
    match std::fs::metadata(&file.path) {
        Ok(meta) if mode(&meta) & 0o077 != 0 => found.push(Finding::fail(
            "secrets",
            format!("{shown} can be read by other users"),
            format!("chmod 600 {shown}"),
        )),
        Ok(_) => found.push(Finding::ok("secrets", format!("{shown}: private"))),
        Err(e) => found.push(Finding::fail(
            "secrets",
            format!("{shown}: {e}"),
            "restore it from a backup, or set the webhook secret and API key in the configuration",
        )),
    }
}

pub(super) fn database(config: &Config, found: &mut Vec<Finding>) {
    const CHECK: &str = "database";
    let path = config.database_path();
    let shown = path.display();
    if !path.exists() {
        found.push(Finding::ok(
            CHECK,
            format!("{shown} does not exist yet; the first start creates it"),
        ));
        return;
    }
    let restore = "stop aftercare, then restore the last backup into a new directory: \
                   aftercare restore --from FILE --data-dir NEW_DIR (docs/operations.md, Backups)";
    let conn = match crate::store::open_read_only(&path) {
        Ok(conn) => conn,
        Err(e) => {
            found.push(Finding::fail(
                CHECK,
                format!("{shown} cannot be opened: {e}"),
                "check that the user aftercare runs as owns it",
            ));
            return;
        }
    };
    let checked = conn
        .query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
        .and_then(|check| {
            let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            Ok((check, usize::try_from(version).unwrap_or(0)))
        });
    let (check, version) = match checked {
        Ok(answer) => answer,
        Err(e) => {
            found.push(Finding::fail(CHECK, format!("{shown}: {e}"), restore));
            return;
        }
    };
    if check != "ok" {
        found.push(Finding::fail(
            CHECK,
            format!("{shown} is damaged: {check}"),
            restore,
        ));
    } else if version > SCHEMA_VERSION {
        found.push(Finding::fail(
            CHECK,
            format!(
                "{shown} was written by a newer aftercare (schema {version}; this one knows {SCHEMA_VERSION})"
            ),
            "install that newer aftercare again, or restore a backup taken before the upgrade",
        ));
    } else {
        let orders: i64 = conn
            .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
            .unwrap_or(0);
        let upgrade = if version < SCHEMA_VERSION {
            format!(
                "; the next start upgrades schema {version} to {SCHEMA_VERSION} (take a backup first)"
            )
        } else {
            String::new()
        };
        found.push(Finding::ok(
            CHECK,
            format!("{shown}: intact, {orders} orders mirrored{upgrade}"),
        ));
    }
}

pub(super) fn fonts(config: &Config, found: &mut Vec<Finding>) {
    const CHECK: &str = "fonts";
    let configured: Vec<FontSource> = config
        .invoices
        .fallback_fonts
        .iter()
        .map(|(path, face)| FontSource::with_face(path, *face))
        .collect();
    let renderer = match PdfRenderer::new(&configured) {
        Ok(renderer) => renderer,
        Err(e) => {
            found.push(Finding::fail(
                CHECK,
                e.to_string(),
                "install the font or correct [invoices] fallback_fonts",
            ));
            return;
        }
    };
    if !renderer.missing_glyphs(KOREAN).is_empty() {
        found.push(Finding::fail(
            CHECK,
            "no installed font draws Korean, which invoices and messages in Korean use",
            "apt install fonts-nanum (or fonts-noto-cjk), or name a Korean font in \
             [invoices] fallback_fonts",
        ));
        return;
    }
    // The shop's own scripts: its customers' names and addresses and its product names.
    let (mut orders, mut missing) = (0, Vec::new());
    let path = config.database_path();
    if let Ok(conn) = crate::store::open_read_only(&path)
        && let Ok(mut stmt) = conn.prepare(&format!(
            "SELECT raw FROM orders ORDER BY date_modified DESC LIMIT {RECENT_ORDERS}"
        ))
        && let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(0))
    {
        for raw in rows.flatten() {
            let lacking = renderer.missing_glyphs(&printed_text(&raw));
            if !lacking.is_empty() {
                orders += 1;
                for c in lacking {
                    if !missing.contains(&c) && missing.len() < 8 {
                        missing.push(c);
                    }
                }
            }
        }
    }
    let used = renderer
        .fallbacks()
        .iter()
        .map(|f| f.path.display().to_string())
        .collect::<Vec<_>>();
    if orders > 0 {
        let sample: String = missing.iter().map(|c| format!("'{c}' ")).collect();
        found.push(Finding::warn(
            CHECK,
            format!(
                "{orders} of the last {RECENT_ORDERS} orders have characters no font draws \
                 ({}): their invoices show boxes",
                sample.trim_end()
            ),
            "add a font that has them to [invoices] fallback_fonts (Debian's fonts-noto-core \
             covers most scripts)",
        ));
    } else {
        found.push(Finding::ok(
            CHECK,
            format!("DejaVu Sans, then {}", used.join(", ")),
        ));
    }
}

/// The words of an order that its invoice prints: names, addresses, items, the note.
fn printed_text(raw: &str) -> String {
    let Ok(order) = serde_json::from_str::<serde_json::Value>(raw) else {
        return String::new();
    };
    let mut text = String::new();
    for party in ["billing", "shipping"] {
        for field in [
            "first_name",
            "last_name",
            "company",
            "address_1",
            "address_2",
            "city",
            "state",
        ] {
            if let Some(s) = order[party][field].as_str() {
                text.push_str(s);
                text.push(' ');
            }
        }
    }
    for item in order["line_items"].as_array().into_iter().flatten() {
        if let Some(name) = item["name"].as_str() {
            text.push_str(name);
            text.push(' ');
        }
    }
    if let Some(note) = order["customer_note"].as_str() {
        text.push_str(note);
    }
    text
}

fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode()
}

/// Whether this user may create files in `dir` (as the kernel would decide).
fn writable(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt as _;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// Bytes an unprivileged user may still write on the file system holding `dir`.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: a valid path and a buffer of the right type, filled by the call on success.
    if unsafe { libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled the buffer.
    let stat = unsafe { stat.assume_init() };
    // Their widths differ between platforms (u32 on some 32-bit ones).
    #[allow(clippy::unnecessary_cast)]
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}
