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

/// One product's guide in a message: its name, text and counted links.
pub struct GuideBlock {
    pub name: String,
    pub lines: Vec<String>,
    /// (title, url): web addresses only.
    pub links: Vec<(String, String)>,
}

/// The guides a `delivered` or `product_guide` message shows.
fn guide_blocks(kind: MessageType, data: &Value) -> Vec<GuideBlock> {
    if !matches!(kind, MessageType::Delivered | MessageType::ProductGuide) {
        return Vec::new();
    }
    data["guides"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|g| GuideBlock {
                    name: opt(&g["name"]).unwrap_or_default(),
                    lines: g["text"]
                        .as_str()
                        .unwrap_or_default()
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_owned)
                        .collect(),
                    links: g["links"]
                        .as_array()
                        .map(|ls| {
                            ls.iter()
                                .filter_map(|l| {
                                    let url = opt(&l["url"]).filter(|u| {
                                        u.starts_with("https://") || u.starts_with("http://")
                                    })?;
                                    Some((opt(&l["title"]).unwrap_or_else(|| url.clone()), url))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
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
    scores: &'a [(i64, String)],
    survey_url: Option<&'a str>,
    guides: &'a [GuideBlock],
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
    scores: &'a [(i64, String)],
    survey_url: Option<&'a str>,
    guides: &'a [GuideBlock],
}

/// One line of the staff digest: an order, what is wrong, since when, a link.
pub struct DigestRow {
    pub order: String,
    pub what: String,
    pub when: String,
    pub url: Option<String>,
}

#[derive(Template)]
#[template(path = "notify/digest.html")]
struct DigestHtml<'a> {
    lang: &'static str,
    brand: &'a Brand,
    w: &'a texts::DigestWords,
    sections: &'a [(&'static str, Vec<DigestRow>)],
}

#[derive(Template)]
#[template(path = "notify/digest.txt")]
struct DigestText<'a> {
    w: &'a texts::DigestWords,
    sections: &'a [(&'static str, Vec<DigestRow>)],
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
    let shop = crate::shop::Storefront {
        name: opt(&data["shop"]["name"]),
        url: opt(&data["shop"]["url"]),
        logo_url: opt(&data["shop"]["logo_url"]),
    };
    let brand = Brand::new(branding, &shop, lang.t());
    if kind == MessageType::StaffDigest {
        return digest(lang, data, &brand);
    }
    let w = texts::words(kind, lang, data);
    // A message about one parcel shows that parcel; a return's shows none (its parcels are
    // the order's, not the return's); the others show all of them.
    let survey = kind == MessageType::Survey;
    let about: Vec<&Value> = match &data["parcel"] {
        _ if matches!(
            kind,
            MessageType::ReturnUpdate | MessageType::ProductGuide | MessageType::SupportReply
        ) || survey =>
        {
            Vec::new()
        }
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
    // A survey asks one thing: no parcels, no dates, no tracking button.
    let expected = data["expected_date"].as_str().filter(|_| !survey);
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
    let tracking_url = data["tracking_url"].as_str().filter(|_| !survey);
    let unsubscribe_url = data["unsubscribe_url"].as_str();
    let web = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    let scores: Vec<(i64, String)> = data["survey"]["scores"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s["score"].as_i64()?, s["url"].as_str()?.to_owned())))
                .filter(|(_, url)| web(url))
                .collect()
        })
        .unwrap_or_default();
    let survey_url = data["survey"]["url"].as_str().filter(|u| web(u));
    let guides = guide_blocks(kind, data);
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
        scores: &scores,
        survey_url,
        guides: &guides,
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
        scores: &scores,
        survey_url,
        guides: &guides,
    }
    .render()?;
    Ok(Rendered {
        subject: w.subject,
        html,
        text,
    })
}

