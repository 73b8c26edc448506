//! Accounts, API tokens, users, sessions and credit movements.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::tokens::{Scope, ScopeSet};
use scorejar_store::{NewApiToken, NewSession, Store, StoreError};
use std::sync::Arc;
use time::macros::datetime;

pub async fn account_and_first_token(store: Arc<dyn Store>) {
    let before = store.account_count().await.unwrap();
    let first = token("first");
    let id = new_id();
    let account = store
        .create_account(&id, "Acme Support", 50, first.clone())
        .await
        .unwrap();
    assert_eq!(
        (account.id.as_str(), account.name.as_str(), account.credits),
        (id.as_str(), "Acme Support", 50)
    );
    assert_eq!(store.get_account(&id).await.unwrap(), Some(account));
    assert_eq!(store.get_account(&new_id()).await.unwrap(), None);
    assert_eq!(store.account_count().await.unwrap(), before + 1);

    let (balance, entries) = store.credits(&id, &PageRequest::first(10)).await.unwrap();
    let entries = entries.data;
    assert_eq!(balance, 50);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0].amount, entries[0].balance_after), (50, 50));
    assert_eq!(entries[0].interaction_id, None);

    let tokens = all_tokens(&store, &id).await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(
        (tokens[0].id.as_str(), tokens[0].name.as_str()),
        (first.id.as_str(), "first")
    );
    assert_eq!(tokens[0].last_used_at, None);
    assert_eq!(
        store
            .find_api_token(&first.token_hash)
            .await
            .unwrap()
            .map(|t| t.account_id),
        Some(id.clone())
    );

    // An account whose first token's hash is taken is not created at all: account, token and
    // grant are written together or not at all.
    let clash = NewApiToken {
        token_hash: first.token_hash.clone(),
        ..token("clash")
    };
    let refused = new_id();
    assert!(store
        .create_account(&refused, "Clash", 10, clash)
        .await
        .is_err());
    assert_eq!(store.get_account(&refused).await.unwrap(), None);
    assert!(matches!(
        store.credits(&refused, &PageRequest::first(10)).await,
        Err(StoreError::NotFound("account"))
    ));
    assert_eq!(store.account_count().await.unwrap(), before + 1);
    assert_eq!(
        store
            .find_api_token(&first.token_hash)
            .await
            .unwrap()
            .map(|t| t.account_id),
        Some(id.clone())
    );
    assert_eq!(all_tokens(&store, &id).await, tokens);
}

/// Scopes and expiry are stored as given and read back by the auth lookup and the list;
/// `last_used_at` is written as asked and never moves back.
pub async fn token_scopes_expiry_and_last_use(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let expires = datetime!(2030-01-02 03:04:05.123456 UTC);
    let limited = NewApiToken {
        scopes: [Scope::Read, Scope::Upload].into_iter().collect(),
        expires_at: Some(expires),
        ..token("limited")
    };
    let info = store.create_api_token(&a, limited.clone()).await.unwrap();
    assert_eq!(
        (info.scopes, info.expires_at),
        (limited.scopes, Some(expires))
    );
    let auth = store
        .find_api_token(&limited.token_hash)
        .await
        .unwrap()
        .expect("live token");
    assert_eq!(
        (
            auth.id.as_str(),
            auth.account_id.as_str(),
            auth.scopes,
            auth.expires_at,
            auth.last_used_at
        ),
        (
            limited.id.as_str(),
            a.as_str(),
            limited.scopes,
            Some(expires),
            None
        )
    );
    // An expired token is still found: expiry is the caller's decision, not the store's.
    let past = NewApiToken {
        expires_at: Some(datetime!(2001-01-01 00:00 UTC)),
        ..token("past")
    };
    store.create_api_token(&a, past.clone()).await.unwrap();
    let found = store.find_api_token(&past.token_hash).await.unwrap();
    assert_eq!(
        found.map(|t| (t.expires_at, t.scopes)),
        Some((past.expires_at, ScopeSet::all()))
    );

    let t1 = datetime!(2026-12-05 10:00:00.5 UTC);
    store.record_api_token_use(&limited.id, t1).await.unwrap();
    store
        .record_api_token_use(&limited.id, t1 - time::Duration::minutes(5))
        .await
        .unwrap();
    let last_used = |tokens: Vec<scorejar_core::model::ApiTokenInfo>| {
        tokens
            .into_iter()
            .find(|t| t.id == limited.id)
            .map(|t| (t.scopes, t.expires_at, t.last_used_at))
    };
    assert_eq!(
        last_used(all_tokens(&store, &a).await),
        Some((limited.scopes, Some(expires), Some(t1))),
        "an older use never moves last_used_at back"
    );
    let t2 = t1 + time::Duration::minutes(2);
    store.record_api_token_use(&limited.id, t2).await.unwrap();
    assert_eq!(
        store
            .find_api_token(&limited.token_hash)
            .await
            .unwrap()
            .and_then(|t| t.last_used_at),
        Some(t2)
    );
    // Writing another token's use touches only that token.
    assert_eq!(
        store
            .find_api_token(&past.token_hash)
            .await
            .unwrap()
            .and_then(|t| t.last_used_at),
        None
    );
}

