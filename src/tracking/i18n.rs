//! The words of the tracking page and of delay alerts, in English and Korean, and how
//! dates are written in each.

use jiff::Zoned;
use jiff::civil::Weekday;

use super::delays::AlertCode;
use super::status::ParcelStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// `?lang=` wins, then the first supported language of `Accept-Language` by weight,
    /// then the configured default.
    pub fn negotiate(query: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
        if let Some(lang) = query.and_then(Lang::from_tag) {
            return lang;
        }
        let mut offers: Vec<(f32, usize, Lang)> = accept_language
            .unwrap_or_default()
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::from_tag(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map_or(default, |o| o.2)
    }

    pub fn t(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ko => &KO,
        }
    }

    /// `Thu, Nov 19` / `11월 19일 (목)`; with the year when it is not `now`'s.
    pub fn date(self, at: &Zoned, now: &Zoned) -> String {
        let year = at.year() != now.year();
        match self {
            Lang::En if year => at.strftime("%a, %b %-d, %Y").to_string(),
            Lang::En => at.strftime("%a, %b %-d").to_string(),
            Lang::Ko => {
                let prefix = if year {
                    format!("{}년 ", at.year())
                } else {
                    String::new()
                };
                format!(
                    "{prefix}{}월 {}일 ({})",
                    at.month(),
                    at.day(),
                    korean_weekday(at.weekday())
                )
            }
        }
    }

    /// `Nov 18, 2:05 PM` / `11월 18일 (수) 오후 2:05`.
    pub fn date_time(self, at: &Zoned, now: &Zoned) -> String {
        match self {
            Lang::En => {
                let day = if at.year() != now.year() {
                    at.strftime("%b %-d, %Y")
                } else {
                    at.strftime("%b %-d")
                };
                format!("{day}, {}", at.strftime("%-I:%M %p"))
            }
            Lang::Ko => {
                let half = if at.hour() < 12 { "오전" } else { "오후" };
                let hour = match at.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                format!("{} {half} {hour}:{:02}", self.date(at, now), at.minute())
            }
        }
    }
}

fn korean_weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "월",
        Weekday::Tuesday => "화",
        Weekday::Wednesday => "수",
        Weekday::Thursday => "목",
        Weekday::Friday => "금",
        Weekday::Saturday => "토",
        Weekday::Sunday => "일",
    }
}

/// A delay alert in words: a short title and a sentence. `{carrier}`, `{number}` and
/// `{date}` are filled in by [`Texts::alert`].
pub struct AlertText {
    pub title: &'static str,
    pub body: &'static str,
}

