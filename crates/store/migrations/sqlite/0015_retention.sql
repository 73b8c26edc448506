-- Data retention (docs/deployment.md, "Retention"): per account, how many days after its
-- arrival an interaction's media, and the interaction itself, are kept (NULL: for ever). The
-- sweep removes a recording by its object first, then records when (media_removed_at) and
-- forgets its key.
ALTER TABLE accounts ADD COLUMN retention_media_days INTEGER;
ALTER TABLE accounts ADD COLUMN retention_interaction_days INTEGER;
ALTER TABLE interactions ADD COLUMN media_removed_at INTEGER;
CREATE INDEX interactions_account_created ON interactions(account_id, created_at);
