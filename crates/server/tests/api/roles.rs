//! Roles on the API: a session acts with its user's role (`scorejar_core::roles`). A REVIEWER
//! edits scorecards but not tokens, a VIEWER only reads, an AGENT reads only their own
//! interactions and evaluations and every other route is refused.

use crate::harness::*;
use scorejar_core::model::NewUser;
use scorejar_core::roles::Role;
use serde_json::{json, Value};

crate::backend_tests!(roles_cap_what_a_session_may_do);

/// Creates a user with `role` (linked to `agent` for an AGENT) and signs them in.
async fn session(app: &TestApp, email: &str, role: Role, agent: Option<&str>) -> String {
    let hash = scorejar_server::auth::passwords::hash_password("s3cret-pass").unwrap();
    app.store
        .create_user(NewUser {
            role,
            agent_participant_id: agent.map(str::to_owned),
            ..NewUser::admin(scorejar_core::ids::new_id(), &app.account_id, email, hash)
        })
        .await
        .unwrap();
    let (status, body) = read(
        app.client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": "s3cret-pass" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["accessToken"].as_str().unwrap().to_owned()
}

async fn call_of(app: &TestApp, source: &str, agent_email: &str) -> Value {
    let mut body = chat(source);
    body["agent"] = json!({ "name": source, "email": agent_email });
    let (status, receipt) = app.upload(&body).await;
    assert_eq!(status, 200, "{receipt}");
    let (_, interaction) = read(app.get(receipt["statusUrl"].as_str().unwrap()).await).await;
    interaction
}

async fn status_of(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> u16 {
    let url = app.url(path);
    let request = match method {
        "GET" => app.client.get(url),
        "POST" => app.client.post(url).json(&body),
        "PATCH" => app.client.patch(url).json(&body),
        _ => unreachable!(),
    };
    request
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn roles_cap_what_a_session_may_do(app: &TestApp) {
    let mine = call_of(app, "role-call-mine", "dana@example.com").await;
    let theirs = call_of(app, "role-call-theirs", "eve@example.com").await;
    let dana = mine["agent"]["id"].as_str().unwrap().to_owned();

    let reviewer = session(app, "rev@example.com", Role::Reviewer, None).await;
    let viewer = session(app, "view@example.com", Role::Viewer, None).await;
    let agent = session(app, "dana@example.com", Role::Agent, Some(&dana)).await;
    let card = json!({ "name": "Role card", "sections": [{ "name": "S", "questions": [
        { "id": "q", "text": "Q?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] }]}]});
    let theirs_id = theirs["id"].as_str().unwrap();
    let mine_id = mine["id"].as_str().unwrap();
    let cases: Vec<(&str, &str, &str, String, Value, u16)> = vec![
        (
            "reviewer",
            &reviewer,
            "POST",
            "/api/v1/scorecards".into(),
            card.clone(),
            201,
        ),
        (
            "reviewer",
            &reviewer,
            "POST",
            "/api/v1/tokens".into(),
            json!({ "name": "t" }),
            403,
        ),
        (
            "reviewer",
            &reviewer,
            "GET",
            "/api/v1/credits".into(),
            Value::Null,
            200,
        ),
        (
            "viewer",
            &viewer,
            "GET",
            format!("/api/v1/interactions/{theirs_id}"),
            Value::Null,
            200,
        ),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/scorecards".into(),
            card.clone(),
            403,
        ),
        (
            "viewer",
            &viewer,
            "POST",
            "/api/v1/upload".into(),
            chat("viewer-upload"),
            403,
        ),
        (
            "agent",
            &agent,
            "GET",
            format!("/api/v1/interactions/{mine_id}"),
            Value::Null,
            200,
        ),
        (
            "agent",
            &agent,
            "GET",
            format!("/api/v1/interactions/{theirs_id}"),
            Value::Null,
            403,
        ),
        (
            "agent",
            &agent,
            "GET",
            "/api/v1/tags".into(),
            Value::Null,
            403,
        ),
        (
            "agent",
            &agent,
            "GET",
            "/api/v1/webhook-deliveries".into(),
            Value::Null,
            403,
        ),
        (
            "agent",
            &agent,
            "POST",
            "/api/v1/upload".into(),
            chat("agent-upload"),
            403,
        ),
    ];
    for (who, token, method, path, body, expected) in cases {
        assert_eq!(
            status_of(app, token, method, &path, body).await,
            expected,
            "{who} {method} {path}"
        );
    }
    // Refused requests changed nothing: neither refused upload exists.
    let (_, all) = read(app.get("/api/v1/interactions").await).await;
    let sources: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sourceIdentifier"].as_str().unwrap())
        .collect();
    assert!(!sources.contains(&"viewer-upload") && !sources.contains(&"agent-upload"));
    assert!(sources.contains(&"role-call-theirs"));

    // The agent's list holds their own call only, whatever they filter on.
    let eve = theirs["agent"]["id"].as_str().unwrap();
    for query in [String::new(), format!("?agent={eve}")] {
        let (status, page) = read(
            app.get_as(&agent, &format!("/api/v1/interactions{query}"))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let ids: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = if query.is_empty() {
            vec![mine_id]
        } else {
            vec![]
        };
        assert_eq!(ids, expected, "{query}");
    }
    let (status, body) = read(
        app.get_as(&agent, &format!("/api/v1/interactions/{theirs_id}"))
            .await,
    )
    .await;
    assert_error(status, &body, 403, "forbidden", None);
}
