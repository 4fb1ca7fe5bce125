//! Insights over a constructed data set whose every figure was computed by hand (the
//! comments show the arithmetic). Orders arrive as signed webhooks; surveys, requests,
//! parcels and returns are written into their domains' tables as those domains write them.
//! Every figure is then read through the real router, after the triggers and the fold.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, fixture};

const TOML: &str = "timezone = \"UTC\"\n[support]\nhours = \"09:00-18:00\"\n";
const RANGE: &str = "from=2026-01-01&to=2026-12-31";

/// An order of `customer` (0: the guest) created at `created`.
fn order(
    id: u64,
    customer: u64,
    created: &str,
    status: &str,
    total: &str,
    refund: Option<&str>,
    line: (u64, u64, u64),
) -> Vec<u8> {
    let mut o: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    o["id"] = id.into();
    o["number"] = id.to_string().into();
    o["customer_id"] = customer.into();
    o["billing"]["email"] = if customer == 0 {
        "guest@example.com".into()
    } else {
        format!("c{customer}@example.com").into()
    };
    o["order_key"] = format!("wc_order_insights{id}").into();
    o["status"] = status.into();
    o["total"] = total.into();
    o["date_created_gmt"] = created.into();
    o["date_modified_gmt"] = created.into();
    o["refunds"] = match refund {
        Some(amount) => json!([{"id": 9000 + id, "reason": "", "total": amount}]),
        None => json!([]),
    };
    let (line_id, product, quantity) = line;
    let mut item = o["line_items"][0].clone();
    item["id"] = line_id.into();
    item["product_id"] = product.into();
    item["variation_id"] = 0.into();
    item["quantity"] = quantity.into();
    item["name"] = format!("Product {product}").into();
    o["line_items"] = json!([item]);
    // No parcels from the order's meta: the parcels below are the only ones.
    let meta: Vec<Value> = o["meta_data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["key"] != "_wc_shipment_tracking_items")
        .cloned()
        .collect();
    o["meta_data"] = meta.into();
    serde_json::to_vec(&o).unwrap()
}

async fn orders(app: &TestApp) {
    type Order<'a> = (
        u64,
        u64,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        (u64, u64, u64),
    );
    let list: [Order<'_>; 11] = [
        (
            1,
            1,
            "2026-01-10T10:00:00",
            "completed",
            "100000",
            None,
            (1, 500, 2),
        ),
        (
            2,
            1,
            "2026-02-20T10:00:00",
            "completed",
            "50000",
            Some("-10000"),
            (2, 500, 1),
        ),
        (
            3,
            2,
            "2026-01-15T10:00:00",
            "processing",
            "30000",
            None,
            (3, 600, 1),
        ),
        (
            4,
            3,
            "2026-03-05T10:00:00",
            "cancelled",
            "99999",
            None,
            (4, 500, 5),
        ),
        (
            5,
            1,
            "2026-06-01T10:00:00",
            "completed",
            "20000",
            None,
            (5, 600, 3),
        ),
        (
            6,
            4,
            "2025-12-01T10:00:00",
            "completed",
            "70000",
            None,
            (6, 500, 1),
        ),
        (
            7,
            4,
            "2026-12-20T10:00:00",
            "completed",
            "10000",
            None,
            (7, 600, 1),
        ),
        (
            8,
            0,
            "2026-05-05T10:00:00",
            "refunded",
            "45000",
            Some("-45000"),
            (8, 700, 1),
        ),
        (
            9,
            5,
            "2025-11-15T10:00:00",
            "completed",
            "40000",
            None,
            (9, 700, 2),
        ),
        (
            10,
            5,
            "2026-10-20T10:00:00",
            "completed",
            "25000",
            None,
            (10, 700, 1),
        ),
        (
            11,
            1,
            "2026-12-15T10:00:00",
            "completed",
            "5000",
            None,
            (11, 600, 1),
        ),
    ];
    for (id, customer, created, status, total, refund, line) in list {
        let body = order(id, customer, created, status, total, refund, line);
        let (code, answer) = app.deliver("order.created", &body).await;
        assert_eq!(code, 200, "{answer}");
    }
}

