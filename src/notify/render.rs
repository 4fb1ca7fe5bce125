//! A message as the customer reads it: subject, an HTML part (askama, auto-escaped, CSS
//! inline by hand so mail clients keep it) and a plain-text part from the same words.

use askama::Template;
use serde_json::Value;

use super::model::MessageType;
use super::texts::{self, Words};
use crate::tracking::i18n::Lang;
use crate::tracking::page::Brand;
use crate::tracking::settings::Branding;

pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

pub struct ParcelLine {
    pub carrier: String,
    pub number: String,
    pub status: String,
    pub eta: Option<String>,
    pub url: Option<String>,
}

pub struct DelayBlock {
    pub previous: Option<String>,
    pub new_date: Option<String>,
}

#[derive(Template)]
#[template(path = "notify/message.html")]
struct Html<'a> {
    lang: &'static str,
    brand: &'a Brand,
    w: &'a Words,
    parcels: &'a [ParcelLine],
    expected: Option<&'a str>,
    delay: Option<&'a DelayBlock>,
    refund: Option<String>,
    tracking_url: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "notify/message.txt")]
struct Text<'a> {
    w: &'a Words,
    parcels: &'a [ParcelLine],
    expected: Option<&'a str>,
    delay: Option<&'a DelayBlock>,
    refund: Option<String>,
    tracking_url: Option<&'a str>,
    unsubscribe_url: Option<&'a str>,
}

