-- Full-text search of what was said and written (GET /api/v1/interactions?q=, docs/api.md):
-- a stored tsvector of each interaction's transcript text and e-mail subject and body, kept
-- by PostgreSQL itself (a generated column, so no write path can forget it), with a GIN index.
-- The 'simple' configuration folds case and stems nothing (any language, and the same
-- matching as SQLite's FTS5 index). ops/interactions.rs repeats the text expression for
-- highlighting; change both together.
ALTER TABLE interactions ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,
        coalesce(transcript_text, '') || ' ' ||
        coalesce((email::jsonb) ->> 'subject', '') || ' ' ||
        coalesce((email::jsonb) ->> 'body', ''))) STORED;
CREATE INDEX interactions_search ON interactions USING GIN (search_document);
