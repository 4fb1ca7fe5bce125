//! One order view, assembled: the mirrored order with its documents, returns, return
//! eligibility, tracking and support requests, read in one go and shaped for whoever is looking.

use std::collections::HashMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

use super::tracking;
use super::view::{CreditNoteView, InvoiceView, OrderView};
use crate::answers::{self, Topic, model::Entry};
use crate::guides::{
    self,
    store::Guide,
    view::{ItemGuideView, Line},
};
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::invoice::document::DocumentKind;
use crate::invoice::links::{self, LinkKey};
use crate::invoice::store::{self as documents, DocumentRow};
use crate::money;
use crate::notify::{self, store::MessageRow};
use crate::orders::store::{self as orders, VisibleOrder};
use crate::returns::eligibility::{self, Facts, Policy};
use crate::returns::service::{is_paid, recorded_facts};
use crate::returns::store::{self as returns, ReturnRecord};
use crate::returns::view::{Audience, ReturnEligibilityView, ReturnView};
use crate::store::StoreError;
use crate::support::store::{self as support, RequestRecord};
use crate::support::view::{Audience as SupportAudience, RequestView};
use crate::time;
use crate::tracking::settings::TrackingSettings;
use crate::tracking::view::{OrderTracking, ShipmentFeedView};

/// Who is looking at an order, which decides where its document URLs point.
pub enum Viewer {
    /// A registered customer, through the plugin with the API key.
    Customer(u64),
    /// A guest, who has no API access: URLs are signed public links.
    Guest,
}

/// A visible order and everything its view shows besides the order itself.
pub struct Loaded {
    store_id: StoreId,
    pub order: VisibleOrder,
    docs: Vec<DocumentRow>,
    tracked: OrderTracking,
    feeds: HashMap<ShipmentId, ShipmentFeedView>,
    returns: Vec<ReturnRecord>,
    facts: Facts,
    messages: Vec<MessageRow>,
    requests: Vec<RequestRecord>,
    /// The order as WooCommerce sent it, parsed once.
    parsed: crate::woo::Order,
    /// The store's FAQ entries, for choosing the ones that fit.
    answers: Vec<Entry>,
    /// The guide of each line item that has one.
    guides: Vec<(u64, Guide)>,
}

/// A visible order with its documents, tracking and returns, in one read.
pub fn load(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<Loaded>, StoreError> {
    let Some(order) = orders::find_visible(conn, store_id, order_id)? else {
        return Ok(None);
    };
    let parsed = order.order()?;
    let mut guides = Vec::new();
    for li in &parsed.line_items {
        if let Some(g) =
            guides::store::for_item(conn, store_id, li.product_id, li.variation_id, &li.sku)?
        {
            guides.push((li.id, g));
        }
    }
    Ok(Some(Loaded {
        store_id: store_id.clone(),
        parsed,
        answers: answers::store::list(conn, store_id, None)?,
        guides,
        order,
        docs: documents::for_order(conn, store_id, order_id)?,
        tracked: OrderTracking::load(conn, store_id, order_id)?,
        feeds: crate::feeds::view::for_order(conn, store_id, order_id)?,
        returns: returns::for_order(conn, store_id, order_id)?,
        facts: recorded_facts(conn, store_id, order_id)?,
        messages: notify::store::for_order(conn, store_id, order_id)?,
        requests: support::for_order(conn, store_id, order_id)?,
    }))
}

/// The settings an order view is shaped by.
pub struct ViewSettings<'a> {
    pub base_url: &'a str,
    /// Signs the store's document download links.
    pub link_key: &'a LinkKey,
    pub link_ttl: SignedDuration,
    pub paid_statuses: &'a [String],
    pub policy: &'a Policy,
    pub tracking: &'a TrackingSettings,
    /// The store's time zone (`shop::timezone`): ETAs and dates in sentences.
    pub zone: &'a TimeZone,
}

