//! Standard Webhooks signatures: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
//! under the bytes a `whsec_` secret encodes, one per valid key, separated by spaces.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The fewest and most bytes a secret may decode to (the format's own bounds).
const MIN_KEY_BYTES: usize = 24;
const MAX_KEY_BYTES: usize = 64;
const PREFIX: &str = "whsec_";

/// The key bytes of a `whsec_` secret. Never printed.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

impl SigningKey {
    /// Reads `whsec_<base64>`; the reason, without the secret, when it is not one.
    pub fn parse(secret: &str) -> Result<SigningKey, String> {
        let Some(encoded) = secret.trim().strip_prefix(PREFIX) else {
            return Err(format!(
                "must start with `{PREFIX}` (e.g. `{PREFIX}` followed by `openssl rand -base64 32`)"
            ));
        };
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| format!("the part after `{PREFIX}` must be standard base64"))?;
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&bytes.len()) {
            return Err(format!(
                "must encode {MIN_KEY_BYTES} to {MAX_KEY_BYTES} random bytes (it encodes {})",
                bytes.len()
            ));
        }
        Ok(SigningKey(bytes))
    }

    /// `v1,<base64 signature>` of one request under this key.
    fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one `v1,` signature per key, space-separated, the
/// current key's first.
pub fn signature(keys: &[SigningKey], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|key| key.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_must_be_whsec_base64_of_a_sensible_length() {
        assert!(SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_ok());
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_",
            "whsec_c2hvcnQ=",
            "whsec_***notbase64***",
        ] {
            let error = SigningKey::parse(bad).unwrap_err();
            assert!(!error.contains("MfKQ"), "{error}");
        }
        assert_eq!(
            format!(
                "{:?}",
                SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            ),
            "Ok(SigningKey(***))"
        );
    }

    /// Two keys sign one request twice, in the order given.
    #[test]
    fn rotation_signs_with_every_key() {
        let a = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let b = SigningKey::parse(&format!("whsec_{}", STANDARD.encode([7u8; 32]))).unwrap();
        let both = signature(&[a.clone(), b.clone()], "evt_1", 1, b"{}");
        let (first, second) = both.split_once(' ').unwrap();
        assert_eq!(first, signature(&[a], "evt_1", 1, b"{}"));
        assert_eq!(second, signature(&[b], "evt_1", 1, b"{}"));
    }

    /// The vector comes from Python's own `hmac`, `hashlib` and `base64`, run here: an
    /// implementation that shares nothing with this one.
    #[test]
    fn the_signature_matches_an_independent_implementation() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = 1614265330;
        let body = r#"{"test": 2432232314}"#;
        let script = r#"
import base64, hashlib, hmac, sys
secret, msg_id, ts, body = sys.argv[1:5]
key = base64.b64decode(secret[len("whsec_"):])
mac = hmac.new(key, f"{msg_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
print("v1," + base64.b64encode(mac).decode())
"#;
        let output = std::process::Command::new("python3")
            .args(["-c", script, secret, id, &timestamp.to_string(), body])
            .output()
            .expect("python3 runs (apt-get install python3)");
        assert!(output.status.success(), "{output:?}");
        let expected = String::from_utf8(output.stdout).unwrap();
        let key = SigningKey::parse(secret).unwrap();
        assert_eq!(
            signature(&[key], id, timestamp, body.as_bytes()),
            expected.trim()
        );
    }
}
