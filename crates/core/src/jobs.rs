//! Job kinds and their retry budgets. A job is a row in the `jobs` table, enqueued in the same
//! transaction as the change it follows; workers (pipeline issue) claim them with a lease.

/// Download media from the upload's `downloadUrl` into the object store.
pub const FETCH_MEDIA: &str = "FetchMedia";
/// Transcribe stored media.
pub const TRANSCRIBE: &str = "Transcribe";
/// Score one evaluation (score submission) against its scorecard.
pub const EVALUATE: &str = "Evaluate";
/// Score one interaction with a scorecard version for the web app's "Try it", unbilled.
pub const TRY_SCORECARD: &str = "TryScorecard";

/// Run a scorecard's actions and send an event to the account's endpoints.
pub const DISPATCH: &str = "Dispatch";
/// Deliver one webhook message (one attempt per run; the handler keeps the schedule).
pub const DELIVER_WEBHOOK: &str = "DeliverWebhook";

/// Every kind, for reports that list each one (a kind with no job shows as zero).
pub const KINDS: [&str; 6] = [
    FETCH_MEDIA,
    TRANSCRIBE,
    EVALUATE,
    TRY_SCORECARD,
    DISPATCH,
    DELIVER_WEBHOOK,
];

/// Status of a job row.
pub const QUEUED: &str = "QUEUED";

/// How many attempts a job of `kind` gets before its step is marked FAILED.
pub fn max_attempts(kind: &str) -> i64 {
    match kind {
        FETCH_MEDIA => 5,
        TRANSCRIBE => 3,
        EVALUATE => 5,
        // A try is watched by someone waiting on its page: it fails fast rather than late.
        TRY_SCORECARD => 2,
        // The message's retry schedule decides when delivery gives up; this only bounds a
        // message whose attempts keep killing workers.
        DELIVER_WEBHOOK => 100,
        _ => 5,
    }
}
