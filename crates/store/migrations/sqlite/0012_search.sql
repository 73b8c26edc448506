-- Full-text search of what was said and written (GET /api/v1/interactions?q=, docs/api.md):
-- an FTS5 index of each interaction's transcript text and e-mail subject and body, kept in
-- step with `interactions` by triggers (so no write path can forget it), rows keyed by the
-- interaction's rowid. unicode61 folds case and diacritics; no stemming (any language, and
-- the same matching as PostgreSQL's 'simple' configuration).
CREATE VIRTUAL TABLE interaction_search USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER interaction_search_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO interaction_search (rowid, body) VALUES (new.rowid,
        coalesce(new.transcript_text, '') || ' ' ||
        coalesce(json_extract(new.email, '$.subject'), '') || ' ' ||
        coalesce(json_extract(new.email, '$.body'), ''));
END;

CREATE TRIGGER interaction_search_update AFTER UPDATE OF transcript_text, email ON interactions BEGIN
    DELETE FROM interaction_search WHERE rowid = old.rowid;
    INSERT INTO interaction_search (rowid, body) VALUES (new.rowid,
        coalesce(new.transcript_text, '') || ' ' ||
        coalesce(json_extract(new.email, '$.subject'), '') || ' ' ||
        coalesce(json_extract(new.email, '$.body'), ''));
END;

CREATE TRIGGER interaction_search_delete AFTER DELETE ON interactions BEGIN
    DELETE FROM interaction_search WHERE rowid = old.rowid;
END;

INSERT INTO interaction_search (rowid, body)
SELECT rowid,
       coalesce(transcript_text, '') || ' ' ||
       coalesce(json_extract(email, '$.subject'), '') || ' ' ||
       coalesce(json_extract(email, '$.body'), '')
  FROM interactions;
