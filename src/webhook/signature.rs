//! `X-WC-Webhook-Signature`: base64(HMAC-SHA256(raw body, secret)), checked in constant
//! time on the exact bytes received, before anything parses them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The keyed MACs of one store's valid secrets (two while rotating).
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<HmacSha256>,
}

impl Verifier {
    pub fn new(secrets: &[Secret]) -> Self {
        let keys = secrets
            .iter()
            .map(|s| {
                HmacSha256::new_from_slice(s.expose().as_bytes())
                    .expect("HMAC takes any key length")
            })
            .collect();
        Self { keys }
    }

    /// True when `signature` is the HMAC of `body` under any of the store's secrets.
    pub fn verify(&self, body: &[u8], signature: &str) -> bool {
        let Ok(tag) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        self.keys.iter().any(|key| {
            let mut mac = key.clone();
            mac.update(body);
            mac.verify_slice(&tag).is_ok()
        })
    }
}

/// Computes the header value WooCommerce would send; used by tests and benchmarks.
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_either_rotation_secret_and_rejects_others() {
        let v = Verifier::new(&[Secret::new("new-secret"), Secret::new("old-secret")]);
        let body = br#"{"id":1,"note":"caf\u00e9 \/ slash"}"#;
        assert!(v.verify(body, &sign(body, "new-secret")));
        assert!(v.verify(body, &sign(body, "old-secret")));
        assert!(!v.verify(body, &sign(body, "other")));
        assert!(!v.verify(body, "not base64!"));
        assert!(!v.verify(body, ""));
        let mut tampered = body.to_vec();
        tampered[2] = b'x';
        assert!(!v.verify(&tampered, &sign(body, "new-secret")));
        // A truncated tag is not a match.
        let sig = sign(body, "new-secret");
        let short = STANDARD.encode(&STANDARD.decode(&sig).unwrap()[..16]);
        assert!(!v.verify(body, &short));
    }
}
