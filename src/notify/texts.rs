//! The words of each message type in English and Korean: subject, heading, the lines of
//! the body. Dates and names come from the message data.

use serde_json::Value;

use super::model::MessageType;
use crate::tracking::i18n::Lang;

pub struct Words {
    pub subject: String,
    pub heading: String,
    pub lines: Vec<String>,
    pub button: &'static str,
    pub parcels_title: &'static str,
    pub tracking_number: &'static str,
    pub expected: &'static str,
    pub delay_previous: &'static str,
    pub delay_new: &'static str,
    pub refund: &'static str,
    pub footer: String,
    pub unsubscribe: &'static str,
    /// A survey's scale ends ("Not at all likely", "Extremely likely"); empty otherwise.
    pub scale_low: &'static str,
    pub scale_high: &'static str,
    /// A survey's link without a score.
    pub survey_button: &'static str,
    /// The heading over the product guides (the `delivered` and `product_guide` messages).
    pub guides_title: &'static str,
    /// A staff reply carried by the message: who wrote it, and its lines as written.
    pub reply: Option<Reply>,
}

/// A support reply, quoted in the message. The text is the staff member's own, shown as
/// text (the templates escape it).
pub struct Reply {
    pub by: String,
    pub lines: Vec<String>,
}

fn text<'a>(data: &'a Value, path: &[&str]) -> &'a str {
    let mut v = data;
    for p in path {
        v = &v[*p];
    }
    v.as_str().unwrap_or_default()
}

/// What the shop does about a delay, by alert code, in the message's language.
pub fn delay_action(code: &str, lang: Lang) -> &'static str {
    match (lang, code) {
        (Lang::En, "not_shipped") => {
            "We are packing your order now and will send the tracking number as soon as it leaves."
        }
        (Lang::En, "delivery_exception") => {
            "We have contacted the carrier to resolve the delivery problem and will keep you posted."
        }
        (Lang::En, "returned_to_sender") => {
            "The parcel is coming back to us; we will contact you to send it again or refund you."
        }
        (Lang::En, _) => {
            "We have asked the carrier where your parcel is and will keep an eye on it until it arrives."
        }
        (Lang::Ko, "not_shipped") => {
            "지금 주문하신 상품을 포장하고 있으며, 출고되는 대로 송장번호를 알려 드리겠습니다."
        }
        (Lang::Ko, "delivery_exception") => {
            "배송 문제를 해결하기 위해 택배사에 연락했으며, 진행 상황을 계속 알려 드리겠습니다."
        }
        (Lang::Ko, "returned_to_sender") => {
            "택배가 저희에게 반송되고 있습니다. 재발송 또는 환불을 위해 연락드리겠습니다."
        }
        (Lang::Ko, _) => "택배사에 배송 위치를 확인 요청했으며, 도착할 때까지 계속 지켜보겠습니다.",
    }
}

fn return_status(status: &str, lang: Lang) -> &'static str {
    match (lang, status) {
        (Lang::En, "approved") => "Your return was approved.",
        (Lang::En, "rejected") => "We could not accept your return.",
        (Lang::En, "received") => "We received your returned items.",
        (Lang::En, "refunded") => "Your refund is on its way.",
        (Lang::En, "credited") => "Store credit was added for your return.",
        (Lang::En, "exchanged") => "Your exchange is being prepared.",
        (Lang::En, _) => "Your return was updated.",
        (Lang::Ko, "approved") => "반품 신청이 승인되었습니다.",
        (Lang::Ko, "rejected") => "반품 신청을 받아들이지 못했습니다.",
        (Lang::Ko, "received") => "반품하신 상품을 받았습니다.",
        (Lang::Ko, "refunded") => "환불이 진행되었습니다.",
        (Lang::Ko, "credited") => "반품에 대한 적립금이 지급되었습니다.",
        (Lang::Ko, "exchanged") => "교환 상품을 준비하고 있습니다.",
        (Lang::Ko, _) => "반품 상태가 변경되었습니다.",
    }
}

