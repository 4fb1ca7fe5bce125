//! Issued invoices and credit notes: served to customers through the API, to staff with
//! fresh signed links (for emails), and to anyone holding a valid signed link.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::auth::ApiStore;
use crate::http::error::responses::KeyRequired;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::ids::StoreId;
use crate::ids::{Customer, OrderId};
use crate::invoice::document::DocumentKind;
use crate::invoice::links::{self, SignedLink};
use crate::invoice::served;
use crate::invoice::store::{self as documents, DocumentRow};
use crate::order_view::assemble::display_total;
use crate::orders::store as orders;
use crate::time;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_invoice_pdf))
        .routes(routes!(get_customer_document))
        .routes(routes!(list_order_documents))
        .routes(routes!(download))
}

/// A fresh signed link to `doc` for staff and emails.
fn signed_link(state: &AppState, doc: &DocumentRow) -> Option<SignedLink> {
    let store = state.store(&doc.store_id)?;
    links::lasting(
        &store.link_key,
        &state.config().base_url(),
        &doc.store_id,
        doc.id,
        state.config().invoices.link_ttl,
        Timestamp::now(),
    )
}

/// The archived bytes of `doc` as a PDF response. The file is immutable, so it may be
/// cached privately.
async fn pdf_response(state: &AppState, doc: &DocumentRow) -> Result<Response, ApiError> {
    let bytes = served::read(&state.config().data_dir, doc).await?;
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

/// The documents of a visible order of `customer` (a guest has none here).
async fn customer_documents(
    state: &AppState,
    store: StoreId,
    customer: Customer,
    order_id: OrderId,
) -> Result<Vec<DocumentRow>, ApiError> {
    let Customer::Registered(customer) = customer else {
        return Err(ApiError::order_not_found());
    };
    Ok(served::for_customer(state.db(), store, customer, order_id).await?)
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
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer, or no invoice yet", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_invoice_pdf(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id)): ApiPath<(Customer, OrderId)>,
) -> Result<Response, ApiError> {
    let docs = customer_documents(&state, store, customer, order_id).await?;
    let doc = served::invoice(docs)?;
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
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order for this customer, or no such document of it", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn get_customer_document(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath((customer, order_id, document_id)): ApiPath<(Customer, OrderId, i64)>,
) -> Result<Response, ApiError> {
    let docs = customer_documents(&state, store, customer, order_id).await?;
    let doc = served::by_id(docs, document_id)?;
    pdf_response(&state, &doc).await
}

/// An issued document as staff and emails see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    /// `invoice` or `credit_note`.
    pub kind: String,
    pub number: String,
    #[schema(value_type = u64)]
    pub order_id: OrderId,
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
        (status = 400, description = "Bad path", body = ErrorBody),
        KeyRequired,
        (status = 404, description = "No such order", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
async fn list_order_documents(
    ApiStore(store): ApiStore,
    State(state): State<AppState>,
    ApiPath(order_id): ApiPath<OrderId>,
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
        .ok_or_else(ApiError::order_not_found)?;
    let documents = docs
        .iter()
        .filter_map(|doc| {
            let link = signed_link(&state, doc)?;
            Some(DocumentView {
                id: doc.id,
                kind: doc.kind.to_string(),
                number: doc.number.clone(),
                order_id: doc.order_id,
                refund_id: (doc.kind == DocumentKind::CreditNote).then_some(doc.refund_id),
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
        (status = 403, description = "The link was altered or is incomplete", body = ErrorBody),
        (status = 410, description = "The link has expired", body = ErrorBody),
    )
)]
async fn download(
    State(state): State<AppState>,
    ApiPath(document_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> Result<Response, ApiError> {
    // An unknown document, a missing or altered parameter: all answer like a forged link,
    // so links reveal nothing about ids.
    let doc = served::by_link(
        state.db(),
        document_id,
        query.expires.as_deref(),
        query.signature.as_deref(),
        |store_id| state.store(store_id).map(|s| &s.link_key),
        Timestamp::now(),
    )
    .await?;
    pdf_response(&state, &doc).await
}
