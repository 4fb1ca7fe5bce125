//! The mirror the insights benchmark reads: a real aftercare SQLite file (the crate's own
//! migrations) filled with three years of a KRW shop, deterministic for a seed.
//!
//! Orders are placed by customers whose first order falls anywhere in the three years (more
//! of them later: the shop grows) and who come back at exponential intervals (a month on average) a Pareto
//! number of times; a share of them are guests. Their parcels travel with six Korean and
//! international carriers, some late (an `eta_passed` alert), some with a carrier exception
//! or sent back; some orders are returned, some asked about; delivered orders, closed
//! returns and solved requests are surveyed, and a fixed number of surveys answered.

use std::path::Path;
use std::time::Instant;

use rusqlite::{Connection, Statement, params};

/// What to generate. The file's name carries every field, so a cached file is only reused
/// for the same parameters.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub orders: usize,
    pub requests: usize,
    pub answers: usize,
    pub seed: u64,
}

impl Params {
    pub fn file_name(&self) -> String {
        format!(
            "mirror-v{VERSION}-o{}-r{}-a{}-s{:x}.sqlite3",
            self.orders, self.requests, self.answers, self.seed
        )
    }
}

/// Bumped whenever what is generated changes: an older cached file is not reused.
const VERSION: u32 = 2;

/// The mirror covers [START, END): three years up to the first of December 2026.
pub const START: i64 = 1_701_388_800; // 2023-12-01T00:00:00Z
pub const END: i64 = 1_764_547_200 + 365 * 86_400; // 2026-12-01T00:00:00Z
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

const PRODUCTS: usize = 800;
const GUEST_PERCENT: u64 = 12;

/// Six carriers of the registry with their share of parcels, median transit in hours and
/// promised days (the ETA is the end of the shop day that many days after shipping).
const CARRIERS: [(&str, &str, u64, f64, i64); 6] = [
    ("cj-logistics", "CJ Logistics", 35, 22.0, 2),
    ("hanjin", "Hanjin Express", 18, 26.0, 2),
    ("lotte", "Lotte Global Logistics", 15, 30.0, 2),
    ("epost", "Korea Post", 14, 24.0, 2),
    ("logen", "Logen", 12, 38.0, 3),
    ("dhl-express", "DHL Express", 6, 80.0, 5),
];

const TOPICS: [(&str, u64); 6] = [
    ("where_is_my_order", 35),
    ("damaged_or_wrong_item", 15),
    ("invoice_and_billing", 8),
    ("return_or_exchange", 20),
    ("how_to_use", 12),
    ("something_else", 10),
];

const FIRST_NAMES: [&str; 8] = [
    "Minjun", "Seoyeon", "Jiho", "Haeun", "Doyun", "Jiwoo", "Alex", "Sam",
];