pub fn words(kind: MessageType, lang: Lang, data: &Value) -> Words {
    let number = text(data, &["order", "number"]);
    let shop = data["shop"]["name"].as_str();
    let name = text(data, &["customer", "name"]);
    let carrier = text(data, &["parcel", "carrier_name"]);
    let ko = lang == Lang::Ko;
    let greet = match (ko, name.is_empty()) {
        (false, false) => format!("Hello {name},"),
        (false, true) => "Hello,".to_owned(),
        (true, false) => format!("{name}님, 안녕하세요."),
        (true, true) => "안녕하세요.".to_owned(),
    };
    let (subject, heading, line) = match (kind, ko) {
        (MessageType::OrderConfirmation, false) => (
            format!("Order {number} received"),
            "Thank you for your order".to_owned(),
            format!("We received order {number} and will let you know when it ships."),
        ),
        (MessageType::OrderConfirmation, true) => (
            format!("주문 {number} 접수 완료"),
            "주문해 주셔서 감사합니다".to_owned(),
            format!("주문 {number}을(를) 접수했습니다. 발송되면 알려 드리겠습니다."),
        ),
        (MessageType::Shipped, false) => (
            format!("Order {number} has shipped"),
            "Your order is on its way".to_owned(),
            if carrier.is_empty() {
                "Your parcel is on its way. Follow it with the link below.".to_owned()
            } else {
                format!("Your parcel was handed to {carrier}. Follow it with the link below.")
            },
        ),
        (MessageType::Shipped, true) => (
            format!("주문 {number} 발송 안내"),
            "주문하신 상품이 발송되었습니다".to_owned(),
            if carrier.is_empty() {
                "상품이 발송되었습니다. 아래 링크에서 배송 상황을 확인하세요.".to_owned()
            } else {
                format!("{carrier}에 상품을 인계했습니다. 아래 링크에서 배송 상황을 확인하세요.")
            },
        ),
        (MessageType::OutForDelivery, false) => (
            format!("Order {number} is out for delivery"),
            "Arriving today".to_owned(),
            if carrier.is_empty() {
                "Your parcel is being delivered today.".to_owned()
            } else {
                format!("{carrier} is delivering your parcel today.")
            },
        ),
        (MessageType::OutForDelivery, true) => (
            format!("주문 {number} 오늘 도착 예정"),
            "오늘 배송됩니다".to_owned(),
            if carrier.is_empty() {
                "오늘 상품이 배송됩니다.".to_owned()
            } else {
                format!("{carrier}에서 오늘 상품을 배송합니다.")
            },
        ),
        (MessageType::Delivered, false) => (
            format!("Order {number} was delivered"),
            "Your order has arrived".to_owned(),
            "Every parcel of your order was delivered. We hope you enjoy it.".to_owned(),
        ),
        (MessageType::Delivered, true) => (
            format!("주문 {number} 배송 완료"),
            "주문하신 상품이 도착했습니다".to_owned(),
            "주문하신 모든 상품이 배송 완료되었습니다. 만족스러우시길 바랍니다.".to_owned(),
        ),
        (MessageType::Delayed, false) => (
            format!("Order {number} is delayed — we are sorry"),
            "Your order is running late".to_owned(),
            "We are sorry: your order will not arrive when we said it would.".to_owned(),
        ),
        (MessageType::Delayed, true) => (
            format!("주문 {number} 배송 지연 안내"),
            "배송이 늦어지고 있습니다".to_owned(),
            "죄송합니다. 주문하신 상품이 안내드린 날짜보다 늦게 도착할 예정입니다.".to_owned(),
        ),
        (MessageType::ReturnUpdate, _) => {
            let status = return_status(text(data, &["return", "status"]), lang);
            if ko {
                (
                    format!("주문 {number} 반품 안내"),
                    status.to_owned(),
                    format!("주문 {number}의 반품 진행 상황을 알려 드립니다."),
                )
            } else {
                (
                    format!("Your return for order {number}"),
                    status.to_owned(),
                    format!("Here is where your return for order {number} stands."),
                )
            }
        }
        (MessageType::SupportReply, false) => (
            format!("Re: your question about order {number}"),
            "We answered your question".to_owned(),
            format!(
                "Here is our answer about order {number}. To write back, open the order in your account."
            ),
        ),
        (MessageType::SupportReply, true) => (
            format!("주문 {number} 문의에 대한 답변"),
            "문의하신 내용에 답변드립니다".to_owned(),
            format!(
                "주문 {number}에 대한 답변입니다. 추가로 문의하시려면 내 계정의 주문 페이지에서 남겨 주세요."
            ),
        ),
        (MessageType::Survey, _) => {
            let kind = text(data, &["survey", "kind"]);
            let source = text(data, &["survey", "source"]);
            let shop_name = shop.unwrap_or(if ko { "저희 쇼핑몰" } else { "us" });
            match (ko, kind, source) {
                (false, "nps", _) => (
                    format!("How was order {number}?"),
                    format!("How likely are you to recommend {shop_name} to a friend?"),
                    "Your order arrived a few days ago. Pick a number below: it opens a short page where you can send it, with a comment if you like.".to_owned(),
                ),
                (true, "nps", _) => (
                    format!("주문 {number}은(는) 어떠셨나요?"),
                    format!("{shop_name}을(를) 친구에게 추천할 가능성은 얼마나 되나요?"),
                    "주문하신 상품이 며칠 전 도착했습니다. 아래 점수를 누르면 답변을 보낼 수 있는 짧은 페이지가 열립니다. 의견도 남기실 수 있어요.".to_owned(),
                ),
                (false, _, "return") => (
                    format!("How did we handle your return for order {number}?"),
                    "How satisfied are you with your return?".to_owned(),
                    "Your return is complete. Pick a number below: it opens a short page where you can send it.".to_owned(),
                ),
                (true, _, "return") => (
                    format!("주문 {number} 반품은 어떠셨나요?"),
                    "반품 처리에 얼마나 만족하셨나요?".to_owned(),
                    "반품이 완료되었습니다. 아래 점수를 누르면 답변을 보낼 수 있는 짧은 페이지가 열립니다.".to_owned(),
                ),
                (false, _, _) => (
                    format!("How did we do with your question about order {number}?"),
                    "How satisfied are you with the help you received?".to_owned(),
                    "Your question was answered. Pick a number below: it opens a short page where you can send it.".to_owned(),
                ),
                (true, _, _) => (
                    format!("주문 {number} 문의 응대는 어떠셨나요?"),
                    "받으신 도움에 얼마나 만족하셨나요?".to_owned(),
                    "문의하신 내용에 답변드렸습니다. 아래 점수를 누르면 답변을 보낼 수 있는 짧은 페이지가 열립니다.".to_owned(),
                ),
            }
        }
        (MessageType::ProductGuide, false) => (
            format!("Getting started with your order {number}"),
            "Getting started".to_owned(),
            "Your order arrived a few days ago. Here is how to get the most out of it.".to_owned(),
        ),
        (MessageType::ProductGuide, true) => (
            format!("주문 {number} 상품 사용 안내"),
            "사용 안내".to_owned(),
            "주문하신 상품이 며칠 전 도착했습니다. 상품을 잘 쓰실 수 있도록 사용 방법을 알려 드립니다."
                .to_owned(),
        ),
        (MessageType::StaffDigest, false) => (
            "Today's aftercare digest".to_owned(),
            "What needs your attention".to_owned(),
            String::new(),
        ),
        (MessageType::StaffDigest, true) => (
            "오늘의 aftercare 요약".to_owned(),
            "확인이 필요한 항목".to_owned(),
            String::new(),
        ),
    };
    let subject = match shop {
        Some(shop) if !shop.is_empty() => format!("[{shop}] {subject}"),
        _ => subject,
    };
    let mut lines = vec![greet, line];
    if kind == MessageType::Delayed {
        lines.push(text(data, &["delay", "action"]).to_owned());
    }
    if let Some(note) = data["return"]["note"].as_str().filter(|n| !n.is_empty()) {
        lines.push(note.to_owned());
    }
    let who = shop.unwrap_or(if ko { "쇼핑몰" } else { "the shop" });
    let reply = data["support"]["reply"]["body"].as_str().map(|body| {
        let author = text(data, &["support", "reply", "author"]);
        Reply {
            by: match (ko, author.is_empty()) {
                (false, false) => format!("{author} wrote:"),
                (false, true) => format!("{who} wrote:"),
                (true, false) => format!("{author}님의 답변:"),
                (true, true) => format!("{who}의 답변:"),
            },
            lines: body.lines().map(str::to_owned).collect(),
        }
    });
    let nps = text(data, &["survey", "kind"]) == "nps";
    let survey = kind == MessageType::Survey;
    let (scale_low, scale_high) = match (survey, ko, nps) {
        (false, _, _) => ("", ""),
        (true, false, true) => ("Not at all likely", "Extremely likely"),
        (true, false, false) => ("Very unsatisfied", "Very satisfied"),
        (true, true, true) => ("전혀 추천하지 않음", "매우 추천함"),
        (true, true, false) => ("매우 불만족", "매우 만족"),
    };
    if ko {
        Words {
            subject,
            heading,
            lines,
            button: "배송 조회",
            parcels_title: "택배",
            tracking_number: "송장번호",
            expected: "도착 예정일",
            delay_previous: "기존 예정일",
            delay_new: "새 예정일",
            refund: "환불 금액",
            footer: format!("{who}에서 주문 {number}에 관해 보내 드리는 안내입니다."),
            unsubscribe: if survey {
                "배송 알림·설문 수신 거부"
            } else {
                "배송 알림 수신 거부"
            },
            scale_low,
            scale_high,
            survey_button: "설문 열기",
            guides_title: "상품 사용 안내",
            reply,
        }
    } else {
        Words {
            subject,
            heading,
            lines,
            button: "Track your order",
            parcels_title: "Parcels",
            tracking_number: "Tracking number",
            expected: "Expected",
            delay_previous: "Was expected",
            delay_new: "Now expected",
            refund: "Refund",
            footer: format!("You receive this message from {who} about order {number}."),
            unsubscribe: if survey {
                "Stop shipping updates and surveys"
            } else {
                "Stop shipping updates"
            },
            scale_low,
            scale_high,
            survey_button: "Open the survey",
            guides_title: "Getting started",
            reply,
        }
    }
}

