//! The figures over a range, read from the aggregates only. Every figure is defined in
//! docs/insights.md; the comments here say how it is read.

use std::collections::BTreeMap;

use rusqlite::Connection;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::Context;
use super::day::{Day, Range};
use super::measure::{Measure, ValueMeasure};
use super::store;
use crate::store::StoreError;
use crate::support::metrics::{Summary, nearest_rank};
use crate::support::model::Topic;
use crate::tracking::carriers;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Insights {
    pub store: String,
    /// The first and last day included, `YYYY-MM-DD` in the shop's time zone.
    pub from: String,
    pub to: String,
    pub time_zone: String,
    /// The currency values are in: the store's orders'.
    pub currency: Option<String>,
    pub nps: Nps,
    pub csat: Csat,
    pub support: Support,
    /// Per carrier, most parcels first.
    pub carriers: Vec<CarrierFigures>,
    /// Per product with returned units, most returned first.
    pub returns: Vec<ProductReturns>,
    /// Returned units per reason, most first.
    pub return_reasons: Vec<ReasonReturns>,
    pub customers: Customers,
    /// Records changed but not yet counted (0 unless a large backlog is being folded in).
    pub pending: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Nps {
    /// % promoters − % detractors, −100…100; null without answers.
    pub score: Option<f64>,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    /// Answers first given in the range.
    pub responses: i64,
    /// Surveys sent in the range.
    pub sent: i64,
    /// Of the surveys sent in the range, the share answered (0…1).
    pub response_rate: Option<f64>,
    /// Per ISO week (Monday) the range touches.
    pub weekly: Vec<NpsWeek>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NpsWeek {
    /// The Monday, `YYYY-MM-DD`.
    pub week: String,
    pub score: Option<f64>,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    pub responses: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Csat {
    /// Answers 4 or 5 ÷ all answers × 100; null without answers.
    pub score: Option<f64>,
    pub satisfied: i64,
    pub responses: i64,
    pub sent: i64,
    pub response_rate: Option<f64>,
    pub by_source: Vec<CsatSource>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatSource {
    /// `return` or `request`.
    pub source: String,
    pub score: Option<f64>,
    pub satisfied: i64,
    pub responses: i64,
    pub sent: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Support {
    pub first_response: Summary,
    pub resolution: Summary,
    pub volume: Volume,
    pub deflection: Deflection,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Volume {
    pub total: i64,
    /// Every topic, in the topics' order.
    pub by_topic: Vec<TopicVolume>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicVolume {
    pub topic: Topic,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Deflection {
    /// Answers shown (each answer once per order), first shown in the range.
    pub shown: i64,
    /// Of those, followed by a request on the order within 7 days.
    pub followed_by_request: i64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CarrierFigures {
    /// The registry slug, or `custom`.
    pub carrier: String,
    pub name: String,
    /// Parcels shipped in the range.
    pub shipments: i64,
    pub delivered: i64,
    pub median_delivery_hours: Option<f64>,
    pub p90_delivery_hours: Option<f64>,
    pub late: i64,
    pub late_rate: Option<f64>,
    pub exceptions: i64,
    pub exception_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductReturns {
    pub product_id: u64,
    pub name: Option<String>,
    /// Units on paid orders placed in the range.
    pub sold: i64,
    /// Of the units on orders placed in the range, returned.
    pub returned: i64,
    /// returned ÷ sold (0…1); null when none were sold in the range.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonReturns {
    pub reason: String,
    pub returned: i64,
    /// Of all returned units in the range (0…1).
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Customers {
    /// Customers whose first paid order was in the range.
    pub new_customers: i64,
    /// Of those, who have ordered again since.
    pub repeat_customers: i64,
    pub repeat_rate: Option<f64>,
    /// Active = bought within this many days.
    pub active_days: u32,
    /// S: active on the first day of the range.
    pub active_at_start: i64,
    /// E: active the day after the last day of the range.
    pub active_at_end: i64,
    /// (E − N) ÷ S (0…1, may exceed 1 when customers came back); null when S is 0.
    pub retention: Option<f64>,
    /// Spent to date by the new customers of the range ÷ their number, in `currency`.
    pub historic_value: Option<String>,
    /// Customers who have bought at all, up to the end of the range.
    pub customers_to_date: i64,
    /// Per first-order month the range touches.
    pub cohorts: Vec<Cohort>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub customers: i64,
    /// Spent within 90 and 365 days of the first order, and to date, per customer.
    pub value_90_days: Option<String>,
    pub value_365_days: Option<String>,
    pub value_to_date: Option<String>,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A percentage rounded to one decimal.
fn percent(part: i64, whole: i64) -> Option<f64> {
    ratio(part, whole).map(|r| (r * 1000.0).round() / 10.0)
}

fn nps_of(promoters: i64, detractors: i64, responses: i64) -> Option<f64> {
    (responses > 0).then(|| {
        let score = (promoters - detractors) as f64 * 100.0 / responses as f64;
        (score * 10.0).round() / 10.0
    })
}

/// Minor units per customer, written in the currency's decimals.
fn per_customer(total: i64, customers: i64, currency: &str) -> Option<String> {
    if customers <= 0 {
        return None;
    }
    let dp = crate::money::decimals(currency);
    let amount = Decimal::from(total) / Decimal::from(customers) / Decimal::from(10_i64.pow(dp));
    Some(crate::money::format(amount, currency))
}

fn hours(seconds: Option<i64>) -> Option<f64> {
    seconds.map(|s| (s as f64 / 360.0).round() / 10.0)
}

pub fn build(conn: &Connection, ctx: &Context, range: Range) -> Result<Insights, StoreError> {
    let store = &ctx.store;
    let currency = store::currency(conn, store)?;
    Ok(Insights {
        store: store.to_string(),
        from: range.from.to_string(),
        to: range.last().to_string(),
        time_zone: ctx
            .calendar
            .time_zone()
            .iana_name()
            .unwrap_or("UTC")
            .to_owned(),
        nps: nps(conn, ctx, range)?,
        csat: csat(conn, ctx, range)?,
        support: support(conn, ctx, range)?,
        carriers: carrier_figures(conn, ctx, range)?,
        returns: product_returns(conn, ctx, range)?,
        return_reasons: reasons(conn, ctx, range)?,
        customers: customers(conn, ctx, range, currency.as_deref().unwrap_or("USD"))?,
        currency,
        pending: 0,
    })
}

fn score_buckets(scores: &BTreeMap<String, i64>) -> (i64, i64, i64) {
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for (score, n) in scores {
        match score.parse::<i64>() {
            Ok(9..=10) => promoters += n,
            Ok(7..=8) => passives += n,
            Ok(0..=6) => detractors += n,
            _ => {}
        }
    }
    (promoters, passives, detractors)
}

fn nps(conn: &Connection, ctx: &Context, range: Range) -> Result<Nps, StoreError> {
    let store = &ctx.store;
    let (promoters, passives, detractors) =
        score_buckets(&store::totals(conn, store, Measure::NpsScore, range)?);
    let responses = promoters + passives + detractors;
    let sent = store::total(conn, store, Measure::NpsSent, range)?;
    let answered = store::total(conn, store, Measure::NpsAnswered, range)?;

    let mut weeks: BTreeMap<Day, BTreeMap<String, i64>> = BTreeMap::new();
    let mut week = range.from.week_start();
    while week < range.until {
        weeks.insert(week, BTreeMap::new());
        week = week.plus(7);
    }
    for (day, score, n) in store::by_day(conn, store, Measure::NpsScore, range)? {
        *weeks
            .entry(day.week_start())
            .or_default()
            .entry(score)
            .or_default() += n;
    }
    let weekly = weeks
        .into_iter()
        .map(|(week, scores)| {
            let (p, pa, d) = score_buckets(&scores);
            NpsWeek {
                week: week.to_string(),
                score: nps_of(p, d, p + pa + d),
                promoters: p,
                passives: pa,
                detractors: d,
                responses: p + pa + d,
            }
        })
        .collect();
    Ok(Nps {
        score: nps_of(promoters, detractors, responses),
        promoters,
        passives,
        detractors,
        responses,
        sent,
        response_rate: ratio(answered, sent),
        weekly,
    })
}

fn csat(conn: &Connection, ctx: &Context, range: Range) -> Result<Csat, StoreError> {
    let store = &ctx.store;
    let scores = store::totals(conn, store, Measure::CsatScore, range)?;
    let sent = store::totals(conn, store, Measure::CsatSent, range)?;
    let answered = store::totals(conn, store, Measure::CsatAnswered, range)?;
    let mut by_source = Vec::new();
    for source in ["return", "request"] {
        let (mut satisfied, mut responses) = (0, 0);
        for (key, n) in &scores {
            let Some((s, score)) = key.split_once(':') else {
                continue;
            };
            if s == source {
                responses += n;
                if matches!(score, "4" | "5") {
                    satisfied += n;
                }
            }
        }
        by_source.push(CsatSource {
            source: source.to_owned(),
            score: percent(satisfied, responses),
            satisfied,
            responses,
            sent: sent.get(source).copied().unwrap_or(0),
        });
    }
    let satisfied: i64 = by_source.iter().map(|s| s.satisfied).sum();
    let responses: i64 = by_source.iter().map(|s| s.responses).sum();
    let sent_all: i64 = sent.values().sum();
    Ok(Csat {
        score: percent(satisfied, responses),
        satisfied,
        responses,
        sent: sent_all,
        response_rate: ratio(answered.values().sum(), sent_all),
        by_source,
    })
}

fn summary(
    conn: &Connection,
    ctx: &Context,
    range: Range,
    wall: ValueMeasure,
    business: ValueMeasure,
) -> Result<Summary, StoreError> {
    let wall: Vec<i64> = merged(store::values(conn, &ctx.store, wall, range)?);
    let business: Vec<i64> = merged(store::values(conn, &ctx.store, business, range)?);
    Ok(Summary {
        median_seconds: nearest_rank(&wall, 50),
        p90_seconds: nearest_rank(&wall, 90),
        median_business_seconds: nearest_rank(&business, 50),
        p90_business_seconds: nearest_rank(&business, 90),
        count: wall.len() as u64,
    })
}

/// Every key's durations in one sorted list.
fn merged(lists: BTreeMap<String, Vec<i64>>) -> Vec<i64> {
    let mut all: Vec<i64> = lists.into_values().flatten().collect();
    all.sort_unstable();
    all
}

fn support(conn: &Connection, ctx: &Context, range: Range) -> Result<Support, StoreError> {
    let store = &ctx.store;
    let topics = store::totals(conn, store, Measure::Requests, range)?;
    let by_topic: Vec<TopicVolume> = Topic::ALL
        .iter()
        .map(|t| TopicVolume {
            topic: *t,
            count: topics.get(t.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let shown = store::total(conn, store, Measure::AnswersShown, range)?;
    let followed = store::total(conn, store, Measure::AnswersFollowed, range)?;
    Ok(Support {
        first_response: summary(
            conn,
            ctx,
            range,
            ValueMeasure::FirstResponse,
            ValueMeasure::FirstResponseBusiness,
        )?,
        resolution: summary(
            conn,
            ctx,
            range,
            ValueMeasure::Resolution,
            ValueMeasure::ResolutionBusiness,
        )?,
        volume: Volume {
            total: topics.values().sum(),
            by_topic,
        },
        deflection: Deflection {
            shown,
            followed_by_request: followed,
            rate: ratio(followed, shown),
        },
    })
}

fn carrier_figures(
    conn: &Connection,
    ctx: &Context,
    range: Range,
) -> Result<Vec<CarrierFigures>, StoreError> {
    let store = &ctx.store;
    let shipments = store::totals(conn, store, Measure::Shipments, range)?;
    let delivered = store::totals(conn, store, Measure::Delivered, range)?;
    let late = store::totals(conn, store, Measure::Late, range)?;
    let exceptions = store::totals(conn, store, Measure::Exceptions, range)?;
    let durations = store::values(conn, store, ValueMeasure::Delivery, range)?;
    let mut out: Vec<CarrierFigures> = shipments
        .into_iter()
        .map(|(carrier, n)| {
            let get = |m: &BTreeMap<String, i64>| m.get(&carrier).copied().unwrap_or(0);
            let times = durations.get(&carrier).map(Vec::as_slice).unwrap_or(&[]);
            let (late, exceptions) = (get(&late), get(&exceptions));
            CarrierFigures {
                name: carriers::by_slug(&carrier)
                    .map(|c| c.name.to_owned())
                    .unwrap_or_else(|| "Other carriers".to_owned()),
                shipments: n,
                delivered: get(&delivered),
                median_delivery_hours: hours(nearest_rank(times, 50)),
                p90_delivery_hours: hours(nearest_rank(times, 90)),
                late,
                late_rate: ratio(late, n),
                exceptions,
                exception_rate: ratio(exceptions, n),
                carrier,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.shipments
            .cmp(&a.shipments)
            .then(a.carrier.cmp(&b.carrier))
    });
    Ok(out)
}

fn product_returns(
    conn: &Connection,
    ctx: &Context,
    range: Range,
) -> Result<Vec<ProductReturns>, StoreError> {
    let store = &ctx.store;
    let returned = store::totals(conn, store, Measure::Returned, range)?;
    if returned.is_empty() {
        return Ok(Vec::new());
    }
    let sold = store::totals(conn, store, Measure::Sold, range)?;
    let mut out = Vec::with_capacity(returned.len());
    for (product, n) in returned {
        let Ok(id) = product.parse::<i64>() else {
            continue;
        };
        let sold = sold.get(&product).copied().unwrap_or(0);
        out.push(ProductReturns {
            product_id: id as u64,
            name: store::product_name(conn, store, id)?,
            sold,
            returned: n,
            rate: ratio(n, sold),
        });
    }
    out.sort_by(|a, b| {
        b.returned
            .cmp(&a.returned)
            .then(a.product_id.cmp(&b.product_id))
    });
    Ok(out)
}

fn reasons(
    conn: &Connection,
    ctx: &Context,
    range: Range,
) -> Result<Vec<ReasonReturns>, StoreError> {
    let by_reason = store::totals(conn, &ctx.store, Measure::ReturnedReason, range)?;
    let all: i64 = by_reason.values().sum();
    let mut out: Vec<ReasonReturns> = by_reason
        .into_iter()
        .map(|(reason, n)| ReasonReturns {
            reason,
            returned: n,
            share: ratio(n, all),
        })
        .collect();
    out.sort_by(|a, b| b.returned.cmp(&a.returned).then(a.reason.cmp(&b.reason)));
    Ok(out)
}

fn customers(
    conn: &Connection,
    ctx: &Context,
    range: Range,
    currency: &str,
) -> Result<Customers, StoreError> {
    let store = &ctx.store;
    let new_customers = store::total(conn, store, Measure::NewCustomers, range)?;
    let repeat = store::total(conn, store, Measure::RepeatCustomers, range)?;
    let active = |day: Day| -> Result<i64, StoreError> {
        // Spells begun by `day` (inclusive) less spells ended by then.
        Ok(
            store::total_before(conn, store, Measure::ActiveStart, day.plus(1))?
                - store::total_before(conn, store, Measure::ActiveEnd, day.plus(1))?,
        )
    };
    let (start, end) = (active(range.from)?, active(range.until)?);
    let value_total = store::total(conn, store, Measure::ValueTotal, range)?;

    let mut months: BTreeMap<Day, [i64; 4]> = BTreeMap::new();
    for (measure, slot) in [
        (Measure::NewCustomers, 0),
        (Measure::Value90, 1),
        (Measure::Value365, 2),
        (Measure::ValueTotal, 3),
    ] {
        for (month, _, n) in store::by_month(conn, store, measure, range)? {
            months.entry(month).or_default()[slot] += n;
        }
    }
    let cohorts = months
        .into_iter()
        .map(|(month, [customers, v90, v365, total])| Cohort {
            month: month.date().strftime("%Y-%m").to_string(),
            customers,
            value_90_days: per_customer(v90, customers, currency),
            value_365_days: per_customer(v365, customers, currency),
            value_to_date: per_customer(total, customers, currency),
        })
        .collect();
    Ok(Customers {
        new_customers,
        repeat_customers: repeat,
        repeat_rate: ratio(repeat, new_customers),
        active_days: ctx.active_days,
        active_at_start: start,
        active_at_end: end,
        retention: ratio(end - new_customers, start),
        historic_value: per_customer(value_total, new_customers, currency),
        customers_to_date: store::total_before(conn, store, Measure::NewCustomers, range.until)?,
        cohorts,
    })
}