/// Every fixed string of the page; sentences with `{placeholders}` are filled by callers.
pub struct Texts {
    pub lang_name: &'static str,
    pub other_lang_label: &'static str,
    pub language: &'static str,
    pub title: &'static str,
    pub order_number: &'static str,
    pub greeting_named: &'static str,
    pub greeting: &'static str,
    pub ship_to: &'static str,
    pub headline_received: &'static str,
    pub headline_preparing: &'static str,
    pub headline_partly: &'static str,
    pub headline_shipped: &'static str,
    pub headline_on_its_way: &'static str,
    pub headline_out_for_delivery: &'static str,
    pub headline_delivered: &'static str,
    pub headline_problem: &'static str,
    pub headline_returned: &'static str,
    pub headline_delayed: &'static str,
    pub headline_cancelled: &'static str,
    pub headline_refunded: &'static str,
    pub expected_by: &'static str,
    pub expected_today: &'static str,
    pub expected_tomorrow: &'static str,
    pub was_expected_by: &'static str,
    pub delivered_on: &'static str,
    pub will_update: &'static str,
    pub awaiting_payment: &'static str,
    pub closed_note: &'static str,
    pub partly_note: &'static str,
    pub steps: [&'static str; 5],
    pub progress: &'static str,
    pub progress_value: &'static str,
    pub parcel_of: &'static str,
    pub your_parcel: &'static str,
    pub tracking_number: &'static str,
    pub unknown_carrier: &'static str,
    pub track_link_label: &'static str,
    pub shipped: &'static str,
    pub skip: &'static str,
    pub not_yet_shipped: &'static str,
    pub the_shop: &'static str,
    pub order_details: &'static str,
    pub estimated_delivery: &'static str,
    /// The label of a parcel's estimate once that day has passed.
    pub was_expected: &'static str,
    pub delivered: &'static str,
    pub in_this_parcel: &'static str,
    pub items_in_order: &'static str,
    pub history: &'static str,
    pub no_events: &'static str,
    /// When a tracking feed last checked a parcel it follows.
    pub last_checked: &'static str,
    pub status_shipped: &'static str,
    pub status_label_created: &'static str,
    pub status_in_transit: &'static str,
    pub status_out_for_delivery: &'static str,
    pub status_delivered: &'static str,
    pub status_exception: &'static str,
    pub status_returned: &'static str,
    pub contact: &'static str,
    /// The heading over the FAQ entries that fit the order.
    pub answers_title: &'static str,
    pub contact_link: &'static str,
    pub updated: &'static str,
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub not_found_hint: &'static str,
    pub alert_not_shipped: AlertText,
    pub alert_no_scan: AlertText,
    pub alert_stalled: AlertText,
    pub alert_eta_passed: AlertText,
    pub alert_exception: AlertText,
    pub alert_exception_detail: &'static str,
    pub alert_returned: AlertText,
    pub alert_carrier_silent: AlertText,
}

impl Texts {
    pub fn status(&self, status: ParcelStatus) -> &'static str {
        match status {
            ParcelStatus::Shipped => self.status_shipped,
            ParcelStatus::LabelCreated => self.status_label_created,
            ParcelStatus::InTransit => self.status_in_transit,
            ParcelStatus::OutForDelivery => self.status_out_for_delivery,
            ParcelStatus::Delivered => self.status_delivered,
            ParcelStatus::Exception => self.status_exception,
            ParcelStatus::Returned => self.status_returned,
        }
    }

    /// An alert's title and sentence. `detail` is the carrier's description of a problem.
    pub fn alert(
        &self,
        code: AlertCode,
        carrier: &str,
        number: &str,
        date: &str,
        detail: Option<&str>,
    ) -> (&'static str, String) {
        let text = match code {
            AlertCode::NotShipped => &self.alert_not_shipped,
            AlertCode::NoCarrierScan => &self.alert_no_scan,
            AlertCode::StalledInTransit => &self.alert_stalled,
            AlertCode::EtaPassed => &self.alert_eta_passed,
            AlertCode::DeliveryException => &self.alert_exception,
            AlertCode::ReturnedToSender => &self.alert_returned,
            AlertCode::CarrierSilent => &self.alert_carrier_silent,
        };
        let body = match (code, detail) {
            (AlertCode::DeliveryException, Some(_)) => self.alert_exception_detail,
            _ => text.body,
        };
        let body = body
            .replace("{carrier}", carrier)
            .replace("{number}", number)
            .replace("{date}", date)
            .replace("{detail}", detail.unwrap_or_default());
        (text.title, body)
    }
}

