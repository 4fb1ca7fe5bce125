//! The chart over each table, drawn by [`crate::charts`] in English or Korean.

use crate::charts::{Chart, Kind, Series, ValueFormat};

use super::report::Insights;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }
}

fn t(lang: Lang, en: &str, ko: &str) -> String {
    match lang {
        Lang::En => en.to_owned(),
        Lang::Ko => ko.to_owned(),
    }
}

fn topic_label(topic: &str, lang: Lang) -> String {
    let (en, ko) = match topic {
        "where_is_my_order" => ("Where is my order", "주문 위치"),
        "damaged_or_wrong_item" => ("Damaged or wrong item", "파손·오배송"),
        "invoice_and_billing" => ("Invoice and billing", "영수증·결제"),
        "return_or_exchange" => ("Return or exchange", "반품·교환"),
        "how_to_use" => ("How to use", "사용 방법"),
        _ => ("Something else", "기타"),
    };
    t(lang, en, ko)
}

fn reason_label(reason: &str, lang: Lang) -> String {
    let (en, ko) = match reason {
        "damaged" => ("Damaged", "파손"),
        "wrong_item" => ("Wrong item", "다른 상품"),
        "not_as_described" => ("Not as described", "설명과 다름"),
        "too_small" => ("Too small", "작음"),
        "too_large" => ("Too large", "큼"),
        "changed_mind" => ("Changed mind", "단순 변심"),
        _ => ("Other", "기타"),
    };
    t(lang, en, ko)
}

fn pct(v: Option<f64>) -> Option<f64> {
    v.map(|r| (r * 1000.0).round() / 10.0)
}

/// Products shown in the returns chart: the most returned.
const TOP_PRODUCTS: usize = 15;

