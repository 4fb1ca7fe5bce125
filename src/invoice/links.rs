//! Signed, expiring download links for issued documents: what a guest or an email gets
//! instead of an API key. `{public url}/documents/{id}?expires={unix}&signature={mac}`.
//!
//! The MAC is HMAC-SHA256 over the store, the document id and the expiry, keyed per store
//! with a key derived from the store's API key: rotating the API key revokes every link
//! handed out, and no extra secret needs configuring.

use crate::ids::StoreId;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The per-store key that signs document links.
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn derive(api_key: &str) -> Self {
        let mut mac = HmacSha256::new_from_slice(api_key.as_bytes()).expect("any key length");
        mac.update(b"aftercare document download links v1");
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, store_id: &StoreId, document_id: i64, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("any key length");
        mac.update(format!("{store_id}\n{document_id}\n{expires}").as_bytes());
        mac
    }

    pub fn sign(&self, store_id: &StoreId, document_id: i64, expires: i64) -> String {
        URL_SAFE_NO_PAD.encode(
            self.mac(store_id, document_id, expires)
                .finalize()
                .into_bytes(),
        )
    }

    /// Constant-time check of a signature taken from a URL.
    pub fn verify(
        &self,
        store_id: &StoreId,
        document_id: i64,
        expires: i64,
        signature: &str,
    ) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(signature.trim()) else {
            return false;
        };
        self.mac(store_id, document_id, expires)
            .verify_slice(&tag)
            .is_ok()
    }
}

/// A link and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink {
    pub url: String,
    pub expires_at: Timestamp,
}

/// The public download link of a document, valid until `expires_at` (whole seconds).
pub fn link(
    key: &LinkKey,
    base_url: &str,
    store_id: &StoreId,
    document_id: i64,
    expires_at: Timestamp,
) -> SignedLink {
    let expires = expires_at.as_second();
    let signature = key.sign(store_id, document_id, expires);
    SignedLink {
        url: format!("{base_url}/documents/{document_id}?expires={expires}&signature={signature}"),
        expires_at: Timestamp::from_second(expires).unwrap_or(expires_at),
    }
}

/// A link valid for at least `ttl` from `now`. The expiry is rounded up to the next
/// midnight UTC, so a link stays the same all day and the plugin can cache the order view.
pub fn lasting(
    key: &LinkKey,
    base_url: &str,
    store_id: &StoreId,
    document_id: i64,
    ttl: jiff::SignedDuration,
    now: Timestamp,
) -> Option<SignedLink> {
    let earliest = (now + ttl).as_second();
    let expires_at =
        Timestamp::from_second(earliest + (86_400 - earliest.rem_euclid(86_400))).ok()?;
    Some(link(key, base_url, store_id, document_id, expires_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_binds_store_document_and_expiry() {
        let key = LinkKey::derive("an-api-key-of-some-length");
        let sig = key.sign(&StoreId::test("default"), 7, 1_900_000_000);
        assert!(key.verify(&StoreId::test("default"), 7, 1_900_000_000, &sig));
        assert!(!key.verify(&StoreId::test("default"), 8, 1_900_000_000, &sig));
        assert!(!key.verify(&StoreId::test("default"), 7, 1_900_000_001, &sig));
        assert!(!key.verify(&StoreId::test("outlet"), 7, 1_900_000_000, &sig));
        assert!(!key.verify(&StoreId::test("default"), 7, 1_900_000_000, "not base64 !"));
        assert!(!key.verify(&StoreId::test("default"), 7, 1_900_000_000, ""));
        let other = LinkKey::derive("another-api-key-entirely");
        assert!(!other.verify(&StoreId::test("default"), 7, 1_900_000_000, &sig));
    }

    #[test]
    fn links_carry_expiry_and_signature() {
        let key = LinkKey::derive("an-api-key-of-some-length");
        let at = Timestamp::from_second(1_900_000_000).unwrap();
        let l = link(
            &key,
            "https://care.example.com",
            &StoreId::test("default"),
            42,
            at,
        );
        assert_eq!(
            l.url,
            format!(
                "https://care.example.com/documents/42?expires=1900000000&signature={}",
                key.sign(&StoreId::test("default"), 42, 1_900_000_000)
            )
        );
        assert_eq!(l.expires_at, at);
    }
}
