//! Issued invoices and credit notes: served to customers through the API, to staff with
//! fresh signed links (for emails), and to anyone holding a valid signed link.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiError;
use super::auth::ApiStore;
use super::extract::{ApiPath, ApiQuery};
use crate::AppState;
use crate::invoice::links::{self, SignedLink};
use crate::invoice::store::{self as documents, CREDIT_NOTE, DocumentRow, INVOICE};
use crate::money;
use crate::orders::store as orders;
use crate::orders::view::{CreditNoteView, InvoiceView};
use crate::time;

fn order_not_found() -> ApiError {
    ApiError::not_found("order_not_found", "No such order.")
}

fn document_not_found() -> ApiError {
    ApiError::not_found("document_not_found", "This order has no such document.")
}

/// A signed public link to `doc`, valid for at least the configured time. The expiry is
/// rounded up to the next midnight UTC, so a link stays the same all day and the plugin
/// can cache the order view.
fn signed_link(state: &AppState, doc: &DocumentRow) -> Option<SignedLink> {
    let store = state.store(&doc.store_id)?;
    let earliest = (Timestamp::now() + state.config().invoices.link_ttl).as_second();
    let expires_at =
        Timestamp::from_second(earliest + (86_400 - earliest.rem_euclid(86_400))).ok()?;
    Some(links::link(
        &store.link_key,
        &state.config().base_url(),
        &doc.store_id,
        doc.id,
        expires_at,
    ))
}

/// Who is looking at an order, which decides where its document URLs point.
pub enum Viewer {
    /// A registered customer, through the plugin with the API key.
    Customer(u64),
    /// A guest, who has no API access: URLs are signed public links.
    Guest,
}

/// The `invoice` and `credit_notes` fields of an order view.
pub fn views(
    state: &AppState,
    docs: &[DocumentRow],
    viewer: &Viewer,
) -> (Option<InvoiceView>, Vec<CreditNoteView>) {
    let base = state.config().base_url();
    let mut invoice = None;
    let mut credit_notes = Vec::new();
    for doc in docs {
        let Some(link) = signed_link(state, doc) else {
            continue;
        };
        let expires = time::seconds(link.expires_at);
        match doc.kind.as_str() {
            INVOICE => {
                let url = match viewer {
                    Viewer::Customer(c) => format!(
                        "{base}/api/v1/customers/{c}/orders/{}/invoice.pdf",
                        doc.order_id
                    ),
                    Viewer::Guest => link.url.clone(),
                };
                invoice = Some(InvoiceView {
                    number: doc.number.clone(),
                    issued_at: doc.issued_at.clone(),
                    url,
                    download_url: link.url,
                    download_expires_at: expires,
                });
            }
            CREDIT_NOTE => {
                let url = match viewer {
                    Viewer::Customer(c) => format!(
                        "{base}/api/v1/customers/{c}/orders/{}/documents/{}",
                        doc.order_id, doc.id
                    ),
                    Viewer::Guest => link.url.clone(),
                };
                credit_notes.push(CreditNoteView {
                    id: doc.id,
                    number: doc.number.clone(),
                    issued_at: doc.issued_at.clone(),
                    invoice_number: doc.reference.clone(),
                    total: display_total(doc),
                    url,
                    download_url: link.url,
                    download_expires_at: expires,
                });
            }
            _ => {}
        }
    }
    (invoice, credit_notes)
}

fn display_total(doc: &DocumentRow) -> String {
    doc.total
        .parse()
        .map(|d| money::format(d, &doc.currency))
        .unwrap_or_else(|_| doc.total.clone())
}

/// The archived bytes of `doc` as a PDF response. The file is immutable, so it may be
/// cached privately.
async fn pdf_response(state: &AppState, doc: &DocumentRow) -> Result<Response, ApiError> {
    let path = state.config().data_dir.join(&doc.path);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, document = doc.id, number = %doc.number, "archived document is missing");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "document_unavailable",
            "The archived document could not be read.",
        )
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", doc.number),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
            (header::ETAG, format!("\"{}\"", doc.sha256)),
        ],
        bytes,
    )
        .into_response())
}

/// The documents of a visible order of `customer_id`, or 404.
async fn customer_documents(
    state: &AppState,
    store: String,
    customer_id: u64,
    order_id: u64,
) -> Result<Vec<DocumentRow>, ApiError> {
    let found = state
        .db()
        .read(move |conn| {
            let Some(order) = orders::find_visible(conn, &store, order_id)? else {
                return Ok(None);
            };
            if customer_id == 0 || order.customer_id != customer_id {
                return Ok(None);
            }
            Ok(Some(documents::for_order(conn, &store, order_id)?))
        })
        .await?;
    found.ok_or_else(order_not_found)
}

/// The order's invoice as issued (immutable PDF). 404 until it is issued, and for orders
/// that are not this customer's.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/invoice.pdf",
    tag = "documents",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
    ),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf"),
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order for this customer, or no invoice yet", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_invoice_pdf(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, order_id)): ApiPath<(u64, u64)>,
) -> Result<Response, ApiError> {
    let docs = customer_documents(&state, store, customer_id, order_id).await?;
    let Some(doc) = docs.into_iter().find(|d| d.kind == INVOICE) else {
        return Err(ApiError::not_found(
            "invoice_not_found",
            "This order has no invoice yet; it is issued once the order is paid.",
        ));
    };
    pdf_response(&state, &doc).await
}

