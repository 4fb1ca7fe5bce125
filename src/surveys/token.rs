//! Survey links: `/s/{token}`, one token per survey, signed and expiring.
//!
//! The token is hex of (survey id, expiry) followed by an HMAC of the store, the id and
//! the expiry, truncated to 16 bytes: the construction of the unsubscribe links
//! (`notify::unsubscribe`), with a key derived the same way from the store's API key under a
//! label of its own. A forged or altered token fails the MAC before any database read; an
//! expired one is known from the token alone. The form on the page carries a second MAC
//! of the token (the form nonce), so an answer can only come from a form aftercare served.

use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::Sha256;

use crate::ids::{StoreId, SurveyId};

type HmacSha256 = Hmac<Sha256>;

/// Each store's survey key; cheap to clone.
#[derive(Clone, Default)]
pub struct Keys(Arc<Vec<(StoreId, [u8; 32])>>);

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub store: StoreId,
    pub survey: SurveyId,
    pub expires_at: Timestamp,
}

/// Why a token is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Malformed, altered or signed by no store's key.
    Forged,
    /// Genuine but past its expiry.
    Expired,
}

impl Keys {
    /// Derives each store's key from its API key (the store's signing secret).
    pub fn derive<'a>(stores: impl IntoIterator<Item = (&'a StoreId, &'a str)>) -> Keys {
        let keys = stores
            .into_iter()
            .map(|(id, api_key)| {
                let mut mac =
                    HmacSha256::new_from_slice(api_key.as_bytes()).expect("any key length");
                mac.update(b"aftercare survey v1");
                (id.clone(), mac.finalize().into_bytes().into())
            })
            .collect();
        Keys(Arc::new(keys))
    }

    fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 16] {
        let mut mac = HmacSha256::new_from_slice(key).expect("any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    fn key(&self, store: &StoreId) -> [u8; 32] {
        self.0
            .iter()
            .find(|(id, _)| id == store)
            .map(|(_, k)| *k)
            .unwrap_or_default()
    }

    /// The token of `survey` of `store`, valid until `expires_at`: 64 hex characters.
    pub fn token(&self, store: &StoreId, survey: SurveyId, expires_at: Timestamp) -> String {
        let (id, exp) = (
            survey.get().to_be_bytes(),
            expires_at.as_second().to_be_bytes(),
        );
        let mac = Self::mac(&self.key(store), &[store.as_str().as_bytes(), &id, &exp]);
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(&id);
        bytes.extend_from_slice(&exp);
        bytes.extend_from_slice(&mac);
        hex::encode(bytes)
    }

    /// Checks `token` against every store's key (in constant time each, and always all of
    /// them), then its expiry against `now`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Signed, Refused> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Refused::Forged);
        }
        let bytes = hex::decode(token).map_err(|_| Refused::Forged)?;
        let (id, rest) = bytes.split_at(8);
        let (exp, mac) = rest.split_at(8);
        let mut found = None;
        for (store, key) in self.0.iter() {
            let expected = Self::mac(key, &[store.as_str().as_bytes(), id, exp]);
            if constant_time_eq::constant_time_eq(&expected, mac) {
                found = Some(store.clone());
            }
        }
        let store = found.ok_or(Refused::Forged)?;
        let id = u64::from_be_bytes(id.try_into().map_err(|_| Refused::Forged)?);
        let exp = i64::from_be_bytes(exp.try_into().map_err(|_| Refused::Forged)?);
        let expires_at = Timestamp::from_second(exp).map_err(|_| Refused::Forged)?;
        if id == 0 {
            return Err(Refused::Forged);
        }
        if now >= expires_at {
            return Err(Refused::Expired);
        }
        Ok(Signed {
            store,
            survey: SurveyId::new(id),
            expires_at,
        })
    }

    /// The form nonce of `token`: the page's form carries it, the answer must.
    pub fn form_nonce(&self, store: &StoreId, token: &str) -> String {
        hex::encode(Self::mac(
            &self.key(store),
            &[b"survey form", token.as_bytes()],
        ))
    }

    /// Whether `nonce` is `token`'s form nonce.
    pub fn check_nonce(&self, store: &StoreId, token: &str, nonce: &str) -> bool {
        constant_time_eq::constant_time_eq(
            self.form_nonce(store, token).as_bytes(),
            nonce.as_bytes(),
        )
    }
}

pub fn url(base_url: &str, token: &str) -> String {
    format!("{base_url}/s/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_token_names_its_store_and_survey_and_any_change_breaks_it() {
        let (a, b) = (StoreId::test("a"), StoreId::test("b"));
        let keys = Keys::derive([(&a, "key-a"), (&b, "key-b")]);
        let exp = ts("2027-01-01T00:00:00Z");
        let now = ts("2026-12-03T00:00:00Z");
        let t = keys.token(&b, SurveyId::new(42), exp);
        assert_eq!(t.len(), 64);
        let signed = keys.verify(&t, now).unwrap();
        assert_eq!(signed.store, b);
        assert_eq!(signed.survey, SurveyId::new(42));
        assert_eq!(signed.expires_at, exp);
        // Every single changed character is refused.
        for i in 0..t.len() {
            let mut forged: Vec<u8> = t.clone().into_bytes();
            forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
            let forged = String::from_utf8(forged).unwrap();
            assert_eq!(keys.verify(&forged, now), Err(Refused::Forged), "at {i}");
        }
        assert_eq!(keys.verify(&t, exp), Err(Refused::Expired));
        assert_eq!(keys.verify("not-a-token", now), Err(Refused::Forged));
        assert_eq!(
            keys.verify(&t.to_uppercase()[..63], now),
            Err(Refused::Forged)
        );
        // Another deployment's keys know nothing of it.
        let other = Keys::derive([(&b, "another-key")]);
        assert_eq!(other.verify(&t, now), Err(Refused::Forged));
        let nonce = keys.form_nonce(&b, &t);
        assert!(keys.check_nonce(&b, &t, &nonce));
        assert!(!keys.check_nonce(&a, &t, &nonce));
        assert!(!keys.check_nonce(&b, &t, ""));
    }
}
