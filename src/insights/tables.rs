//! The table under each chart, as rows of text: the page shows them and they download as
//! CSV. Names are the charts' (`nps-weekly`, …).

use super::report::Insights;

pub const NAMES: [&str; 9] = [
    "nps-weekly",
    "csat-sources",
    "support-times",
    "support-topics",
    "delivery-times",
    "carrier-rates",
    "return-products",
    "return-reasons",
    "cohorts",
];

pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn rate(v: Option<f64>) -> String {
    v.map(|r| format!("{r:.4}")).unwrap_or_default()
}

/// The named table, or `None` for a name that is not one.
pub fn table(insights: &Insights, name: &str) -> Option<Table> {
    let i = insights;
    let (headers, rows): (Vec<&'static str>, Vec<Vec<String>>) = match name {
        "nps-weekly" => (
            vec![
                "week",
                "responses",
                "promoters",
                "passives",
                "detractors",
                "nps",
            ],
            i.nps
                .weekly
                .iter()
                .map(|w| {
                    vec![
                        w.week.clone(),
                        w.responses.to_string(),
                        w.promoters.to_string(),
                        w.passives.to_string(),
                        w.detractors.to_string(),
                        opt(w.score),
                    ]
                })
                .collect(),
        ),
        "csat-sources" => (
            vec!["source", "sent", "responses", "satisfied", "csat"],
            i.csat
                .by_source
                .iter()
                .map(|s| {
                    vec![
                        s.source.clone(),
                        s.sent.to_string(),
                        s.responses.to_string(),
                        s.satisfied.to_string(),
                        opt(s.score),
                    ]
                })
                .collect(),
        ),
        "support-times" => (
            vec![
                "measure",
                "clock",
                "median_seconds",
                "p90_seconds",
                "requests",
            ],
            [
                ("first_response", &i.support.first_response),
                ("resolution", &i.support.resolution),
            ]
            .into_iter()
            .flat_map(|(name, s)| {
                [
                    vec![
                        name.to_owned(),
                        "wall".to_owned(),
                        opt(s.median_seconds),
                        opt(s.p90_seconds),
                        s.count.to_string(),
                    ],
                    vec![
                        name.to_owned(),
                        "business".to_owned(),
                        opt(s.median_business_seconds),
                        opt(s.p90_business_seconds),
                        s.count.to_string(),
                    ],
                ]
            })
            .collect(),
        ),
        "support-topics" => (
            vec!["topic", "requests"],
            i.support
                .volume
                .by_topic
                .iter()
                .map(|t| vec![t.topic.as_str().to_owned(), t.count.to_string()])
                .collect(),
        ),
        "delivery-times" => (
            vec![
                "carrier",
                "name",
                "shipments",
                "delivered",
                "median_delivery_hours",
                "p90_delivery_hours",
            ],
            i.carriers
                .iter()
                .map(|c| {
                    vec![
                        c.carrier.clone(),
                        c.name.clone(),
                        c.shipments.to_string(),
                        c.delivered.to_string(),
                        opt(c.median_delivery_hours),
                        opt(c.p90_delivery_hours),
                    ]
                })
                .collect(),
        ),
        "carrier-rates" => (
            vec![
                "carrier",
                "name",
                "shipments",
                "late",
                "late_rate",
                "exceptions",
                "exception_rate",
            ],
            i.carriers
                .iter()
                .map(|c| {
                    vec![
                        c.carrier.clone(),
                        c.name.clone(),
                        c.shipments.to_string(),
                        c.late.to_string(),
                        rate(c.late_rate),
                        c.exceptions.to_string(),
                        rate(c.exception_rate),
                    ]
                })
                .collect(),
        ),
        "return-products" => (
            vec!["product_id", "name", "sold", "returned", "rate"],
            i.returns
                .iter()
                .map(|p| {
                    vec![
                        p.product_id.to_string(),
                        opt(p.name.as_ref()),
                        p.sold.to_string(),
                        p.returned.to_string(),
                        rate(p.rate),
                    ]
                })
                .collect(),
        ),
        "return-reasons" => (
            vec!["reason", "returned", "share"],
            i.return_reasons
                .iter()
                .map(|r| vec![r.reason.clone(), r.returned.to_string(), rate(r.share)])
                .collect(),
        ),
        "cohorts" => (
            vec![
                "first_order_month",
                "customers",
                "value_90_days",
                "value_365_days",
                "value_to_date",
            ],
            i.customers
                .cohorts
                .iter()
                .map(|c| {
                    vec![
                        c.month.clone(),
                        c.customers.to_string(),
                        opt(c.value_90_days.as_ref()),
                        opt(c.value_365_days.as_ref()),
                        opt(c.value_to_date.as_ref()),
                    ]
                })
                .collect(),
        ),
        _ => return None,
    };
    Some(Table { headers, rows })
}

/// A cell a spreadsheet would run as a formula is written as text (`'=…`).
fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err() {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The table as CSV (RFC 4180, a header row first).
pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = out.write_record(&table.headers);
    for row in &table.rows {
        let _ = out.write_record(row.iter().map(|c| cell(c).into_owned()));
    }
    out.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_never_reach_a_spreadsheet() {
        let table = Table {
            headers: vec!["name", "n"],
            rows: vec![
                vec!["=HYPERLINK(\"x\")".into(), "-3".into()],
                vec!["Hoodie, \"XL\"".into(), "4".into()],
            ],
        };
        let text = String::from_utf8(csv(&table)).unwrap();
        assert_eq!(
            text,
            "name,n\n\"'=HYPERLINK(\"\"x\"\")\",-3\n\"Hoodie, \"\"XL\"\"\",4\n"
        );
    }
}