pub static EN: Texts = Texts {
    lang_name: "English",
    other_lang_label: "한국어",
    language: "Language",
    title: "Order {number} tracking",
    order_number: "Order #{number}",
    greeting_named: "Hi {name}, here is where your order is.",
    greeting: "Here is where your order is.",
    ship_to: "Delivering to {city}",
    headline_received: "Order received",
    headline_preparing: "Preparing your order",
    headline_partly: "Partly shipped",
    headline_shipped: "Shipped",
    headline_on_its_way: "On its way",
    headline_out_for_delivery: "Out for delivery",
    headline_delivered: "Delivered",
    headline_problem: "There's a problem with your delivery",
    headline_returned: "Returned to sender",
    headline_delayed: "Delayed",
    headline_cancelled: "Order cancelled",
    headline_refunded: "Order refunded",
    expected_by: "Expected by {date}",
    expected_today: "Expected today",
    expected_tomorrow: "Expected tomorrow",
    was_expected_by: "It was expected by {date}",
    delivered_on: "Delivered {date}",
    will_update: "This page updates as soon as your order ships.",
    awaiting_payment: "Your order ships once the payment is confirmed.",
    closed_note: "Nothing more will be shipped for this order.",
    partly_note: "The rest of your order will follow in another parcel.",
    steps: [
        "Ordered",
        "Shipped",
        "In transit",
        "Out for delivery",
        "Delivered",
    ],
    progress: "Delivery progress",
    progress_value: "Step {n} of 5: {step}",
    parcel_of: "Parcel {n} of {total}",
    your_parcel: "Your parcel",
    tracking_number: "Tracking number",
    unknown_carrier: "Carrier",
    track_link_label: "Track {number} on the {carrier} website (opens in a new tab)",
    shipped: "Shipped",
    skip: "Skip to tracking details",
    not_yet_shipped: "Not shipped yet",
    the_shop: "the shop",
    order_details: "Order details",
    estimated_delivery: "Estimated delivery",
    was_expected: "Was expected",
    delivered: "Delivered",
    in_this_parcel: "In this parcel",
    items_in_order: "Items in your order",
    history: "Tracking history",
    no_events: "No updates from {carrier} yet. Tracking details usually appear within a day of shipping.",
    last_checked: "Last checked {time}",
    status_shipped: "Shipped",
    status_label_created: "Label created",
    status_in_transit: "In transit",
    status_out_for_delivery: "Out for delivery",
    status_delivered: "Delivered",
    status_exception: "Delivery problem",
    status_returned: "Returned to sender",
    contact: "Questions about your order?",
    answers_title: "Answers to common questions",
    contact_link: "Contact {store}",
    updated: "As of {time}",
    not_found_title: "We can't find this tracking page",
    not_found_body: "This tracking link doesn't match any order. It may be incomplete or mistyped.",
    not_found_hint: "Please open the link again from your order confirmation email, or contact the shop you ordered from.",
    alert_not_shipped: AlertText {
        title: "Taking longer than usual",
        body: "Your order hasn't shipped yet and is taking longer than usual to prepare. We're sorry for the wait.",
    },
    alert_no_scan: AlertText {
        title: "Waiting for the carrier",
        body: "The shipping label for parcel {number} was created on {date}, but {carrier} hasn't scanned the parcel yet. It is probably still waiting to be picked up.",
    },
    alert_stalled: AlertText {
        title: "No recent tracking updates",
        body: "{carrier} hasn't reported any movement of parcel {number} since {date}. Parcels sometimes go quiet between depots.",
    },
    alert_eta_passed: AlertText {
        title: "Running late",
        body: "Parcel {number} was expected by {date}, and {carrier} hasn't marked it delivered yet. We're sorry for the delay.",
    },
    alert_exception: AlertText {
        title: "Delivery problem",
        body: "{carrier} reported a problem delivering parcel {number}. If you have questions, please contact the shop.",
    },
    alert_exception_detail: "{carrier} reported a problem delivering parcel {number}: \u{201c}{detail}\u{201d}. If you have questions, please contact the shop.",
    alert_returned: AlertText {
        title: "Returned to sender",
        body: "{carrier} is sending parcel {number} back to the shop. Please contact the shop about a replacement or a refund.",
    },
    alert_carrier_silent: AlertText {
        title: "No news from the carrier",
        body: "{carrier} has had no tracking information for parcel {number} for several days. If you have questions, please contact the shop.",
    },
};

