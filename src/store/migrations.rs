//! Schema versions. Append new migrations; never edit one that has shipped.

use rusqlite_migration::{M, Migrations};

const SLICE: &[M<'_>] = &[
    M::up(
        r#"
CREATE TABLE stores (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
) STRICT;

-- One row per WooCommerce order, keyed by store: order ids repeat across stores.
-- Typed columns for what is queried; `raw` keeps the body as received for the rest.
CREATE TABLE orders (
    store_id            TEXT    NOT NULL REFERENCES stores(id),
    order_id            INTEGER NOT NULL,
    number              TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    -- checkout-draft orders are mirrored but never shown to customers
    is_draft            INTEGER NOT NULL,
    customer_id         INTEGER NOT NULL,
    billing_email       TEXT    NOT NULL,
    currency            TEXT    NOT NULL,
    prices_include_tax  INTEGER NOT NULL,
    -- money as exact decimal strings, never floats
    subtotal            TEXT    NOT NULL,
    discount_total      TEXT    NOT NULL,
    discount_tax        TEXT    NOT NULL,
    shipping_total      TEXT    NOT NULL,
    shipping_tax        TEXT    NOT NULL,
    cart_tax            TEXT    NOT NULL,
    total_tax           TEXT    NOT NULL,
    total               TEXT    NOT NULL,
    payment_method      TEXT    NOT NULL,
    payment_method_title TEXT   NOT NULL,
    order_key           TEXT    NOT NULL,
    -- RFC 3339 UTC; sorts as text
    date_created        TEXT    NOT NULL,
    date_modified       TEXT    NOT NULL,
    date_paid           TEXT,
    date_completed      TEXT,
    trashed_at          TEXT,
    body_sha256         BLOB    NOT NULL,
    raw                 TEXT    NOT NULL,
    mirrored_at         TEXT    NOT NULL,
    PRIMARY KEY (store_id, order_id)
) STRICT;

CREATE INDEX orders_by_customer ON orders (store_id, customer_id, date_created DESC, order_id DESC);
CREATE INDEX orders_by_modified ON orders (store_id, date_modified);

CREATE TABLE line_items (
    store_id      TEXT    NOT NULL,
    order_id      INTEGER NOT NULL,
    line_item_id  INTEGER NOT NULL,
    position      INTEGER NOT NULL,
    product_id    INTEGER NOT NULL,
    variation_id  INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    sku           TEXT    NOT NULL,
    quantity      INTEGER NOT NULL,
    price         TEXT    NOT NULL,
    subtotal      TEXT    NOT NULL,
    subtotal_tax  TEXT    NOT NULL,
    total         TEXT    NOT NULL,
    total_tax     TEXT    NOT NULL,
    taxes         TEXT    NOT NULL,   -- JSON array of {id, total, subtotal}
    meta          TEXT    NOT NULL,   -- JSON array of {key, value, display_key, display_value}
    image_url     TEXT,
    PRIMARY KEY (store_id, order_id, line_item_id),
    FOREIGN KEY (store_id, order_id) REFERENCES orders (store_id, order_id) ON DELETE CASCADE
) STRICT;

-- Every verified delivery and what became of it. Never the body: only its hash.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    received_at   TEXT    NOT NULL,
    store_id      TEXT    NOT NULL,
    webhook_id    INTEGER,
    topic         TEXT    NOT NULL,
    order_id      INTEGER,
    body_sha256   BLOB    NOT NULL,
    outcome       TEXT    NOT NULL,
    error_code    TEXT
) STRICT;

CREATE INDEX deliveries_by_store ON deliveries (store_id, received_at);

CREATE TABLE service_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;
"#,
    ),
    // Invoices and credit notes, their gap-free sequences, and the outbox that drives them.
    M::up(
        r#"
-- Transactional outbox: follow-up work enqueued in the same transaction as the change.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    store_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    order_id    INTEGER NOT NULL,
    -- what within the order (a refund id for a credit note; 0 when the order is enough)
    subject     INTEGER NOT NULL DEFAULT 0,
    run_after   TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT    NOT NULL,
    done_at     TEXT
) STRICT;

-- At most one open job per piece of work: re-deliveries do not pile up duplicates.
CREATE UNIQUE INDEX jobs_open ON jobs (store_id, kind, order_id, subject) WHERE done_at IS NULL;
CREATE INDEX jobs_due ON jobs (run_after) WHERE done_at IS NULL;

-- The last number issued per store, series (invoice, credit_note) and period (year or '').
CREATE TABLE document_sequences (
    store_id     TEXT    NOT NULL,
    series       TEXT    NOT NULL,
    period       TEXT    NOT NULL,
    last_number  INTEGER NOT NULL,
    PRIMARY KEY (store_id, series, period)
) STRICT;

