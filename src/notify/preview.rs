//! The staff preview: any customer message for a real order, composed from the order's
//! facts as they are now ([`decide::compose`]) and rendered by the templates a real send
//! uses ([`render`]). Read-only: nothing is recorded, queued, sent or published, and no
//! unsubscribe token is stored; the unsubscribe link is a marked placeholder.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};

use super::decide::{self, Candidate, Context};
use super::model::MessageType;
use super::render::{self, Rendered};
use super::triggers::delay_facts;
use super::unsubscribe;
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::returns::store as returns;
use crate::store::StoreError;
use crate::support::model::Author;
use crate::support::store as support;
use crate::tracking::alerts::parcel_status;
use crate::tracking::i18n::Lang;
use crate::tracking::status::ParcelStatus;
use crate::tracking::store::shipments::{self, ShipmentRow};

/// Where a preview's unsubscribe link points: no real token, so it records nothing.
pub const PREVIEW_TOKEN: &str = "preview-not-a-real-link";

pub struct Preview {
    pub kind: MessageType,
    pub lang: Lang,
    pub rendered: Rendered,
}

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the message could not be rendered")]
    Render(#[from] askama::Error),
}

/// The newest live parcel `wanted` accepts, else the newest live parcel.
fn pick(parcels: &[ShipmentRow], wanted: impl Fn(ParcelStatus) -> bool) -> Option<ShipmentId> {
    parcels
        .iter()
        .rev()
        .find(|s| wanted(parcel_status(s)))
        .or_else(|| parcels.last())
        .map(|s| s.id)
}

/// The order's newest open delay alert: (shipment id or 0, code).
fn newest_alert(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT shipment_id, code FROM delay_alerts
             WHERE store_id = ?1 AND order_id = ?2 AND resolved_at IS NULL
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row((store_id, order_id), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn sample_survey(store_id: &StoreId, order_id: OrderId) -> crate::surveys::store::SurveyRow {
    use crate::surveys::model::{Kind, Source, State};
    crate::surveys::store::SurveyRow {
        id: crate::ids::SurveyId::new(1),
        store_id: store_id.clone(),
        order_id,
        kind: Kind::Nps,
        source: Source::Delivery,
        subject: 0,
        recipient: String::new(),
        first_name: String::new(),
        locale: None,
        state: State::Asked,
        reason: String::new(),
        anchor_at: String::new(),
        token: Some(PREVIEW_TOKEN.to_owned()),
        expires_at: None,
        score: None,
        topic: None,
        comment: None,
        answered_at: None,
        changed_at: None,
        revision: 0,
        follow_up: false,
        follow_up_request_id: None,
        noted_revision: 0,
        created_at: String::new(),
    }
}

/// Renders a `kind` message about `order_id` in `lang` (default: the order's language).
/// `None` when the store has no such order.
pub fn preview(
    conn: &Connection,
    store_id: &StoreId,
    ctx: &Context<'_>,
    order_id: OrderId,
    kind: MessageType,
    lang: Option<Lang>,
    now: Timestamp,
) -> Result<Option<Preview>, PreviewError> {
    let Some((order, _, _)) = decide::load(conn, store_id, order_id)? else {
        return Ok(None);
    };
    let lang =
        lang.unwrap_or_else(|| super::data::order_lang(&order, ctx.tracking.language(store_id)));
    let parcels = shipments::for_order(conn, store_id, order_id, false)?;
    // The parcel, return or delay the message would be about if it were sent now.
    let (parcel, delay) = match kind {
        MessageType::Shipped => (
            pick(&parcels, |s| {
                matches!(
                    s,
                    ParcelStatus::Shipped | ParcelStatus::LabelCreated | ParcelStatus::InTransit
                )
            }),
            None,
        ),
        MessageType::OutForDelivery => {
            (pick(&parcels, |s| s == ParcelStatus::OutForDelivery), None)
        }
        MessageType::Delayed => {
            // The order's open alert if it has one, else "the expected date passed".
            let alert = newest_alert(conn, store_id, order_id)?;
            let (parcel, code) = match alert {
                Some((shipment, code)) => (
                    (shipment != 0).then(|| ShipmentId::new(shipment as u64)),
                    code,
                ),
                None => match pick(&parcels, |s| s != ParcelStatus::Delivered) {
                    Some(id) => (Some(id), "eta_passed".to_owned()),
                    None => (None, "not_shipped".to_owned()),
                },
            };
            let (facts, _) = delay_facts(conn, store_id, ctx, parcel, &code, now)?;
            (parcel, Some(facts))
        }
        _ => (None, None),
    };
    let ret = match kind {
        MessageType::ReturnUpdate => returns::for_order(conn, store_id, order_id)?.pop(),
        _ => None,
    };
    // The newest public reply of the order's newest request that has one.
    let requests = match kind {
        MessageType::SupportReply => support::for_order(conn, store_id, order_id)?,
        _ => Vec::new(),
    };
    let support = requests.iter().find_map(|r| {
        r.messages
            .iter()
            .rev()
            .find(|m| m.author == Author::Staff)
            .map(|m| (r, m))
    });
    let unsubscribe_url = kind
        .class()
        .unsubscribable()
        .then(|| unsubscribe::url(ctx.base_url, PREVIEW_TOKEN));
    // A survey preview asks the NPS question with links that lead nowhere.
    let sample = (kind == MessageType::Survey).then(|| sample_survey(store_id, order_id));
    let candidate = Candidate {
        order_id,
        kind,
        parcel,
        ret: ret.as_ref(),
        about: String::new(),
        status: "",
        event_at: None,
        delay,
        support,
        survey: sample.as_ref(),
    };
    let data = decide::compose(
        conn,
        store_id,
        ctx,
        &order,
        &candidate,
        lang,
        unsubscribe_url.as_deref(),
    )?;
    let rendered = render::render(kind, lang, &data, &ctx.tracking.branding(store_id))?;
    Ok(Some(Preview {
        kind,
        lang,
        rendered,
    }))
}
