-- API token scopes and expiry (docs/security.md, "Tokens and scopes"). `scopes` holds scope names
-- separated by single spaces; tokens made before this migration keep full access, so an upgrade
-- breaks no client. Every insert names its scopes (SQLite cannot drop a column default).
-- `expires_at` (microseconds, UTC) NULL = never. `last_used_at` (0001) is now written on use, at
-- most once a minute per token. Migrations are only ever added, never edited.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'upload read evaluate admin';
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
