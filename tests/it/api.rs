//! `/api/v1`: authentication, the order list and view, guests, isolation, OpenAPI.

use std::collections::BTreeSet;

use crate::helpers::*;

async fn seed_fixtures(app: &TestApp) {
    for file in [
        "orders/registered-krw.json",
        "orders/guest-usd.json",
        "orders/checkout-draft.json",
        "orders/pending-eur.json",
    ] {
        let (status, _) = app.deliver("order.created", &fixture(file)).await;
        assert_eq!(status, 200, "{file}");
    }
}

#[tokio::test]
async fn every_route_needs_a_valid_api_key() {
    let app = TestApp::spawn().await;
    seed_fixtures(&app).await;
    for path in [
        "/api/v1/customers/42/orders",
        "/api/v1/customers/42/orders/1001",
        "/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien@example.net",
        "/api/v1/openapi.json",
        "/api/v1/alerts",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.to_str().unwrap()),
            Some("Bearer")
        );
        let (status, body) = read(response).await;
        assert_eq!(status, 401, "{path}");
        assert_error(&body, "missing_api_key");

        let (status, body) = app.get_as(path, "not-the-key-0123456789").await;
        assert_eq!(status, 401, "{path}");
        assert_error(&body, "invalid_api_key");

        let response = app
            .client
            .get(app.url(path))
            .header("authorization", format!("Basic {API_KEY}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}: only Bearer");

        let (status, _) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
    }

    // An address that does not exist says so only to a caller with a key.
    let response = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    let (status, body) = read(response).await;
    assert_eq!(status, 401);
    assert_error(&body, "missing_api_key");
    let (status, body) = app.get("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_error(&body, "not_found");
    app.stop().await;
}

#[tokio::test]
async fn the_order_view_has_everything_the_page_shows() {
    let app = TestApp::spawn().await;
    seed_fixtures(&app).await;
    let (status, view) = app.get("/api/v1/customers/42/orders/1001").await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["id"], 1001);
    assert_eq!(view["number"], "1001");
    assert_eq!(view["status"], "processing");
    assert_eq!(view["currency"], "KRW");
    assert_eq!(view["date_created"], "2026-11-14T01:12:05Z");
    assert_eq!(view["date_paid"], "2026-11-14T01:12:41Z");
    // KRW has no decimals; money is always a string.
    assert_eq!(view["total"], "152130");
    assert_eq!(view["subtotal"], "147000");
    assert_eq!(view["shipping_total"], "3000");
    assert_eq!(view["tax_total"], "13830");
    assert_eq!(view["discount_total"], "14700");
    assert_eq!(view["refunded_total"], "15000");
    assert_eq!(view["payment_method_title"], "카카오페이");
    assert_eq!(view["email"], "minji.kim@example.com");
    assert_eq!(view["billing"]["first_name"], "민지");
    assert_eq!(view["billing"]["city"], "서울특별시");
    assert_eq!(view["shipping"]["postcode"], "06236");
    assert!(view["customer_note"].as_str().unwrap().contains('🙏'));
    let items = view["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        for field in [
            "id",
            "name",
            "sku",
            "quantity",
            "price",
            "total",
            "image",
            "shipments",
        ] {
            assert!(item.get(field).is_some(), "line item lacks {field}: {item}");
        }
        assert!(item["price"].is_string() && item["total"].is_string());
    }
    let hoodie = items.iter().find(|i| i["variation_id"] != 0).unwrap();
    assert_eq!(hoodie["quantity"], 2);
    assert_eq!(hoodie["price"], "45000");
    assert!(
        hoodie["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "색상" && a["value"] == "블랙")
    );
    assert_eq!(view["coupon_lines"][0]["code"], "welcome10");
    // No returns yet; nothing is returnable before the parcels arrive (tests/it/returns.rs
    // has every rule).
    assert_eq!(view["returns"], serde_json::json!([]));
    let eligibility = view["return_eligibility"].as_array().unwrap();
    assert_eq!(eligibility.len(), items.len());
    for e in eligibility {
        assert_eq!(e["returnable_quantity"], 0);
        assert_eq!(e["reason"], "not_delivered");
        assert!(e["message"].as_str().unwrap().contains("delivered"));
    }
    assert!(view["invoice"].is_null());
    // Tracking: the two parcels of the order's tracking meta (tests/it/tracking.rs has more).
    assert_eq!(view["shipments"].as_array().unwrap().len(), 2);
    assert_eq!(view["alerts"], serde_json::json!([]));
    let page = view["tracking_url"].as_str().unwrap();
    let token = page.rsplit_once("/t/").unwrap().1;
    assert_eq!(token.len(), 32, "{page}");
    assert_eq!(view["delivery_state"], "shipped");
    // The order key never leaves the service.
    assert!(!view.to_string().contains("wc_order_"), "order key leaked");

    // USD keeps two decimals.
    let (status, guest) = app
        .get("/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien@example.net")
        .await;
    assert_eq!(status, 200);
    assert_eq!(guest["total"], "68.72");
    assert_eq!(guest["shipping_total"], "5.00");
    assert!(!guest.to_string().contains("wc_order_"));
    app.stop().await;
}

