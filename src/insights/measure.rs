//! What is counted. Stored as the short names below; renaming one is a migration.

use serde::{Deserialize, Serialize};

/// A kind of record whose changes are folded into the figures. `Customer` is derived from
/// orders (never noted by a trigger); `Deflection` is an order's shown answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Order,
    Customer,
    Survey,
    Request,
    Deflection,
    Shipment,
    Return,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Order => "order",
            Entity::Customer => "customer",
            Entity::Survey => "survey",
            Entity::Request => "request",
            Entity::Deflection => "deflection",
            Entity::Shipment => "shipment",
            Entity::Return => "return",
        }
    }

    pub fn parse(text: &str) -> Option<Entity> {
        Some(match text {
            "order" => Entity::Order,
            "customer" => Entity::Customer,
            "survey" => Entity::Survey,
            "request" => Entity::Request,
            "deflection" => Entity::Deflection,
            "shipment" => Entity::Shipment,
            "return" => Entity::Return,
            _ => return None,
        })
    }
}

/// A counter, per key and local day. The comment says what the key is and which day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// NPS surveys sent; key ''; the day it was sent.
    NpsSent,
    /// Of those, answered; key ''; the day it was sent.
    NpsAnswered,
    /// NPS answers; key the score 0–10; the day of the first answer.
    NpsScore,
    /// CSAT surveys sent; key the source; the day it was sent.
    CsatSent,
    /// Of those, answered; key the source; the day it was sent.
    CsatAnswered,
    /// CSAT answers; key `{source}:{score}`; the day of the first answer.
    CsatScore,
    /// Requests opened; key the topic; the day of the customer's first message.
    Requests,
    /// Answers shown (answer × order, first time); key ''; that day.
    AnswersShown,
    /// Of those, followed by a request on the order within 7 days; key ''; the day shown.
    AnswersFollowed,
    /// Parcels; key the carrier; the day shipped.
    Shipments,
    /// Of those, delivered; key the carrier; the day shipped.
    Delivered,
    /// Of those, late (an `eta_passed` alert); key the carrier; the day shipped.
    Late,
    /// Of those, with an exception or sent back; key the carrier; the day shipped.
    Exceptions,
    /// Units on paid orders; key the product id; the order's day.
    Sold,
    /// Units returned (return not rejected or cancelled); key the product id; the order's day.
    Returned,
    /// The same units by reason; key the reason; the order's day.
    ReturnedReason,
    /// Customers; key ''; the day of their first paid order.
    NewCustomers,
    /// Of those, who ordered again; key ''; the first order's day.
    RepeatCustomers,
    /// Spent within 90 days of the first order (minor units); key ''; the first order's day.
    Value90,
    /// Spent within 365 days of the first order; key ''; the first order's day.
    Value365,
    /// Spent to date; key ''; the first order's day.
    ValueTotal,
    /// A customer's active spell began; key ''; its first day.
    ActiveStart,
    /// A customer's active spell ended; key ''; the first day no longer active.
    ActiveEnd,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::NpsSent => "nps_sent",
            Measure::NpsAnswered => "nps_answered",
            Measure::NpsScore => "nps_score",
            Measure::CsatSent => "csat_sent",
            Measure::CsatAnswered => "csat_answered",
            Measure::CsatScore => "csat_score",
            Measure::Requests => "requests",
            Measure::AnswersShown => "answers_shown",
            Measure::AnswersFollowed => "answers_followed",
            Measure::Shipments => "shipments",
            Measure::Delivered => "delivered",
            Measure::Late => "late",
            Measure::Exceptions => "exceptions",
            Measure::Sold => "sold",
            Measure::Returned => "returned",
            Measure::ReturnedReason => "returned_reason",
            Measure::NewCustomers => "new_customers",
            Measure::RepeatCustomers => "repeat_customers",
            Measure::Value90 => "value_90",
            Measure::Value365 => "value_365",
            Measure::ValueTotal => "value_total",
            Measure::ActiveStart => "active_start",
            Measure::ActiveEnd => "active_end",
        }
    }
}

/// A list of durations in seconds, per key and local day, for medians and P90s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueMeasure {
    /// First public staff reply − the customer's first message; key ''; the reply's day.
    FirstResponse,
    /// The same in business hours.
    FirstResponseBusiness,
    /// Last solve − the customer's first message; key ''; the solve's day.
    Resolution,
    /// The same in business hours.
    ResolutionBusiness,
    /// Delivered − shipped; key the carrier; the day shipped.
    Delivery,
}

impl ValueMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueMeasure::FirstResponse => "first_response",
            ValueMeasure::FirstResponseBusiness => "first_response_business",
            ValueMeasure::Resolution => "resolution",
            ValueMeasure::ResolutionBusiness => "resolution_business",
            ValueMeasure::Delivery => "delivery",
        }
    }
}
