//! The metrics report over a time range: first response and resolution (see
//! [`super::metrics`] for their definitions) and the volume of new requests per day,
//! topic and product.
//!
//! Which requests count, for a range `[from, to)`: first response, those whose first
//! public staff reply falls in the range; resolution, those solved now whose last solve
//! falls in it; volume, those whose first customer message (their opening) falls in it,
//! by the day of that message in the shop's time zone.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use super::metrics::{Duration, Summary, Timeline};
use super::model::Topic;
use super::settings::Hours;
use super::store::TimelineRow;
use crate::time;
use crate::tracking::calendar::Calendar;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetricsReport {
    /// The range, `[from, to)`.
    pub from: String,
    pub to: String,
    /// The shop's time zone, in which days are counted.
    pub time_zone: String,
    pub first_response: Summary,
    pub resolution: Summary,
    pub volume: Volume,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Volume {
    /// Requests opened in the range.
    pub total: u64,
    /// Per day with requests, oldest first.
    pub by_day: Vec<DayCount>,
    /// Per topic with requests, in the topics' order.
    pub by_topic: Vec<TopicCount>,
    /// Per product asked about, most requests first; requests about no item are not here.
    pub by_product: Vec<ProductCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayCount {
    /// `YYYY-MM-DD` in the shop's time zone.
    pub date: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicCount {
    pub topic: Topic,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductCount {
    pub product_id: u64,
    /// The item's name on the most recent order asked about.
    pub name: Option<String>,
    pub count: u64,
}

fn within(at: Timestamp, from: Timestamp, to: Timestamp) -> bool {
    from <= at && at < to
}

/// The report over `[from, to)` of `rows` (every request opened before `to`).
pub fn build(
    rows: &[TimelineRow],
    cal: &Calendar,
    hours: Hours,
    from: Timestamp,
    to: Timestamp,
) -> MetricsReport {
    let mut responses: Vec<Duration> = Vec::new();
    let mut resolutions: Vec<Duration> = Vec::new();
    let mut days: BTreeMap<String, u64> = BTreeMap::new();
    let mut topics: BTreeMap<Topic, u64> = BTreeMap::new();
    let mut products: BTreeMap<u64, (Option<String>, u64)> = BTreeMap::new();
    let mut total = 0;
    for row in rows {
        let Some(first) = time::parse(&row.first_customer_message) else {
            continue;
        };
        let timeline = Timeline {
            first_customer_message: first,
            first_response: row.first_response.as_deref().and_then(time::parse),
            last_solve: row.last_solve.as_deref().and_then(time::parse),
        };
        if timeline
            .first_response
            .is_some_and(|at| within(at, from, to))
            && let Some(d) = timeline.first_response(cal, hours)
        {
            responses.push(d);
        }
        if timeline.last_solve.is_some_and(|at| within(at, from, to))
            && let Some(d) = timeline.resolution(cal, hours)
        {
            resolutions.push(d);
        }
        if within(first, from, to) {
            total += 1;
            *days.entry(cal.local(first).date().to_string()).or_default() += 1;
            *topics.entry(row.topic).or_default() += 1;
            if let Some(product) = row.product_id {
                let entry = products.entry(product).or_default();
                entry.1 += 1;
                if row.item_name.is_some() {
                    entry.0 = row.item_name.clone();
                }
            }
        }
    }
    let mut by_product: Vec<ProductCount> = products
        .into_iter()
        .map(|(product_id, (name, count))| ProductCount {
            product_id,
            name,
            count,
        })
        .collect();
    by_product.sort_by(|a, b| b.count.cmp(&a.count).then(a.product_id.cmp(&b.product_id)));
    MetricsReport {
        from: time::seconds(from),
        to: time::seconds(to),
        time_zone: cal.time_zone().iana_name().unwrap_or("UTC").to_owned(),
        first_response: Summary::of(&responses),
        resolution: Summary::of(&resolutions),
        volume: Volume {
            total,
            by_day: days
                .into_iter()
                .map(|(date, count)| DayCount { date, count })
                .collect(),
            by_topic: topics
                .into_iter()
                .map(|(topic, count)| TopicCount { topic, count })
                .collect(),
            by_product,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RequestId;

    fn row(id: i64, first: &str, response: Option<&str>, solve: Option<&str>) -> TimelineRow {
        TimelineRow {
            id: RequestId::new(id),
            topic: Topic::HowToUse,
            product_id: Some(9),
            item_name: Some("Drone".into()),
            first_customer_message: first.into(),
            first_response: response.map(Into::into),
            last_solve: solve.map(Into::into),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_range_includes_its_start_and_excludes_its_end() {
        let all_day = Hours::parse("00:00-24:00").unwrap();
        let cal = Calendar::default();
        let (from, to) = (ts("2026-12-01T00:00:00Z"), ts("2026-12-02T00:00:00Z"));
        let rows = [
            // Answered exactly at `from`, opened before the range: a response, no volume.
            row(
                1,
                "2026-11-30T23:00:00.000Z",
                Some("2026-12-01T00:00:00.000Z"),
                None,
            ),
            // Answered exactly at `to`: not in this range; opened in it: volume.
            row(
                2,
                "2026-12-01T22:00:00.000Z",
                Some("2026-12-02T00:00:00.000Z"),
                None,
            ),
            // Solved in the range.
            row(
                3,
                "2026-12-01T10:00:00.000Z",
                None,
                Some("2026-12-01T12:00:00.000Z"),
            ),
        ];
        let r = build(&rows, &cal, all_day, from, to);
        assert_eq!(r.first_response.count, 1);
        assert_eq!(r.first_response.median_seconds, Some(3600));
        assert_eq!(r.resolution.count, 1);
        assert_eq!(
            r.resolution.median_business_seconds,
            Some(7200),
            "Tuesday counts"
        );
        assert_eq!(r.volume.total, 2);
        assert_eq!(r.volume.by_day.len(), 1);
        assert_eq!(r.volume.by_product[0].count, 2);
        assert_eq!(r.volume.by_product[0].name.as_deref(), Some("Drone"));
        assert_eq!(r.time_zone, "UTC");
    }
}