fn surveys(db: &rusqlite::Connection) {
    let add = |kind: &str,
               source: &str,
               state: &str,
               created: &str,
               score: Option<i64>,
               answered: Option<&str>| {
        db.execute(
            "INSERT INTO surveys (store_id, order_id, kind, source, subject, recipient, first_name,
                 state, reason, anchor_at, score, answered_at, changed_at, created_at, updated_at)
             VALUES ('default', 1, ?1, ?2, (SELECT COUNT(*) FROM surveys), 'c1@example.com', 'Jo',
                 ?3, 'due', ?4, ?5, ?6, ?6, ?4, ?4)",
            rusqlite::params![kind, source, state, created, score, answered],
        )
        .unwrap();
    };
    let march = "2026-03-02T10:00:00.000Z";
    let answered = Some("2026-03-03T10:00:00.000Z");
    for score in [10, 9, 9, 7, 3] {
        add("nps", "delivery", "asked", march, Some(score), answered);
    }
    add("nps", "delivery", "asked", march, None, None);
    add("nps", "delivery", "skipped", march, None, None);
    // Sent before the range, answered in it.
    add(
        "nps",
        "delivery",
        "asked",
        "2025-12-28T10:00:00.000Z",
        Some(0),
        Some("2026-01-05T10:00:00.000Z"),
    );
    let april = Some("2026-04-10T10:00:00.000Z");
    for score in [5, 4, 2] {
        add(
            "csat",
            "return",
            "asked",
            "2026-04-09T10:00:00.000Z",
            Some(score),
            april,
        );
    }
    add(
        "csat",
        "request",
        "asked",
        "2026-04-09T10:00:00.000Z",
        Some(5),
        april,
    );
    add(
        "csat",
        "request",
        "asked",
        "2026-04-09T10:00:00.000Z",
        None,
        None,
    );
}

fn requests(db: &rusqlite::Connection) {
    let request = |order: i64, topic: &str, status: &str, opened: &str| -> i64 {
        db.execute(
            "INSERT INTO support_requests (store_id, order_id, customer_id, topic, status,
                 created_at, updated_at)
             VALUES ('default', ?1, 1, ?2, ?3, ?4, ?4)",
            rusqlite::params![order, topic, status, opened],
        )
        .unwrap();
        db.last_insert_rowid()
    };
    let message = |id: i64, author: &str, at: &str| {
        db.execute(
            "INSERT INTO support_messages (request_id, author, body, created_at)
             VALUES (?1, ?2, 'text', ?3)",
            rusqlite::params![id, author, at],
        )
        .unwrap();
    };
    let solved = |id: i64, at: &str| {
        db.execute(
            "INSERT INTO support_events (request_id, kind, to_status, actor, at)
             VALUES (?1, 'solved', 'solved', 'staff', ?2)",
            rusqlite::params![id, at],
        )
        .unwrap();
    };
    // R1 (Monday): reply after 2 h (2 business hours), solved after 24 h (Mon 10–18 and
    // Tue 9–10: 9 business hours).
    let r1 = request(1, "where_is_my_order", "solved", "2026-03-02T10:00:00.000Z");
    message(r1, "customer", "2026-03-02T10:00:00.000Z");
    message(r1, "staff", "2026-03-02T12:00:00.000Z");
    solved(r1, "2026-03-03T10:00:00.000Z");
    // R2 (Friday 17:00): reply Monday 10:00, 65 h (Fri 17–18 and Mon 9–10: 2 business hours).
    let r2 = request(
        2,
        "damaged_or_wrong_item",
        "open",
        "2026-03-06T17:00:00.000Z",
    );
    message(r2, "customer", "2026-03-06T17:00:00.000Z");
    message(r2, "staff", "2026-03-09T10:00:00.000Z");
    // R3 (Tuesday 08:00): reply 08:30 (30 min, 0 business), solved 20:00 (12 h, 9 business).
    let r3 = request(3, "where_is_my_order", "solved", "2026-03-10T08:00:00.000Z");
    message(r3, "customer", "2026-03-10T08:00:00.000Z");
    message(r3, "note", "2026-03-10T08:10:00.000Z");
    message(r3, "staff", "2026-03-10T08:30:00.000Z");
    solved(r3, "2026-03-10T20:00:00.000Z");
    // R4: no reply yet.
    let r4 = request(5, "how_to_use", "open", "2026-03-11T09:00:00.000Z");
    message(r4, "customer", "2026-03-11T09:00:00.000Z");
}

