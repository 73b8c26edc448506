//! Authentication with all three token kinds, 401s, token management and tenant isolation.

use crate::harness::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

crate::backend_tests!(
    rejects_missing_and_bad_tokens,
    api_tokens_lifecycle,
    session_tokens,
    user_jwts,
    tenants_are_isolated
);

async fn status_with(app: &TestApp, auth: Option<&str>) -> (u16, Value) {
    let mut req = app.client.get(app.url("/api/v1/credits"));
    if let Some(value) = auth {
        req = req.header("authorization", value);
    }
    let (s, b) = read(req.send().await.unwrap()).await;
    (s.as_u16(), b)
}

async fn rejects_missing_and_bad_tokens(app: &TestApp) {
    for auth in [
        None,
        Some("Bearer"),
        Some("Basic abc"),
        Some("Bearer sj_not-a-real-token"),
        Some("Bearer sjs_nope"),
        Some("Bearer a.b.c"),
        Some("Bearer garbage"),
    ] {
        let (status, body) = status_with(app, auth).await;
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert_eq!(body["error"]["code"], json!("unauthorized"));
    }
    let (status, _) = status_with(app, Some(&format!("Bearer {}", app.token))).await;
    assert_eq!(status, 200);
    // The upload endpoint is protected too, and an unauthenticated upload writes nothing.
    let resp = app
        .client
        .post(app.url("/api/v1/upload"))
        .json(&chat("anon"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(app.interaction_count().await, 0);
}

async fn api_tokens_lifecycle(app: &TestApp) {
    let (status, created) = read(
        app.post_json("/api/v1/tokens", &json!({ "name": "ci" }))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        status_with(app, Some(&format!("Bearer {secret}"))).await.0,
        200
    );
    let (_, list) = read(app.get("/api/v1/tokens").await).await;
    let listed = list["data"].as_array().unwrap();
    assert!(listed
        .iter()
        .any(|t| t["id"] == json!(id) && t["name"] == json!("ci")));
    assert!(
        !list.to_string().contains(&secret),
        "the secret is never listed"
    );
    assert!(listed.iter().all(|t| t.get("token").is_none()));
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        status_with(app, Some(&format!("Bearer {secret}"))).await.0,
        401,
        "revoked at once"
    );
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let (status, body) = read(app.post_json("/api/v1/tokens", &json!({})).await).await;
    assert_error(status, &body, 400, "missing_field", Some("name"));
}

async fn create_user(app: &TestApp, email: &str, password: &str) -> String {
    let hash = scorejar_server::auth::passwords::hash_password(password).unwrap();
    let id = scorejar_core::ids::new_id();
    app.store
        .create_user(scorejar_core::model::NewUser::admin(
            &id,
            &app.account_id,
            email,
            &hash,
        ))
        .await
        .unwrap();
    id
}

async fn session_tokens(app: &TestApp) {
    create_user(app, "ann@example.com", "s3cret-pass").await;
    let login = |email: &'static str, password: &'static str| {
        let app_client = app.client.clone();
        let url = app.url("/api/v1/auth/login");
        async move {
            read(
                app_client
                    .post(url)
                    .json(&json!({ "email": email, "password": password }))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = login("ann@example.com", "wrong").await;
    assert_error(status, &body, 401, "unauthorized", None);
    let (status, body) = login("nobody@example.com", "s3cret-pass").await;
    assert_eq!(status, 401);
    let (status, body2) = login("ANN@example.com", "s3cret-pass").await;
    assert_eq!(status, 200, "{body2} {body}");
    let access = body2["accessToken"].as_str().unwrap().to_string();
    assert!(body2["expiresAt"].is_string());
    let bearer = format!("Bearer {access}");
    assert_eq!(status_with(app, Some(&bearer)).await.0, 200);
    // The session acts on the user's account: an upload through it lands there.
    let (status, up) = read(
        app.post_json_as(&access, "/api/v1/upload", &chat("via-session"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{up}");
    assert_eq!(app.interaction_count().await, 1);
    let resp = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        status_with(app, Some(&bearer)).await.0,
        401,
        "ended session fails at once"
    );
}

fn jwt(sub: &str, exp_offset: i64, secret: &str) -> String {
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + exp_offset;
    encode(
        &Header::default(),
        &json!({ "sub": sub, "exp": exp }),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn user_jwts(app: &TestApp) {
    let user = create_user(app, "jwt@example.com", "s3cret-pass").await;
    assert_eq!(
        status_with(
            app,
            Some(&format!("Bearer {}", jwt(&user, 600, JWT_SECRET)))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        status_with(
            app,
            Some(&format!("Bearer {}", jwt(&user, -10, JWT_SECRET)))
        )
        .await
        .0,
        401,
        "expired"
    );
    assert_eq!(
        status_with(
            app,
            Some(&format!("Bearer {}", jwt(&user, 600, "other-secret")))
        )
        .await
        .0,
        401,
        "wrong key"
    );
    assert_eq!(
        status_with(
            app,
            Some(&format!("Bearer {}", jwt("no-such-user", 600, JWT_SECRET)))
        )
        .await
        .0,
        401,
        "unknown user"
    );
    let no_exp = encode(
        &Header::default(),
        &json!({ "sub": user }),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(
        status_with(app, Some(&format!("Bearer {no_exp}"))).await.0,
        401,
        "exp is required"
    );
    let token = jwt(&user, 600, JWT_SECRET);
    let (status, up) = read(
        app.post_json_as(&token, "/api/v1/upload", &chat("via-jwt"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{up}");
}

async fn tenants_are_isolated(app: &TestApp) {
    let sc = app.active_scorecard().await;
    let (_, r) = app.upload(&chat("mine")).await;
    let id = r["interactionId"].as_str().unwrap();
    let (_, other) = app.new_account(100).await;
    let (status, body) = read(
        app.get_as(&other, &format!("/api/v1/interactions/{id}"))
            .await,
    )
    .await;
    assert_error(status, &body, 404, "interaction_not_found", None);
    let (status, missing) = read(
        app.get_as(
            &other,
            "/api/v1/interactions/00000000-0000-0000-0000-000000000000",
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"]["code"], missing["error"]["code"],
        "another account's = a missing one"
    );
    let (status, _) = read(
        app.get_as(&other, &format!("/api/v1/scorecards/{sc}"))
            .await,
    )
    .await;
    assert_eq!(status, 404);
    let (_, list) = read(app.get_as(&other, "/api/v1/interactions").await).await;
    assert_eq!(list["data"], json!([]));
    let (_, tokens) = read(app.get("/api/v1/tokens").await).await;
    let mine = tokens["data"][0]["id"].as_str().unwrap();
    let resp = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{mine}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(
        status_with(app, Some(&format!("Bearer {}", app.token)))
            .await
            .0,
        200
    );
}
