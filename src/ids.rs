//! Identifiers whose special values are handled once, where they enter, and which are
//! stored and sent as their plain value.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A configured store. Validated once, when the configuration names it; cheap to clone into
/// the database writer's closures. Stored and sent as the plain id.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoreId(Arc<str>);

/// Id of the store configured from `AFTERCARE_*` variables.
const DEFAULT_STORE: &str = "default";

impl StoreId {
    /// 1-64 characters of a-z, 0-9, `-` or `_`: safe in paths, file names and metric labels.
    pub fn parse(id: &str) -> Result<Self, String> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(id.into()))
        } else {
            Err(format!(
                "`{id}` must be 1-64 characters of a-z, 0-9, `-` or `_`"
            ))
        }
    }

    /// The store configured from `AFTERCARE_*` variables.
    pub fn default_store() -> Self {
        Self(DEFAULT_STORE.into())
    }

    pub fn is_default(&self) -> bool {
        &*self.0 == DEFAULT_STORE
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A store id written as a literal in a test.
    #[cfg(test)]
    pub fn test(id: &str) -> Self {
        Self::parse(id).expect("a valid store id")
    }
}

impl fmt::Display for StoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Read as the plain id wherever text is wanted (paths, labels, messages).
impl std::ops::Deref for StoreId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for StoreId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl AsRef<str> for StoreId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Maps keyed by `StoreId` are looked up with the `&str` of a request path.
impl Borrow<str> for StoreId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for StoreId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for StoreId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl ToSql for StoreId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.0.as_bytes())))
    }
}

/// The database holds only ids that were validated when they were written.
impl FromSql for StoreId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let id = value.as_str()?;
        Self::parse(id).map_err(|e| FromSqlError::Other(e.into()))
    }
}

/// A WooCommerce order: the id WooCommerce gave it (positive; never its display number).
/// Stored and sent as the plain number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct OrderId(u64);

impl OrderId {
    pub fn new(id: u64) -> Self {
        Self(id)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// SQLite integers are signed; WooCommerce order ids never are negative.
impl ToSql for OrderId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0 as i64))
    }
}

impl FromSql for OrderId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(|id| Self(id as u64))
    }
}

/// A return: the row id the database gave it. Stored and sent as the plain number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ReturnId(i64);

impl ReturnId {
    pub fn new(id: i64) -> Self {
        Self(id)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ReturnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for ReturnId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for ReturnId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Self)
    }
}

/// A support request: the row id the database gave it. Stored and sent as the plain number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RequestId(i64);

impl RequestId {
    pub fn new(id: i64) -> Self {
        Self(id)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for RequestId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for RequestId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Self)
    }
}

/// A customer message: the row id the database gave it, sent as `msg_<id>` so a message id
/// is never mistaken for an order's or a parcel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(u64);

impl MessageId {
    const PREFIX: &'static str = "msg_";

    pub fn new(id: u64) -> Self {
        Self(id)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// `msg_<digits>`, as sent; anything else is no message id.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text.strip_prefix(Self::PREFIX)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(Self)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl serde::Serialize for MessageId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl ToSql for MessageId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0 as i64))
    }
}

impl FromSql for MessageId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(|id| Self(id as u64))
    }
}

/// A survey (NPS or CSAT) sent to a customer: the row id the database gave it, sent as
/// `svy_<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyId(u64);

impl SurveyId {
    const PREFIX: &'static str = "svy_";

    pub fn new(id: u64) -> Self {
        Self(id)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// `svy_<digits>`, as sent; anything else is no survey id.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text.strip_prefix(Self::PREFIX)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(Self)
    }
}

impl fmt::Display for SurveyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", Self::PREFIX, self.0)
    }
}

impl serde::Serialize for SurveyId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl ToSql for SurveyId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0 as i64))
    }
}

impl FromSql for SurveyId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(|id| Self(id as u64))
    }
}

/// A parcel of an order: the row id the database gave it. Stored and sent as the plain
/// number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ShipmentId(u64);

impl ShipmentId {
    pub fn new(id: u64) -> Self {
        Self(id)
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// SQLite integers are signed; row ids never are negative.
impl ToSql for ShipmentId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0 as i64))
    }
}

impl FromSql for ShipmentId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(|id| Self(id as u64))
    }
}

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

/// A delivery of a signed event to one endpoint: the row id the database gave it. Stored
/// and sent as the plain number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct EventDeliveryId(i64);

impl EventDeliveryId {
    pub fn new(id: i64) -> Self {
        Self(id)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for EventDeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for EventDeliveryId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl FromSql for EventDeliveryId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_ids_are_checked_once() {
        assert!(StoreId::parse("shop-2_b").is_ok());
        assert!(StoreId::parse("").is_err());
        assert!(StoreId::parse("Shop").is_err());
        assert!(StoreId::parse(&"a".repeat(65)).is_err());
        assert!(StoreId::default_store().is_default());
        assert_eq!(
            serde_json::to_string(&StoreId::parse("eu").unwrap()).unwrap(),
            "\"eu\""
        );
    }

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
