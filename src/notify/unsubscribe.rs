//! Unsubscribe tokens: an HMAC of (store, customer email, class) under a key derived from
//! the store's API key, so a link names no one and cannot be forged. The token's row
//! (`message_subscriptions`) says whom it is for; following it needs no login.

use std::collections::HashMap;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::model::Class;
use crate::ids::StoreId;

type HmacSha256 = Hmac<Sha256>;

/// Each store's unsubscribe key; cheap to clone.
#[derive(Clone, Default)]
pub struct Keys(Arc<HashMap<StoreId, [u8; 32]>>);

impl Keys {
    /// Derives each store's key from its API key (the store's signing secret).
    pub fn derive<'a>(stores: impl IntoIterator<Item = (&'a StoreId, &'a str)>) -> Keys {
        let keys = stores
            .into_iter()
            .map(|(id, api_key)| {
                let mut mac =
                    HmacSha256::new_from_slice(api_key.as_bytes()).expect("any key length");
                mac.update(b"aftercare unsubscribe v1");
                (id.clone(), mac.finalize().into_bytes().into())
            })
            .collect();
        Keys(Arc::new(keys))
    }

    /// The token of (store, recipient, class): 32 hex characters.
    pub fn token(&self, store: &StoreId, recipient: &str, class: Class) -> String {
        let key = self.0.get(store).copied().unwrap_or_default();
        let mut mac = HmacSha256::new_from_slice(&key).expect("any key length");
        for part in [store.as_str(), recipient, class.as_str()] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// Whether `text` can be a token at all (checked before any database read).
pub fn is_token(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn url(base_url: &str, token: &str) -> String {
    format!("{base_url}/unsubscribe/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_per_store_person_and_class() {
        let (a, b) = (StoreId::test("a"), StoreId::test("b"));
        let keys = Keys::derive([(&a, "key-a"), (&b, "key-b")]);
        let t = keys.token(&a, "x@example.com", Class::StatusUpdate);
        assert!(is_token(&t));
        assert_eq!(t, keys.token(&a, "x@example.com", Class::StatusUpdate));
        assert_ne!(t, keys.token(&b, "x@example.com", Class::StatusUpdate));
        assert_ne!(t, keys.token(&a, "y@example.com", Class::StatusUpdate));
        assert_ne!(t, keys.token(&a, "x@example.com", Class::Transactional));
    }
}
