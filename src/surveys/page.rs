//! The survey page, `/s/{token}`, in the tracking page's style: the question with the
//! scale, what it was about, a comment, and a button. A score in the link (`?score=9`)
//! only pre-selects; the answer is recorded by the form's POST. Expired, forged and
//! locked links get a friendly page with a 4xx status. The customer is greeted by first
//! name and nothing else of theirs is shown.

use askama::Template;
use jiff::Timestamp;
use rusqlite::Connection;

use super::answer::{self, Found, Posted, Problem, Survey};
use super::model::{Kind, Sentiment, Source, Topic};
use super::settings::SurveySettings;
use super::token::{self, Keys};
use crate::ids::{StoreId, SurveyId};
use crate::shop::settings::SellerOverrides;
use crate::store::{Db, StoreError};
use crate::time;
use crate::tracking::TrackingSettings;
use crate::tracking::i18n::{Lang, Texts};
use crate::tracking::page::Brand;

/// What the page needs besides the request.
pub struct PageContext<'a> {
    pub db: &'a Db,
    pub keys: &'a Keys,
    pub settings: &'a SurveySettings,
    pub tracking: &'a TrackingSettings,
    pub seller: &'a SellerOverrides,
    /// Each store's time zone: dates on the page are the shop's.
    pub zones: &'a crate::shop::timezone::Zones,
    pub base_url: &'a str,
    /// Runs after an answer is recorded, in its transaction: support opens the request for
    /// an unhappy answer (it sits above surveys, so the edge hands it in).
    pub after_answer: AfterAnswer,
}

/// What runs after an answer is recorded, in the same transaction.
pub type AfterAnswer = fn(&Connection, &StoreId, SurveyId, Timestamp) -> Result<(), StoreError>;

/// What the page answers: a status and the HTML.
pub struct Page {
    pub status: u16,
    pub html: String,
}

/// The request's say in the language: `?lang=`, else the survey's own (its message's),
/// else `Accept-Language`.
pub struct Asked<'a> {
    pub query: Option<&'a str>,
    pub accept_language: Option<&'a str>,
}

pub struct ScoreOption {
    pub value: i64,
    pub checked: bool,
}

pub struct TopicOption {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub struct FormView {
    pub nonce: String,
    pub legend: String,
    pub scale_help: String,
    pub scores: Vec<ScoreOption>,
    pub kind: &'static str,
    pub topic_legend: &'static str,
    pub topics: Vec<TopicOption>,
    pub comment_label: &'static str,
    pub comment: String,
    pub button: &'static str,
    pub error: Option<&'static str>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "surveys/page.html")]
struct SurveyPage<'a> {
    lang: &'static str,
    t: &'static Texts,
    brand: Brand,
    doc_title: String,
    other_lang_href: String,
    other_lang: &'static str,
    eyebrow: String,
    heading: String,
    lines: &'a [String],
    tone: &'static str,
    form: Option<FormView>,
    review: Option<(String, &'static str)>,
    again: Option<(String, &'static str)>,
}

fn query_value<'a>(query: Option<&'a str>, key: &str) -> Option<&'a str> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then_some(v)
    })
}

fn lang_of(asked: &Asked<'_>, survey: Option<&Survey>, default: Lang) -> Lang {
    if let Some(lang) = query_value(asked.query, "lang").and_then(Lang::from_tag) {
        return lang;
    }
    if let Some(lang) = survey
        .and_then(|s| s.row.locale.as_deref())
        .and_then(Lang::from_tag)
    {
        return lang;
    }
    Lang::negotiate(None, asked.accept_language, default)
}

fn question(kind: Kind, source: Source, shop: &str, lang: Lang) -> String {
    match (lang, kind, source) {
        (Lang::En, Kind::Nps, _) => {
            format!("How likely are you to recommend {shop} to a friend or colleague?")
        }
        (Lang::En, _, Source::Return) => {
            "How satisfied are you with how we handled your return?".to_owned()
        }
        (Lang::En, _, _) => "How satisfied are you with the help you received?".to_owned(),
        (Lang::Ko, Kind::Nps, _) => {
            format!("{shop}을(를) 친구나 동료에게 추천할 가능성은 얼마나 되나요?")
        }
        (Lang::Ko, _, Source::Return) => "반품 처리에 얼마나 만족하셨나요?".to_owned(),
        (Lang::Ko, _, _) => "받으신 도움에 얼마나 만족하셨나요?".to_owned(),
    }
}