pub static KO: Texts = Texts {
    lang_name: "한국어",
    other_lang_label: "English",
    language: "언어",
    title: "주문 {number} 배송 조회",
    order_number: "주문번호 {number}",
    greeting_named: "{name}님, 주문하신 상품의 배송 현황이에요.",
    greeting: "주문하신 상품의 배송 현황이에요.",
    ship_to: "배송지: {city}",
    headline_received: "주문이 접수되었어요",
    headline_preparing: "상품을 준비하고 있어요",
    headline_partly: "일부 상품이 발송되었어요",
    headline_shipped: "발송되었어요",
    headline_on_its_way: "배송 중이에요",
    headline_out_for_delivery: "배달 중이에요",
    headline_delivered: "배송이 완료되었어요",
    headline_problem: "배송에 문제가 생겼어요",
    headline_returned: "판매자에게 반송되고 있어요",
    headline_delayed: "배송이 지연되고 있어요",
    headline_cancelled: "취소된 주문이에요",
    headline_refunded: "환불된 주문이에요",
    expected_by: "{date}까지 도착 예정",
    expected_today: "오늘 도착 예정",
    expected_tomorrow: "내일 도착 예정",
    was_expected_by: "{date}까지 도착 예정이었어요",
    delivered_on: "{date} 배송 완료",
    will_update: "상품이 발송되면 이 페이지에서 바로 확인할 수 있어요.",
    awaiting_payment: "결제가 확인되면 상품을 발송해요.",
    closed_note: "이 주문은 더 이상 발송되지 않아요.",
    partly_note: "나머지 상품은 다른 택배로 발송될 예정이에요.",
    steps: ["주문 완료", "발송", "배송 중", "배달 중", "배송 완료"],
    progress: "배송 진행 상황",
    progress_value: "5단계 중 {n}단계: {step}",
    parcel_of: "택배 {n}/{total}",
    your_parcel: "택배",
    tracking_number: "운송장 번호",
    unknown_carrier: "택배사",
    track_link_label: "{carrier} 웹사이트에서 운송장 {number} 조회 (새 탭에서 열림)",
    shipped: "발송일",
    skip: "배송 정보로 건너뛰기",
    not_yet_shipped: "아직 발송되지 않은 상품",
    the_shop: "쇼핑몰",
    order_details: "주문 정보",
    estimated_delivery: "도착 예정",
    was_expected: "도착 예정이었던 날",
    delivered: "배송 완료",
    in_this_parcel: "포함된 상품",
    items_in_order: "주문 상품",
    history: "배송 기록",
    no_events: "아직 {carrier}의 배송 정보가 없어요. 보통 발송 후 하루 안에 조회돼요.",
    last_checked: "마지막 조회 {time}",
    status_shipped: "발송",
    status_label_created: "운송장 등록",
    status_in_transit: "이동 중",
    status_out_for_delivery: "배달 출발",
    status_delivered: "배달 완료",
    status_exception: "배송 문제",
    status_returned: "반송",
    contact: "주문에 대해 궁금한 점이 있으신가요?",
    answers_title: "자주 묻는 질문",
    contact_link: "{store}에 문의하기",
    updated: "{time} 기준",
    not_found_title: "배송 조회 페이지를 찾을 수 없어요",
    not_found_body: "이 배송 조회 링크와 일치하는 주문이 없어요. 링크가 잘렸거나 잘못 입력되었을 수 있어요.",
    not_found_hint: "주문 확인 메일의 링크를 다시 열어 보시거나, 주문하신 쇼핑몰에 문의해 주세요.",
    alert_not_shipped: AlertText {
        title: "발송이 늦어지고 있어요",
        body: "상품 준비가 평소보다 오래 걸려 아직 발송되지 않았어요. 기다리게 해서 죄송해요.",
    },
    alert_no_scan: AlertText {
        title: "택배사 인수를 기다리고 있어요",
        body: "운송장 {number}은(는) {date}에 등록되었지만 {carrier}에서 아직 상품을 인수하지 않았어요. 집하를 기다리는 중일 수 있어요.",
    },
    alert_stalled: AlertText {
        title: "배송 정보가 멈춰 있어요",
        body: "{date} 이후 {carrier}에서 운송장 {number}의 이동 정보가 올라오지 않았어요. 터미널 사이에서 잠시 정보가 없을 수 있어요.",
    },
    alert_eta_passed: AlertText {
        title: "도착 예정일이 지났어요",
        body: "운송장 {number}은(는) {date}까지 도착 예정이었지만 {carrier}에서 아직 배달 완료로 확인되지 않았어요. 늦어져서 죄송해요.",
    },
    alert_exception: AlertText {
        title: "배송에 문제가 생겼어요",
        body: "{carrier}에서 운송장 {number}의 배송 문제를 알려 왔어요. 궁금한 점은 쇼핑몰에 문의해 주세요.",
    },
    alert_exception_detail: "{carrier}에서 운송장 {number}의 배송 문제를 알려 왔어요: \u{201c}{detail}\u{201d}. 궁금한 점은 쇼핑몰에 문의해 주세요.",
    alert_returned: AlertText {
        title: "판매자에게 반송되고 있어요",
        body: "{carrier}에서 운송장 {number}을(를) 쇼핑몰로 반송하고 있어요. 재발송이나 환불은 쇼핑몰에 문의해 주세요.",
    },
    alert_carrier_silent: AlertText {
        title: "택배사 배송 정보가 없어요",
        body: "며칠째 {carrier}에서 운송장 {number}의 배송 정보를 확인할 수 없어요. 궁금한 점은 쇼핑몰에 문의해 주세요.",
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn the_language_is_negotiated() {
        let en = Lang::En;
        assert_eq!(Lang::negotiate(Some("ko"), Some("en"), en), Lang::Ko);
        assert_eq!(
            Lang::negotiate(Some("fr"), Some("ko-KR,ko;q=0.9"), en),
            Lang::Ko
        );
        assert_eq!(
            Lang::negotiate(None, Some("ko-KR,ko;q=0.9,en;q=0.8"), en),
            Lang::Ko
        );
        assert_eq!(
            Lang::negotiate(None, Some("fr, en;q=0.5, ko;q=0.7"), en),
            Lang::Ko
        );
        assert_eq!(
            Lang::negotiate(None, Some("en-GB,ko;q=0"), Lang::Ko),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, Some("de-DE"), Lang::Ko), Lang::Ko);
        assert_eq!(Lang::negotiate(None, None, en), en);
    }

    #[test]
    fn dates_read_naturally_in_both_languages() {
        let tz = TimeZone::get("Asia/Seoul").unwrap();
        let at: jiff::Timestamp = "2026-11-18T05:05:00Z".parse().unwrap();
        let at = at.to_zoned(tz.clone());
        let now: jiff::Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
        let now = now.to_zoned(tz);
        assert_eq!(Lang::En.date(&at, &now), "Wed, Nov 18");
        assert_eq!(Lang::Ko.date(&at, &now), "11월 18일 (수)");
        assert_eq!(Lang::En.date_time(&at, &now), "Nov 18, 2:05 PM");
        assert_eq!(Lang::Ko.date_time(&at, &now), "11월 18일 (수) 오후 2:05");
        let next_year = now.checked_add(jiff::Span::new().days(60)).unwrap();
        assert_eq!(Lang::En.date(&at, &next_year), "Wed, Nov 18, 2026");
        assert_eq!(Lang::Ko.date(&at, &next_year), "2026년 11월 18일 (수)");
    }

    #[test]
    fn alerts_fill_their_placeholders() {
        let (title, body) = EN.alert(
            AlertCode::DeliveryException,
            "UPS",
            "1Z999AA10123456784",
            "",
            Some("Address not found"),
        );
        assert_eq!(title, "Delivery problem");
        assert!(body.contains("UPS reported a problem delivering parcel 1Z999AA10123456784"));
        assert!(body.contains("Address not found"));
        for code in AlertCode::ALL {
            for t in [&EN, &KO] {
                let (_, body) = t.alert(code, "C", "N", "D", None);
                assert!(!body.contains('{'), "{body}");
            }
        }
    }

    /// Nobody is notified when an alert opens (there is no channel to the shop yet), so no
    /// customer sentence may claim the shop was told or asked.
    #[test]
    fn alerts_claim_no_notification() {
        for t in [&EN, &KO] {
            let mut sentences = vec![t.alert_exception_detail.to_owned()];
            for code in AlertCode::ALL {
                sentences.push(t.alert(code, "C", "N", "D", None).1);
            }
            for sentence in &sentences {
                for claim in ["told", "flagged", "notified", "요청했어요", "알렸어요"] {
                    assert!(!sentence.contains(claim), "{sentence}");
                }
            }
        }
    }
}
