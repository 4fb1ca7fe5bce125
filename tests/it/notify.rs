//! Customer messages end to end: the real service, a real SQLite file, and a real SMTP
//! server (Debian's python3-aiosmtpd, `smtp_sink.py`) whose stored messages are read back.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aftercare::webhook::signature::sign;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::crash::{free_port, wait_ready};
use crate::helpers::*;

const META: &str = "_wc_shipment_tracking_items";
const FROM: &str = "Nimbus Test Shop <shop@nimbus.example>";

/// The SMTP server of one test; killed when dropped.
pub struct Sink {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
}

/// A Python with aiosmtpd: Debian's, else the one on PATH.
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

impl Sink {
    /// Starts the server on `port`; `None` only when the tool is missing and skipping is allowed.
    pub fn start(port: u16, hold_first: bool) -> Option<Sink> {
        let Some(python) = python() else {
            missing_tool("aiosmtpd (an SMTP server for tests)", "python3-aiosmtpd");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/smtp_sink.py");
        let mut command = Command::new(python);
        command.arg(script).arg(port.to_string()).arg(dir.path());
        if hold_first {
            command.arg("hold-first");
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        Some(Sink { child, dir, port })
    }

    /// Every message received, in arrival order, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.ends_with(".eml").then_some(name)
            })
            .collect();
        names.sort();
        names
            .iter()
            .map(|n| std::fs::read_to_string(self.dir.path().join(n)).unwrap())
            .collect()
    }

    pub async fn wait_for(&self, count: usize) {
        eventually(
            &format!("{count} messages at the SMTP server"),
            Duration::from_secs(20),
            || async { self.messages().len() >= count },
        )
        .await;
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A header's value (continuation lines unfolded), case-insensitive.
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next().unwrap_or(message);
    let head = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn notify_toml(port: u16, quiet_hours: &str) -> String {
    format!(
        "timezone = \"UTC\"\n\
         [notify]\n\
         channel = \"smtp\"\n\
         smtp_url = \"smtp://127.0.0.1:{port}\"\n\
         mail_from = \"{FROM}\"\n\
         quiet_hours = \"{quiet_hours}\"\n"
    )
}

/// The registered KRW order as order `id` with `status`, parcels only from the API.
fn order(id: u64, status: &str) -> Vec<u8> {
    let mut order: Value = serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap();
    order["id"] = id.into();
    order["number"] = id.to_string().into();
    order["status"] = status.into();
    order["meta_data"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["key"] != META);
    serde_json::to_vec(&order).unwrap()
}

fn ago(minutes: i64) -> String {
    (Timestamp::now() - SignedDuration::from_mins(minutes))
        .round(jiff::Unit::Second)
        .unwrap()
        .to_string()
}

async fn ship(app: &TestApp, order_id: u64, number: &str, shipped_minutes_ago: i64) -> u64 {
    ship_items(app, order_id, number, shipped_minutes_ago, json!([])).await
}

/// A parcel carrying `items` (`[]`: the whole order).
async fn ship_items(
    app: &TestApp,
    order_id: u64,
    number: &str,
    shipped_minutes_ago: i64,
    items: Value,
) -> u64 {
    let mut request = json!({"carrier": "cj-logistics", "tracking_number": number,
                             "shipped_at": ago(shipped_minutes_ago)});
    if items != json!([]) {
        request["items"] = items;
    }
    let (status, body) = app
        .post_json(&format!("/api/v1/orders/{order_id}/shipments"), &request)
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_u64().unwrap()
}

async fn event(app: &TestApp, shipment: u64, status: &str, occurred_at: &str) {
    let (code, body) = app
        .post_json(
            &format!("/api/v1/shipments/{shipment}/events"),
            &json!({"status": status, "occurred_at": occurred_at}),
        )
        .await;
    assert!(code == 201 || code == 200, "{code} {body}");
}

async fn messages_of(app: &TestApp, order_id: u64) -> Vec<Value> {
    let (status, view) = app
        .get(&format!("/api/v1/customers/42/orders/{order_id}"))
        .await;
    assert_eq!(status, 200, "{view}");
    view["messages"].as_array().unwrap().clone()
}

async fn deliver_ok(app: &TestApp, topic: &str, body: &[u8]) {
    let (status, answer) = app.deliver(topic, body).await;
    assert_eq!(status, 200, "{answer}");
}

/// Makes the outbox's waiting jobs and messages due now, as if that much time had passed.
fn time_passes(app: &TestApp) {
    let c = rusqlite::Connection::open(app.db_path()).unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.execute_batch(
        "UPDATE jobs SET run_after = '2000-01-01T00:00:00.000Z' WHERE done_at IS NULL;
         UPDATE messages SET due_at = '2000-01-01T00:00:00.000Z'
          WHERE state IN ('pending', 'deferred', 'failed');",
    )
    .unwrap();
}

fn types(sink: &Sink) -> Vec<String> {
    sink.messages()
        .iter()
        .map(|m| header(m, "X-Aftercare-Message").unwrap())
        .collect()
}

#[tokio::test]
async fn one_message_per_event_under_duplicate_late_and_repeated_pushes() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&notify_toml(sink.port, "off")).await;
    let body = order(1001, "processing");
    deliver_ok(&app, "order.created", &body).await;
    deliver_ok(&app, "order.created", &body).await; // WooCommerce delivers twice

    let parcel = ship(&app, 1001, "6001-0000-0001", 60).await;
    app.run_jobs_until_idle().await;
    sink.wait_for(1).await;
    let (t50, t40, t20, t10) = (ago(50), ago(40), ago(20), ago(10));
    // In transit, pushed twice by the carrier: still the one "shipped" message.
    event(&app, parcel, "in_transit", &t50).await;
    event(&app, parcel, "in_transit", &t50).await;
    event(&app, parcel, "out_for_delivery", &t20).await;
    app.run_jobs_until_idle().await;
    event(&app, parcel, "delivered", &t10).await;
    // A late arrival of an older scan, and a repeat: history, not news.
    event(&app, parcel, "in_transit", &t40).await;
    event(&app, parcel, "out_for_delivery", &t20).await;
    deliver_ok(&app, "order.updated", &body).await;
    app.run_jobs_until_idle().await;

    assert_eq!(types(&sink), ["shipped", "out_for_delivery", "delivered"]);
    let mut ids = Vec::new();
    for m in sink.messages() {
        assert_eq!(header(&m, "X-Aftercare-Order").as_deref(), Some("1001"));
        let from = header(&m, "From").unwrap();
        assert!(from.contains("Nimbus Test Shop") && from.contains("<shop@nimbus.example>"));
        assert!(header(&m, "To").unwrap().contains("minji.kim@example.com"));
        let unsubscribe = header(&m, "List-Unsubscribe").unwrap();
        assert!(
            unsubscribe.starts_with(&format!("<http://{}/unsubscribe/", app.addr)),
            "{unsubscribe}"
        );
        assert_eq!(
            header(&m, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(
            header(&m, "Content-Type")
                .unwrap()
                .starts_with("multipart/alternative")
        );
        assert!(m.contains("text/plain") && m.contains("text/html"));
        let id = header(&m, "Message-ID").unwrap();
        assert!(
            id.starts_with("<msg_") && id.ends_with(".default@nimbus.example>"),
            "{id}"
        );
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "each message its own Message-ID");
    let subject = header(&sink.messages()[0], "Subject").unwrap();
    assert_eq!(subject, "[Nimbus Test Shop] Order 1001 has shipped");

    // The staff's order view shows each decision.
    let decided = messages_of(&app, 1001).await;
    let summary: Vec<(&str, &str)> = decided
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("shipped", "sent"),
            ("out_for_delivery", "sent"),
            ("delivered", "sent")
        ]
    );
    assert_eq!(decided[0]["channel"], "smtp");
    assert!(decided[0]["id"].as_str().unwrap().starts_with("msg_"));
    app.stop().await;
}

