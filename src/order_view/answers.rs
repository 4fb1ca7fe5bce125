//! The order's answers and guides: the order view supplies the live facts the FAQ entries
//! use and decides which line items have shipped.

use jiff::tz::TimeZone;

use super::view::OrderView;
use crate::answers::Topic;
use crate::answers::model::Entry;
use crate::answers::placeholders::Facts;
use crate::answers::select::{self, ShownAnswer, Situation};
use crate::time;
use crate::tracking::i18n::Lang;
use crate::tracking::status::ParcelStatus;

/// The facts about the order as its view shows them now, in `lang`.
pub fn facts(view: &OrderView, lang: Lang, zone: &TimeZone) -> Facts {
    let mut f = Facts::default();
    f.set("order_number", Some(view.number.clone()));
    let open = |s: &&crate::tracking::view::ShipmentView| {
        !matches!(s.status.as_str(), "delivered" | "returned")
    };
    // The parcel a customer asks about: the first still travelling, else the newest.
    let parcel = view
        .shipments
        .iter()
        .find(open)
        .or_else(|| view.shipments.last());
    if let Some(p) = parcel {
        f.set(
            "parcel_status",
            ParcelStatus::parse(&p.status).map(|s| lang.t().status(s).to_owned()),
        );
        f.set(
            "parcel_location",
            p.events.iter().find_map(|e| e.location.clone()),
        );
        f.set("carrier", Some(p.carrier_name.clone()));
        f.set("tracking_number", Some(p.tracking_number.clone()));
    }
    f.set("tracking_url", view.tracking_url.clone());
    // The order arrives with its last travelling parcel.
    let eta = view
        .shipments
        .iter()
        .filter(open)
        .filter_map(|s| s.eta.as_deref().and_then(time::parse))
        .max();
    f.set("eta", eta.map(|t| time::local_date(t, zone).to_string()));
    if let Some(inv) = &view.invoice {
        f.set("invoice_number", Some(inv.number.clone()));
        // The public link: the customer's browser has no API key.
        f.set("invoice_url", Some(inv.download_url.clone()));
    }
    let window = view
        .return_eligibility
        .iter()
        .filter(|e| e.returnable_quantity > 0)
        .filter_map(|e| e.returnable_until.as_deref())
        .filter_map(time::parse)
        .max();
    f.set(
        "return_window_ends",
        window.map(|t| time::local_date(t, zone).to_string()),
    );
    f
}

/// The entries that fit the order of `view` now, for `topic` if one was chosen.
pub fn select(
    view: &OrderView,
    entries: &[Entry],
    lang: Lang,
    topic: Option<Topic>,
    zone: &TimeZone,
) -> Vec<ShownAnswer> {
    let products: Vec<u64> = view
        .line_items
        .iter()
        .flat_map(|l| [l.product_id, l.variation_id])
        .filter(|id| *id != 0)
        .collect();
    let situation = Situation {
        status: &view.status,
        delivery_state: view.delivery_state,
        product_ids: &products,
        lang,
        topic,
    };
    select::select(entries, &situation, &facts(view, lang, zone))
}

/// Line items that have shipped: a parcel carries some of them, or the shop completed the
/// order (shipped without tracking).
pub fn shipped_items(view: &OrderView) -> Vec<u64> {
    let completed = view.status == "completed";
    view.line_items
        .iter()
        .filter(|l| completed || (!view.shipments.is_empty() && l.unshipped_quantity < l.quantity))
        .map(|l| l.id)
        .collect()
}
