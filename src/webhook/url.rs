//! Where WooCommerce delivers a store's webhooks: `/webhooks/woocommerce` for the default
//! store, `/webhooks/woocommerce/{store}` for the others.

use crate::ids::StoreId;

/// The default store's delivery path; a further store's path appends `/{store}`.
pub const PATH: &str = "/webhooks/woocommerce";

/// The path of a store's webhook endpoint, relative to the public URL.
pub fn path(store: &StoreId) -> String {
    if store.is_default() {
        PATH.to_owned()
    } else {
        format!("{PATH}/{store}")
    }
}

/// The full delivery URL under `base_url` (the public URL, without trailing slash).
pub fn url(base_url: &str, store: &StoreId) -> String {
    format!("{base_url}{}", path(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_store_has_the_short_path() {
        assert_eq!(path(&StoreId::default_store()), "/webhooks/woocommerce");
        assert_eq!(
            path(&StoreId::test("outlet")),
            "/webhooks/woocommerce/outlet"
        );
        assert_eq!(
            url("https://aftercare.example", &StoreId::test("outlet")),
            "https://aftercare.example/webhooks/woocommerce/outlet"
        );
    }
}