fn opt(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Renders a message of `kind` from its data; `branding` is the store's
/// `[tracking.branding]` (colours, logo), the data names the shop.
pub fn render(
    kind: MessageType,
    lang: Lang,
    data: &Value,
    branding: &Branding,
) -> Result<Rendered, askama::Error> {
    let w = texts::words(kind, lang, data);
    let shop = crate::shop::Storefront {
        name: opt(&data["shop"]["name"]),
        url: opt(&data["shop"]["url"]),
        logo_url: opt(&data["shop"]["logo_url"]),
    };
    let brand = Brand::new(branding, &shop, lang.t());
    // A message about one parcel shows that parcel; a return's shows none (its parcels are
    // the order's, not the return's); the others show all of them.
    let about: Vec<&Value> = match &data["parcel"] {
        _ if kind == MessageType::ReturnUpdate => Vec::new(),
        Value::Object(_) => vec![&data["parcel"]],
        _ => data["parcels"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
    };
    let parcels: Vec<ParcelLine> = about
        .into_iter()
        .map(|p| ParcelLine {
            carrier: opt(&p["carrier_name"]).unwrap_or_default(),
            number: opt(&p["number"]).unwrap_or_default(),
            status: crate::tracking::status::ParcelStatus::parse(
                p["status"].as_str().unwrap_or(""),
            )
            .map(|s| lang.t().status(s).to_owned())
            .unwrap_or_default(),
            // A delay's new date replaces the parcel's old estimate.
            eta: opt(&p["eta"]).filter(|_| !data["delay"].is_object()),
            url: opt(&p["carrier_url"])
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        })
        .collect();
    let expected = data["expected_date"].as_str();
    let delay = data["delay"].is_object().then(|| DelayBlock {
        previous: opt(&data["delay"]["previous_date"]),
        new_date: opt(&data["delay"]["new_date"]),
    });
    let refund = data["return"]["refund"]["amount"].as_str().map(|a| {
        format!(
            "{a} {}",
            data["return"]["refund"]["currency"]
                .as_str()
                .unwrap_or_default()
        )
    });
    let tracking_url = data["tracking_url"].as_str();
    let unsubscribe_url = data["unsubscribe_url"].as_str();
    let html = Html {
        lang: lang.code(),
        brand: &brand,
        w: &w,
        parcels: &parcels,
        expected,
        delay: delay.as_ref(),
        refund: refund.clone(),
        tracking_url,
        unsubscribe_url,
    }
    .render()?;
    let text = Text {
        w: &w,
        parcels: &parcels,
        expected,
        delay: delay.as_ref(),
        refund,
        tracking_url,
        unsubscribe_url,
    }
    .render()?;
    Ok(Rendered {
        subject: w.subject,
        html,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> Value {
        json!({
            "order": {"id": 7, "number": "7", "locale": "ko_KR"},
            "customer": {"name": "<b>김민준</b>", "email": "minjun@example.com"},
            "shop": {"name": "Nimbus & Co", "url": null, "logo_url": "javascript:alert(1)"},
            "tracking_url": "https://aftercare.example/t/abc",
            "parcels": [],
            "parcel": {"id": "shp_1", "carrier_name": "CJ대한통운", "number": "6001",
                       "status": "in_transit", "carrier_url": "https://trace.example/6001",
                       "eta": "2026-12-05", "last_event": null},
            "expected_date": "2026-12-05",
            "delay": {"previous_date": "2026-12-04", "new_date": "2026-12-08",
                      "reason": "eta_passed", "action": "택배사에 확인했습니다."},
            "return": null,
            "unsubscribe_url": "https://aftercare.example/unsubscribe/t0k"
        })
    }

    #[test]
    fn every_message_has_both_parts_escaped_html_and_its_language() {
        let branding = Branding::default();
        for kind in MessageType::ALL {
            for lang in [Lang::En, Lang::Ko] {
                let r = render(*kind, lang, &data(), &branding).unwrap();
                assert!(!r.subject.is_empty() && !r.text.is_empty() && !r.html.is_empty());
                assert!(r.subject.starts_with("[Nimbus & Co] "), "{}", r.subject);
                assert!(!r.html.contains("<b>김민준</b>"), "names are escaped");
                assert!(!r.html.contains("javascript:"), "only web images");
                assert!(r.text.contains("https://aftercare.example/unsubscribe/t0k"));
            }
        }
        let delayed = render(MessageType::Delayed, Lang::Ko, &data(), &branding).unwrap();
        assert_eq!(delayed.subject, "[Nimbus & Co] 주문 7 배송 지연 안내");
        assert!(
            delayed.text.contains("새 예정일: 2026-12-08"),
            "{}",
            delayed.text
        );
        assert!(delayed.text.contains("택배사에 확인했습니다."));
        assert!(delayed.html.contains("<s>2026-12-04</s>"));
        let shipped = render(MessageType::Shipped, Lang::En, &data(), &branding).unwrap();
        assert!(
            shipped
                .html
                .contains("href=\"https://aftercare.example/t/abc\"")
        );
        assert!(
            shipped.text.contains("Tracking number: 6001"),
            "{}",
            shipped.text
        );
    }

    #[test]
    fn a_delay_hides_the_old_estimate_a_return_lists_no_parcels_and_korean_keeps_words_whole() {
        let branding = Branding::default();
        let delayed = render(MessageType::Delayed, Lang::Ko, &data(), &branding).unwrap();
        assert!(
            !delayed.text.contains("도착 예정일: 2026-12-05"),
            "{}",
            delayed.text
        );
        let mut ret = data();
        ret["return"] = json!({"id": "ret_1", "status": "approved", "refund": null, "note": null});
        let r = render(MessageType::ReturnUpdate, Lang::En, &ret, &branding).unwrap();
        assert!(
            !r.text.contains("6001") && !r.html.contains("6001"),
            "{}",
            r.text
        );
        assert!(r.html.contains("word-break:keep-all"));
        assert_eq!(
            r.text.matches("Your return was approved.").count(),
            1,
            "said once: {}",
            r.text
        );
        let mut unknown = data();
        unknown["parcel"] = Value::Null;
        let shipped = render(MessageType::Shipped, Lang::En, &unknown, &branding).unwrap();
        assert!(!shipped.text.contains("handed to ."), "{}", shipped.text);
    }
}