fn impressions(db: &rusqlite::Connection) {
    for (answer, order, day, at) in [
        (1, 1, "2026-03-01", "2026-03-01T09:00:00.000Z"),
        (2, 1, "2026-03-01", "2026-03-01T09:00:00.000Z"),
        (2, 1, "2026-03-02", "2026-03-02T08:00:00.000Z"),
        (1, 3, "2026-03-01", "2026-03-01T10:00:00.000Z"),
    ] {
        db.execute(
            "INSERT INTO answer_impressions (store_id, answer_id, order_id, day, first_shown_at)
             VALUES ('default', ?1, ?2, ?3, ?4)",
            rusqlite::params![answer, order, day, at],
        )
        .unwrap();
    }
}

fn parcels(db: &rusqlite::Connection) {
    let parcel = |order: i64,
                  carrier: &str,
                  number: &str,
                  shipped: &str,
                  status: &str,
                  delivered: Option<&str>,
                  removed: Option<&str>|
     -> i64 {
        db.execute(
            "INSERT INTO shipments (store_id, order_id, source, number_key, carrier, carrier_name,
                 tracking_number, shipped_at, status, delivered_at, removed_at, created_at, updated_at)
             VALUES ('default', ?1, 'api', ?2, ?3, ?3, ?2, ?4, ?5, ?6, ?7, ?4, ?4)",
            rusqlite::params![order, number, carrier, shipped, status, delivered, removed],
        )
        .unwrap();
        db.last_insert_rowid()
    };
    parcel(
        1,
        "cj-logistics",
        "P1",
        "2026-04-01T00:00:00Z",
        "delivered",
        Some("2026-04-02T12:00:00Z"),
        None,
    );
    let late = parcel(
        2,
        "cj-logistics",
        "P2",
        "2026-04-03T00:00:00Z",
        "delivered",
        Some("2026-04-04T00:00:00Z"),
        None,
    );
    db.execute(
        "INSERT INTO delay_alerts (store_id, order_id, shipment_id, code, due_at, raised_at, resolved_at)
         VALUES ('default', 2, ?1, 'eta_passed', '2026-04-03T15:00:00Z', '2026-04-03T15:00:00Z', '2026-04-04T00:00:00Z')",
        [late],
    )
    .unwrap();
    let lost = parcel(
        3,
        "cj-logistics",
        "P3",
        "2026-04-05T00:00:00Z",
        "in_transit",
        None,
        None,
    );
    db.execute(
        "INSERT INTO shipment_events (shipment_id, status, occurred_at, location, description, recorded_at)
         VALUES (?1, 'exception', '2026-04-06T00:00:00Z', '', 'Address unknown', '2026-04-06T00:00:00Z')",
        [lost],
    )
    .unwrap();
    parcel(
        5,
        "hanjin",
        "P4",
        "2026-05-01T00:00:00Z",
        "delivered",
        Some("2026-05-03T00:00:00Z"),
        None,
    );
    parcel(
        7,
        "cj-logistics",
        "P5",
        "2026-05-01T00:00:00Z",
        "delivered",
        Some("2026-05-02T00:00:00Z"),
        Some("2026-05-02T00:00:00Z"),
    );
    parcel(
        6,
        "cj-logistics",
        "P6",
        "2025-12-30T00:00:00Z",
        "delivered",
        Some("2025-12-31T00:00:00Z"),
        None,
    );
}

fn returns(db: &rusqlite::Connection) {
    for (order, line, quantity, reason, status) in [
        (1, 1, 1, "too_small", "refunded"),
        (5, 5, 2, "damaged", "requested"),
        (10, 10, 1, "changed_mind", "rejected"),
        (6, 6, 1, "too_small", "approved"),
    ] {
        db.execute(
            "INSERT INTO returns (store_id, order_id, customer_id, status, resolution, created_at, updated_at)
             VALUES ('default', ?1, 1, ?2, 'refund', '2026-07-01T00:00:00Z', '2026-07-01T00:00:00Z')",
            rusqlite::params![order, status],
        )
        .unwrap();
        let id = db.last_insert_rowid();
        db.execute(
            "INSERT INTO return_items (return_id, line_item_id, quantity, reason) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, line, quantity, reason],
        )
        .unwrap();
    }
}

