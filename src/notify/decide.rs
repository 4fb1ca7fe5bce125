//! The decision: given a message-worthy event and the facts as they are now, record at
//! most one message per recipient and dedupe key (order, parcel or return, status), and
//! why it goes now, later or not at all.
//!
//! Rules, in order: one decision per key (a duplicate or repeated event finds the first);
//! nothing for cancelled, refunded, failed, trashed or draft orders (except the shop's
//! answer to a support request, which goes whatever the order's status); a carrier event older
//! than `stale_after` is history; an unsubscribed class is skipped; with no channel
//! nothing is sent; status updates wait out quiet hours in the shop's zone, transactional
//! messages do not.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::Connection;

use super::data::{self, Delay, Sources};
use super::events;
use super::model::{Channel, MessageType, State};
use super::settings::NotifySettings;
use super::store::{self, NewMessage};
use super::unsubscribe::{self, Keys};
use crate::ids::{MessageId, OrderId, ShipmentId, StoreId};
use crate::jobs::{self, JobKind};
use crate::returns::store::ReturnRecord;
use crate::shop::settings::SellerOverrides;
use crate::store::StoreError;
use crate::support::store::{MessageRecord, RequestRecord};
use crate::time;
use crate::tracking::TrackingSettings;
use crate::tracking::i18n::Lang;
use crate::tracking::status::CLOSED_STATUSES;

/// What the engine needs besides the database.
pub struct Context<'a> {
    pub settings: &'a NotifySettings,
    pub tracking: &'a TrackingSettings,
    pub seller: &'a SellerOverrides,
    pub zone: &'a TimeZone,
    pub base_url: &'a str,
    pub keys: &'a Keys,
    pub guides: &'a crate::guides::GuideSettings,
}

/// A message-worthy event.
pub struct Candidate<'a> {
    pub order_id: OrderId,
    pub kind: MessageType,
    /// The parcel the message is about, if any.
    pub parcel: Option<ShipmentId>,
    pub ret: Option<&'a ReturnRecord>,
    /// The second part of the dedupe key: `shp_1`, `ret_2`, or `order`.
    pub about: String,
    /// The status the message reports (third part of the key).
    pub status: &'a str,
    /// When the carrier saw it; `None` for events aftercare itself witnessed.
    pub event_at: Option<Timestamp>,
    pub delay: Option<DelayFacts>,
    /// The support request and the staff reply the message carries.
    pub support: Option<(&'a RequestRecord, &'a MessageRecord)>,
    /// The survey a `survey` message asks.
    pub survey: Option<&'a crate::surveys::store::SurveyRow>,
}

/// The facts of a delay; what the shop does is said in the message's language.
pub struct DelayFacts {
    pub previous_date: Option<String>,
    pub new_date: Option<String>,
    /// The alert code.
    pub reason: String,
}

/// What became of a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The same message was decided before: nothing new.
    Duplicate,
    Recorded {
        id: MessageId,
        state: State,
        reason: String,
    },
}