-- Issued documents. Rows are never updated: an issued document is immutable.
CREATE TABLE documents (
    id          INTEGER PRIMARY KEY,
    store_id    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,            -- invoice | credit_note
    order_id    INTEGER NOT NULL,
    refund_id   INTEGER NOT NULL DEFAULT 0,  -- credit notes: the WooCommerce refund
    period      TEXT    NOT NULL,
    sequence    INTEGER NOT NULL,
    number      TEXT    NOT NULL,
    reference   TEXT,                        -- credit notes: the invoice number
    issued_at   TEXT    NOT NULL,
    total       TEXT    NOT NULL,
    currency    TEXT    NOT NULL,
    path        TEXT    NOT NULL,            -- relative to the data dir
    sha256      TEXT    NOT NULL,
    bytes       INTEGER NOT NULL,
    settings    TEXT    NOT NULL,            -- JSON: numbering and seller settings used
    UNIQUE (store_id, kind, number),
    UNIQUE (store_id, kind, period, sequence),
    UNIQUE (store_id, kind, order_id, refund_id)
) STRICT;

CREATE INDEX documents_by_issued ON documents (issued_at);
"#,
    ),
    // Healing the mirror through the WooCommerce REST API: walk cursors, reconciliation
    // state and the order webhooks as last seen.
    M::up(
        r#"
-- How far each walk through GET /wc/v3/orders has got, per store. A walk resumes here.
CREATE TABLE sync_cursors (
    store_id    TEXT    NOT NULL,
    walk        TEXT    NOT NULL,            -- backfill | reconcile | sweep
    since       TEXT,                        -- backfill: the lower bound it was started with
    cursor      TEXT    NOT NULL,            -- RFC 3339: the next query asks for orders modified after it
    complete    INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (store_id, walk)
) STRICT;

-- Reconciliation and webhook-watch state per store (GET /api/v1/store/health).
CREATE TABLE sync_status (
    store_id                  TEXT    PRIMARY KEY,
    started_at                TEXT    NOT NULL,   -- when reconciliation first ran for the store
    last_reconciliation_at    TEXT,
    last_full_sweep_at        TEXT,
    repaired_orders_total     INTEGER NOT NULL DEFAULT 0,
    repaired_orders_last_run  INTEGER,
    last_error                TEXT,
    last_error_at             TEXT,
    webhooks_checked_at       TEXT,
    webhooks_error            TEXT
) STRICT;

-- The store's order webhooks that deliver to aftercare, as the last check saw them.
CREATE TABLE woo_webhooks (
    store_id      TEXT    NOT NULL,
    webhook_id    INTEGER NOT NULL,
    topic         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    delivery_url  TEXT    NOT NULL,
    ok            INTEGER NOT NULL,
    PRIMARY KEY (store_id, webhook_id)
) STRICT;
"#,
    ),
    // Tracking: the public page token and delivery state per order, parcels, their items
    // and events, and delay alerts.
    M::up(
        r#"
-- One row per mirrored order, created in the transaction that first mirrors it.
CREATE TABLE order_tracking (
    -- the public tracking page is /t/{token}; the token is this id (8 bytes) and 128 random
    -- bits, base64url: pages are found by id, so no index over random values is written
    id              INTEGER PRIMARY KEY,
    store_id        TEXT    NOT NULL,
    order_id        INTEGER NOT NULL,
    token           TEXT    NOT NULL,
    delivery_state  TEXT    NOT NULL,
    -- the order facts the delay rules read, as of the last accepted version
    order_status    TEXT    NOT NULL,
    ready_at        TEXT,               -- paid (or processing, cash on delivery) since
    ships           INTEGER NOT NULL,   -- has a shipping line that is not local pickup
    -- a delay rule may fire as time passes: the periodic sweep looks at these
    watch           INTEGER NOT NULL DEFAULT 0,
    -- hash of what ingest derives tracking from: an unchanged re-delivery stops here
    source_hash     INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (store_id, order_id)
) STRICT;

CREATE INDEX order_tracking_watched ON order_tracking (store_id, order_id) WHERE watch = 1;

-- A parcel. From the order's `_wc_shipment_tracking_items` (source `woocommerce`) or the
-- staff API (source `api`); one per tracking number and order.
CREATE TABLE shipments (
    id               INTEGER PRIMARY KEY,
    store_id         TEXT    NOT NULL,
    order_id         INTEGER NOT NULL,
    source           TEXT    NOT NULL,
    number_key       TEXT    NOT NULL,   -- the number upper-cased, separators dropped
    carrier          TEXT    NOT NULL,   -- registry slug or `custom`
    carrier_name     TEXT    NOT NULL,
    tracking_number  TEXT    NOT NULL,
    tracking_url     TEXT,               -- a given link; registry carriers build theirs
    shipped_at       TEXT,
    -- derived from the events (newest by occurred_at); `shipped` before any event
    status           TEXT    NOT NULL,
    last_event_at    TEXT,
    carrier_eta      TEXT,
    delivered_at     TEXT,
    -- the tracking item left the order's meta: kept with its events, no longer shown
    removed_at       TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (store_id, order_id, number_key)
) STRICT;

-- What a parcel carries; none listed means the whole order.
CREATE TABLE shipment_items (
    shipment_id   INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    line_item_id  INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (shipment_id, line_item_id)
) STRICT;

-- Carrier and shop events, in whatever order they arrive. '' for no location/description
-- so that a repeated event is recognised.
CREATE TABLE shipment_events (
    id           INTEGER PRIMARY KEY,
    shipment_id  INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL,
    occurred_at  TEXT    NOT NULL,
    location     TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    eta          TEXT,
    recorded_at  TEXT    NOT NULL,
    UNIQUE (shipment_id, status, occurred_at, location, description)
) STRICT;

CREATE INDEX shipment_events_by_time ON shipment_events (shipment_id, occurred_at);

-- Delay alerts. Active while resolved_at is NULL; at most one active per code and parcel
-- (shipment_id 0: the order itself).
CREATE TABLE delay_alerts (
    id           INTEGER PRIMARY KEY,
    store_id     TEXT    NOT NULL,
    order_id     INTEGER NOT NULL,
    shipment_id  INTEGER NOT NULL,
    code         TEXT    NOT NULL,
    due_at       TEXT    NOT NULL,   -- when the rule's threshold was crossed
    raised_at    TEXT    NOT NULL,
    resolved_at  TEXT
) STRICT;

CREATE UNIQUE INDEX delay_alerts_active ON delay_alerts (store_id, order_id, shipment_id, code)
    WHERE resolved_at IS NULL;
CREATE INDEX delay_alerts_open ON delay_alerts (store_id, raised_at) WHERE resolved_at IS NULL;
"#,
    ),
    // Returns: their own records, never a change of the order's status.
    M::up(
        r#"
CREATE TABLE returns (
    id               INTEGER PRIMARY KEY,
    store_id         TEXT    NOT NULL,
    order_id         INTEGER NOT NULL,
    -- the order's customer; 0 when a guest made the return
    customer_id      INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    resolution       TEXT    NOT NULL,
    comment          TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    -- What the refund or store credit came to, and where carrying it out in WooCommerce
    -- stands: NULL (nothing to move), pending, done, or failed (being retried).
    amount           TEXT,
    settlement       TEXT,
    settlement_error TEXT,
    settlement_attempts INTEGER NOT NULL DEFAULT 0,
    wc_refund_id     INTEGER,
    coupon_code      TEXT,
    wc_coupon_id     INTEGER,
    FOREIGN KEY (store_id, order_id) REFERENCES orders (store_id, order_id)
) STRICT;

CREATE INDEX returns_by_order ON returns (store_id, order_id);
CREATE INDEX returns_by_customer ON returns (store_id, customer_id, id DESC);
CREATE INDEX returns_by_status ON returns (store_id, status, id DESC);

CREATE TABLE return_items (
    return_id     INTEGER NOT NULL REFERENCES returns (id),
    line_item_id  INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    reason        TEXT    NOT NULL,
    reason_text   TEXT,
    PRIMARY KEY (return_id, line_item_id)
) STRICT;

-- Every change of state: who, when, why.
CREATE TABLE return_events (
    id           INTEGER PRIMARY KEY,
    return_id    INTEGER NOT NULL REFERENCES returns (id),
    from_status  TEXT,
    to_status    TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,   -- customer | staff
    actor_name   TEXT,
    note         TEXT
) STRICT;

CREATE INDEX return_events_by_return ON return_events (return_id, id);

CREATE TABLE return_photos (
    return_id     INTEGER NOT NULL REFERENCES returns (id),
    position      INTEGER NOT NULL,
    content_type  TEXT    NOT NULL,
    bytes         INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    path          TEXT    NOT NULL,   -- relative to the data dir
    PRIMARY KEY (return_id, position)
) STRICT;

-- Units WooCommerce refunded per line item (from its refunds, fetched through the REST
-- API): they can no longer be returned.
CREATE TABLE refund_lines (
    store_id      TEXT    NOT NULL,
    order_id      INTEGER NOT NULL,
    refund_id     INTEGER NOT NULL,
    line_item_id  INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    total         TEXT    NOT NULL,   -- positive, excluding tax
    total_tax     TEXT    NOT NULL,
    PRIMARY KEY (store_id, order_id, refund_id, line_item_id)
) STRICT;
"#,
    ),
    // An order's documents are read by every order view: find them without scanning the
    // store's whole archive.
    M::up("CREATE INDEX documents_by_order ON documents (store_id, order_id);"),
    // WooCommerce does not deliver in order: an `order.deleted` may come before the order's
    // `order.created`. The deletion is remembered so that the late create lands in the trash.
    M::up(
        r#"
CREATE TABLE order_tombstones (
    store_id    TEXT    NOT NULL,
    order_id    INTEGER NOT NULL,
    trashed_at  TEXT    NOT NULL,   -- when the deletion arrived, RFC 3339 UTC
    PRIMARY KEY (store_id, order_id)
) STRICT, WITHOUT ROWID;
"#,
    ),
    // The shop's own facts as its plugin last sent them (PUT /api/v1/store/profile): who
    // issues the invoices, how the shop writes addresses, its brand and time zone.
    M::up(
        r#"
CREATE TABLE shop_profiles (
    store_id     TEXT PRIMARY KEY,
    profile      TEXT NOT NULL,   -- JSON: the checked profile, without the logo
    logo_png     BLOB,            -- the logo for invoices, as sent
    received_at  TEXT NOT NULL
) STRICT;
"#,
    ),
    // Live carrier tracking: each parcel's subscription to its store's tracking provider.
    M::up(
        r#"
CREATE TABLE feed_subscriptions (
    id               INTEGER PRIMARY KEY,
    store_id         TEXT    NOT NULL,
    order_id         INTEGER NOT NULL,
    shipment_id      INTEGER NOT NULL,
    provider         TEXT    NOT NULL,   -- 17track
    number           TEXT    NOT NULL,   -- as registered with the provider
    number_key       TEXT    NOT NULL,   -- upper-cased, separators dropped: how pushes find it
    carrier_code     TEXT,               -- the provider's carrier code, once known
    -- pending | subscribed | awaiting_carrier | stale | rejected | stopped
    state            TEXT    NOT NULL,
    next_poll_at     TEXT,               -- NULL: not polled
    failures         INTEGER NOT NULL DEFAULT 0,   -- failed requests in a row
    last_error       TEXT,
    last_checked_at  TEXT,               -- when the provider last told about the parcel
    last_event_at    TEXT,               -- the newest carrier event it brought
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX feed_subscriptions_open ON feed_subscriptions (shipment_id)
    WHERE state != 'stopped';
CREATE INDEX feed_subscriptions_by_number ON feed_subscriptions (store_id, provider, number_key);
CREATE INDEX feed_subscriptions_by_order ON feed_subscriptions (store_id, order_id);
CREATE INDEX feed_subscriptions_due ON feed_subscriptions (store_id, provider, next_poll_at)
    WHERE next_poll_at IS NOT NULL;

-- What a feed event said beyond its status: waiting at a pickup point, a failed attempt.
CREATE TABLE feed_event_flags (
    event_id        INTEGER PRIMARY KEY REFERENCES shipment_events (id) ON DELETE CASCADE,
    pickup_ready    INTEGER NOT NULL,
    attempt_failed  INTEGER NOT NULL
) STRICT;
"#,
    ),
    // Signed events (Standard Webhooks) to each store's configured endpoints: the endpoints
    // as last configured (their secrets stay in the configuration), one delivery per event
    // and endpoint, and every attempt made (the per-endpoint delivery log).
    M::up(
        r#"
CREATE TABLE event_endpoints (
    store_id    TEXT    NOT NULL,
    id          TEXT    NOT NULL,   -- ep_ + 12 hex digits of the URL's SHA-256
    host        TEXT    NOT NULL,   -- the URL's host; the URL itself may carry a token
    types       TEXT,               -- JSON array of the event types it takes; NULL: all
    active      INTEGER NOT NULL,   -- 0: no longer in the configuration
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (store_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE event_deliveries (
    id               INTEGER PRIMARY KEY,
    store_id         TEXT    NOT NULL,
    endpoint_id      TEXT    NOT NULL,
    event_id         TEXT    NOT NULL,   -- the webhook-id header, the same on every attempt
    type             TEXT    NOT NULL,
    body             TEXT    NOT NULL,   -- the exact JSON sent and signed
    state            TEXT    NOT NULL,   -- pending | delivered | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,               -- when pending
    last_chance      INTEGER NOT NULL DEFAULT 0,   -- 1: one staff-requested attempt
    last_status      INTEGER,
    last_error       TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    UNIQUE (store_id, event_id, endpoint_id)
) STRICT;

CREATE INDEX event_deliveries_due ON event_deliveries (store_id, next_attempt_at)
    WHERE state = 'pending';
CREATE INDEX event_deliveries_by_state ON event_deliveries (store_id, state, id);

CREATE TABLE event_delivery_attempts (
    id             INTEGER PRIMARY KEY,
    delivery_id    INTEGER NOT NULL REFERENCES event_deliveries (id) ON DELETE CASCADE,
    store_id       TEXT    NOT NULL,
    endpoint_id    TEXT    NOT NULL,
    attempted_at   TEXT    NOT NULL,
    status         INTEGER,            -- NULL: no answer (refused, timed out)
    duration_ms    INTEGER NOT NULL,
    error          TEXT,               -- without secrets or the URL
    response_body  TEXT                -- the first KiB of the answer
) STRICT;

CREATE INDEX event_delivery_attempts_by_delivery ON event_delivery_attempts (delivery_id);
CREATE INDEX event_delivery_attempts_by_endpoint
    ON event_delivery_attempts (store_id, endpoint_id, id);
"#,
    ),
    // Tracking feeds in operation: what each provider bills per store and calendar month,
    // each account's last error, how long a provider has had nothing for a parcel, and
    // Delivery Tracker's callback registrations. Tracking learns that a feed gave up on a
    // parcel (`carrier_silent_at`), which its delay rules read.
    M::up(
        r#"
CREATE TABLE feed_usage (
    store_id       TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    month          TEXT    NOT NULL,            -- YYYY-MM, UTC
    registrations  INTEGER NOT NULL DEFAULT 0,  -- numbers the provider newly accepted (billed)
    requests       INTEGER NOT NULL DEFAULT 0,  -- requests sent
    PRIMARY KEY (store_id, provider, month)
) STRICT;

CREATE TABLE feed_accounts (
    store_id         TEXT NOT NULL,
    provider         TEXT NOT NULL,
    last_error       TEXT,
    last_error_at    TEXT,
    last_success_at  TEXT,
    PRIMARY KEY (store_id, provider)
) STRICT;

-- Since when the provider answers "not found" or "expired" with nothing newer.
ALTER TABLE feed_subscriptions ADD COLUMN silent_since TEXT;
-- Until when Delivery Tracker calls back about the parcel (registerTrackWebhook).
ALTER TABLE feed_subscriptions ADD COLUMN webhook_expires_at TEXT;

-- When a feed declared the parcel's carrier silent (stale); cleared by a newer event.
ALTER TABLE shipments ADD COLUMN carrier_silent_at TEXT;
"#,
    ),
    // Customer messages: every decision (sent, deferred, skipped, failed) with its reason.
    M::up(
        r#"
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,          -- shown as msg_<id>
    store_id      TEXT    NOT NULL,
    order_id      INTEGER NOT NULL,
    type          TEXT    NOT NULL,             -- notify::MessageType
    recipient     TEXT    NOT NULL,             -- the customer's email, lower-cased
    locale        TEXT    NOT NULL,             -- en_US, ko_KR
    dedupe_key    TEXT    NOT NULL,             -- order, parcel (or return), status
    channel       TEXT    NOT NULL,             -- wordpress, smtp, none
    state         TEXT    NOT NULL,             -- pending deferred sending sent skipped failed
    due_at        TEXT    NOT NULL,             -- not before (quiet hours, retry backoff)
    reason        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    leased_until  TEXT,                         -- the WordPress pull's lease
    data          TEXT    NOT NULL,             -- the message data JSON
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    sent_at       TEXT
) STRICT;

CREATE UNIQUE INDEX messages_once ON messages (store_id, recipient, dedupe_key);
CREATE INDEX messages_by_order ON messages (store_id, order_id);
CREATE INDEX messages_due ON messages (store_id, channel, due_at)
    WHERE state IN ('pending', 'deferred', 'failed');

-- Unsubscribe links: the token is an HMAC of (store, email, class); the row says whom it is for.
CREATE TABLE message_subscriptions (
    token            TEXT    PRIMARY KEY,
    store_id         TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    class            TEXT    NOT NULL,
    unsubscribed_at  TEXT,
    created_at       TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX message_subscriptions_of ON message_subscriptions (store_id, recipient, class);
"#,
    ),
    // Whether a parcel was ever followed (any state, stopped included): the open index is
    // partial, so without this each look scanned every subscription, and the start-up pass
    // over all travelling parcels grew with their square.
    M::up(
        "CREATE INDEX feed_subscriptions_by_shipment ON feed_subscriptions (shipment_id, number_key);",
    ),
    // Surveys (NPS after delivery, CSAT after a return or a support request): one row per
    // decision, the answer on the same row; see docs/surveys.md.
    M::up(
        r#"
CREATE TABLE surveys (
    id            INTEGER PRIMARY KEY,
    store_id      TEXT    NOT NULL,
    order_id      INTEGER NOT NULL,
    kind          TEXT    NOT NULL,             -- nps (0-10) | csat (1-5)
    source        TEXT    NOT NULL,             -- delivery | return | request
    subject       INTEGER NOT NULL,             -- the return or request id; 0 for delivery
    recipient     TEXT    NOT NULL,             -- the customer's email, lower-cased: the throttle's key
    first_name    TEXT    NOT NULL,             -- all the page shows of the customer
    locale        TEXT,                         -- the message's (en_US, ko_KR), once decided
    state         TEXT    NOT NULL,             -- asked | skipped
    reason        TEXT    NOT NULL,
    anchor_at     TEXT    NOT NULL,             -- the delivery, close or solve it follows
    token         TEXT,                         -- the signed link's token (asked only)
    expires_at    TEXT,
    score         INTEGER,
    topic         TEXT,                         -- delivery product support price other
    comment       TEXT,
    answered_at   TEXT,                         -- the first answer (the edit window starts here)
    changed_at    TEXT,                         -- the latest answer
    revision      INTEGER NOT NULL DEFAULT 0,   -- answers recorded so far
    follow_up     INTEGER NOT NULL DEFAULT 0,   -- an unhappy answer: support should reach out
    follow_up_request_id INTEGER,               -- the request support opened for it
    noted_revision INTEGER NOT NULL DEFAULT 0,  -- the answer last written onto the WooCommerce order
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX surveys_once ON surveys (store_id, source, order_id, subject);
CREATE INDEX surveys_throttle ON surveys (store_id, recipient, created_at) WHERE state = 'asked';
CREATE INDEX surveys_answered ON surveys (store_id, answered_at) WHERE answered_at IS NOT NULL;
CREATE INDEX surveys_follow_up ON surveys (store_id, changed_at) WHERE follow_up = 1;
"#,
    ),
    // Answers before the question (FAQ entries chosen by order state) and a guide for
    // every product, with what customers did with them: impressions and link clicks.
    M::up(
        r#"
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    store_id    TEXT    NOT NULL REFERENCES stores(id),
    question    TEXT    NOT NULL,
    -- sanitised HTML, as it is served (placeholders still unfilled)
    answer      TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    -- JSON {"order_statuses": [...], "delivery_states": [...], "topics": [...], "product_ids": [...]}
    conditions  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX answers_by_store ON answers (store_id, lang);

-- One row per answer, order and UTC day it was shown: the deflection figures count these.
CREATE TABLE answer_impressions (
    store_id       TEXT    NOT NULL,
    answer_id      INTEGER NOT NULL,
    order_id       INTEGER NOT NULL,
    day            TEXT    NOT NULL,
    first_shown_at TEXT    NOT NULL,
    PRIMARY KEY (store_id, answer_id, order_id, day)
) STRICT;

-- A getting-started text per product, variation or SKU (`scope`, `scope_key`).
CREATE TABLE guides (
    id          INTEGER PRIMARY KEY,
    store_id    TEXT    NOT NULL REFERENCES stores(id),
    scope       TEXT    NOT NULL,
    scope_key   TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    UNIQUE (store_id, scope, scope_key)
) STRICT;

-- A guide's links, each behind its own random token (`/g/{token}`). Kept when the guide
-- changes or goes, so links in sent messages answer and their clicks stay counted.
CREATE TABLE guide_links (
    id              INTEGER PRIMARY KEY,
    store_id        TEXT    NOT NULL,
    guide_id        INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    token           TEXT    NOT NULL UNIQUE,
    clicks          INTEGER NOT NULL DEFAULT 0,
    last_clicked_at TEXT,
    removed_at      TEXT
) STRICT;
CREATE INDEX guide_links_of ON guide_links (guide_id, position);
"#,
    ),
    // Support requests on an order: the request, its thread (customer messages, staff
    // replies, internal notes), its photos and every change of status or assignee. The
    // metrics are computed from the thread and the history, never stored apart from them.
    M::up(
        r#"
CREATE TABLE support_requests (
    id            INTEGER PRIMARY KEY,
    store_id      TEXT    NOT NULL,
    order_id      INTEGER NOT NULL,
    -- the order's customer; 0 when a guest opened it
    customer_id   INTEGER NOT NULL,
    topic         TEXT    NOT NULL,   -- support::model::Topic
    line_item_id  INTEGER,            -- the item asked about, if any
    product_id    INTEGER,            -- that item's product, for volume per product
    item_name     TEXT,               -- that item's name on the order
    status        TEXT    NOT NULL,   -- support::model::Status
    assignee      TEXT,               -- the staff user it is assigned to
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
) STRICT;

CREATE INDEX support_requests_by_order ON support_requests (store_id, order_id);
CREATE INDEX support_requests_by_customer ON support_requests (store_id, customer_id, id);
CREATE INDEX support_requests_by_status ON support_requests (store_id, status, id);

CREATE TABLE support_messages (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES support_requests (id),
    author      TEXT    NOT NULL,   -- customer | staff | note (support::model::Author)
    name        TEXT,               -- the staff member who wrote it
    body        TEXT    NOT NULL,   -- as written: plain text, escaped wherever it is shown
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX support_messages_by_request ON support_messages (request_id, id);

CREATE TABLE support_photos (
    request_id    INTEGER NOT NULL REFERENCES support_requests (id),
    message_id    INTEGER NOT NULL REFERENCES support_messages (id),
    position      INTEGER NOT NULL,
    content_type  TEXT    NOT NULL,
    bytes         INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    path          TEXT    NOT NULL,   -- relative to the data dir
    PRIMARY KEY (request_id, position)
) STRICT;

CREATE TABLE support_events (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES support_requests (id),
    kind         TEXT    NOT NULL,   -- opened | solved | reopened | assigned
    to_status    TEXT    NOT NULL,
    actor        TEXT    NOT NULL,   -- customer | staff
    actor_name   TEXT,
    assignee     TEXT,               -- for `assigned`: the new assignee (NULL: nobody)
    at           TEXT    NOT NULL
) STRICT;

CREATE INDEX support_events_by_request ON support_events (request_id, id);
"#,
    ),
    // A lane's next due job, one seek per kind: through `jobs_due` alone, a lane with
    // nothing due walked every due job of the other lanes at each look (a backlog of
    // 150,000 notifications made that a quarter of the machine).
    M::up("CREATE INDEX jobs_due_by_kind ON jobs (kind, run_after, id) WHERE done_at IS NULL;"),
    // A request aftercare opened for an unhappy survey answer names that survey: it is
    // flagged for follow-up.
    M::up("ALTER TABLE support_requests ADD COLUMN follow_up_survey INTEGER;"),
    // Insights: figures kept up to date as records are written, never by scanning on request.
    // Triggers note each changed record in `insight_pending` inside the writing transaction;
    // `insights::maintain` folds them into the counters and duration lists, keeping each
    // record's last contribution so a change is applied as a difference. docs/insights.md.
    M::up(
        r#"
CREATE TABLE insight_pending (
    store_id   TEXT    NOT NULL,
    entity     TEXT    NOT NULL,   -- insights::Entity
    entity_id  INTEGER NOT NULL,
    PRIMARY KEY (store_id, entity, entity_id)
) STRICT, WITHOUT ROWID;

-- What each record added to the figures when it was last folded, so that its next change
-- is applied as a difference. `counts` and `vals` are JSON arrays (insights::contribution).
CREATE TABLE insight_contributions (
    store_id   TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    counts     TEXT    NOT NULL,
    vals       TEXT    NOT NULL,
    PRIMARY KEY (store_id, entity, entity_id)
) STRICT, WITHOUT ROWID;

-- The paid orders as the customer figures need them: whose, which day, what they came to.
CREATE TABLE insight_orders (
    store_id   TEXT    NOT NULL,
    order_id   INTEGER NOT NULL,
    customer   TEXT    NOT NULL,   -- c{id}, or g{hash of the e-mail} for a guest
    day        INTEGER NOT NULL,   -- the shop's local day, days since 1970-01-01
    value      INTEGER NOT NULL,   -- total less refunds, in the currency's minor units
    PRIMARY KEY (store_id, order_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX insight_orders_by_customer ON insight_orders (store_id, customer, day);

-- Counters per measure, key (carrier, topic, product…) and period: a local day (grain 0)
-- and the first day of its month (grain 1), so a year reads a dozen rows per key.
CREATE TABLE insight_counts (
    store_id  TEXT    NOT NULL,
    measure   TEXT    NOT NULL,
    grain     INTEGER NOT NULL,
    key       TEXT    NOT NULL,
    period    INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (store_id, measure, grain, period, key)
) STRICT, WITHOUT ROWID;

-- Durations (seconds) per measure, key and local day, sorted, for exact medians and P90s.
CREATE TABLE insight_values (
    store_id  TEXT    NOT NULL,
    measure   TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    day       INTEGER NOT NULL,
    vals      BLOB    NOT NULL,    -- little-endian i32 seconds, ascending
    PRIMARY KEY (store_id, measure, day, key)
) STRICT, WITHOUT ROWID;

-- The name a returned product last had on an order, for the figures' tables.
CREATE TABLE insight_products (
    store_id    TEXT    NOT NULL,
    product_id  INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    PRIMARY KEY (store_id, product_id)
) STRICT, WITHOUT ROWID;

-- The folds look records up by order and by parcel.
CREATE INDEX answer_impressions_by_order ON answer_impressions (store_id, order_id);
CREATE INDEX delay_alerts_by_shipment ON delay_alerts (shipment_id, code);

-- What the aggregates were computed with (time zone, calendar, hours, active days): when
-- it changes, they are rebuilt.
CREATE TABLE insight_state (
    store_id  TEXT PRIMARY KEY,
    basis     TEXT NOT NULL
) STRICT;

CREATE TRIGGER insight_order_in AFTER INSERT ON orders BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'order', NEW.order_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_order_up AFTER UPDATE ON orders BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'order', NEW.order_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_order_out AFTER DELETE ON orders BEGIN
    INSERT INTO insight_pending VALUES (OLD.store_id, 'order', OLD.order_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_survey_in AFTER INSERT ON surveys BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'survey', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_survey_up AFTER UPDATE OF state, score, answered_at ON surveys BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'survey', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_request_in AFTER INSERT ON support_requests BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'request', NEW.id) ON CONFLICT DO NOTHING;
    INSERT INTO insight_pending VALUES (NEW.store_id, 'deflection', NEW.order_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_request_up AFTER UPDATE OF status, topic, product_id ON support_requests BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'request', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_request_message AFTER INSERT ON support_messages BEGIN
    INSERT INTO insight_pending
        SELECT store_id, 'request', id FROM support_requests WHERE id = NEW.request_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_request_event AFTER INSERT ON support_events BEGIN
    INSERT INTO insight_pending
        SELECT store_id, 'request', id FROM support_requests WHERE id = NEW.request_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_impression AFTER INSERT ON answer_impressions BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'deflection', NEW.order_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_shipment_in AFTER INSERT ON shipments BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'shipment', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_shipment_up AFTER UPDATE OF carrier, shipped_at, status, delivered_at, removed_at, created_at ON shipments BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'shipment', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_shipment_event AFTER INSERT ON shipment_events
    WHEN NEW.status IN ('exception', 'returned') BEGIN
    INSERT INTO insight_pending
        SELECT store_id, 'shipment', id FROM shipments WHERE id = NEW.shipment_id ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_shipment_alert AFTER INSERT ON delay_alerts
    WHEN NEW.shipment_id > 0 BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'shipment', NEW.shipment_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_return_in AFTER INSERT ON returns BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'return', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_return_up AFTER UPDATE OF status ON returns BEGIN
    INSERT INTO insight_pending VALUES (NEW.store_id, 'return', NEW.id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER insight_return_item AFTER INSERT ON return_items BEGIN
    INSERT INTO insight_pending
        SELECT store_id, 'return', id FROM returns WHERE id = NEW.return_id ON CONFLICT DO NOTHING;
END;
"#,
    ),
    // Privacy: each order whose personal data was anonymised (an erasure request or the
    // retention period), so retention passes it by and the export can say so.
    M::up(
        r#"
CREATE TABLE privacy_erasures (
    store_id   TEXT    NOT NULL,
    order_id   INTEGER NOT NULL,
    cause      TEXT    NOT NULL,   -- request | retention
    erased_at  TEXT    NOT NULL,
    PRIMARY KEY (store_id, order_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX orders_by_created ON orders (store_id, date_created);
"#,
    ),
    // Every read of open jobs goes through `jobs_due_by_kind` (or `jobs_open`): `jobs_due`
    // only cost each enqueue, deferral and completion one more index write.
    M::up("DROP INDEX jobs_due;"),
];

pub const MIGRATIONS: Migrations<'_> = Migrations::from_slice(SLICE);

/// The schema this binary writes: the number of migrations, kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: usize = SLICE.len();

/// An in-memory database with every migration applied, for the unit tests of each domain's SQL.
#[cfg(test)]
pub fn in_memory() -> rusqlite::Connection {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    MIGRATIONS.to_latest(&mut conn).unwrap();
    conn
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::MIGRATIONS.validate().unwrap();
    }
}
