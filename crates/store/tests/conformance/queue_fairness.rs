//! Claims are fair across accounts: one account's backlog never holds another account's work
//! behind it (docs/storage.md, "Claiming fairly").

use crate::queue_support::*;
use crate::support::*;
use scorejar_core::model::NewJob;
use scorejar_store::Store;
use std::collections::HashSet;
use std::sync::Arc;

const KIND: &str = "Bulk";

/// An account with one chat interaction; returns (account, interaction).
async fn account_with_interaction(store: &Arc<dyn Store>) -> (String, String) {
    let account = account(store, 0).await;
    let up = upload(&account, &scorejar_core::ids::new_id());
    let interaction = up.interaction_id.clone();
    created(store, up).await;
    (account, interaction)
}

fn bulk(interaction: &str, count: usize) -> Vec<NewJob> {
    (0..count).map(|_| job(KIND, interaction)).collect()
}

fn ids(jobs: &[scorejar_store::queue::ClaimedJob]) -> HashSet<String> {
    jobs.iter().map(|j| j.id.clone()).collect()
}

pub async fn a_backlog_does_not_hold_back_another_accounts_job(store: Arc<dyn Store>) {
    let (_, busy) = account_with_interaction(&store).await;
    let (_, quiet) = account_with_interaction(&store).await;
    store.enqueue_jobs(bulk(&busy, 300)).await.unwrap();
    let running = claim(&store, "w1", &[KIND], 2, LEASE).await;
    assert_eq!(running.len(), 2, "the busy account takes the free slots");

    // A newer job of another account is taken at the next free slot, ahead of 298 older ones.
    let late = bulk(&quiet, 1);
    store.enqueue_jobs(late.clone()).await.unwrap();
    let next = claim(&store, "w1", &[KIND], 1, LEASE).await;
    assert_eq!(ids(&next), HashSet::from([late[0].id.clone()]));
    let after = claim(&store, "w1", &[KIND], 1, LEASE).await;
    assert_eq!(after[0].interaction_id.as_deref(), Some(busy.as_str()));
}

pub async fn accounts_with_backlogs_take_turns(store: Arc<dyn Store>) {
    let (_, first) = account_with_interaction(&store).await;
    let (_, second) = account_with_interaction(&store).await;
    let first_jobs = bulk(&first, 50);
    store.enqueue_jobs(first_jobs.clone()).await.unwrap();
    store.enqueue_jobs(bulk(&second, 50)).await.unwrap();
    // Jobs without an interaction (no account) are still claimed, in run order.
    store.enqueue_jobs(noop_jobs(3)).await.unwrap();

    // One claim of four: each account's oldest, then the oldest of all.
    let four = claim(&store, "w1", &[KIND], 4, LEASE).await;
    let owners: Vec<_> = four
        .iter()
        .filter_map(|j| j.interaction_id.clone())
        .collect();
    assert!(
        owners.contains(&second),
        "second account served: {owners:?}"
    );
    assert!(
        ids(&four).contains(&first_jobs[0].id),
        "first account's oldest"
    );

    // One slot at a time, the account with fewer jobs running goes first.
    let mut running = [0usize; 2];
    for j in &four {
        running[usize::from(j.interaction_id.as_deref() == Some(second.as_str()))] += 1;
    }
    for _ in 0..6 {
        let one = claim(&store, "w1", &[KIND], 1, LEASE).await;
        let side = usize::from(one[0].interaction_id.as_deref() == Some(second.as_str()));
        assert!(
            running[side] <= running[1 - side],
            "took from the account already running more: {running:?}"
        );
        running[side] += 1;
    }
    assert_eq!(running, [5, 5]);
    let noops = claim(&store, "w1", &["Noop"], 10, LEASE).await;
    assert_eq!(noops.len(), 3, "jobs without an account are claimed too");
}
