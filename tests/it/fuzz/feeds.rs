//! Every tracking provider's push: 17TRACK's and AfterShip's signed pushes and Delivery
//! Tracker's callback, parsed on their own and posted through the router with valid
//! signatures for parcels the store follows.

use aftercare::feeds::adapter::Inbound;
use aftercare::feeds::aftership::{self, AfterShip};
use aftercare::feeds::delivery_tracker::DeliveryTracker;
use aftercare::feeds::seventeen::{self, SeventeenTrack};
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::inputs::{self, Body};
use super::{JOBS, check, fingerprint, is_error_body, runtime};
use crate::helpers::*;

const SEVENTEEN_KEY: &str = "fuzz-17track-key";
const AFTERSHIP_SECRET: &str = "fuzz-aftership-secret";
/// The fixtures' numbers, followed by the store in the end-to-end target.
const SEVENTEEN_NUMBER: &str = "568912340017";
const AFTERSHIP_NUMBER: &str = "1Z999AA10123456784";
const DT_NUMBER: &str = "640123456781";

fn json_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

fn zones() -> impl Strategy<Value = TimeZone> {
    proptest::sample::select(vec![
        "UTC",
        "Asia/Seoul",
        "America/New_York",
        "Pacific/Kiritimati",
    ])
    .prop_map(|name| TimeZone::get(name).unwrap())
}

/// What every snapshot promises whatever came in.
fn sound(inbound: &Inbound) -> Result<(), TestCaseError> {
    if let Inbound::Snapshot(snap) = inbound {
        prop_assert!(!snap.number.trim().is_empty());
        prop_assert!(
            snap.events
                .windows(2)
                .all(|w| w[0].occurred_at <= w[1].occurred_at),
            "events out of order"
        );
        for event in &snap.events {
            prop_assert!(!event.location.chars().any(char::is_control));
            prop_assert!(!event.description.chars().any(char::is_control));
        }
    }
    Ok(())
}

fn seventeen_bodies() -> impl Strategy<Value = Body> {
    prop_oneof![
        inputs::body(json_fixture("17track/push-updated.json")),
        inputs::body(json_fixture("17track/push-stopped.json")),
    ]
}

fn aftership_bodies() -> impl Strategy<Value = Body> {
    inputs::body(json_fixture("aftership/webhook-update.json"))
}

fn callback_bodies() -> impl Strategy<Value = Body> {
    inputs::body(json_fixture("delivery-tracker/callback.json"))
}

#[test]
fn the_17track_push_parser_never_panics() {
    check(
        "feeds::17track",
        300,
        (seventeen_bodies(), zones()),
        |(body, zone)| {
            let sign = seventeen::signature(&body.0, SEVENTEEN_KEY);
            if let Ok(inbound) =
                SeventeenTrack::verify_push(SEVENTEEN_KEY, &zone, Some(&sign), &body.0)
            {
                sound(&inbound)?;
            }
            prop_assert!(
                SeventeenTrack::verify_push(SEVENTEEN_KEY, &zone, Some("0"), &body.0).is_err()
            );
            Ok(())
        },
    );
}

#[test]
fn the_aftership_push_parser_never_panics() {
    check(
        "feeds::aftership",
        300,
        (aftership_bodies(), zones()),
        |(body, zone)| {
            let sign = aftership::signature(&body.0, AFTERSHIP_SECRET);
            if let Ok(inbound) =
                AfterShip::verify_push(AFTERSHIP_SECRET, &zone, Some(&sign), &body.0)
            {
                sound(&inbound)?;
            }
            prop_assert!(AfterShip::verify_push(AFTERSHIP_SECRET, &zone, None, &body.0).is_err());
            Ok(())
        },
    );
}

#[test]
fn the_delivery_tracker_callback_parser_never_panics() {
    check("feeds::delivery_tracker", 300, callback_bodies(), |body| {
        if let Ok(Inbound::Refetch {
            number,
            carrier_code,
        }) = DeliveryTracker::parse_callback(&body.0)
        {
            prop_assert!(!number.trim().is_empty());
            prop_assert!(carrier_code.is_some_and(|c| !c.trim().is_empty()));
        }
        Ok(())
    });
}

/// The three providers on the default store, each following one of the fixture numbers;
/// their APIs are unreachable (registration stays pending, which pushes still update).
fn feeds_toml() -> String {
    format!(
        "[feeds]\npoll_seconds = 3600\n\
         [feeds.stores.default.17track]\napi_key = \"{SEVENTEEN_KEY}\"\nurl = \"http://127.0.0.1:9/17track\"\n\
         [feeds.stores.default.aftership]\napi_key = \"fuzz\"\nwebhook_secret = \"{AFTERSHIP_SECRET}\"\n\
         url = \"http://127.0.0.1:9/aftership\"\n\
         [feeds.stores.default.delivery_tracker]\nkey = \"fuzz-id:fuzz-secret\"\nurl = \"http://127.0.0.1:9/graphql\"\n\
         [feeds.stores.default.carriers]\nups = \"aftership\"\n\"cj-logistics\" = \"17track\"\nhanjin = \"delivery-tracker\"\n"
    )
}