#[tokio::test]
async fn the_list_is_newest_first_paged_and_hides_drafts_and_trash() {
    let app = TestApp::spawn().await;
    for (id, created) in [
        (501, "2026-11-01T10:00:00"),
        (502, "2026-11-03T10:00:00"),
        (503, "2026-11-02T10:00:00"),
        (504, "2026-11-04T10:00:00"),
        (505, "2026-11-05T10:00:00"),
    ] {
        app.deliver("order.created", &customer_order(id, 7, created))
            .await;
    }
    let mut draft: serde_json::Value =
        serde_json::from_slice(&customer_order(506, 7, "2026-11-06T10:00:00")).unwrap();
    draft["status"] = "checkout-draft".into();
    app.deliver("order.created", &serde_json::to_vec(&draft).unwrap())
        .await;
    app.deliver("order.deleted", br#"{"id":505}"#).await;

    let (status, list) = app.get("/api/v1/customers/7/orders").await;
    assert_eq!(status, 200);
    let ids: Vec<u64> = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [504, 502, 503, 501]);
    assert_eq!(
        (
            list["page"].as_u64(),
            list["per_page"].as_u64(),
            list["total"].as_u64()
        ),
        (Some(1), Some(10), Some(4))
    );
    assert_eq!(list["orders"][0]["total"], "152130");
    assert_eq!(list["orders"][0]["item_count"], 4);

    let (_, page2) = app
        .get("/api/v1/customers/7/orders?page=2&per_page=3")
        .await;
    let ids: Vec<u64> = page2["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [501]);
    assert_eq!(page2["total"], 4);
    let (_, beyond) = app.get("/api/v1/customers/7/orders?page=9").await;
    assert_eq!(beyond["orders"], serde_json::json!([]));

    // The draft and the trashed order are not reachable by id either.
    for id in [505, 506] {
        let (status, body) = app.get(&format!("/api/v1/customers/7/orders/{id}")).await;
        assert_eq!(status, 404);
        assert_error(&body, "order_not_found");
    }
    app.stop().await;
}

#[tokio::test]
async fn guests_own_nothing_and_bad_input_is_a_400() {
    let app = TestApp::spawn().await;
    seed_fixtures(&app).await;
    let (status, list) = app.get("/api/v1/customers/0/orders").await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 0);
    let (status, _) = app.get("/api/v1/customers/0/orders/1002").await;
    assert_eq!(status, 404, "a guest order is not customer 0's");

    for (path, code) in [
        ("/api/v1/customers/abc/orders", "invalid_path"),
        ("/api/v1/customers/-1/orders", "invalid_path"),
        ("/api/v1/customers/42/orders/1.5", "invalid_path"),
        (
            "/api/v1/customers/99999999999999999999999/orders",
            "invalid_path",
        ),
        ("/api/v1/customers/42/orders?per_page=0", "invalid_query"),
        ("/api/v1/customers/42/orders?per_page=101", "invalid_query"),
        ("/api/v1/customers/42/orders?page=0", "invalid_query"),
        ("/api/v1/customers/42/orders?page=abc", "invalid_query"),
        ("/api/v1/guest/orders/1002", "invalid_query"),
        (
            "/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB",
            "invalid_query",
        ),
        ("/api/v1/guest/orders/x?key=a&email=b", "invalid_path"),
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_error(&body, code);
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_and_foreign_orders_are_indistinguishable() {
    let app = TestApp::spawn().await;
    seed_fixtures(&app).await;
    let (s1, foreign) = app.get("/api/v1/customers/43/orders/1001").await;
    let (s2, missing) = app.get("/api/v1/customers/42/orders/987654").await;
    assert_eq!((s1, s2), (404, 404));
    assert_eq!(foreign, missing);
    app.stop().await;
}

#[tokio::test]
async fn guest_access_by_key_and_email_with_a_rate_limit() {
    let app = TestApp::spawn().await;
    seed_fixtures(&app).await;
    let good =
        "/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=Zoe.OBrien%40Example.NET";
    let (status, view) = app.get(good).await;
    assert_eq!(status, 200, "email is case-insensitive: {view}");
    assert_eq!(view["id"], 1002);

    // Registered customers' orders open with their key too (it is in their confirmation email).
    let (status, _) = app
        .get("/api/v1/guest/orders/1001?key=wc_order_Vq7Rk2mXp9LtZ&email=minji.kim@example.com")
        .await;
    assert_eq!(status, 200);

    let misses = [
        "/api/v1/guest/orders/1002?key=wc_order_WRONG&email=zoe.obrien@example.net",
        "/api/v1/guest/orders/1002?key=wc_order_h3JdN8wYc5QeB&email=someone@example.net",
        "/api/v1/guest/orders/1002?key=&email=",
        "/api/v1/guest/orders/424242?key=wc_order_h3JdN8wYc5QeB&email=zoe.obrien@example.net",
        "/api/v1/guest/orders/1003?key=wc_order_Tb4sWq1ZnE8yK&email=minji.kim@example.com",
    ];
    let mut bodies = BTreeSet::new();
    for path in misses {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        bodies.insert(body.to_string());
    }
    assert_eq!(bodies.len(), 1, "every mismatch looks the same: {bodies:?}");

    // 5 more failures reach the limit of 10; then even the right key is refused.
    for _ in 0..5 {
        app.get(misses[0]).await;
    }
    let response = app
        .client
        .get(app.url(good))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900);
    assert_error(&read(response).await.1, "too_many_attempts");

    // The limit is per client: another shopper (as the plugin reports it) is unaffected.
    let response = app
        .client
        .get(app.url(good))
        .bearer_auth(API_KEY)
        .header("x-aftercare-client-ip", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.stop().await;
}

/// Many customers in two stores; no request for customer A ever shows B's data.
#[tokio::test]
async fn isolation_between_customers_and_stores() {
    let app = TestApp::spawn().await;
    const CUSTOMERS: u64 = 20;
    const PER_CUSTOMER: u64 = 4;
    let mut owner = std::collections::BTreeMap::new();
    for c in 1..=CUSTOMERS {
        for n in 0..PER_CUSTOMER {
            let id = 1000 + c * 10 + n;
            let created = format!("2026-11-{:02}T10:00:00", 1 + n);
            app.deliver("order.created", &customer_order(id, c, &created))
                .await;
            owner.insert(id, c);
            // The second store has the same order ids, owned by other customers.
            let other = customer_order(id, c + 100, &created);
            let response = app
                .deliver_signed(
                    "/webhooks/woocommerce/second",
                    "order.created",
                    &other,
                    SECOND_SECRET,
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    }
    for c in 1..=CUSTOMERS {
        let (status, list) = app
            .get(&format!("/api/v1/customers/{c}/orders?per_page=100"))
            .await;
        assert_eq!(status, 200);
        let ids: BTreeSet<u64> = list["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_u64().unwrap())
            .collect();
        let expected: BTreeSet<u64> = owner
            .iter()
            .filter(|(_, o)| **o == c)
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(ids, expected, "customer {c}");
        // The second store's customers are invisible to the default store's key.
        let (_, theirs) = app
            .get(&format!("/api/v1/customers/{}/orders", c + 100))
            .await;
        assert_eq!(theirs["total"], 0);
        let (_, second) = app
            .get_as(
                &format!("/api/v1/customers/{}/orders", c + 100),
                SECOND_API_KEY,
            )
            .await;
        assert_eq!(second["total"].as_u64(), Some(PER_CUSTOMER));
    }
    for (&id, &o) in &owner {
        for c in 1..=CUSTOMERS {
            let (status, body) = app.get(&format!("/api/v1/customers/{c}/orders/{id}")).await;
            if c == o {
                assert_eq!(status, 200);
                assert_eq!(body["email"], format!("customer{o}@example.com"));
            } else {
                assert_eq!(status, 404, "customer {c} must not see order {id} of {o}");
                assert!(!body.to_string().contains("@example.com"));
            }
        }
        let (status, body) = app
            .get_as(
                &format!("/api/v1/customers/{o}/orders/{id}"),
                SECOND_API_KEY,
            )
            .await;
        assert_eq!(status, 404, "store keys do not cross: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/webhooks/woocommerce", "post"),
        ("/webhooks/woocommerce/{store}", "post"),
        ("/api/v1/customers/{customer_id}/orders", "get"),
        ("/api/v1/customers/{customer_id}/orders/{order_id}", "get"),
        ("/api/v1/guest/orders/{order_id}", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/store/health", "get"),
        ("/api/v1/store/connection", "get"),
        ("/api/v1/orders/{order_id}/shipments", "post"),
        ("/api/v1/shipments/{shipment_id}/events", "post"),
        ("/api/v1/alerts", "get"),
        ("/api/v1/customers/{customer_id}/email-preferences", "get"),
        (
            "/api/v1/customers/{customer_id}/orders/{order_id}/requests",
            "post",
        ),
        ("/api/v1/guest/orders/{order_id}/requests", "post"),
        ("/api/v1/customers/{customer_id}/requests", "get"),
        (
            "/api/v1/customers/{customer_id}/requests/{request_id}/messages",
            "post",
        ),
        (
            "/api/v1/guest/orders/{order_id}/requests/{request_id}/messages",
            "post",
        ),
        ("/api/v1/requests", "get"),
        ("/api/v1/requests/{request_id}", "get"),
        ("/api/v1/requests/{request_id}/replies", "post"),
        ("/api/v1/requests/{request_id}/transitions", "post"),
        ("/api/v1/requests/{request_id}/assignee", "put"),
        ("/api/v1/support/metrics", "get"),
        ("/t/{token}", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "OrderView",
        "OrderList",
        "ErrorBody",
        "LineItemView",
        "ShipmentView",
        "StoreHealth",
        "WebhookState",
        "StoreConnection",
        "ShipmentBrief",
        "NewShipmentRequest",
        "NewEventRequest",
        "EventReceipt",
        "AlertList",
        "FieldError",
        "RequestView",
        "OpenRequest",
        "StaffReply",
        "MetricsReport",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    app.stop().await;
}
