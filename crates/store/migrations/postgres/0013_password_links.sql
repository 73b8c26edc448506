-- One-time links with which an invited user sets their password (docs/web.md, "Users"). Only
-- the token's SHA-256 is kept; a link is deleted when used.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_links_user ON password_links(user_id);