/// One of the order's documents (its invoice or a credit note) by id, for its customer.
#[utoipa::path(
    get,
    path = "/api/v1/customers/{customer_id}/orders/{order_id}/documents/{document_id}",
    tag = "documents",
    params(
        ("customer_id" = u64, Path, description = "WooCommerce customer (user) id"),
        ("order_id" = u64, Path, description = "WooCommerce order id"),
        ("document_id" = i64, Path, description = "Document id from the order view"),
    ),
    responses(
        (status = 200, description = "The document", content_type = "application/pdf"),
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order for this customer, or no such document of it", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn get_customer_document(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer_id, order_id, document_id)): ApiPath<(u64, u64, i64)>,
) -> Result<Response, ApiError> {
    let docs = customer_documents(&state, store, customer_id, order_id).await?;
    let doc = docs
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or_else(document_not_found)?;
    pdf_response(&state, &doc).await
}

/// An issued document as staff and emails see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub number: String,
    pub order_id: u64,
    /// Credit notes: the WooCommerce refund they document.
    pub refund_id: Option<u64>,
    /// Credit notes: the invoice they correct.
    pub invoice_number: Option<String>,
    pub issued_at: String,
    /// Invoices: the order total; credit notes: the amount credited (positive).
    pub total: String,
    pub currency: String,
    /// SHA-256 of the archived PDF (hex).
    pub sha256: String,
    pub bytes: u64,
    /// A signed public link to put in an email; needs no API key.
    pub download_url: String,
    pub download_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// The invoice first, then credit notes in issue order.
    documents: Vec<DocumentView>,
}

/// Staff: an order's issued documents, each with a fresh signed download link (for the
/// order emails). Trashed and draft orders have none to show.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{order_id}/documents",
    tag = "documents",
    params(("order_id" = u64, Path, description = "WooCommerce order id")),
    responses(
        (status = 200, description = "The order's documents", body = DocumentList),
        (status = 400, description = "Bad path", body = crate::api::ErrorBody),
        (status = 401, description = "Missing or wrong API key", body = crate::api::ErrorBody),
        (status = 404, description = "No such order", body = crate::api::ErrorBody),
    ),
    security(("api_key" = []))
)]
pub async fn list_order_documents(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<u64>,
) -> Result<Json<DocumentList>, ApiError> {
    let docs = state
        .db()
        .read(move |conn| {
            if orders::find_visible(conn, &store, order_id)?.is_none() {
                return Ok(None);
            }
            Ok(Some(documents::for_order(conn, &store, order_id)?))
        })
        .await?
        .ok_or_else(order_not_found)?;
    let documents = docs
        .iter()
        .filter_map(|doc| {
            let link = signed_link(&state, doc)?;
            Some(DocumentView {
                id: doc.id,
                kind: doc.kind.clone(),
                number: doc.number.clone(),
                order_id: doc.order_id,
                refund_id: (doc.kind == CREDIT_NOTE).then_some(doc.refund_id),
                invoice_number: doc.reference.clone(),
                issued_at: doc.issued_at.clone(),
                total: display_total(doc),
                currency: doc.currency.clone(),
                sha256: doc.sha256.clone(),
                bytes: doc.bytes,
                download_url: link.url,
                download_expires_at: time::seconds(link.expires_at),
            })
        })
        .collect();
    Ok(Json(DocumentList { documents }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Unix time (seconds) after which the link no longer works.
    #[param(value_type = i64)]
    expires: Option<String>,
    /// The link's signature.
    #[param(value_type = String)]
    signature: Option<String>,
}

/// A document through a signed link: no API key, for guests and emails. 403 when the
/// link was altered or cut short (or the document does not exist), 410 once it has expired.
#[utoipa::path(
    get,
    path = "/documents/{document_id}",
    tag = "documents",
    params(("document_id" = i64, Path, description = "Document id"), LinkQuery),
    responses(
        (status = 200, description = "The document", content_type = "application/pdf"),
        (status = 403, description = "The link was altered or is incomplete", body = crate::api::ErrorBody),
        (status = 410, description = "The link has expired", body = crate::api::ErrorBody),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    ApiPath(document_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> Result<Response, ApiError> {
    let doc = state
        .db()
        .read(move |conn| documents::by_id(conn, document_id))
        .await?;
    // An unknown document, a missing or altered parameter: all answer like a forged link,
    // so links reveal nothing about ids.
    let expires = query.expires.as_deref().and_then(|e| e.parse::<i64>().ok());
    let verified = doc.zip(expires).filter(|(doc, expires)| {
        state.store(&doc.store_id).is_some_and(|store| {
            store.link_key.verify(
                &doc.store_id,
                doc.id,
                *expires,
                query.signature.as_deref().unwrap_or_default(),
            )
        })
    });
    let Some((doc, expires)) = verified else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_link",
            "This download link is not valid. Ask the shop for a new one.",
        ));
    };
    if Timestamp::now().as_second() > expires {
        return Err(ApiError::new(
            StatusCode::GONE,
            "link_expired",
            "This download link has expired. Open your order again for a fresh link.",
        ));
    }
    pdf_response(&state, &doc).await
}