/// xorshift64*: reproducible random numbers without another crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn exp(&mut self, mean: f64) -> f64 {
        -mean * self.unit().ln()
    }

    /// Log-normal with this median and shape.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let (u1, u2) = (self.unit(), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }

    /// An index by weight.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut pick = self.next() % total;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        weights.len() - 1
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): formatting ten
/// million times through a calendar library would be a large part of the generation.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Whole seconds, as WooCommerce and the carriers' times are stored.
fn secs(t: i64) -> String {
    let (y, m, d) = civil(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Milliseconds, as aftercare's own records are stored (`t` in ms).
fn millis(t_ms: i64) -> String {
    let t = t_ms.div_euclid(1000);
    let (y, m, d) = civil(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        t_ms.rem_euclid(1000)
    )
}

fn ms(t: i64, rng: &mut Rng) -> String {
    millis(t * 1000 + rng.below(1000) as i64)
}

/// The end of the shop's (Asia/Seoul) day `days` after `t`.
fn end_of_shop_day(t: i64, days: i64) -> i64 {
    let local = t + 9 * HOUR;
    (local.div_euclid(DAY) + days + 1) * DAY - 1 - 9 * HOUR
}

/// A product's price before tax, in won.
fn price(product: usize) -> i64 {
    5_000 + (product as i64 * 7_919 % 190) * 1_000
}

/// Clothing (a seventh of the catalogue) is returned for its size, and more often.
fn is_apparel(product: usize) -> bool {
    product.is_multiple_of(7)
}

struct Statements<'c> {
    order: Statement<'c>,
    line: Statement<'c>,
    tracking: Statement<'c>,
    shipment: Statement<'c>,
    event: Statement<'c>,
    alert: Statement<'c>,
    ret: Statement<'c>,
    return_item: Statement<'c>,
    return_event: Statement<'c>,
    request: Statement<'c>,
    message: Statement<'c>,
    request_event: Statement<'c>,
    impression: Statement<'c>,
    survey: Statement<'c>,
}

impl<'c> Statements<'c> {
    fn new(c: &'c Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            order: c.prepare(
                "INSERT INTO orders (store_id, order_id, number, status, is_draft, customer_id,
                    billing_email, currency, prices_include_tax, subtotal, discount_total,
                    discount_tax, shipping_total, shipping_tax, cart_tax, total_tax, total,
                    payment_method, payment_method_title, order_key, date_created, date_modified,
                    date_paid, date_completed, trashed_at, body_sha256, raw, mirrored_at)
                 VALUES ('default', ?1, ?2, ?3, 0, ?4, ?5, 'KRW', 0, ?6, '0', '0', ?7, '0', ?8,
                    ?8, ?9, 'kakaopay', 'KakaoPay', ?10, ?11, ?12, ?13, ?14, NULL, ?15, ?16, ?12)",
            )?,
            line: c.prepare(
                "INSERT INTO line_items (store_id, order_id, line_item_id, position, product_id,
                    variation_id, name, sku, quantity, price, subtotal, subtotal_tax, total,
                    total_tax, taxes, meta, image_url)
                 VALUES ('default', ?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?10, '[]',
                    '[]', NULL)",
            )?,
            tracking: c.prepare(
                "INSERT INTO order_tracking (id, store_id, order_id, token, delivery_state,
                    order_status, ready_at, ships, watch, source_hash, created_at, updated_at)
                 VALUES (?1, 'default', ?2, ?3, ?4, ?5, ?6, 1, 0, ?1, ?7, ?8)",
            )?,
            shipment: c.prepare(
                "INSERT INTO shipments (id, store_id, order_id, source, number_key, carrier,
                    carrier_name, tracking_number, tracking_url, shipped_at, status,
                    last_event_at, carrier_eta, delivered_at, removed_at, created_at, updated_at)
                 VALUES (?1, 'default', ?2, 'woocommerce', ?3, ?4, ?5, ?3, NULL, ?6, ?7, ?8, ?9,
                    ?10, NULL, ?11, ?12)",
            )?,
            event: c.prepare(
                "INSERT INTO shipment_events (shipment_id, status, occurred_at, location,
                    description, eta, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, '', NULL, ?5)",
            )?,
            alert: c.prepare(
                "INSERT INTO delay_alerts (store_id, order_id, shipment_id, code, due_at,
                    raised_at, resolved_at)
                 VALUES ('default', ?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            ret: c.prepare(
                "INSERT INTO returns (id, store_id, order_id, customer_id, status, resolution,
                    comment, created_at, updated_at, amount, settlement)
                 VALUES (?1, 'default', ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9)",
            )?,
            return_item: c.prepare(
                "INSERT INTO return_items (return_id, line_item_id, quantity, reason, reason_text)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            return_event: c.prepare(
                "INSERT INTO return_events (return_id, from_status, to_status, at, actor,
                    actor_name, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
            )?,
            request: c.prepare(
                "INSERT INTO support_requests (id, store_id, order_id, customer_id, topic,
                    line_item_id, product_id, item_name, status, assignee, created_at, updated_at)
                 VALUES (?1, 'default', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            message: c.prepare(
                "INSERT INTO support_messages (request_id, author, name, body, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            request_event: c.prepare(
                "INSERT INTO support_events (request_id, kind, to_status, actor, actor_name,
                    assignee, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            impression: c.prepare(
                "INSERT OR IGNORE INTO answer_impressions (store_id, answer_id, order_id, day,
                    first_shown_at)
                 VALUES ('default', ?1, ?2, ?3, ?4)",
            )?,
            survey: c.prepare(
                "INSERT INTO surveys (store_id, order_id, kind, source, subject, recipient,
                    first_name, locale, state, reason, anchor_at, token, expires_at, score, topic,
                    comment, answered_at, changed_at, revision, follow_up, created_at,
                    updated_at)
                 VALUES ('default', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                    ?15, ?16, ?16, ?17, ?18, ?19, ?20)",
            )?,
        })
    }
}