/// The order view of a loaded order, as `viewer` sees it at `now`; its `answers` are
/// those for `topic` when the customer chose one.
pub fn assemble(
    loaded: &Loaded,
    viewer: &Viewer,
    settings: &ViewSettings<'_>,
    topic: Option<Topic>,
    now: Timestamp,
) -> Result<OrderView, StoreError> {
    let order = &loaded.parsed;
    let mut view = OrderView::build(order);
    (view.invoice, view.credit_notes) = document_views(&loaded.docs, viewer, settings, now);
    view.returns = loaded
        .returns
        .iter()
        .map(|r| ReturnView::new(r, Audience::Customer, settings.base_url))
        .collect();
    let mut facts = loaded.facts.clone();
    facts.paid = is_paid(order, settings.paid_statuses);
    facts.in_transit_items = loaded.tracked.in_transit(&order.line_quantities());
    view.return_eligibility = eligibility::assess(order, &facts, settings.policy, now)
        .iter()
        .map(ReturnEligibilityView::from)
        .collect();
    tracking::fill(
        &mut view,
        order,
        &loaded.tracked,
        settings.tracking,
        &settings.tracking.calendar(settings.zone),
        settings.base_url,
    );
    for shipment in &mut view.shipments {
        shipment.feed = loaded.feeds.get(&shipment.id).cloned();
    }
    view.requests = loaded
        .requests
        .iter()
        .filter(|r| r.shown_to_customer())
        .map(|r| RequestView::new(r, SupportAudience::Customer, settings.base_url))
        .collect();
    // The shop's side (staff, through the API key) sees why each message went or did not.
    if let Viewer::Customer(_) = viewer {
        view.messages = loaded.messages.iter().map(Into::into).collect();
    }
    let lang = notify::data::order_lang(order, settings.tracking.language(&loaded.store_id));
    view.answers = super::answers::select(&view, &loaded.answers, lang, topic, settings.zone);
    let shipped = super::answers::shipped_items(&view);
    view.guides = loaded
        .guides
        .iter()
        .filter(|(id, _)| shipped.contains(id))
        .filter_map(|(id, g)| {
            let li = view.line_items.iter().find(|l| l.id == *id)?;
            let line = Line {
                line_item_id: li.id,
                product_id: li.product_id,
                variation_id: li.variation_id,
                sku: &li.sku,
                name: &li.name,
            };
            Some(ItemGuideView::new(&line, g.clone(), settings.base_url))
        })
        .collect();
    Ok(view)
}

/// The FAQ entries that fit order `order_id` now in `lang`, as a guest sees the order
/// (the public tracking page); none when the order is not visible.
pub fn answers_in(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    lang: crate::tracking::i18n::Lang,
    settings: &ViewSettings<'_>,
    now: Timestamp,
) -> Result<Vec<crate::answers::select::ShownAnswer>, StoreError> {
    let Some(loaded) = load(conn, store_id, order_id)? else {
        return Ok(Vec::new());
    };
    let view = assemble(&loaded, &Viewer::Guest, settings, None, now)?;
    Ok(super::answers::select(
        &view,
        &loaded.answers,
        lang,
        None,
        settings.zone,
    ))
}

/// A signed public link to `doc`, valid for at least the configured time.
pub fn signed_link(
    doc: &DocumentRow,
    settings: &ViewSettings<'_>,
    now: Timestamp,
) -> Option<links::SignedLink> {
    links::lasting(
        settings.link_key,
        settings.base_url,
        &doc.store_id,
        doc.id,
        settings.link_ttl,
        now,
    )
}

/// The `invoice` and `credit_notes` fields of an order view.
fn document_views(
    docs: &[DocumentRow],
    viewer: &Viewer,
    settings: &ViewSettings<'_>,
    now: Timestamp,
) -> (Option<InvoiceView>, Vec<CreditNoteView>) {
    let base = settings.base_url;
    let mut invoice = None;
    let mut credit_notes = Vec::new();
    for doc in docs {
        let Some(link) = signed_link(doc, settings, now) else {
            continue;
        };
        let expires = time::seconds(link.expires_at);
        match doc.kind {
            DocumentKind::Invoice => {
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
            DocumentKind::CreditNote => {
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
        }
    }
    (invoice, credit_notes)
}

/// A document's total in the shop's format, or as stored when it does not parse.
pub fn display_total(doc: &DocumentRow) -> String {
    doc.total
        .parse()
        .map(|d| money::format(d, &doc.currency))
        .unwrap_or_else(|_| doc.total.clone())
}
