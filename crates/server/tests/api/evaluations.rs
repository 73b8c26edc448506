//! Evaluations end to end, on both backends: a rules scorecard scores a provided transcript
//! with exact answers, evidence times and score (through the upload and `ai/queue`); scorecard
//! versions; an AI scorecard against a local stand-in of Chat Completions that checks the
//! request and answers well-formed, invented-quote and always-refusing replies.

use crate::harness::*;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use scorejar_worker::handlers::{Evaluate, JobHandler};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

crate::backend_tests!(
    a_rules_scorecard_scores_a_provided_transcript,
    ai_queue_scores_an_existing_interaction_once,
    scorecard_changes_make_versions,
    ai_answers_are_checked_and_quotes_verified,
    a_provider_that_refuses_fails_and_refunds,
    a_reviewer_override_rescores_and_the_agreement_report_counts_it,
    score_submissions_list_with_filters_and_pages,
    a_call_longer_than_the_context_is_answered_in_parts,
    samples_vote_and_report_confidence,
    a_providers_retry_after_is_honoured
);

fn call() -> Value {
    json!({ "text": "", "segments": [
        { "start": 0.5, "end": 3.0, "speaker": "agent", "text": "Thank you for calling Acme, this is Dana." },
        { "start": 3.5, "end": 6.0, "speaker": "customer", "text": "Hi, my bill is wrong." },
        { "start": 6.5, "end": 9.0, "speaker": "agent", "text": "I'm sorry about that, let me check." },
        { "start": 50.0, "end": 53.0, "speaker": "agent", "text": "Is there anything else? Goodbye." }
    ]})
}

pub(crate) async fn create_scorecard(app: &TestApp, body: Value) -> String {
    let (status, sc) = read(app.post_json("/api/v1/scorecards", &body).await).await;
    assert_eq!(status, 201, "{sc}");
    sc["id"].as_str().unwrap().to_owned()
}

pub(crate) fn rules_card() -> Value {
    json!({ "name": "Rules QA", "status": "ACTIVE", "model": "rules", "passingScore": 60,
    "sections": [{ "name": "Opening", "questions": [
        { "id": "greet", "text": "Greeting in the first 30 s?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 2 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "phrase": "thank you for calling", "by": "AGENT", "within": { "from": 0, "to": 30 } },
                     "then": "Yes", "else": "No" } },
        { "id": "empathy", "text": "Empathy?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "any": [{ "phrase": "i'm sorry", "by": "AGENT" }, { "phrase": "i understand", "by": "AGENT" }] },
                     "then": "Yes", "else": "No" } },
        { "id": "hold", "text": "Asked before hold?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "phrase": "may i put you on hold" }, "then": "Yes", "else": "No" } }
    ]}]})
}

pub(crate) fn evaluate_handler(
    app: &TestApp,
    ai: Option<Arc<dyn scorejar_llm::AiEngine>>,
) -> Arc<dyn JobHandler> {
    Arc::new(Evaluate {
        store: app.store.clone(),
        ai,
        rates: app.settings.rates(),
    })
}

fn evaluations_finished(v: &Value) -> bool {
    v["evaluations"].as_array().is_some_and(|e| {
        !e.is_empty()
            && e.iter()
                .all(|e| matches!(e["status"].as_str(), Some("COMPLETED" | "FAILED")))
    })
}

async fn evaluate(
    app: &TestApp,
    ai: Option<Arc<dyn scorejar_llm::AiEngine>>,
    status_url: &str,
) -> Value {
    app.run_worker_until(
        vec![evaluate_handler(app, ai)],
        status_url,
        Duration::from_secs(30),
        evaluations_finished,
    )
    .await
}

