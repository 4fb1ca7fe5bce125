//! The survey form (`POST /s/{token}`): generated fields, bodies, origins and tokens
//! against a real survey. Whatever is posted, the answer is the page's status (an HTML
//! page, never a 5xx), and only an accepted post changes the survey.

use proptest::prelude::*;

use super::inputs::{self, Body};
use super::{JOBS, check, fingerprint, runtime};
use crate::helpers::*;
use crate::surveys::{delivered_order, nonce, token_of};

/// What an answer writes.
const WRITES: &[&str] = &["surveys", "event_deliveries", JOBS];

#[derive(Debug, Clone)]
enum Posted {
    Fields(Vec<(String, String)>),
    Raw(Body),
}

#[derive(Debug, Clone, Copy)]
enum Origin {
    None,
    Own,
    Evil,
}

#[derive(Debug, Clone)]
enum Token {
    Real,
    Damaged(proptest::sample::Index, u8),
    Any(String),
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0i64..12).prop_map(|n| n.to_string()),
        1 => Just(" 9 ".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("٣".to_owned()),
        1 => Just("\0".to_owned()),
        2 => proptest::sample::select(vec!["delivery", "product", "support", "price", "other", "Delivery"])
            .prop_map(str::to_owned),
        2 => any::<String>(),
        1 => (1990usize..2100).prop_map(|n| "가".repeat(n)),
        1 => (1usize..20_000).prop_map(|n| "\r\n".repeat(n)),
    ]
}

fn fields() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        3 => Just("score".to_owned()),
        2 => Just("topic".to_owned()),
        2 => Just("comment".to_owned()),
        3 => Just("form".to_owned()),
        1 => "[ -~]{0,8}",
    ];
    proptest::collection::vec((key, value()), 0..8)
}

#[test]
fn fuzzed_survey_posts_are_answered_and_refusals_change_nothing() {
    let rt = runtime();
    let (app, token, form) = rt.block_on(async {
        let app = TestApp::spawn_with(
            // Each round comes from its own address: this is the form's test, not the
            // guessing limit's (tests/it/abuse.rs).
            "timezone = \"UTC\"\nclient_ip_header = \"X-Forwarded-For\"\n\
             [surveys]\nnps_delay_days = 0\nedit_days = 30\n",
        )
        .await;
        delivered_order(&app, 701, "minji@example.com", 1440).await;
        app.run_jobs_until_idle().await;
        let token = token_of(&app, 701);
        let page = app.text(app.url(&format!("/s/{token}"))).await;
        let form = nonce(&page);
        (app, token, form)
    });
    let posted = prop_oneof![
        6 => fields().prop_map(Posted::Fields),
        1 => inputs::bytes().prop_map(Posted::Raw),
    ];
    let origin =
        prop_oneof![3 => Just(Origin::None), 3 => Just(Origin::Own), 1 => Just(Origin::Evil)];
    let tokens = prop_oneof![
        6 => Just(Token::Real),
        1 => (any::<proptest::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Token::Damaged(i, b)),
        // Never empty nor dots: `/s/` and `/s/..` are other paths.
        1 => "[A-Za-z0-9_~-]{1,120}".prop_map(Token::Any),
    ];
    // A real nonce in most posts, so that the fields are read at all.
    let with_nonce = prop_oneof![4 => Just(true), 1 => Just(false)];
    let round = std::sync::atomic::AtomicU32::new(0);
    check(
        "survey::router",
        80,
        (posted, origin, tokens, with_nonce),
        |(posted, origin, which, with_nonce)| {
            rt.block_on(app.run_jobs_until_idle());
            let before = fingerprint(&app.db(), WRITES);
            let token_text = match &which {
                Token::Real => token.clone(),
                Token::Damaged(at, b) => {
                    let mut bytes = token.clone().into_bytes();
                    let i = at.index(bytes.len());
                    bytes[i] = if b.is_ascii_alphanumeric() { *b } else { b'A' };
                    String::from_utf8(bytes).unwrap()
                }
                Token::Any(text) => text.clone(),
            };
            let body = match &posted {
                Posted::Fields(pairs) => {
                    let mut s = url::form_urlencoded::Serializer::new(String::new());
                    if with_nonce {
                        s.append_pair("form", &form);
                    }
                    s.extend_pairs(pairs);
                    s.finish().into_bytes()
                }
                Posted::Raw(body) => body.0.clone(),
            };
            let mut request = app
                .client
                .post(app.url(&format!("/s/{token_text}")))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-forwarded-for", {
                    // A new address every round, for 16 million rounds: even a long pass
                    // never reaches one address's limit.
                    let n = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
                })
                .body(body);
            request = match origin {
                Origin::None => request,
                Origin::Own => request.header("origin", app.url("")),
                Origin::Evil => request.header("origin", "https://evil.example"),
            };
            let (status, content_type) = rt.block_on(async {
                let r = request.send().await.unwrap();
                let status = r.status().as_u16();
                let ct = r
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let _ = r.bytes().await;
                (status, ct)
            });
            prop_assert!(
                [200, 403, 404, 409, 410, 413, 422].contains(&status),
                "status {status}"
            );
            if status != 413 {
                prop_assert!(content_type.starts_with("text/html"), "{content_type}");
            }
            if status != 200 {
                prop_assert_eq!(
                    before,
                    fingerprint(&app.db(), WRITES),
                    "a refused post changed the survey"
                );
            } else {
                prop_assert!(matches!(origin, Origin::None | Origin::Own));
            }
            Ok(())
        },
    );
    // A proper answer is still taken.
    rt.block_on(async {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("score", "9"),
                ("topic", "delivery"),
                ("form", form.as_str()),
            ])
            .finish();
        let r = app
            .client
            .post(app.url(&format!("/s/{token}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
        let score: i64 = app
            .db()
            .query_row("SELECT score FROM surveys WHERE order_id = 701", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(score, 9);
        app.stop().await;
    });
}
