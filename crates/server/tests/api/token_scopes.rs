//! API token scopes, expiry and last use; JWT `iss`/`aud` checks and the HS256 secret minimum.

use crate::harness::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use scorejar_server::config::Settings;
use serde_json::{json, Value};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

crate::backend_tests!(
    read_only_token_cannot_upload,
    upload_only_token_cannot_list_tokens,
    token_cannot_grant_more_than_it_has,
    upload_with_evaluation_needs_evaluate,
    expired_token_is_401,
    expires_at_is_validated,
    last_used_at_appears_after_use
);
crate::backend_tests_with!(jwt_claims_checked; jwt_iss_and_aud_are_enforced);

/// Creates a token with `body` through the API as the main token; returns its secret and JSON.
async fn new_token(app: &TestApp, body: Value) -> (String, Value) {
    let (status, created) = read(app.post_json("/api/v1/tokens", &body).await).await;
    assert_eq!(status, 201, "{created}");
    (created["token"].as_str().unwrap().to_string(), created)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

async fn listed(app: &TestApp, id: &Value) -> Value {
    let (status, list) = read(app.get("/api/v1/tokens").await).await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == *id)
        .cloned()
        .unwrap_or_else(|| panic!("token {id} not listed: {list}"))
}

async fn token_count(app: &TestApp) -> usize {
    let (_, list) = read(app.get("/api/v1/tokens").await).await;
    list["data"].as_array().unwrap().len()
}

async fn read_only_token_cannot_upload(app: &TestApp) {
    let (reader, created) =
        new_token(app, json!({ "name": "dashboard", "scopes": ["read"] })).await;
    assert_eq!(created["scopes"], json!(["read"]));
    let before = app.balance().await;
    let (status, body) = read(
        app.post_json_as(&reader, "/api/v1/upload", &chat("ro-1"))
            .await,
    )
    .await;
    assert_error(status, &body, 403, "insufficient_scope", None);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`upload`"),
        "{body}"
    );
    assert_eq!(app.interaction_count().await, 0, "nothing written");
    assert_eq!(app.balance().await, before, "nothing charged");
    // What it may do, it does.
    let (status, body) = read(app.get_as(&reader, "/api/v1/interactions").await).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = read(app.get_as(&reader, "/api/v1/credits").await).await;
    assert_eq!(status, 200);
}