/// The named chart, or `None` for a name that is not one.
pub fn chart(i: &Insights, name: &str, lang: Lang) -> Option<Chart> {
    let no_data = t(lang, "No data in this range", "이 기간에 데이터가 없습니다");
    let chart = match name {
        "nps-weekly" => Chart {
            kind: Kind::Line,
            categories: i
                .nps
                .weekly
                .iter()
                .map(|w| w.week[5..].to_owned())
                .collect(),
            series: vec![Series {
                name: "NPS".into(),
                values: i.nps.weekly.iter().map(|w| w.score).collect(),
            }],
            y_label: t(
                lang,
                "NPS (−100…100), week from Monday",
                "NPS (−100…100), 주(월요일 시작)",
            ),
            y_range: Some((-100.0, 100.0)),
            value_format: ValueFormat::Integer,
            empty_text: t(
                lang,
                "No answers in this range",
                "이 기간에 응답이 없습니다",
            ),
            title: t(lang, "NPS by week", "주별 NPS"),
        },
        "csat-sources" => Chart {
            kind: Kind::Columns,
            categories: i
                .csat
                .by_source
                .iter()
                .map(|s| match s.source.as_str() {
                    "return" => t(lang, "After a return", "반품 후"),
                    _ => t(lang, "After a support request", "문의 해결 후"),
                })
                .collect(),
            series: vec![Series {
                name: "CSAT".into(),
                values: i.csat.by_source.iter().map(|s| s.score).collect(),
            }],
            y_label: t(lang, "CSAT (% answering 4 or 5)", "CSAT (4·5점 응답 %)"),
            y_range: Some((0.0, 100.0)),
            value_format: ValueFormat::Percent,
            empty_text: t(
                lang,
                "No answers in this range",
                "이 기간에 응답이 없습니다",
            ),
            title: t(lang, "CSAT by source", "출처별 CSAT"),
        },
        "support-times" => {
            let s = &i.support;
            let h = |v: Option<i64>| v.map(|s| (s as f64 / 360.0).round() / 10.0);
            Chart {
                kind: Kind::Bars,
                categories: vec![
                    t(lang, "First response", "첫 응답"),
                    t(
                        lang,
                        "First response (business hours)",
                        "첫 응답 (업무 시간)",
                    ),
                    t(lang, "Resolution", "해결"),
                    t(lang, "Resolution (business hours)", "해결 (업무 시간)"),
                ],
                series: vec![
                    Series {
                        name: t(lang, "Median", "중앙값"),
                        values: vec![
                            h(s.first_response.median_seconds),
                            h(s.first_response.median_business_seconds),
                            h(s.resolution.median_seconds),
                            h(s.resolution.median_business_seconds),
                        ],
                    },
                    Series {
                        name: "P90".into(),
                        values: vec![
                            h(s.first_response.p90_seconds),
                            h(s.first_response.p90_business_seconds),
                            h(s.resolution.p90_seconds),
                            h(s.resolution.p90_business_seconds),
                        ],
                    },
                ],
                y_label: t(lang, "Hours", "시간"),
                y_range: None,
                value_format: ValueFormat::OneDecimal,
                empty_text: no_data,
                title: t(
                    lang,
                    "Support response and resolution times",
                    "응답·해결 시간",
                ),
            }
        }
        "support-topics" => Chart {
            kind: Kind::Bars,
            categories: i
                .support
                .volume
                .by_topic
                .iter()
                .map(|v| topic_label(v.topic.as_str(), lang))
                .collect(),
            series: vec![Series {
                name: t(lang, "Requests", "문의"),
                values: i
                    .support
                    .volume
                    .by_topic
                    .iter()
                    .map(|v| Some(v.count as f64))
                    .collect(),
            }],
            y_label: t(lang, "Requests opened", "접수된 문의"),
            y_range: None,
            value_format: ValueFormat::Integer,
            empty_text: no_data,
            title: t(lang, "Requests by topic", "주제별 문의"),
        },
        "delivery-times" => Chart {
            kind: Kind::Bars,
            categories: i.carriers.iter().map(|c| c.name.clone()).collect(),
            series: vec![
                Series {
                    name: t(lang, "Median", "중앙값"),
                    values: i.carriers.iter().map(|c| c.median_delivery_hours).collect(),
                },
                Series {
                    name: "P90".into(),
                    values: i.carriers.iter().map(|c| c.p90_delivery_hours).collect(),
                },
            ],
            y_label: t(
                lang,
                "Hours from shipping to delivery",
                "발송부터 배송 완료까지 시간",
            ),
            y_range: None,
            value_format: ValueFormat::OneDecimal,
            empty_text: no_data,
            title: t(lang, "Delivery time by carrier", "택배사별 배송 시간"),
        },
        "carrier-rates" => Chart {
            kind: Kind::Bars,
            categories: i.carriers.iter().map(|c| c.name.clone()).collect(),
            series: vec![
                Series {
                    name: t(lang, "Late", "지연"),
                    values: i.carriers.iter().map(|c| pct(c.late_rate)).collect(),
                },
                Series {
                    name: t(lang, "Exception", "배송 이상"),
                    values: i.carriers.iter().map(|c| pct(c.exception_rate)).collect(),
                },
            ],
            y_label: t(lang, "% of parcels shipped", "발송 건 대비 %"),
            y_range: None,
            value_format: ValueFormat::Percent,
            empty_text: no_data,
            title: t(
                lang,
                "Late and exception rate by carrier",
                "택배사별 지연·이상 비율",
            ),
        },
        "return-products" => {
            let top = &i.returns[..i.returns.len().min(TOP_PRODUCTS)];
            Chart {
                kind: Kind::Bars,
                categories: top
                    .iter()
                    .map(|p| {
                        p.name
                            .clone()
                            .unwrap_or_else(|| format!("#{}", p.product_id))
                    })
                    .collect(),
                series: vec![Series {
                    name: t(lang, "Return rate", "반품률"),
                    values: top.iter().map(|p| pct(p.rate)).collect(),
                }],
                y_label: t(
                    lang,
                    "% of units sold that came back",
                    "판매 수량 대비 반품 %",
                ),
                y_range: None,
                value_format: ValueFormat::Percent,
                empty_text: no_data,
                title: t(
                    lang,
                    "Return rate of the most returned products",
                    "반품이 많은 상품의 반품률",
                ),
            }
        }
        "return-reasons" => Chart {
            kind: Kind::Bars,
            categories: i
                .return_reasons
                .iter()
                .map(|r| reason_label(&r.reason, lang))
                .collect(),
            series: vec![Series {
                name: t(lang, "Units returned", "반품 수량"),
                values: i
                    .return_reasons
                    .iter()
                    .map(|r| Some(r.returned as f64))
                    .collect(),
            }],
            y_label: t(lang, "Units returned", "반품 수량"),
            y_range: None,
            value_format: ValueFormat::Integer,
            empty_text: no_data,
            title: t(lang, "Returns by reason", "사유별 반품"),
        },
        "cohorts" => {
            let money = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<f64>().ok());
            let currency = i.currency.clone().unwrap_or_default();
            Chart {
                kind: Kind::Columns,
                categories: i
                    .customers
                    .cohorts
                    .iter()
                    .map(|c| c.month.clone())
                    .collect(),
                series: vec![
                    Series {
                        name: t(lang, "Within 90 days", "90일 이내"),
                        values: i
                            .customers
                            .cohorts
                            .iter()
                            .map(|c| money(&c.value_90_days))
                            .collect(),
                    },
                    Series {
                        name: t(lang, "Within 365 days", "365일 이내"),
                        values: i
                            .customers
                            .cohorts
                            .iter()
                            .map(|c| money(&c.value_365_days))
                            .collect(),
                    },
                ],
                y_label: match lang {
                    Lang::En => format!("Spent per customer ({currency}), by first-order month"),
                    Lang::Ko => format!("고객당 구매액 ({currency}), 첫 주문 월별"),
                },
                y_range: None,
                value_format: ValueFormat::OneDecimal,
                empty_text: no_data,
                title: t(
                    lang,
                    "Customer value by first-order month",
                    "첫 주문 월별 고객 가치",
                ),
            }
        }
        _ => return None,
    };
    Some(chart)
}
