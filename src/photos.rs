//! Photos customers attach (to a return, to a support request): recognised by their bytes
//! (never by name or declared type), at most three of at most 5 MB each, staged durably
//! under the data dir and moved into place once their record is written. Each domain
//! names its own folder (`returns`, `support`) and where a photo finally lives.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rand::RngExt as _;
use sha2::{Digest, Sha256};

use crate::validation::FieldError;

pub const MAX_PHOTOS: usize = 3;
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// The image formats accepted, by their signature.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// Why a photo is refused, as a sentence for the customer.
pub fn check(bytes: &[u8]) -> Result<(&'static str, &'static str), String> {
    if bytes.is_empty() {
        return Err("The photo is empty.".into());
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(format!(
            "The photo is larger than {} MB.",
            MAX_PHOTO_BYTES / (1024 * 1024)
        ));
    }
    sniff(bytes).ok_or_else(|| "Only JPEG, PNG or WebP images can be attached.".into())
}

/// Every problem with a set of photos, by field (`photos`, `photos[i]`).
pub fn check_all(photos: &[&[u8]]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if photos.len() > MAX_PHOTOS {
        problems.push(FieldError::new(
            "photos",
            format!("Attach at most {MAX_PHOTOS} photos."),
        ));
    }
    for (i, bytes) in photos.iter().enumerate() {
        if let Err(message) = check(bytes) {
            problems.push(FieldError::new(format!("photos[{i}]"), message));
        }
    }
    problems
}

/// A photo written to a temporary file, waiting for its record to be written.
#[derive(Debug)]
pub struct Staged {
    pub temp: PathBuf,
    pub content_type: &'static str,
    pub extension: &'static str,
    pub bytes: u64,
    pub sha256: String,
}

/// Writes an already checked photo durably under a temporary name in `area`'s staging
/// folder (`{data_dir}/{area}/.staging`).
pub fn stage(data_dir: &Path, area: &str, bytes: &[u8]) -> std::io::Result<Staged> {
    let (content_type, extension) =
        sniff(bytes).ok_or_else(|| std::io::Error::other("not an accepted image"))?;
    let dir = data_dir.join(area).join(".staging");
    std::fs::create_dir_all(&dir)?;
    let name: u64 = rand::rng().random();
    let temp = dir.join(format!("{name:016x}.{extension}"));
    let mut file = std::fs::File::create_new(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(Staged {
        temp,
        content_type,
        extension,
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// Why photos could not be staged.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("staging a photo: {0}")]
    Stage(#[from] std::io::Error),
    #[error("the photo staging task panicked")]
    Panicked,
}

/// Stages every photo, off the async runtime (the writes are synced to disk). On failure
/// the photos staged so far are discarded.
pub async fn stage_all<B>(
    data_dir: PathBuf,
    area: &'static str,
    photos: Vec<B>,
) -> Result<Vec<Staged>, PhotoError>
where
    B: AsRef<[u8]> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut staged = Vec::new();
        for bytes in &photos {
            match stage(&data_dir, area, bytes.as_ref()) {
                Ok(s) => staged.push(s),
                Err(e) => {
                    discard(&staged);
                    return Err(PhotoError::Stage(e));
                }
            }
        }
        Ok(staged)
    })
    .await
    .map_err(|_| PhotoError::Panicked)?
}

/// Moves a staged photo into place (`relative` to the data dir), durably.
pub fn publish(data_dir: &Path, staged: &Staged, relative: &str) -> std::io::Result<()> {
    let target = data_dir.join(relative);
    let parent = target.parent().expect("photos live in a folder");
    std::fs::create_dir_all(parent)?;
    std::fs::rename(&staged.temp, &target)?;
    std::fs::File::open(parent)?.sync_all()
}

pub fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = std::fs::remove_file(&s.temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
            Some(("image/jpeg", "jpg"))
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(("image/png", "png"))
        );
        assert_eq!(
            sniff(b"RIFF\x24\0\0\0WEBPVP8 "),
            Some(("image/webp", "webp"))
        );
        // A PHP script named photo.jpg, an SVG, a GIF, a truncated header.
        for bad in [
            &b"<?php system($_GET['c']); ?>"[..],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"GIF89a\x01\0\x01\0",
            b"RIFF\x24\0\0\0WAVE",
            b"\xFF\xD8",
        ] {
            assert_eq!(sniff(bad), None);
        }
        assert!(check(&[]).is_err());
        let mut big = b"\xFF\xD8\xFF".to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert!(check(&big).unwrap_err().contains("5 MB"));
        big.truncate(MAX_PHOTO_BYTES);
        assert!(check(&big).is_ok());
    }

    #[test]
    fn every_bad_photo_is_named_by_its_position() {
        let php: &[u8] = b"<?php echo 1;";
        let png: &[u8] = b"\x89PNG\r\n\x1a\n";
        let fields: Vec<String> = check_all(&[php, png, php, php])
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["photos", "photos[0]", "photos[2]", "photos[3]"]);
        assert!(check_all(&[png]).is_empty());
    }
}