/// The staff digest's words: to the shop's staff, in the shop's language.
pub struct DigestWords {
    pub subject: String,
    pub heading: String,
    pub intro: String,
    pub late_title: &'static str,
    pub returns_title: &'static str,
    pub failed_title: &'static str,
    pub surveys_title: &'static str,
    pub order: &'static str,
    pub open: &'static str,
    pub since: &'static str,
    pub footer: &'static str,
}

/// What a delay alert means, for the shop.
pub fn alert_label(code: &str, lang: Lang) -> &'static str {
    match (lang, code) {
        (Lang::En, "not_shipped") => "not shipped in time",
        (Lang::En, "no_carrier_scan") => "no carrier scan yet",
        (Lang::En, "stalled_in_transit") => "stuck in transit",
        (Lang::En, "eta_passed") => "expected date passed",
        (Lang::En, "delivery_exception") => "delivery problem",
        (Lang::En, "returned_to_sender") => "returned to sender",
        (Lang::En, "carrier_silent") => "the carrier has gone silent",
        (Lang::En, _) => "late",
        (Lang::Ko, "not_shipped") => "출고 지연",
        (Lang::Ko, "no_carrier_scan") => "택배사 스캔 없음",
        (Lang::Ko, "stalled_in_transit") => "배송 정체",
        (Lang::Ko, "eta_passed") => "도착 예정일 경과",
        (Lang::Ko, "delivery_exception") => "배송 문제",
        (Lang::Ko, "returned_to_sender") => "반송",
        (Lang::Ko, "carrier_silent") => "택배사 응답 없음",
        (Lang::Ko, _) => "지연",
    }
}

