//! Accounts, tokens, users, sessions, tags, scorecards, credits and queued evaluations.

use super::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::{NewApiToken, NewSession, Store, StoreError};

#[tokio::test]
async fn accounts_and_api_tokens_authenticate_until_revoked() {
    let db = TestDb::new().await;
    let store = &db.store;
    let first = NewApiToken {
        id: new_id(),
        name: "first".into(),
        token_hash: "h1".into(),
    };
    let created = store
        .create_account("acc-1", "Acme", 50, first.clone())
        .await
        .unwrap();
    assert_eq!(
        (created.id.as_str(), created.name.as_str(), created.credits),
        ("acc-1", "Acme", 50)
    );
    assert_eq!(store.get_account("acc-1").await.unwrap(), Some(created));
    assert_eq!(store.get_account("nope").await.unwrap(), None);
    assert_eq!(store.account_count().await.unwrap(), 1);

    let (balance, ledger) = store.credits("acc-1", 10).await.unwrap();
    assert_eq!(balance, 50);
    assert_eq!(
        (
            ledger[0].amount,
            ledger[0].balance_after,
            ledger[0].interaction_id.clone()
        ),
        (50, 50, None)
    );

    assert_eq!(
        store.account_for_api_token("h1").await.unwrap().as_deref(),
        Some("acc-1")
    );
    assert_eq!(store.account_for_api_token("unknown").await.unwrap(), None);
    let second = NewApiToken {
        id: new_id(),
        name: "second".into(),
        token_hash: "h2".into(),
    };
    let info = store
        .create_api_token("acc-1", second.clone())
        .await
        .unwrap();
    assert_eq!((info.name.as_str(), info.last_used_at), ("second", None));
    let names: Vec<String> = store
        .list_api_tokens("acc-1")
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["second", "first"]);

    let other = account(store, 0).await;
    assert!(
        !store.revoke_api_token(&other, &first.id).await.unwrap(),
        "another account's token"
    );
    assert!(store.revoke_api_token("acc-1", &first.id).await.unwrap());
    assert!(
        !store.revoke_api_token("acc-1", &first.id).await.unwrap(),
        "already revoked"
    );
    assert_eq!(store.account_for_api_token("h1").await.unwrap(), None);
    assert_eq!(
        store.account_for_api_token("h2").await.unwrap().as_deref(),
        Some("acc-1")
    );
    assert_eq!(store.list_api_tokens("acc-1").await.unwrap(), [info]);
    assert!(matches!(
        store
            .create_api_token(
                "nope",
                NewApiToken {
                    id: new_id(),
                    name: "x".into(),
                    token_hash: "h3".into()
                }
            )
            .await,
        Err(StoreError::NotFound("account"))
    ));
    // Creating the account wrote all three rows in one statement; a failing one writes none.
    let clash = NewApiToken {
        id: new_id(),
        name: "dup".into(),
        token_hash: "h2".into(),
    };
    assert!(store
        .create_account("acc-2", "Clash", 10, clash)
        .await
        .is_err());
    assert_eq!(store.get_account("acc-2").await.unwrap(), None);
    assert_eq!(count(store, "credit_ledger").await, 1);
}

#[tokio::test]
async fn credits_move_with_ledger_entries_and_never_below_zero() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 5).await;
    assert_eq!(store.add_credits(&acc, 10, "top-up").await.unwrap(), 15);
    assert_eq!(store.add_credits(&acc, -15, "refund").await.unwrap(), 0);
    assert!(matches!(
        store.add_credits(&acc, -1, "overdraw").await,
        Err(StoreError::InsufficientCredits {
            required: 1,
            balance: 0
        })
    ));
    assert!(matches!(
        store.add_credits("nope", 1, "x").await,
        Err(StoreError::NotFound("account"))
    ));
    let (balance, ledger) = store.credits(&acc, 2).await.unwrap();
    assert_eq!(balance, 0);
    let moves: Vec<_> = ledger
        .iter()
        .map(|e| (e.amount, e.balance_after, e.reason.as_str()))
        .collect();
    assert_eq!(moves, [(-15, 0, "refund"), (10, 15, "top-up")]);
    assert!(matches!(
        store.credits("nope", 2).await,
        Err(StoreError::NotFound("account"))
    ));
}

#[tokio::test]
async fn users_and_sessions() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    store
        .create_user("u-1", &acc, "Jane@Example.com", "phc$hash")
        .await
        .unwrap();
    let user = store
        .find_user_by_email("jane@EXAMPLE.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        user,
        UserRecord {
            id: "u-1".into(),
            account_id: acc.clone(),
            email: "Jane@Example.com".into(),
            password_hash: "phc$hash".into()
        }
    );
    assert_eq!(store.find_user("u-1").await.unwrap(), Some(user));
    assert!(matches!(
        store
            .create_user("u-2", &acc, "JANE@example.com", "x")
            .await,
        Err(StoreError::Conflict("user email"))
    ));
    assert!(matches!(
        store.create_user("u-3", "nope", "z@example.com", "x").await,
        Err(StoreError::NotFound("account"))
    ));

    let expires_at = time::macros::datetime!(2030-01-01 00:00:00.5 UTC);
    let session = NewSession {
        token_hash: "s1".into(),
        user_id: "u-1".into(),
        account_id: acc.clone(),
        expires_at,
    };
    store.create_session(session).await.unwrap();
    let found = store.find_session("s1").await.unwrap().unwrap();
    assert_eq!(
        found,
        SessionRecord {
            user_id: "u-1".into(),
            account_id: acc,
            expires_at
        }
    );
    assert!(store.delete_session("s1").await.unwrap());
    assert!(!store.delete_session("s1").await.unwrap());
    assert_eq!(store.find_session("s1").await.unwrap(), None);
}

