//! Recording an answer: `POST /s/{token}` only. A fetch of the link (with `?score=`) only
//! pre-selects, so mail scanners that open every link never vote.
//!
//! An answer can be changed until the edit window after the first answer closes (or the
//! link expires, whichever is first); then it is locked. Each answer: an unhappy score
//! (NPS 0-6, CSAT 1-2) flags the survey for follow-up, a `survey_answered` signed event
//! goes to the store's endpoints, and a `survey_note` job writes it onto the WooCommerce
//! order.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::model::{Kind, MAX_COMMENT_CHARS, Sentiment, State, Topic};
use super::settings::StoreSurveys;
use super::store::{self, SurveyRow};
use super::token::{Keys, Refused, Signed};
use crate::ids::StoreId;
use crate::jobs::{self, JobKind};
use crate::store::StoreError;
use crate::time;

/// Where a survey link stands.
#[derive(Debug, Clone)]
pub enum Found {
    /// Malformed, forged, or naming no survey that was asked.
    Invalid,
    /// The link's time is over.
    Expired,
    /// Answered and past the edit window.
    Locked(Box<Survey>),
    Open(Box<Survey>),
}

/// A survey as the page shows it.
#[derive(Debug, Clone)]
pub struct Survey {
    pub row: SurveyRow,
    pub store: StoreId,
    pub order_number: String,
    /// Until when it can be answered or changed.
    pub editable_until: Timestamp,
}

/// When the answer locks: the edit window after the first answer, never past the link's
/// expiry.
pub fn editable_until(row: &SurveyRow, expires_at: Timestamp, rules: &StoreSurveys) -> Timestamp {
    match row.answered_at.as_deref().and_then(time::parse) {
        Some(first) => (first + rules.edit_window).min(expires_at),
        None => expires_at,
    }
}

/// Looks the token up (its MAC first, then the row).
pub fn find(
    conn: &Connection,
    keys: &Keys,
    rules_of: &dyn Fn(&StoreId) -> StoreSurveys,
    token: &str,
    now: Timestamp,
) -> Result<Found, StoreError> {
    let Signed {
        store,
        survey,
        expires_at,
    } = match keys.verify(token, now) {
        Ok(signed) => signed,
        Err(Refused::Forged) => return Ok(Found::Invalid),
        Err(Refused::Expired) => return Ok(Found::Expired),
    };
    let Some(row) = store::get(conn, &store, survey)? else {
        return Ok(Found::Invalid);
    };
    if row.state != State::Asked {
        return Ok(Found::Invalid);
    }
    let order_number: String = conn
        .prepare_cached("SELECT number FROM orders WHERE store_id = ?1 AND order_id = ?2")?
        .query_row((&store, row.order_id), |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| row.order_id.to_string());
    let until = editable_until(&row, expires_at, &rules_of(&store));
    let survey = Box::new(Survey {
        row,
        store,
        order_number,
        editable_until: until,
    });
    if survey.row.answered_at.is_some() && now >= until {
        return Ok(Found::Locked(survey));
    }
    Ok(Found::Open(survey))
}

/// The form as posted, unchecked.
#[derive(Debug, Clone, Default)]
pub struct Posted {
    pub score: Option<String>,
    pub topic: Option<String>,
    pub comment: Option<String>,
    pub nonce: Option<String>,
}

/// A posted form that makes sense for the survey's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub score: i64,
    pub topic: Option<Topic>,
    pub comment: Option<String>,
}

/// What is wrong with a posted form (the page says it in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    NoScore,
    CommentTooLong,
    UnknownTopic,
}

/// Parses a score for `kind`: digits on the scale, else `None`.
pub fn score(kind: Kind, text: Option<&str>) -> Option<i64> {
    let text = text?.trim();
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = text.parse().ok()?;
    kind.scores().contains(&n).then_some(n)
}

pub fn validate(kind: Kind, posted: &Posted) -> Result<Valid, Problem> {
    let score = score(kind, posted.score.as_deref()).ok_or(Problem::NoScore)?;
    let topic = match posted.topic.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(Topic::parse(text).ok_or(Problem::UnknownTopic)?),
    };
    // Line ends as browsers send them (CRLF) count once.
    let comment = posted
        .comment
        .as_deref()
        .map(|c| c.replace("\r\n", "\n").trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(Problem::CommentTooLong);
    }
    Ok(Valid {
        score,
        topic,
        comment,
    })
}

