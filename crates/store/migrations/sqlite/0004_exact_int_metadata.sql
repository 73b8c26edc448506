-- INT custom metadata kept exactly: a double (value_number) cannot tell integers above 2^53
-- apart, so filters on INT values compare value_int. Rows written before this migration keep
-- value_int NULL and are compared on value_number, as before.
ALTER TABLE interaction_metadata ADD COLUMN value_int INTEGER;
CREATE INDEX interaction_metadata_int ON interaction_metadata(account_id, key, value_int);