/// A survey that could be asked: what it follows and when.
struct Candidate {
    order_id: i64,
    source: &'static str,
    subject: i64,
    anchor: i64,
    customer: usize,
}

#[derive(Default, Debug)]
pub struct Counts {
    pub customers: usize,
    pub orders: usize,
    pub line_items: usize,
    pub shipments: usize,
    pub events: usize,
    pub alerts: usize,
    pub returns: usize,
    pub requests: usize,
    pub messages: usize,
    pub impressions: usize,
    pub surveys_asked: usize,
    pub surveys_answered: usize,
}

fn email(customer: usize) -> String {
    format!("customer{customer}@example.com")
}

fn customer_id(customer: usize) -> i64 {
    if (customer as u64).wrapping_mul(0x9E37_79B9) % 100 < GUEST_PERCENT {
        0
    } else {
        customer as i64 + 1
    }
}

/// When each order was placed and by whom, in time order: customers arrive at a growing
/// rate and come back at exponential intervals (a month on average) a Pareto number of times.
fn placements(p: &Params, rng: &mut Rng) -> (Vec<(i64, usize)>, usize) {
    let span = (END - START) as f64;
    let mut placed = Vec::with_capacity(p.orders + 1000);
    let mut customers = 0;
    while placed.len() < p.orders {
        let c = customers;
        customers += 1;
        let mut t = START + (span * rng.unit().sqrt()) as i64;
        let times = (rng.unit().powf(-1.0) as usize).min(400);
        for _ in 0..times {
            if t >= END || placed.len() == p.orders {
                break;
            }
            placed.push((t, c));
            t += rng.exp(30.0 * DAY as f64) as i64 + HOUR;
        }
    }
    placed.sort_unstable();
    (placed, customers)
}

