//! Where a return's photos live. The checks and the staging are shared with support
//! requests (`crate::photos`).

use crate::ids::{ReturnId, StoreId};

pub use crate::photos::{MAX_PHOTO_BYTES, MAX_PHOTOS, PhotoError, Staged, discard, publish};

/// The returns' folder under the data dir.
pub const DIR: &str = "returns";

/// Where a return's photo lives, relative to the data dir.
pub fn relative_path(
    store_id: &StoreId,
    return_id: ReturnId,
    position: i64,
    extension: &str,
) -> String {
    format!("{DIR}/{store_id}/{return_id}/{position}.{extension}")
}
