//! The public tracking page's token (`/t/{token}`).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A page token: the tracking row's id (8 bytes, big-endian) then 128 random bits,
/// base64url, 32 characters. The id finds the row without an index over random values
/// (which would scatter every insert across the index); the random part is the secret.
/// Stored and sent as the plain text.
#[derive(Clone, PartialEq, Eq)]
pub struct TrackingToken(String);

impl TrackingToken {
    /// A fresh token for tracking row `row_id`.
    pub fn new(row_id: i64) -> Self {
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&row_id.to_be_bytes());
        let secret: [u8; 16] = rand::rng().random();
        bytes[8..].copy_from_slice(&secret);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A well-formed token (checked before any database look-up); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        row_of(text).map(|_| Self(text.to_owned()))
    }

    /// The tracking row the token names.
    pub fn row(&self) -> i64 {
        row_of(&self.0).expect("checked when made")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compared in constant time: the random part is a secret.
    pub fn matches(&self, other: &TrackingToken) -> bool {
        constant_time_eq::constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

fn row_of(text: &str) -> Option<i64> {
    if text.len() != 32 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let id = i64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
    (bytes.len() == 24 && id > 0).then_some(id)
}

impl fmt::Display for TrackingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Names the row only: the secret part stays out of debug output and logs.
impl fmt::Debug for TrackingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrackingToken(row {})", self.row())
    }
}

impl ToSql for TrackingToken {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.0.as_bytes())))
    }
}

/// The database holds only tokens made by [`TrackingToken::new`].
impl FromSql for TrackingToken {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Self::parse(text).ok_or_else(|| FromSqlError::Other("a malformed tracking token".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_row_and_128_random_bits() {
        let a = TrackingToken::new(7);
        let b = TrackingToken::new(7);
        assert_eq!(a.as_str().len(), 32);
        assert_ne!(a, b, "the secret part differs");
        assert!(!a.matches(&b));
        assert_eq!(TrackingToken::parse(a.as_str()).map(|t| t.row()), Some(7));
        assert_eq!(TrackingToken::new(1 << 40).row(), 1 << 40);
        assert_eq!(TrackingToken::parse("short"), None);
        assert_eq!(
            TrackingToken::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None,
            "row 0"
        );
        assert_eq!(
            TrackingToken::parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/="),
            None
        );
    }
}