/// Generates the mirror into `path` (which must not exist).
pub fn generate(path: &Path, p: &Params) -> rusqlite::Result<Counts> {
    let started = Instant::now();
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;
         PRAGMA foreign_keys = OFF;",
    )?;
    aftercare::store::migrate(&mut conn).expect("migrations");
    conn.execute(
        "INSERT INTO stores (id, created_at) VALUES ('default', '2023-11-01T00:00:00.000Z')",
        [],
    )?;
    let mut rng = Rng(p.seed | 1);
    let (placed, customers) = placements(p, &mut rng);
    let mut counts = Counts {
        customers,
        ..Counts::default()
    };
    println!(
        "  {} orders of {customers} customers placed ({:.1} s)",
        placed.len(),
        started.elapsed().as_secs_f64()
    );

    // Which orders get a support request: exactly `requests` of them (selection sampling).
    let mut asked = vec![false; placed.len()];
    let mut needed = p.requests.min(placed.len());
    for (i, a) in asked.iter_mut().enumerate() {
        if rng.below(placed.len() - i) < needed {
            *a = true;
            needed -= 1;
        }
    }

    let mut candidates: Vec<Candidate> = Vec::new();
    let tx = conn.transaction()?;
    {
        let mut st = Statements::new(&tx)?;
        for (a, question) in (1..=24).map(|a| (a, format!("Question {a}"))) {
            tx.execute(
                "INSERT INTO answers (id, store_id, question, answer, lang, conditions,
                    created_at, updated_at)
                 VALUES (?1, 'default', ?2, '<p>An answer.</p>', 'en', '{}', ?3, ?3)",
                params![a, question, "2023-11-01T00:00:00.000Z"],
            )?;
        }
        let mut line_item_id = 10_000i64;
        let mut shipment_id = 0i64;
        let mut return_id = 0i64;
        let mut request_id = 0i64;
        for (index, &(placed_at, customer)) in placed.iter().enumerate() {
            let order_id = 1_000 + index as i64;
            let cid = customer_id(customer);
            let age = END - placed_at;
            let status = if age < 4 * DAY {
                [
                    "processing",
                    "processing",
                    "processing",
                    "on-hold",
                    "pending",
                ][rng.below(5)]
            } else {
                [
                    "completed",
                    "cancelled",
                    "refunded",
                    "failed",
                    "processing",
                    "on-hold",
                ][rng.weighted(&[890, 45, 30, 15, 12, 8])]
            };
            let paid = !matches!(status, "pending" | "failed" | "cancelled");
            // What WooCommerce refunded (a refunded order entirely; a return's refund).
            let mut refunds: Vec<i64> = Vec::new();

            // Line items: 1-3 products, the popular ones far more often.
            let lines = 1 + usize::from(rng.chance(0.35)) + usize::from(rng.chance(0.1));
            let mut subtotal = 0i64;
            let mut items = Vec::with_capacity(lines);
            for position in 0..lines {
                let product = 1 + (PRODUCTS as f64 * rng.unit().powf(2.2)) as usize;
                let quantity = if rng.chance(0.1) { 2 } else { 1 };
                let line_total = price(product) * quantity;
                subtotal += line_total;
                line_item_id += 1;
                st.line.execute(params![
                    order_id,
                    line_item_id,
                    position as i64,
                    product as i64,
                    format!("Product {product}"),
                    format!("SKU-{product:04}"),
                    quantity,
                    price(product).to_string(),
                    line_total.to_string(),
                    (line_total / 10).to_string(),
                ])?;
                items.push((line_item_id, product, quantity));
            }
            counts.line_items += lines;
            let shipping = if subtotal >= 50_000 { 0 } else { 3_000 };
            let tax = subtotal / 10;

            // Parcels: paid orders ship within a day or two (a few processing ones not yet).
            let mut delivered_last: Option<i64> = None;
            let mut all_delivered = false;
            let mut delivery_state = "unfulfilled";
            let ships = paid && !(status == "processing" && age < 2 * DAY) && rng.chance(0.985);
            if ships {
                let parcels = if lines > 1 && rng.chance(0.06) { 2 } else { 1 };
                all_delivered = true;
                for parcel in 0..parcels {
                    shipment_id += 1;
                    let carrier = rng.weighted(&CARRIERS.map(|c| c.2));
                    let (slug, name, _, median_hours, promised) = CARRIERS[carrier];
                    let shipped = placed_at + (rng.lognormal(18.0, 0.6) * 3600.0) as i64;
                    let eta = end_of_shop_day(shipped, promised);
                    let mut delivered =
                        shipped + (rng.lognormal(median_hours, 0.45) * 3600.0) as i64;
                    let exception = rng.chance(if slug == "logen" { 0.03 } else { 0.015 });
                    if exception {
                        delivered += 2 * DAY + rng.below(2 * DAY as usize) as i64;
                    }
                    let sent_back = exception && rng.chance(0.2);
                    let number = format!("{}{:010}{parcel}", 6 + carrier, order_id);
                    let recorded = |t: i64, rng: &mut Rng| ms(t + 60 + rng.below(600) as i64, rng);
                    let in_transit = shipped + 2 * HOUR + rng.below(4 * HOUR as usize) as i64;
                    let mut events: Vec<(&str, i64, &str)> = Vec::with_capacity(4);
                    if in_transit < END {
                        events.push(("in_transit", in_transit, "Hub"));
                    }
                    let exception_at = shipped + (delivered - shipped) / 2;
                    if exception && exception_at < END {
                        events.push(("exception", exception_at, "Delivery office"));
                    }
                    let (parcel_status, delivered_at) = if sent_back && delivered < END {
                        events.push(("returned", delivered, "Hub"));
                        ("returned", None)
                    } else if delivered < END {
                        events.push(("delivered", delivered, "Door"));
                        ("delivered", Some(delivered))
                    } else {
                        (events.last().map_or("shipped", |e| e.0), None)
                    };
                    if delivered_at.is_none() {
                        all_delivered = false;
                    }
                    delivered_last = delivered_last.max(delivered_at);
                    let last_event = events.last().map(|e| e.1);
                    st.shipment.execute(params![
                        shipment_id,
                        order_id,
                        number,
                        slug,
                        name,
                        secs(shipped),
                        parcel_status,
                        last_event.map(secs),
                        secs(eta),
                        delivered_at.map(secs),
                        ms(shipped + 300, &mut rng),
                        ms(last_event.unwrap_or(shipped) + 120, &mut rng),
                    ])?;
                    for (event_status, at, location) in &events {
                        st.event.execute(params![
                            shipment_id,
                            event_status,
                            secs(*at),
                            location,
                            recorded(*at, &mut rng),
                        ])?;
                    }
                    counts.events += events.len();
                    // The sweep notices a passed ETA within the hour; delivery resolves it.
                    let late_until = delivered_at.unwrap_or(END);
                    if late_until > eta && eta < END {
                        let raised = eta + rng.below(HOUR as usize) as i64;
                        st.alert.execute(params![
                            order_id,
                            shipment_id,
                            "eta_passed",
                            ms(eta, &mut rng),
                            ms(raised, &mut rng),
                            delivered_at.map(|d| ms(d + 120, &mut rng)),
                        ])?;
                        counts.alerts += 1;
                    }
                    if exception && exception_at < END {
                        st.alert.execute(params![
                            order_id,
                            shipment_id,
                            "delivery_exception",
                            ms(exception_at, &mut rng),
                            ms(exception_at + 300, &mut rng),
                            (delivered < END).then(|| ms(delivered + 120, &mut rng)),
                        ])?;
                        counts.alerts += 1;
                    }
                }
                counts.shipments += parcels;
                delivery_state = if all_delivered {
                    "delivered"
                } else {
                    "shipped"
                };
            }

            // The FAQ shown on the order's page, now and then.
            if rng.chance(0.3) {
                let shown = placed_at + rng.below(10 * DAY as usize) as i64;
                if shown < END {
                    st.impression.execute(params![
                        1 + rng.below(24) as i64,
                        order_id,
                        &secs(shown)[..10],
                        ms(shown, &mut rng),
                    ])?;
                    counts.impressions += 1;
                }
            }

            // NPS after the last delivery (never for cancelled or refunded orders).
            if let (true, Some(last)) = (all_delivered, delivered_last)
                && matches!(status, "completed" | "processing")
            {
                candidates.push(Candidate {
                    order_id,
                    source: "delivery",
                    subject: 0,
                    anchor: last,
                    customer,
                });
            }

            // Returns: ~4% of delivered orders, clothing more often.
            if let Some(last) = delivered_last.filter(|_| status == "completed") {
                let apparel = items.iter().any(|i| is_apparel(i.1));
                if rng.chance(if apparel { 0.09 } else { 0.032 }) {
                    let opened = last + HOUR + rng.exp(4.0 * DAY as f64) as i64;
                    if opened < END {
                        return_id += 1;
                        let final_status = [
                            "refunded",
                            "exchanged",
                            "credited",
                            "rejected",
                            "cancelled",
                            "requested",
                            "approved",
                            "received",
                        ][rng.weighted(&[58, 11, 8, 7, 5, 4, 4, 3])];
                        let resolution = match final_status {
                            "exchanged" => "exchange",
                            "credited" => "store_credit",
                            _ => ["refund", "exchange", "store_credit"][rng.weighted(&[80, 12, 8])],
                        };
                        let path: &[&str] = match final_status {
                            "requested" => &["requested"],
                            "approved" => &["requested", "approved"],
                            "rejected" => &["requested", "rejected"],
                            "cancelled" => &["requested", "cancelled"],
                            "received" => &["requested", "approved", "received"],
                            s => &["requested", "approved", "received", s][..4],
                        };
                        let mut at = opened;
                        let mut stamps = Vec::with_capacity(path.len());
                        for (step, to) in path.iter().enumerate() {
                            if step > 0 {
                                at += (rng
                                    .lognormal(if *to == "received" { 72.0 } else { 20.0 }, 0.6)
                                    * 3600.0) as i64;
                            }
                            stamps.push((*to, at.min(END - 1)));
                        }
                        let closed = stamps.last().unwrap().1;
                        let returned: Vec<_> = items
                            .iter()
                            .filter(|i| is_apparel(i.1) || items.len() == 1 || rng.chance(0.5))
                            .take(2)
                            .collect();
                        let returned = if returned.is_empty() {
                            vec![&items[0]]
                        } else {
                            returned
                        };
                        let amount: i64 = returned.iter().map(|i| price(i.1) * i.2).sum();
                        let money = matches!(final_status, "refunded" | "credited");
                        if final_status == "refunded" {
                            refunds.push(amount + amount / 10);
                        }
                        st.ret.execute(params![
                            return_id,
                            order_id,
                            cid,
                            final_status,
                            resolution,
                            ms(opened, &mut rng),
                            ms(closed, &mut rng),
                            money.then(|| amount.to_string()),
                            money.then_some("done"),
                        ])?;
                        for item in returned {
                            let reason = if is_apparel(item.1) {
                                ["too_small", "too_large", "changed_mind", "not_as_described"]
                                    [rng.weighted(&[40, 30, 20, 10])]
                            } else {
                                [
                                    "damaged",
                                    "wrong_item",
                                    "not_as_described",
                                    "changed_mind",
                                    "other",
                                ][rng.weighted(&[30, 12, 23, 25, 10])]
                            };
                            st.return_item.execute(params![
                                return_id,
                                item.0,
                                item.2,
                                reason,
                                (reason == "other").then_some("Arrived too late for the trip"),
                            ])?;
                        }
                        let mut from: Option<&str> = None;
                        for (to, at) in &stamps {
                            let staff = *to != "requested" && *to != "cancelled";
                            st.return_event.execute(params![
                                return_id,
                                from,
                                to,
                                ms(*at, &mut rng),
                                if staff { "staff" } else { "customer" },
                                staff.then_some("Jisoo"),
                            ])?;
                            from = Some(to);
                        }
                        counts.returns += 1;
                        if matches!(
                            final_status,
                            "refunded" | "exchanged" | "credited" | "rejected"
                        ) {
                            candidates.push(Candidate {
                                order_id,
                                source: "return",
                                subject: return_id,
                                anchor: closed,
                                customer,
                            });
                        }
                    }
                }
            }

            // Support: the chosen orders get a request with a thread and its history.
            if asked[index] {
                request_id += 1;
                let opened = (placed_at + HOUR + rng.exp(5.0 * DAY as f64) as i64).min(END - HOUR);
                let topic = TOPICS[rng.weighted(&TOPICS.map(|t| t.1))].0;
                let item = matches!(
                    topic,
                    "damaged_or_wrong_item" | "how_to_use" | "return_or_exchange"
                )
                .then(|| items[rng.below(items.len())]);
                // The thread: the opening message, staff replies (business-hours-ish
                // response times with a long tail), sometimes a back-and-forth, notes.
                let mut thread: Vec<(&str, i64)> = vec![("customer", opened)];
                let mut history: Vec<(&str, &str, &str, i64)> =
                    vec![("opened", "open", "customer", opened)];
                let mut t = opened;
                let mut status_now = "open";
                if rng.chance(0.3) {
                    t += rng.below(2 * HOUR as usize) as i64;
                    history.push(("assigned", "open", "staff", t));
                }
                if rng.chance(0.1) {
                    thread.push(("note", t + 600));
                }
                let rounds = 1 + usize::from(rng.chance(0.35)) + usize::from(rng.chance(0.1));
                for round in 0..rounds {
                    if round > 0 {
                        t += (rng.lognormal(6.0, 1.0) * 3600.0) as i64;
                        if t >= END {
                            break;
                        }
                        thread.push(("customer", t));
                        if status_now == "solved" {
                            history.push(("reopened", "open", "customer", t));
                            status_now = "open";
                        }
                    }
                    t += (rng.lognormal(3.0, 1.1) * 3600.0) as i64 + 120;
                    if t >= END {
                        break;
                    }
                    thread.push(("staff", t));
                    if rng.chance(0.93) {
                        t += (rng.lognormal(1.0, 1.2) * 3600.0) as i64 + 60;
                        if t >= END {
                            break;
                        }
                        history.push(("solved", "solved", "staff", t));
                        status_now = "solved";
                    }
                }
                st.request.execute(params![
                    request_id,
                    order_id,
                    cid,
                    topic,
                    item.map(|i| i.0),
                    item.map(|i| i.1 as i64),
                    item.map(|i| format!("Product {}", i.1)),
                    status_now,
                    history.iter().any(|h| h.0 == "assigned").then_some("jisoo"),
                    ms(opened, &mut rng),
                    ms(t.max(opened), &mut rng),
                ])?;
                for (author, at) in &thread {
                    st.message.execute(params![
                        request_id,
                        author,
                        (*author != "customer").then_some("Jisoo"),
                        match *author {
                            "customer" => "Hello, could you help me with my order?",
                            "staff" => "Thank you for writing. Here is what we found.",
                            _ => "Checked the warehouse log.",
                        },
                        ms(*at, &mut rng),
                    ])?;
                }
                counts.messages += thread.len();
                for (kind, to, actor, at) in &history {
                    st.request_event.execute(params![
                        request_id,
                        kind,
                        to,
                        actor,
                        (*actor == "staff").then_some("Jisoo"),
                        (*kind == "assigned").then_some("jisoo"),
                        ms(*at, &mut rng),
                    ])?;
                }
                // A shown answer that did not help: some requests follow the FAQ.
                if rng.chance(0.25) {
                    let shown = opened - rng.below(5 * DAY as usize) as i64;
                    st.impression.execute(params![
                        1 + rng.below(24) as i64,
                        order_id,
                        &secs(shown)[..10],
                        ms(shown, &mut rng),
                    ])?;
                    counts.impressions += 1;
                }
                counts.requests += 1;
                if status_now == "solved" {
                    candidates.push(Candidate {
                        order_id,
                        source: "request",
                        subject: request_id,
                        anchor: t,
                        customer,
                    });
                }
            }
            let completed_at =
                (status == "completed").then(|| delivered_last.unwrap_or(placed_at + 3 * DAY));
            let modified = completed_at.unwrap_or(placed_at + HOUR).min(END - 1);
            let created = secs(placed_at);
            let total = subtotal + tax + shipping;
            if status == "refunded" {
                refunds = vec![total];
            }
            let refunds = refunds
                .iter()
                .enumerate()
                .map(|(i, r)| format!("{{\"id\":{},\"total\":\"-{r}\"}}", order_id * 10 + i as i64))
                .collect::<Vec<_>>()
                .join(",");
            let raw = format!(
                "{{\"id\":{order_id},\"status\":\"{status}\",\"date_created\":\"{}\",\"date_created_gmt\":\"{}\",\"refunds\":[{refunds}]}}",
                &secs(placed_at + 9 * HOUR)[..19],
                &created[..19],
            );
            st.order.execute(params![
                order_id,
                order_id.to_string(),
                status,
                cid,
                email(customer),
                subtotal.to_string(),
                shipping.to_string(),
                tax.to_string(),
                total.to_string(),
                format!("wc_order_{order_id:x}"),
                created,
                secs(modified),
                paid.then(|| secs(placed_at + 60)),
                completed_at.map(secs),
                &order_id.to_le_bytes()[..],
                raw,
            ])?;
            st.tracking.execute(params![
                index as i64 + 1,
                order_id,
                format!("tok{order_id:020}"),
                delivery_state,
                status,
                paid.then(|| secs(placed_at + 60)),
                ms(placed_at + 5, &mut rng),
                ms(modified + 5, &mut rng),
            ])?;
            counts.orders += 1;

            if index % 200_000 == 199_999 {
                println!(
                    "  {} orders ({:.1} s)",
                    index + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }

        // Surveys: most candidates asked (some throttled: skipped), `answers` of the asked
        // answered, NPS and CSAT alike.
        let mut decided: Vec<(Candidate, bool, i64)> = Vec::with_capacity(candidates.len());
        for c in candidates {
            let delay = if c.source == "delivery" { 7 * DAY } else { DAY };
            let at = c.anchor + delay;
            if at >= END {
                continue;
            }
            let ask = rng.chance(0.8);
            decided.push((c, ask, at));
        }
        let asked_total = decided.iter().filter(|d| d.1).count();
        let mut needed = p.answers.min(asked_total);
        let mut left = asked_total;
        for (c, ask, at) in decided {
            let answered_at = if ask {
                let answer = rng.below(left) < needed;
                left -= 1;
                if answer {
                    needed -= 1;
                }
                let t = at + 60 + rng.exp(1.5 * DAY as f64) as i64;
                answer.then_some(t.min(END - 1))
            } else {
                None
            };
            let nps = c.source == "delivery";
            let score = answered_at.map(|_| {
                if nps {
                    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
                        [rng.weighted(&[30, 22, 15, 9, 6, 5, 4, 3, 2, 2, 2])]
                } else {
                    [5, 4, 3, 2, 1][rng.weighted(&[52, 24, 10, 7, 7])]
                }
            });
            let unhappy = score.is_some_and(|s| if nps { s <= 6 } else { s <= 2 });
            let answered = answered_at.map(|t| ms(t, &mut rng));
            st.survey.execute(params![
                c.order_id,
                if nps { "nps" } else { "csat" },
                c.source,
                c.subject,
                email(c.customer),
                FIRST_NAMES[c.customer % FIRST_NAMES.len()],
                ask.then_some(if c.customer % 3 == 0 {
                    "en_US"
                } else {
                    "ko_KR"
                }),
                if ask { "asked" } else { "skipped" },
                if ask {
                    "asked after the delivery"
                } else {
                    "the customer was asked another survey within 30 days"
                },
                secs(c.anchor),
                ask.then(|| format!("{:016x}{:016x}", rng.next(), rng.next())),
                ask.then(|| ms(at + 30 * DAY, &mut rng)),
                score,
                score.filter(|_| rng.chance(0.6)).map(|_| {
                    ["delivery", "product", "support", "price", "other"][rng.below(5)]
                }),
                score.filter(|_| rng.chance(0.25)).map(|_| "Thank you."),
                answered,
                i64::from(score.is_some()),
                i64::from(unhappy),
                ms(at, &mut rng),
                ms(answered_at.unwrap_or(at), &mut rng),
            ])?;
            counts.surveys_asked += usize::from(ask);
            counts.surveys_answered += usize::from(answered_at.is_some());
        }
    }
    tx.commit()?;
    println!(
        "  rows written ({:.1} s); analyzing",
        started.elapsed().as_secs_f64()
    );
    conn.execute_batch("ANALYZE; PRAGMA journal_mode = WAL;")?;
    Ok(counts)
}