/// What the shop does next with a waiting return.
pub fn return_waiting(status: &str, lang: Lang) -> &'static str {
    match (lang, status) {
        (Lang::En, "requested") => "requested: approve or reject",
        (Lang::En, _) => "received: refund, exchange or credit",
        (Lang::Ko, "requested") => "신청됨: 승인 또는 거절",
        (Lang::Ko, _) => "입고됨: 환불, 교환 또는 적립",
    }
}

pub fn digest_words(lang: Lang, data: &Value) -> DigestWords {
    let date = text(data, &["date"]);
    let count = |k: &str| data[k].as_array().map_or(0, Vec::len);
    let (late, returns, failed, unhappy) = (
        count("late"),
        count("returns"),
        count("failed"),
        count("surveys"),
    );
    let shop = data["shop"]["name"].as_str().filter(|s| !s.is_empty());
    let prefix = |s: String| match shop {
        Some(shop) => format!("[{shop}] {s}"),
        None => s,
    };
    match lang {
        Lang::Ko => DigestWords {
            subject: prefix(format!("aftercare 일일 요약 {date}")),
            heading: "확인이 필요한 항목".to_owned(),
            intro: format!(
                "지연·문제 배송 {late}건, 처리 대기 반품 {returns}건, 실패한 메시지 {failed}건, 연락이 필요한 설문 답변 {unhappy}건이 있습니다."
            ),
            late_title: "지연·문제 배송",
            returns_title: "처리 대기 반품",
            failed_title: "실패한 메시지",
            surveys_title: "연락이 필요한 고객 (설문)",
            order: "주문",
            open: "주문 열기",
            since: "발생",
            footer: "aftercare가 매일 보내는 운영자용 요약입니다. 보낼 내용이 없는 날에는 보내지 않습니다.",
        },
        Lang::En => DigestWords {
            subject: prefix(format!("aftercare daily digest {date}")),
            heading: "What needs your attention".to_owned(),
            intro: format!(
                "{late} late or problem parcels, {returns} returns waiting for you, {failed} failed messages, {unhappy} unhappy survey answers."
            ),
            late_title: "Late and problem parcels",
            returns_title: "Returns waiting for you",
            failed_title: "Messages that failed",
            surveys_title: "Unhappy customers to contact (surveys)",
            order: "Order",
            open: "Open the order",
            since: "since",
            footer: "aftercare sends this summary to the shop's staff each day there is something to report.",
        },
    }
}
