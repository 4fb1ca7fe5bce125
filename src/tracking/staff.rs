//! What the staff API does: add a parcel to an order, record a parcel's event. Input is
//! checked field by field (all problems reported at once); the change, the order's
//! delivery state and its delay alerts are written in one transaction.

use std::sync::Arc;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::Calendar;
use super::carriers::{self, CUSTOM};
use super::meta::number_key;
use super::settings::is_safe_url;
use super::status::{EVENT_STATUSES, ParcelStatus};
use super::store::shipments::{self, NewEvent, NewShipment, SOURCE_API};
use super::view::{OrderTracking, ShipmentView, shipment_view};
use super::{ParcelFeed, TrackingSettings, alerts, derive};
use crate::ids::{OrderId, ShipmentId, StoreId};
use crate::orders::store as orders;
use crate::shop::timezone::Zones;
use crate::store::{Db, StoreError};
use crate::time::{self, Stamp};
use crate::validation::FieldError;

const MAX_NUMBER: usize = 100;
const MAX_NAME: usize = 80;
const MAX_LOCATION: usize = 200;
const MAX_DESCRIPTION: usize = 1000;

/// How far a sender's clock may differ from aftercare's: a time later than now, or earlier
/// than the order, by more than this is refused.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// `POST /api/v1/orders/{order_id}/shipments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShipmentRequest {
    /// A registry slug (`ups`, `cj-logistics`, ...) or a name the tracking plugins use
    /// (`UPS`, `CJ대한통운`); any other name together with `tracking_url`. Omitted: detected
    /// from the number when its format is unambiguous (UPS `1Z`, USPS, UPU S10).
    #[serde(default)]
    #[schema(example = "ups")]
    pub carrier: Option<String>,
    #[schema(example = "1Z999AA10123456784")]
    pub tracking_number: String,
    /// RFC 3339; default now.
    #[serde(default)]
    #[schema(example = "2026-11-22T10:00:00Z")]
    pub shipped_at: Option<String>,
    /// The carrier's tracking page for this parcel; required for a carrier outside the
    /// registry, optional otherwise (the registry builds it).
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// What the parcel carries. Omitted: every unit not yet in an itemised parcel.
    #[serde(default)]
    pub items: Option<Vec<ItemRequest>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemRequest {
    pub line_item_id: u64,
    pub quantity: i64,
}

/// `POST /api/v1/shipments/{shipment_id}/events`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEventRequest {
    /// `label_created`, `in_transit`, `out_for_delivery`, `delivered`, `exception` or `returned`.
    #[schema(example = "in_transit")]
    pub status: String,
    /// RFC 3339. Events may arrive in any order; the newest by this time sets the status.
    #[schema(example = "2026-11-23T08:10:00Z")]
    pub occurred_at: String,
    #[serde(default)]
    #[schema(example = "Incheon")]
    pub location: Option<String>,
    #[serde(default)]
    #[schema(example = "Departed hub")]
    pub description: Option<String>,
    /// The carrier's delivery estimate: RFC 3339, or a date meaning the end of that day
    /// in the store's time zone.
    #[serde(default)]
    pub eta: Option<String>,
}

/// The answer to a recorded event: the event and the parcel as it now stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventReceipt {
    pub event: RecordedEvent,
    pub shipment: ShipmentView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedEvent {
    pub id: u64,
    #[schema(value_type = u64)]
    pub shipment_id: ShipmentId,
    pub status: String,
    pub occurred_at: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub eta: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("no such order")]
    OrderNotFound,
    #[error("no such shipment")]
    ShipmentNotFound,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("the order already has a parcel with this tracking number")]
    DuplicateNumber { shipment_id: ShipmentId },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Field errors found inside the write transaction travel out through `StoreError`.
enum Rejected {
    OrderNotFound,
    Invalid(Vec<FieldError>),
    Duplicate(ShipmentId),
}

struct Checked {
    carrier: String,
    carrier_name: String,
    tracking_number: String,
    tracking_url: Option<String>,
    shipped_at: String,
    items: Option<Vec<(u64, i64)>>,
}

fn clean(text: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim();
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    } else if text.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    text.to_owned()
}

