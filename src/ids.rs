//! Identifiers whose special values are handled once, where they enter.

/// Id of the store configured from `AFTERCARE_*` variables.
pub const DEFAULT_STORE: &str = "default";

/// A registered WooCommerce customer. WooCommerce files guest orders under customer 0,
/// so 0 is never a `CustomerId`: a guest owns nothing through the customer endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomerId(std::num::NonZeroU64);

impl CustomerId {
    /// `None` for 0, the guest sentinel.
    pub fn new(id: u64) -> Option<Self> {
        std::num::NonZeroU64::new(id).map(Self)
    }

    pub fn get(self) -> u64 {
        self.0.get()
    }
}

impl std::fmt::Display for CustomerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A customer id as WooCommerce writes it in paths: 0 means a guest. Parsed here once, so
/// every endpoint decides in its types what a guest gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(from = "u64")]
pub enum Customer {
    Registered(CustomerId),
    Guest,
}

impl From<u64> for Customer {
    fn from(id: u64) -> Self {
        CustomerId::new(id).map_or(Customer::Guest, Customer::Registered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_zero_is_a_guest() {
        assert_eq!(Customer::from(0), Customer::Guest);
        let Customer::Registered(id) = Customer::from(7) else {
            panic!("7 is a registered customer");
        };
        assert_eq!(id.get(), 7);
        let parsed: Customer = serde_json::from_str("0").unwrap();
        assert_eq!(parsed, Customer::Guest);
    }
}