/// The scale's two ends, as words.
pub fn scale_ends(kind: Kind, lang: Lang) -> (&'static str, &'static str) {
    match (lang, kind) {
        (Lang::En, Kind::Nps) => ("Not at all likely", "Extremely likely"),
        (Lang::En, Kind::Csat) => ("Very unsatisfied", "Very satisfied"),
        (Lang::Ko, Kind::Nps) => ("전혀 추천하지 않음", "매우 추천함"),
        (Lang::Ko, Kind::Csat) => ("매우 불만족", "매우 만족"),
    }
}

fn topic_label(topic: Topic, lang: Lang) -> &'static str {
    match (lang, topic) {
        (Lang::En, Topic::Delivery) => "Delivery",
        (Lang::En, Topic::Product) => "Product",
        (Lang::En, Topic::Support) => "Customer service",
        (Lang::En, Topic::Price) => "Price",
        (Lang::En, Topic::Other) => "Something else",
        (Lang::Ko, Topic::Delivery) => "배송",
        (Lang::Ko, Topic::Product) => "상품",
        (Lang::Ko, Topic::Support) => "고객 응대",
        (Lang::Ko, Topic::Price) => "가격",
        (Lang::Ko, Topic::Other) => "기타",
    }
}

fn problem_text(p: Problem, lang: Lang) -> &'static str {
    match (lang, p) {
        (Lang::En, Problem::NoScore) => "Please choose a score.",
        (Lang::En, Problem::UnknownTopic) => "Please choose one of the listed topics.",
        (Lang::En, Problem::CommentTooLong) => {
            "Your comment is too long; please keep it under 2,000 characters."
        }
        (Lang::Ko, Problem::NoScore) => "점수를 선택해 주세요.",
        (Lang::Ko, Problem::UnknownTopic) => "목록에 있는 항목 중에서 선택해 주세요.",
        (Lang::Ko, Problem::CommentTooLong) => "의견이 너무 깁니다. 2,000자 이내로 작성해 주세요.",
    }
}

/// A date as the reader writes it, in the shop's zone: `December 10, 2026`, `2026년 12월 10일`.
fn day(ts: Timestamp, zone: &jiff::tz::TimeZone, lang: Lang) -> String {
    let date = ts.to_zoned(zone.clone()).date();
    match lang {
        Lang::En => date.strftime("%B %-d, %Y").to_string(),
        Lang::Ko => format!("{}년 {}월 {}일", date.year(), date.month(), date.day()),
    }
}