pub async fn account_without_credits_has_no_ledger_entry(store: Arc<dyn Store>) {
    let id = account(&store, 0).await;
    let (balance, entries) = store.credits(&id, &PageRequest::first(10)).await.unwrap();
    let entries = entries.data;
    assert_eq!((balance, entries.len()), (0, 0));
    assert!(matches!(
        store.credits(&new_id(), &PageRequest::first(10)).await,
        Err(StoreError::NotFound("account"))
    ));
}

pub async fn token_auth_and_revoke(store: Arc<dyn Store>) {
    let first_token = token("first");
    let a = new_id();
    store
        .create_account(&a, "Acme", 0, first_token.clone())
        .await
        .unwrap();
    let b = account(&store, 0).await;
    let first = all_tokens(&store, &a).await.remove(0);
    let second = token("ci");
    let info = store.create_api_token(&a, second.clone()).await.unwrap();
    assert_eq!(
        (info.id.as_str(), info.name.as_str(), info.last_used_at),
        (second.id.as_str(), "ci", None)
    );

    let listed: Vec<String> = all_tokens(&store, &a)
        .await
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        listed,
        vec![second.id.clone(), first.id.clone()],
        "newest first"
    );

    // Another account can neither see nor revoke it.
    assert!(!store.revoke_api_token(&b, &second.id).await.unwrap());
    assert_eq!(
        store
            .find_api_token(&second.token_hash)
            .await
            .unwrap()
            .map(|t| t.account_id),
        Some(a.clone())
    );

    assert!(store.revoke_api_token(&a, &second.id).await.unwrap());
    assert!(
        !store.revoke_api_token(&a, &second.id).await.unwrap(),
        "already revoked"
    );
    assert_eq!(
        store
            .find_api_token(&second.token_hash)
            .await
            .unwrap()
            .map(|t| t.account_id),
        None
    );
    // The other token of the account still works and is all that is listed.
    assert_eq!(
        store
            .find_api_token(&first_token.token_hash)
            .await
            .unwrap()
            .map(|t| t.account_id),
        Some(a.clone())
    );
    assert_eq!(all_tokens(&store, &a).await, vec![first]);

    assert_eq!(
        store.find_api_token(&token("x").token_hash).await.unwrap(),
        None
    );
    assert!(matches!(
        store.create_api_token(&new_id(), token("orphan")).await,
        Err(StoreError::NotFound("account"))
    ));
}