/// Decides on `c` in the caller's transaction.
pub fn consider(
    conn: &Connection,
    store_id: &StoreId,
    ctx: &Context<'_>,
    c: &Candidate<'_>,
    now: Timestamp,
) -> Result<Decision, StoreError> {
    let Some((order, trashed, draft)) = load(conn, store_id, c.order_id)? else {
        // Not mirrored (yet): there is nobody to tell.
        return Ok(Decision::Duplicate);
    };
    let recipient = order
        .billing
        .email
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let dedupe_key = format!("order:{}|{}|{}", c.order_id, c.about, c.status);
    if exists(conn, store_id, &recipient, &dedupe_key)? {
        return Ok(Decision::Duplicate);
    }
    let lang = data::order_lang(&order, ctx.tracking.language(store_id));
    let class = c.kind.class();
    let own = ctx.settings.store(store_id);
    let stamp = time::millis(now);
    let unsubscribe_url = class.unsubscribable().then(|| {
        let token = ctx.keys.token(store_id, &recipient, class);
        (token.clone(), unsubscribe::url(ctx.base_url, &token))
    });
    let data = compose(
        conn,
        store_id,
        ctx,
        &order,
        c,
        lang,
        unsubscribe_url.as_ref().map(|(_, url)| url.as_str()),
    )?;

    // A parcel known without any date (tracking meta without a shipping date) is as old as
    // the order's last change: a backfilled order's history stays history.
    let event_at = c
        .event_at
        .or_else(|| (c.kind == MessageType::Shipped).then_some(order.date_modified_gmt.0));
    let (state, due, reason, worthy) = if trashed || draft {
        (
            State::Skipped,
            now,
            "the order is in the trash or a draft".to_owned(),
            false,
        )
    } else if CLOSED_STATUSES.contains(&order.status.as_str())
        // An answer to the customer's own question goes whatever became of the order.
        && c.kind != MessageType::SupportReply
    {
        (
            State::Skipped,
            now,
            format!("the order is {}", order.status),
            false,
        )
    } else if let Some(at) =
        event_at.filter(|at| now.duration_since(*at) > ctx.settings.stale_after)
    {
        (
            State::Skipped,
            now,
            format!(
                "stale: the carrier's event of {} is older than {} hours",
                time::seconds(at),
                ctx.settings.stale_after.as_hours()
            ),
            false,
        )
    } else if recipient.is_empty() {
        (
            State::Skipped,
            now,
            "the order has no email address".to_owned(),
            true,
        )
    } else if class.unsubscribable() && store::is_unsubscribed(conn, store_id, &recipient, class)? {
        (
            State::Skipped,
            now,
            format!("the customer unsubscribed from {class}"),
            true,
        )
    } else if own.channel == Channel::None {
        (
            State::Skipped,
            now,
            "no channel: notifications are switched off".to_owned(),
            true,
        )
    } else if let Some(end) = ctx
        .settings
        .quiet_hours
        .filter(|_| class.unsubscribable())
        .and_then(|q| q.ends_after(now, ctx.zone))
    {
        (
            State::Deferred,
            end,
            format!("quiet hours until {}", time::seconds(end)),
            true,
        )
    } else {
        (
            State::Pending,
            now,
            format!("to send by {}", own.channel),
            true,
        )
    };
    let due_at = time::millis(due);
    let data_text = data.to_string();
    let Some(id) = store::insert(
        conn,
        &NewMessage {
            store_id,
            order_id: c.order_id,
            kind: c.kind,
            recipient: &recipient,
            locale: data::locale(lang),
            dedupe_key: &dedupe_key,
            channel: own.channel,
            state,
            due_at: due_at.as_str(),
            reason: &reason,
            data: &data_text,
            now: &stamp,
        },
    )?
    else {
        return Ok(Decision::Duplicate);
    };
    if let Some((token, _)) = &unsubscribe_url {
        store::remember_token(conn, token, store_id, &recipient, class, &stamp)?;
    }
    if let Some(s) = c.survey {
        // The page speaks the message's language.
        crate::surveys::store::set_locale(conn, s.id, data::locale(lang))?;
    }
    if worthy {
        events::publish(
            conn,
            store_id,
            &format!("evt_{id}"),
            c.kind.as_str(),
            &data,
            now,
        )?;
    }
    if own.channel == Channel::Smtp && matches!(state, State::Pending | State::Deferred) {
        jobs::store::enqueue_at(
            conn,
            store_id,
            JobKind::SendMessage,
            c.order_id,
            id.get(),
            &due_at,
            &stamp,
        )?;
    }
    Ok(Decision::Recorded { id, state, reason })
}

/// The message `data` of candidate `c` about `order` in `lang`, from the facts as they are
/// now: what a decision records and what the staff preview renders.
pub fn compose(
    conn: &Connection,
    store_id: &StoreId,
    ctx: &Context<'_>,
    order: &crate::woo::Order,
    c: &Candidate<'_>,
    lang: Lang,
    unsubscribe_url: Option<&str>,
) -> Result<serde_json::Value, StoreError> {
    let front =
        crate::shop::storefront(crate::shop::store::storefront(conn, store_id)?, ctx.seller);
    let branding = ctx.tracking.branding(store_id);
    let shop = crate::shop::Storefront {
        name: branding.store_name.clone().or(front.name),
        url: front.url,
        logo_url: branding.logo_url.clone().or(front.logo_url),
    };
    let src = Sources {
        tracking: ctx.tracking,
        zone: ctx.zone,
        base_url: ctx.base_url,
        shop: &shop,
        lang,
    };
    let delay = c.delay.as_ref().map(|d| Delay {
        previous_date: d.previous_date.clone(),
        new_date: d.new_date.clone(),
        reason: d.reason.clone(),
        action: super::texts::delay_action(&d.reason, lang).to_owned(),
    });
    let mut data = data::build(
        conn,
        store_id,
        order,
        &src,
        c.parcel,
        delay.as_ref(),
        c.ret,
        c.support,
        unsubscribe_url,
    )?;
    if let Some(s) = c.survey {
        data["survey"] = data::survey(s, ctx.base_url);
    }
    Ok(data)
}

fn exists(
    conn: &Connection,
    store_id: &StoreId,
    recipient: &str,
    key: &str,
) -> Result<bool, StoreError> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM messages WHERE store_id = ?1 AND recipient = ?2 AND dedupe_key = ?3",
        )?
        .query_row((store_id, recipient, key), |_| Ok(()))
        .optional()?
        .is_some())
}

/// The order with whether it is trashed and whether it is a draft.
pub(super) fn load(
    conn: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
) -> Result<Option<(crate::woo::Order, bool, bool)>, StoreError> {
    use rusqlite::OptionalExtension as _;
    let found: Option<(String, bool, bool)> = conn
        .prepare_cached(
            "SELECT raw, trashed_at IS NOT NULL, is_draft FROM orders
             WHERE store_id = ?1 AND order_id = ?2",
        )?
        .query_row((store_id, order_id), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    found
        .map(|(raw, trashed, draft)| {
            Ok((crate::orders::store::parse(order_id, &raw)?, trashed, draft))
        })
        .transpose()
}

/// Whether the shop's language is Korean (templates and subjects follow the order's).
pub fn lang_of_locale(locale: &str) -> Lang {
    Lang::from_tag(locale).unwrap_or(Lang::En)
}