async fn upload_only_token_cannot_list_tokens(app: &TestApp) {
    let (uploader, _) = new_token(app, json!({ "name": "importer", "scopes": ["upload"] })).await;
    let (status, body) = read(app.get_as(&uploader, "/api/v1/tokens").await).await;
    assert_error(status, &body, 403, "insufficient_scope", None);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`admin`"),
        "{body}"
    );
    let (status, body) = read(
        app.post_json_as(&uploader, "/api/v1/tokens", &json!({ "name": "x" }))
            .await,
    )
    .await;
    assert_error(status, &body, 403, "insufficient_scope", None);
    let (status, body) = read(app.get_as(&uploader, "/api/v1/interactions").await).await;
    assert_error(status, &body, 403, "insufficient_scope", None);
    let (status, body) = read(
        app.post_json_as(&uploader, "/api/v1/upload", &chat("up-1"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.interaction_count().await, 1);
}

async fn token_cannot_grant_more_than_it_has(app: &TestApp) {
    let (admin, _) = new_token(app, json!({ "name": "ops", "scopes": ["admin", "read"] })).await;
    let tokens_before = token_count(app).await;
    let (status, body) = read(
        app.post_json_as(
            &admin,
            "/api/v1/tokens",
            &json!({ "name": "more", "scopes": ["read", "upload"] }),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 403, "insufficient_scope", Some("scopes[1]"));
    let (status, body) = read(
        app.post_json_as(
            &admin,
            "/api/v1/tokens",
            &json!({ "name": "typo", "scopes": ["raed"] }),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 400, "invalid_field", Some("scopes[0]"));
    let (status, body) = read(
        app.post_json_as(
            &admin,
            "/api/v1/tokens",
            &json!({ "name": "none", "scopes": [] }),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 400, "invalid_field", Some("scopes"));
    assert_eq!(
        token_count(app).await,
        tokens_before,
        "refusals create nothing"
    );
    // Without `scopes` a token gets its creator's: here `read` and `admin`, not all four.
    let (status, body) = read(
        app.post_json_as(&admin, "/api/v1/tokens", &json!({ "name": "same" }))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["scopes"], json!(["read", "admin"]));
    let child = body["token"].as_str().unwrap();
    let (status, _) = read(
        app.post_json_as(child, "/api/v1/upload", &chat("child"))
            .await,
    )
    .await;
    assert_eq!(status, 403);
}

async fn upload_with_evaluation_needs_evaluate(app: &TestApp) {
    let scorecard = app.active_scorecard().await;
    let (uploader, _) = new_token(app, json!({ "name": "importer", "scopes": ["upload"] })).await;
    let before = app.balance().await;
    let mut payload = chat("with-eval");
    payload["evaluation"] = json!({ "scorecardId": scorecard });
    let (status, body) = read(
        app.post_json_as(&uploader, "/api/v1/upload", &payload)
            .await,
    )
    .await;
    assert_error(status, &body, 403, "insufficient_scope", None);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`evaluate`"),
        "{body}"
    );
    assert_eq!(app.interaction_count().await, 0);
    assert_eq!(app.balance().await, before);
    let (both, _) = new_token(
        app,
        json!({ "name": "importer+eval", "scopes": ["upload", "evaluate"] }),
    )
    .await;
    let (status, body) = read(app.post_json_as(&both, "/api/v1/upload", &payload).await).await;
    assert_eq!(status, 200, "{body}");
    assert!(app.balance().await < before, "the evaluation was charged");
}

async fn expired_token_is_401(app: &TestApp) {
    // One that expired long ago (written straight to the store, as time would leave it).
    let secret = scorejar_server::auth::tokens::new_api_token();
    app.store
        .create_api_token(
            &app.account_id,
            scorejar_store::NewApiToken {
                id: scorejar_core::ids::new_id(),
                name: "old".into(),
                token_hash: scorejar_server::auth::tokens::hash_token(&secret),
                scopes: scorejar_core::tokens::ScopeSet::all(),
                expires_at: Some(OffsetDateTime::now_utc() - time::Duration::hours(1)),
            },
        )
        .await
        .unwrap();
    let (status, body) = read(app.get_as(&secret, "/api/v1/credits").await).await;
    assert_error(status, &body, 401, "unauthorized", None);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    // One made through the API that expires two seconds from now: works, then stops.
    let expires = OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let (short, created) = new_token(
        app,
        json!({ "name": "short", "expiresAt": rfc3339(expires) }),
    )
    .await;
    let (status, _) = read(app.get_as(&short, "/api/v1/credits").await).await;
    assert_eq!(status, 200, "works until it expires");
    assert!(created["expiresAt"].is_string(), "{created}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = read(app.get_as(&short, "/api/v1/credits").await).await;
        if status == 401 {
            assert_eq!(body["error"]["code"], json!("unauthorized"));
            assert!(OffsetDateTime::now_utc() >= expires, "not before its time");
            break;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            std::time::Instant::now() < deadline,
            "still accepted 8 s after expiresAt"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn expires_at_is_validated(app: &TestApp) {
    let past = rfc3339(OffsetDateTime::now_utc() - time::Duration::minutes(1));
    for (value, field) in [
        (json!(past), "expiresAt"),
        (json!("tomorrow"), "expiresAt"),
        (json!("2030-01-01"), "expiresAt"),
        (json!(1_900_000_000), "expiresAt"),
    ] {
        let (status, body) = read(
            app.post_json(
                "/api/v1/tokens",
                &json!({ "name": "x", "expiresAt": value }),
            )
            .await,
        )
        .await;
        assert_error(status, &body, 400, "invalid_field", Some(field));
    }
    // A token that expires cannot create one that outlives it, nor one without expiry.
    let soon = OffsetDateTime::now_utc() + time::Duration::hours(1);
    let (limited, created) =
        new_token(app, json!({ "name": "temp", "expiresAt": rfc3339(soon) })).await;
    let later = rfc3339(soon + time::Duration::hours(1));
    let (status, body) = read(
        app.post_json_as(
            &limited,
            "/api/v1/tokens",
            &json!({ "name": "longer", "expiresAt": later }),
        )
        .await,
    )
    .await;
    assert_error(status, &body, 403, "insufficient_scope", Some("expiresAt"));
    let (status, body) = read(
        app.post_json_as(&limited, "/api/v1/tokens", &json!({ "name": "inherit" }))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["expiresAt"], created["expiresAt"],
        "inherits the limit"
    );
    let shown = listed(app, &created["id"]).await;
    assert_eq!(shown["expiresAt"], created["expiresAt"]);
    assert_eq!(
        shown["scopes"],
        json!(["upload", "read", "evaluate", "scorecards", "admin"])
    );
}

async fn last_used_at_appears_after_use(app: &TestApp) {
    let (secret, created) = new_token(app, json!({ "name": "ci" })).await;
    assert_eq!(created["lastUsedAt"], json!(null));
    assert_eq!(listed(app, &created["id"]).await["lastUsedAt"], json!(null));
    let before = OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let (status, _) = read(app.get_as(&secret, "/api/v1/credits").await).await;
    assert_eq!(status, 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let first = loop {
        let shown = listed(app, &created["id"]).await;
        if let Some(at) = shown["lastUsedAt"].as_str() {
            break OffsetDateTime::parse(at, &Rfc3339).unwrap();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never written: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        first >= before && first <= OffsetDateTime::now_utc(),
        "{first}"
    );
    // Within the minute, further uses write nothing: the value stays put.
    for _ in 0..3 {
        let (status, _) = read(app.get_as(&secret, "/api/v1/credits").await).await;
        assert_eq!(status, 200);
    }
    let again = listed(app, &created["id"]).await;
    assert_eq!(
        OffsetDateTime::parse(again["lastUsedAt"].as_str().unwrap(), &Rfc3339).unwrap(),
        first
    );
}

const ISSUER: &str = "https://idp.example.com/";
const AUDIENCE: &str = "scorejar-api";

fn jwt_claims_checked(s: &mut Settings) {
    s.jwt_issuer = ISSUER.into();
    s.jwt_audience = AUDIENCE.into();
}

fn signed(claims: Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

async fn jwt_iss_and_aud_are_enforced(app: &TestApp) {
    let hash = scorejar_server::auth::passwords::hash_password("s3cret-pass").unwrap();
    let user = scorejar_core::ids::new_id();
    app.store
        .create_user(scorejar_core::model::NewUser::admin(
            &user,
            &app.account_id,
            "aud@example.com",
            &hash,
        ))
        .await
        .unwrap();
    let exp = OffsetDateTime::now_utc().unix_timestamp() + 600;
    let cases = [
        (
            json!({ "sub": user, "exp": exp, "iss": ISSUER, "aud": AUDIENCE }),
            200,
            "both match",
        ),
        (
            json!({ "sub": user, "exp": exp, "iss": ISSUER, "aud": ["other", AUDIENCE] }),
            200,
            "aud list holding ours",
        ),
        (
            json!({ "sub": user, "exp": exp, "iss": ISSUER, "aud": "other-api" }),
            401,
            "wrong aud",
        ),
        (
            json!({ "sub": user, "exp": exp, "iss": ISSUER }),
            401,
            "no aud",
        ),
        (
            json!({ "sub": user, "exp": exp, "iss": "https://evil.example/", "aud": AUDIENCE }),
            401,
            "wrong iss",
        ),
        (
            json!({ "sub": user, "exp": exp, "aud": AUDIENCE }),
            401,
            "no iss",
        ),
    ];
    for (claims, want, why) in cases {
        let (status, body) = read(app.get_as(&signed(claims), "/api/v1/credits").await).await;
        assert_eq!(status.as_u16(), want, "{why}: {body}");
        if want == 401 {
            assert_eq!(body["error"]["code"], json!("unauthorized"), "{why}");
        }
    }
}

/// The server refuses to start with an HS256 secret under 32 bytes, and says why.
#[tokio::test]
async fn short_jwt_secret_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let settings = |secret: &str| Settings {
        data_dir: dir.path().to_path_buf(),
        jwt_secret: secret.into(),
        ..Settings::default()
    };
    let store = scorejar_store::open(&settings("").effective_database_url(), 1)
        .await
        .unwrap();
    let media = std::sync::Arc::new(crate::harness::test_media_storage(dir.path()));
    let short = "x".repeat(31);
    let refused = scorejar_server::AppState::new(store.clone(), media.clone(), settings(&short));
    let message = refused
        .err()
        .expect("a 31-byte secret is refused")
        .to_string();
    assert!(
        message.contains("jwt_secret") && message.contains("32 bytes"),
        "{message}"
    );
    let exact = "x".repeat(32);
    assert!(scorejar_server::AppState::new(store.clone(), media.clone(), settings(&exact)).is_ok());
    assert!(
        scorejar_server::AppState::new(store, media, settings("")).is_ok(),
        "no secret: HS256 off"
    );
}
