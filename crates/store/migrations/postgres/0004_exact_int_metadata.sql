-- INT custom metadata kept exactly: a double (value_number) cannot tell integers above 2^53
-- apart, so filters on INT values compare value_int. Rows written before this migration keep
-- value_int NULL and are compared on value_number, as before.
ALTER TABLE interaction_metadata ADD COLUMN value_int BIGINT;
CREATE INDEX interaction_metadata_int ON interaction_metadata(account_id, key, value_int);

-- Text that is sorted or compared by order is compared byte-wise, as SQLite's BINARY collation
-- does, so that one SQL text orders the same on both backends whatever the database's locale.
ALTER TABLE tags ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE tags ALTER COLUMN name_lower TYPE TEXT COLLATE "C";
ALTER TABLE interaction_metadata ALTER COLUMN value_text TYPE TEXT COLLATE "C";
ALTER TABLE tags ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE scorecards ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE api_tokens ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE credit_ledger ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE evaluations ALTER COLUMN id TYPE TEXT COLLATE "C";
ALTER TABLE jobs ALTER COLUMN id TYPE TEXT COLLATE "C";
