//! The public tracking page of one order (served at `GET /t/{token}` by the HTTP edge).
//!
//! Server-rendered with askama (compiled, HTML auto-escaping). Mobile-first, no script,
//! inline CSS. Shows the shopper's first name and city and nothing else personal. Never
//! indexed (`noindex` in the page and in `X-Robots-Tag`), never sends the token on as a
//! referrer. An unknown token gets a friendly 404 page.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::alerts::{parcel_eta, parcel_status};
use super::delays::AlertCode;
use super::derive;
use super::i18n::{Lang, Texts};
use super::settings::{Branding, Color, TrackingSettings, is_safe_url};
use super::status::{DeliveryState, ParcelStatus};
use super::store::order_tracking as rows;
use super::token::TrackingToken;
use super::view::{FeedsOf, OrderTracking, alert_text, carrier_link, carrier_name};
use crate::shop::settings::SellerOverrides;
use crate::shop::timezone::Zones;
use crate::shop::{self, Storefront};
use crate::store::Db;
use crate::woo::Order;

/// The shop as the page presents it.
pub struct Brand {
    pub name: Option<String>,
    pub logo_url: Option<String>,
    /// The shop's home page: the header links back to it.
    pub home_url: Option<String>,
    pub primary: String,
    pub on_primary: String,
    /// The brand colour darkened, when needed, to 4.5:1 on the tint (and so on white).
    pub text: String,
    /// A pale wash of the brand colour for backgrounds.
    pub tint: String,
    pub support: Option<(String, String)>,
}

impl Brand {
    /// The page's `[tracking.branding]` over what the shop says of itself (`shop`: its
    /// profile's name, home page and logo).
    pub fn new(branding: &Branding, shop: &Storefront, t: &Texts) -> Brand {
        let white = Color([255, 255, 255]);
        let primary = branding.primary_color.unwrap_or(Color::DEFAULT);
        let on_primary = if primary.contrast(white) >= 4.5 {
            white
        } else {
            Color([0x11, 0x18, 0x27])
        };
        let tint = Color(
            primary
                .0
                .map(|c| (u16::from(c) + 9 * 255).div_ceil(10) as u8),
        );
        let name = branding.store_name.clone().or_else(|| shop.name.clone());
        let support = branding.support_url.clone().map(|url| {
            let who = name.as_deref().unwrap_or(t.the_shop);
            (url, t.contact_link.replace("{store}", who))
        });
        let web = |url: &Option<String>| url.as_deref().and_then(safe_image);
        Brand {
            name,
            logo_url: branding.logo_url.clone().or_else(|| web(&shop.logo_url)),
            home_url: web(&shop.url),
            primary: primary.hex(),
            on_primary: on_primary.hex(),
            text: primary.readable_on(tint, 4.5).hex(),
            tint: tint.hex(),
            support,
        }
    }
}

