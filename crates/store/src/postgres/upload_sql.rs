//! The statement that writes a whole upload, kept apart from the Rust that drives it.
//!
//! One data-modifying statement does every write. A single statement is a transaction of its
//! own, so an upload costs two round trips (the participant read, when there are participants,
//! and this statement) instead of four with BEGIN and COMMIT. Its rules:
//! - the interaction INSERT is the first write and everything else hangs off its RETURNING row:
//!   when it hits a duplicate (`ON CONFLICT DO NOTHING`, which waits for a concurrent inserter to
//!   commit) or the scorecard is not ACTIVE, nothing at all is written;
//! - the debit is the guarded `UPDATE accounts ... WHERE credits >= $charge`; when it finds no
//!   room, the ledger entry gets balance_after -1, which its CHECK constraint refuses, and that
//!   error undoes the whole statement (the store reports `InsufficientCredits`);
//! - the debit's one-time filter reads the interaction and participant CTEs first, so every row
//!   lock that can be waited on is taken before the account row is locked: concurrent uploads
//!   of one account cannot deadlock on it and the hot row stays locked briefly;
//! - participant rows this upload creates use `ON CONFLICT DO NOTHING`; if a concurrent upload
//!   created the same participant first, the interaction's foreign key fails at the end of the
//!   statement and the store runs the upload again (it then matches the winner's row);
//! - an upload that enqueues jobs NOTIFYs `scorejar_jobs` (sent at COMMIT) for waiting workers.
//!
//! Parameters: $1 interaction id, $2 account id, $3–$32 interaction columns (see `upload.rs`),
//! $33 scorecard id, $34–$39 new participants, $40–$45 filled participants, $46 referenced
//! participants, $47–$48 tag references (as given, lower-cased), $49–$52 metadata rows,
//! $53–$57 jobs, $58 ledger entry id, $59 ledger reason, $60 exact INT metadata values.

pub(super) const CREATE_UPLOAD: &str = r#"
WITH
scorecard AS (
    SELECT $33::text IS NULL OR EXISTS (
        SELECT 1 FROM scorecards
        WHERE id = $33 AND account_id = $2 AND status = 'ACTIVE') AS active
),
interaction AS (
    INSERT INTO interactions (
        id, account_id, source_identifier, interaction_type, direction, occurred_at,
        duration_ms, download_url, agent_id, customer_id,
        media_status, media_object_key, media_content_type, media_size_bytes, media_duration_ms,
        media_channels, media_sample_rate, media_codec, media_container,
        transcript_status, transcript_source, transcript_text, transcript_language,
        transcript_agent_channel, transcript_segments, email, custom_metadata,
        processing_transcription, processing_evaluation, score_submission_id, credits_charged,
        created_at)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
           $11, $12, $13, $14, $15, $16, $17, $18, $19,
           $20, $21, $22, $23, $24, $25, $26, $27,
           $28, $29, $30, $31, $32
    FROM scorecard WHERE scorecard.active
    ON CONFLICT (account_id, source_identifier) DO NOTHING
    RETURNING id
),
new_participants AS (
    INSERT INTO participants
        (id, account_id, name, email, email_lower, phone, source_identifier, created_at)
    SELECT p.id, $2, p.name, p.email, p.email_lower, p.phone, p.source_identifier, $32
    FROM interaction,
         UNNEST($34::text[], $35::text[], $36::text[], $37::text[], $38::text[], $39::text[])
             AS p(id, name, email, email_lower, phone, source_identifier)
    ON CONFLICT DO NOTHING
    RETURNING id
),
filled_participants AS (
    UPDATE participants p SET
        name = COALESCE(p.name, f.name),
        email = COALESCE(p.email, f.email),
        email_lower = COALESCE(p.email_lower, f.email_lower),
        phone = COALESCE(p.phone, f.phone),
        source_identifier = COALESCE(p.source_identifier, f.source_identifier)
    FROM interaction,
         UNNEST($40::text[], $41::text[], $42::text[], $43::text[], $44::text[], $45::text[])
             AS f(id, name, email, email_lower, phone, source_identifier)
    WHERE p.id = ANY($40::text[]) AND p.id = f.id AND p.account_id = $2
    RETURNING p.id
),
referenced_participants AS (
    SELECT id FROM participants WHERE id = ANY($46::text[]) AND account_id = $2
    FOR KEY SHARE
),
matched_tags AS (
    SELECT id, name_lower FROM tags
    WHERE account_id = $2 AND (id = ANY($47::text[]) OR name_lower = ANY($48::text[]))
),
linked_tags AS (
    INSERT INTO interaction_tags (interaction_id, tag_id)
    SELECT interaction.id, matched_tags.id FROM interaction, matched_tags
),
metadata AS (
    INSERT INTO interaction_metadata
        (interaction_id, account_id, key, value_type, value_text, value_number, value_int)
    SELECT interaction.id, $2, m.key, m.value_type, m.value_text, m.value_number, m.value_int
    FROM interaction,
         UNNEST($49::text[], $50::text[], $51::text[], $52::float8[], $60::int8[])
             AS m(key, value_type, value_text, value_number, value_int)
),
evaluation AS (
    INSERT INTO evaluations
        (id, account_id, interaction_id, scorecard_id, status, created_at, updated_at)
    SELECT $30, $2, interaction.id, $33, 'QUEUED', $32, $32
    FROM interaction WHERE $30::text IS NOT NULL AND $33::text IS NOT NULL
),
queued_jobs AS (
    INSERT INTO jobs (id, kind, interaction_id, account_id, payload, status, attempts,
                      max_attempts, run_at, created_at, updated_at)
    SELECT j.id, j.kind, j.interaction_id, $2, j.payload, 'QUEUED', 0, j.max_attempts, $32, $32,
           $32
    FROM interaction,
         UNNEST($53::text[], $54::text[], $55::text[], $56::text[], $57::int8[])
             AS j(id, kind, interaction_id, payload, max_attempts)
),
-- Wakes job listeners at COMMIT (nothing is sent if the statement fails). A plain SELECT in
-- WITH only runs when referenced, hence its column in the result.
notified AS (
    SELECT pg_notify('scorejar_jobs', '') FROM interaction WHERE cardinality($53::text[]) > 0
),
debit AS (
    UPDATE accounts SET credits = credits - $31
    WHERE id = $2 AND credits >= $31 AND $31 > 0
      AND (SELECT count(*) FROM interaction) > 0
      AND (SELECT count(*) FROM (
              SELECT 1 FROM new_participants
              UNION ALL SELECT 1 FROM filled_participants
              UNION ALL SELECT 1 FROM referenced_participants) AS locked) >= 0
    RETURNING credits
),
ledger AS (
    INSERT INTO credit_ledger
        (id, account_id, amount, balance_after, reason, interaction_id, created_at)
    SELECT $58, $2, -$31, COALESCE((SELECT credits FROM debit), -1), $59, $1, $32
    FROM interaction WHERE $31 > 0
)
SELECT (SELECT active FROM scorecard) AS scorecard_active,
       EXISTS (SELECT 1 FROM interaction) AS inserted,
       (SELECT credits FROM debit) AS balance_after,
       ARRAY(SELECT id FROM matched_tags) AS tag_ids,
       ARRAY(SELECT name_lower FROM matched_tags) AS tag_names,
       (SELECT count(*) FROM notified) AS notified
"#;