/// Records `answer` on the open survey `s` at `now`, with its consequences, in the caller's
/// transaction. Answers the revision.
pub fn record(
    conn: &Connection,
    s: &Survey,
    answer: &Valid,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let stamp = time::millis(now);
    let row = &s.row;
    let unhappy = row.kind.sentiment(answer.score) == Some(Sentiment::Unhappy);
    let revision = store::answer(
        conn,
        row.id,
        &store::Answer {
            score: answer.score,
            topic: answer.topic,
            comment: answer.comment.as_deref(),
            follow_up: unhappy,
            now: &stamp,
        },
    )?;
    let after = store::get(conn, &s.store, row.id)?
        .ok_or_else(|| StoreError::Corrupt("a survey vanished while it was answered".into()))?;
    let data = json!({
        "survey": {
            "id": row.id.to_string(),
            "kind": row.kind,
            "source": row.source,
            "subject": row.subject,
            "score": answer.score,
            "group": row.kind.group(answer.score),
            "topic": answer.topic,
            "comment": answer.comment,
            "answered_at": after.answered_at,
            "changed_at": after.changed_at,
            "revision": revision,
            "follow_up": after.follow_up,
            "editable_until": time::seconds(s.editable_until),
        },
        "order": {"id": row.order_id.get(), "number": s.order_number},
        "customer": {"first_name": row.first_name},
    });
    crate::signed_events::publish(
        conn,
        &s.store,
        &format!("{}_r{revision}", row.id),
        "survey_answered",
        &data,
        now,
    )?;
    jobs::enqueue(
        conn,
        &s.store,
        JobKind::SurveyNote,
        row.order_id,
        row.id.get(),
        &stamp,
    )?;
    Ok(revision)
}

/// Whether a form POST's `Origin` may answer: absent (older clients; the form nonce still
/// binds the answer to a page aftercare served) or the public address's own origin, or the
/// host the request was sent to.
pub fn origin_allowed(origin: Option<&str>, base_url: &str, host: Option<&str>) -> bool {
    let Some(origin) = origin.map(str::trim) else {
        return true;
    };
    let own = url::Url::parse(base_url)
        .ok()
        .map(|u| u.origin().ascii_serialization());
    if own.as_deref() == Some(origin) {
        return true;
    }
    match (url::Url::parse(origin).ok(), host) {
        (Some(o), Some(host)) if o.scheme() == "http" || o.scheme() == "https" => {
            let with_port = match o.port() {
                Some(p) => format!("{}:{p}", o.host_str().unwrap_or_default()),
                None => o.host_str().unwrap_or_default().to_owned(),
            };
            with_port.eq_ignore_ascii_case(host.trim())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_topics_and_comments_are_checked_for_the_kind() {
        assert_eq!(score(Kind::Nps, Some("0")), Some(0));
        assert_eq!(score(Kind::Nps, Some("10")), Some(10));
        assert_eq!(score(Kind::Nps, Some("11")), None);
        assert_eq!(score(Kind::Csat, Some("0")), None);
        assert_eq!(score(Kind::Csat, Some("5")), Some(5));
        for bad in ["", "-1", "9.5", "+9", "010", "nine", " "] {
            assert_eq!(score(Kind::Nps, Some(bad)), None, "{bad}");
        }
        let posted = |score: &str, topic: Option<&str>, comment: &str| Posted {
            score: Some(score.into()),
            topic: topic.map(Into::into),
            comment: Some(comment.into()),
            nonce: None,
        };
        assert_eq!(
            validate(
                Kind::Nps,
                &posted("3", Some("delivery"), "  late\r\nagain ")
            ),
            Ok(Valid {
                score: 3,
                topic: Some(Topic::Delivery),
                comment: Some("late\nagain".into())
            })
        );
        assert_eq!(
            validate(Kind::Nps, &posted("3", Some(""), "  "))
                .unwrap()
                .comment,
            None
        );
        assert_eq!(
            validate(Kind::Nps, &posted("3", Some("shipping"), "")),
            Err(Problem::UnknownTopic)
        );
        assert_eq!(
            validate(Kind::Csat, &posted("", None, "")),
            Err(Problem::NoScore)
        );
        let long = "가".repeat(MAX_COMMENT_CHARS + 1);
        assert_eq!(
            validate(Kind::Csat, &posted("4", None, &long)),
            Err(Problem::CommentTooLong)
        );
        assert!(
            validate(
                Kind::Csat,
                &posted("4", None, &"가".repeat(MAX_COMMENT_CHARS))
            )
            .is_ok()
        );
    }

    #[test]
    fn only_the_services_own_origin_may_post() {
        let base = "https://care.shop.example";
        assert!(origin_allowed(None, base, None));
        assert!(origin_allowed(
            Some("https://care.shop.example"),
            base,
            None
        ));
        assert!(origin_allowed(
            Some("http://127.0.0.1:8787"),
            "http://127.0.0.1:8787",
            Some("127.0.0.1:8787")
        ));
        assert!(origin_allowed(
            Some("http://localhost:9000"),
            base,
            Some("localhost:9000")
        ));
        assert!(!origin_allowed(
            Some("https://evil.example"),
            base,
            Some("care.shop.example")
        ));
        assert!(!origin_allowed(
            Some("null"),
            base,
            Some("care.shop.example")
        ));
    }
}
