//! The unsubscribe page (`/unsubscribe/{token}`), in the tracking page's style: who is
//! unsubscribing from what, and a button; the POST (also RFC 8058's one-click POST)
//! records it at once.

use askama::Template;
use jiff::Timestamp;

use super::model::Class;
use super::store::{self, Subscription};
use super::unsubscribe::is_token;
use crate::shop::settings::SellerOverrides;
use crate::store::{Db, StoreError};
use crate::tracking::TrackingSettings;
use crate::tracking::i18n::{Lang, Texts};
use crate::tracking::page::Brand;

pub struct PageWords {
    pub heading: String,
    pub body: String,
    pub button: &'static str,
    pub note: &'static str,
}

#[derive(Template)]
#[template(path = "notify/unsubscribe.html")]
struct UnsubscribePage<'a> {
    lang: &'static str,
    t: &'static Texts,
    brand: Brand,
    doc_title: String,
    other_lang_href: &'static str,
    other_lang: &'static str,
    w: &'a PageWords,
    done: bool,
}

/// `m…@example.com`: enough for the reader to recognise their address, no more.
fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

fn words(lang: Lang, sub: Option<&Subscription>, shop: &str, done: bool) -> PageWords {
    let Some(sub) = sub else {
        return match lang {
            Lang::En => PageWords {
                heading: "This link is not valid".into(),
                body: "It may be incomplete. Use the link in the most recent message.".into(),
                button: "",
                note: "Receipts and refund messages are always sent.",
            },
            Lang::Ko => PageWords {
                heading: "유효하지 않은 링크입니다".into(),
                body: "링크가 잘렸을 수 있습니다. 최근 메일의 링크를 이용해 주세요.".into(),
                button: "",
                note: "주문 확인과 환불 안내 메일은 계속 발송됩니다.",
            },
        };
    };
    let who = masked(&sub.recipient);
    let what_en = match sub.class {
        Class::StatusUpdate => "shipping updates",
        _ => "these messages",
    };
    match (lang, done) {
        (Lang::En, false) => PageWords {
            heading: format!("Stop {what_en} from {shop}?"),
            body: format!(
                "{who} will no longer receive {what_en} (shipped, out for delivery, delivered, delays)."
            ),
            button: "Unsubscribe",
            note: "Receipts and refund messages are always sent.",
        },
        (Lang::En, true) => PageWords {
            heading: "You are unsubscribed".into(),
            body: format!("{who} will receive no more {what_en} from {shop}."),
            button: "",
            note: "Receipts and refund messages are always sent.",
        },
        (Lang::Ko, false) => PageWords {
            heading: format!("{shop}의 배송 알림을 그만 받으시겠어요?"),
            body: format!(
                "{who} 주소로 발송, 배송 출발, 배송 완료, 지연 안내 메일을 더 이상 보내지 않습니다."
            ),
            button: "수신 거부",
            note: "주문 확인과 환불 안내 메일은 계속 발송됩니다.",
        },
        (Lang::Ko, true) => PageWords {
            heading: "수신 거부되었습니다".into(),
            body: format!("{who} 주소로 {shop}의 배송 알림을 더 이상 보내지 않습니다."),
            button: "",
            note: "주문 확인과 환불 안내 메일은 계속 발송됩니다.",
        },
    }
}

/// What the page answers: found, and the HTML.
pub struct Answer {
    pub found: bool,
    pub html: String,
}

/// Shows the page (`record` false) or records the unsubscribe and confirms it. `choose`
/// picks the page's language given the fallback: the link's store's language once the
/// token is known, the shared one otherwise.
pub async fn answer(
    db: &Db,
    tracking: &TrackingSettings,
    seller: &SellerOverrides,
    token: String,
    choose: impl Fn(Lang) -> Lang,
    record: bool,
) -> Result<Answer, StoreError> {
    let found = if is_token(&token) {
        db.writer()
            .write(move |c| {
                let Some(sub) = store::by_token(c, &token)? else {
                    return Ok(None);
                };
                let newly = record && store::unsubscribe(c, &token, &time_now())?;
                let front = crate::shop::storefront(
                    crate::shop::store::storefront(c, &sub.store_id)?,
                    &SellerOverrides::default(),
                );
                Ok(Some((sub, newly, front)))
            })
            .await?
    } else {
        None
    };
    let lang = choose(match &found {
        Some((sub, ..)) => tracking.language(&sub.store_id),
        None => tracking.default_language,
    });
    let t = lang.t();
    let (other_lang_href, other_lang) = match lang {
        Lang::En => ("?lang=ko", "ko"),
        Lang::Ko => ("?lang=en", "en"),
    };
    let (brand, w, done) = match &found {
        Some((sub, newly, front)) => {
            let mut front = front.clone();
            front.name = crate::shop::display_name(front.name.as_deref(), seller);
            let brand = Brand::new(&tracking.branding(&sub.store_id), &front, t);
            let shop = brand.name.clone().unwrap_or_else(|| t.the_shop.to_owned());
            let done = sub.unsubscribed || *newly;
            (brand, words(lang, Some(sub), &shop, done), done)
        }
        None => (
            Brand::new(
                &tracking.branding(&crate::ids::StoreId::default_store()),
                &crate::shop::Storefront::default(),
                t,
            ),
            words(lang, None, "", true),
            true,
        ),
    };
    if let Some((sub, true, _)) = &found {
        tracing::info!(store = %sub.store_id, class = %sub.class, "a customer unsubscribed");
    }
    let html = UnsubscribePage {
        lang: lang.code(),
        t,
        brand,
        doc_title: w.heading.clone(),
        other_lang_href,
        other_lang,
        w: &w,
        done,
    }
    .render()
    .unwrap_or_default();
    Ok(Answer {
        found: found.is_some(),
        html,
    })
}

fn time_now() -> crate::time::Stamp {
    crate::time::millis(Timestamp::now())
}
