//! How an upload's agent, customer and tag references are matched to stored rows.

use crate::support::*;
use scorejar_core::ids::new_id;
use scorejar_core::model::*;
use scorejar_store::Store;
use std::sync::Arc;

/// Uploads with this agent/customer; returns the stored (agent, customer) and the warnings.
async fn upload_people(
    store: &Arc<dyn Store>,
    account_id: &str,
    agent: Option<ParticipantInput>,
    customer: Option<ParticipantInput>,
) -> (Option<Participant>, Option<Participant>, Vec<String>) {
    let mut up = upload(account_id, &new_id());
    up.agent = agent;
    up.customer = customer;
    let receipt = created(store, up).await;
    let got = interaction(store, account_id, &receipt.interaction_id).await;
    (got.agent, got.customer, receipt.warnings)
}

pub async fn participants_match_by_source_then_email(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let (ann, _, _) = upload_people(
        &store,
        &a,
        Some(participant(Some("A-1"), None, Some("Ann"))),
        None,
    )
    .await;
    let ann = ann.unwrap();

    // By sourceIdentifier: the missing e-mail and phone are filled in, the name is kept.
    let mut input = participant(Some("A-1"), Some("Ann@Example.com"), Some("Renamed"));
    input.phone = Some("+1555".into());
    let (agent, _, warnings) = upload_people(&store, &a, Some(input), None).await;
    let agent = agent.unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(agent.id, ann.id);
    assert_eq!(
        (
            agent.name.as_deref(),
            agent.email.as_deref(),
            agent.phone.as_deref()
        ),
        (Some("Ann"), Some("Ann@Example.com"), Some("+1555"))
    );

    // An unknown sourceIdentifier with Ann's e-mail is somebody else: a new participant, and
    // the e-mail stays Ann's (with a warning).
    let (other, _, warnings) = upload_people(
        &store,
        &a,
        Some(participant(Some("A-2"), Some("ANN@example.com"), None)),
        None,
    )
    .await;
    let other = other.unwrap();
    assert_ne!(other.id, ann.id);
    assert_eq!(other.email, None);
    assert_eq!(other.source_identifier.as_deref(), Some("A-2"));
    assert!(
        warnings.iter().any(|w| w.contains("ANN@example.com")),
        "{warnings:?}"
    );

    // By e-mail, case-insensitively, when the upload has no sourceIdentifier.
    for input in [participant(None, Some("ann@EXAMPLE.com"), Some("Other"))] {
        let (agent, _, _) = upload_people(&store, &a, Some(input), None).await;
        let agent = agent.unwrap();
        assert_eq!(agent.id, ann.id);
        assert_eq!(
            (agent.name.as_deref(), agent.source_identifier.as_deref()),
            (Some("Ann"), Some("A-1")),
            "nothing overwritten"
        );
    }

    // As customer too, and both roles at once.
    let (agent, customer, _) = upload_people(
        &store,
        &a,
        Some(participant(Some("A-1"), None, None)),
        Some(participant(None, Some("ann@example.com"), None)),
    )
    .await;
    assert_eq!(
        (agent.unwrap().id, customer.unwrap().id),
        (ann.id.clone(), ann.id.clone())
    );

    // A new identity is a new participant; so is the same identity in another account.
    let (_, carl, _) = upload_people(
        &store,
        &a,
        None,
        Some(participant(Some("C-1"), None, Some("Carl"))),
    )
    .await;
    assert_ne!(carl.unwrap().id, ann.id);
    let (other, _, _) = upload_people(
        &store,
        &b,
        Some(participant(Some("A-1"), Some("ann@example.com"), None)),
        None,
    )
    .await;
    assert_ne!(other.unwrap().id, ann.id);

    // A participant matched by e-mail gains the sourceIdentifier it lacked.
    let (bob, _, _) = upload_people(
        &store,
        &a,
        Some(participant(None, Some("bob@example.com"), Some("Bob"))),
        None,
    )
    .await;
    let (bob_again, _, _) = upload_people(
        &store,
        &a,
        Some(participant(Some("B-9"), Some("bob@example.com"), None)),
        None,
    )
    .await;
    let (bob_by_source, _, _) =
        upload_people(&store, &a, Some(participant(Some("B-9"), None, None)), None).await;
    let bob = bob.unwrap();
    assert_eq!(bob_again.unwrap().id, bob.id);
    let bob_by_source = bob_by_source.unwrap();
    assert_eq!(
        (bob_by_source.id, bob_by_source.source_identifier.as_deref()),
        (bob.id, Some("B-9"))
    );
}

pub async fn email_of_another_participant_is_dropped(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let (jane, carl, _) = upload_people(
        &store,
        &a,
        Some(participant(
            Some("A-1"),
            Some("jane@example.com"),
            Some("Jane"),
        )),
        Some(participant(Some("C-1"), None, None)),
    )
    .await;
    let (jane, carl) = (jane.unwrap(), carl.unwrap());

    // Carl is matched by sourceIdentifier, but the e-mail is Jane's: dropped with a warning,
    // while the name and phone he lacked are filled in.
    let mut input = participant(Some("C-1"), Some("Jane@Example.com"), Some("Carl"));
    input.phone = Some("+1555".into());
    let (_, customer, warnings) = upload_people(&store, &a, None, Some(input)).await;
    let customer = customer.unwrap();
    assert_eq!(
        (
            customer.id.as_str(),
            customer.name.as_deref(),
            customer.email.as_deref(),
            customer.phone.as_deref()
        ),
        (carl.id.as_str(), Some("Carl"), None, Some("+1555"))
    );
    assert_eq!(warnings, vec!["customer.email: Jane@Example.com already belongs to another participant; it was dropped"]);

    let (agent, _, warnings) = upload_people(
        &store,
        &a,
        Some(participant(Some("C-1"), Some("jane@example.com"), None)),
        None,
    )
    .await;
    assert_eq!(agent.unwrap().id, carl.id);
    assert_eq!(
        warnings,
        vec![
            "agent.email: jane@example.com already belongs to another participant; it was dropped"
        ]
    );

    // Jane still owns her e-mail.
    let (still_jane, _, warnings) = upload_people(
        &store,
        &a,
        Some(participant(None, Some("jane@example.com"), None)),
        None,
    )
    .await;
    assert_eq!(still_jane.unwrap().id, jane.id);
    assert!(warnings.is_empty());
}

pub async fn unknown_tags_warn_and_duplicates_link_once(store: Arc<dyn Store>) {
    let a = account(&store, 0).await;
    let b = account(&store, 0).await;
    let billing = create_tag(&store, &a, "Billing").await;
    let sales = create_tag(&store, &a, "Sales").await;
    let foreign = create_tag(&store, &b, "Foreign").await;
    let mut up = upload(&a, "tagged");
    up.warnings = vec!["from the server".into()];
    up.tags = vec![
        "billing".into(),
        "nope".into(),
        billing.id.clone(),
        sales.id.clone(),
        "BILLING".into(),
        foreign.id.clone(),
        "sales".into(),
        // Another account's tag is unknown here, by id as by name.
        "Foreign".into(),
    ];
    let receipt = created(&store, up).await;
    assert_eq!(
        receipt.warnings,
        vec![
            "from the server".to_string(),
            "tags[1]: unknown tag \"nope\" was ignored".to_string(),
            format!("tags[5]: unknown tag \"{}\" was ignored", foreign.id),
            "tags[7]: unknown tag \"Foreign\" was ignored".to_string(),
        ]
    );
    let got = interaction(&store, &a, &receipt.interaction_id).await;
    assert_eq!(got.tags, vec![billing, sales]);
}
