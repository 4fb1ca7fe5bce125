//! The WooCommerce webhook: its signature check and payload parser on their own, and
//! signed deliveries of mutated orders through the real router.

use aftercare::secret::Secret;
use aftercare::webhook::payload;
use aftercare::webhook::signature::{Verifier, sign};
use proptest::prelude::*;
use serde_json::Value;

use super::inputs::{self, Body};
use super::{JOBS, check, fingerprint, is_error_body, runtime};
use crate::helpers::*;

const TOPICS: &[&str] = &[
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "product.updated",
    "ORDER.UPDATED",
    "order.",
];

fn order() -> Value {
    serde_json::from_slice(&fixture("orders/registered-krw.json")).unwrap()
}

/// Any topic (mostly WooCommerce's own) and any body the generators make.
fn delivery() -> impl Strategy<Value = (&'static str, Body)> {
    let bodies = prop_oneof![
        6 => inputs::body(order()),
        1 => inputs::body(serde_json::json!({"id": 1001})),
        1 => inputs::body(serde_json::from_slice(&fixture("orders/error-cannot-view.json")).unwrap()),
        1 => inputs::bytes(),
    ];
    (proptest::sample::select(TOPICS), bodies)
}

#[test]
fn the_payload_parser_never_panics() {
    check("webhook::parse", 400, delivery(), |(topic, body)| {
        // Ok or Err, both fine: what is refused is the HTTP target's business.
        let _ = payload::parse(topic, &body.0);
        Ok(())
    });
}

#[test]
fn the_signature_check_never_panics_and_accepts_only_the_true_signature() {
    let verifier = Verifier::new(&[Secret::new(SECRET), Secret::new(OLD_SECRET)]);
    let signature = prop_oneof![
        any::<String>(),
        "[A-Za-z0-9+/=\\s]{0,64}",
        proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b)),
    ];
    check(
        "webhook::signature",
        400,
        (inputs::bytes(), signature),
        |(body, signature)| {
            prop_assert!(verifier.verify(&body.0, &sign(&body.0, SECRET)));
            prop_assert!(verifier.verify(&body.0, &sign(&body.0, OLD_SECRET)));
            prop_assert!(!verifier.verify(&body.0, &sign(&body.0, "another secret")));
            let forged = signature != sign(&body.0, SECRET)
                && signature.trim() != sign(&body.0, SECRET)
                && signature.trim() != sign(&body.0, OLD_SECRET);
            if forged {
                prop_assert!(!verifier.verify(&body.0, &signature));
            }
            Ok(())
        },
    );
}

/// How the fuzzed delivery is signed.
#[derive(Debug, Clone, Copy)]
enum Signing {
    Valid,
    OtherSecret,
    Garbage,
    Missing,
}

/// What a delivery writes; a refused one must leave all of it as it was.
const WRITES: &[&str] = &[
    "orders",
    "line_items",
    "deliveries",
    "order_tombstones",
    JOBS,
];

#[test]
fn fuzzed_deliveries_through_the_router_are_answered_and_refusals_store_nothing() {
    let rt = runtime();
    let app = rt.block_on(TestApp::spawn());
    let signing = prop_oneof![
        8 => Just(Signing::Valid),
        1 => Just(Signing::OtherSecret),
        1 => Just(Signing::Garbage),
        1 => Just(Signing::Missing),
    ];
    check(
        "webhook::router",
        60,
        (delivery(), signing),
        |((topic, body), signing)| {
            rt.block_on(app.run_jobs_until_idle());
            let before = fingerprint(&app.db(), WRITES);
            let mut request = app
                .client
                .post(app.url("/webhooks/woocommerce"))
                .header("content-type", "application/json")
                .header("x-wc-webhook-topic", topic)
                .header("x-wc-webhook-id", "16")
                .body(body.0.clone());
            request = match signing {
                Signing::Valid => request.header("x-wc-webhook-signature", sign(&body.0, SECRET)),
                Signing::OtherSecret => {
                    request.header("x-wc-webhook-signature", sign(&body.0, "not the secret"))
                }
                Signing::Garbage => request.header("x-wc-webhook-signature", "%%%"),
                Signing::Missing => request,
            };
            let (status, answer) = rt.block_on(async { read(request.send().await.unwrap()).await });
            match status {
                200 => {
                    prop_assert!(
                        matches!(signing, Signing::Valid),
                        "unsigned accepted: {answer}"
                    );
                    let outcome = answer["status"].as_str().unwrap_or_default();
                    prop_assert!(
                        ["accepted", "duplicate", "stale", "ignored"].contains(&outcome),
                        "{answer}"
                    );
                }
                400 | 401 | 413 => {
                    prop_assert!(is_error_body(&answer), "{status} {answer}");
                    if !matches!(signing, Signing::Valid) {
                        prop_assert_eq!(status, 401, "{}", answer);
                    }
                    let after = fingerprint(&app.db(), WRITES);
                    prop_assert_eq!(before, after, "a refused delivery changed the mirror");
                }
                _ => prop_assert!(false, "{status} {answer}"),
            }
            Ok(())
        },
    );
    // A generator that never got past the parser would prove nothing.
    assert!(
        app.count("SELECT COUNT(*) FROM deliveries WHERE outcome = 'accepted'") > 0,
        "no fuzzed delivery was accepted"
    );
    // A well-formed order still goes in and shows.
    rt.block_on(async {
        let (status, answer) = app
            .deliver(
                "order.created",
                &order_body(777_001, 77, "2026-11-20T00:00:00"),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "accepted");
        let (status, view) = app.get("/api/v1/customers/77/orders/777001").await;
        assert_eq!(status, 200, "{view}");
        app.stop().await;
    });
}

mod regressions {
    use super::*;

    /// Found by fuzzing: an amount of 18,879 characters (zeros with one byte flipped)
    /// overflowed the stack while it was parsed, which aborts the whole service.
    #[test]
    fn a_very_long_amount_is_refused_without_overflowing_the_stack() {
        let mut body = order();
        for long in [
            format!("{}={}", "0".repeat(18_138), "0".repeat(740)),
            "0".repeat(100_000),
            "9".repeat(100_000),
            format!("1.{}", "5".repeat(100_000)),
            format!("1e{}", "0".repeat(100_000)),
        ] {
            body["fee_lines"][0]["total"] = long.into();
            let text = serde_json::to_vec(&body).unwrap();
            // On its own thread with the stack size of a tokio worker (2 MiB).
            let parsed = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || payload::parse("order.created", &text).is_ok())
                .unwrap()
                .join()
                .unwrap();
            assert!(!parsed, "an amount of 100,000 characters is no amount");
        }
    }
}