pub struct Step {
    pub label: &'static str,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

pub struct Notice {
    pub title: &'static str,
    pub body: String,
    pub problem: bool,
}

pub struct ItemLine {
    pub name: String,
    pub quantity: i64,
    pub image: Option<String>,
}

pub struct EventLine {
    pub label: &'static str,
    pub when: String,
    pub iso: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub tone: &'static str,
}

pub struct ParcelBlock {
    pub heading: String,
    pub carrier: String,
    pub number: String,
    pub link: Option<String>,
    pub link_label: String,
    pub status: &'static str,
    pub tone: &'static str,
    pub shipped: Option<String>,
    /// (label, date): delivered on, or expected by.
    pub arrival: Option<(&'static str, String)>,
    pub items: Vec<ItemLine>,
    pub events: Vec<EventLine>,
    pub no_events: String,
    /// (text, ISO time): when a tracking feed last checked the parcel, for one it follows.
    pub checked: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tracking/page.html")]
pub struct TrackingPage {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub brand: Brand,
    pub doc_title: String,
    pub other_lang_href: &'static str,
    pub other_lang: &'static str,
    pub order_label: String,
    pub headline: &'static str,
    /// `progress`, `done`, `warn`, `problem` or `closed`.
    pub tone: &'static str,
    pub summary: Option<String>,
    pub greeting: String,
    pub ship_to: Option<String>,
    pub note: Option<&'static str>,
    pub show_progress: bool,
    pub steps: Vec<Step>,
    pub step_now: usize,
    pub progress_text: String,
    pub progress_percent: usize,
    pub notices: Vec<Notice>,
    pub parcels: Vec<ParcelBlock>,
    /// (heading, lines): the order's contents, or what is not shipped yet.
    pub items: Option<(&'static str, Vec<ItemLine>)>,
    pub as_of: String,
    pub as_of_iso: String,
    /// The FAQ entries that fit the order now, in the page's language.
    pub answers: Vec<PageAnswer>,
}

/// An FAQ entry on the page: the question (escaped as usual) and the answer, sanitised
/// HTML whose filled-in facts are escaped already (see `crate::answers`).
pub struct PageAnswer {
    pub question: String,
    pub answer_html: String,
}

/// The FAQ entries that fit an order now, in a language: given by the composition root,
/// which alone sees answers and the order view together.
pub type AnswersOf = std::sync::Arc<
    dyn Fn(
            &rusqlite::Connection,
            &crate::ids::StoreId,
            crate::ids::OrderId,
            Lang,
        ) -> Result<Vec<PageAnswer>, crate::store::StoreError>
        + Send
        + Sync,
>;

#[derive(Template, WebTemplate)]
#[template(path = "tracking/not_found.html")]
pub struct NotFoundPage {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub brand: Brand,
    pub doc_title: String,
    pub other_lang_href: &'static str,
    pub other_lang: &'static str,
}

fn other_lang(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => ("?lang=ko", "ko"),
        Lang::Ko => ("?lang=en", "en"),
    }
}

fn safe_image(url: &str) -> Option<String> {
    is_safe_url(url, &["https://", "http://"]).then(|| url.to_owned())
}

const CLOSED: [&str; 3] = ["cancelled", "refunded", "failed"];

/// Builds the page of one order. Pure: everything it shows is passed in. Dates are in the
/// store's time zone `zone`, as WordPress prints them.
pub fn render_model(
    order: &Order,
    tracking: &OrderTracking,
    settings: &TrackingSettings,
    zone: &TimeZone,
    brand: Brand,
    lang: Lang,
    now: Timestamp,
) -> TrackingPage {
    let t = lang.t();
    let cal = &settings.calendar(zone);
    let now_local = cal.local(now);
    let date = |at: Timestamp| lang.date(&cal.local(at), &now_local);
    let parse = |s: &Option<String>| s.as_deref().and_then(crate::time::parse);
    let lines: Vec<(u64, i64)> = order
        .line_items
        .iter()
        .map(|l| (l.id, l.quantity))
        .collect();
    let item = |id: u64, quantity: i64| {
        order
            .line_items
            .iter()
            .find(|l| l.id == id)
            .map(|l| ItemLine {
                name: l.name.clone(),
                quantity,
                image: l.image.as_ref().and_then(|i| safe_image(&i.src)),
            })
    };

    let state = derive::delivery_state(&order.status, &lines, &tracking.shipments);
    let closed = CLOSED.contains(&order.status.as_str());
    let paid = order.date_paid_gmt.is_some() || order.status == "processing";
    let alerts: Vec<AlertCode> = tracking
        .alerts
        .iter()
        .filter_map(|a| AlertCode::parse(&a.code))
        .collect();
    let any_returned = tracking
        .shipments
        .iter()
        .any(|s| parcel_status(s) == ParcelStatus::Returned);

    let (headline, tone) = if order.status == "refunded" {
        (t.headline_refunded, "closed")
    } else if closed {
        (t.headline_cancelled, "closed")
    } else if state == DeliveryState::Exception && any_returned {
        (t.headline_returned, "problem")
    } else if state == DeliveryState::Exception {
        (t.headline_problem, "problem")
    } else if state != DeliveryState::Delivered && alerts.iter().any(|c| !c.is_problem()) {
        (t.headline_delayed, "warn")
    } else {
        match state {
            DeliveryState::Delivered => (t.headline_delivered, "done"),
            DeliveryState::OutForDelivery => (t.headline_out_for_delivery, "progress"),
            DeliveryState::Shipped
                if tracking
                    .shipments
                    .iter()
                    .any(|s| parcel_status(s) != ParcelStatus::Shipped) =>
            {
                (t.headline_on_its_way, "progress")
            }
            DeliveryState::Shipped => (t.headline_shipped, "progress"),
            DeliveryState::PartiallyShipped => (t.headline_partly, "progress"),
            DeliveryState::Unfulfilled if paid => (t.headline_preparing, "progress"),
            DeliveryState::Unfulfilled | DeliveryState::Exception => {
                (t.headline_received, "progress")
            }
        }
    };

    let moving: Vec<_> = tracking
        .shipments
        .iter()
        .filter(|s| parcel_status(s).is_moving())
        .collect();
    let summary = if closed {
        None
    } else if state == DeliveryState::Delivered {
        tracking
            .shipments
            .iter()
            .filter_map(|s| parse(&s.delivered_at))
            .max()
            .map(|at| t.delivered_on.replace("{date}", &date(at)))
    } else {
        moving
            .iter()
            .filter_map(|s| parcel_eta(s, settings, cal))
            .min()
            .map(|eta| {
                let day = cal.local(eta).date();
                // A passed date is never shown as the expected one, alert or not (during
                // the alert's grace period there is none yet).
                if eta < now {
                    t.was_expected_by.replace("{date}", &date(eta))
                } else if day == now_local.date() {
                    t.expected_today.to_owned()
                } else if Some(day) == now_local.date().tomorrow().ok() {
                    t.expected_tomorrow.to_owned()
                } else {
                    t.expected_by.replace("{date}", &date(eta))
                }
            })
    };
    let note = if closed {
        Some(t.closed_note)
    } else {
        match state {
            DeliveryState::Unfulfilled if paid => Some(t.will_update),
            DeliveryState::Unfulfilled => Some(t.awaiting_payment),
            DeliveryState::PartiallyShipped => Some(t.partly_note),
            _ => None,
        }
    };

    // The bar says what the headline says: the order's state, not one parcel's.
    let step_now = match state {
        DeliveryState::Unfulfilled => 0,
        DeliveryState::PartiallyShipped => 1,
        DeliveryState::Shipped => tracking
            .shipments
            .iter()
            .map(|s| parcel_status(s).step())
            .max()
            .unwrap_or(1)
            .min(2),
        DeliveryState::OutForDelivery => 3,
        DeliveryState::Delivered => 4,
        DeliveryState::Exception => 2,
    };
    let steps = t
        .steps
        .iter()
        .enumerate()
        .map(|(i, label)| Step {
            label,
            state: match i.cmp(&step_now) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "todo",
            },
        })
        .collect();
    let progress_text = t
        .progress_value
        .replace("{n}", &(step_now + 1).to_string())
        .replace("{step}", t.steps[step_now]);

    let notices = tracking
        .alerts
        .iter()
        .filter_map(|a| {
            let (title, body) = alert_text(a, tracking, settings, cal, lang, &now_local)?;
            Some(Notice {
                title,
                body,
                problem: AlertCode::parse(&a.code).is_some_and(AlertCode::is_problem),
            })
        })
        .collect();

    let total = tracking.shipments.len();
    let parcels: Vec<ParcelBlock> = tracking
        .shipments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let status = parcel_status(s);
            let carrier = carrier_name(s, lang);
            let late = tracking.alerts.iter().any(|a| a.shipment_id == Some(s.id));
            let arrival = match (parse(&s.delivered_at), parcel_eta(s, settings, cal)) {
                (Some(at), _) if status == ParcelStatus::Delivered => Some((t.delivered, date(at))),
                (_, Some(eta)) if eta < now => Some((t.was_expected, date(eta))),
                (_, Some(eta)) => Some((t.estimated_delivery, date(eta))),
                _ => None,
            };
            ParcelBlock {
                heading: if total == 1 {
                    t.your_parcel.to_owned()
                } else {
                    t.parcel_of
                        .replace("{n}", &(i + 1).to_string())
                        .replace("{total}", &total.to_string())
                },
                link_label: t
                    .track_link_label
                    .replace("{number}", &s.tracking_number)
                    .replace("{carrier}", &carrier),
                no_events: t.no_events.replace("{carrier}", &carrier),
                checked: tracking.last_checked.get(&s.id).map(|&at| {
                    let when = lang.date_time(&cal.local(at), &now_local);
                    (
                        t.last_checked.replace("{time}", &when),
                        crate::time::seconds(at),
                    )
                }),
                carrier,
                number: s.tracking_number.clone(),
                link: carrier_link(s),
                status: t.status(status),
                tone: tone_of(status, late),
                shipped: parse(&s.shipped_at).map(date),
                arrival,
                items: tracking
                    .contents(s, &lines)
                    .into_iter()
                    .filter_map(|(id, q)| item(id, q))
                    .collect(),
                events: tracking
                    .events_of(s.id)
                    .map(|e| {
                        let status = ParcelStatus::parse_event(&e.status);
                        EventLine {
                            label: status.map_or("", |s| t.status(s)),
                            when: crate::time::parse(&e.occurred_at)
                                .map(|at| lang.date_time(&cal.local(at), &now_local))
                                .unwrap_or_default(),
                            iso: e.occurred_at.clone(),
                            location: e.location.clone(),
                            description: e.description.clone(),
                            tone: status.map_or("progress", |s| tone_of(s, false)),
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    let unlisted = parcels.iter().any(|p| p.items.is_empty());
    let items = if tracking.shipments.is_empty() || unlisted {
        let all = lines.iter().filter_map(|&(id, q)| item(id, q)).collect();
        Some((t.items_in_order, all))
    } else {
        // What the parcels carry as shown above them, not their raw item lists: a parcel
        // from tracking-plugin meta lists nothing but carries the whole order.
        let unshipped = tracking.unshipped(&lines);
        let rest: Vec<ItemLine> = lines
            .iter()
            .filter_map(|&(id, _)| {
                item(id, unshipped.get(&id).copied().unwrap_or(0)).filter(|i| i.quantity > 0)
            })
            .collect();
        (!rest.is_empty()).then_some((t.not_yet_shipped, rest))
    };

    let first_name = [&order.shipping.first_name, &order.billing.first_name]
        .into_iter()
        .map(|n| n.trim())
        .find(|n| !n.is_empty());
    let city = [&order.shipping.city, &order.billing.city]
        .into_iter()
        .map(|c| c.trim())
        .find(|c| !c.is_empty());
    let number = order.display_number();
    let (other_lang_href, other_lang) = other_lang(lang);
    let doc_title = match &brand.name {
        Some(name) => format!("{} · {name}", t.title.replace("{number}", &number)),
        None => t.title.replace("{number}", &number),
    };
    TrackingPage {
        lang: lang.code(),
        t,
        brand,
        doc_title,
        other_lang_href,
        other_lang,
        order_label: t.order_number.replace("{number}", &number),
        headline,
        tone,
        summary,
        greeting: match first_name {
            Some(name) => t.greeting_named.replace("{name}", name),
            None => t.greeting.to_owned(),
        },
        ship_to: city.map(|c| t.ship_to.replace("{city}", c)),
        note,
        show_progress: !closed,
        steps,
        step_now: step_now + 1,
        progress_text,
        progress_percent: step_now * 25,
        notices,
        parcels,
        items,
        as_of: t
            .updated
            .replace("{time}", &lang.date_time(&now_local, &now_local)),
        as_of_iso: crate::time::seconds(now),
        answers: Vec::new(),
    }
}

fn tone_of(status: ParcelStatus, late: bool) -> &'static str {
    match status {
        ParcelStatus::Delivered => "done",
        ParcelStatus::Exception | ParcelStatus::Returned => "problem",
        _ if late => "warn",
        _ => "progress",
    }
}

/// The page's language: `?lang=` first, else `Accept-Language`, else the default.
pub fn language(raw_query: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
    let asked = raw_query.and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")));
    Lang::negotiate(asked, accept_language, default)
}

/// The tracking page of the order with `token`, or a 404 page (also for `None`, a
/// malformed token). `seller` names the shop when neither its branding nor its profile
/// does; `zones` gives the store's time zone; `feeds_of` when a feed last checked a parcel;
/// `answers_of` the FAQ entries that fit the order.
#[allow(clippy::too_many_arguments)]
pub async fn show(
    db: &Db,
    settings: &Arc<TrackingSettings>,
    zones: &Zones,
    feeds_of: FeedsOf,
    token: Option<TrackingToken>,
    choose: impl Fn(Lang) -> Lang + Send + Sync + 'static,
    seller: &SellerOverrides,
    answers_of: AnswersOf,
) -> Response {
    // The page's language, negotiated against the store's own fallback once it is known.
    let choose = Arc::new(choose);
    let found = if let Some(token) = token {
        let (zones, settings, choose) = (zones.clone(), settings.clone(), choose.clone());
        db.read(move |c| {
            let Some(page) = rows::by_token(c, &token)? else {
                return Ok(None);
            };
            let lang = choose(settings.language(&page.store_id));
            let tracking = OrderTracking::load(c, &page.store_id, page.order_id)?.with_feeds(
                c,
                &page.store_id,
                page.order_id,
                feeds_of,
            )?;
            let front = shop::store::storefront(c, &page.store_id)?;
            let zone = zones.zone(c, &page.store_id).tz;
            let answers = answers_of(c, &page.store_id, page.order_id, lang)?;
            Ok(Some((page, tracking, front, zone, answers, lang)))
        })
        .await
    } else {
        Ok(None)
    };
    let lang = match &found {
        Ok(Some(found)) => found.5,
        _ => choose(settings.default_language),
    };
    let t = lang.t();
    let (other_lang_href, other_lang) = other_lang(lang);
    let (page, tracking, front, zone, answers, _) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            let brand = Brand::new(
                &settings.branding(&crate::ids::StoreId::default_store()),
                &Storefront::default(),
                t,
            );
            let page = NotFoundPage {
                lang: lang.code(),
                t,
                brand,
                doc_title: t.not_found_title.to_owned(),
                other_lang_href,
                other_lang,
            };
            return with_headers(StatusCode::NOT_FOUND, lang, page.into_response());
        }
        Err(error) => {
            tracing::error!(%error, "tracking page read failed");
            return with_headers(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "The tracking page is unavailable; try again shortly.".into_response(),
            );
        }
    };
    let order = match page.order() {
        Ok(order) => order,
        Err(error) => {
            tracing::error!(%error, store = %page.store_id, order_id = page.order_id.get(), "mirrored order does not parse");
            return with_headers(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                "The tracking page could not be shown.".into_response(),
            );
        }
    };
    let brand = Brand::new(
        &settings.branding(&page.store_id),
        &shop::storefront(front, seller),
        t,
    );
    let mut model = render_model(
        &order,
        &tracking,
        settings,
        &zone,
        brand,
        lang,
        Timestamp::now(),
    );
    model.answers = answers;
    with_headers(StatusCode::OK, lang, model.into_response())
}

/// Security and indexing headers every tracking response carries.
fn with_headers(status: StatusCode, lang: Lang, mut response: Response) -> Response {
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    response
}

/// Renders a page to HTML (for benchmarks and tests that need no server).
pub fn render_html(page: &TrackingPage) -> Result<String, askama::Error> {
    page.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{OrderId, ShipmentId, StoreId};
    use crate::tracking::store::shipments::ShipmentRow;

    /// The registered KRW fixture: lines 201 (1 unit), 202 (2) and 203 (1).
    fn order() -> Order {
        serde_json::from_str(include_str!("../../fixtures/orders/registered-krw.json")).unwrap()
    }

    fn parcel(status: &str, items: &[(u64, i64)], carrier_eta: Option<&str>) -> ShipmentRow {
        ShipmentRow {
            id: ShipmentId::new(1),
            store_id: StoreId::default_store(),
            order_id: OrderId::new(1001),
            source: "woocommerce".into(),
            number_key: "568912340017".into(),
            carrier: "cj-logistics".into(),
            carrier_name: "CJ Logistics".into(),
            tracking_number: "568912340017".into(),
            tracking_url: None,
            shipped_at: Some("2026-11-14T15:00:00Z".into()),
            status: status.into(),
            last_event_at: None,
            carrier_eta: carrier_eta.map(Into::into),
            delivered_at: None,
            removed_at: None,
            carrier_silent_at: None,
            items: items.to_vec(),
        }
    }

    fn render(shipments: Vec<ShipmentRow>, now: &str) -> TrackingPage {
        let tracking = OrderTracking {
            shipments,
            ..OrderTracking::default()
        };
        let settings = TrackingSettings::default();
        let brand = Brand::new(&Branding::default(), &Storefront::default(), Lang::En.t());
        render_model(
            &order(),
            &tracking,
            &settings,
            &TimeZone::UTC,
            brand,
            Lang::En,
            now.parse().unwrap(),
        )
    }

    #[test]
    fn the_header_names_the_shop_and_links_back_to_it() {
        let shop = Storefront {
            name: Some("Aftercare Test Shop".into()),
            url: Some("https://shop.example/".into()),
            logo_url: Some("https://shop.example/logo.png".into()),
        };
        let page = |branding: &Branding, shop: &Storefront| {
            let mut model = render(vec![], "2026-11-15T00:00:00Z");
            model.brand = Brand::new(branding, shop, Lang::En.t());
            render_html(&model).unwrap()
        };
        let html = page(&Branding::default(), &shop);
        assert!(
            html.contains(r#"<a class="shop" href="https://shop.example/">"#),
            "{html}"
        );
        assert!(html.contains(r#"src="https://shop.example/logo.png""#));
        assert!(html.contains(r#"<span class="store">Aftercare Test Shop</span>"#));

        // The page's own branding wins.
        let branding = Branding {
            store_name: Some("Nimbus & Tea".into()),
            logo_url: Some("https://cdn.example/n.png".into()),
            ..Branding::default()
        };
        let html = page(&branding, &shop);
        assert!(html.contains("Nimbus &#38; Tea") || html.contains("Nimbus &amp; Tea"));
        assert!(html.contains(r#"src="https://cdn.example/n.png""#));
        assert!(html.contains(r#"href="https://shop.example/""#));

        // Nothing known: no empty element, no host name, and the page still renders.
        let html = page(&Branding::default(), &Storefront::default());
        let header = &html[html.find("<header").unwrap()..html.find("</header>").unwrap()];
        assert!(!header.contains("<span></span>") && !header.contains("class=\"shop\""));
        // An address that is not a web page is not linked.
        let odd = Storefront {
            url: Some("javascript:alert(1)".into()),
            ..shop
        };
        assert!(!page(&Branding::default(), &odd).contains("javascript:"));
    }

    #[test]
    fn a_parcel_from_tracking_meta_leaves_nothing_unshipped() {
        let page = render(vec![parcel("shipped", &[], None)], "2026-11-15T00:00:00Z");
        assert_eq!(page.parcels[0].items.len(), 3, "it carries the whole order");
        let listed_again = page.items.map(|(title, items)| (title, items.len()));
        assert_eq!(listed_again, None);
    }

    #[test]
    fn what_a_listed_parcel_leaves_is_not_shipped_yet() {
        let page = render(
            vec![parcel("shipped", &[(201, 1), (202, 1)], None)],
            "2026-11-15T00:00:00Z",
        );
        let (title, rest) = page.items.expect("items left to ship");
        assert_eq!(title, Lang::En.t().not_yet_shipped);
        let rest: Vec<i64> = rest.iter().map(|i| i.quantity).collect();
        assert_eq!(rest, [1, 1], "one unit of 202 and 203");
    }

    #[test]
    fn a_passed_estimate_is_never_shown_as_expected_even_before_any_alert() {
        let page = render(
            vec![parcel("in_transit", &[], Some("2026-11-18T23:59:59Z"))],
            "2026-11-20T10:00:00Z",
        );
        let summary = page.summary.expect("a summary");
        assert!(summary.starts_with("It was expected by"), "{summary}");
        assert_eq!(page.parcels[0].arrival.as_ref().unwrap().0, "Was expected");

        let page = render(
            vec![parcel("in_transit", &[], Some("2026-11-22T23:59:59Z"))],
            "2026-11-20T10:00:00Z",
        );
        assert!(page.summary.unwrap().starts_with("Expected by"));
        assert_eq!(
            page.parcels[0].arrival.as_ref().unwrap().0,
            "Estimated delivery"
        );
    }

    /// A parcel a feed follows says when the feed last checked it, in the shop's time zone
    /// and the page's language, as its events' times read; one without a feed says nothing.
    #[test]
    fn a_followed_parcel_says_when_its_feed_last_checked() {
        let mut other = parcel("in_transit", &[], None);
        other.id = ShipmentId::new(2);
        other.tracking_number = "999".into();
        let mut tracking = OrderTracking {
            shipments: vec![parcel("in_transit", &[], None), other],
            ..OrderTracking::default()
        };
        let checked: Timestamp = "2026-11-16T06:05:00Z".parse().unwrap();
        tracking.last_checked.insert(ShipmentId::new(1), checked);
        let seoul = TimeZone::fixed(jiff::tz::offset(9));
        let page = |lang: Lang| {
            let brand = Brand::new(&Branding::default(), &Storefront::default(), lang.t());
            let settings = TrackingSettings::default();
            let now = "2026-11-16T09:00:00Z".parse().unwrap();
            render_model(&order(), &tracking, &settings, &seoul, brand, lang, now)
        };

        let en = page(Lang::En);
        let (text, iso) = en.parcels[0].checked.clone().expect("a last check");
        assert_eq!(
            text, "Last checked Nov 16, 3:05 PM",
            "15:05 in the shop's zone"
        );
        assert_eq!(iso, "2026-11-16T06:05:00Z");
        assert!(en.parcels[1].checked.is_none(), "no feed, no line");
        let html = render_html(&en).unwrap();
        assert!(
            html.contains(
                r#"<time datetime="2026-11-16T06:05:00Z">Last checked Nov 16, 3:05 PM</time>"#
            ),
            "{html}"
        );
        assert_eq!(html.matches("Last checked").count(), 1);

        let ko = page(Lang::Ko);
        let (text, _) = ko.parcels[0].checked.clone().unwrap();
        assert!(
            text.starts_with("마지막 조회 ") && text.ends_with("오후 3:05"),
            "{text}"
        );
    }
}