enum Shown<'a> {
    Invalid,
    Expired,
    Forbidden,
    Locked(&'a Survey),
    Form {
        survey: &'a Survey,
        selected: Option<i64>,
        topic: Option<Topic>,
        comment: String,
        error: Option<Problem>,
    },
    Thanks(&'a Survey),
}

struct Lines {
    eyebrow: String,
    heading: String,
    lines: Vec<String>,
    tone: &'static str,
}

fn greeting(first_name: &str, lang: Lang) -> String {
    match (lang, first_name.is_empty()) {
        (Lang::En, false) => format!("Hi {first_name},"),
        (Lang::En, true) => "Hello,".to_owned(),
        (Lang::Ko, false) => format!("{first_name}님, 안녕하세요."),
        (Lang::Ko, true) => "안녕하세요.".to_owned(),
    }
}

fn render(
    ctx: &PageContext<'_>,
    shown: &Shown<'_>,
    (front, zone): (crate::shop::Storefront, jiff::tz::TimeZone),
    lang: Lang,
    token: &str,
) -> String {
    let zone = &zone;
    let t = lang.t();
    let store = match shown {
        Shown::Locked(s) | Shown::Form { survey: s, .. } | Shown::Thanks(s) => s.store.clone(),
        _ => crate::ids::StoreId::default_store(),
    };
    let brand = Brand::new(&ctx.tracking.branding(&store), &front, t);
    let shop = brand.name.clone().unwrap_or_else(|| t.the_shop.to_owned());
    let ko = lang == Lang::Ko;
    let order_line = |s: &Survey| {
        if ko {
            format!("주문 {}", s.order_number)
        } else {
            format!("Order {}", s.order_number)
        }
    };
    let text = match shown {
        Shown::Invalid => Lines {
            eyebrow: String::new(),
            heading: if ko {
                "유효하지 않은 링크입니다"
            } else {
                "This link is not valid"
            }
            .into(),
            lines: vec![
                if ko {
                    "링크가 잘렸거나 바뀌었을 수 있습니다. 메일의 링크를 다시 눌러 주세요."
                } else {
                    "It may be incomplete or changed. Open the link from your email again."
                }
                .into(),
            ],
            tone: "tone-closed",
        },
        Shown::Expired => Lines {
            eyebrow: String::new(),
            heading: if ko {
                "설문이 종료되었습니다"
            } else {
                "This survey has closed"
            }
            .into(),
            lines: vec![
                if ko {
                    "답변 기간이 지났습니다. 관심 가져 주셔서 감사합니다."
                } else {
                    "The time to answer it is over. Thank you for thinking of us."
                }
                .into(),
            ],
            tone: "tone-closed",
        },
        Shown::Forbidden => Lines {
            eyebrow: String::new(),
            heading: if ko {
                "답변을 받을 수 없었습니다"
            } else {
                "Your answer could not be taken"
            }
            .into(),
            lines: vec![
                if ko {
                    "메일의 링크를 다시 열고 그 페이지에서 답변을 보내 주세요."
                } else {
                    "Open the link from your email again and send your answer from that page."
                }
                .into(),
            ],
            tone: "tone-problem",
        },
        Shown::Locked(s) => Lines {
            eyebrow: order_line(s),
            heading: if ko {
                "답변이 확정되었습니다"
            } else {
                "Your answer is final"
            }
            .into(),
            lines: vec![match (ko, s.row.score) {
                (false, Some(score)) => format!(
                    "You answered {score}. Answers can be changed for a while; this one can no longer be. Thank you!"
                ),
                (true, Some(score)) => format!(
                    "{score}점으로 답변하셨습니다. 답변 수정 기간이 지나 더 이상 바꿀 수 없습니다. 감사합니다!"
                ),
                (false, None) => "Thank you!".to_owned(),
                (true, None) => "감사합니다!".to_owned(),
            }],
            tone: "tone-done",
        },
        Shown::Form { survey: s, .. } => Lines {
            eyebrow: order_line(s),
            heading: greeting(&s.row.first_name, lang),
            lines: vec![match (ko, s.row.source) {
                (false, Source::Delivery) => {
                    "Your order arrived recently. One question, and a comment if you like."
                        .to_owned()
                }
                (false, Source::Return) => "Your return is complete. How did it go?".to_owned(),
                (false, Source::Request) => "Your question was answered. How did we do?".to_owned(),
                (true, Source::Delivery) => {
                    "주문하신 상품이 도착했습니다. 한 가지만 여쭤볼게요.".to_owned()
                }
                (true, Source::Return) => "반품이 완료되었습니다. 어떠셨나요?".to_owned(),
                (true, Source::Request) => "문의하신 내용에 답변드렸습니다. 어떠셨나요?".to_owned(),
            }],
            tone: "",
        },
        Shown::Thanks(s) => {
            let sentiment = s.row.score.and_then(|score| s.row.kind.sentiment(score));
            let mut lines = vec![match (ko, sentiment) {
                (false, Some(Sentiment::Unhappy)) => format!(
                    "We are sorry it was not better. {shop} has been told and will get in touch."
                ),
                (true, Some(Sentiment::Unhappy)) => {
                    format!("만족스럽지 못해 죄송합니다. {shop}에 전달했으며 곧 연락드리겠습니다.")
                }
                (false, _) => format!("Your answer helps {shop} do better."),
                (true, _) => format!("보내 주신 답변은 {shop}에 큰 도움이 됩니다."),
            }];
            lines.push(if ko {
                format!(
                    "{}까지 답변을 바꿀 수 있습니다.",
                    day(s.editable_until, zone, lang)
                )
            } else {
                format!(
                    "You can change your answer until {}.",
                    day(s.editable_until, zone, lang)
                )
            });
            Lines {
                eyebrow: order_line(s),
                heading: if ko {
                    "답변해 주셔서 감사합니다"
                } else {
                    "Thank you for your answer"
                }
                .into(),
                lines,
                tone: "tone-done",
            }
        }
    };
    let form = match shown {
        Shown::Form {
            survey: s,
            selected,
            topic,
            comment,
            error,
        } => {
            let kind = s.row.kind;
            let (low, high) = scale_ends(kind, lang);
            let (lo, hi) = kind.range();
            Some(FormView {
                nonce: ctx.keys.form_nonce(&s.store, token),
                legend: question(kind, s.row.source, &shop, lang),
                scale_help: format!("{lo} = {low}, {hi} = {high}"),
                scores: kind
                    .scores()
                    .map(|value| ScoreOption {
                        value,
                        checked: *selected == Some(value),
                    })
                    .collect(),
                kind: kind.as_str(),
                topic_legend: if ko {
                    "주로 어떤 점에 대한 평가인가요? (선택)"
                } else {
                    "What was it mostly about? (optional)"
                },
                topics: Topic::ALL
                    .iter()
                    .map(|tp| TopicOption {
                        value: tp.as_str(),
                        label: topic_label(*tp, lang),
                        checked: *topic == Some(*tp),
                    })
                    .collect(),
                comment_label: if ko {
                    "더 하고 싶은 말씀이 있나요? (선택)"
                } else {
                    "Anything you would like to tell us? (optional)"
                },
                comment: comment.clone(),
                button: match (ko, s.row.answered_at.is_some()) {
                    (false, false) => "Send my answer",
                    (false, true) => "Update my answer",
                    (true, false) => "답변 보내기",
                    (true, true) => "답변 수정하기",
                },
                error: error.map(|p| problem_text(p, lang)),
                note: s.row.answered_at.is_some().then(|| {
                    if ko {
                        format!(
                            "{}까지 답변을 바꿀 수 있습니다.",
                            day(s.editable_until, zone, lang)
                        )
                    } else {
                        format!(
                            "You can change your answer until {}.",
                            day(s.editable_until, zone, lang)
                        )
                    }
                }),
            })
        }
        _ => None,
    };
    let review = match shown {
        Shown::Thanks(s)
            if s.row.score.and_then(|score| s.row.kind.sentiment(score))
                == Some(Sentiment::Happy) =>
        {
            ctx.settings.store(&s.store).review_url.clone().map(|url| {
                (
                    url,
                    if ko {
                        "다른 분들께도 후기를 남겨 주시겠어요?"
                    } else {
                        "Would you share your experience in a review?"
                    },
                )
            })
        }
        _ => None,
    };
    let again = match shown {
        Shown::Thanks(_) => Some((
            token::url(ctx.base_url, token),
            if ko {
                "답변 수정하기"
            } else {
                "Change my answer"
            },
        )),
        _ => None,
    };
    let (other, other_code) = match lang {
        Lang::En => (Lang::Ko, "ko"),
        Lang::Ko => (Lang::En, "en"),
    };
    let keep_score = match shown {
        Shown::Form {
            selected: Some(s), ..
        } => format!("&score={s}"),
        _ => String::new(),
    };
    let doc_title = if text.heading.is_empty() {
        shop.clone()
    } else {
        format!("{} · {shop}", text.heading)
    };
    SurveyPage {
        lang: lang.code(),
        t,
        brand,
        doc_title,
        other_lang_href: format!("?lang={}{keep_score}", other.code()),
        other_lang: other_code,
        eyebrow: text.eyebrow,
        heading: text.heading,
        lines: &text.lines,
        tone: text.tone,
        form,
        review,
        again,
    }
    .render()
    .unwrap_or_default()
}

/// The shop's storefront and time zone, for the survey's store.
fn front(
    c: &rusqlite::Connection,
    found: &Found,
    seller: &SellerOverrides,
    zones: &crate::shop::timezone::Zones,
) -> Result<(crate::shop::Storefront, jiff::tz::TimeZone), StoreError> {
    let store = match found {
        Found::Open(s) | Found::Locked(s) => s.store.clone(),
        _ => {
            return Ok((crate::shop::Storefront::default(), jiff::tz::TimeZone::UTC));
        }
    };
    Ok((
        crate::shop::storefront(crate::shop::store::storefront(c, &store)?, seller),
        zones.zone(c, &store).tz,
    ))
}

/// `GET /s/{token}`: records nothing.
pub async fn show(
    ctx: &PageContext<'_>,
    token: String,
    asked: Asked<'_>,
) -> Result<Page, StoreError> {
    let (keys, settings, seller, zones) = (
        ctx.keys.clone(),
        ctx.settings.clone(),
        ctx.seller.clone(),
        ctx.zones.clone(),
    );
    let tok = token.clone();
    let (found, front) = ctx
        .db
        .read(move |c| {
            let found = answer::find(
                c,
                &keys,
                &|s| settings.store(s).clone(),
                &tok,
                Timestamp::now(),
            )?;
            let front = front(c, &found, &seller, &zones)?;
            Ok((found, front))
        })
        .await?;
    let preselect = query_value(asked.query, "score");
    let (status, shown) = match &found {
        Found::Invalid => (404, Shown::Invalid),
        Found::Expired => (410, Shown::Expired),
        Found::Locked(s) => (410, Shown::Locked(s)),
        Found::Open(s) => (
            200,
            Shown::Form {
                survey: s,
                selected: answer::score(s.row.kind, preselect).or(s.row.score),
                topic: s.row.topic,
                comment: s.row.comment.clone().unwrap_or_default(),
                error: None,
            },
        ),
    };
    let survey = match &found {
        Found::Open(s) | Found::Locked(s) => Some(&**s),
        _ => None,
    };
    let fallback = survey.map_or(ctx.tracking.default_language, |s| {
        ctx.tracking.language(&s.store)
    });
    let lang = lang_of(&asked, survey, fallback);
    Ok(Page {
        status,
        html: render(ctx, &shown, front, lang, &token),
    })
}

/// `POST /s/{token}`: records the answer when the link is open, the form came from
/// aftercare's page (`origin_ok` and its nonce) and makes sense.
pub async fn submit(
    ctx: &PageContext<'_>,
    token: String,
    asked: Asked<'_>,
    posted: Posted,
    origin_ok: bool,
) -> Result<Page, StoreError> {
    let (keys, settings, seller, zones) = (
        ctx.keys.clone(),
        ctx.settings.clone(),
        ctx.seller.clone(),
        ctx.zones.clone(),
    );
    let tok = token.clone();
    let form = posted.clone();
    let after_answer = ctx.after_answer;
    let (found, front, recorded) = ctx
        .db
        .writer()
        .write(move |c| {
            let now = Timestamp::now();
            let found = answer::find(c, &keys, &|s| settings.store(s).clone(), &tok, now)?;
            let front = front(c, &found, &seller, &zones)?;
            let Found::Open(s) = &found else {
                return Ok((found, front, None));
            };
            let nonce_ok = form
                .nonce
                .as_deref()
                .is_some_and(|n| keys.check_nonce(&s.store, &tok, n));
            if !origin_ok || !nonce_ok {
                return Ok((found, front, Some(Err(None))));
            }
            let outcome = match answer::validate(s.row.kind, &form) {
                Ok(valid) => {
                    answer::record(c, s, &valid, now)?;
                    after_answer(c, &s.store, s.row.id, now)?;
                    let after = super::store::get(c, &s.store, s.row.id)?;
                    Ok(after)
                }
                Err(problem) => Err(Some(problem)),
            };
            Ok((found, front, Some(outcome)))
        })
        .await?;
    let survey = match &found {
        Found::Open(s) | Found::Locked(s) => Some(&**s),
        _ => None,
    };
    let fallback = survey.map_or(ctx.tracking.default_language, |s| {
        ctx.tracking.language(&s.store)
    });
    let lang = lang_of(&asked, survey, fallback);
    let updated;
    let (status, shown) = match (&found, recorded) {
        (Found::Invalid, _) => (404, Shown::Invalid),
        (Found::Expired, _) => (410, Shown::Expired),
        (Found::Locked(s), _) => (409, Shown::Locked(s)),
        (Found::Open(_), Some(Err(None))) => (403, Shown::Forbidden),
        (Found::Open(s), Some(Err(Some(problem)))) => (
            422,
            Shown::Form {
                survey: s,
                selected: answer::score(s.row.kind, posted.score.as_deref()),
                topic: posted.topic.as_deref().and_then(Topic::parse),
                comment: posted.comment.clone().unwrap_or_default(),
                error: Some(problem),
            },
        ),
        (Found::Open(s), Some(Ok(after))) => {
            let mut s = (**s).clone();
            if let Some(row) = after {
                tracing::info!(store = %s.store, order_id = s.row.order_id.get(), survey = %s.row.id, kind = %s.row.kind, "survey answered");
                // The first answer starts the edit window.
                let expires = s.row.expires_at.as_deref().and_then(time::parse);
                s.row = row;
                if let Some(exp) = expires {
                    s.editable_until =
                        answer::editable_until(&s.row, exp, ctx.settings.store(&s.store));
                }
            }
            updated = s;
            (200, Shown::Thanks(&updated))
        }
        (Found::Open(_), None) => (404, Shown::Invalid),
    };
    Ok(Page {
        status,
        html: render(ctx, &shown, front, lang, &token),
    })
}
