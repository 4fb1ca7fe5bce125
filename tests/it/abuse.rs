//! Hostile clients: slow or idle connections are closed, guessing tokens is limited.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("the server kept the connection open for {within:?}"),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // A byte now and then does not keep it alive: the headers have ten seconds in all.
    let trickle = async {
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if stream.write_all(b"a").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(12), trickle).await;
    let (_, waited) = until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(waited < Duration::from_secs(10));
    // The service still answers everyone else.
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0; 4096];
    let n = stream.read(&mut buffer).await.unwrap();
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
    // Nothing more is sent: the connection is closed after the header deadline.
    let (_, waited) = until_closed(&mut stream, Duration::from_secs(15)).await;
    assert!(waited >= Duration::from_secs(5), "{waited:?}");
    app.stop().await;
}

#[tokio::test]
async fn guessing_tracking_tokens_is_answered_with_429_and_retry_after() {
    let app = TestApp::spawn().await;
    for i in 0..30 {
        let response = app
            .client
            .get(app.url(&format!("/t/guess{i:04}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "guess {i}");
    }
    let response = app
        .client
        .get(app.url("/t/guess9999"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 500 && retry <= 600, "{retry}");
    let (_, body) = read(response).await;
    assert_error(&body, "too_many_attempts");
    // Another area and other clients are not held up.
    let response = app.client.get(app.url("/s/guess")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    app.stop().await;
}

#[tokio::test]
async fn behind_a_proxy_each_client_is_counted_apart() {
    let app = TestApp::spawn_with("client_ip_header = \"X-Forwarded-For\"").await;
    let attempt = |client: &'static str| {
        app.client
            .get(app.url("/unsubscribe/forged-token"))
            .header("x-forwarded-for", format!("198.51.100.1, {client}"))
            .send()
    };
    for _ in 0..30 {
        let status = attempt("203.0.113.7").await.unwrap().status();
        assert!(status.is_client_error() && status != 429, "{status}");
    }
    assert_eq!(attempt("203.0.113.7").await.unwrap().status(), 429);
    // The shop's other customers behind the same proxy still get through.
    let status = attempt("203.0.113.8").await.unwrap().status();
    assert!(status.is_client_error() && status != 429, "{status}");
    app.stop().await;
}

#[tokio::test]
async fn wrong_api_keys_are_limited_and_the_right_one_still_works_elsewhere() {
    let app = TestApp::spawn().await;
    for _ in 0..30 {
        let (status, _) = app.get_as("/api/v1/insights", "not-the-key").await;
        assert_eq!(status, 401);
    }
    let (status, body) = app.get_as("/api/v1/insights", "not-the-key").await;
    assert_eq!(status, 429);
    assert_error(&body, "too_many_attempts");
    // The same address is held back, whatever key it now sends: guessing stops here.
    let (status, _) = app.get("/api/v1/insights").await;
    assert_eq!(status, 429);
    app.stop().await;
}

#[tokio::test]
async fn a_customers_failed_form_checks_on_a_real_survey_are_no_guesses() {
    let app = TestApp::spawn_with("timezone = \"UTC\"\n[surveys]\nnps_delay_days = 0\n").await;
    crate::surveys::delivered_order(&app, 702, "minji@example.com", 1440).await;
    app.run_jobs_until_idle().await;
    let token = crate::surveys::token_of(&app, 702);
    // A stale page posted again and again: no form nonce, 403 each time.
    for i in 0..40 {
        let response = app
            .client
            .post(app.url(&format!("/s/{token}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("score=9")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "post {i}");
    }
    let response = app
        .client
        .get(app.url(&format!("/s/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Unknown tokens still are.
    for _ in 0..30 {
        let response = app.client.get(app.url("/s/guess")).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
    let response = app
        .client
        .get(app.url(&format!("/s/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    app.stop().await;
}