#[derive(Debug, Clone, Copy)]
enum Feed {
    Seventeen,
    AfterShip,
    DeliveryTracker,
}

/// What a push writes; a refused one must leave all of it as it was.
const WRITES: &[&str] = &[
    // What only a push writes: the registration the service retries in the background
    // (the providers' APIs are unreachable here) changes the state, failures and times.
    "SELECT id, shipment_id, number, carrier_code, last_checked_at, last_event_at \
     FROM feed_subscriptions",
    "feed_event_flags",
    "shipments",
    "shipment_events",
    "delay_alerts",
    JOBS,
];

#[test]
fn fuzzed_pushes_with_valid_signatures_are_answered_and_refusals_store_nothing() {
    let rt = runtime();
    let app = rt.block_on(async {
        let app = TestApp::spawn_with(&feeds_toml()).await;
        let mut order: Value = json_fixture("orders/registered-krw.json");
        order["meta_data"]
            .as_array_mut()
            .unwrap()
            .retain(|m| m["key"] != "_wc_shipment_tracking_items");
        let (status, answer) = app
            .deliver("order.created", &serde_json::to_vec(&order).unwrap())
            .await;
        assert_eq!(status, 200, "{answer}");
        for (carrier, number, line, quantity) in [
            ("ups", AFTERSHIP_NUMBER, 201, 1),
            ("cj-logistics", SEVENTEEN_NUMBER, 202, 2),
            ("hanjin", DT_NUMBER, 203, 1),
        ] {
            let (status, body) = app
                .post_json(
                    "/api/v1/orders/1001/shipments",
                    &json!({"carrier": carrier, "tracking_number": number,
                            "shipped_at": "2026-11-14T02:00:00Z",
                            "items": [{"line_item_id": line, "quantity": quantity}]}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
        app.run_jobs_until_idle().await;
        app
    });
    let followed = app.count("SELECT COUNT(*) FROM feed_subscriptions WHERE state != 'stopped'");
    assert_eq!(followed, 3, "each parcel is followed by its feed");
    let pushes = prop_oneof![
        2 => seventeen_bodies().prop_map(|b| (Feed::Seventeen, b)),
        2 => aftership_bodies().prop_map(|b| (Feed::AfterShip, b)),
        1 => callback_bodies().prop_map(|b| (Feed::DeliveryTracker, b)),
    ];
    check("feeds::router", 60, pushes, |(feed, body)| {
        rt.block_on(app.run_jobs_until_idle());
        let before = fingerprint(&app.db(), WRITES);
        let (path, header, signature) = match feed {
            Feed::Seventeen => (
                "/feeds/17track",
                Some("sign"),
                seventeen::signature(&body.0, SEVENTEEN_KEY),
            ),
            Feed::AfterShip => (
                "/feeds/aftership",
                Some("aftership-hmac-sha256"),
                aftership::signature(&body.0, AFTERSHIP_SECRET),
            ),
            Feed::DeliveryTracker => ("/feeds/delivery-tracker", None, String::new()),
        };
        let mut request = app
            .client
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body.0.clone());
        if let Some(header) = header {
            request = request.header(header, signature);
        }
        let (status, answer) = rt.block_on(async { read(request.send().await.unwrap()).await });
        match status {
            200 => {
                let outcome = answer["status"].as_str().unwrap_or_default();
                prop_assert!(
                    ["applied", "queued", "ignored"].contains(&outcome),
                    "{answer}"
                );
            }
            400 | 413 => {
                prop_assert!(is_error_body(&answer), "{status} {answer}");
                prop_assert_eq!(
                    before,
                    fingerprint(&app.db(), WRITES),
                    "a refused push changed {}",
                    path
                );
            }
            _ => prop_assert!(false, "{status} {answer}"),
        }
        Ok(())
    });
    // A generator that never got past the parsers would prove nothing.
    assert!(
        app.count("SELECT COUNT(*) FROM shipment_events") > 0,
        "no fuzzed push was applied"
    );
    // The untouched fixture still applies.
    rt.block_on(async {
        let body = fixture("aftership/webhook-update.json");
        let response = app
            .client
            .post(app.url("/feeds/aftership"))
            .header(
                "aftership-hmac-sha256",
                aftership::signature(&body, AFTERSHIP_SECRET),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, answer) = read(response).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "applied", "{answer}");
        app.stop().await;
    });
}
