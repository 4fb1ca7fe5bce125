//! Renders sample insights charts at desktop, laptop and phone widths into one HTML page, to look
//! at them in a browser: `cargo run --example chart_gallery -- /tmp/charts`.

use aftercare::charts::{Chart, Kind, Series, ValueFormat, render};

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/chart-gallery".into());
    std::fs::create_dir_all(&dir)?;
    let mut page = String::from(
        "<!doctype html><meta charset=utf-8><title>Charts</title>\
         <body style=\"margin:16px;background:#f0f0f1;font-family:sans-serif\">",
    );
    for width in [1280, 720, 360] {
        page.push_str(&format!("<h2>width {width}</h2>"));
        for (name, chart) in samples() {
            let svg = render(&chart, width);
            std::fs::write(format!("{dir}/{name}-{width}.svg"), &svg)?;
            page.push_str(&format!(
                "<p>{name}</p><div style=\"width:{width}px;margin-bottom:16px\">{svg}</div>"
            ));
        }
    }
    std::fs::write(format!("{dir}/index.html"), page)?;
    println!("{dir}/index.html");
    Ok(())
}

fn series(name: &str, values: &[Option<f64>]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
    }
}

fn samples() -> Vec<(&'static str, Chart)> {
    let weeks: Vec<String> = (0..52)
        .map(|w| {
            let day = 5 + 7 * w;
            let (month, day) = (day / 30 % 12, day % 30 + 1);
            let months = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            format!("{} {day}", months[month])
        })
        .collect();
    let nps: Vec<Option<f64>> = (0..52)
        .map(|w| (w % 17 != 9).then(|| (((w as f64) * 0.45).sin() * 45.0 + 20.0).round()))
        .collect();
    let carriers = [
        "CJ Logistics",
        "Hanjin Express",
        "롯데택배",
        "우체국택배 (Korea Post, registered)",
        "Logen",
        "<script>alert(1)</script> & Co",
    ];
    let topics = [
        "Where is my order",
        "Damaged item",
        "Return",
        "Exchange",
        "Invoice",
        "Other",
    ];
    vec![
        (
            "nps-weekly",
            Chart {
                kind: Kind::Line,
                categories: weeks,
                series: vec![series("NPS", &nps)],
                y_label: "NPS (−100…100)".into(),
                y_range: Some((-100.0, 100.0)),
                value_format: ValueFormat::Integer,
                empty_text: "No answers in this range".into(),
                title: "NPS by week".into(),
            },
        ),
        (
            "csat-monthly",
            Chart {
                kind: Kind::Line,
                categories: [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ]
                .map(String::from)
                .to_vec(),
                series: vec![
                    series(
                        "Returns",
                        &[
                            Some(72.0),
                            Some(75.0),
                            Some(70.0),
                            None,
                            Some(81.0),
                            Some(84.0),
                            Some(80.0),
                            Some(78.0),
                            Some(85.0),
                            Some(88.0),
                            Some(86.0),
                            Some(90.0),
                        ],
                    ),
                    series(
                        "Support requests",
                        &[
                            Some(60.0),
                            Some(65.0),
                            Some(68.0),
                            Some(66.0),
                            Some(70.0),
                            Some(75.0),
                            Some(74.0),
                            Some(79.0),
                            Some(77.0),
                            Some(82.0),
                            Some(80.0),
                            Some(83.0),
                        ],
                    ),
                    series(
                        "Deliveries",
                        &[
                            Some(90.0),
                            Some(92.0),
                            Some(88.0),
                            Some(91.0),
                            Some(93.0),
                            Some(90.0),
                            Some(94.0),
                            Some(95.0),
                            Some(93.0),
                            Some(96.0),
                            Some(95.0),
                            Some(97.0),
                        ],
                    ),
                ],
                y_label: "CSAT (% satisfied)".into(),
                y_range: Some((0.0, 100.0)),
                value_format: ValueFormat::Percent,
                empty_text: "No answers in this range".into(),
                title: "CSAT by month and source".into(),
            },
        ),
        (
            "nps-few-weeks",
            Chart {
                kind: Kind::Line,
                categories: ["Nov 2", "Nov 9", "Nov 16", "Nov 23", "Nov 30"]
                    .map(String::from)
                    .to_vec(),
                series: vec![series(
                    "NPS",
                    &[Some(40.0), Some(-12.0), None, Some(55.0), Some(100.0)],
                )],
                y_label: "NPS (−100…100)".into(),
                y_range: Some((-100.0, 100.0)),
                value_format: ValueFormat::Integer,
                empty_text: "No answers in this range".into(),
                title: "NPS by week".into(),
            },
        ),
        (
            "nps-by-carrier",
            Chart {
                kind: Kind::Bars,
                categories: ["CJ Logistics", "Hanjin Express", "Lotte", "Korea Post"]
                    .map(String::from)
                    .to_vec(),
                series: vec![series(
                    "NPS",
                    &[Some(45.0), Some(-20.0), Some(-100.0), Some(0.0)],
                )],
                y_label: "NPS (−100…100)".into(),
                y_range: Some((-100.0, 100.0)),
                value_format: ValueFormat::Integer,
                empty_text: "No answers in this range".into(),
                title: "NPS by carrier".into(),
            },
        ),
        (
            "carrier-times",
            Chart {
                kind: Kind::Bars,
                categories: carriers.iter().map(|c| c.to_string()).collect(),
                series: vec![
                    series(
                        "Median",
                        &[
                            Some(30.5),
                            Some(42.0),
                            Some(28.0),
                            Some(51.0),
                            Some(36.0),
                            Some(70.0),
                        ],
                    ),
                    series(
                        "P90",
                        &[
                            Some(70.0),
                            Some(96.5),
                            None,
                            Some(120.0),
                            Some(80.0),
                            Some(150.0),
                        ],
                    ),
                ],
                y_label: "Hours from shipped to delivered".into(),
                y_range: None,
                value_format: ValueFormat::OneDecimal,
                empty_text: "No parcels delivered in this range".into(),
                title: "Delivery time by carrier".into(),
            },
        ),
        (
            "carrier-rates-ko",
            Chart {
                kind: Kind::Bars,
                categories: [
                    "CJ대한통운",
                    "한진택배",
                    "롯데택배",
                    "우체국택배",
                    "로젠택배",
                    "경동택배",
                ]
                .map(String::from)
                .to_vec(),
                series: vec![
                    series(
                        "지연",
                        &[
                            Some(5.0),
                            Some(12.5),
                            Some(3.2),
                            Some(8.0),
                            Some(0.0),
                            Some(22.0),
                        ],
                    ),
                    series(
                        "예외",
                        &[
                            Some(2.0),
                            Some(1.0),
                            Some(0.5),
                            Some(4.0),
                            Some(0.0),
                            Some(9.5),
                        ],
                    ),
                ],
                y_label: "택배 비율 (%)".into(),
                y_range: Some((0.0, 100.0)),
                value_format: ValueFormat::Percent,
                empty_text: "이 기간에 배송된 택배가 없습니다".into(),
                title: "택배사별 지연·예외 비율".into(),
            },
        ),
        (
            "support-topics",
            Chart {
                kind: Kind::Columns,
                categories: topics.map(String::from).to_vec(),
                series: vec![series(
                    "Requests",
                    &[
                        Some(52.0),
                        Some(11.0),
                        Some(30.0),
                        Some(8.0),
                        Some(3.0),
                        Some(14.0),
                    ],
                )],
                y_label: "Requests".into(),
                y_range: None,
                value_format: ValueFormat::Integer,
                empty_text: "No requests in this range".into(),
                title: "Support requests by topic".into(),
            },
        ),
        (
            "cohorts",
            Chart {
                kind: Kind::Columns,
                categories: [
                    "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
                ]
                .map(String::from)
                .to_vec(),
                series: vec![
                    series(
                        "90 days",
                        &[
                            Some(52000.0),
                            Some(48000.0),
                            Some(61000.0),
                            Some(55000.0),
                            Some(40000.0),
                            None,
                        ],
                    ),
                    series(
                        "365 days",
                        &[
                            Some(91000.0),
                            Some(80000.0),
                            Some(99500.0),
                            None,
                            None,
                            None,
                        ],
                    ),
                    series(
                        "To date",
                        &[
                            Some(120000.0),
                            Some(96000.0),
                            Some(101000.0),
                            Some(70000.0),
                            Some(45000.0),
                            Some(12000.0),
                        ],
                    ),
                ],
                y_label: "Spent per customer (KRW)".into(),
                y_range: None,
                value_format: ValueFormat::Integer,
                empty_text: "No customers in this range".into(),
                title: "Customer value by first-order month".into(),
            },
        ),
        (
            "nps-negative-columns",
            Chart {
                kind: Kind::Columns,
                categories: ["Return", "Support request", "Delivery"]
                    .map(String::from)
                    .to_vec(),
                series: vec![series("NPS", &[Some(-35.0), Some(12.0), Some(-100.0)])],
                y_label: "NPS (−100…100)".into(),
                y_range: Some((-100.0, 100.0)),
                value_format: ValueFormat::Integer,
                empty_text: "No answers in this range".into(),
                title: "NPS by source".into(),
            },
        ),
        (
            "empty",
            Chart {
                kind: Kind::Line,
                categories: vec![],
                series: vec![],
                y_label: "NPS (−100…100)".into(),
                y_range: Some((-100.0, 100.0)),
                value_format: ValueFormat::Integer,
                empty_text: "No answers in this range".into(),
                title: "NPS by week".into(),
            },
        ),
    ]
}