fn check_rules_result(e: &Value) {
    assert_eq!(e["status"], "COMPLETED", "{e}");
    assert_eq!(e["engine"], "RULES");
    assert_eq!(e["model"], "rules");
    assert_eq!(e["scorecardVersion"], 1);
    assert_eq!(
        e["score"],
        json!({ "earned": 3.0, "possible": 4.0, "percentage": 75.0 })
    );
    assert_eq!(e["passed"], true);
    let answers = e["answers"].as_array().unwrap();
    let got: Vec<(&str, &str)> = answers
        .iter()
        .map(|a| {
            (
                a["questionId"].as_str().unwrap(),
                a["answers"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("greet", "Yes"), ("empathy", "Yes"), ("hold", "No")]);
    assert_eq!(answers[0]["source"], "RULES");
    assert_eq!(
        answers[0]["evidence"],
        json!([{ "text": "Thank you for calling Acme, this is Dana.", "start": 0.5, "end": 3.0, "speaker": "AGENT", "line": 1 }])
    );
    assert_eq!(answers[1]["evidence"][0]["start"], 6.5);
    assert_eq!(answers[2]["evidence"], json!([]));
    assert!(e["completedAt"].is_string());
}

async fn a_rules_scorecard_scores_a_provided_transcript(app: &TestApp) {
    let sc = create_scorecard(app, rules_card()).await;
    let body = json!({ "sourceIdentifier": "ev-1", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "interactionType": "AUDIO", "transcript": call(), "evaluation": { "scorecardId": sc } });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let stored = evaluate(app, None, resp["statusUrl"].as_str().unwrap()).await;
    let e = &stored["evaluations"][0];
    check_rules_result(e);
    let id = resp["scoreSubmissionId"].as_str().unwrap();
    let (status, single) = read(app.get(&format!("/api/v1/score-submissions/{id}")).await).await;
    assert_eq!(status, 200, "{single}");
    check_rules_result(&single);
    assert_eq!(single["interactionId"], resp["interactionId"]);
    let (status, _) = read(app.get("/api/v1/score-submissions/nope").await).await;
    assert_eq!(status, 404);
}

async fn ai_queue_scores_an_existing_interaction_once(app: &TestApp) {
    let sc = create_scorecard(app, rules_card()).await;
    let body = json!({ "sourceIdentifier": "ev-2", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "interactionType": "AUDIO", "transcript": call() });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let (status, queued) = read(
        app.post_json(
            "/api/v1/ai/queue",
            &json!({ "interactionId": resp["interactionId"], "scorecardId": sc }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{queued}");
    let stored = evaluate(app, None, resp["statusUrl"].as_str().unwrap()).await;
    check_rules_result(&stored["evaluations"][0]);
    let jobs = app
        .store
        .interaction_jobs(resp["interactionId"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(jobs.iter().filter(|j| j.kind == "Evaluate").count(), 1);
}

async fn scorecard_changes_make_versions(app: &TestApp) {
    let sc = create_scorecard(app, rules_card()).await;
    let patch = |body: Value| {
        let sc = sc.clone();
        async move {
            let resp = app
                .client
                .patch(app.url(&format!("/api/v1/scorecards/{sc}")))
                .bearer_auth(&app.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            read(resp).await
        }
    };
    let (status, renamed) = patch(json!({ "name": "Renamed" })).await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["version"], 1, "a new name scores the same");
    let (_, rethresholded) = patch(json!({ "passingScore": 90 })).await;
    assert_eq!(rethresholded["version"], 2);
    let (status, v1) = read(
        app.get(&format!("/api/v1/scorecards/{sc}/versions/1"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{v1}");
    assert_eq!(
        (v1["version"].clone(), v1["passingScore"].clone()),
        (json!(1), json!(60.0))
    );
    let (_, v2) = read(
        app.get(&format!("/api/v1/scorecards/{sc}/versions/2"))
            .await,
    )
    .await;
    assert_eq!(v2["passingScore"], json!(90.0));
    let (status, _) = read(
        app.get(&format!("/api/v1/scorecards/{sc}/versions/3"))
            .await,
    )
    .await;
    assert_eq!(status, 404);
    // An evaluation records the version it used.
    let body = json!({ "sourceIdentifier": "ev-3", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": call(), "evaluation": { "scorecardId": sc } });
    let (_, resp) = app.upload(&body).await;
    let stored = evaluate(app, None, resp["statusUrl"].as_str().unwrap()).await;
    assert_eq!(stored["evaluations"][0]["scorecardVersion"], 2);
    assert_eq!(stored["evaluations"][0]["passed"], false, "75 < 90");
}

/// A local stand-in of a Chat Completions server: replies in turn from `replies` (the last one
/// repeats) and keeps every request body, and when each arrived.
struct StandIn {
    base: String,
    requests: Arc<Mutex<Vec<Value>>>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

async fn stand_in(replies: Vec<(u16, Value)>) -> StandIn {
    let replies = replies.into_iter().map(|(s, v)| (s, v, None)).collect();
    stand_in_with_waits(replies).await
}

/// Like [`stand_in`], each reply optionally carrying a `Retry-After` header.
async fn stand_in_with_waits(replies: Vec<(u16, Value, Option<&'static str>)>) -> StandIn {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let (seen, times) = (requests.clone(), arrivals.clone());
    let replies = Arc::new(replies);
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |Json(body): Json<Value>| {
            let (seen, times, replies) = (seen.clone(), times.clone(), replies.clone());
            async move {
                times.lock().unwrap().push(Instant::now());
                let mut all = seen.lock().unwrap();
                all.push(body);
                let (status, reply, wait) = replies[(all.len() - 1).min(replies.len() - 1)].clone();
                let mut response = (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    Json(reply),
                )
                    .into_response();
                if let Some(wait) = wait {
                    response
                        .headers_mut()
                        .insert("retry-after", wait.parse().unwrap());
                }
                response
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    StandIn {
        base: format!("http://{addr}/v1"),
        requests,
        arrivals,
    }
}

fn completion(content: Value) -> (u16, Value) {
    (
        200,
        json!({ "choices": [{ "message": { "role": "assistant", "content": content.to_string() }, "finish_reason": "stop" }],
                   "usage": { "prompt_tokens": 300, "completion_tokens": 40 } }),
    )
}

fn engine(base: &str) -> Arc<dyn scorejar_llm::AiEngine> {
    engine_with_context(base, 8192)
}

fn engine_with_context(base: &str, context_tokens: u64) -> Arc<dyn scorejar_llm::AiEngine> {
    let settings = scorejar_llm::LlmSettings {
        providers: vec![scorejar_llm::ProviderSettings {
            name: "standin".into(),
            base_url: base.into(),
            models: vec!["judge".into()],
            timeout_secs: 10,
            context_tokens,
            price_prompt_per_1k: Some(0.5),
            price_completion_per_1k: Some(1.5),
            ..Default::default()
        }],
        default_provider: None,
    };
    Arc::new(scorejar_llm::LlmEngine::new(settings).unwrap())
}

fn ai_card() -> Value {
    json!({ "name": "AI QA", "status": "ACTIVE", "prompt": "Be strict.",
    "sections": [{ "name": "Call", "questions": [
        { "id": "greet", "text": "Greeting in the first 30 s?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 2 }, { "label": "No", "points": 0 }],
          "rules": { "if": { "phrase": "thank you for calling", "within": { "from": 0, "to": 30 } }, "then": "Yes", "else": "No" } },
        { "id": "resolve", "text": "Did the agent resolve the issue?", "type": "SINGLE",
          "answers": [{ "label": "Yes", "points": 1 }, { "label": "No", "points": 0 }] }
    ]}]})
}

async fn ai_answers_are_checked_and_quotes_verified(app: &TestApp) {
    let good = json!({ "q1": { "answer": "Yes", "explanation": "checked the bill",
        "evidence": [{ "line": 3, "quote": "let me check" }] } });
    let invented = json!({ "q1": { "answer": "No", "explanation": "gave up",
        "evidence": [{ "line": 3, "quote": "I cannot help you" }] } });
    for (source, replies, needs_review, answer) in [
        ("ai-good", vec![completion(good.clone())], false, "Yes"),
        // Malformed first, then good: asked again within the attempt.
        (
            "ai-malformed",
            vec![
                (
                    200,
                    json!({ "choices": [{ "message": { "content": "{\"q1\": {\"answ" }, "finish_reason": "length" }] }),
                ),
                completion(good.clone()),
            ],
            false,
            "Yes",
        ),
        // An invented quote twice: dropped, flagged for review.
        ("ai-invented", vec![completion(invented)], true, "No"),
        // 429 first: the attempt is retried by the queue.
        (
            "ai-429",
            vec![
                (429, json!({ "error": { "message": "slow down" } })),
                completion(good),
            ],
            false,
            "Yes",
        ),
    ] {
        let server = stand_in(replies).await;
        let sc = create_scorecard(app, ai_card()).await;
        let body = json!({ "sourceIdentifier": source, "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
            "transcript": call(), "evaluation": { "scorecardId": sc } });
        let (_, resp) = app.upload(&body).await;
        let stored = evaluate(
            app,
            Some(engine(&server.base)),
            resp["statusUrl"].as_str().unwrap(),
        )
        .await;
        let e = &stored["evaluations"][0];
        assert_eq!(e["status"], "COMPLETED", "{source}: {e}");
        assert_eq!(e["engine"], "MIXED", "{source}");
        assert_eq!(e["model"], "standin/judge");
        assert_eq!(e["needsReview"], needs_review, "{source}: {e}");
        let ai = &e["answers"][1];
        assert_eq!(
            (ai["source"].as_str(), ai["answers"][0].as_str()),
            (Some("AI"), Some(answer)),
            "{source}"
        );
        if needs_review {
            assert_eq!(ai["evidence"], json!([]), "{source}");
        } else {
            assert_eq!(
                ai["evidence"][0],
                json!({ "text": "let me check", "start": 6.5, "end": 9.0, "speaker": "AGENT", "line": 3 })
            );
        }
        assert!(e["usage"]["promptTokens"].as_u64().unwrap() >= 300);
        assert!(e["usage"]["cost"].as_f64().unwrap() > 0.0);
        assert_eq!(e["promptSha256"].as_str().map(str::len), Some(64));

        let requests = server.requests.lock().unwrap();
        let first = &requests[0];
        assert_eq!(first["model"], "judge");
        assert_eq!(first["temperature"].as_f64(), Some(0.0));
        assert_eq!(first["response_format"]["type"], "json_schema");
        assert_eq!(first["response_format"]["json_schema"]["strict"], true);
        assert_eq!(
            first["response_format"]["json_schema"]["schema"]["properties"]["q1"]["properties"]
                ["answer"]["enum"],
            json!(["Yes", "No", "N/A"]),
            "only the question without rules goes to the model"
        );
        let system = first["messages"][0]["content"].as_str().unwrap();
        assert!(system.starts_with("Be strict."), "{system}");
        let user = first["messages"][1]["content"].as_str().unwrap();
        assert!(
            user.contains("[3] 00:06 Agent: I'm sorry about that, let me check."),
            "{user}"
        );
        if source == "ai-invented" {
            assert_eq!(requests.len(), 2, "one targeted retry");
            assert!(
                requests[1]["messages"].as_array().unwrap().last().unwrap()["content"]
                    .as_str()
                    .unwrap()
                    .contains("I cannot help you")
            );
        }
    }
}

async fn a_provider_that_refuses_fails_and_refunds(app: &TestApp) {
    let server = stand_in(vec![(
        400,
        json!({ "error": { "message": "model judge does not exist" } }),
    )])
    .await;
    let sc = create_scorecard(app, ai_card()).await;
    let before = app.balance().await;
    let body = json!({ "sourceIdentifier": "ai-refused", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": call(), "evaluation": { "scorecardId": sc } });
    let (_, resp) = app.upload(&body).await;
    assert!(app.balance().await < before, "the evaluation was charged");
    let stored = evaluate(
        app,
        Some(engine(&server.base)),
        resp["statusUrl"].as_str().unwrap(),
    )
    .await;
    let e = &stored["evaluations"][0];
    assert_eq!(e["status"], "FAILED", "{e}");
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("model judge does not exist"),
        "{e}"
    );
    assert_eq!(app.balance().await, before, "refunded");
}

async fn patch_json(app: &TestApp, path: &str, body: &Value) -> (reqwest::StatusCode, Value) {
    let resp = app
        .client
        .patch(app.url(path))
        .bearer_auth(&app.token)
        .json(body)
        .send()
        .await
        .unwrap();
    read(resp).await
}

async fn a_reviewer_override_rescores_and_the_agreement_report_counts_it(app: &TestApp) {
    let sc = create_scorecard(app, rules_card()).await;
    let body = json!({ "sourceIdentifier": "ev-review", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": call(), "evaluation": { "scorecardId": sc } });
    let (_, resp) = app.upload(&body).await;
    let id = resp["scoreSubmissionId"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/score-submissions/{id}");
    let (status, early) = patch_json(
        app,
        &path,
        &json!({ "answers": [{ "questionId": "hold", "answers": ["Yes"] }], "reason": "x" }),
    )
    .await;
    assert_eq!(
        (status.as_u16(), early["error"]["code"].as_str()),
        (409, Some("evaluation_not_completed")),
        "{early}"
    );
    evaluate(app, None, resp["statusUrl"].as_str().unwrap()).await;

    for (body, field) in [
        (
            json!({ "answers": [{ "questionId": "hold", "answers": ["Maybe"] }], "reason": "x" }),
            "answers[0]",
        ),
        (
            json!({ "answers": [{ "questionId": "hold", "answers": ["Yes"] }] }),
            "reason",
        ),
        (
            json!({ "answers": [{ "answers": ["Yes"] }], "reason": "x" }),
            "answers[0].questionId",
        ),
    ] {
        let (status, err) = patch_json(app, &path, &body).await;
        assert_eq!(
            (status.as_u16(), err["error"]["field"].as_str()),
            (400, Some(field)),
            "{err}"
        );
    }
    let (_, unchanged) = read(app.get(&path).await).await;
    assert_eq!(
        unchanged["score"]["percentage"], 75.0,
        "a refused override changes nothing"
    );

    let (status, reviewed) = patch_json(app, &path, &json!({
        "answers": [{ "questionId": "hold", "answers": ["Yes"] }], "reason": "asked in other words" })).await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(
        reviewed["score"],
        json!({ "earned": 4.0, "possible": 4.0, "percentage": 100.0 })
    );
    let hold = &reviewed["answers"][2];
    assert_eq!(
        (hold["source"].as_str(), hold["answers"][0].as_str()),
        (Some("REVIEWER"), Some("Yes"))
    );
    assert_eq!(hold["engineAnswer"]["answers"], json!(["No"]));
    assert_eq!(hold["engineAnswer"]["source"], "RULES");
    assert_eq!(reviewed["reviews"][0]["reason"], "asked in other words");
    assert_eq!(reviewed["reviews"][0]["percentageBefore"], 75.0);

    let (status, report) = read(app.get(&format!("/api/v1/scorecards/{sc}/agreement")).await).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["evaluations"], 1);
    let agreed: Vec<(String, f64)> = report["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["questionId"].as_str().unwrap().to_owned(),
                q["agreed"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        agreed,
        [
            ("empathy".to_owned(), 1.0),
            ("greet".to_owned(), 1.0),
            ("hold".to_owned(), 0.0)
        ]
    );
    assert_eq!(report["overall"]["count"], 3);
    assert_eq!(report["overall"]["agreed"], 0.6667);
}

async fn score_submissions_list_with_filters_and_pages(app: &TestApp) {
    let sc = create_scorecard(app, rules_card()).await;
    let mut strict = rules_card();
    strict["passingScore"] = json!(90);
    let strict = create_scorecard(app, strict).await;
    let mut ids = Vec::new();
    let mut interactions = Vec::new();
    for (i, card) in [&sc, &strict, &sc].into_iter().enumerate() {
        let body = json!({ "sourceIdentifier": format!("list-{i}"), "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
            "transcript": call(), "agent": { "name": "Dana", "sourceIdentifier": format!("agent-{}", i % 2) },
            "evaluation": { "scorecardId": card } });
        let (status, resp) = app.upload(&body).await;
        assert_eq!(status, 200, "{resp}");
        evaluate(app, None, resp["statusUrl"].as_str().unwrap()).await;
        ids.push(resp["scoreSubmissionId"].as_str().unwrap().to_owned());
        interactions.push(resp["interactionId"].as_str().unwrap().to_owned());
    }
    let list = |q: &str| {
        let q = q.to_owned();
        async move {
            let (status, page) =
                read(app.get(&format!("/api/v1/score-submissions{q}")).await).await;
            assert_eq!(status, 200, "{q}: {page}");
            let got: Vec<String> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect();
            (got, page)
        }
    };
    let (all, page) = list("").await;
    assert_eq!(
        all,
        [ids[2].clone(), ids[1].clone(), ids[0].clone()],
        "newest first"
    );
    assert_eq!(page["data"][0]["score"], json!({ "percentage": 75.0 }));
    assert!(page["data"][0].get("answers").is_none(), "summary rows");
    assert_eq!(
        list(&format!("?scorecard={sc}")).await.0,
        [ids[2].clone(), ids[0].clone()]
    );
    assert_eq!(list("?passed=false").await.0, [ids[1].clone()]);
    assert_eq!(list("?agent=agent-1").await.0, [ids[1].clone()]);
    assert_eq!(list("?status=COMPLETED&needsReview=false").await.0.len(), 3);
    assert_eq!(list("?status=FAILED").await.0.len(), 0);
    let (first, page) = list("?limit=2").await;
    assert_eq!(first, [ids[2].clone(), ids[1].clone()]);
    let cursor = page["nextCursor"].as_str().unwrap();
    let (rest, page) = list(&format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(rest, [ids[0].clone()]);
    assert!(page["nextCursor"].is_null());
    let (status, err) = read(app.get("/api/v1/score-submissions?passed=maybe").await).await;
    assert_eq!(
        (status.as_u16(), err["error"]["field"].as_str()),
        (400, Some("passed")),
        "{err}"
    );
    let (_, other) = app.new_account(0).await;
    let (_, theirs) = read(app.get_as(&other, "/api/v1/score-submissions").await).await;
    assert_eq!(theirs["data"], json!([]), "another account sees none");

    // The interaction list filters by its evaluations the same way; an interaction without
    // one (this chat) matches no evaluation filter.
    let (status, _) = app
        .upload(
            &json!({ "sourceIdentifier": "no-eval", "direction": "INBOUND",
            "timestamp": "2026-06-23T15:00:00Z", "transcript": { "text": "Agent: hi" } }),
        )
        .await;
    assert_eq!(status, 200);
    let listed = |q: &'static str| async move {
        let (status, page) = read(app.get(&format!("/api/v1/interactions{q}")).await).await;
        assert_eq!(status, 200, "{q}: {page}");
        let mut got: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        got
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(listed("").await.len(), 4);
    assert_eq!(listed("?passed=false").await, [interactions[1].clone()]);
    assert_eq!(
        listed("?evaluationStatus=COMPLETED&passed=true").await,
        sorted(vec![interactions[0].clone(), interactions[2].clone()])
    );
    assert_eq!(listed("?scoreMin=75&scoreMax=75").await.len(), 3);
    assert_eq!(listed("?scoreMin=75.5").await.len(), 0);
    assert_eq!(listed("?needsReview=false&scoreMax=80").await.len(), 3);
    assert_eq!(listed("?evaluationStatus=FAILED").await.len(), 0);
    for (q, field) in [
        ("?scoreMin=101", "scoreMin"),
        ("?scoreMax=-1", "scoreMax"),
        ("?scoreMin=80&scoreMax=70", "scoreMax"),
        ("?evaluationStatus=DONE", "evaluationStatus"),
        ("?needsReview=yes", "needsReview"),
    ] {
        let (status, err) = read(app.get(&format!("/api/v1/interactions{q}")).await).await;
        assert_eq!(
            (status.as_u16(), err["error"]["field"].as_str()),
            (400, Some(field)),
            "{q}: {err}"
        );
    }
}

async fn a_call_longer_than_the_context_is_answered_in_parts(app: &TestApp) {
    // 120 lines of about 60 characters: ~7,400 characters, far over a 1,200-token window once
    // the reply's share is set aside. Only line 3 holds the quote the stand-in always gives.
    let mut segments: Vec<Value> = call()["segments"].as_array().unwrap().clone();
    segments.truncate(3);
    for i in 3..120 {
        let t = 10.0 + i as f64 * 3.0;
        segments.push(json!({ "start": t, "end": t + 2.5, "speaker": if i % 2 == 0 { "agent" } else { "customer" },
            "text": format!("Line {i}: we are still talking about the account and the bill.") }));
    }
    let reply = json!({ "q1": { "answer": "Yes", "explanation": "checked",
        "evidence": [{ "line": 3, "quote": "let me check" }] } });
    let server = stand_in(vec![completion(reply)]).await;
    let sc = create_scorecard(app, ai_card()).await;
    let body = json!({ "sourceIdentifier": "long-call", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": { "text": "", "segments": segments }, "evaluation": { "scorecardId": sc } });
    let (status, resp) = app.upload(&body).await;
    assert_eq!(status, 200, "{resp}");
    let stored = evaluate(
        app,
        Some(engine_with_context(&server.base, 1200)),
        resp["statusUrl"].as_str().unwrap(),
    )
    .await;
    let e = &stored["evaluations"][0];
    assert_eq!(e["status"], "COMPLETED", "{e}");
    let ai = &e["answers"][1];
    assert_eq!(ai["answers"], json!(["Yes"]));
    assert_eq!(
        ai["evidence"][0]["line"], 3,
        "the part that saw line 3 backs the answer: {e}"
    );
    assert_eq!(ai["needsReview"], false);

    let requests = server.requests.lock().unwrap();
    let firsts: Vec<&str> = requests
        .iter()
        .filter(|r| r["messages"].as_array().unwrap().len() == 2)
        .map(|r| r["messages"][1]["content"].as_str().unwrap())
        .collect();
    assert!(firsts.len() >= 3, "asked in parts: {}", firsts.len());
    assert!(firsts[0].contains("[1] 00:00 Agent:") && !firsts[0].contains("Line 119"));
    assert!(
        !firsts.last().unwrap().contains("[1] 00:00")
            && firsts.last().unwrap().contains("Line 119"),
        "every line is sent"
    );
    for content in &firsts {
        assert!(
            content.len() < 1200 * 3,
            "each part fits the window: {}",
            content.len()
        );
    }
}

async fn samples_vote_and_report_confidence(app: &TestApp) {
    let answer = |label: &str| {
        completion(json!({ "q1": { "answer": label, "explanation": label,
        "evidence": [{ "line": 3, "quote": "let me check" }] } }))
    };
    for (labels, want, confidence, needs_review) in [
        (vec!["Yes", "No", "Yes"], "Yes", 0.6667, false),
        (vec!["No", "Yes", "N/A"], "No", 0.3333, true),
    ] {
        let server = stand_in(labels.iter().map(|l| answer(l)).collect()).await;
        let mut card = ai_card();
        card["samples"] = json!(3);
        let sc = create_scorecard(app, card).await;
        let body = json!({ "sourceIdentifier": format!("samples-{want}"), "direction": "INBOUND",
            "timestamp": "2026-06-23T14:30:00Z", "transcript": call(), "evaluation": { "scorecardId": sc } });
        let (_, resp) = app.upload(&body).await;
        let stored = evaluate(
            app,
            Some(engine(&server.base)),
            resp["statusUrl"].as_str().unwrap(),
        )
        .await;
        let ai = &stored["evaluations"][0]["answers"][1];
        assert_eq!(ai["answers"], json!([want]), "{ai}");
        assert_eq!(ai["confidence"], confidence);
        assert_eq!(ai["needsReview"], needs_review);
        let requests = server.requests.lock().unwrap();
        assert_eq!(requests.len(), 3);
        assert!(requests.iter().all(|r| r["temperature"] == 0.7));
    }
    let mut bad = ai_card();
    bad["samples"] = json!(9);
    let (status, err) = read(app.post_json("/api/v1/scorecards", &bad).await).await;
    assert_eq!(
        (status.as_u16(), err["error"]["field"].as_str()),
        (400, Some("samples")),
        "{err}"
    );
}

/// A 429 with `Retry-After: 4` is retried no sooner than 4 s later, where the queue's own first
/// backoff would have come back within 2 s.
async fn a_providers_retry_after_is_honoured(app: &TestApp) {
    let good = json!({ "q1": { "answer": "Yes", "explanation": "checked the bill",
        "evidence": [{ "line": 3, "quote": "let me check" }] } });
    let (ok, reply) = completion(good);
    let server = stand_in_with_waits(vec![
        (
            429,
            json!({ "error": { "message": "slow down" } }),
            Some("4"),
        ),
        (ok, reply, None),
    ])
    .await;
    let sc = create_scorecard(app, ai_card()).await;
    let body = json!({ "sourceIdentifier": "ai-retry-after", "direction": "INBOUND", "timestamp": "2026-06-23T14:30:00Z",
        "transcript": call(), "evaluation": { "scorecardId": sc } });
    let (_, resp) = app.upload(&body).await;
    let stored = evaluate(
        app,
        Some(engine(&server.base)),
        resp["statusUrl"].as_str().unwrap(),
    )
    .await;
    assert_eq!(stored["evaluations"][0]["status"], "COMPLETED", "{stored}");
    let arrivals = server.arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 2, "one refused request, one answered");
    let waited = arrivals[1] - arrivals[0];
    assert!(waited >= Duration::from_secs(4), "retried after {waited:?}");
}
