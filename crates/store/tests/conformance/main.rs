//! Backend-agnostic conformance suite of the `Store` trait.
//!
//! Every test body is `async fn name(store: Arc<dyn Store>)` in one of the area modules and
//! knows nothing about the backend. [`conformance_tests!`] instantiates every body as a
//! `#[tokio::test]` for one backend, given a factory that yields a fresh, empty store per test
//! (see `support::Backend`). Adding a body = writing it and adding it to the list below.

mod accounts;
mod catalog;
mod concurrency;
mod evaluations;
mod listing;
mod listing_numbers;
mod listing_pages;
mod matching;
mod plain_lists;
mod queue;
mod queue_effects;
mod queue_fairness;
mod queue_support;
mod support;
mod trials;
mod upload_refusals;
mod uploads;

/// `conformance_tests!(backend_prefix, factory_expr)`: one test module `backend_prefix` with a
/// test per body; `factory_expr` is a future of a `support::Backend`.
macro_rules! conformance_tests {
    ($backend:ident, $factory:expr) => {
        conformance_tests!(@each $backend, $factory;
            accounts::account_and_first_token,
            accounts::only_the_first_start_makes_the_first_account,
            accounts::account_without_credits_has_no_ledger_entry,
            accounts::token_auth_and_revoke,
            accounts::token_scopes_expiry_and_last_use,
            accounts::sessions_round_trip,
            accounts::expired_sessions_are_swept_and_live_ones_kept,
            accounts::users_and_case_insensitive_email_conflict,
            accounts::users_carry_their_role_and_agent_link,
            accounts::add_credits_moves_balance_with_ledger,
            catalog::tags_conflict_case_insensitively_per_account,
            catalog::scorecards_crud,
            plain_lists::plain_lists_page_in_order_without_gaps,
            plain_lists::tags_rename_and_delete,
            plain_lists::get_api_token_of_the_account_only,
            uploads::upload_round_trip,
            upload_refusals::duplicate_upload_returns_receipt_and_writes_nothing,
            upload_refusals::insufficient_credits_writes_nothing,
            upload_refusals::scorecard_not_active_writes_nothing,
            matching::participants_match_by_source_then_email,
            matching::email_of_another_participant_is_dropped,
            matching::unknown_tags_warn_and_duplicates_link_once,
            uploads::tenant_isolation,
            evaluations::queue_evaluation_checks_in_order_then_debits_and_enqueues,
            uploads::zero_charge_writes_no_ledger_entry,
            uploads::pending_transcript_keeps_its_hints,
            concurrency::concurrent_duplicates_create_once,
            concurrency::concurrent_uploads_share_one_new_participant,
            concurrency::concurrent_debits_never_go_negative,
            listing::list_filters_type_direction_and_time,
            listing::list_filters_agent_and_tag,
            listing::list_filters_metadata,
            listing_pages::cursor_pagination_has_no_gaps_or_duplicates,
            listing_pages::limit_is_clamped,
            listing_numbers::int_metadata_filters_are_exact_beyond_2_pow_53,
            queue::claim_marks_running_and_respects_kinds_limit_and_run_at,
            queue::leases_keep_jobs_apart_until_they_expire,
            queue::extend_leases_keeps_jobs_held,
            queue::release_restores_the_attempt_and_the_step,
            queue::wait_for_jobs_wakes_up_on_an_upload,
            queue::concurrent_claimers_take_each_job_once,
            queue::finish_jobs_done_takes_only_held_jobs,
            queue::finished_jobs_keep_their_worker,
            queue_fairness::a_backlog_does_not_hold_back_another_accounts_job,
            queue_fairness::accounts_with_backlogs_take_turns,
            queue_effects::done_applies_every_effect,
            queue_effects::a_charge_that_does_not_fit_writes_nothing,
            queue_effects::failed_keeps_the_error_and_applies_effects,
            trials::a_try_and_its_job_are_written_together_within_the_limit,
            trials::a_try_ends_once_with_its_job,
        );
    };
    (@each $backend:ident, $factory:expr; $($module:ident :: $test:ident),+ $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let backend: $crate::support::Backend = $factory.await;
                    $crate::$module::$test(backend.store.clone()).await;
                    backend.finish().await;
                }
            )+
        }
    };
}

conformance_tests!(sqlite, crate::support::sqlite_backend());

// PostgreSQL: a fresh schema per test (`PgStore::connect_isolated`) on the database named by
// SCOREJAR_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
conformance_tests!(postgres, crate::support::postgres_backend());