pub async fn sessions_round_trip(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let user = new_id();
    store
        .create_user(scorejar_core::model::NewUser::admin(
            &user,
            &a,
            "ops@example.com",
            "hash",
        ))
        .await
        .unwrap();
    let expires_at = datetime!(2031-01-02 03:04:05.678901 UTC);
    store
        .create_session(NewSession {
            token_hash: "session-hash".into(),
            user_id: user.clone(),
            account_id: a.clone(),
            expires_at,
        })
        .await
        .unwrap();
    let found = store.find_session("session-hash").await.unwrap().unwrap();
    assert_eq!(
        (found.user_id.as_str(), found.account_id.as_str()),
        (user.as_str(), a.as_str())
    );
    assert_eq!(found.expires_at, expires_at);
    assert_eq!(store.find_session("other").await.unwrap(), None);
    assert!(store.delete_session("session-hash").await.unwrap());
    assert_eq!(store.find_session("session-hash").await.unwrap(), None);
    assert!(!store.delete_session("session-hash").await.unwrap());
}

pub async fn users_and_case_insensitive_email_conflict(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let user = new_id();
    store
        .create_user(scorejar_core::model::NewUser::admin(
            &user,
            &a,
            "Jane.Doe@Example.com",
            "argon-hash",
        ))
        .await
        .unwrap();

    let found = store
        .find_user_by_email("jane.doe@EXAMPLE.COM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, user);
    assert_eq!(found.account_id, a);
    assert_eq!(found.email, "Jane.Doe@Example.com", "kept as given");
    assert_eq!(found.password_hash, "argon-hash");
    assert_eq!(store.find_user(&user).await.unwrap(), Some(found));
    assert_eq!(store.find_user(&new_id()).await.unwrap(), None);
    assert_eq!(
        store
            .find_user_by_email("nobody@example.com")
            .await
            .unwrap(),
        None
    );

    // E-mails are unique across accounts, whatever their case.
    for (account_id, email) in [(&a, "JANE.DOE@example.com"), (&b, "jane.doe@example.com")] {
        let result = store
            .create_user(scorejar_core::model::NewUser::admin(
                new_id(),
                account_id,
                email,
                "h",
            ))
            .await;
        assert!(
            matches!(result, Err(StoreError::Conflict("user email"))),
            "{result:?}"
        );
    }
    let orphan = store
        .create_user(scorejar_core::model::NewUser::admin(
            new_id(),
            new_id(),
            "orphan@example.com",
            "h",
        ))
        .await;
    assert!(
        matches!(orphan, Err(StoreError::NotFound("account"))),
        "{orphan:?}"
    );
}

pub async fn add_credits_moves_balance_with_ledger(store: Arc<dyn Store>) {
    let a = account(&store, 50).await;
    assert_eq!(store.add_credits(&a, 25, "top-up").await.unwrap(), 75);
    assert_eq!(store.add_credits(&a, -75, "correction").await.unwrap(), 0);
    assert_insufficient(store.add_credits(&a, -1, "too much").await, 1, 0);
    assert!(matches!(
        store.add_credits(&new_id(), 5, "nobody").await,
        Err(StoreError::NotFound("account"))
    ));

    let (balance, entries) = store.credits(&a, &PageRequest::first(10)).await.unwrap();
    let entries = entries.data;
    assert_eq!(balance, 0);
    let summary: Vec<(i64, i64, &str)> = entries
        .iter()
        .map(|e| (e.amount, e.balance_after, e.reason.as_str()))
        .collect();
    assert_eq!(summary[..2], [(-75, 0, "correction"), (25, 75, "top-up")]);
    assert_eq!(
        summary.len(),
        3,
        "the refused debit wrote nothing: {summary:?}"
    );
    assert_eq!(
        store
            .credits(&a, &PageRequest::first(2))
            .await
            .unwrap()
            .1
            .data
            .len(),
        2,
        "limit applies"
    );
}

pub async fn users_carry_their_role_and_agent_link(store: Arc<dyn Store>) {
    use scorejar_core::model::NewUser;
    use scorejar_core::roles::Role;
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let mut call = upload(&a, "agent-link");
    call.agent = Some(participant(Some("AG-1"), None, Some("Dana")));
    let receipt = created(&store, call).await;
    let dana = interaction(&store, &a, &receipt.interaction_id)
        .await
        .agent
        .unwrap()
        .id;
    let agent = |id: &str, account: &str, email: &str| NewUser {
        role: Role::Agent,
        agent_participant_id: Some(dana.clone()),
        ..NewUser::admin(id, account, email, "h")
    };
    let user = new_id();
    store
        .create_user(agent(&user, &a, "dana@example.com"))
        .await
        .unwrap();
    let found = store.find_user(&user).await.unwrap().unwrap();
    assert_eq!(found.role, Role::Agent);
    assert_eq!(found.agent_participant_id.as_deref(), Some(dana.as_str()));
    assert!(found.active);
    let admin = store
        .find_user_by_email("dana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin, found);

    // The agent participant must be of the user's account: nothing is written otherwise.
    let result = store
        .create_user(agent(&new_id(), &b, "other@example.com"))
        .await;
    assert!(
        matches!(result, Err(StoreError::NotFound("participant"))),
        "{result:?}"
    );
    assert_eq!(
        store.find_user_by_email("other@example.com").await.unwrap(),
        None
    );

    // An AGENT's list holds their interactions only, matched by participant id.
    created(&store, upload(&a, "no-agent")).await;
    let listed = |agent: String| {
        let store = store.clone();
        let a = a.clone();
        async move {
            let filter = scorejar_core::model::InteractionFilter {
                restrict_to_agent: Some(agent),
                limit: 50,
                ..Default::default()
            };
            let page = store.list_interactions(&a, &filter).await.unwrap();
            page.data
                .into_iter()
                .map(|i| i.source_identifier)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(dana.clone()).await, vec!["agent-link".to_owned()]);
    assert!(
        listed("AG-1".into()).await.is_empty(),
        "ids only, not sourceIdentifiers"
    );
}

pub async fn only_the_first_start_makes_the_first_account(store: Arc<dyn Store>) {
    // Two first starts at once: one account, one token.
    let (a, b) = (new_id(), new_id());
    let (one, two) = tokio::join!(
        store.create_first_account(&a, "default", 5, token("initial")),
        store.create_first_account(&b, "default", 5, token("initial")),
    );
    let made = [one.unwrap(), two.unwrap()];
    assert_eq!(made.iter().filter(|a| a.is_some()).count(), 1, "{made:?}");
    assert_eq!(store.account_count().await.unwrap(), 1);
    let later = store
        .create_first_account(&new_id(), "default", 5, token("initial"))
        .await
        .unwrap();
    assert!(later.is_none());
    assert_eq!(store.account_count().await.unwrap(), 1);
}

pub async fn expired_sessions_are_swept_and_live_ones_kept(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let user = new_id();
    store
        .create_user(scorejar_core::model::NewUser::admin(
            &user,
            &a,
            "sweep@example.com",
            "hash",
        ))
        .await
        .unwrap();
    for (hash, expires_at) in [
        ("expired", datetime!(2030-01-01 00:00 UTC)),
        ("live", datetime!(2030-03-01 00:00 UTC)),
    ] {
        store
            .create_session(NewSession {
                token_hash: hash.into(),
                user_id: user.clone(),
                account_id: a.clone(),
                expires_at,
            })
            .await
            .unwrap();
    }
    let now = datetime!(2030-02-01 00:00 UTC);
    assert_eq!(store.sweep_sessions(now).await.unwrap(), 1);
    assert_eq!(store.find_session("expired").await.unwrap(), None);
    assert!(store.find_session("live").await.unwrap().is_some());
    assert_eq!(store.sweep_sessions(now).await.unwrap(), 0, "nothing twice");
}