async fn constructed() -> TestApp {
    let app = TestApp::spawn_with(TOML).await;
    orders(&app).await;
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    surveys(&db);
    requests(&db);
    impressions(&db);
    parcels(&db);
    returns(&db);
    app
}

fn approx(value: &Value, expected: f64) {
    let v = value
        .as_f64()
        .unwrap_or_else(|| panic!("{value} is not a number"));
    assert!((v - expected).abs() < 1e-9, "{v} != {expected}");
}

#[tokio::test]
async fn every_figure_matches_the_hand_computed_answer() {
    let app = constructed().await;
    let (status, i) = app.get(&format!("/api/v1/insights?{RANGE}")).await;
    assert_eq!(status, 200, "{i}");
    assert_eq!(
        (i["from"].as_str(), i["to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    assert_eq!(i["currency"], "KRW");
    assert_eq!(i["pending"], 0);

    // NPS: answers 10 9 9 7 3 and 0 (sent in December, answered in January): 3 promoters,
    // 1 passive, 2 detractors; (3 − 2) ÷ 6 = 16.7. Sent in the range: 6 asked (the skipped
    // one is not sent), 5 of them answered.
    let nps = &i["nps"];
    assert_eq!(
        (
            &nps["promoters"],
            &nps["passives"],
            &nps["detractors"],
            &nps["responses"],
            &nps["sent"]
        ),
        (&json!(3), &json!(1), &json!(2), &json!(6), &json!(6))
    );
    approx(&nps["score"], 16.7);
    approx(&nps["response_rate"], 5.0 / 6.0);
    let weeks = nps["weekly"].as_array().unwrap();
    // 2026-01-01 is a Thursday: weeks from Monday 2025-12-29 to Monday 2026-12-28.
    assert_eq!(weeks.len(), 53);
    assert_eq!(weeks[0]["week"], "2025-12-29");
    let week = |day: &str| weeks.iter().find(|w| w["week"] == day).unwrap();
    assert_eq!(week("2026-01-05")["responses"], 1);
    approx(&week("2026-01-05")["score"], -100.0);
    // Week of 2 March: 10 9 9 7 3 → (3 − 1) ÷ 5 = 40.
    approx(&week("2026-03-02")["score"], 40.0);
    assert!(week("2026-06-01")["score"].is_null());

    // CSAT: returns 5 4 2 → 2 of 3 = 66.7; requests 5 → 100; all 3 of 4 = 75.
    let csat = &i["csat"];
    approx(&csat["score"], 75.0);
    assert_eq!(
        (&csat["satisfied"], &csat["responses"], &csat["sent"]),
        (&json!(3), &json!(4), &json!(5))
    );
    approx(&csat["response_rate"], 0.8);
    let sources = csat["by_source"].as_array().unwrap();
    assert_eq!(sources[0]["source"], "return");
    approx(&sources[0]["score"], 66.7);
    assert_eq!(sources[1]["source"], "request");
    approx(&sources[1]["score"], 100.0);

    // First response: wall 7200, 234000, 1800 → sorted 1800 7200 234000: median (rank 2)
    // 7200, P90 (rank 3) 234000; business 7200 7200 0 → 7200 and 7200. Resolution: wall
    // 86400 and 43200 → median (rank 1) 43200, P90 (rank 2) 86400; business 32400 both.
    let support = &i["support"];
    assert_eq!(
        support["first_response"],
        json!({"median_seconds": 7200, "p90_seconds": 234000, "median_business_seconds": 7200,
               "p90_business_seconds": 7200, "count": 3})
    );
    assert_eq!(
        support["resolution"],
        json!({"median_seconds": 43200, "p90_seconds": 86400, "median_business_seconds": 32400,
               "p90_business_seconds": 32400, "count": 2})
    );
    // The same as the support report over the same days.
    let (status, metrics) = app
        .get("/api/v1/support/metrics?from=2026-01-01&to=2026-12-31")
        .await;
    assert_eq!(status, 200, "{metrics}");
    assert_eq!(metrics["first_response"], support["first_response"]);
    assert_eq!(metrics["resolution"], support["resolution"]);
    assert_eq!(support["volume"]["total"], 4);
    let topic = |name: &str| {
        support["volume"]["by_topic"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["topic"] == name)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(
        (
            topic("where_is_my_order"),
            topic("damaged_or_wrong_item"),
            topic("how_to_use"),
            topic("invoice_and_billing")
        ),
        (json!(2), json!(1), json!(1), json!(0))
    );
    // Shown: answer 1 and 2 on order 1 (twice, counted once), answer 1 on order 3; a request
    // came on order 1 the next day, none on order 3: 2 of 3.
    assert_eq!(support["deflection"]["shown"], 3);
    assert_eq!(support["deflection"]["followed_by_request"], 2);
    approx(&support["deflection"]["rate"], 2.0 / 3.0);

    // Carriers: CJ shipped 3 in the range (P5 was taken off the order, P6 shipped in 2025):
    // delivered in 36 h and 24 h → median 24, P90 36; one late, one exception.
    let carriers = i["carriers"].as_array().unwrap();
    assert_eq!(carriers.len(), 2);
    let cj = &carriers[0];
    assert_eq!(
        (&cj["carrier"], &cj["name"]),
        (&json!("cj-logistics"), &json!("CJ Logistics"))
    );
    assert_eq!(
        (
            &cj["shipments"],
            &cj["delivered"],
            &cj["late"],
            &cj["exceptions"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(1))
    );
    approx(&cj["median_delivery_hours"], 24.0);
    approx(&cj["p90_delivery_hours"], 36.0);
    approx(&cj["late_rate"], 1.0 / 3.0);
    approx(&cj["exception_rate"], 1.0 / 3.0);
    let hanjin = &carriers[1];
    assert_eq!(
        (&hanjin["carrier"], &hanjin["shipments"]),
        (&json!("hanjin"), &json!(1))
    );
    approx(&hanjin["median_delivery_hours"], 48.0);
    approx(&hanjin["late_rate"], 0.0);

    // Returns: sold in 2026 on paid orders: product 500 → 2 + 1 = 3 (the cancelled order's 5
    // do not count); 600 → 1 + 3 + 1 + 1 = 6. Returned: 500 → 1 (rate 1/3); 600 → 2 (2/6).
    // The rejected return and the return of a 2025 order do not count.
    let returns = i["returns"].as_array().unwrap();
    assert_eq!(returns.len(), 2);
    assert_eq!(
        (
            &returns[0]["product_id"],
            &returns[0]["name"],
            &returns[0]["sold"],
            &returns[0]["returned"]
        ),
        (&json!(600), &json!("Product 600"), &json!(6), &json!(2))
    );
    approx(&returns[0]["rate"], 2.0 / 6.0);
    assert_eq!(
        (
            &returns[1]["product_id"],
            &returns[1]["sold"],
            &returns[1]["returned"]
        ),
        (&json!(500), &json!(3), &json!(1))
    );
    approx(&returns[1]["rate"], 1.0 / 3.0);
    let reasons = i["return_reasons"].as_array().unwrap();
    assert_eq!(
        (&reasons[0]["reason"], &reasons[0]["returned"]),
        (&json!("damaged"), &json!(2))
    );
    assert_eq!(
        (&reasons[1]["reason"], &reasons[1]["returned"]),
        (&json!("too_small"), &json!(1))
    );
    approx(&reasons[0]["share"], 2.0 / 3.0);

    // Customers: new in 2026 are 1 (Jan 10), 2 (Jan 15) and the guest (May 5); only 1
    // ordered again: 1/3. Spent to date: 1 → 100000 + (50000 − 10000) + 20000 + 5000 =
    // 165000, 2 → 30000, the guest → 0 (refunded): 195000 ÷ 3 = 65000.
    // Active (90 days) on 1 January: 4 (Dec 1) and 5 (Nov 15) → S = 2; on 1 January 2027:
    // 4 (Dec 20), 5 (Oct 20), 1 (Dec 15) → E = 3; N = 3; (3 − 3) ÷ 2 = 0.
    let c = &i["customers"];
    assert_eq!(
        (&c["new_customers"], &c["repeat_customers"]),
        (&json!(3), &json!(1))
    );
    approx(&c["repeat_rate"], 1.0 / 3.0);
    assert_eq!(
        (
            &c["active_days"],
            &c["active_at_start"],
            &c["active_at_end"]
        ),
        (&json!(90), &json!(2), &json!(3))
    );
    approx(&c["retention"], 0.0);
    assert_eq!(c["historic_value"], "65000");
    assert_eq!(c["customers_to_date"], 5);
    // January's cohort (1 and 2): within 90 days 140000 + 30000, within 365 days 165000 +
    // 30000, per customer; May's (the guest) spent nothing after the refund.
    assert_eq!(
        c["cohorts"],
        json!([
            {"month": "2026-01", "customers": 2, "value_90_days": "85000", "value_365_days": "97500", "value_to_date": "97500"},
            {"month": "2026-05", "customers": 1, "value_90_days": "0", "value_365_days": "0", "value_to_date": "0"}
        ])
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM insight_pending"), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_changed_record_moves_its_figures_and_nothing_else() {
    let app = constructed().await;
    let (_, before) = app.get(&format!("/api/v1/insights?{RANGE}")).await;
    {
        let db = rusqlite::Connection::open(app.db_path()).unwrap();
        // The detractor who answered 3 changes the answer to 10: 4 promoters, 1 detractor.
        db.execute("UPDATE surveys SET score = 10 WHERE score = 3", [])
            .unwrap();
        // The return of two units of product 600 is rejected after all.
        db.execute(
            "UPDATE returns SET status = 'rejected' WHERE order_id = 5",
            [],
        )
        .unwrap();
    }
    // Order 3 (customer 2's only order) is cancelled.
    let body = order(
        3,
        2,
        "2026-01-15T10:00:00",
        "cancelled",
        "30000",
        None,
        (3, 600, 1),
    );
    let (code, answer) = app.deliver("order.updated", &body).await;
    assert_eq!(code, 200, "{answer}");

    let (_, after) = app.get(&format!("/api/v1/insights?{RANGE}")).await;
    approx(&after["nps"]["score"], 50.0);
    assert_eq!(after["nps"]["responses"], 6);
    assert_eq!(after["returns"].as_array().unwrap().len(), 1);
    assert_eq!(after["returns"][0]["product_id"], 500);
    // Customer 2 is no customer any more: 2 new, 1 repeat; 165000 ÷ 2.
    assert_eq!(after["customers"]["new_customers"], 2);
    approx(&after["customers"]["repeat_rate"], 0.5);
    assert_eq!(after["customers"]["historic_value"], "82500");
    // Untouched figures are as they were.
    assert_eq!(after["carriers"], before["carriers"]);
    assert_eq!(after["support"], before["support"]);
    assert_eq!(after["csat"], before["csat"]);
    app.stop().await;
}

#[tokio::test]
async fn a_new_definition_of_active_rebuilds_the_figures() {
    let app = constructed().await;
    let (_, before) = app.get(&format!("/api/v1/insights?{RANGE}")).await;
    assert_eq!(before["customers"]["active_at_start"], 2);
    let app = app
        .restart(&format!("{TOML}[insights]\nactive_days = 30\n"))
        .await;
    // 30 days: on 1 January nobody bought since 2 December → S = 0 and no retention; on
    // 1 January 2027: 4 (Dec 20) and 1 (Dec 15).
    let (status, after) = app.get(&format!("/api/v1/insights?{RANGE}")).await;
    assert_eq!(status, 200, "{after}");
    let c = &after["customers"];
    assert_eq!(
        (
            &c["active_days"],
            &c["active_at_start"],
            &c["active_at_end"]
        ),
        (&json!(30), &json!(0), &json!(2))
    );
    assert!(c["retention"].is_null());
    assert_eq!(after["nps"], before["nps"]);
    app.stop().await;
}

#[tokio::test]
async fn charts_and_tables_come_with_their_type_and_bad_requests_change_nothing() {
    let app = constructed().await;
    for name in [
        "nps-weekly",
        "csat-sources",
        "support-times",
        "support-topics",
        "delivery-times",
        "carrier-rates",
        "return-products",
        "return-reasons",
        "cohorts",
    ] {
        let response = app
            .client
            .get(app.url(&format!(
                "/api/v1/insights/charts/{name}.svg?{RANGE}&width=360&lang=ko"
            )))
            .bearer_auth(crate::helpers::API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(
            response.headers()["content-type"],
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let svg = response.text().await.unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("width=\"360\""),
            "{name}: {svg}"
        );

        let response = app
            .client
            .get(app.url(&format!("/api/v1/insights/{name}.csv?{RANGE}")))
            .bearer_auth(crate::helpers::API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            response.headers()["content-disposition"],
            format!("attachment; filename=\"aftercare-{name}-2026-01-01-2026-12-31.csv\"").as_str()
        );
    }
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/insights/return-products.csv?{RANGE}")))
        .bearer_auth(crate::helpers::API_KEY)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "product_id,name,sold,returned,rate\n600,Product 600,6,2,0.3333\n500,Product 500,3,1,0.3333\n"
    );

    let (status, body) = app.get("/api/v1/insights/charts/pie.svg").await;
    assert_eq!(status, 404);
    assert_error(&body, "chart_not_found");
    let (status, body) = app.get("/api/v1/insights/nps-weekly.xlsx").await;
    assert_eq!(status, 404);
    assert_error(&body, "table_not_found");
    for query in [
        "from=2026-13-01",
        "from=2026-02-01&to=2026-01-01",
        "from=2020-01-01&to=2026-01-01",
        "to=yesterday",
    ] {
        let (status, body) = app.get(&format!("/api/v1/insights?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_error(&body, "validation_failed");
    }
    let (status, body) = app
        .get(&format!(
            "/api/v1/insights/charts/cohorts.svg?{RANGE}&width=10000&lang=fr"
        ))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["error"]["fields"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    let (status, _) = app
        .get_as(&format!("/api/v1/insights?{RANGE}"), "wrong")
        .await;
    assert_eq!(status, 401);
    app.stop().await;
}

const CHARTS: [&str; 9] = [
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

/// Every chart of the constructed data set, in English and Korean, laid out for a desktop
/// (720 px) and a phone (360 px) and drawn by headless Chromium. To refresh the ones in the
/// docs, run with `AFTERCARE_SCREENSHOTS_DIR=docs/screenshots`.
#[tokio::test(flavor = "multi_thread")]
async fn chromium_draws_every_chart_at_desktop_and_phone_width() {
    use crate::tracking::{chromium, screenshot};
    use std::path::{Path, PathBuf};

    let Some(binary) = chromium() else {
        crate::helpers::missing_tool("chromium", "chromium");
        return;
    };
    let app = constructed().await;
    let out: PathBuf = std::env::var_os("AFTERCARE_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("insights-screenshots"));
    std::fs::create_dir_all(&out).unwrap();
    let files = tempfile::tempdir().unwrap();
    for lang in ["en", "ko"] {
        for (page_width, chart_width) in [(1280, 720), (390, 360)] {
            let mut html = String::from(
                "<!doctype html><meta charset=utf-8><body style=\"margin:12px;font-family:sans-serif\">",
            );
            for name in CHARTS {
                let svg = app
                    .client
                    .get(app.url(&format!(
                        "/api/v1/insights/charts/{name}.svg?{RANGE}&width={chart_width}&lang={lang}"
                    )))
                    .bearer_auth(crate::helpers::API_KEY)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(svg.contains("<title>"), "{name}");
                html.push_str(&format!("<h3>{name}</h3>{svg}"));
            }
            let file = files
                .path()
                .join(format!("charts-{lang}-{page_width}.html"));
            std::fs::write(&file, html).unwrap();
            let shot = out.join(format!("insights-charts-{lang}-{page_width}.png"));
            let height = if page_width == 1280 { 2850 } else { 2450 };
            screenshot(
                &binary,
                format!("file://{}", file.display()),
                &shot,
                page_width,
                height,
            )
            .await;
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_keeper_folds_changes_without_being_asked() {
    let app = constructed().await;
    // Nobody has asked for a report: the background keeper folds everything on its own.
    crate::helpers::eventually(
        "the keeper folded every change",
        std::time::Duration::from_secs(20),
        || async {
            app.count("SELECT COUNT(*) FROM insight_pending") == 0
                && app.count(
                    "SELECT COALESCE(SUM(n), 0) FROM insight_counts
                     WHERE measure = 'nps_score' AND grain = 0",
                ) == 6
        },
    )
    .await;
    // The month rows carry the same totals as the day rows.
    assert_eq!(
        app.count(
            "SELECT (SELECT SUM(n) FROM insight_counts WHERE measure = 'sold' AND grain = 0)
                  - (SELECT SUM(n) FROM insight_counts WHERE measure = 'sold' AND grain = 1)"
        ),
        0
    );
    app.stop().await;
}