fn time_field(
    text: &str,
    field: &str,
    now: Timestamp,
    errors: &mut Vec<FieldError>,
) -> Option<Timestamp> {
    match text.trim().parse::<Timestamp>() {
        Ok(t) if t > now + CLOCK_SKEW => {
            errors.push(FieldError::new(field, "must not be in the future"));
            None
        }
        Ok(t) => Some(t),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "must be an RFC 3339 time like 2026-11-22T10:00:00Z",
            ));
            None
        }
    }
}

/// A parcel or an event cannot predate its order (within the clock skew).
fn not_before_order(
    at: &str,
    field: &str,
    placed: Option<Timestamp>,
) -> Result<(), Vec<FieldError>> {
    match (time::parse(at), placed) {
        (Some(at), Some(created)) if at < created - CLOCK_SKEW => Err(vec![FieldError::new(
            field,
            format!(
                "must not be before the order was placed ({})",
                time::seconds(created)
            ),
        )]),
        _ => Ok(()),
    }
}

fn check_shipment(req: &NewShipmentRequest, now: Timestamp) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let number = clean(
        &req.tracking_number,
        "tracking_number",
        MAX_NUMBER,
        &mut errors,
    );
    if number_key(&number).is_empty() {
        errors.push(FieldError::new(
            "tracking_number",
            "must contain letters or digits",
        ));
    }
    let tracking_url = match req.tracking_url.as_deref().map(str::trim) {
        Some(url) if !url.is_empty() => {
            if !is_safe_url(url, &["https://", "http://"]) {
                errors.push(FieldError::new(
                    "tracking_url",
                    "must be an http:// or https:// URL without spaces",
                ));
            }
            Some(url.to_owned())
        }
        _ => None,
    };
    let given = req
        .carrier
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (carrier, carrier_name) = match given {
        Some(name) => match carriers::lookup(name) {
            Some(c) => (c.slug.to_owned(), c.name.to_owned()),
            None if tracking_url.is_some() => (
                CUSTOM.to_owned(),
                clean(name, "carrier", MAX_NAME, &mut errors),
            ),
            None => {
                errors.push(FieldError::new(
                    "carrier",
                    format!("`{name}` is not a carrier of the registry; use a registry slug, or give `tracking_url` for another carrier"),
                ));
                (String::new(), String::new())
            }
        },
        None => match carriers::detect(&number) {
            Some(c) => (c.slug.to_owned(), c.name.to_owned()),
            None => {
                errors.push(FieldError::new(
                    "carrier",
                    "is required: the tracking number does not say which carrier it belongs to",
                ));
                (String::new(), String::new())
            }
        },
    };
    let shipped_at = match req.shipped_at.as_deref() {
        Some(text) => time_field(text, "shipped_at", now, &mut errors).unwrap_or(now),
        None => now,
    };
    let items = req.items.as_ref().map(|items| {
        if items.is_empty() {
            errors.push(FieldError::new(
                "items",
                "must list at least one item; leave it out for the whole order",
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                if item.quantity < 1 {
                    errors.push(FieldError::new(
                        format!("items[{i}].quantity"),
                        "must be at least 1",
                    ));
                }
                if items[..i]
                    .iter()
                    .any(|o| o.line_item_id == item.line_item_id)
                {
                    errors.push(FieldError::new(
                        format!("items[{i}].line_item_id"),
                        "is listed twice",
                    ));
                }
                (item.line_item_id, item.quantity)
            })
            .collect::<Vec<_>>()
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Checked {
        carrier,
        carrier_name,
        tracking_number: number,
        tracking_url,
        shipped_at: time::seconds(shipped_at),
        items,
    })
}

/// Adds a parcel to a visible order of `store_id` (`feed`: whether a feed follows its parcels).
pub async fn create_shipment(
    db: &Db,
    settings: Arc<TrackingSettings>,
    zones: &Zones,
    feed: ParcelFeed,
    store_id: StoreId,
    order_id: OrderId,
    req: NewShipmentRequest,
) -> Result<ShipmentView, StaffError> {
    let now = Timestamp::now();
    let checked = check_shipment(&req, now).map_err(StaffError::Invalid)?;
    let zone = zones.zone_of(db, &store_id).await?.tz;
    let outcome = db
        .writer()
        .write(move |c| {
            let stamp = time::millis(now);
            let id = match insert_checked(c, &store_id, order_id, &checked, feed, &stamp)? {
                Ok(id) => id,
                Err(rejected) => return Ok(Err(rejected)),
            };
            derive::refresh_state(c, &store_id, order_id, &stamp)?;
            alerts::evaluate_order(c, &store_id, order_id, &settings, &zone, now)?;
            let cal = settings.calendar(&zone);
            Ok(Ok(view_of(c, &store_id, order_id, id, &settings, &cal)?))
        })
        .await?;
    outcome.map_err(|rejected| match rejected {
        Rejected::OrderNotFound => StaffError::OrderNotFound,
        Rejected::Invalid(fields) => StaffError::Invalid(fields),
        Rejected::Duplicate(id) => StaffError::DuplicateNumber { shipment_id: id },
    })
}

fn insert_checked(
    c: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    checked: &Checked,
    feed: ParcelFeed,
    stamp: &Stamp,
) -> Result<Result<ShipmentId, Rejected>, StoreError> {
    if !orders::is_visible(c, store_id, order_id)? {
        return Ok(Err(Rejected::OrderNotFound));
    }
    let placed = orders::created_at(c, store_id, order_id)?;
    if let Err(errors) = not_before_order(&checked.shipped_at, "shipped_at", placed) {
        return Ok(Err(Rejected::Invalid(errors)));
    }
    let lines = orders::line_quantities(c, store_id, order_id)?;
    let existing = shipments::for_order(c, store_id, order_id, false)?;
    let key = number_key(&checked.tracking_number);
    if let Some(same) = existing.iter().find(|s| s.number_key == key) {
        return Ok(Err(Rejected::Duplicate(same.id)));
    }
    // Units in itemised parcels that still carry them; unlisted parcels claim nothing.
    let left = |line: u64, bought: i64| {
        bought
            - existing
                .iter()
                .filter(|s| s.status != ParcelStatus::Returned.as_str())
                .flat_map(|s| &s.items)
                .filter(|(id, _)| *id == line)
                .map(|(_, q)| q)
                .sum::<i64>()
    };
    let items: Vec<(u64, i64)> = match &checked.items {
        Some(items) => {
            let mut errors = Vec::new();
            for (i, &(line, quantity)) in items.iter().enumerate() {
                match lines.iter().find(|(id, _)| *id == line) {
                    None => errors.push(FieldError::new(
                        format!("items[{i}].line_item_id"),
                        format!("is not a line item of order {order_id}"),
                    )),
                    Some(&(_, bought)) if quantity > left(line, bought) => {
                        errors.push(FieldError::new(
                            format!("items[{i}].quantity"),
                            format!(
                                "exceeds what is left to ship: {} of the {bought} bought",
                                left(line, bought).max(0)
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
            if !errors.is_empty() {
                return Ok(Err(Rejected::Invalid(errors)));
            }
            items.clone()
        }
        None => {
            let rest: Vec<(u64, i64)> = lines
                .iter()
                .map(|&(line, bought)| (line, left(line, bought)))
                .filter(|&(_, q)| q > 0)
                .collect();
            if rest.is_empty() {
                return Ok(Err(Rejected::Invalid(vec![FieldError::new(
                    "items",
                    "every unit of this order is already in a parcel",
                )])));
            }
            rest
        }
    };
    let id = shipments::insert(
        c,
        &NewShipment {
            store_id,
            order_id,
            source: SOURCE_API,
            number_key: &key,
            carrier: &checked.carrier,
            carrier_name: &checked.carrier_name,
            tracking_number: &checked.tracking_number,
            tracking_url: checked.tracking_url.as_deref(),
            shipped_at: Some(&checked.shipped_at),
            items: &items,
        },
        stamp,
    )?;
    if let Some(id) = id {
        derive::parcel_changed(c, store_id, order_id, id, feed, stamp)?;
    }
    Ok(id.ok_or(Rejected::Duplicate(ShipmentId::new(0))))
}

fn view_of(
    c: &Connection,
    store_id: &StoreId,
    order_id: OrderId,
    shipment_id: ShipmentId,
    settings: &TrackingSettings,
    cal: &Calendar,
) -> Result<ShipmentView, StoreError> {
    let tracking = OrderTracking::load(c, store_id, order_id)?;
    let lines = orders::line_quantities(c, store_id, order_id)?;
    let shipment = tracking
        .shipments
        .iter()
        .find(|s| s.id == shipment_id)
        .ok_or_else(|| StoreError::Corrupt(format!("shipment {shipment_id} vanished")))?;
    let contents = tracking.contents(shipment, &lines);
    Ok(shipment_view(
        shipment,
        &contents,
        tracking.events_of(shipment_id).cloned(),
        settings,
        cal,
    ))
}

struct CheckedEvent {
    status: String,
    occurred_at: String,
    location: String,
    description: String,
    eta: Option<String>,
}

/// `cal` is the store's calendar: an ETA given as a date means the end of that day in it.
fn check_event(
    req: &NewEventRequest,
    cal: &Calendar,
    now: Timestamp,
) -> Result<CheckedEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = req.status.trim();
    if ParcelStatus::parse_event(status).is_none() {
        errors.push(FieldError::new(
            "status",
            format!("must be one of {}", EVENT_STATUSES.join(", ")),
        ));
    }
    let occurred_at = time_field(&req.occurred_at, "occurred_at", now, &mut errors);
    let location = clean(
        req.location.as_deref().unwrap_or_default(),
        "location",
        MAX_LOCATION,
        &mut errors,
    );
    let description = clean(
        req.description.as_deref().unwrap_or_default(),
        "description",
        MAX_DESCRIPTION,
        &mut errors,
    );
    let eta = match req.eta.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(text) => match text.parse::<Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => match text.parse::<Date>() {
                Ok(d) => Some(cal.end_of_day(d)),
                Err(_) => {
                    errors.push(FieldError::new(
                        "eta",
                        "must be an RFC 3339 time or a date like 2026-11-25",
                    ));
                    None
                }
            },
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedEvent {
        status: status.to_owned(),
        occurred_at: time::seconds(occurred_at.expect("checked")),
        location,
        description,
        eta: eta.map(time::seconds),
    })
}

/// Records an event of a parcel of `store_id`. The flag is false when the identical event
/// was already recorded (nothing changed).
pub async fn add_event(
    db: &Db,
    settings: Arc<TrackingSettings>,
    zones: &Zones,
    store_id: StoreId,
    shipment_id: ShipmentId,
    req: NewEventRequest,
) -> Result<(EventReceipt, bool), StaffError> {
    let now = Timestamp::now();
    let zone = zones.zone_of(db, &store_id).await?.tz;
    let cal = settings.calendar(&zone);
    let event = check_event(&req, &cal, now).map_err(StaffError::Invalid)?;
    let outcome = db
        .writer()
        .write(move |c| {
            let Some(shipment) = shipments::find(c, &store_id, shipment_id)? else {
                return Ok(None);
            };
            if shipment.removed_at.is_some() {
                return Ok(None);
            }
            let placed = orders::created_at(c, &store_id, shipment.order_id)?;
            if let Err(errors) = not_before_order(&event.occurred_at, "occurred_at", placed) {
                return Ok(Some(Err(errors)));
            }
            let stamp = time::millis(now);
            let (event_id, created) = shipments::add_event(
                c,
                shipment_id,
                &NewEvent {
                    status: &event.status,
                    occurred_at: &event.occurred_at,
                    location: &event.location,
                    description: &event.description,
                    eta: event.eta.as_deref(),
                },
                &stamp,
            )?;
            if created {
                derive::refresh_state(c, &store_id, shipment.order_id, &stamp)?;
                alerts::evaluate_order(c, &store_id, shipment.order_id, &settings, &zone, now)?;
            }
            let view = view_of(
                c,
                &store_id,
                shipment.order_id,
                shipment_id,
                &settings,
                &cal,
            )?;
            let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            let receipt = EventReceipt {
                event: RecordedEvent {
                    id: event_id,
                    shipment_id,
                    status: event.status.clone(),
                    occurred_at: event.occurred_at.clone(),
                    location: nonempty(&event.location),
                    description: nonempty(&event.description),
                    eta: event.eta.clone(),
                },
                shipment: view,
            };
            Ok(Some(Ok((receipt, created))))
        })
        .await?;
    outcome
        .ok_or(StaffError::ShipmentNotFound)?
        .map_err(StaffError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> NewShipmentRequest {
        serde_json::from_value(json).unwrap()
    }

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn fields(result: Result<Checked, Vec<FieldError>>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.field).collect(),
        }
    }

    #[test]
    fn carriers_resolve_or_need_a_link() {
        let ok = check_shipment(
            &request(
                serde_json::json!({"carrier": "UPS", "tracking_number": " 1Z999AA10123456784 "}),
            ),
            now(),
        )
        .ok()
        .unwrap();
        assert_eq!(
            (ok.carrier.as_str(), ok.tracking_number.as_str()),
            ("ups", "1Z999AA10123456784")
        );
        assert_eq!(ok.shipped_at, "2026-11-22T12:00:00Z", "defaults to now");
        let detected = check_shipment(
            &request(serde_json::json!({"tracking_number": "EE123456785KR"})),
            now(),
        )
        .ok()
        .unwrap();
        assert_eq!(detected.carrier, "epost");
        let custom = check_shipment(
            &request(
                serde_json::json!({"carrier": "Bungae Logistics", "tracking_number": "B1",
                "tracking_url": "https://track.example/B1"}),
            ),
            now(),
        )
        .ok()
        .unwrap();
        assert_eq!(
            (custom.carrier.as_str(), custom.carrier_name.as_str()),
            ("custom", "Bungae Logistics")
        );
        assert_eq!(
            fields(check_shipment(
                &request(serde_json::json!({"carrier": "Bungae", "tracking_number": "B1"})),
                now()
            )),
            ["carrier"]
        );
        assert_eq!(
            fields(check_shipment(
                &request(serde_json::json!({"tracking_number": "123456789012"})),
                now()
            )),
            ["carrier"]
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let got = fields(check_shipment(
            &request(serde_json::json!({
                "carrier": "ups", "tracking_number": "--", "shipped_at": "yesterday",
                "tracking_url": "javascript:alert(1)",
                "items": [{"line_item_id": 1, "quantity": 0}, {"line_item_id": 1, "quantity": 1}]
            })),
            now(),
        ));
        assert_eq!(
            got,
            [
                "tracking_number",
                "tracking_url",
                "shipped_at",
                "items[0].quantity",
                "items[1].line_item_id"
            ]
        );
        assert_eq!(
            fields(check_shipment(
                &request(
                    serde_json::json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                    "shipped_at": "2027-01-01T00:00:00Z", "items": []})
                ),
                now()
            )),
            ["shipped_at", "items"]
        );
    }

    #[test]
    fn events_are_checked() {
        let cal = Calendar::default();
        let event = |json| check_event(&serde_json::from_value(json).unwrap(), &cal, now());
        let ok = event(
            serde_json::json!({"status": "in_transit", "occurred_at": "2026-11-22T09:00:00+09:00",
            "location": " Incheon ", "eta": "2026-11-25"}),
        )
        .ok()
        .unwrap();
        assert_eq!(ok.occurred_at, "2026-11-22T00:00:00Z", "stored in UTC");
        assert_eq!(ok.location, "Incheon");
        assert_eq!(ok.eta.as_deref(), Some("2026-11-25T23:59:59Z"));
        let bad = event(
            serde_json::json!({"status": "lost", "occurred_at": "2026-11-22",
            "description": "a\u{0007}b", "eta": "soon"}),
        )
        .err()
        .unwrap();
        let names: Vec<_> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["status", "occurred_at", "description", "eta"]);
    }

    #[test]
    fn the_future_is_refused_beyond_the_clock_skew() {
        let at = |offset: SignedDuration| {
            serde_json::json!({"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                "shipped_at": time::seconds(now() + offset)})
        };
        let hour = SignedDuration::from_hours(1);
        assert_eq!(
            fields(check_shipment(&request(at(hour)), now())),
            ["shipped_at"]
        );
        let skew = SignedDuration::from_mins(4);
        assert!(fields(check_shipment(&request(at(skew)), now())).is_empty());

        let event = serde_json::json!({"status": "in_transit",
            "occurred_at": time::seconds(now() + hour)});
        let bad = check_event(
            &serde_json::from_value(event).unwrap(),
            &Calendar::default(),
            now(),
        )
        .err()
        .unwrap();
        assert_eq!(bad[0].field, "occurred_at");
        assert_eq!(bad[0].message, "must not be in the future");
    }

    #[test]
    fn nothing_predates_its_order_beyond_the_clock_skew() {
        let placed = Some(now());
        let error = not_before_order("2026-11-21T12:00:00Z", "shipped_at", placed)
            .err()
            .unwrap();
        assert_eq!(error[0].field, "shipped_at");
        assert_eq!(
            error[0].message,
            "must not be before the order was placed (2026-11-22T12:00:00Z)"
        );
        assert!(not_before_order("2026-11-22T11:56:00Z", "shipped_at", placed).is_ok());
        assert!(not_before_order("2026-11-21T12:00:00Z", "shipped_at", None).is_ok());
    }
}
