//! Issued documents as their readers get them: a customer's own through the API, anyone's
//! through a signed link. This decides who may have which document; the HTTP edge answers.

use std::path::Path;

use jiff::Timestamp;

use super::document::DocumentKind;
use super::links::LinkKey;
use super::store::{self as documents, DocumentRow};
use crate::ids::StoreId;
use crate::ids::{CustomerId, OrderId};
use crate::orders::store as orders;
use crate::store::{Db, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// No such order, or not the customer's.
    #[error("no such order")]
    OrderNotFound,
    /// The order's invoice is not issued yet.
    #[error("the order has no invoice yet")]
    NoInvoice,
    #[error("the order has no such document")]
    NotFound,
    /// Altered, incomplete, or for a document that does not exist: all look alike.
    #[error("the download link is not valid")]
    InvalidLink,
    #[error("the download link has expired")]
    LinkExpired,
    #[error("archived document {number} (id {id}) cannot be read: {source}")]
    Unreadable {
        id: i64,
        number: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The documents of a visible order of `customer`.
pub async fn for_customer(
    db: &Db,
    store_id: StoreId,
    customer: CustomerId,
    order_id: OrderId,
) -> Result<Vec<DocumentRow>, DocumentError> {
    db.read(move |conn| {
        let Some(order) = orders::find_visible(conn, &store_id, order_id)? else {
            return Ok(None);
        };
        if order.customer_id != customer.get() {
            return Ok(None);
        }
        Ok(Some(documents::for_order(conn, &store_id, order_id)?))
    })
    .await?
    .ok_or(DocumentError::OrderNotFound)
}

/// The order's invoice among its documents.
pub fn invoice(docs: Vec<DocumentRow>) -> Result<DocumentRow, DocumentError> {
    docs.into_iter()
        .find(|d| d.kind == DocumentKind::Invoice)
        .ok_or(DocumentError::NoInvoice)
}

/// One of the order's documents by id.
pub fn by_id(docs: Vec<DocumentRow>, document_id: i64) -> Result<DocumentRow, DocumentError> {
    docs.into_iter()
        .find(|d| d.id == document_id)
        .ok_or(DocumentError::NotFound)
}

/// The document a signed link points to, if the link is genuine and still valid at `now`.
/// `key_of` gives a store's link key.
pub async fn by_link<'k>(
    db: &Db,
    document_id: i64,
    expires: Option<&str>,
    signature: Option<&str>,
    key_of: impl Fn(&str) -> Option<&'k LinkKey>,
    now: Timestamp,
) -> Result<DocumentRow, DocumentError> {
    let doc = db
        .read(move |conn| documents::by_id(conn, document_id))
        .await?;
    let expires = expires.and_then(|e| e.parse::<i64>().ok());
    let verified = doc.zip(expires).filter(|(doc, expires)| {
        key_of(&doc.store_id).is_some_and(|key| {
            key.verify(
                &doc.store_id,
                doc.id,
                *expires,
                signature.unwrap_or_default(),
            )
        })
    });
    let Some((doc, expires)) = verified else {
        return Err(DocumentError::InvalidLink);
    };
    if now.as_second() > expires {
        return Err(DocumentError::LinkExpired);
    }
    Ok(doc)
}

/// The archived bytes of `doc`, exactly as issued.
pub async fn read(data_dir: &Path, doc: &DocumentRow) -> Result<Vec<u8>, DocumentError> {
    tokio::fs::read(data_dir.join(&doc.path))
        .await
        .map_err(|source| DocumentError::Unreadable {
            id: doc.id,
            number: doc.number.clone(),
            source,
        })
}
