-- Each metadata row holds one kind of value (text, or a number, plus the exact integer for INT),
-- so each filter index only needs the rows that carry its column: partial indexes cut the
-- index writes of a row from three to one or two. Every filter compares its column with `=`,
-- `<`, `>`…, which implies IS NOT NULL, so both databases still use these indexes.
DROP INDEX interaction_metadata_text;
DROP INDEX interaction_metadata_number;
DROP INDEX interaction_metadata_int;
CREATE INDEX interaction_metadata_text ON interaction_metadata(account_id, key, value_text)
    WHERE value_text IS NOT NULL;
CREATE INDEX interaction_metadata_number ON interaction_metadata(account_id, key, value_number)
    WHERE value_number IS NOT NULL;
CREATE INDEX interaction_metadata_int ON interaction_metadata(account_id, key, value_int)
    WHERE value_int IS NOT NULL;