/// The staff digest: a section per kind of trouble, a line per order.
fn digest(lang: Lang, data: &Value, brand: &Brand) -> Result<Rendered, askama::Error> {
    let w = texts::digest_words(lang, data);
    let rows = |key: &str, what: &dyn Fn(&Value) -> String, when: &str| -> Vec<DigestRow> {
        data[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| DigestRow {
                        order: opt(&v["order_number"]).unwrap_or_default(),
                        what: what(v),
                        when: opt(&v[when])
                            .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
                            .unwrap_or_default(),
                        url: opt(&v["admin_url"])
                            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let text_of = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let late = rows(
        "late",
        &|v| {
            let label = texts::alert_label(v["code"].as_str().unwrap_or_default(), lang);
            match v["parcel_id"].as_str() {
                Some(p) => format!("{label} ({p})"),
                None => label.to_owned(),
            }
        },
        "raised_at",
    );
    let returns = rows(
        "returns",
        &|v| {
            format!(
                "{} {}",
                text_of(v, "id"),
                texts::return_waiting(v["status"].as_str().unwrap_or_default(), lang)
            )
        },
        "updated_at",
    );
    let failed = rows(
        "failed",
        &|v| {
            format!(
                "{} {}: {}",
                text_of(v, "id"),
                text_of(v, "type"),
                text_of(v, "reason")
            )
        },
        "failed_at",
    );
    let unhappy = rows(
        "surveys",
        &|v| {
            let mut what = format!(
                "{} {} ({})",
                text_of(v, "kind").to_uppercase(),
                v["score"].as_i64().unwrap_or_default(),
                text_of(v, "group")
            );
            if let Some(topic) = v["topic"].as_str() {
                what.push_str(&format!(" · {topic}"));
            }
            if let Some(comment) = v["comment"].as_str() {
                let short: String = comment.chars().take(140).collect();
                what.push_str(&format!(": “{short}”"));
            }
            what
        },
        "answered_at",
    );
    let sections: Vec<(&'static str, Vec<DigestRow>)> = [
        (w.surveys_title, unhappy),
        (w.late_title, late),
        (w.returns_title, returns),
        (w.failed_title, failed),
    ]
    .into_iter()
    .filter(|(_, rows)| !rows.is_empty())
    .collect();
    let html = DigestHtml {
        lang: lang.code(),
        brand,
        w: &w,
        sections: &sections,
    }
    .render()?;
    let text = DigestText {
        w: &w,
        sections: &sections,
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
        // The staff digest has data of its own (tested below).
        for kind in MessageType::ALL
            .iter()
            .filter(|k| **k != MessageType::StaffDigest)
        {
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
    fn a_survey_draws_one_link_per_score_and_nothing_about_parcels() {
        let mut d = data();
        let base = "https://care.example/s/tok";
        d["survey"] = json!({
            "id": "svy_1", "kind": "csat", "source": "return", "url": base,
            "min": 1, "max": 5,
            "scores": (1..=5).map(|s| json!({"score": s, "url": format!("{base}?score={s}")}))
                .chain([json!({"score": 9, "url": "javascript:alert(1)"})])
                .collect::<Vec<_>>(),
        });
        let branding = Branding::default();
        for lang in [Lang::En, Lang::Ko] {
            let r = render(MessageType::Survey, lang, &d, &branding).unwrap();
            for s in 1..=5 {
                assert!(
                    r.html.contains(&format!("href=\"{base}?score={s}\"")),
                    "{s}"
                );
                assert!(
                    r.text.contains(&format!("{s}: {base}?score={s}")),
                    "{}",
                    r.text
                );
            }
            assert!(!r.html.contains("javascript:"), "only web links");
            assert!(!r.text.contains("6001"), "no parcels: {}", r.text);
            assert!(
                !r.html.contains("https://aftercare.example/t/abc"),
                "no tracking button"
            );
        }
        let en = render(MessageType::Survey, Lang::En, &d, &branding).unwrap();
        assert_eq!(
            en.subject,
            "[Nimbus & Co] How did we handle your return for order 7?"
        );
        assert!(en.html.contains("Very unsatisfied") && en.html.contains("Very satisfied"));
        assert!(en.text.contains("Stop shipping updates and surveys"));
    }

    #[test]
    fn the_staff_digest_lists_each_section_with_links_in_both_languages() {
        let data = json!({
            "date": "2026-12-04",
            "shop": {"name": "Nimbus & Co", "url": "https://nimbus.example", "logo_url": null},
            "late": [{"order_id": 7, "order_number": "A-7", "parcel_id": "shp_1",
                      "code": "carrier_silent", "raised_at": "2026-12-03T01:02:03.000Z",
                      "admin_url": "https://nimbus.example/wp-admin/post.php?post=7&action=edit"}],
            "returns": [{"id": "ret_2", "order_id": 8, "order_number": "8", "status": "requested",
                         "updated_at": "2026-12-03T02:00:00.000Z", "admin_url": null}],
            "failed": [{"id": "msg_3", "type": "shipped", "order_id": 9, "order_number": "9",
                        "reason": "<b>refused</b>", "failed_at": "2026-12-03T03:00:00.000Z",
                        "admin_url": "javascript:alert(1)"}]
        });
        let branding = Branding::default();
        let en = render(MessageType::StaffDigest, Lang::En, &data, &branding).unwrap();
        assert_eq!(
            en.subject,
            "[Nimbus & Co] aftercare daily digest 2026-12-04"
        );
        assert!(
            en.text
                .contains("- Order A-7: the carrier has gone silent (shp_1)"),
            "{}",
            en.text
        );
        assert!(en.text.contains("ret_2 requested: approve or reject"));
        assert!(en.text.contains("msg_3 shipped: <b>refused</b>"));
        assert!(
            en.text
                .contains("https://nimbus.example/wp-admin/post.php?post=7&action=edit")
        );
        assert!(
            en.html.contains(
                "href=\"https://nimbus.example/wp-admin/post.php?post=7&#38;action=edit\""
            )
        );
        assert!(!en.html.contains("<b>refused</b>"), "escaped");
        assert!(!en.html.contains("javascript:"), "only web links");
        let ko = render(MessageType::StaffDigest, Lang::Ko, &data, &branding).unwrap();
        assert_eq!(ko.subject, "[Nimbus & Co] aftercare 일일 요약 2026-12-04");
        assert!(ko.text.contains("택배사 응답 없음"), "{}", ko.text);
        assert!(ko.html.contains("처리 대기 반품"));
        let mut unhappy = data.clone();
        unhappy["surveys"] = json!([{"id": "svy_4", "order_id": 7, "order_number": "A-7",
            "kind": "nps", "source": "delivery", "score": 3, "group": "detractor",
            "topic": "delivery", "comment": "<i>Box crushed</i>",
            "answered_at": "2026-12-03T04:00:00.000Z", "admin_url": null}]);
        let r = render(MessageType::StaffDigest, Lang::En, &unhappy, &branding).unwrap();
        assert!(
            r.text
                .contains("- Order A-7: NPS 3 (detractor) · delivery: “<i>Box crushed</i>”"),
            "{}",
            r.text
        );
        assert!(r.html.contains("Unhappy customers to contact"));
        assert!(!r.html.contains("<i>Box"), "escaped");
        // An empty section is left out.
        let mut only_late = data.clone();
        only_late["returns"] = json!([]);
        let r = render(MessageType::StaffDigest, Lang::En, &only_late, &branding).unwrap();
        assert!(!r.text.contains("Returns waiting"));
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

    #[test]
    fn a_support_reply_quotes_the_staff_answer_as_text() {
        let branding = Branding::default();
        let mut d = data();
        d["support"] = json!({
            "id": "req_3", "topic": "how_to_use", "status": "open",
            "reply": {"id": 9, "author": "Jane", "created_at": "2026-12-01T10:00:00.000Z",
                      "body": "Hold the button <script>alert(1)</script>\nfor 3 s."}
        });
        let en = render(MessageType::SupportReply, Lang::En, &d, &branding).unwrap();
        assert_eq!(en.subject, "[Nimbus & Co] Re: your question about order 7");
        assert!(
            en.text
                .contains("Jane wrote:\n> Hold the button <script>alert(1)</script>\n> for 3 s."),
            "{}",
            en.text
        );
        assert!(!en.html.contains("<script>"), "{}", en.html);
        assert!(
            en.html.contains("&#60;script&#62;") || en.html.contains("&lt;script&gt;"),
            "{}",
            en.html
        );
        assert!(!en.text.contains("6001"), "no parcels: {}", en.text);
        let ko = render(MessageType::SupportReply, Lang::Ko, &d, &branding).unwrap();
        assert!(
            ko.subject.ends_with("주문 7 문의에 대한 답변"),
            "{}",
            ko.subject
        );
        assert!(ko.text.contains("Jane님의 답변:"), "{}", ko.text);
    }

    #[test]
    fn delivered_and_product_guide_messages_show_the_guides_escaped_with_web_links_only() {
        let branding = Branding::default();
        let mut d = data();
        d["delay"] = Value::Null;
        d["guides"] = serde_json::json!([{
            "line_item_id": 201, "product_id": 77, "variation_id": 0,
            "name": "Drone <X1>", "text": "Charge it first.\nThen pair <b>it</b>.",
            "links": [{"title": "Setup video", "url": "https://aftercare.example/g/tok"},
                      {"title": "Bad", "url": "javascript:alert(1)"}]
        }]);
        for kind in [MessageType::Delivered, MessageType::ProductGuide] {
            let r = render(kind, Lang::En, &d, &branding).unwrap();
            assert!(r.text.contains("Getting started"), "{}", r.text);
            assert!(
                r.text
                    .contains("Setup video: https://aftercare.example/g/tok"),
                "{}",
                r.text
            );
            assert!(r.html.contains("href=\"https://aftercare.example/g/tok\""));
            assert!(
                r.html.contains("Drone &#60;X1&#62;") && !r.html.contains("<b>it</b>"),
                "{}",
                r.html
            );
            assert!(!r.html.contains("javascript:") && !r.text.contains("javascript:"));
        }
        let guide = render(MessageType::ProductGuide, Lang::Ko, &d, &branding).unwrap();
        assert_eq!(guide.subject, "[Nimbus & Co] 주문 7 상품 사용 안내");
        assert!(guide.text.contains("상품 사용 안내"));
        assert!(!guide.text.contains("6001"), "no parcels: {}", guide.text);
        let shipped = render(MessageType::Shipped, Lang::En, &d, &branding).unwrap();
        assert!(
            !shipped.text.contains("Setup video"),
            "guides wait for delivery"
        );
    }
}