#[tokio::test]
async fn tags_and_scorecards() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 0).await;
    let other = account(store, 0).await;
    for name in ["beta", "Alpha", "gamma"] {
        tag(store, &acc, name).await;
    }
    tag(store, &other, "ALPHA").await;
    assert!(matches!(
        store
            .create_tag(
                &acc,
                Tag {
                    id: new_id(),
                    name: "ALPHA".into()
                }
            )
            .await,
        Err(StoreError::Conflict("tag name"))
    ));
    assert!(matches!(
        store
            .create_tag(
                "nope",
                Tag {
                    id: new_id(),
                    name: "x".into()
                }
            )
            .await,
        Err(StoreError::NotFound("account"))
    ));
    let names: Vec<String> = store
        .list_tags(&acc)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Alpha", "beta", "gamma"]);

    let created = store
        .create_scorecard(&acc, "sc-1", &scorecard_fields(ScorecardStatus::Draft))
        .await
        .unwrap();
    assert_eq!(
        store.get_scorecard(&acc, "sc-1").await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.get_scorecard(&other, "sc-1").await.unwrap(), None);
    let mut fields = scorecard_fields(ScorecardStatus::Active);
    fields.description = None;
    fields.passing_score = None;
    let updated = store
        .update_scorecard(&acc, "sc-1", &fields)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.created_at, &updated.fields),
        (created.created_at, &fields)
    );
    assert_eq!(
        store
            .update_scorecard(&other, "sc-1", &fields)
            .await
            .unwrap(),
        None
    );
    store
        .create_scorecard(&acc, "sc-2", &scorecard_fields(ScorecardStatus::Archived))
        .await
        .unwrap();
    let ids: Vec<String> = store
        .list_scorecards(&acc)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["sc-1", "sc-2"]);
    assert_eq!(store.list_scorecards(&acc).await.unwrap()[0], updated);
}

fn evaluation_request(
    account_id: &str,
    interaction_id: &str,
    scorecard_id: &str,
    charge: i64,
) -> NewEvaluation {
    NewEvaluation {
        account_id: account_id.into(),
        interaction_id: interaction_id.into(),
        spec: NewEvaluationSpec {
            score_submission_id: new_id(),
            scorecard_id: scorecard_id.into(),
        },
        charge,
        charge_reason: "evaluation: 2 min".into(),
        job: NewJob {
            id: new_id(),
            kind: scorejar_core::jobs::EVALUATE.into(),
            interaction_id: Some(interaction_id.into()),
            payload: serde_json::json!({"scoreSubmissionId": "x"}),
        },
    }
}

#[tokio::test]
async fn queue_evaluation_checks_in_order_and_writes_together() {
    let db = TestDb::new().await;
    let store = &db.store;
    let acc = account(store, 3).await;
    let other = account(store, 100).await;
    let active = scorecard(store, &acc, ScorecardStatus::Active).await;
    let draft = scorecard(store, &acc, ScorecardStatus::Draft).await;
    let upload = chat_upload(&acc, "e1", 1);
    let receipt = created(store.create_upload(upload.clone()).await.unwrap());
    let id = receipt.interaction_id.clone();

    let cases = [
        (
            evaluation_request(&acc, "missing", &active, 1),
            "interaction",
        ),
        (evaluation_request(&other, &id, &active, 1), "interaction"),
        (evaluation_request(&acc, &id, &draft, 1), "scorecard"),
        (evaluation_request(&acc, &id, &active, 5), "credits"),
    ];
    for (request, expected) in cases {
        let err = store.queue_evaluation(request).await.unwrap_err();
        let what = match err {
            StoreError::NotFound("interaction") => "interaction",
            StoreError::ScorecardNotActive => "scorecard",
            StoreError::InsufficientCredits {
                required: 5,
                balance: 2,
            } => "credits",
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(what, expected);
    }
    assert_eq!(
        (
            count(store, "evaluations").await,
            count(store, "jobs").await
        ),
        (0, 0)
    );

    let request = evaluation_request(&acc, &id, &active, 2);
    let ssid = request.spec.score_submission_id.clone();
    store.queue_evaluation(request).await.unwrap();
    let got = store.get_interaction(&acc, &id).await.unwrap().unwrap();
    assert_eq!(got.evaluations.len(), 1);
    assert_eq!(
        (
            got.evaluations[0].score_submission_id.as_str(),
            got.evaluations[0].status
        ),
        (ssid.as_str(), EvaluationStatus::Queued)
    );
    assert_eq!(got.credits_charged, 3);
    assert_eq!(
        got.processing,
        Processing::default(),
        "the upload receipt is unchanged"
    );
    let jobs = store.jobs_for_interaction(&id).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(),
        ["Evaluate"]
    );
    let (balance, ledger) = store.credits(&acc, 1).await.unwrap();
    assert_eq!(
        (
            balance,
            ledger[0].amount,
            ledger[0].interaction_id.as_deref()
        ),
        (0, -2, Some(id.as_str()))
    );
    assert_eq!(
        store
            .find_upload(&acc, "e1")
            .await
            .unwrap()
            .unwrap()
            .score_submission_id,
        None
    );
}
