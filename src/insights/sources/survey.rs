//! A survey: sent (asked) on the day it was decided, answered with its current score on
//! the day of the first answer.

use rusqlite::{Connection, OptionalExtension};

use crate::insights::Context;
use crate::insights::contribution::Contribution;
use crate::insights::day::Day;
use crate::insights::measure::Measure;
use crate::store::StoreError;

pub fn contribution(conn: &Connection, ctx: &Context, id: i64) -> Result<Contribution, StoreError> {
    type SurveyRow = (String, String, String, Option<i64>, Option<String>, String);
    let row: Option<SurveyRow> = conn
        .prepare_cached(
            "SELECT kind, source, state, score, answered_at, created_at FROM surveys WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let mut c = Contribution::default();
    let Some((kind, source, state, score, answered_at, created_at)) = row else {
        return Ok(c);
    };
    let Some(sent) = Day::of_text(&created_at, &ctx.calendar) else {
        return Ok(c);
    };
    if state != "asked" {
        return Ok(c);
    }
    let answer = score.zip(answered_at.and_then(|t| Day::of_text(&t, &ctx.calendar)));
    match kind.as_str() {
        "nps" => {
            c.count(Measure::NpsSent, "", sent, 1);
            if let Some((score, day)) = answer {
                c.count(Measure::NpsAnswered, "", sent, 1);
                c.count(Measure::NpsScore, score.to_string(), day, 1);
            }
        }
        "csat" => {
            c.count(Measure::CsatSent, source.as_str(), sent, 1);
            if let Some((score, day)) = answer {
                c.count(Measure::CsatAnswered, source.as_str(), sent, 1);
                c.count(Measure::CsatScore, format!("{source}:{score}"), day, 1);
            }
        }
        _ => {}
    }
    Ok(c)
}
