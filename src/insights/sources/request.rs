//! A support request: opened (by topic) on the day of the customer's first message; its
//! first response and resolution times, wall-clock and business hours, on the days they
//! happened. The same timeline and rules as `/api/v1/support/metrics`.

use rusqlite::Connection;

use crate::ids::RequestId;
use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::{Measure, ValueMeasure};
use crate::store::StoreError;
use crate::support::metrics::Timeline;
use crate::support::store::timeline;
use crate::time;

pub fn contribution(conn: &Connection, ctx: &Context, id: i64) -> Result<Contribution, StoreError> {
    let mut c = Contribution::default();
    let Some(row) = timeline(conn, RequestId::new(id))? else {
        return Ok(c);
    };
    let Some(first) = time::parse(&row.first_customer_message) else {
        return Ok(c);
    };
    let line = Timeline {
        first_customer_message: first,
        first_response: row.first_response.as_deref().and_then(time::parse),
        last_solve: row.last_solve.as_deref().and_then(time::parse),
    };
    let cal = &ctx.calendar;
    c.count(
        Measure::Requests,
        row.topic.as_str(),
        Day::of(first, cal),
        1,
    );
    if let (Some(at), Some(d)) = (line.first_response, line.first_response(cal, ctx.hours)) {
        let day = Day::of(at, cal);
        c.value(ValueMeasure::FirstResponse, "", day, d.wall);
        c.value(ValueMeasure::FirstResponseBusiness, "", day, d.business);
    }
    if let (Some(at), Some(d)) = (line.last_solve, line.resolution(cal, ctx.hours)) {
        let day = Day::of(at, cal);
        c.value(ValueMeasure::Resolution, "", day, d.wall);
        c.value(ValueMeasure::ResolutionBusiness, "", day, d.business);
    }
    Ok(c)
}