#[tokio::test]
async fn delivered_waits_for_the_last_parcel() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&notify_toml(sink.port, "off")).await;
    deliver_ok(&app, "order.created", &order(1101, "processing")).await;
    let a = ship_items(
        &app,
        1101,
        "6001-0000-0011",
        60,
        json!([{"line_item_id": 201, "quantity": 1}, {"line_item_id": 202, "quantity": 2}]),
    )
    .await;
    let b = ship_items(
        &app,
        1101,
        "6001-0000-0012",
        60,
        json!([{"line_item_id": 203, "quantity": 1}]),
    )
    .await;
    app.run_jobs_until_idle().await;
    event(&app, a, "delivered", &ago(30)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(
        types(&sink),
        ["shipped", "shipped"],
        "one parcel of two arrived"
    );
    event(&app, b, "delivered", &ago(5)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(types(&sink), ["shipped", "shipped", "delivered"]);
    app.stop().await;
}

#[tokio::test]
async fn nothing_for_cancelled_or_trashed_orders_or_stale_events_and_quiet_hours_defer() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    // Quiet hours around now (in the shop's zone, UTC): status updates wait.
    let now = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let hour = now.hour();
    let window = format!("{:02}:00-{:02}:00", (hour + 23) % 24, (hour + 2) % 24);
    let app = TestApp::spawn_with(&notify_toml(sink.port, &window)).await;

    deliver_ok(&app, "order.created", &order(2001, "cancelled")).await;
    deliver_ok(&app, "order.created", &order(2002, "processing")).await;
    deliver_ok(&app, "order.created", &order(2003, "processing")).await;
    deliver_ok(&app, "order.created", &order(2004, "processing")).await;
    ship(&app, 2001, "6001-0000-0021", 30).await;
    ship(&app, 2002, "6001-0000-0022", 30).await;
    ship(&app, 2003, "6001-0000-0023", 30).await;
    // Shipped six days ago, delivered five days ago: only now learnt of, history.
    let old = ship(&app, 2004, "6001-0000-0024", 6 * 24 * 60).await;
    event(&app, old, "delivered", &ago(5 * 24 * 60)).await;
    app.run_jobs_until_idle().await;

    let first = |m: Vec<Value>| m.into_iter().next().expect("a decision");
    let cancelled = first(messages_of(&app, 2001).await);
    assert_eq!(cancelled["state"], "skipped");
    assert_eq!(cancelled["reason"], "the order is cancelled");
    let stale = messages_of(&app, 2004).await;
    assert!(!stale.is_empty());
    assert!(
        stale
            .iter()
            .all(|m| m["state"] == "skipped" && m["reason"].as_str().unwrap().starts_with("stale")),
        "{stale:?}"
    );
    let waiting = first(messages_of(&app, 2003).await);
    assert_eq!(waiting["state"], "deferred");
    assert!(
        waiting["reason"]
            .as_str()
            .unwrap()
            .starts_with("quiet hours until")
    );
    let end = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let due: Timestamp = waiting["due_at"].as_str().unwrap().parse().unwrap();
    assert!(
        due > end.timestamp() && due.as_second() % 3600 == 0,
        "{due}"
    );
    assert!(
        sink.messages().is_empty(),
        "nothing goes during quiet hours"
    );

    // The order is trashed while its message waits; then the night passes.
    deliver_ok(&app, "order.deleted", br#"{"id":2002}"#).await;
    time_passes(&app);
    app.run_jobs_until_idle().await;
    assert_eq!(types(&sink), ["shipped"]);
    assert_eq!(
        header(&sink.messages()[0], "X-Aftercare-Order").as_deref(),
        Some("2003")
    );
    let trashed = app
        .db()
        .query_row(
            "SELECT state, reason FROM messages WHERE order_id = 2002",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .unwrap();
    assert_eq!(
        trashed,
        (
            "skipped".into(),
            "the order was trashed before sending".into()
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn unsubscribe_stops_the_class_at_once() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&notify_toml(sink.port, "off")).await;
    deliver_ok(&app, "order.created", &order(4001, "processing")).await;
    let parcel = ship(&app, 4001, "6001-0000-0041", 30).await;
    app.run_jobs_until_idle().await;
    sink.wait_for(1).await;
    let link = header(&sink.messages()[0], "List-Unsubscribe").unwrap();
    let url = link.trim_matches(['<', '>']).to_owned();

    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert!(html.contains("m…@example.com"), "the address is masked");
    assert!(!html.contains("minji.kim@example.com"));
    let korean = app.text(format!("{url}?lang=ko")).await;
    assert!(korean.contains("수신 거부"), "{korean}");

    // The mail client's one-click POST (RFC 8058).
    let done = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("You are unsubscribed"));

    event(&app, parcel, "out_for_delivery", &ago(5)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(types(&sink), ["shipped"]);
    let decided = messages_of(&app, 4001).await;
    assert_eq!(decided[1]["state"], "skipped");
    assert_eq!(
        decided[1]["reason"],
        "the customer unsubscribed from status_update"
    );
    let missing = app
        .client
        .get(app.url("/unsubscribe/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn my_account_lists_the_same_unsubscribe_page_per_address_and_class() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let app = TestApp::spawn_with(&notify_toml(sink.port, "off")).await;
    let path = "/api/v1/customers/42/email-preferences";
    let (status, empty) = app.get(path).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty, json!({"preferences": []}), "no orders, no addresses");

    deliver_ok(&app, "order.created", &order(4101, "processing")).await;
    // Before any message: the page already answers for the link.
    let (status, listed) = app.get(path).await;
    assert_eq!(status, 200, "{listed}");
    let preferences = listed["preferences"].as_array().unwrap();
    assert_eq!(preferences.len(), 1, "{listed}");
    assert_eq!(preferences[0]["email"], "minji.kim@example.com");
    assert_eq!(preferences[0]["class"], "status_update");
    assert_eq!(preferences[0]["subscribed"], true);
    let url = preferences[0]["unsubscribe_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.starts_with(&format!("http://{}/unsubscribe/", app.addr)),
        "{url}"
    );
    let page = app.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);

    // The message carries the very same link.
    let parcel = ship(&app, 4101, "6001-0000-0141", 30).await;
    app.run_jobs_until_idle().await;
    sink.wait_for(1).await;
    let link = header(&sink.messages()[0], "List-Unsubscribe").unwrap();
    assert_eq!(link, format!("<{url}>"));

    let done = app.client.post(&url).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let (_, after) = app.get(path).await;
    assert_eq!(after["preferences"][0]["subscribed"], false, "{after}");
    assert_eq!(after["preferences"][0]["unsubscribe_url"], url.as_str());
    event(&app, parcel, "out_for_delivery", &ago(5)).await;
    app.run_jobs_until_idle().await;
    assert_eq!(types(&sink), ["shipped"], "honoured at once");

    // Guests have none; another store's key sees none of this store's customers.
    let (status, guest) = app.get("/api/v1/customers/0/email-preferences").await;
    assert_eq!(status, 200);
    assert_eq!(guest, json!({"preferences": []}));
    let (status, other) = app.get_as(path, SECOND_API_KEY).await;
    assert_eq!(status, 200);
    assert_eq!(other, json!({"preferences": []}));
    let (status, bad) = app.get("/api/v1/customers/x/email-preferences").await;
    assert_eq!(status, 400, "{bad}");
    let anonymous = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn each_customer_is_written_to_in_the_language_recorded_on_their_order() {
    use crate::notify_digest::plain_text;

    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    // A Korean shop: orders without a recorded locale are written to in Korean.
    let toml = format!(
        "{}[tracking]\ndefault_language = \"ko\"\n",
        notify_toml(sink.port, "off")
    );
    let app = TestApp::spawn_with(&toml).await;
    let with_locale = |id: u64, locale: Option<&str>| {
        let mut body: Value = serde_json::from_slice(&order(id, "processing")).unwrap();
        if let Some(locale) = locale {
            // As the plugin records it at checkout (WC_Order meta, HPOS or not).
            body["meta_data"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": 9901, "key": "_aftercare_locale", "value": locale}));
        }
        serde_json::to_vec(&body).unwrap()
    };
    deliver_ok(&app, "order.created", &with_locale(4201, Some("en_US"))).await;
    deliver_ok(&app, "order.created", &with_locale(4202, None)).await;
    deliver_ok(&app, "order.created", &with_locale(4203, Some("fr_FR"))).await;
    ship(&app, 4201, "6001-0000-0421", 30).await;
    app.run_jobs_until_idle().await;
    ship(&app, 4202, "6001-0000-0422", 30).await;
    app.run_jobs_until_idle().await;
    ship(&app, 4203, "6001-0000-0423", 30).await;
    app.run_jobs_until_idle().await;
    eventually(
        "three shipped messages",
        Duration::from_secs(20),
        || async { types(&sink).iter().filter(|t| *t == "shipped").count() == 3 },
    )
    .await;

    let by_order = |id: &str| {
        sink.messages()
            .into_iter()
            .find(|m| {
                header(m, "X-Aftercare-Order").as_deref() == Some(id)
                    && header(m, "X-Aftercare-Message").as_deref() == Some("shipped")
            })
            .unwrap_or_else(|| panic!("the shipped message of order {id}"))
    };
    let english = by_order("4201");
    assert_eq!(
        header(&english, "Subject").as_deref(),
        Some("[Nimbus Test Shop] Order 4201 has shipped")
    );
    assert!(plain_text(&english).contains("Your order is on its way"));
    for id in ["4202", "4203"] {
        let korean = plain_text(&by_order(id));
        assert!(
            korean.contains("주문하신 상품이 발송되었습니다"),
            "order {id}: the shop's language:\n{korean}"
        );
    }
    for (id, locale) in [(4201, "en_US"), (4202, "ko_KR"), (4203, "ko_KR")] {
        for message in messages_of(&app, id).await {
            assert_eq!(message["locale"], locale, "order {id}: {message}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn smtp_down_is_retried_then_sent_once() {
    let port = free_port();
    if python().is_none() {
        missing_tool("aiosmtpd (an SMTP server for tests)", "python3-aiosmtpd");
        return;
    }
    let app = TestApp::spawn_with(&notify_toml(port, "off")).await;
    deliver_ok(&app, "order.created", &order(3001, "processing")).await;
    ship(&app, 3001, "6001-0000-0031", 30).await;
    app.run_jobs_until_idle().await;
    let failed = messages_of(&app, 3001).await;
    assert_eq!(failed[0]["state"], "failed");
    assert_eq!(failed[0]["attempts"], 1);
    assert_eq!(
        failed[0]["reason"],
        "the mail server could not be reached; will retry"
    );

    // The server comes back; the retry's time comes.
    let sink = Sink::start(port, false).unwrap();
    time_passes(&app);
    app.run_jobs_until_idle().await;
    assert_eq!(types(&sink), ["shipped"]);
    let sent = messages_of(&app, 3001).await;
    assert_eq!(
        (&sent[0]["state"], &sent[0]["attempts"]),
        (&json!("sent"), &json!(2))
    );
    time_passes(&app);
    app.run_jobs_until_idle().await;
    assert_eq!(sink.messages().len(), 1, "sent once");
    app.stop().await;
}

#[tokio::test]
async fn wordpress_channel_leases_due_messages_and_takes_reports() {
    let app = TestApp::spawn_with("timezone = \"UTC\"\n[notify]\nquiet_hours = \"off\"\n").await;
    deliver_ok(&app, "order.created", &order(5001, "processing")).await;
    ship(&app, 5001, "6001-0000-0051", 30).await;
    app.run_jobs_until_idle().await;

    let (status, due) = app.get("/api/v1/messages/due").await;
    assert_eq!(status, 200, "{due}");
    let listed = due["messages"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{due}");
    let m = &listed[0];
    let id = m["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("msg_"));
    assert_eq!(m["type"], "shipped");
    assert_eq!(m["order_id"], 5001);
    assert_eq!(m["locale"], "en_US");
    assert_eq!(m["to"]["email"], "minji.kim@example.com");
    assert_eq!(m["data"]["order"]["number"], "5001");
    assert_eq!(m["data"]["parcel"]["number"], "6001-0000-0051");
    assert_eq!(m["data"]["delay"], Value::Null);
    assert!(
        m["data"]["unsubscribe_url"]
            .as_str()
            .unwrap()
            .contains("/unsubscribe/")
    );
    assert!(m["data"]["tracking_url"].as_str().unwrap().contains("/t/"));
    // Leased: not listed again, and never to another store.
    let (_, again) = app.get("/api/v1/messages/due").await;
    assert_eq!(again["messages"], json!([]));
    let (_, other) = app.get_as("/api/v1/messages/due", SECOND_API_KEY).await;
    assert_eq!(other["messages"], json!([]));
    let (status, body) = app.get("/api/v1/messages/due?limit=0").await;
    assert_eq!(status, 422);
    assert_error(&body, "validation_failed");

    let result = format!("/api/v1/messages/{id}/result");
    let report = |outcome: &str| json!({"outcome": outcome, "detail": "wp_mail returned false"});
    let (status, body) = app
        .post_json_as(&result, &report("sent"), SECOND_API_KEY)
        .await;
    assert_eq!(status, 404);
    assert_error(&body, "not_found");
    for unknown in ["msg_999999", "999", "msg_x"] {
        let (status, _) = app
            .post_json(
                &format!("/api/v1/messages/{unknown}/result"),
                &report("sent"),
            )
            .await;
        assert_eq!(status, 404, "{unknown}");
    }
    let (status, body) = app.post_json(&result, &report("bounced")).await;
    assert_eq!(status, 422);
    assert_error(&body, "validation_failed");
    let long = json!({"outcome": "failed", "detail": "x".repeat(501)});
    assert_eq!(app.post_json(&result, &long).await.0, 422);

    let (status, body) = app.post_json(&result, &report("failed")).await;
    assert_eq!(
        (status, &body),
        (200, &json!({"id": id, "state": "failed"}))
    );
    let (status, _) = app.post_json(&result, &report("failed")).await;
    assert_eq!(status, 200, "the same report again");
    let decided = messages_of(&app, 5001).await;
    assert_eq!(decided[0]["attempts"], 1, "counted once");
    // Retried after a backoff: listed again once it is due.
    time_passes(&app);
    let (_, due) = app.get("/api/v1/messages/due").await;
    assert_eq!(due["messages"][0]["id"], id.as_str());

    let (status, body) = app.post_json(&result, &report("sent")).await;
    assert_eq!((status, &body["state"]), (200, &json!("sent")));
    assert_eq!(app.post_json(&result, &report("sent")).await.0, 200);
    let (status, body) = app.post_json(&result, &report("disabled")).await;
    assert_eq!(status, 409);
    assert_error(&body, "conflict");
    let (_, due) = app.get("/api/v1/messages/due").await;
    assert_eq!(due["messages"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn a_kill_between_send_and_record_resends_once_with_the_same_message_id() {
    let Some(sink) = Sink::start(free_port(), true) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let start = |port: u16| {
        Command::new(env!("CARGO_BIN_EXE_aftercare"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data.path())
            .env("AFTERCARE_WEBHOOK_SECRET", SECRET)
            .env("AFTERCARE_API_KEY", API_KEY)
            .env("AFTERCARE_TIMEZONE", "UTC")
            .env("AFTERCARE_NOTIFY_CHANNEL", "smtp")
            .env(
                "AFTERCARE_SMTP_URL",
                format!("smtp://127.0.0.1:{}", sink.port),
            )
            .env("AFTERCARE_MAIL_FROM", FROM)
            .env("AFTERCARE_QUIET_HOURS", "off")
            .env("AFTERCARE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the aftercare binary")
    };
    let client = reqwest::Client::new();
    let port = free_port();
    let mut child = start(port);
    wait_ready(&client, port).await;
    let body = order(6001, "processing");
    let delivered = client
        .post(format!("http://127.0.0.1:{port}/webhooks/woocommerce"))
        .header("x-wc-webhook-topic", "order.created")
        .header("x-wc-webhook-signature", sign(&body, SECRET))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(delivered.status(), 200);
    let shipped = client
        .post(format!(
            "http://127.0.0.1:{port}/api/v1/orders/6001/shipments"
        ))
        .bearer_auth(API_KEY)
        .json(
            &json!({"carrier": "cj-logistics", "tracking_number": "6001-0000-0061",
                      "shipped_at": ago(30)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(shipped.status(), 201);

    // The server has the message but its "250" never reaches aftercare: kill -9 now.
    sink.wait_for(1).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let db = data.path().join("aftercare.sqlite3");
    let state = |db: &std::path::Path| -> String {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT state FROM messages", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(state(&db), "sending", "claimed, not recorded");

    let port = free_port();
    let mut child = start(port);
    wait_ready(&client, port).await;
    sink.wait_for(2).await;
    eventually(
        "the resend to be recorded",
        Duration::from_secs(20),
        || async { state(&db) == "sent" },
    )
    .await;
    child.kill().unwrap();
    child.wait().unwrap();

    // The documented side of the race: nothing lost, at most one extra copy, recognisably
    // the same message.
    let copies = sink.messages();
    assert_eq!(copies.len(), 2);
    assert_eq!(
        header(&copies[0], "Message-ID"),
        header(&copies[1], "Message-ID")
    );
    let open: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'send_message' AND done_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(open, 0, "nothing left to send again");
}

#[tokio::test]
async fn an_order_confirmation_is_off_unless_switched_on_and_a_receipt_ignores_quiet_hours() {
    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let hour = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).hour();
    let window = format!("{:02}:00-{:02}:00", (hour + 23) % 24, (hour + 2) % 24);
    let toml = format!(
        "{}order_confirmation = true\n",
        notify_toml(sink.port, &window)
    );
    let app = TestApp::spawn_with(&toml).await;
    let mut placed: Value = serde_json::from_slice(&order(7001, "processing")).unwrap();
    placed["date_created_gmt"] = ago(10).trim_end_matches('Z').into();
    placed["date_paid_gmt"] = ago(9).trim_end_matches('Z').into();
    deliver_ok(&app, "order.created", &serde_json::to_vec(&placed).unwrap()).await;
    deliver_ok(&app, "order.updated", &serde_json::to_vec(&placed).unwrap()).await;
    // Bought long ago, mirrored only now (a backfill): history.
    deliver_ok(&app, "order.created", &order(7002, "processing")).await;
    app.run_jobs_until_idle().await;

    assert_eq!(types(&sink), ["order_confirmation"], "in quiet hours too");
    let receipt = &sink.messages()[0];
    assert_eq!(
        header(receipt, "X-Aftercare-Order").as_deref(),
        Some("7001")
    );
    assert_eq!(header(receipt, "List-Unsubscribe"), None, "transactional");
    let old = messages_of(&app, 7002).await;
    assert_eq!(old[0]["state"], "skipped");
    app.stop().await;
}

#[tokio::test]
async fn a_return_requested_approved_received_and_refunded_mails_each_step_once() {
    use crate::fake_woo::{API, FakeWoo};
    use crate::notify_digest::plain_text;
    use crate::returns::{Refunds, wait_for};
    use wiremock::Mock;
    use wiremock::matchers::path;

    let Some(sink) = Sink::start(free_port(), false) else {
        return;
    };
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    Mock::given(path(format!("{API}/orders/5701/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    // Quiet hours around now: a return's news is transactional and does not wait for them.
    let hour = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).hour();
    let window = format!("{:02}:00-{:02}:00", (hour + 23) % 24, (hour + 2) % 24);
    // The notify keys first: the WooCommerce helper's config ends inside a table.
    let app = TestApp::spawn_with(&format!(
        "{}[sync]\nreconcile_interval_seconds = 0\nfull_sweep_interval_seconds = 0\n\
         webhook_check_interval_seconds = 0\n[woocommerce]\ntimeout_seconds = 5\n{}",
        notify_toml(sink.port, &window),
        woo.config_toml()
    ))
    .await;

    let mut done: Value = serde_json::from_slice(&order(5701, "completed")).unwrap();
    done["refunds"] = json!([]);
    done["date_completed_gmt"] = ago(60 * 24).trim_end_matches('Z').into();
    done["date_modified_gmt"] = ago(60 * 24).trim_end_matches('Z').into();
    deliver_ok(&app, "order.updated", &serde_json::to_vec(&done).unwrap()).await;
    let (status, created) = app
        .post_json(
            "/api/v1/customers/42/orders/5701/returns",
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "too_small"}],
                    "resolution": "refund", "comment": "Too small."}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].clone();
    app.run_jobs_until_idle().await;
    assert!(
        sink.messages().is_empty(),
        "a request is the customer's own act: no message"
    );

    let moves = [
        ("approved", Some("Please use the prepaid label.")),
        ("received", None),
        ("refunded", Some("Refunded to card")),
    ];
    for (to, note) in moves {
        let (status, moved) = app
            .post_json(
                &format!("/api/v1/returns/{id}/transitions"),
                &json!({"to": to, "note": note}),
            )
            .await;
        assert_eq!(status, 200, "{to}: {moved}");
        app.run_jobs_until_idle().await;
        // The same move again is refused and mails nothing more.
        let (status, _) = app
            .post_json(
                &format!("/api/v1/returns/{id}/transitions"),
                &json!({"to": to}),
            )
            .await;
        assert_eq!(status, 409, "{to} twice");
    }
    wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    deliver_ok(&app, "order.updated", &serde_json::to_vec(&done).unwrap()).await;
    app.run_jobs_until_idle().await;
    sink.wait_for(3).await;

    let messages = sink.messages();
    assert_eq!(types(&sink), ["return_update"; 3], "one message per step");
    let expected = [
        "Your return was approved.",
        "We received your returned items.",
        "Your refund is on its way.",
    ];
    for (m, line) in messages.iter().zip(expected) {
        assert_eq!(header(m, "X-Aftercare-Order").as_deref(), Some("5701"));
        assert!(header(m, "To").unwrap().contains("minji.kim@example.com"));
        assert_eq!(
            header(m, "Subject").as_deref(),
            Some("[Nimbus Test Shop] Your return for order 5701")
        );
        // Transactional (docs/notifications.md): no way to unsubscribe from it.
        assert_eq!(header(m, "List-Unsubscribe"), None, "{m}");
        assert_eq!(header(m, "List-Unsubscribe-Post"), None);
        let text = plain_text(m);
        assert!(text.contains(line), "{line} in:\n{text}");
        assert!(!text.contains("/unsubscribe/"), "{text}");
    }
    assert!(plain_text(&messages[0]).contains("Please use the prepaid label."));
    assert!(plain_text(&messages[2]).contains("Refunded to card"));
    assert_eq!(refunds.created.lock().unwrap().len(), 1);

    let decided = messages_of(&app, 5701).await;
    let summary: Vec<(&str, &str)> = decided
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["state"].as_str().unwrap()))
        .collect();
    assert_eq!(summary, [("return_update", "sent"); 3]);
    app.stop().await;
}

/// A return of order `order_id` approved and received (two messages sent), with a fake
/// WooCommerce whose refunds answer through `refunds` unless a `failing` mock takes the POST.
async fn a_received_return(
    order_id: u64,
    failing: wiremock::Mock,
) -> Option<(
    Sink,
    crate::fake_woo::FakeWoo,
    crate::returns::Refunds,
    TestApp,
    Value,
)> {
    use crate::fake_woo::{API, FakeWoo};
    use crate::returns::Refunds;
    use wiremock::Mock;
    use wiremock::matchers::path;

    let sink = Sink::start(free_port(), false)?;
    let woo = FakeWoo::start().await;
    let refunds = Refunds::default();
    failing.mount(&woo.server).await;
    Mock::given(path(format!("{API}/orders/{order_id}/refunds")))
        .and(woo.signed())
        .respond_with(refunds.clone())
        .mount(&woo.server)
        .await;
    let app = TestApp::spawn_with(&format!(
        "{}[sync]\nreconcile_interval_seconds = 0\nfull_sweep_interval_seconds = 0\n\
         webhook_check_interval_seconds = 0\n[woocommerce]\ntimeout_seconds = 5\n{}",
        notify_toml(sink.port, "off"),
        woo.config_toml()
    ))
    .await;
    let mut done: Value = serde_json::from_slice(&order(order_id, "completed")).unwrap();
    done["refunds"] = json!([]);
    done["date_completed_gmt"] = ago(60 * 24).trim_end_matches('Z').into();
    done["date_modified_gmt"] = ago(60 * 24).trim_end_matches('Z').into();
    deliver_ok(&app, "order.updated", &serde_json::to_vec(&done).unwrap()).await;
    let (status, created) = app
        .post_json(
            &format!("/api/v1/customers/42/orders/{order_id}/returns"),
            &json!({"items": [{"line_item_id": 202, "quantity": 1, "reason": "too_small"}],
                    "resolution": "refund"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].clone();
    for to in ["approved", "received"] {
        let (status, moved) = app
            .post_json(
                &format!("/api/v1/returns/{id}/transitions"),
                &json!({"to": to}),
            )
            .await;
        assert_eq!(status, 200, "{to}: {moved}");
        // Each trigger reads the return as it is now: run it before the next move.
        app.run_jobs_until_idle().await;
    }
    sink.wait_for(2).await;
    Some((sink, woo, refunds, app, id))
}

/// The return statuses decided for order `order_id`, in order (the last part of each
/// message's dedupe key: order, return, status).
fn decided_statuses(c: &rusqlite::Connection, order_id: u64) -> Vec<String> {
    let keys: Vec<String> = c
        .prepare("SELECT dedupe_key FROM messages WHERE order_id = ?1 ORDER BY id")
        .unwrap()
        .query_map([order_id as i64], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    keys.iter()
        .map(|k| k.rsplit('|').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_refund_woocommerce_first_fails_is_told_only_once_the_retry_creates_it() {
    use crate::fake_woo::API;
    use crate::notify_digest::plain_text;
    use crate::returns::wait_for;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    let failing = Mock::given(method("POST"))
        .and(path(format!("{API}/orders/5702/refunds")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1);
    let Some((sink, _woo, refunds, app, id)) = a_received_return(5702, failing).await else {
        return;
    };
    let (status, moved) = app
        .post_json(
            &format!("/api/v1/returns/{id}/transitions"),
            &json!({"to": "refunded"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    app.run_jobs_until_idle().await;
    wait_for(&app, &id, |v| v["settlement"]["status"] == "failed").await;
    assert!(refunds.created.lock().unwrap().is_empty());
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        decided_statuses(&db, 5702),
        ["approved", "received"],
        "no refund in WooCommerce yet: nothing said about it"
    );
    assert_eq!(types(&sink), ["return_update"; 2]);

    time_passes(&app);
    app.run_jobs_until_idle().await;
    wait_for(&app, &id, |v| v["settlement"]["status"] == "done").await;
    app.run_jobs_until_idle().await;
    sink.wait_for(3).await;
    assert_eq!(refunds.created.lock().unwrap().len(), 1);
    assert_eq!(
        decided_statuses(&db, 5702),
        ["approved", "received", "refunded"]
    );
    let messages = sink.messages();
    assert_eq!(types(&sink), ["return_update"; 3], "one message per step");
    assert!(plain_text(&messages[2]).contains("Your refund is on its way."));

    // A later retry or a duplicate trigger says nothing more.
    time_passes(&app);
    app.run_jobs_until_idle().await;
    assert_eq!(decided_statuses(&db, 5702).len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_refund_woocommerce_refuses_is_never_told() {
    use crate::fake_woo::API;
    use crate::returns::wait_for;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    let failing = Mock::given(method("POST"))
        .and(path(format!("{API}/orders/5703/refunds")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "woocommerce_rest_cannot_create_order_refund",
            "message": "Invalid refund amount.", "data": {"status": 400}})))
        .with_priority(1);
    let Some((sink, _woo, refunds, app, id)) = a_received_return(5703, failing).await else {
        return;
    };
    let (status, moved) = app
        .post_json(
            &format!("/api/v1/returns/{id}/transitions"),
            &json!({"to": "refunded"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    for _ in 0..3 {
        app.run_jobs_until_idle().await;
        time_passes(&app);
    }
    app.run_jobs_until_idle().await;
    let view = wait_for(&app, &id, |v| v["settlement"]["status"] == "failed").await;
    assert!(
        view["settlement"]["attempts"].as_i64().unwrap_or(0) >= 3,
        "{view}"
    );
    assert!(refunds.created.lock().unwrap().is_empty());
    let db = rusqlite::Connection::open(app.db_path()).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        decided_statuses(&db, 5703),
        ["approved", "received"],
        "the refund never existed: the customer is never told it did"
    );
    assert_eq!(types(&sink), ["return_update"; 2]);
    app.stop().await;
}
