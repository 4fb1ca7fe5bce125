//! The files of a data directory a backup carries: everything but the live database files
//! (the snapshot replaces them) and half-written staging files.

use std::path::{Path, PathBuf};

use super::DATABASE;

/// Relative paths of the regular files under `root`, sorted; symlinks are not followed.
pub fn files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(rel) = dirs.pop() {
        for entry in std::fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name();
            let path = rel.join(&name);
            let kind = entry.file_type()?;
            if kind.is_dir() {
                // Documents and photos are written here first, then moved into place.
                if name != ".staging" {
                    dirs.push(path);
                }
            } else if kind.is_file() && !is_live_database(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_live_database(rel: &Path) -> bool {
    let Some(name) = rel.to_str() else {
        return false;
    };
    name == DATABASE
        || name
            .strip_prefix(DATABASE)
            .is_some_and(|rest| matches!(rest, "-wal" | "-shm" | "-journal"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_database_and_staging_files_stay_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "aftercare.sqlite3",
            "aftercare.sqlite3-wal",
            "aftercare.sqlite3-shm",
            "secrets.toml",
            "documents/default/2026/INV-1.pdf",
            "documents/.staging/half.pdf",
            "returns/3/1.jpg",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let found: Vec<String> = files(root)
            .unwrap()
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            found,
            [
                "documents/default/2026/INV-1.pdf",
                "returns/3/1.jpg",
                "secrets.toml"
            ]
        );
    }
}
