//! Rate limits: per token and per client address on every route, and login attempts per
//! e-mail and per address. 429 `rate_limited` with `Retry-After`, in the error envelope.

use crate::harness::*;
use reqwest::Response;
use scorejar_server::config::Settings;
use serde_json::json;

crate::backend_tests_with!(tight_token_limit; per_token_limit);
crate::backend_tests_with!(tight_ip_limit; per_ip_limit);
crate::backend_tests_with!(tight_login_limit; login_is_throttled);

fn tight_token_limit(s: &mut Settings) {
    s.http.rate_limit.per_token_per_sec = 1;
    s.http.rate_limit.per_token_burst = 3;
}

fn tight_ip_limit(s: &mut Settings) {
    s.http.rate_limit.per_ip_per_sec = 1;
    s.http.rate_limit.per_ip_burst = 3;
}

fn tight_login_limit(s: &mut Settings) {
    s.http.rate_limit.login_per_email_per_min = 1;
    s.http.rate_limit.login_per_email_burst = 2;
    s.http.rate_limit.login_per_ip_per_min = 1;
    s.http.rate_limit.login_per_ip_burst = 5;
}

async fn assert_limited(resp: Response) {
    let retry_after: u64 = resp
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let (status, body) = read(resp).await;
    assert_error(status, &body, 429, "rate_limited", None);
}

async fn per_token_limit(app: &TestApp) {
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/credits").await.status(), 200);
    }
    assert_limited(app.get("/api/v1/credits").await).await;
    // Another token has its own allowance.
    let (_, other) = app.new_account(10).await;
    assert_eq!(app.get_as(&other, "/api/v1/credits").await.status(), 200);
}

async fn per_ip_limit(app: &TestApp) {
    // Counted before authentication: made-up tokens use up the address's allowance too.
    for i in 0..3 {
        let status = app
            .get_as(&format!("sj_bogus{i}"), "/api/v1/credits")
            .await
            .status();
        assert_eq!(status, 401);
    }
    assert_limited(app.get("/api/v1/credits").await).await;
}

async fn login_is_throttled(app: &TestApp) {
    let login = |email: &str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": "wrong" }))
            .send()
    };
    // An unknown e-mail is throttled exactly like a known one: 429 tells nothing.
    for email in ["nobody@example.com", "NOBODY@example.com"] {
        assert_eq!(login(email).await.unwrap().status(), 401);
    }
    assert_limited(login("nobody@example.com").await.unwrap()).await;
    // Per address: the third e-mail still has attempts, but the address is nearly spent.
    assert_eq!(login("other@example.com").await.unwrap().status(), 401);
    assert_eq!(login("third@example.com").await.unwrap().status(), 401);
    assert_limited(login("fourth@example.com").await.unwrap()).await;
}
